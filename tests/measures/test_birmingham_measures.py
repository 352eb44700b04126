"""Birmingham's direct payments and conversations completed, rebuilt from its highlights (seed 004).

"AD Hall Green 26.0% 29.2% 36.7%" (April 2018, December 2018, September 2019): of the people
with long-term support in each constituency on each date, the share by direct payment. And
"Conversations Completed at 6 months 1497, 12 months 4043, 18 months 14588". The records are
built so each published figure comes out of the real import, beside records that must not
count: a suspended direct payment, a short-term one, a person whose area changed after the
date, a conversation that ended just after a milestone.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.measures.completed import add_months, conversations_completed
from evaluation.measures.direct_payments import direct_payments
from evaluation.measures.rates import percent
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from tests.harness import TEST_KEY
from tests.measures.test_conversion import conversation, csv_bytes
from tests.measures.test_reached_and_reablement import packages_csv

DATES = (date(2018, 4, 1), date(2018, 12, 1), date(2019, 9, 1))
PUBLISHED = {
    "Hall Green": (26.0, 29.2, 36.7),
    "Hodge Hill": (23.3, 28.4, 36.4),
    "Erdington": (22.5, 27.4, 33.2),
    "Ladywood": (30.5, 34.5, 38.9),
    "Northfield": (21.6, 22.7, 29.0),
    "Selly Oak": (20.5, 24.2, 32.2),
    "Yardley": (18.2, 23.6, 31.3),
    "Sutton": (27.2, 32.1, 36.9),
    "Edgbaston": (23.7, 25.7, 29.1),
    "Perry Barr": (32.4, 37.1, 37.6),
}


def counts(share: float) -> tuple[int, int]:
    """The fewest people (20 or more) whose share rounds to the published one."""
    for people in range(20, 400):
        paid = round(share * people / 100)
        if percent(paid, people, places=1) == share:
            return paid, people
    raise AssertionError(share)


def _package(pid: str, person: str, service: str, on: date, **extra: str) -> dict[str, str]:
    return {
        "package_id": pid,
        "person_id": person,
        "service": service,
        "starts_on": (on - timedelta(days=20)).strftime("%d/%m/%Y"),
        "ends_on": (on + timedelta(days=20)).strftime("%d/%m/%Y"),
        "gross_weekly_cost": "180.00",
        "status": extra.get("status", "active"),
        "support": extra.get("support", "long term"),
    }


def direct_payment_records() -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    conversations: list[dict[str, Any]] = []
    packages: list[dict[str, str]] = []
    n = 0
    for area, shares in PUBLISHED.items():
        for on, share in zip(DATES, shares, strict=True):
            paid, people = counts(share)
            for k in range(people):
                n += 1
                person = f"BHM{n:05d}"
                conversations.append(
                    conversation(
                        conversation_id=f"C{n}", person_id=person, site="Birmingham",
                        approach="three conversations", conversation=1, request_type="new",
                        started_on=on - timedelta(days=60), ended_on=on - timedelta(days=40),
                        area=area,
                    )
                )  # fmt: skip
                service = "Direct payment" if k < paid else "Home care"
                packages.append(_package(f"P{n}", person, service, on))
                if k == paid:  # a suspended direct payment beside active home care
                    packages.append(
                        _package(f"S{n}", person, "Direct Payment", on, status="suspended")
                    )
                if k == paid + 1:  # a short-term direct payment is not long-term support
                    packages.append(
                        _package(f"T{n}", person, "direct payment", on, support="short term")
                    )
                if k == 0:  # moved to another area after the date: still counts here
                    conversations.append(
                        conversation(
                            conversation_id=f"M{n}", person_id=person, site="Birmingham",
                            approach="three conversations", conversation=1,
                            request_type="existing", started_on=on + timedelta(days=5),
                            area="Other / OLA",
                        )
                    )  # fmt: skip
    return conversations, packages


@pytest.fixture
def birmingham(store: Store) -> Store:
    conversations, packages = direct_payment_records()
    import_files(store, [("c.csv", csv_bytes(conversations))], as_of=date(2019, 10, 31))
    import_files(store, [("p.csv", packages_csv(packages))], as_of=date(2019, 10, 31))
    return store


def test_direct_payments_by_constituency_on_three_dates(birmingham: Store) -> None:
    found = direct_payments(birmingham, DATES, ("area",))
    shares = {(r.group["area"], r.on): r.share for r in found}
    for area, published in PUBLISHED.items():
        assert tuple(shares[(area, on)] for on in DATES) == published, area
    hall_green = [r for r in found if r.group["area"] == "Hall Green"]
    assert [(r.direct_payment, r.people) for r in hall_green] == [(13, 50), (7, 24), (11, 30)]
    assert {r.group["area"] for r in found} == set(PUBLISHED)  # nobody placed by a later move
    one_area = direct_payments(birmingham, DATES, ("area",), Selection(areas=("hall green",)))
    assert [r.share for r in one_area] == [26.0, 29.2, 36.7]


def test_a_group_of_fewer_than_five_people_shows_counts_and_no_share(birmingham: Store) -> None:
    (row,) = direct_payments(birmingham, [DATES[0]], ("area",), Selection(areas=("sutton",)))
    assert row.share == 27.2
    raised = direct_payments(birmingham, [DATES[0]], (), threshold=2000)
    assert raised[0].people == sum(counts(s[0])[1] for s in PUBLISHED.values())
    assert raised[0].share is None and raised[0].as_dict()["no_share_because"]


def test_the_direct_payments_report(
    birmingham: Store, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    birmingham.close()
    dates = [arg for on in DATES for arg in ("--on", on.isoformat())]
    base = ["report", "direct-payments", "--db", str(db_path), "--by", "area", *dates]
    assert main([*base, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    hall_green = [g for g in data["groups"] if g["area"] == "Hall Green"]
    assert hall_green == [
        {"area": "Hall Green", "on": "2018-04-01", "people": 50, "direct_payment": 13,
         "direct_payment_pct": 26.0, "no_share_because": None},
        {"area": "Hall Green", "on": "2018-12-01", "people": 24, "direct_payment": 7,
         "direct_payment_pct": 29.2, "no_share_because": None},
        {"area": "Hall Green", "on": "2019-09-01", "people": 30, "direct_payment": 11,
         "direct_payment_pct": 36.7, "no_share_because": None},
    ]  # fmt: skip
    assert main([*base, "--format", "csv"]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0] == "area,on,people,direct_payment,direct_payment_pct,no_share_because"
    assert "Hall Green,2019-09-01,30,11,36.7," in lines
    assert main(base) == 0
    table = capsys.readouterr().out
    hall = next(line for line in table.splitlines() if line.startswith("Hall Green"))
    assert "26.0% (13 of 50)" in hall and "29.2% (7 of 24)" in hall
    assert hall.endswith("36.7% (11 of 30)")
    with pytest.raises(SystemExit) as refused:
        main(["report", "direct-payments", "--db", str(db_path), "--by", "ward"])
    assert refused.value.code == 2
    assert "can't group by ward" in capsys.readouterr().err


# --- conversations completed ------------------------------------------------------------------

START = date(2018, 3, 12)
SIX, TWELVE, EIGHTEEN = (add_months(START, m) for m in (6, 12, 18))


def completed_records(seed: int = 18) -> list[dict[str, Any]]:
    """1,497 conversations ended in the first 6 months, 2,546 more by 12, 10,545 more by 18,
    and some that must not count by then (ended on the day 18 months on, still underway)."""
    rng = random.Random(seed)
    rows = []
    spans = ((START, SIX, 1497), (SIX, TWELVE, 4043 - 1497), (TWELVE, EIGHTEEN, 14588 - 4043))
    n = 0
    for first, after, count in spans:
        for _ in range(count):
            n += 1
            ended = first + timedelta(days=rng.randint(0, (after - first).days - 1))
            started = max(START, ended - timedelta(days=rng.randint(0, 20)))
            rows.append(_done(n, started, ended))
    rows[0]["started_on"] = START  # the site's first conversation
    for extra in range(40):  # after the 18 months, or still underway
        n += 1
        rows.append(_done(n, EIGHTEEN - timedelta(days=3), EIGHTEEN if extra % 2 else None))
    rows.append(  # usual practice never counts
        conversation(
            conversation_id="UP1", person_id="UP1", site="Birmingham", approach="usual practice",
            request_type="new", started_on=START - timedelta(days=300),
            ended_on=START - timedelta(days=200),
        )
    )  # fmt: skip
    return rows


def _done(n: int, started: date, ended: date | None) -> dict[str, Any]:
    return conversation(
        conversation_id=f"D{n:05d}", person_id=f"P{n % 5000:04d}", site="Birmingham",
        approach="three conversations", conversation=1 + n % 3, request_type="new",
        started_on=started, ended_on=ended or "",
    )  # fmt: skip


def test_conversations_completed_at_6_12_and_18_months(store: Store) -> None:
    import_files(store, [("done.csv", csv_bytes(completed_records()))], as_of=date(2019, 12, 1))
    (site,) = conversations_completed(store, date(2019, 12, 1))
    assert (site.site, site.first) == ("Birmingham", START)
    assert [(m.months, m.completed) for m in site.milestones] == [
        (6, 1497),
        (12, 4043),
        (18, 14588),
    ]
    assert site.milestones[0].last_day == date(2018, 9, 11)
    assert site.so_far == 14588 + 20
    # before 18 months are up, that milestone is not reached yet: no count that still grows
    early = conversations_completed(store, date(2019, 6, 30))[0]
    assert [m.completed for m in early.milestones] == [1497, 4043, None]


def test_the_completed_report(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    import_files(store, [("done.csv", csv_bytes(completed_records()))], as_of=date(2019, 12, 1))
    store.close()
    assert main(["report", "completed", "--db", str(db_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (site,) = data["sites"]
    assert [m["completed"] for m in site["milestones"]] == [1497, 4043, 14588]
    assert main(["report", "completed", "--db", str(db_path), "--as-of", "2019-06-30"]) == 0
    text = capsys.readouterr().out
    assert "1,497" in text and "4,043" in text and "not reached yet" in text
    assert main(["report", "completed", "--db", str(db_path), "--format", "csv"]) == 0
    out = capsys.readouterr().out.lstrip("\ufeff")
    found = list(csv.DictReader(io.StringIO(out)))
    assert [(r["months"], r["completed"]) for r in found] == [
        ("6", "1497"),
        ("12", "4043"),
        ("18", "14588"),
    ]
