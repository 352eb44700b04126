"""Conversations reached and reablement, rebuilt from Medway's briefing (seed 003).

"388 conversation 1's, of which 29 became conversation 2's and 19 became conversation 3's":
a request counts for a conversation only if it *had* that conversation. Here 4 people go from
Conversation 1 straight to Conversation 3, so counting by the furthest conversation would give
33 → 19 instead. "The ME4 team put 22 homecare reablement packages in place (5.6%), but in
business as usual 18% of contacts would have received homecare reablement": 22 of 388 new
requests, against 18 of 100 in usual practice, with packages that must *not* count beside
them (too late, too early, cancelled, long term, not reablement).
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
from evaluation.measures.conversion import conversion, total
from evaluation.measures.flow import request_activity
from evaluation.store.connection import Store
from tests.harness import TEST_KEY
from tests.measures.test_conversion import conversation, csv_bytes

SITE = "ME4 innovation team"
PACKAGE_COLUMNS = (
    "package_id",
    "person_id",
    "service",
    "starts_on",
    "ends_on",
    "gross_weekly_cost",
    "status",
    "support",
)
# (conversations a request had, how many such requests): 29 had a 2, 19 had a 3.
PATTERNS = (((1, 2, 3), 15), ((1, 3), 4), ((1, 2), 14), ((1,), 355))


def medway(seed: int = 2017) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ME4 team's 388 new requests and 100 usual-practice ones, and their packages."""
    rng = random.Random(seed)
    conversations: list[dict[str, Any]] = []
    packages: list[dict[str, Any]] = []
    requests = [steps for steps, n in PATTERNS for _ in range(n)]
    rng.shuffle(requests)
    reabled = set(rng.sample(range(388), 22))
    long_term = set(rng.sample(range(388), 20))
    for n, steps in enumerate(requests):
        person, day = f"MED-{n:04d}", date(2017, 4, 3) + timedelta(days=rng.randint(0, 60))
        first = day
        for index, step in enumerate(steps):
            ended = day + timedelta(days=rng.randint(1, 12))
            conversations.append(
                conversation(
                    conversation_id=f"M{n:04d}-{step}", person_id=person, site=SITE,
                    approach="three conversations", conversation=step, request_type="new",
                    request_id=f"MR{n:04d}", started_on=day, ended_on=ended,
                    long_term_support="yes" if n in long_term and index == len(steps) - 1
                    else "no",
                )
            )  # fmt: skip
            day = ended + timedelta(days=rng.randint(0, 5))
        last_end = ended
        if n in reabled:  # within the window: from the first start to 28 days after the end
            start = rng.choice((first, last_end + timedelta(days=28), first + timedelta(days=3)))
            packages.append(_package(f"RB{n}", person, "Homecare reablement", start))
        elif n % 7 == 0:  # 29 days after the end: outside the window
            late = last_end + timedelta(days=29)
            packages.append(_package(f"LATE{n}", person, "Reablement", late))
        elif n % 7 == 1:  # a short-term package that is not reablement
            packages.append(_package(f"RS{n}", person, "Respite stay", first))
        elif n % 7 == 2:  # reablement that was cancelled
            packages.append(_package(f"CX{n}", person, "ST-Max", first, status="cancelled"))
        elif n % 7 == 3:  # long-term home care: not reablement
            packages.append(_package(f"LT{n}", person, "Home care", first, support="long term"))
        elif n % 7 == 4:  # reablement that began before the request
            before = first - timedelta(days=10)
            packages.append(_package(f"EA{n}", person, "reablement", before))
    for n in range(100):  # business as usual: 18% of contacts had homecare reablement
        person, day = f"BAU-{n:03d}", date(2017, 4, 3) + timedelta(days=rng.randint(0, 60))
        ended = day + timedelta(days=20)
        conversations.append(
            conversation(
                conversation_id=f"U{n:03d}", person_id=person, site="Medway",
                approach="usual practice", request_type="new", started_on=day, ended_on=ended,
                long_term_support="yes" if n < 7 else "no",
            )
        )  # fmt: skip
        if n >= 82:
            packages.append(_package(f"UR{n}", person, "ST Max home care", ended))
    return conversations, packages


def _package(
    package_id: str,
    person: str,
    service: str,
    start: date,
    *,
    status: str = "active",
    support: str = "short term",
) -> dict[str, Any]:
    return {
        "package_id": package_id,
        "person_id": person,
        "service": service,
        "starts_on": start.strftime("%d/%m/%Y"),
        "ends_on": (start + timedelta(days=42)).strftime("%d/%m/%Y"),
        "gross_weekly_cost": "210.00",
        "status": status,
        "support": support,
    }


def packages_csv(rows: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PACKAGE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def load(store: Store) -> None:
    conversations, packages = medway()
    import_files(store, [("medway.csv", csv_bytes(conversations))], as_of=date(2017, 12, 31))
    import_files(store, [("packages.csv", packages_csv(packages))], as_of=date(2017, 12, 31))


def test_a_request_counts_for_a_conversation_only_if_it_had_it(store: Store) -> None:
    load(store)
    (three,) = conversion(store, None, ("approach",))[:1]
    assert three.group == {"approach": "three conversations"}
    assert (three.requests, three.reached_conversation_2, three.reached_conversation_3) == (
        388,
        29,
        19,
    )
    (flow,) = [f for f in request_activity(store, None, ("approach",)).flow if f.requests == 388]
    assert (flow.reached_conversation_2, flow.reached_conversation_3) == (29, 19)
    assert flow.long_term == 20 and round(flow.conversion_rate, 2) == 5.15


def test_reablement_is_medways_22_of_388_against_18_percent(store: Store) -> None:
    load(store)
    groups = {r.group["approach"]: r for r in conversion(store, None, ("approach",))}
    three, usual = groups["three conversations"], groups["usual practice"]
    assert (three.reablement, three.new_requests) == (22, 388)
    assert f"{three.reablement_rate:.2f}" == "5.67"  # Medway printed 5.6%, cut short
    assert (usual.reablement, usual.reablement_rate) == (18, 18.0)
    assert total(store).reablement == 40


def test_the_cli_json_carries_reached_and_reablement(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    load(store)
    store.close()
    args = ["report", "conversion", "--db", str(db_path), "--by", "approach", "--format", "json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    three = data["groups"][0]
    assert three["approach"] == "three conversations"
    assert (three["reached_conversation_2"], three["reached_conversation_3"]) == (29, 19)
    assert (three["reablement"], round(three["reablement_rate"], 2)) == (22, 5.67)
    assert main(["report", "conversion", "--db", str(db_path), "--by", "approach"]) == 0
    text = capsys.readouterr().out
    assert "Had C2" in text and "5.67%" in text and "18.00%" in text


def test_no_rate_while_every_new_request_is_underway(store: Store) -> None:
    rows = [
        conversation(
            conversation_id=f"N{n}", person_id=f"P{n}", site="S", approach="3Cs",
            conversation=1, request_type="new", started_on=date(2025, 3, 1),
        )
        for n in range(57)
    ]  # fmt: skip
    import_files(store, [("open.csv", csv_bytes(rows))], as_of=date(2025, 3, 20))
    row = total(store)
    assert (row.new_requests, row.long_term, row.new_underway) == (57, 0, 57)
    assert row.conversion_rate is None and row.conversion_ci95 is None
    assert row.why_no_rate == "not known yet: 57 of 57 still underway"
    assert row.as_dict()["no_rate_because"] == row.why_no_rate


def small_area_rows() -> list[dict[str, Any]]:
    """20 new requests in Big (1 to long-term support) and 1 in Tiny, which led to it."""
    return [
        conversation(
            conversation_id=f"A{n}", person_id=f"P{n}", site="S", approach="3Cs",
            conversation=1, request_type="new", started_on=date(2025, 1, 1),
            ended_on=date(2025, 1, 9), area="Big" if n < 20 else "Tiny",
            long_term_support="yes" if n in (3, 20) else "no",
        )
        for n in range(21)
    ]  # fmt: skip


def test_a_group_of_fewer_than_five_new_requests_shows_counts_and_no_rate(store: Store) -> None:
    import_files(store, [("a.csv", csv_bytes(small_area_rows()))])
    areas = {r.group["area"]: r for r in conversion(store, None, ("area",))}
    tiny, big = areas["Tiny"], areas["Big"]
    assert (tiny.new_requests, tiny.long_term) == (1, 1)  # the published counts stay
    assert tiny.conversion_rate is None and tiny.conversion_ci95 is None
    assert tiny.repeat_rate is None and tiny.reablement_rate is None
    assert tiny.as_dict()["no_rate_because"] == "fewer than 5 new requests"
    assert big.conversion_rate == 5.0 and big.conversion_ci95 is not None
    raised = {r.group["area"]: r for r in conversion(store, None, ("area",), threshold=25)}
    assert raised["Big"].conversion_rate is None


def test_request_type_is_a_grouping_of_both_reports(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    rows = [
        conversation(
            conversation_id=f"R{n}", person_id=f"P{n}", site="S", approach="3Cs",
            conversation=1, request_type="new" if n < 8 else "existing",
            started_on=date(2024, 1, 1), ended_on=date(2024, 1, 5),
            long_term_support="yes" if n in (0, 9) else "no",
        )
        for n in range(14)
    ]  # fmt: skip
    import_files(store, [("r.csv", csv_bytes(rows))], as_of=date(2024, 12, 31))
    store.close()
    db = ["--db", str(db_path), "--by", "request_type", "--format", "json"]
    assert main(["report", "conversion", *db]) == 0
    groups = {g["request_type"]: g for g in json.loads(capsys.readouterr().out)["groups"]}
    assert (groups["new"]["new_requests"], groups["new"]["conversion_rate"]) == (8, 12.5)
    assert groups["existing"]["requests"] == 6 and groups["existing"]["new_requests"] == 0
    assert groups["existing"]["no_rate_because"] == "no new requests"
    assert main(["report", "cost-change", *db]) == 0
    columns = [g["request_type"] for g in json.loads(capsys.readouterr().out)["groups"]]
    assert columns == ["existing", "new"]
