"""People and families: the first type of evidence — what people and families say.

Figures (kept, small groups already hidden): ``measures.feedback.feedback_measures`` by site
and approach, by approach and by month and approach, for the period and site chosen; written
by ``present.survey_pages`` and ``present.surveys``, charted by ``present.charts`` and
``present.survey_trends``; ``measures.feedback.comments`` (consented only), as plain text.
"""

import streamlit as st

from evaluation.measures import feedback as fb
from evaluation.measures.survey import periods
from evaluation.present import survey_pages as page
from evaluation.present import surveys as shown
from evaluation.present.charts import feedback_yes_chart
from evaluation.present.exports import survey_csv
from evaluation.present.survey_trends import feedback_trend_chart, feedback_trend_rows
from evaluation.store.figures import cached
from ui import components, filters

st.title("People and families")
st.write(
    "Were people treated well, did it help, were they listened to, and how satisfied were they? "
    "From independent phone interviews, surveys, compliments and complaints."
)
store, site_names, threshold = components.survey_page(
    "feedback",
    "There is no feedback from people and families yet. Import a feedback file on the Upload "
    "data page.",
)
view = filters.survey_view(site_names, "people", "Responses from")
chosen = {"site": view.site} if view.site else {}
period = {"start": view.start, "end": view.end, "threshold": threshold}
totals = cached(store, fb.feedback_measures, ["approach"], filters=chosen, **period)
components.metrics(page.headline_metrics(totals), border=False, under=True)
st.caption(page.small_groups_caption(threshold, "feedback"))

by_site, compared, by_month, said = st.tabs(
    ["By site and approach", "Compared with usual practice", "By month", "What people said"]
)
with by_site:
    table = cached(store, fb.feedback_measures, ["site", "approach"], **period)
    components.table(page.compact_rows(table), key="headline_table")
    if rows := shown.feedback_chart_rows(table):
        components.chart(feedback_yes_chart(rows), [shown.describe(table, q) for q in fb.QUESTIONS])
    components.details(page.full_rows(table), "Every figure, with partly, no and answered")
    components.download_csv(
        "Download these figures as CSV", survey_csv(table), "people-and-families.csv"
    )
with compared:
    if not cached(store, fb.has_usual_practice, view.start, view.end):
        st.info("No feedback about usual practice in this period, so nothing to compare with.")
    else:
        components.table(page.compact_rows(totals, with_total=False), key="compare_table")
        components.words([shown.describe(totals, q) for q in fb.QUESTIONS])
with by_month:
    trend = cached(store, fb.feedback_measures, ["month", "approach"], filters=chosen, **period)
    trend_chart = feedback_trend_chart(feedback_trend_rows(trend))
    if trend_chart is None:
        st.info(page.no_trend(threshold))
    else:
        st.altair_chart(
            trend_chart, width="stretch", alt="Share answering yes by month; the table below."
        )
    components.details(page.full_rows(trend, with_total=False), "The months as a table")
with said:
    st.caption("Only comments from people who agreed to be quoted.")
    asked = filters.comment_filters(site_names, cached(store, periods, "feedback"), "comment")
    found = cached(store, fb.comments, **asked, start=view.start, end=view.end)
    worked, didnt = st.tabs(
        [
            page.tab_label("What worked", found, "what worked"),
            page.tab_label("What didn't work", found, "what didn't work"),
        ]
    )
    with worked:
        components.comments([c for c in found if c.kind == "what worked"], "worked")
    with didnt:
        components.comments([c for c in found if c.kind != "what worked"], "didnt")
