"""AppTest of People and families, Stories of difference and Staff experience.

The figures come from the hand-built data of tests/test_feedback.py and tests/test_staff.py,
imported through the real import; each test reads what a person would read.
"""

from __future__ import annotations

import random

import pytest

from evaluation.ingest.importer import import_files
from evaluation.store.connection import Store
from tests.measures.test_feedback import (
    FEEDBACK_COLUMNS,
    MARKUP,
    UNCONSENTED,
    UNSHARED,
    feedback_rows,
    load_feedback,
    to_csv_bytes,
)
from tests.measures.test_staff import UNCONSENTED_STAFF, load_staff
from tests.pages.test_language import visible_text

MARKUP_PIECES = ("**bold**", "<img src=x>", "[link](javascript:alert(1))")


def _row(table, **where):  # type: ignore[no-untyped-def]
    found = table
    for column, value in where.items():
        found = found[found[column] == value]
    assert len(found) == 1, where
    return found.iloc[0]


def _all_text(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(text for _, text in visible_text(at))


def _markdown_text(at) -> str:  # type: ignore[no-untyped-def]
    """Everything shown through an element that renders Markdown or HTML."""
    kinds = {"markdown", "caption", "title", "header", "subheader", "alert", "html"}
    return "\n".join(text for kind, text in visible_text(at) if kind in kinds)


@pytest.fixture
def feedback_store(store: Store, rng: random.Random) -> Store:
    load_feedback(store, rng)
    return store


def test_people_page_headline_figures_with_their_counts(feedback_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/people.py")
    assert at.title[0].value == "People and families"
    metrics = {m.label: m.value for m in at.metric}
    # the headline adds up the groups on show, and says that it left East's 4 out
    assert metrics["Responses"] == "24"
    assert metrics["Treated well: yes"] == "58.3%"
    assert metrics["Helped: yes"] == "63.6%"
    assert metrics["Mean satisfaction (1–5)"] == "3.46"
    captions = [c.value for c in at.caption]
    # helped: two left it blank
    assert "of 22 who answered (all shown groups; 1 group of fewer than 5 left out)" in captions

    compact, table = at.dataframe[0].value, at.dataframe[1].value
    assert list(compact.columns) == [
        "Site", "Approach", "Responses", "Treated well: yes", "Helped: yes", "Listened to: yes",
        "Mean satisfaction (1–5)", "Left out",
    ]  # fmt: skip
    assert _row(compact, Site="North")["Helped: yes"] == "75.0%"
    north = _row(table, Site="North")
    assert north["Responses"] == "10"
    assert (north["Treated well: yes"], north["Treated well: partly"]) == ("70.0%", "20.0%")
    assert (north["Helped: yes"], north["Helped: answered"]) == ("75.0%", "8")
    assert north["Mean satisfaction (1–5)"] == "3.90"
    east = _row(table, Site="East")
    assert east["Responses"] == "fewer than 5" and east["Treated well: yes"] == "hidden"
    # South has 6 responses: shown beside East, not hidden with it
    assert _row(table, Site="South")["Responses"] == "6"
    total = _row(table, Site="All shown")
    assert (total["Responses"], total["Left out"]) == ("24", "1 group of fewer than 5")
    # The chart's text alternative gives the same figures with their bases.
    assert any(
        "North, three conversations: 70.0% yes of 10 who answered" in t.value for t in at.text
    )


def test_the_small_group_is_hidden_everywhere_on_the_page(feedback_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/people.py")
    text = _all_text(at)
    assert "1.25" not in text  # East's mean satisfaction
    at.selectbox(key="people_site").set_value("East").run()
    trend = at.dataframe[3].value
    assert set(trend["Responses"]) == {"fewer than 5"}
    assert "1.25" not in _all_text(at)


def test_comparison_with_usual_practice(feedback_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/people.py")
    compared = at.dataframe[2].value
    three = _row(compared, Approach="three conversations")
    assert (three["Treated well: yes"], three["Responses"]) == ("62.5%", "16")
    assert three["Left out"] == "1 group of fewer than 5"
    assert _row(compared, Approach="usual practice")["Treated well: yes"] == "50.0%"
    assert _row(compared, Approach="usual practice")["Responses"] == "8"


def test_without_usual_practice_feedback_the_page_says_so(store: Store, app_test, rng) -> None:  # type: ignore[no-untyped-def]
    rows = [r for r in feedback_rows() if r["approach"] != "usual practice"]
    import_files(store, [("f.csv", to_csv_bytes(FEEDBACK_COLUMNS, rows, rng))])
    at = app_test("pages/people.py")
    assert any("No feedback about usual practice in this period" in i.value for i in at.info)


def test_trend_by_month_for_one_site(feedback_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/people.py")
    at.selectbox(key="people_site").set_value("North").run()
    trend = at.dataframe[3].value
    assert list(trend["Month"]) == ["Jan 2025", "Feb 2025"]
    assert set(trend["Approach"]) == {"three conversations"}
    assert list(trend["Responses"]) == ["5", "5"]
    assert list(trend["Treated well: yes"]) == ["80.0%", "60.0%"]


def test_comments_consent_only_and_markup_shown_literally(feedback_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/people.py")
    texts = [t.value for t in at.text]
    assert MARKUP in texts
    everything = _all_text(at)
    assert UNCONSENTED not in everything and "Also unconsented" not in everything
    shown_as_markdown = _markdown_text(at)
    assert not any(piece in shown_as_markdown for piece in MARKUP_PIECES)
    assert [t.label for t in at.tabs][-2:] == ["What worked (2)", "What didn't work (1)"]


def test_comment_filters_site_month_and_search(feedback_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/people.py")
    at.selectbox(key="comment_site").set_value("Central").run()
    texts = [t.value for t in at.text]
    assert "Kind, and quick to call back" in texts and MARKUP not in texts
    at.text_input(key="comment_search").input("100%").run()
    assert [t.label for t in at.tabs][-2:] == ["What worked (0)", "What didn't work (1)"]
    at.selectbox(key="comment_site").set_value("All sites").run()
    at.text_input(key="comment_search").input("").run()
    at.selectbox(key="comment_month").set_value("2025-02").run()
    assert [t.label for t in at.tabs][-2:] == ["What worked (0)", "What didn't work (0)"]


def test_people_page_on_an_empty_store(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/people.py")
    assert "no feedback from people and families yet" in at.info[0].value


def test_stories_consent_only_filters_and_literal_text(feedback_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/stories.py")
    assert at.title[0].value == "Stories of difference"
    texts = [t.value for t in at.text]
    assert texts[:3] == [
        "A *carer* who could rest",
        "South · Conversation 2 · told 05/02/2025",
        f"Her son said: {MARKUP}",
    ]
    assert "Back to the allotment" in texts
    assert UNSHARED not in _all_text(at) and "Not for sharing" not in _all_text(at)
    assert not any(piece in _markdown_text(at) for piece in MARKUP_PIECES)
    assert any("Print" in c.value for c in at.caption)
    at.selectbox(key="story_site").set_value("North").run()
    assert at.text[0].value == "Back to the allotment"
    at.selectbox(key="story_conversation").set_value(3).run()
    assert at.info[0].value == "No stories shared with consent match these choices."


@pytest.fixture
def staff_store(store: Store, rng: random.Random) -> Store:
    load_staff(store, rng)
    return store


def test_staff_page_figures_small_group_and_time(staff_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/staff.py")
    assert at.title[0].value == "Staff experience"
    table = at.dataframe[1].value
    north = _row(table, Site="North")
    assert north["Responses"] == "12"
    assert north["Motivation (mean, 1–5)"] == "4.17"
    assert north["Time with people (mean %)"] == "60.1%"
    assert north["Forms and systems (mean %)"] == "39.9%"
    assert _row(table, Site="South")["Responses"] == "fewer than 5"
    assert _row(table, Site="West")["Responses"] == "7"
    texts = [t.value for t in at.text]
    assert any(
        "North, three conversations: 60.1% with people, 39.9% on forms and systems "
        "(12 responses)" in t
        for t in texts
    )
    everything = _all_text(at)
    assert "11.3" not in everything and "11.25" not in everything  # South's time with people


def test_staff_item_over_time_and_comments(staff_store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/staff.py")
    at.selectbox(key="staff_item").set_value("making_a_difference").run()
    at.selectbox(key="staff_site").set_value("North").run()
    said = [t.value for t in at.text if t.value.startswith("Making a difference")]
    assert said == [
        "Making a difference, mean — North, Jan 2025: 4.67 from 6 responses; "
        "North, Feb 2025: 4.33 from 6 responses."
    ]
    texts = [t.value for t in at.text]
    assert MARKUP in texts
    assert UNCONSENTED_STAFF not in _all_text(at)
    assert not any(piece in _markdown_text(at) for piece in MARKUP_PIECES)


@pytest.mark.parametrize(
    ("page", "measure", "key"),
    [
        ("pages/people.py", "feedback_measures", "people_from"),
        ("pages/staff.py", "staff_measures", "staff_from"),
    ],
)
def test_a_link_with_a_period_counts_only_its_responses(
    store: Store, rng: random.Random, app_test, page: str, measure: str, key: str
) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from evaluation.measures import feedback, staff

    load_feedback(store, rng)
    load_staff(store, rng)
    start, end = date(2025, 2, 1), date(2025, 2, 28)
    function = getattr(feedback if measure.startswith("feedback") else staff, measure)
    everything = function(store, ["approach"]).total["responses"]
    in_february = function(store, ["approach"], start=start, end=end).total["responses"]
    assert 0 < in_february < everything
    at = app_test(page, query={"from": start.isoformat(), "to": end.isoformat()})
    assert at.date_input(key=key).value == start
    assert {m.label: m.value for m in at.metric}["Responses"] == str(in_february)
    at.date_input(key=key).set_value(None).run()
    assert {m.label: m.value for m in at.metric}["Responses"] == str(everything)
