"""The differencing attack (issue 20 item 7): two views one day apart can't isolate a day.

Riverside has 20 responses a week. On Tuesday 4 March 2025 two people answered "no" to
everything. Without whole weeks, the view from 4 March minus the view from 5 March would be
exactly those two people's answers, though each view shows only groups of 5 or more. Survey
periods snap to whole weeks (Monday to Sunday), so both views are the same view. Two views a
week apart still differ by a week's responses: the risk the README states.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.measures.feedback import feedback_measures
from evaluation.store.connection import Store
from tests.harness import TEST_KEY
from tests.measures.test_feedback import FEEDBACK_COLUMNS, to_csv_bytes

MONDAY = date(2025, 3, 3)
TUESDAY = MONDAY + timedelta(days=1)


def rows() -> list[dict[str, str]]:
    found = []
    for week in range(4):
        for n in range(20):
            day = MONDAY + timedelta(days=7 * week + n % 7)
            lonely = day == TUESDAY and n < 9 and len([r for r in found if r["_t"]]) < 2
            answer = "no" if lonely else "yes"
            found.append(
                {
                    "_t": lonely,
                    "feedback_id": f"F{week}-{n}",
                    "site": "Riverside",
                    "received_on": day.strftime("%d/%m/%Y"),
                    "conversation_id": "",
                    "approach": "three conversations",
                    "method": "phone interview",
                    "treated_well": answer,
                    "helped": answer,
                    "listened_to": answer,
                    "satisfaction": "1" if lonely else "5",
                    "what_worked": "",
                    "what_didnt_work": "",
                    "consent_to_quote": "no",
                }
            )
    assert sum(r["_t"] for r in found) == 2
    for row in found:
        del row["_t"]
    return found


@pytest.fixture
def loaded(store: Store, rng) -> Store:  # type: ignore[no-untyped-def]
    data = to_csv_bytes(FEEDBACK_COLUMNS, rows(), rng)
    import_files(store, [("feedback.csv", data)], as_of=date(2025, 4, 1))
    return store


def test_two_views_a_day_apart_are_the_same_view(loaded: Store) -> None:
    end = date(2025, 3, 28)
    from_tuesday = feedback_measures(loaded, ["site"], start=TUESDAY, end=end)
    from_wednesday = feedback_measures(loaded, ["site"], start=TUESDAY + timedelta(1), end=end)
    assert from_tuesday.start == from_wednesday.start == MONDAY
    assert from_tuesday.to_json() == from_wednesday.to_json()
    # the attack's arithmetic gives nothing: the difference is zero in every count
    a, b = from_tuesday.total, from_wednesday.total
    assert a["responses"] - b["responses"] == 0
    assert a["satisfaction_mean"] == b["satisfaction_mean"]
    # ends snap too: to the Sunday
    assert from_tuesday.end == date(2025, 3, 30)
    to_friday = feedback_measures(loaded, ["site"], start=MONDAY, end=date(2025, 3, 28))
    to_thursday = feedback_measures(loaded, ["site"], start=MONDAY, end=date(2025, 3, 27))
    assert to_friday.to_json() == to_thursday.to_json()


def test_views_a_week_apart_differ_by_a_whole_week(loaded: Store) -> None:
    whole = feedback_measures(loaded, ["site"], start=MONDAY, end=date(2025, 3, 30))
    later = feedback_measures(loaded, ["site"], start=MONDAY + timedelta(7), end=date(2025, 3, 30))
    assert whole.total["responses"] - later.total["responses"] == 20  # a week, not a day


def test_the_attack_through_the_command_line(
    loaded: Store, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    loaded.close()
    outputs = []
    for start in ("2025-03-04", "2025-03-05"):
        argv = ["report", "feedback", "--db", str(db_path), "--from", start, "--to", "2025-03-28"]
        assert main([*argv, "--format", "json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert outputs[0]["from"] == "2025-03-03" and outputs[0]["to"] == "2025-03-30"
