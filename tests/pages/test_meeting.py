"""AppTest of the Making it Happen page, on the data of tests/test_meeting.py.

Each test reads what a director would read off the projector: the big figures, their change
and usual practice, what needs attention, the links to each evidence page, the story.
"""

from __future__ import annotations

import json
import random
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qs

import pytest

from evaluation.ingest.importer import import_files
from evaluation.store import batches
from evaluation.store.connection import Store
from tests.meeting.test_meeting import SHARED_STORY, SHARED_TITLE, UNSHARED, load_meeting_data
from tests.pages.test_language import visible_text

PAGE = "pages/meeting.py"


@pytest.fixture
def loaded(store: Store) -> Store:
    load_meeting_data(store, random.Random(1234))
    return store


TITLES = {
    "people": "People and families",
    "staff": "Staff experience",
    "money": "Money and resources",
    "conversations": "Conversations",
}


def _show(at, section: str):  # type: ignore[no-untyped-def]
    """Choose one section below the headlines (as a director clicks it) and run."""
    at.segmented_control(key="meeting_section").set_value(TITLES[section]).run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {m.label: (m.value, m.proto.delta) for m in at.metric}


class _Tables(HTMLParser):
    """The meeting's tables (HTML of escaped text) back as rows of cells, headings first."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _tables(at) -> list[list[dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Every meeting table as a list of rows keyed by heading."""
    parser = _Tables()
    for element in at.html:
        if 'class="meeting"' in element.value:
            parser.feed(element.value)
    return [[dict(zip(rows[0], row, strict=True)) for row in rows[1:]] for rows in parser.tables]


def _texts(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(t.value for t in at.text)


def test_headline_figures_with_change_and_usual_practice(loaded: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test(PAGE)
    assert at.title[0].value == "Making it Happen"
    metrics = _metrics(at)
    assert metrics["Treated well: yes"] == ("75.0%", "-15.0 points")
    assert metrics["Time with people (mean %)"] == ("60.0%", "+10.0 points")
    assert metrics["Conversation 1s underway for more than 28 days"] == ("5", "+3")
    money = _metrics(_show(at, "money"))
    assert money["New requests that led to long-term support"] == ("20.00%", "-20.00 points")
    assert money["Average change in weekly cost of care per person"][0] == "-£16"
    _show(at, "people")
    # colour-blind-safe: orange for worse for people, blue for better, grey for neither
    from streamlit.proto.Metric_pb2 import Metric

    colours = {m.label: m.proto.color for m in at.metric}
    assert colours["Treated well: yes"] == Metric.MetricColor.ORANGE
    assert colours["Time with people (mean %)"] == Metric.MetricColor.BLUE
    assert colours["Conversation 1s underway for more than 28 days"] == Metric.MetricColor.ORANGE
    assert "Worse than the previous period" in _texts(at)
    texts = _texts(at)
    # survey figures compare whole weeks, and the line names them
    assert (
        "Previous period (27/01/2025 to 02/03/2025): 90.0%\nWorse than the previous period\n"
        "Usual practice: 50.0%"
    ) in texts
    assert "Period: 04/03/2025 to 31/03/2025, compared with 04/02/2025 to 03/03/2025" in texts
    # The period chosen by default is written to the address, so the view can be shared.
    assert at.query_params["from"] == "2025-03-04" and at.query_params["to"] == "2025-03-31"


def test_what_needs_attention(loaded: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test(PAGE)
    warnings = [w.value for w in at.warning]
    assert "The Conversation 1 bulge is growing" in warnings
    assert "Feedback from people and families is falling" in warnings
    assert "Many cost-change results are still provisional" in warnings
    assert "The data may be out of date" in warnings  # the extract is from March 2025
    assert "rose from 2 on 24/03/2025 to 5 on 31/03/2025" in _texts(at)


def test_small_group_hidden_and_story_consented_and_literal(loaded: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = _show(app_test(PAGE), "people")
    table = _tables(at)[0]
    east = next(row for row in table if row["Site"] == "East")
    assert east["Responses"] == "fewer than 5" and east["Treated well: yes"] == "hidden"
    shown = "\n".join(text for _, text in visible_text(at))
    assert "1.25" not in shown and "25.0%" not in shown
    assert SHARED_TITLE in _texts(at) and SHARED_STORY in _texts(at)
    assert UNSHARED not in shown
    rendered = {"markdown", "caption", "title", "header", "subheader", "alert", "html"}
    assert not [t for kind, t in visible_text(at) if kind in rendered and "<b>" in t]


def test_site_from_the_address_and_links_keep_the_filters(loaded: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test(PAGE, query={"site": "North", "from": "2025-03-04", "to": "2025-03-31"})
    assert at.multiselect(key="meeting_sites").value == ["North"]
    metrics = _metrics(at)
    assert metrics["Treated well: yes"][0] == "60.0%"
    links = {}
    for section in ("people", "staff", "money", "conversations"):
        _show(at, section)
        if section == "people":
            assert "Usual practice, all sites: 50.0%" in _texts(at)
        links |= {
            link.proto.page: parse_qs(link.proto.query_string) for link in at.get("page_link")
        }
    assert links["money"] == {"site": ["North"], "from": ["2025-03-04"], "to": ["2025-03-31"]}
    assert links["cost_change"] == {"site": ["North"], "to": ["2025-03-31"]}
    assert links["conversations"]["as_of"] == ["2025-03-31"]
    assert "people" in links and "staff" in links and "stories" in links


def test_choosing_a_period_and_the_pack_button(loaded: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test(PAGE)
    at.date_input(key="meeting_from").set_value("2025-02-04")
    at.date_input(key="meeting_to").set_value("2025-03-03").run()
    assert not at.exception
    assert _metrics(at)["Treated well: yes"][0] == "90.0%"
    assert at.query_params["from"] == "2025-02-04"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the meeting pack (PDF)"]
    at.date_input(key="meeting_to").set_value("2025-01-01").run()
    assert "Choose a period whose end is on or after its start." in [w.value for w in at.warning]


def test_empty_store_points_to_upload(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test(PAGE)
    assert "There is nothing in the store yet" in at.info[0].value
    assert not at.metric


def test_a_site_name_with_markup_stays_text(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    hostile = "**Hill** <img src=x> [team](javascript:alert(1))"
    rows = "\r\n".join(
        ["feedback_id,site,received_on,treated_well,satisfaction"]
        + [f'F{i},"{hostile}",10/03/2025,yes,4' for i in range(6)]
    )
    import_files(store, [("feedback.csv", rows.encode())], as_of=date(2025, 3, 31))
    at = app_test(PAGE, query={"site": hostile})
    assert at.multiselect(key="meeting_sites").value == [hostile]
    assert f"Sites: {hostile}" in _texts(at)
    _show(at, "people")
    assert hostile in [row["Site"] for row in _tables(at)[0]]  # read back as the same text
    html = "\n".join(element.value for element in at.html)
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html  # escaped, never markup
    rendered = {"markdown", "caption", "title", "header", "subheader", "alert"}
    assert not [t for kind, t in visible_text(at) if kind in rendered and "Hill" in t]


def test_a_rerun_reuses_the_figures_until_the_data_changes(loaded: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    """A second person (or a rerun) costs a lookup; an undo shows at the next run."""
    from evaluation.store.figures import FIGURES

    at = app_test(PAGE)
    assert _metrics(at)["Treated well: yes"][0] == "75.0%"
    computed = FIGURES.computed
    at.run()
    assert not at.exception
    assert FIGURES.computed == computed
    assert _metrics(at)["Treated well: yes"][0] == "75.0%"

    feedback = [b["batch_id"] for b in batches.log(loaded) if b["kind"] == "feedback"]
    for batch in feedback:
        batches.undo(loaded, batch, by="test")
    at.run()
    assert not at.exception
    assert FIGURES.computed > computed
    assert _metrics(at)["Treated well: yes"][0] == "none"  # no feedback left


def test_the_first_screen_answers_then_one_section_at_a_time(loaded: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    """Before any table: a headline per type of evidence, each with its change, usual
    practice, interval and sentence; below, a choice of section (what needs attention first),
    and only the chosen one is drawn."""
    at = app_test(PAGE)
    first = [(m.label, m.value, m.proto.delta) for m in at.metric[:4]]
    assert first == [
        ("Treated well: yes", "75.0%", "-15.0 points"),
        ("Time with people (mean %)", "60.0%", "+10.0 points"),
        ("Difference from usual practice (average a week)", "-£33", ""),
        ("Conversation 1s underway for more than 28 days", "5", "+3"),
    ]
    texts = [t.value for t in at.text]
    assert texts[0] == (
        "Usual practice: 50.0%\n95% interval 50.5% to 89.8%\n75.0% of people and families "
        "who answered said they were treated well: down 15.0 points on the previous period."
    )
    assert "Sites: All sites. Period: 04/03/2025 to 31/03/2025" in texts[4]
    choice = at.segmented_control(key="meeting_section")
    assert choice.options == [
        "What needs attention (4)",
        "People and families",
        "Staff experience",
        "Money and resources",
        "Conversations",
    ]
    assert choice.value == "What needs attention (4)" and not at.tabs
    assert [h.value for h in at.header] == ["What needs attention"]
    assert not _tables(at) and not at.get("page_link")  # the sections wait to be chosen
    _show(at, "money")
    assert [h.value for h in at.header] == ["Money and resources"]
    # its chart is the spec kept with the figures, lettered for the projector (large text is
    # on by default), its text alternative the chart in words
    (chart,) = at.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["config"]["axis"]["labelFontSize"] == 18 and spec["mark"]["type"] == "bar"
    assert chart.proto.alt and chart.proto.alt in _texts(at).split("\n")  # the chart in words
    assert "The Conversation 1 bulge is growing" not in [w.value for w in at.warning]
    assert at.toggle(key="meeting_large").label == "Large text"
