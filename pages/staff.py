"""Staff experience: the second type of evidence — how the work feels to the people doing it.

Thin: figures from ``evaluation.measures.staff`` (the same function as ``python -m evaluation report
staff``), already suppressed; comments only with consent, shown with ``st.text``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from evaluation.cli.feedback import csv_rows
from evaluation.cli.staff import FIGURE_COLUMNS
from evaluation.measures import feedback as fb
from evaluation.measures import staff as sf
from evaluation.measures.suppression import configured_threshold, fewer_than
from evaluation.present.charts import time_split_chart
from evaluation.present.exports import to_csv
from pages.common import linked_site_index, store

ALL_SITES = "All sites"
ALL_MONTHS = "All months"
COMMENTS_SHOWN = 100
ITEM_CHOICES = {**sf.ITEMS, sf.TIME: "Time with people"}

st.title("Staff experience")
st.write(
    "How staff in the innovation sites and in usual practice rate their motivation, "
    "satisfaction, sense of making a difference and workload (each 1 to 5), and how much of "
    "their working time goes to people rather than to forms and systems."
)

data = store()
threshold = configured_threshold()
small = fewer_than(threshold)
site_names = fb.sites(data, "staff")
if not site_names:
    st.info(
        "There are no staff experience responses yet. Import a staff file on the Upload data page."
    )
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    st.stop()

st.caption(
    f"Each mean is of the responses that scored that item. A group of {small} responses "
    f"shows '{small}' instead of its figures, and so does the next smallest group where a "
    "total would otherwise reveal it."
)

# --- headline ----------------------------------------------------------------------------

st.header("By site and approach")
headline = sf.staff_measures(data, ["site", "approach"], threshold=threshold)
st.dataframe(
    pd.DataFrame([*sf.display_rows(headline), sf.total_row(headline)]),
    hide_index=True,
    key="staff_table",
)
rows, names = csv_rows(headline, FIGURE_COLUMNS, {f.name: f.count for f in sf.FIGURES})
st.download_button(
    "Download these figures as CSV",
    to_csv(rows, names),
    file_name="staff-experience.csv",
    mime="text/csv",
)

# --- time with people --------------------------------------------------------------------

st.header("Time with people, and on forms and systems")
time_rows = sf.time_rows(headline)
if not time_rows:
    st.info(f"No group has enough answers ({small} is too few) to show.")
else:
    chart = time_split_chart(time_rows)
    description = sf.describe_time(headline)
    st.altair_chart(chart, width="stretch", alt=description)
    st.caption("The chart in words:")
    st.text(description)

# --- over time ---------------------------------------------------------------------------

st.header("Each item over time")
left, right = st.columns(2)
item = left.selectbox(
    "Item", list(ITEM_CHOICES), format_func=ITEM_CHOICES.__getitem__, key="staff_item"
)
trend_site = right.selectbox(
    "Site",
    sites := [ALL_SITES, *site_names],
    index=linked_site_index(sites),
    key="staff_trend_site",
)
trend = sf.staff_measures(
    data,
    ["site", "month"],
    filters={} if trend_site == ALL_SITES else {"site": trend_site},
    threshold=threshold,
)
trend_data = pd.DataFrame(sf.chart_rows(trend, item))
if trend_data.empty:
    st.info(f"Every month has {small} responses here, so there is no trend to show.")
else:
    unit = "mean % of time" if item == sf.TIME else "mean score (1–5)"
    domain = [0, 100] if item == sf.TIME else [1, 5]
    trend_chart = (
        alt.Chart(trend_data)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="Month"),
            y=alt.Y(
                "mean:Q", title=f"{ITEM_CHOICES[item]}, {unit}", scale=alt.Scale(domain=domain)
            ),
            color=alt.Color("site:N", title="Site"),
            tooltip=[
                alt.Tooltip("site:N", title="Site"),
                alt.Tooltip("month:O", title="Month"),
                alt.Tooltip("mean:Q", title="Mean", format=".2f"),
                alt.Tooltip("answered:Q", title="Responses"),
            ],
        )
    )
    st.altair_chart(trend_chart, width="stretch", alt=f"{ITEM_CHOICES[item]} by month and site.")
st.caption("The chart in words:")
st.text(sf.describe_item(trend, item))

by_role = sf.staff_measures(data, ["role"], threshold=threshold)
with st.expander("By role"):
    st.dataframe(pd.DataFrame(sf.display_rows(by_role)), hide_index=True, key="role_table")

# --- comments ----------------------------------------------------------------------------

st.header("What staff said")
st.caption("Only comments from staff who agreed to be quoted.")
left, middle, right = st.columns(3)
comment_site = left.selectbox(
    "Site", sites, index=linked_site_index(sites), key="staff_comment_site"
)
comment_month = middle.selectbox(
    "Month", [ALL_MONTHS, *reversed(fb.periods(data, "staff"))], key="staff_comment_month"
)
search = right.text_input("Search the comments", key="staff_comment_search")
found = sf.comments(
    data,
    site=None if comment_site == ALL_SITES else comment_site,
    month=None if comment_month == ALL_MONTHS else comment_month,
    search=search,
)
if not found:
    st.info("No comments match.")
else:
    st.caption(
        f"{len(found)} comments"
        + (f"; the newest {COMMENTS_SHOWN} shown" if len(found) > COMMENTS_SHOWN else "")
    )
    for comment in found[:COMMENTS_SHOWN]:
        with st.container(border=True):
            st.text(
                f"{comment.responded_on:%d/%m/%Y} · {comment.site} · {comment.approach} · "
                f"{comment.role}"
            )
            st.text(comment.text)
