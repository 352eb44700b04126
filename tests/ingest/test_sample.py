"""The sample council: deterministic, varied stories, and current on a newcomer's first look."""

from __future__ import annotations

from datetime import date, timedelta

from evaluation.ingest import sample
from evaluation.ingest.sample_loader import load_sample, weeks_to
from evaluation.meeting.summary import summarise
from evaluation.store import query
from evaluation.store.connection import Store

TODAY = date(2026, 12, 1)


def test_the_sample_moves_by_whole_weeks_to_the_week_before_today(store: Store) -> None:
    days = weeks_to(TODAY)
    assert days % 7 == 0 and 0 <= (TODAY - (sample.AS_OF + timedelta(days=days))).days < 7
    load_sample(store, today=TODAY)
    first, last = query.one(store, "SELECT min(started_on), max(started_on) FROM conversations")
    assert first == sample.START + timedelta(days=days)
    assert last <= TODAY and (TODAY - last).days < 14
    logged = query.column(store, "SELECT DISTINCT as_of FROM import_log")
    assert logged == [sample.AS_OF + timedelta(days=days)]
    weekdays = query.column(
        store, "SELECT DISTINCT dayofweek(received_on) FROM feedback ORDER BY 1"
    )
    assert len(weekdays) == 7  # nothing collapses: every date moved by the same whole weeks


def test_a_newcomers_first_meeting_page_is_current(store: Store) -> None:
    load_sample(store, today=TODAY)
    summary = summarise(store, today=TODAY)
    assert not [a for a in summary.attention if a.section == "data"]
    assert summary.as_of == sample.AS_OF + timedelta(days=weeks_to(TODAY))


def test_without_today_the_committed_files_load_as_they_are(store: Store) -> None:
    load_sample(store)
    assert query.scalar(store, "SELECT max(as_of) FROM import_log") == sample.AS_OF
    assert query.scalar(store, "SELECT min(started_on) FROM conversations") == sample.START


def test_every_story_fits_its_title() -> None:
    stories = sample.generate()["stories"]
    texts = {row["Title"]: row["Story"] for row in stories}
    assert len(texts) == len(sample.STORY_TITLES)  # every title is told
    assert len({text.split(" ", 2)[2] for text in texts.values()}) == len(texts)  # all differ
    keys = {"allotment": "allotment", "Sleeping": "night", "carer": "afternoon", "hospital": "hospital",
            "Cooking": "cook", "market": "market"}  # fmt: skip
    for title, text in texts.items():
        word = next(v for k, v in keys.items() if k in title)
        assert word in text.lower(), (title, text)
