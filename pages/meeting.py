"""Making it Happen: one screen for the weekly meeting, and the pack to take away.

Thin: sites and a period (kept in the URL), then ``evaluation.meeting.summary.summarise`` — the same
figures the evidence pages and the reports give, small groups already hidden — shown large
enough for a projector, each section linking to its page on the same sites and period. The
pack is drawn by ``evaluation.meeting.pack`` only when someone asks for it. Site names and the story
are free text: they reach the screen only through widgets, ``st.text`` and ``st.dataframe``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pandas as pd
import streamlit as st

from evaluation.measures.selection import Selection, matching
from evaluation.measures.suppression import configured_threshold
from evaluation.meeting.summary import Figure, MeetingSummary, Period, Section
from evaluation.meeting import summary as meeting
from evaluation.store.figures import cached
from pages.common import permissions, store

# Big, legible figures for a projector: our own fixed style, no user text in it.
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
DELTA_COLOUR = {"up": "normal", "down": "inverse", "": "off"}
ICONS = {
    "people": ":material/diversity_3:",
    "staff": ":material/badge:",
    "money": ":material/payments:",
    "conversations": ":material/forum:",
}


def filters(sites: list[str], default: Period) -> tuple[list[str], Period | None]:
    """Sites and the period, preset from the URL and written back to it."""
    preset = Selection.from_query(st.query_params.get_all)
    with st.container(border=True):
        left, start, end = st.columns([2, 1, 1])
        chosen = left.multiselect(
            "Sites",
            sites,
            default=matching(preset.sites, sites),
            key="meeting_sites",
            placeholder="All sites",
        )
        date_from = start.date_input(
            "From",
            value=preset.date_from or default.start,
            min_value=date(2000, 1, 1),
            format="DD/MM/YYYY",
            key="meeting_from",
        )
        date_to = end.date_input(
            "To",
            value=preset.date_to or default.end,
            min_value=date(2000, 1, 1),
            format="DD/MM/YYYY",
            key="meeting_to",
        )
    if not date_from or not date_to or date_to < date_from:
        return chosen, None
    period = Period(date_from, date_to)
    query = Selection(sites=tuple(chosen), date_from=date_from, date_to=date_to).to_query()
    wanted = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
    if wanted != {k: st.query_params.get_all(k) for k in st.query_params}:
        st.query_params.from_dict(query)
    return chosen, period


def show_figure(column: st.delta_generator.DeltaGenerator, figure: Figure, previous: str) -> None:
    change = figure.change if figure.change not in ("", "no change") else None
    column.metric(
        figure.label,
        figure.value,
        delta=change,
        delta_color=DELTA_COLOUR[figure.better],  # type: ignore[arg-type]
        border=True,
    )
    lines = [figure.base] if figure.base else []
    if figure.previous:
        lines.append(f"Previous period ({previous}): {figure.previous}")
    if figure.change == "no change":
        lines.append("No change since the previous period")
    if figure.usual:
        lines.append(f"{figure.usual_label.capitalize()}: {figure.usual}")
    column.text("\n".join(lines))


def show_section(section: Section, summary: MeetingSummary) -> None:
    st.header(section.title, divider="gray")
    st.caption(section.intro)
    previous = summary.previous.describe()
    for start in range(0, len(section.figures), 4):
        row = section.figures[start : start + 4]
        for column, figure in zip(st.columns(len(row)), row, strict=True):
            show_figure(column, figure, previous)
    for note in section.notes:
        st.text(note)
    links = st.columns(len(section.links))
    for column, link in zip(links, section.links, strict=True):
        with column:
            st.page_link(
                link.page,
                label=f"Open {link.label} for these sites and dates",
                icon=ICONS.get(section.key),
                query_params=link.query,
            )
    for index, table in enumerate(section.tables):
        st.subheader(table.title)
        if table.rows:
            columns = [c or "Measure" for c in table.columns]
            st.dataframe(
                pd.DataFrame(table.rows, columns=columns),
                hide_index=True,
                key=f"{section.key}_table_{index}",
            )
            if table.caption:
                st.caption(table.caption)
        else:
            st.info("Nothing to show for this period.")
        if index == 0 and section.chart is not None:
            st.altair_chart(section.chart, width="stretch", alt=section.chart_text)
            st.text(f"The chart in words: {section.chart_text}")
    with st.expander("Check these figures with the command line"):
        st.text("\n".join(section.commands))


st.title("Making it Happen")
st.write(
    "What is going on, what is changing and what the evidence shows, for the weekly Making it "
    "Happen meeting: what people and families say, what staff say, and the money and "
    "resources, for the sites and period chosen, against the period before and against usual "
    "practice. Download the pack to circulate after the meeting."
)

data = store()
site_names = cached(data, meeting.all_sites)
if not site_names:
    st.info(
        "There is nothing in the store yet. Import conversations, feedback, staff and stories "
        "files on the Upload data page to see the meeting view."
    )
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    st.stop()

as_of = cached(data, meeting.data_as_of)
default = meeting.default_period(as_of or date.today())
large = st.toggle("Large text for a projector", value=True, key="meeting_large")
st.html(WRAP_LABELS + (PROJECTOR_STYLE if large else ""))
chosen, period = filters(site_names, default)
if period is None:
    st.warning("Choose a period whose end is on or after its start.")
    st.stop()

# Everyone at the meeting opens the same view: it is computed once per version of the data
# (today is part of the key, for the staleness check); the time it was drawn is this run's.
summary = replace(
    cached(
        data,
        meeting.summarise,
        chosen,
        period,
        threshold=configured_threshold(),
        today=date.today(),
    ),
    generated_at=datetime.now(),
)
st.text(
    f"Sites: {summary.sites_text}\n"
    f"Period: {summary.period.describe()}, compared with {summary.previous.describe()}\n"
    f"Data as of: {summary.as_of:%d/%m/%Y}"
    if summary.as_of
    else f"Sites: {summary.sites_text}\nPeriod: {summary.period.describe()}"
)


def pack_bytes() -> bytes:
    """Drawn only when the button is pressed (fpdf2 and vl-convert load then, not before)."""
    from evaluation.meeting.pack import build_pack

    return build_pack(summary)


if permissions().may_download_pack:
    st.download_button(
        "Download the meeting pack (PDF)",
        data=pack_bytes,
        file_name=summary.pack_name,
        mime="application/pdf",
        on_click="ignore",
        type="primary",
        icon=":material/picture_as_pdf:",
    )

st.header("What needs attention", divider="orange")
if not summary.attention:
    st.success("Nothing is flagged for this period.")
for item in summary.attention:
    st.warning(item.title, icon=":material/priority_high:")
    st.text(item.detail)

for section in summary.sections:
    show_section(section, summary)
    if section.key == "people":
        st.subheader("A story of difference")
        if summary.story is None:
            st.info(summary.story_note)
        else:
            with st.container(border=True):
                st.text(summary.story.title)
                st.text(summary.story.heading())
                st.text(summary.story.story)
            st.caption(f"{summary.story_note} Shared with the teller's consent.")
