"""Staff experience: the second type of evidence — how the work feels to the people doing it.

Figures: ``measures.staff.staff_measures`` by site and approach, by site and month and by
role (kept, small groups already hidden), written by ``present.surveys`` and charted by
``present.charts`` and ``present.trend_charts``; ``measures.staff.comments`` (consented
only), shown as plain text.
"""

import streamlit as st

from evaluation.measures import staff as sf
from evaluation.measures.suppression import fewer_than
from evaluation.measures.survey import periods
from evaluation.present import surveys as shown
from evaluation.present.charts import time_split_chart
from evaluation.present.exports import survey_csv
from evaluation.present.trend_charts import staff_trend_chart
from evaluation.store.figures import cached
from ui import components, filters

ITEM_CHOICES = {**sf.ITEMS, sf.TIME: shown.TIME_TITLE}

st.title("Staff experience")
st.write(
    "How staff in the innovation sites and in usual practice rate their motivation, "
    "satisfaction, sense of making a difference and workload (each 1 to 5), and how much of "
    "their working time goes to people rather than to forms and systems."
)
store, site_names, threshold = components.survey_page(
    "staff",
    "There are no staff experience responses yet. Import a staff file on the Upload data page.",
)
small = fewer_than(threshold)
st.caption("Each mean is of the responses that scored that item. " + shown.hiding_note(threshold))

st.header("By site and approach")
headline = cached(store, sf.staff_measures, ["site", "approach"], threshold=threshold)
components.table([*shown.display_rows(headline), shown.total_row(headline)], key="staff_table")
components.download_csv(
    "Download these figures as CSV", survey_csv(headline), "staff-experience.csv"
)

st.header("Time with people, and on forms and systems")
time_rows = shown.time_rows(headline)
if not time_rows:
    st.info(f"No group has enough answers ({small} is too few) to show.")
else:
    components.chart(time_split_chart(time_rows), shown.describe_time(headline))

st.header("Each item over time")
left, right = st.columns(2)
item = left.selectbox(
    "Item", list(ITEM_CHOICES), format_func=ITEM_CHOICES.__getitem__, key="staff_item"
)
trend_site = filters.one_site(right, site_names, "staff_trend_site")
trend = cached(
    store,
    sf.staff_measures,
    ["site", "month"],
    filters={"site": trend_site} if trend_site else {},
    threshold=threshold,
)
trend_chart = staff_trend_chart(
    shown.staff_chart_rows(trend, item), ITEM_CHOICES[item], percent=item == sf.TIME
)
if trend_chart is None:
    st.info(f"Every month has {small} responses here, so there is no trend to show.")
else:
    st.altair_chart(trend_chart, width="stretch", alt=f"{ITEM_CHOICES[item]} by month and site.")
st.caption("The chart in words:")
st.text(shown.describe_item(trend, item))
with st.expander("By role"):
    by_role = cached(store, sf.staff_measures, ["role"], threshold=threshold)
    components.table(shown.display_rows(by_role), key="role_table")

st.header("What staff said")
st.caption("Only comments from staff who agreed to be quoted.")
chosen = filters.comment_filters(site_names, cached(store, periods, "staff"), "staff_comment")
components.comments(cached(store, sf.comments, **chosen))
