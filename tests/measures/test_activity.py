"""Activity: the bulge of conversations underway by age, times, waits and hand-offs."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.measures.activity import older_first_conversations, time_to_complete, underway
from evaluation.measures.flow import hand_offs, waiting_time
from evaluation.measures.overview import data_as_of
from evaluation.measures.selection import Selection
from evaluation.present.activity import older_note
from evaluation.store.connection import Store
from tests.harness import TEST_KEY
from tests.measures.test_conversion import conversation, csv_bytes

AS_OF = date(2024, 6, 30)


def started(days_before: int, number: int | None = 1, **more: object) -> dict[str, object]:
    """A conversation that started ``days_before`` the as-of date and is still open."""
    values: dict[str, object] = {
        "person_id": f"P{days_before}-{number}",
        "site": "North",
        "approach": "3Cs" if number else "usual practice",
        "conversation": number or "",
        "request_type": "new",
        "started_on": AS_OF - timedelta(days=days_before),
    }
    values.update(more)
    values.setdefault("conversation_id", f"C{days_before}-{number}-{len(more)}")
    return conversation(**values)


def test_underway_by_conversation_and_age_band_on_the_as_of_date(store: Store) -> None:
    rows = [
        started(0),  # age 0 → 0–7
        started(7),  # age 7 → 0–7
        started(8),  # 8–14
        started(28),  # 15–28
        started(29),  # 29–56
        started(56),  # 29–56
        started(57),  # over 56
        started(40, ended_on=AS_OF + timedelta(days=3), conversation_id="late"),  # underway then
        started(40, ended_on=AS_OF, conversation_id="done"),  # ended on the day: not underway
        started(-2, conversation_id="future"),  # starts after the as-of date
        started(3, 2),
        started(20, None),
    ]
    import_files(store, [("c.csv", csv_bytes(rows))], as_of=AS_OF)
    assert data_as_of(store) == AS_OF
    counts = {(r.conversation, r.band): r.count for r in underway(store, AS_OF)}
    assert counts == {
        ("Conversation 1", "0–7 days"): 2,
        ("Conversation 1", "8–14 days"): 1,
        ("Conversation 1", "15–28 days"): 1,
        ("Conversation 1", "29–56 days"): 3,
        ("Conversation 1", "over 56 days"): 1,
        ("Conversation 2", "0–7 days"): 1,
        ("Conversation 2", "8–14 days"): 0,
        ("Conversation 2", "15–28 days"): 0,
        ("Conversation 2", "29–56 days"): 0,
        ("Conversation 2", "over 56 days"): 0,
        ("Usual practice", "0–7 days"): 0,
        ("Usual practice", "8–14 days"): 0,
        ("Usual practice", "15–28 days"): 1,
        ("Usual practice", "29–56 days"): 0,
        ("Usual practice", "over 56 days"): 0,
    }
    south_only = underway(store, AS_OF, Selection(sites=("South",)))
    assert south_only == []


def test_note_when_older_conversation_1s_grow_week_on_week(store: Store) -> None:
    # On 30 June, Conversation 1s older than 28 days: started 30 to 40 days before (5).
    # On 23 June: started more than 35 days before 30 June and still open then (36, 40: 2).
    rows = [
        started(30),
        started(31),
        started(33),
        started(36),
        started(40),
        started(45, ended_on=AS_OF - timedelta(days=10), conversation_id="ended-20-june"),
        started(29, 2),  # a Conversation 2 never counts
    ]
    import_files(store, [("c.csv", csv_bytes(rows))], as_of=AS_OF)
    older = older_first_conversations(store, AS_OF)
    assert (older.now, older.week_before) == (5, 2)
    assert older.growing
    assert older_note(older) is not None
    assert older_note(older).startswith(  # type: ignore[union-attr]
        "Conversation 1s underway for more than 28 days rose from 2 on 23/06/2024 to 5 on "
        "30/06/2024."
    )
    earlier = older_first_conversations(store, AS_OF - timedelta(days=7))
    assert (earlier.now, earlier.week_before) == (2, 1)  # the one ended 20 June still open 16th
    later = older_first_conversations(store, AS_OF + timedelta(days=60))
    assert later.now == 5 and not later.growing and older_note(later) is None


def test_time_to_complete_median_and_90th_percentile_are_quantile_cont(store: Store) -> None:
    rows = [
        started(100, conversation_id=f"T{d}", ended_on=AS_OF - timedelta(days=100 - d))
        for d in (2, 4, 10, 12)
    ] + [started(5, conversation_id="open")]
    import_files(store, [("t.csv", csv_bytes(rows))], as_of=AS_OF)
    (only,) = time_to_complete(store)
    assert only.group == {"conversation": "Conversation 1"}
    assert only.count == 4
    assert only.median_days == 7.0  # halfway between 4 and 10 (quantile_disc would say 4)
    assert only.p90_days == pytest.approx(11.4)  # 10 + 0.7 × (12 − 10); quantile_disc: 12


def test_waiting_time_is_from_request_to_the_first_conversation(store: Store) -> None:
    rows = []
    for i, wait in enumerate((0, 1, 3, 9, 20)):
        begin = date(2024, 3, 1) + timedelta(days=i)
        rows.append(
            conversation(
                conversation_id=f"A{i}", person_id=f"P{i}", site="North", approach="3Cs",
                conversation=1, request_type="new", request_id=f"R{i}",
                requested_on=begin - timedelta(days=wait), started_on=begin,
                ended_on=begin + timedelta(days=5),
            )
        )  # fmt: skip
        rows.append(
            conversation(
                conversation_id=f"B{i}", person_id=f"P{i}", site="North", approach="3Cs",
                conversation=2, request_type="new", request_id=f"R{i}",
                requested_on=begin - timedelta(days=300), started_on=begin + timedelta(days=6),
            )
        )  # fmt: skip
    rows.append(
        conversation(
            conversation_id="X", person_id="PX", site="North", approach="3Cs", conversation=1,
            request_type="new", requested_on=date(2024, 4, 9), started_on=date(2024, 4, 1),
        )  # requested after it started: left out
    )  # fmt: skip
    import_files(store, [("w.csv", csv_bytes(rows))], as_of=AS_OF)
    (wait,) = waiting_time(store)
    assert (wait.count, wait.median_days) == (5, 3.0)
    assert wait.p90_days == pytest.approx(15.6)  # 9 + 0.6 × (20 − 9)


def test_hand_offs_share_of_requests_with_more_than_one_worker(store: Store) -> None:
    def row(cid: str, request: str, worker: str, number: int) -> dict[str, object]:
        return conversation(
            conversation_id=cid, person_id=f"P{request}", site="North", approach="3Cs",
            conversation=number, request_type="new", request_id=request,
            started_on=date(2024, 5, number), worker_id=worker,
        )  # fmt: skip

    rows = [
        row("1a", "R1", "alice", 1),
        row("1b", "R1", "alice", 2),  # same worker twice: not a hand-off
        row("2a", "R2", "alice", 1),
        row("2b", "R2", "bob", 2),  # a hand-off
        row("3a", "R3", "", 1),  # no worker recorded: says nothing either way
        row("4a", "R4", "carol", 1),
        row("4b", "R4", "dan", 2),
        row("4c", "R4", "carol", 3),  # a hand-off
    ]
    import_files(store, [("h.csv", csv_bytes(rows))], as_of=AS_OF)
    (result,) = hand_offs(store)
    assert (result.requests_with_worker, result.more_than_one_worker) == (3, 2)
    assert result.share == pytest.approx(200 / 3)


def test_activity_report_defaults_to_the_data_as_of_date(
    store: Store, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    rows = [started(30), started(31), started(2), started(3, 2)]
    rows.append(
        started(
            20,
            conversation_id="LT",
            request_type="new",
            ended_on=date(2024, 6, 19),  # a Wednesday
            long_term_support="yes",
        )
    )
    import_files(store, [("c.csv", csv_bytes(rows))], as_of=AS_OF)
    store.close()
    assert main(["report", "activity", "--db", str(db_path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_of"] == "2024-06-30"
    underway_now = {(r["conversation"], r["band"]): r["count"] for r in report["underway"]}
    assert underway_now[("Conversation 1", "29–56 days")] == 2
    assert underway_now[("Conversation 1", "0–7 days")] == 1
    assert report["older_conversation_1s"] == {
        "now": 2,
        "week_before": 0,
        "growing": True,
        "note": report["older_conversation_1s"]["note"],
    }
    assert report["weekly_long_term"] == [
        {"week": "2024-06-17", "long_term": 1, "rolling_mean": None}
    ]
    assert report["hand_offs"][0]["requests_with_worker"] == 0

    assert main(["report", "activity", "--db", str(db_path), "--as-of", "2024-06-01"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("Activity on 01/06/2024")
    assert "Conversation 1" in table
    assert main(["report", "activity", "--db", str(db_path), "--by", "ward"]) == 2
    assert (
        main(["report", "activity", "--db", str(db_path), "--part", "underway", "--format", "csv"])
        == 0
    )
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert lines[0].startswith(
        "part,site,approach,area,cohort,request_type,conversation,band,count"
    )
    assert lines[1].startswith("underway,,,,,,Conversation 1,0–7 days,1")
