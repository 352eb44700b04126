"""Conversations: whether the work flows, from Conversation 1 to 2 to 3, and where it sticks.

Thin: filters, then figures from ``evaluation.measures.activity`` and ``evaluation.measures.conversion`` (the
same functions ``python -m evaluation report activity`` prints), then tables and charts.
Every figure comes through ``evaluation.store.figures.cached``: computed once per version of the
data and shared by everyone looking at the same view; the flow, the wait and the hand-offs
come from one query (``request_activity``).
"""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from evaluation.measures.activity import (
    AGE_BANDS,
    data_as_of,
    older_first_conversations,
    request_activity,
    time_to_complete,
    underway,
)
from evaluation.measures.conversion import date_span, options
from evaluation.measures.selection import Selection
from evaluation.present.charts import underway_chart
from evaluation.store.figures import cached
from pages.common import request_filters, store

THREE_CS = "three conversations"


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def days(value: float | None) -> str:
    return "–" if value is None else f"{value:g} days"


def filters(found: dict[str, list[str]], as_of_default: date) -> tuple[Selection, date]:
    """Sites, approaches, areas, the period for times and flow, and the snapshot day."""
    selection, snapshot = request_filters(found, "conv", extra=True)
    as_of_query = st.query_params.get("as_of")
    try:
        as_of_start = date.fromisoformat(as_of_query) if as_of_query else as_of_default
    except ValueError:
        as_of_start = as_of_default
    as_of = snapshot.date_input(
        "Underway on",
        value=as_of_start,
        min_value=date(2000, 1, 1),
        format="DD/MM/YYYY",
        key="conv_as_of",
        help="Defaults to the extract date of the newest conversations import.",
    )
    return selection, as_of or as_of_default


st.title("Conversations")
st.write(
    "Does the work flow? How requests move from Conversation 1 to 2 to 3, what is underway "
    "and for how long, how long people wait and how long conversations take, and how often a "
    "request passes from one worker to another."
)

the_store = store()
span = cached(the_store, date_span)
if span is None:
    st.info("There are no conversations in the store yet. Import a conversations file first.")
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    st.stop()

selection, as_of = filters(cached(the_store, options), cached(the_store, data_as_of) or span[1])
st.text(f"Showing: {selection.describe()}")  # site and area names are free text
by_approach = cached(the_store, request_activity, selection, ("approach",))

# --- the flow ---------------------------------------------------------------------------------

st.header("From Conversation 1 to 2 to 3")
flow = next((r for r in by_approach.flow if r.group["approach"] == THREE_CS), None)
if flow is None or flow.requests == 0:
    st.info("No three conversations requests in this selection.")
else:
    stages = [
        ("Conversation 1", flow.requests, "requests for support"),
        ("Reached Conversation 2", flow.reached_conversation_2, "requests"),
        ("Reached Conversation 3", flow.reached_conversation_3, "requests"),
        ("Led to long-term support", flow.long_term, f"of {flow.new_requests:,} new requests"),
    ]
    for column, (label, value, note) in zip(st.columns(4), stages, strict=True):
        column.metric(label, f"{value:,}", help=note, border=True)
    st.altair_chart(
        alt.Chart(pd.DataFrame([{"stage": s[0], "requests": s[1]} for s in stages]))
        .mark_bar()
        .encode(
            x=alt.X(
                "stage:N",
                sort=[s[0] for s in stages],
                title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=250),
            ),
            y=alt.Y("requests:Q", title="Requests"),
            tooltip=["stage", "requests"],
        ),
        width="stretch",
    )
    st.caption(
        "A request reached Conversation 2 when its furthest conversation was 2 or 3, and "
        "Conversation 3 when it was 3. Long-term support counts new requests only "
        f"({pct(flow.conversion_rate)} of them)."
    )

# --- the bulge --------------------------------------------------------------------------------

st.header(f"Underway on {as_of:%d/%m/%Y}, by age")
rows = cached(the_store, underway, as_of, selection)
older = cached(the_store, older_first_conversations, as_of, selection)
note = older.note()
if note:
    st.warning(note)
else:
    st.caption(
        f"Conversation 1s underway for more than 28 days: {older.now} now, "
        f"{older.week_before} a week earlier — not growing."
    )
if not rows:
    st.info("Nothing was underway on that day in this selection.")
else:
    bands = [b[0] for b in AGE_BANDS]
    frame = pd.DataFrame(
        [{"conversation": r.conversation, "age": r.band, "underway": r.count} for r in rows]
    )
    st.altair_chart(underway_chart(rows), width="stretch")  # the meeting page's chart too
    table = frame.pivot(index="conversation", columns="age", values="underway")[bands]
    table["Total"] = table.sum(axis=1)
    table.index.name = "Conversation"
    st.dataframe(table)

# --- how long things take ---------------------------------------------------------------------

st.header("How long it takes")
complete = cached(the_store, time_to_complete, selection)
waiting = by_approach.waiting
left, right = st.columns(2)
with left:
    st.subheader("Time to complete a conversation")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Conversation": d.group["conversation"],
                    "Completed": d.count,
                    "Median": days(d.median_days),
                    "90th percentile": days(d.p90_days),
                }
                for d in complete
            ]
        ),
        hide_index=True,
    )
with right:
    st.subheader("Waiting from request to first conversation")
    for d in waiting:
        st.metric(
            f"Median wait — {d.group['approach']}",
            days(d.median_days),
            help=f"Over {d.count:,} requests with a request date.",
            border=True,
        )
        st.caption(f"90th percentile: {days(d.p90_days)}")
st.caption(
    "Median and 90th percentile as Excel's MEDIAN and PERCENTILE.INC compute them (the value "
    "between the two nearest when it falls between). Times run from started_on to ended_on; "
    "waiting from requested_on to the first conversation's start."
)

# --- hand-offs --------------------------------------------------------------------------------

st.header("Hand-offs")
handed = by_approach.handoffs
for column, h in zip(st.columns(max(1, len(handed))), handed, strict=False):
    column.metric(
        f"Held by more than one worker — {h.group['approach']}",
        pct(h.share),
        help=f"{h.more_than_one_worker:,} of {h.requests_with_worker:,} requests with a worker "
        "recorded.",
        border=True,
    )
st.caption("People tell us they don't want to be passed around: fewer hand-offs is better.")
