"""The blocks of the Making it Happen page: a headline figure, a section, the story.

Big, legible figures for a projector are our own fixed style, with no user text in it.
Site names and the story are free text: they reach the screen only through widgets,
``st.text`` and ``st.dataframe``.
"""

from __future__ import annotations

from html import escape
from typing import Any

import streamlit as st

from evaluation.meeting.model import Figure, Headline, Section, Table
from evaluation.meeting.summary import MeetingSummary
from evaluation.present.charts import for_projector
from evaluation.present.stories import heading

TABLE_STYLE = """
<style>
table.meeting { border-collapse: collapse; width: 100%; font-size: 1rem; }
table.meeting caption { caption-side: bottom; text-align: left; padding-top: 0.4rem;
  color: #55585c; font-size: 0.9em; }
table.meeting th, table.meeting td { padding: 0.35rem 0.7rem; text-align: right;
  border-bottom: 1px solid rgba(49, 51, 63, 0.15); white-space: normal; font-weight: normal; }
table.meeting .label { text-align: left; }
table.meeting thead th { border-bottom: 2px solid rgba(49, 51, 63, 0.35); font-weight: 600; }
</style>
"""
# A projector in a meeting room: body text, figures, tables and labels all larger together
# (tables at 20 px, chart axes at 18 px; the charts themselves through present.charts).
PROJECTOR_STYLE = """
<style>
[data-testid="stMainBlockContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stText"],
[data-testid="stMainBlockContainer"] li { font-size: 1.3rem; }
[data-testid="stMetricValue"] p { font-size: 3.4rem; line-height: 1.15; }
[data-testid="stMetricLabel"] p { font-size: 1.35rem; }
[data-testid="stMetricDelta"] p { font-size: 1.3rem; }
table.meeting { font-size: 1.25rem; }
</style>
"""
# Figure labels wrap rather than being cut short: "Conversation 1s underway for more than
# 28 days" must be read whole.
WRAP_LABELS = """
<style>
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] p {
  white-space: normal; overflow: visible; text-overflow: clip;
}
</style>
"""
# Colour-blind-safe: blue for better for people, orange for worse, grey for a change that is
# neither (or within rounding); the words say it too (``Figure.lines``).
TONE_COLOUR = {"better": "blue", "worse": "orange", "": "gray"}
ICONS = {
    "people": ":material/diversity_3:",
    "staff": ":material/badge:",
    "money": ":material/payments:",
    "conversations": ":material/forum:",
}


# The answer on the first screen: less empty space above the title, and the headline
# cards' sentence in body text that wraps.
FIRST_SCREEN = """
<style>
[data-testid="stMainBlockContainer"] { padding: 2.5rem 2rem 4rem; }
.headline-kind { font-weight: 600; margin: 0; font-size: 1.15rem; }
[class*="st-key-headline_"] [data-testid="stText"],
[class*="st-key-headline_"] [data-testid="stMetricLabel"] p { font-size: 1.05rem; }
[class*="st-key-headline_"] [data-testid="stMetricValue"] p { font-size: 2.8rem; }
[class*="st-key-headline_"] [data-testid="stMetricDelta"] p { font-size: 1.05rem; }
@media (min-width: 1600px) {  /* a projector's width: the cards have room to grow */
  [class*="st-key-headline_"] [data-testid="stText"],
  [class*="st-key-headline_"] [data-testid="stMetricLabel"] p,
  [class*="st-key-headline_"] [data-testid="stMetricDelta"] p { font-size: 1.3rem; }
  [class*="st-key-headline_"] [data-testid="stMetricValue"] p { font-size: 3.4rem; }
  .headline-kind { font-size: 1.4rem; }
}
</style>
"""


def style(large: bool) -> None:
    # The headline cards' own sizes come last, so they hold in projector mode too.
    st.html(WRAP_LABELS + TABLE_STYLE + (PROJECTOR_STYLE if large else "") + FIRST_SCREEN)


def headlines(cards: list[Headline]) -> None:
    """The first screen's answer: a card per type of evidence (figure, change, usual
    practice, interval, a sentence), side by side."""
    for column, card in zip(st.columns(len(cards) or 1), cards, strict=False):
        with column.container(border=True, key=f"headline_{card.section}"):
            item = card.figure
            st.html(f'<p class="headline-kind">{escape(card.title)}</p>')
            metric(st, item, border=False)
            lines = [f"{item.usual_label.capitalize()}: {item.usual}"] if item.usual else []
            lines += [item.interval] if item.interval else []
            st.text("\n".join([*lines, card.sentence]))


def _cell(text: str, index: int, labels: int, tag: str = "td") -> str:
    kind = "label" if index < labels else "figure"
    scope = ' scope="row"' if tag == "th" else ""
    return f'<{tag}{scope} class="{kind}">{escape(text)}</{tag}>'


def table_html(table: Table) -> str:
    """A meeting table as an HTML table of escaped text (headings with ``scope``), so its text
    scales with the page on a projector, which a canvas-drawn dataframe can't."""
    labels = table.label_columns
    head = "".join(
        f'<th scope="col" class="{"label" if i < labels else "figure"}">{escape(c)}</th>'
        for i, c in enumerate(table.columns)
    )
    body = "".join(
        "<tr>"
        + "".join(_cell(c, i, labels, "th" if i == 0 else "td") for i, c in enumerate(row))
        + "</tr>"
        for row in table.rows
    )
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    return (
        f'<table class="meeting">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def metric(target: Any, item: Figure, border: bool = True) -> None:
    """A figure as a metric: its value, and its change coloured by what it means for people
    (no arrow where nothing changed)."""
    change = item.change if item.change not in ("", "no change") else None
    target.metric(
        item.label,
        item.value,
        delta=change,
        delta_color=TONE_COLOUR[item.tone],
        border=border,
    )


def figure(column: Any, item: Figure, previous: str) -> None:
    metric(column, item)
    column.text("\n".join(item.lines(previous)))


def section(part: Section, summary: MeetingSummary, large: bool = False) -> None:
    st.header(part.title, divider="gray")
    st.caption(part.intro)
    previous = summary.previous.describe()
    for start in range(0, len(part.figures), 4):
        row = part.figures[start : start + 4]
        for column, item in zip(st.columns(len(row)), row, strict=True):
            figure(column, item, previous)
    for note in part.notes:
        st.text(note)
    for column, link in zip(st.columns(len(part.links)), part.links, strict=True):
        with column:
            st.page_link(
                link.page,
                label=f"Open {link.label} for these sites and dates",
                icon=ICONS.get(part.key),
                query_params=link.query,
            )
    for index, table in enumerate(part.tables):
        st.subheader(table.title)
        if table.rows:
            st.html(table_html(table))
        else:
            st.info("Nothing to show for this period.")
        if index == 0 and part.chart is not None:
            spec = for_projector(part.chart) if large else part.chart
            st.vega_lite_chart(spec, width="stretch", alt=part.chart_text)
            with st.expander("The chart in words"):
                st.text(part.chart_text)
    with st.expander("Check these figures with the command line"):
        st.text("\n".join(part.commands))


def evidence(summary: MeetingSummary, large: bool) -> None:
    """Below the headlines, one section at a time, chosen like a tab: what needs attention
    first, then each type of evidence (the story with people and families). Only the chosen
    section is drawn, so a run sends a page's worth of elements rather than five: with thirty
    people at a meeting, each element costs every session a share of Streamlit's locks."""
    flagged = len(summary.attention)
    first = f"What needs attention ({flagged})" if flagged else "What needs attention"
    parts = {part.title: part for part in summary.sections}
    chosen = st.segmented_control(
        "Section to show",
        [first, *parts],
        default=first,
        required=True,
        key="meeting_section",
        label_visibility="collapsed",
        width="stretch",
    )
    part = parts.get(chosen or "")
    if part is None:
        attention(summary)
        return
    section(part, summary, large)
    if part.key == "people":
        story(summary)


def attention(summary: MeetingSummary) -> None:
    st.header("What needs attention", divider="orange")
    if not summary.attention:
        st.success("Nothing is flagged for this period.")
    for item in summary.attention:
        st.warning(item.title, icon=":material/priority_high:")
        st.text(item.detail)


def story(summary: MeetingSummary) -> None:
    st.subheader("A story of difference")
    if summary.story is None:
        st.info(summary.story_note)
        return
    with st.container(border=True):
        st.text(summary.story.title)
        st.text(heading(summary.story))
        st.text(summary.story.story)
    st.caption(f"{summary.story_note} Shared with the teller's consent.")
