"""People and families: the first type of evidence — what people and families say.

Figures: ``measures.feedback.feedback_measures`` by site and approach, by approach and by
month (kept, small groups already hidden), written by ``present.surveys`` and charted by
``present.charts`` and ``present.trend_charts``; ``measures.feedback.comments`` (consented
only), shown as plain text.
"""

import streamlit as st

from evaluation.measures import feedback as fb
from evaluation.measures.suppression import fewer_than
from evaluation.measures.survey import periods
from evaluation.present import surveys as shown
from evaluation.present.charts import feedback_yes_chart
from evaluation.present.exports import survey_csv
from evaluation.present.formats import count
from evaluation.present.trend_charts import feedback_trend_chart
from evaluation.store.figures import cached
from ui import components, filters

st.title("People and families")
st.write(
    "What people and families said about the support they had: were they treated well, did it "
    "help, were they listened to, and how satisfied they were. The answers come from "
    "independent phone interviews, surveys, compliments and complaints."
)
store, site_names, threshold = components.survey_page(
    "feedback",
    "There is no feedback from people and families yet. Import a feedback file on the Upload "
    "data page.",
)
small = fewer_than(threshold)
st.caption(
    "Each percentage is of the responses that answered that question (the 'answered' "
    "columns); partly is not counted as yes and is shown beside it. " + shown.hiding_note(threshold)
)

st.header("Headline figures by site and approach")
headline = cached(store, fb.feedback_measures, ["site", "approach"], threshold=threshold)
if headline.total.get("suppressed"):
    st.info(shown.total_hidden(headline.total, threshold))
else:
    columns = st.columns(5)
    columns[0].metric("Responses", count(headline.total["responses"]))
    questions = [*((q, f"{t}: yes") for q, t in fb.QUESTIONS.items())]
    for column, (question, label) in zip(
        columns[1:], [*questions, ("satisfaction", "Mean satisfaction (1–5)")], strict=True
    ):
        value, base = shown.headline_figure(headline.total, question, threshold)
        column.metric(label, value)
        column.caption(base)
components.table([*shown.display_rows(headline), shown.total_row(headline)], key="headline_table")
components.download_csv(
    "Download these figures as CSV", survey_csv(headline), "people-and-families.csv"
)
chart_rows = shown.feedback_chart_rows(headline)
if chart_rows:
    components.chart(
        feedback_yes_chart(chart_rows),
        [shown.describe(headline, q) for q in fb.QUESTIONS],
    )

st.header("Three conversations compared with usual practice")
if not cached(store, fb.has_usual_practice):
    st.info(
        "There is no feedback about usual practice yet, so there is nothing to compare with. "
        "Import feedback with the approach 'usual practice' to see the two side by side."
    )
else:
    compared = cached(store, fb.feedback_measures, ["approach"], threshold=threshold)
    components.table(shown.display_rows(compared), key="compare_table")
    for question in fb.QUESTIONS:
        st.text(shown.describe(compared, question))

st.header("Trend by month")
trend_site = filters.one_site(st, site_names, "trend_site")
trend = cached(
    store,
    fb.feedback_measures,
    ["month", "approach"],
    filters={"site": trend_site} if trend_site else {},
    threshold=threshold,
)
trend_chart = feedback_trend_chart(shown.feedback_chart_rows(trend))
if trend_chart is None:
    st.info(f"Every month has {small} responses here, so there is no trend to show.")
else:
    st.altair_chart(
        trend_chart, width="stretch", alt="Share answering yes by month; the table below."
    )
st.caption("The same figures as a table (months with too few responses show no figures):")
components.table(shown.display_rows(trend), key="trend_table")

st.header("What people said")
st.caption("Only comments from people who agreed to be quoted.")
chosen = filters.comment_filters(site_names, cached(store, periods, "feedback"), "comment")
found = cached(store, fb.comments, **chosen)
worked = [c for c in found if c.kind == "what worked"]
didnt = [c for c in found if c.kind != "what worked"]
tabs = st.tabs([f"What worked ({len(worked)})", f"What didn't work ({len(didnt)})"])
for tab, chosen in zip(tabs, (worked, didnt), strict=True):
    with tab:
        components.comments(chosen)
