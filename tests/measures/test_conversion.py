"""Conversion, the funnel and repeat requests, rebuilt record by record from published figures.

Medway's briefing (seed 003): 388 Conversation 1s, 29 went on to Conversation 2 and 19 to
Conversation 3; 20 people needed long-term care, 5.15%, against 7% (27 people) before.
Birmingham's table (seed 004): new requests, long-term support and % by constituency, 9,204
and 808 in all, 8.8%. The tests build those records, import them through the real import,
and read the figures back through ``python -m evaluation report conversion``.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.measures.conversion import conversion, total
from evaluation.measures.cost_avoided import cost_avoided
from evaluation.measures.intervals import wilson
from evaluation.measures.selection import Selection
from evaluation.measures.weekly import before_after, weekly_long_term
from evaluation.store.connection import Store
from tests.harness import TEST_KEY

COLUMNS = (
    "conversation_id",
    "person_id",
    "site",
    "approach",
    "conversation",
    "request_type",
    "request_id",
    "requested_on",
    "started_on",
    "ended_on",
    "long_term_support",
    "worker_id",
    "area",
    "cohort",
)

# Birmingham, "Long Term Services Taken Up By New Clients", March 2018 to October 2019.
BIRMINGHAM = (
    ("Hall Green", 941, 78, "8.3%"),
    ("Hodge Hill", 929, 71, "7.6%"),
    ("Erdington", 951, 87, "9.1%"),
    ("Ladywood", 892, 74, "8.3%"),
    ("Northfield", 946, 83, "8.8%"),
    ("Selly Oak", 848, 85, "10.0%"),
    ("Yardley", 945, 100, "10.6%"),
    ("Edgbaston", 800, 67, "8.4%"),
    ("Perry Barr", 938, 75, "8.0%"),
    ("Sutton", 787, 59, "7.5%"),
    ("Other / OLA", 227, 29, "12.8%"),
)


def uk(day: date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """A conversations export as a council's system writes one: UK dates, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: uk(v) if isinstance(v, date) else v for c, v in row.items()})
    return buffer.getvalue().encode()


def conversation(**values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, "")
    row.update(values)
    return row


def request_rows(
    rng: random.Random,
    *,
    number: str,
    person: str,
    site: str,
    approach: str,
    furthest: int,
    long_term: bool,
    start: date,
    request_type: str = "new",
    area: str = "",
    blank_request_id: bool = False,
) -> list[dict[str, Any]]:
    """The conversations of one request: 1 up to ``furthest``, long-term support (if any)
    recorded on the last, each with its own worker now and then."""
    rows = []
    day = start
    workers = [f"W-{site[:3]}-{rng.randint(1, 9)}"]
    three_c = approach == "three conversations"
    steps = range(1, furthest + 1) if three_c else [None]
    for index, step in enumerate(steps):
        ended = day + timedelta(days=rng.randint(1, 20))
        last = index == len(steps) - 1
        if rng.random() < 0.2:
            workers.append(f"W-{site[:3]}-{rng.randint(10, 19)}")
        rows.append(
            conversation(
                conversation_id=f"{number}-{index + 1}",
                person_id=person,
                site=site,
                approach=approach,
                conversation="" if step is None else step,
                request_type=request_type,
                request_id="" if blank_request_id else f"REQ-{number}",
                requested_on=start - timedelta(days=rng.randint(0, 6)) if index == 0 else "",
                started_on=day,
                ended_on=ended,
                long_term_support=("yes" if long_term else "no") if last else "no",
                worker_id=workers[-1],
                area=area,
            )
        )
        day = ended + timedelta(days=rng.randint(0, 3))
    return rows


def medway_rows(seed: int = 2018) -> list[dict[str, Any]]:
    """The ME4 innovation team over 13 weeks: 388 new requests, 29 reach Conversation 2, 19 of
    those reach Conversation 3; 20 lead to long-term support (12 after C3, 4 after C2, 4 after
    C1). Single-conversation requests often have no request_id at all."""
    rng = random.Random(seed)
    furthest = [3] * 19 + [2] * 10 + [1] * 359
    long_term = [True] * 12 + [False] * 7 + [True] * 4 + [False] * 6 + [True] * 4 + [False] * 355
    order = list(range(388))
    rng.shuffle(order)
    rows: list[dict[str, Any]] = []
    for n, i in enumerate(order):
        rows += request_rows(
            rng,
            number=f"M{n:04d}",
            person=f"MED-{n:04d}",
            site="ME4 innovation team",
            approach="three conversations",
            furthest=furthest[i],
            long_term=long_term[i],
            start=date(2018, 1, 8) + timedelta(days=rng.randint(0, 90)),
            blank_request_id=furthest[i] == 1 and rng.random() < 0.5,
        )
    return rows


def birmingham_rows(seed: int = 2019) -> list[dict[str, Any]]:
    """Every constituency's new requests with the published number leading to long-term
    support, plus requests from people who already had care (``existing``), some of which led
    to more: the table counts new clients only, so these must not change a figure."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    n = 0
    start = date(2018, 3, 1)
    for area, requests, long_term in ((a, r, lt) for a, r, lt, _ in BIRMINGHAM):
        flags = [True] * long_term + [False] * (requests - long_term)
        rng.shuffle(flags)
        for flag in flags:
            n += 1
            furthest = rng.choice((1, 1, 1, 2, 3))
            rows += request_rows(
                rng,
                number=f"B{n:05d}",
                person=f"BHM-{n:05d}",
                site="Birmingham adult social care",
                approach="three conversations",
                furthest=furthest,
                long_term=flag,
                start=start + timedelta(days=rng.randint(0, 570)),
                area=area,
                blank_request_id=furthest == 1 and rng.random() < 0.3,
            )
        for _ in range(15):
            n += 1
            rows += request_rows(
                rng,
                number=f"B{n:05d}",
                person=f"BHM-{n:05d}",
                site="Birmingham adult social care",
                approach="three conversations",
                furthest=rng.choice((1, 2, 3)),
                long_term=rng.random() < 0.4,
                start=start + timedelta(days=rng.randint(0, 570)),
                request_type="existing",
                area=area,
            )
    return rows


def report_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["report", "conversion", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)


def test_medway_funnel_and_conversion_through_import_and_cli(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str], cli_env: None
) -> None:
    rows = medway_rows()
    assert len(rows) == 388 + 29 + 19
    import_files(store, [("medway.csv", csv_bytes(rows))], as_of=date(2018, 5, 31))
    store.close()

    report = report_json(capsys, "--db", str(db_path))
    group = report["groups"][0]
    assert group["new_requests"] == 388
    assert group["reached_conversation_2"] == 29
    assert group["reached_conversation_3"] == 19
    assert group["long_term"] == 20
    assert round(group["conversion_rate"], 2) == 5.15
    low, high = group["conversion_ci95"]
    assert round(low, 2) == 3.36 and round(high, 2) == 7.83
    assert group["repeat_requests"] == 0 and group["repeat_rate"] == 0
    assert report["total"] == group
    usual_only = report_json(capsys, "--db", str(db_path), "--approach", "BAU")
    assert usual_only["total"]["requests"] == 0 and usual_only["total"]["conversion_rate"] is None
    three_cs = report_json(capsys, "--db", str(db_path), "--approach", "3Cs")
    assert three_cs["total"]["long_term"] == 20

    assert main(["report", "conversion", "--db", str(db_path)]) == 0
    table = capsys.readouterr().out
    assert "5.15%" in table and "3.36–7.83%" in table


def test_birmingham_constituency_table_through_import_and_cli(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str], cli_env: None
) -> None:
    import_files(
        store, [("birmingham.csv", csv_bytes(birmingham_rows()))], as_of=date(2019, 10, 31)
    )
    store.close()

    report = report_json(capsys, "--db", str(db_path), "--by", "area")
    by_area = {g["area"]: g for g in report["groups"]}
    assert set(by_area) == {a for a, *_ in BIRMINGHAM}
    for area, requests, long_term, shown in BIRMINGHAM:
        group = by_area[area]
        assert (group["new_requests"], group["long_term"]) == (requests, long_term), area
        assert group["no_long_term"] == requests - long_term
        assert f"{group['conversion_rate']:.1f}%" == shown, area
    assert (by_area["Hall Green"]["new_requests"], by_area["Hall Green"]["long_term"]) == (941, 78)
    assert (by_area["Hodge Hill"]["no_long_term"], by_area["Erdington"]["long_term"]) == (858, 87)
    overall = report["total"]
    assert (overall["new_requests"], overall["long_term"], overall["no_long_term"]) == (
        9204,
        808,
        8396,
    )
    assert f"{overall['conversion_rate']:.1f}%" == "8.8%"

    assert (
        main(["report", "conversion", "--db", str(db_path), "--by", "area", "--format", "csv"]) == 0
    )
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("area,group,requests,new_requests,long_term")
    assert lines[-1].startswith(",Total,")
    assert ",9204,808,8396," in lines[-1]


def test_conversion_is_any_conversation_with_long_term_support_and_new_only(store: Store) -> None:
    rows = [
        # long-term support at Conversation 2, none recorded at 3: still led to long-term support
        conversation(
            conversation_id="A1", person_id="PA", site="S", approach="3Cs", conversation=1,
            request_type="new", request_id="RA", started_on=date(2024, 1, 1),
            ended_on=date(2024, 1, 5), long_term_support="no",
        ),
        conversation(
            conversation_id="A2", person_id="PA", site="S", approach="3Cs", conversation=2,
            request_type="new", request_id="RA", started_on=date(2024, 1, 6),
            ended_on=date(2024, 1, 9), long_term_support="yes",
        ),
        conversation(
            conversation_id="A3", person_id="PA", site="S", approach="3Cs", conversation=3,
            request_type="new", request_id="RA", started_on=date(2024, 1, 10),
            ended_on=date(2024, 1, 20), long_term_support="no",
        ),
        # an existing-care request that led to more: not a new request
        conversation(
            conversation_id="B1", person_id="PB", site="S", approach="3Cs", conversation=1,
            request_type="existing", started_on=date(2024, 1, 2),
            ended_on=date(2024, 1, 3), long_term_support="yes",
        ),
        # the same request id in a different month: still one request, by its first start
        conversation(
            conversation_id="C1", person_id="PC", site="S", approach="3Cs", conversation=1,
            request_type="new", request_id="RC", started_on=date(2024, 1, 30),
            ended_on=date(2024, 2, 2),
        ),
        conversation(
            conversation_id="C2", person_id="PC", site="S", approach="3Cs", conversation=2,
            request_type="new", request_id="RC", started_on=date(2024, 2, 3),
        ),
    ]  # fmt: skip
    import_files(store, [("c.csv", csv_bytes(rows))])
    everything = total(store)
    assert (everything.requests, everything.new_requests, everything.long_term) == (3, 2, 1)
    # two new requests: counts are shown, a rate of them would single a person out
    assert everything.conversion_rate is None and everything.conversion_ci95 is None
    assert everything.why_no_rate == "fewer than 5 new requests"
    assert (everything.reached_conversation_2, everything.reached_conversation_3) == (2, 1)
    months = {r.group["month"]: r for r in conversion(store, by=("month",))}
    assert set(months) == {"2024-01"}
    assert months["2024-01"].requests == 3
    january = total(store, Selection(date_from=date(2024, 1, 15), date_to=date(2024, 1, 31)))
    assert (january.requests, january.new_requests) == (1, 1)  # request RC only


def _repeat_case(
    store: Store, earlier_end: date, later_start: date, *, earlier_long_term: str = "no"
) -> tuple[int, int]:
    rows = [
        conversation(
            conversation_id="E1", person_id="SAME PERSON", site="S", approach="3Cs",
            conversation=1, request_type="new", request_id="E", started_on=earlier_end
            - timedelta(days=40), ended_on=earlier_end - timedelta(days=30),
            long_term_support="no",
        ),
        # the earlier request's LAST conversation ends on earlier_end
        conversation(
            conversation_id="E2", person_id="SAME PERSON", site="S", approach="3Cs",
            conversation=2, request_type="new", request_id="E",
            started_on=earlier_end - timedelta(days=20), ended_on=earlier_end,
            long_term_support=earlier_long_term,
        ),
        conversation(
            conversation_id="L1", person_id="SAME PERSON", site="S", approach="3Cs",
            conversation=1, request_type="new", request_id="L", started_on=later_start,
        ),
    ]  # fmt: skip
    import_files(store, [("r.csv", csv_bytes(rows))])
    row = total(store)
    return row.repeat_requests, row.new_requests


def test_repeat_request_exactly_365_days_after_counts(store: Store) -> None:
    # 2024 is a leap year: 1 January 2024 + 365 days is 31 December 2024
    repeats, new = _repeat_case(store, date(2024, 1, 1), date(2024, 12, 31))
    assert (repeats, new) == (1, 2)
    assert total(store).repeat_rate is None  # 2 new requests: too few for a rate


def test_repeat_request_366_days_after_does_not_count(store: Store) -> None:
    assert _repeat_case(store, date(2024, 1, 1), date(2025, 1, 1)) == (0, 2)


def test_repeat_window_runs_from_the_last_conversation_not_the_first(store: Store) -> None:
    # the first conversation ended 395 days before, the last 365: a repeat
    assert _repeat_case(store, date(2023, 3, 1), date(2024, 2, 29)) == (1, 2)


def test_earlier_request_that_led_to_long_term_support_is_not_a_repeat(store: Store) -> None:
    assert _repeat_case(store, date(2024, 3, 1), date(2024, 4, 1), earlier_long_term="yes") == (
        0,
        2,
    )


def test_earlier_request_still_underway_or_later_existing_request_is_not_a_repeat(
    store: Store,
) -> None:
    rows = [
        conversation(
            conversation_id="U1", person_id="P1", site="S", approach="usual practice",
            request_type="new", started_on=date(2024, 1, 1),
        ),
        conversation(
            conversation_id="U2", person_id="P1", site="S", approach="usual practice",
            request_type="new", started_on=date(2024, 2, 1), ended_on=date(2024, 2, 10),
        ),
        # P1's second request ended without long-term support; this one is 'existing'
        conversation(
            conversation_id="U3", person_id="P1", site="S", approach="usual practice",
            request_type="existing", started_on=date(2024, 3, 1),
        ),
        # same day as the earlier request ended: 0 days, a repeat
        conversation(
            conversation_id="V1", person_id="P2", site="S", approach="usual practice",
            request_type="new", started_on=date(2024, 1, 1), ended_on=date(2024, 1, 20),
        ),
        conversation(
            conversation_id="V2", person_id="P2", site="S", approach="usual practice",
            request_type="new", started_on=date(2024, 1, 20),
        ),
    ]  # fmt: skip
    import_files(store, [("u.csv", csv_bytes(rows))])
    row = total(store)
    assert (row.new_requests, row.repeat_requests) == (4, 1)
    assert row.repeat_rate is None  # 4 new requests: too few for a rate


def test_new_long_term_support_per_week_with_a_four_week_mean(store: Store) -> None:
    ends = [
        date(2024, 3, 4),  # Monday
        date(2024, 3, 6),
        date(2024, 3, 10),  # Sunday: the same ISO week
        date(2024, 3, 18),  # the week of 11 March has none
        date(2024, 3, 25),
        date(2024, 4, 1),
        date(2024, 4, 2),
    ]
    rows = [
        conversation(
            conversation_id=f"W{i}", person_id=f"P{i}", site="S", approach="usual practice",
            request_type="new", started_on=end - timedelta(days=10), ended_on=end,
            long_term_support="yes",
        )
        for i, end in enumerate(ends)
    ] + [
        conversation(
            conversation_id="X", person_id="PX", site="S", approach="usual practice",
            request_type="existing", started_on=date(2024, 3, 1), ended_on=date(2024, 3, 12),
            long_term_support="yes",
        )
    ]  # fmt: skip
    import_files(store, [("w.csv", csv_bytes(rows))])
    series = weekly_long_term(store)
    assert [(w.week, w.long_term) for w in series] == [
        (date(2024, 3, 4), 3),
        (date(2024, 3, 11), 0),
        (date(2024, 3, 18), 1),
        (date(2024, 3, 25), 1),
        (date(2024, 4, 1), 2),
    ]
    assert [w.rolling_mean for w in series] == [None, None, None, 1.25, 1.0]
    compared = before_after(series, date(2024, 3, 20))  # a Wednesday: from the week of 18 March
    assert (compared.weeks_before, compared.per_week_before) == (2, 1.5)
    assert compared.weeks_after == 3 and compared.per_week_after == pytest.approx(4 / 3)


def test_cost_avoided_is_medways_seven_people_at_an_average_package() -> None:
    estimate = cost_avoided(Decimal("7"), 388, 20, Decimal("250.00"))
    assert estimate.people_avoided == Decimal("7.16")  # 27.16 expected at 7%, 20 did
    assert estimate.current_rate == Decimal("5.1546")
    assert estimate.per_week == Decimal("1790.00")
    assert estimate.per_year == Decimal("93080.00")  # × 52 weeks
    pence = cost_avoided("7.5", 388, 20, "312.37")
    assert pence.per_week == Decimal("2842.57")  # 9.1 × 312.37 = 2842.567 → to the penny


def test_wilson_interval_stays_inside_0_to_100() -> None:
    assert wilson(0, 10) == (0.0, pytest.approx(27.753, abs=1e-3))
    low, high = wilson(10, 10)  # type: ignore[misc]
    assert high == 100.0 and low == pytest.approx(72.247, abs=1e-3)
    assert wilson(0, 0) is None


def test_cli_rejects_an_unknown_split_and_a_missing_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "conversion", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "there is no store" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()
    store = Store(tmp_path / "s.duckdb", key=TEST_KEY)
    store.close()
    assert main(["report", "conversion", "--db", str(tmp_path / "s.duckdb"), "--by", "ward"]) == 2
    assert "--by ward" in capsys.readouterr().err
    backwards = ["--from", "2024-02-01", "--to", "2024-01-01"]
    assert main(["report", "conversion", "--db", str(tmp_path / "s.duckdb"), *backwards]) == 2
    assert "--from 2024-02-01 is after --to 2024-01-01" in capsys.readouterr().err
