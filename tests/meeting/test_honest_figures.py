"""The meeting's figures say what they mean: Harrow's tables by cohort, rates not known yet,
the latest staff pulse, changes coloured only when real and good or bad news for people."""

from __future__ import annotations

import io
import random
from contextlib import redirect_stderr, redirect_stdout
from datetime import date, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader

from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.meeting import summary as meeting
from evaluation.meeting.model import Figure, Period
from evaluation.store.connection import Store
from tests.fixtures.harrow import import_harrow
from tests.measures.test_conversion import conversation, csv_bytes
from tests.meeting.test_meeting import STAFF_COLUMNS, _csv

NOW = datetime(2020, 12, 2, 9, 0)


def test_the_meeting_follows_harrows_cohorts(store: Store) -> None:
    import_harrow(store)
    summary = meeting.summarise(store, today=date(2020, 12, 2), now=NOW)
    harrow = summary.section("money").tables[0]
    assert harrow.columns == [
        "",
        "three conversations · covid",
        "three conversations · non-covid",
        "usual practice · covid",
    ]
    rows = {row[0]: row[1:] for row in harrow.rows}
    assert rows["Conversations"] == ["88", "414", "80"]  # Tables 1a and 1b side by side
    assert rows["Average change in level of care per person"] == ["-£24", "+£11", "+£74"]
    commands = summary.section("money").commands
    assert any("cost-change --by approach,cohort --to" in c for c in commands)
    # asked for by approach only, the table has one column per approach
    plain = meeting.summarise(store, today=date(2020, 12, 2), now=NOW, by=["approach"])
    assert plain.section("money").tables[0].columns == [
        "",
        "three conversations",
        "usual practice",
    ]


def test_pack_by_approach_and_cohort(store: Store, db_path: Path, tmp_path: Path) -> None:
    import_harrow(store)
    store.close()
    out = tmp_path / "pack.pdf"
    args = ["pack", "--db", str(db_path), "--by", "approach,cohort", "--out", str(out)]
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(args) == 0
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "three conversations · non-covid" in text
    assert "Conversations 88 414 80" in text
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        try:
            main(["pack", "--db", str(db_path), "--by", "ward", "--out", str(out)])
        except SystemExit as refused:
            assert refused.code == 2
    assert "can't group by ward" in err.getvalue()


def test_a_rate_of_nothing_is_not_known_yet(store: Store) -> None:
    rows = [
        conversation(
            conversation_id=f"N{n}", person_id=f"P{n}", site="S", approach="3Cs",
            conversation=1, request_type="new", started_on=date(2025, 3, 5) + timedelta(n % 9),
        )
        for n in range(57)
    ]  # fmt: skip
    import_files(store, [("open.csv", csv_bytes(rows))], as_of=date(2025, 3, 31))
    summary = meeting.summarise(store, period=Period(date(2025, 3, 4), date(2025, 3, 31)))
    money = {f.label: f for f in summary.section("money").figures}
    conversion = money["New requests that led to long-term support"]
    assert conversion.value == "not known yet"
    assert conversion.base == "0 of 57 new requests (not known yet: 57 of 57 still underway)"
    assert "0.00%" not in repr(summary.section("money").figures)
    cost = money["Average change in weekly cost of care per person"]
    assert cost.value == "not known yet"


def test_staff_shows_the_latest_pulse_and_its_dates_when_the_period_has_none(
    store: Store, rng: random.Random
) -> None:
    rows = [
        {
            "response_id": f"R{i}", "site": "North", "responded_on": "15/01/2025",
            "approach": "three conversations", "motivation": 4, "satisfaction": 4,
            "making_a_difference": 4, "workload_manageable": 3, "time_with_people_pct": 55,
        }
        for i in range(7)
    ]  # fmt: skip
    import_files(store, [("staff.csv", _csv(STAFF_COLUMNS, rows, rng))], as_of=date(2025, 3, 31))
    summary = meeting.summarise(store, period=Period(date(2025, 3, 4), date(2025, 3, 31)))
    staff = {f.label: f for f in summary.section("staff").figures}
    time = staff["Time with people (mean %)"]
    assert time.value == "55.0%"
    assert time.base.startswith("latest pulse, ")
    assert "19/01/2025 (none in this period); of 7 who answered" in time.base
    assert time.change == "" and time.tone == ""
    assert "none none none" not in repr(summary.section("staff"))


def test_a_change_is_coloured_only_beyond_rounding_and_only_for_people() -> None:
    within = Figure("Treated well: yes", "70.0%", change="no change", number=70.02,
                    previous_number=70.0)  # fmt: skip
    assert within.tone == "" and "No change since the previous period" in within.lines("x")
    worse = Figure("Treated well: yes", "60.0%", change="-10.0 points", number=60.0,
                   previous_number=70.0)  # fmt: skip
    assert worse.tone == "worse" and "Worse than the previous period" in worse.lines("x")
    wait = Figure("Median wait", "2 days", change="-2.0 days", better="down", number=2.0,
                  previous_number=4.0)  # fmt: skip
    assert wait.tone == "better"
    cost = Figure("Average change", "-£16", change="+£14 a week", better="", number=-16.0,
                  previous_number=-30.0)  # fmt: skip
    assert cost.tone == ""  # a cost is neither better nor worse for people


def test_a_money_change_within_the_pound_shown_is_no_change() -> None:
    from decimal import Decimal

    from evaluation.meeting.money import _moved

    assert _moved(Decimal("-15.83"), Decimal("-15.90")) == "no change"  # "+£0.07 a week"
    assert _moved(Decimal("-15.83"), Decimal("-30.00")) == "+£14 a week"
    assert _moved(None, Decimal("-30.00")) == ""
