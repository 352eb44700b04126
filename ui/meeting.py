"""The blocks of the Making it Happen page: a headline figure, a section, the story.

Big, legible figures for a projector are our own fixed style, with no user text in it.
Site names and the story are free text: they reach the screen only through widgets,
``st.text`` and ``st.dataframe``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from evaluation.meeting.model import Figure, Section
from evaluation.meeting.summary import MeetingSummary
from evaluation.present.stories import heading

PROJECTOR_STYLE = """
<style>
[data-testid="stMainBlockContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stText"] {
  font-size: 1.15rem;
}
[data-testid="stMetricValue"] p { font-size: 3.2rem; line-height: 1.15; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem; }
[data-testid="stMetricDelta"] p { font-size: 1.15rem; }
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


def style(large: bool) -> None:
    st.html(WRAP_LABELS + (PROJECTOR_STYLE if large else ""))


def figure(column: Any, item: Figure, previous: str) -> None:
    change = item.change if item.change not in ("", "no change") else None
    column.metric(
        item.label,
        item.value,
        delta=change,
        delta_color=TONE_COLOUR[item.tone],  # type: ignore[arg-type]
        border=True,
    )
    column.text("\n".join(item.lines(previous)))


def section(part: Section, summary: MeetingSummary) -> None:
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
            columns = [c or "Measure" for c in table.columns]
            st.dataframe(
                pd.DataFrame(table.rows, columns=columns),
                hide_index=True,
                key=f"{part.key}_table_{index}",
            )
            if table.caption:
                st.caption(table.caption)
        else:
            st.info("Nothing to show for this period.")
        if index == 0 and part.chart is not None:
            st.altair_chart(part.chart, width="stretch", alt=part.chart_text)
            st.text(f"The chart in words: {part.chart_text}")
    with st.expander("Check these figures with the command line"):
        st.text("\n".join(part.commands))


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
