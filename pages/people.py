"""People and families: the first type of evidence — what people and families say.

Thin: figures from ``evaluation.measures.feedback`` (the same function as ``python -m evaluation
report feedback``), already suppressed; comments only with consent, shown with ``st.text`` so
markup in them stays literal text.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from evaluation.cli.feedback import FIGURE_COLUMNS, csv_rows
from evaluation.measures import feedback as fb
from evaluation.measures.suppression import configured_threshold, fewer_than
from evaluation.present.charts import feedback_yes_chart
from evaluation.present.exports import to_csv
from pages.common import linked_site_index, store

ALL_SITES = "All sites"
ALL_MONTHS = "All months"
COMMENTS_SHOWN = 100

st.title("People and families")
st.write(
    "What people and families said about the support they had: were they treated well, did it "
    "help, were they listened to, and how satisfied they were. The answers come from "
    "independent phone interviews, surveys, compliments and complaints."
)

data = store()
threshold = configured_threshold()
small = fewer_than(threshold)
site_names = fb.sites(data)
if not site_names:
    st.info(
        "There is no feedback from people and families yet. Import a feedback file on the "
        "Upload data page."
    )
    st.page_link("pages/upload.py", label="Upload data", icon=":material/upload_file:")
    st.stop()

st.caption(
    f"Each percentage is of the responses that answered that question (the 'answered' "
    f"columns); partly is not counted as yes and is shown beside it. A group of {small} "
    f"responses shows '{small}' instead of its figures, and so does the next smallest group "
    "where a total would otherwise reveal it."
)

# --- headline ----------------------------------------------------------------------------

st.header("Headline figures by site and approach")
headline = fb.feedback_measures(data, ["site", "approach"], threshold=threshold)
total = headline.total
if total.get("suppressed"):
    st.info(f"There are {small} responses in all, so no figures can be shown.")
else:
    columns = st.columns(5)
    columns[0].metric("Responses", f"{total['responses']:,}")
    for column, (question, title) in zip(columns[1:4], fb.QUESTIONS.items(), strict=True):
        value, base = fb.headline_figure(total, question, threshold)
        column.metric(f"{title}: yes", value)
        column.caption(base)
    value, base = fb.headline_figure(total, "satisfaction", threshold)
    columns[4].metric("Mean satisfaction (1–5)", value)
    columns[4].caption(base)

st.dataframe(
    pd.DataFrame([*fb.display_rows(headline), fb.total_row(headline)]),
    hide_index=True,
    key="headline_table",
)
rows, names = csv_rows(headline, FIGURE_COLUMNS, {f.name: f.count for f in fb.FIGURES})
st.download_button(
    "Download these figures as CSV",
    to_csv(rows, names),
    file_name="people-and-families.csv",
    mime="text/csv",
)

chart_rows = fb.chart_rows(headline)
if chart_rows:
    alternative = " ".join(fb.describe(headline, q) for q in fb.QUESTIONS)
    chart = feedback_yes_chart(chart_rows)
    st.altair_chart(chart, width="stretch", alt=alternative)
    st.caption("The chart in words:")
    for question in fb.QUESTIONS:
        st.text(fb.describe(headline, question))

# --- comparison --------------------------------------------------------------------------

st.header("Three conversations compared with usual practice")
if not fb.has_usual_practice(data):
    st.info(
        "There is no feedback about usual practice yet, so there is nothing to compare with. "
        "Import feedback with the approach 'usual practice' to see the two side by side."
    )
else:
    compared = fb.feedback_measures(data, ["approach"], threshold=threshold)
    st.dataframe(pd.DataFrame(fb.display_rows(compared)), hide_index=True, key="compare_table")
    for question in fb.QUESTIONS:
        st.text(fb.describe(compared, question))

# --- trend -------------------------------------------------------------------------------

st.header("Trend by month")
trend_site = st.selectbox(
    "Site", sites := [ALL_SITES, *site_names], index=linked_site_index(sites), key="trend_site"
)
trend = fb.feedback_measures(
    data,
    ["month", "approach"],
    filters={} if trend_site == ALL_SITES else {"site": trend_site},
    threshold=threshold,
)
trend_data = pd.DataFrame(fb.chart_rows(trend))
if trend_data.empty:
    st.info(f"Every month has {small} responses here, so there is no trend to show.")
else:
    trend_chart = (
        alt.Chart(trend_data)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="Month"),
            y=alt.Y("yes_pct:Q", title="% answering yes", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("question:N", title="Question"),
            strokeDash=alt.StrokeDash("approach:N", title="Approach"),
            tooltip=[
                alt.Tooltip("month:O", title="Month"),
                alt.Tooltip("approach:N", title="Approach"),
                alt.Tooltip("question:N", title="Question"),
                alt.Tooltip("yes_pct:Q", title="% yes", format=".1f"),
                alt.Tooltip("answered:Q", title="Answered"),
            ],
        )
    )
    st.altair_chart(
        trend_chart, width="stretch", alt="Share answering yes by month; the table below."
    )
st.caption("The same figures as a table (months with too few responses show no figures):")
st.dataframe(pd.DataFrame(fb.display_rows(trend)), hide_index=True, key="trend_table")

# --- comments ----------------------------------------------------------------------------

st.header("What people said")
st.caption("Only comments from people who agreed to be quoted.")
left, middle, right = st.columns(3)
comment_site = left.selectbox("Site", sites, index=linked_site_index(sites), key="comment_site")
comment_month = middle.selectbox(
    "Month", [ALL_MONTHS, *reversed(fb.periods(data))], key="comment_month"
)
search = right.text_input("Search the comments", key="comment_search")
found = fb.comments(
    data,
    site=None if comment_site == ALL_SITES else comment_site,
    month=None if comment_month == ALL_MONTHS else comment_month,
    search=search,
)
worked = [c for c in found if c.kind == "what worked"]
didnt = [c for c in found if c.kind != "what worked"]
for tab, chosen in zip(
    st.tabs([f"What worked ({len(worked)})", f"What didn't work ({len(didnt)})"]),
    (worked, didnt),
    strict=True,
):
    with tab:
        if not chosen:
            st.info("No comments match.")
            continue
        if len(chosen) > COMMENTS_SHOWN:
            st.caption(f"The newest {COMMENTS_SHOWN} of {len(chosen)}: narrow with the filters.")
        for comment in chosen[:COMMENTS_SHOWN]:
            with st.container(border=True):
                st.text(
                    f"{comment.received_on:%d/%m/%Y} · {comment.site} · {comment.approach} · "
                    f"{comment.method}"
                )
                st.text(comment.text)
