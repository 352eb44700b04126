"""The Money and resources page's own blocks: reablement and request types, direct payments.

Each block takes its figures through ``cached`` from the same functions the reports call
(``report conversion --by request_type,approach``, ``report direct-payments``) and shows them
with ``present.money_charts``. Area and site names are free text: they reach the screen only
in dataframes, widgets and ``st.text``.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from evaluation.measures.conversion import conversions
from evaluation.measures.direct_payments import default_days
from evaluation.measures.direct_payments import direct_payments as share_by_payment
from evaluation.measures.overview import data_as_of
from evaluation.measures.selection import Selection
from evaluation.present import money_charts as shown
from evaluation.present.exports import to_csv
from evaluation.store.connection import Store
from evaluation.store.figures import cached
from ui import components, filters

SPLITS = (("approach",), ("request_type", "approach"))


def reablement_and_request_types(store: Store, selection: Selection, threshold: int) -> None:
    """Reablement beside conversion by approach (Medway §3.7), and the flow by request type."""
    by_approach, by_type = cached(store, conversions, selection, SPLITS, threshold=threshold)
    st.header("Reablement")
    st.write(
        "How many new requests were met with a short spell of reablement or ST-Max (a "
        "short-term package starting between the first conversation and 28 days after the "
        "last). Medway's innovation team put 22 in place for 388 new requests (5.6%) where "
        "usual practice reached 18%: other ways forward were found."
    )
    components.table(shown.reablement_rows(by_approach), key="money_reablement")
    st.caption(
        "Only short-term care packages (support 'short term') whose service mentions "
        "reablement or ST-Max count; cancelled ones don't. Rates are of new requests."
    )
    st.header("New and existing requests")
    st.write(
        "Requests from people with no long-term support yet ('new') and from people who "
        "already have care and support ('existing'): how many, how far their conversations "
        "went, and, for new requests, how many led to long-term support."
    )
    components.table(shown.request_type_rows(by_type), key="money_request_types")


def direct_payments(store: Store, selection: Selection, threshold: int) -> None:
    """Birmingham's direct payments by area on three dates: a table and a chart."""
    st.header("Direct payments")
    st.write(
        "Of the people with long-term support on a day, the share who take it as a direct "
        "payment, by area. Birmingham saw it rise in every constituency as conversations "
        "turned to what people wanted to arrange for themselves."
    )
    as_of = cached(store, data_as_of) or date.today()
    columns = st.columns(3)
    days = [
        column.date_input(
            f"Date {i + 1}",
            value=filters.linked_date(f"dp{i + 1}", default),
            format="DD/MM/YYYY",
            key=f"money_dp_{i + 1}",
        )
        or default
        for i, (column, default) in enumerate(zip(columns, default_days(as_of), strict=True))
    ]
    found = cached(store, share_by_payment, days, ("area",), selection, threshold=threshold)
    if not found:
        st.info("Nobody had a long-term care package active on these dates.")
        return
    rows = shown.direct_payment_rows(found)
    components.table(rows, key="money_direct_payments")
    chart = shown.direct_payment_chart(found)
    if chart is not None:
        components.chart(chart, shown.describe_direct_payments(found))
    st.caption(
        "A person's area on a day is that of their latest conversation started by then. An "
        f"area with fewer than {threshold} people with long-term support shows its counts only."
    )
    components.download_csv(
        "Download direct payments as CSV",
        to_csv(
            [r.as_dict() for r in found],
            ["area", "on", "people", "direct_payment", "direct_payment_pct", "no_share_because"],
        ),
        "direct-payments-by-area.csv",
        key="money_dp_csv",
    )
