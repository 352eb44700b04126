"""Conversations: whether the work flows, from Conversation 1 to 2 to 3, and where it sticks.

Figures (kept): ``measures.flow.request_activity`` (the flow, the wait and the hand-offs
from one query), ``measures.activity.underway``, ``older_first_conversations``,
``time_to_complete`` and ``measures.completed.conversations_completed``; written by
``present.activity``, charted by ``present.charts``.
"""

import streamlit as st

from evaluation.core.vocabulary import THREE_CONVERSATIONS
from evaluation.measures.activity import older_first_conversations, time_to_complete, underway
from evaluation.measures.completed import conversations_completed
from evaluation.measures.flow import request_activity
from evaluation.measures.overview import data_as_of
from evaluation.measures.suppression import configured_threshold
from evaluation.present import activity as shown
from evaluation.present.charts import flow_chart, underway_chart
from evaluation.present.formats import count, uk_date
from evaluation.store.figures import cached
from ui import components, filters

st.title("Conversations")
st.write(
    "Does the work flow? How requests move from Conversation 1 to 2 to 3, what is underway "
    "and for how long, how long people wait and how long conversations take, and how often a "
    "request passes from one worker to another."
)
store, span, found = components.requests_page(
    "There are no conversations in the store yet. Import a conversations file first."
)
chosen = filters.view(found, "conv", spare=True)
selection = chosen.selection
as_of = filters.snapshot_day(
    chosen.spare,
    "Underway on",
    cached(store, data_as_of) or span[1],
    "conv_as_of",
    "Defaults to the extract date of the newest conversations import.",
)
st.text(f"Showing: {selection.describe()}")  # site and area names are free text
by_approach = cached(
    store, request_activity, selection, ("approach",), threshold=configured_threshold()
)

st.header("From Conversation 1 to 2 to 3")
flow = next((r for r in by_approach.flow if r.group["approach"] == THREE_CONVERSATIONS), None)
if flow is None or flow.requests == 0:
    st.info("No three conversations requests in this selection.")
else:
    stages = shown.flow_stages(flow)
    components.metrics([(label, count(value), note) for label, value, note in stages])
    st.altair_chart(flow_chart([(label, value) for label, value, _ in stages]), width="stretch")
    st.caption(shown.flow_caption(flow))

st.header(f"Underway on {uk_date(as_of)}, by age")
rows = cached(store, underway, as_of, selection)
older = cached(store, older_first_conversations, as_of, selection)
note = shown.older_note(older)
if note:
    st.warning(note)
else:
    st.caption(shown.older_caption(older))
if not rows:
    st.info("Nothing was underway on that day in this selection.")
else:
    st.altair_chart(underway_chart(rows), width="stretch")  # the meeting page's chart too
    components.table(shown.underway_rows(rows))

st.header("How long it takes")
left, right = st.columns(2)
with left:
    st.subheader("Time to complete a conversation")
    components.table(shown.complete_rows(cached(store, time_to_complete, selection)))
with right:
    st.subheader("Waiting from request to first conversation")
    for label, value, help_text, under in map(shown.waiting_metric, by_approach.waiting):
        st.metric(label, value, help=help_text, border=True)
        st.caption(under)
st.caption(
    "Median and 90th percentile as Excel's MEDIAN and PERCENTILE.INC compute them (the value "
    "between the two nearest when it falls between). Times run from started_on to ended_on; "
    "waiting from requested_on to the first conversation's start."
)

st.header("Conversations completed since each site began")
st.write(
    "Birmingham counted the conversations its teams had completed 6, 12 and 18 months into the "
    "roll-out (1,497, 4,043 and 14,588): the approach had become everyday work."
)
completed = cached(store, conversations_completed, as_of, selection)
if completed:
    components.table(shown.completed_rows(completed))
    st.caption(
        "From each site's first three conversations conversation; a conversation counts at 6 "
        "months when it ended within the first 6 months. A milestone after the day chosen "
        "above is not reached yet."
    )
else:
    st.info("No three conversations conversations in this selection.")

st.header("Hand-offs")
if by_approach.handoffs:
    components.metrics([shown.handoff_metric(h) for h in by_approach.handoffs])
st.caption("People tell us they don't want to be passed around: fewer hand-offs is better.")
