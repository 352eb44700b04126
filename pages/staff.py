"""Staff experience: the second type of evidence — how the work feels to the people doing it.

Figures (kept, small groups already hidden): ``measures.staff.staff_measures`` by approach, by
site and approach, by site and month and by role, for the period and site chosen; written by
``present.survey_pages`` and ``present.surveys``, charted by ``present.charts`` and
``present.survey_trends``; ``measures.staff.comments`` (consented only), as plain text.
"""

import streamlit as st

from evaluation.measures import staff as sf
from evaluation.measures.survey import periods
from evaluation.present import survey_pages as page
from evaluation.present import surveys as shown
from evaluation.present.charts import time_split_chart
from evaluation.present.exports import survey_csv
from evaluation.present.survey_trends import staff_trend_chart, staff_trend_rows
from evaluation.store.figures import cached
from ui import components, filters

ITEM_CHOICES = {**sf.ITEMS, sf.TIME: shown.TIME_TITLE}

st.title("Staff experience")
st.write(
    "Motivation, satisfaction, making a difference and workload (each 1 to 5), and how much of "
    "staff's working time goes to people rather than to forms and systems."
)
store, site_names, threshold = components.survey_page(
    "staff",
    "There are no staff experience responses yet. Import a staff file on the Upload data page.",
)
view = filters.survey_view(site_names, "staff", "Responses from")
chosen = {"site": view.site} if view.site else {}
period = {"start": view.start, "end": view.end, "threshold": threshold}
totals = cached(store, sf.staff_measures, ["approach"], filters=chosen, **period)
components.metrics(page.headline_metrics(totals), border=False, under=True)
st.caption(page.small_groups_caption(threshold, "staff"))

by_site, over_time, by_role, said = st.tabs(
    ["By site and approach", "Each item over time", "By role", "What staff said"]
)
with by_site:
    table = cached(store, sf.staff_measures, ["site", "approach"], **period)
    components.table(page.compact_rows(table), key="staff_table")
    if rows := shown.time_rows(table):
        components.chart(time_split_chart(rows), shown.describe_time(table))
    components.details(page.full_rows(table), "Every figure, with the responses behind it")
    components.download_csv(
        "Download these figures as CSV", survey_csv(table), "staff-experience.csv"
    )
with over_time:
    item = st.selectbox(
        "Item", list(ITEM_CHOICES), format_func=ITEM_CHOICES.__getitem__, key="staff_item"
    )
    trend = cached(store, sf.staff_measures, ["site", "month"], filters=chosen, **period)
    trend_chart = staff_trend_chart(
        staff_trend_rows(trend, item), ITEM_CHOICES[item], percent=item == sf.TIME
    )
    if trend_chart is None:
        st.info(page.no_trend(threshold))
    else:
        st.altair_chart(trend_chart, width="stretch", alt=shown.describe_item(trend, item))
    components.words([shown.describe_item(trend, item)])
with by_role:
    roles = cached(store, sf.staff_measures, ["role"], **period)
    components.table(page.compact_rows(roles, with_total=False), key="role_table")
with said:
    st.caption("Only comments from staff who agreed to be quoted.")
    asked = filters.comment_filters(site_names, cached(store, periods, "staff"), "staff_comment")
    components.comments(
        cached(store, sf.comments, **asked, start=view.start, end=view.end), "staff_comments"
    )
