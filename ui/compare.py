"""The like-for-like blocks of the Money and Cost change pages: is the difference real?

Two parts each: the groups standardised to usual practice's mix of people
(``measures.standardise``), and, for a site that changed approach on a date, the difference
over time against the usual-practice sites (``measures.over_time``); both worded by
``present.compare`` and explained in a "How this is worked out" expander. Group, site and
support-reason names are the user's own text: they reach the screen through ``st.text``,
widgets and dataframes only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from evaluation.measures.over_time import (
    REPLICATES,
    SEED,
    changed_sites,
    conversion_over_time,
    cost_over_time,
    suggested_change,
)
from evaluation.measures.selection import Selection
from evaluation.measures.standardise import (
    DEFAULT_STRATA,
    STRATA,
    standardised_conversion,
    standardised_cost_change,
)
from evaluation.measures.strata import CONVERSION, COST_CHANGE
from evaluation.measures.suppression import configured_threshold
from evaluation.present import compare as shown
from evaluation.store.connection import Store
from evaluation.store.figures import cached
from ui import components

COMPARE_BY = {"Each approach": ("approach",), "Each site": ("site",)}


def _standardised(store: Store, selection: Selection, measure: str, key: str) -> None:
    left, right = st.columns([3, 2])
    fields = left.multiselect(
        "Allow for differences in",
        list(STRATA),
        default=list(DEFAULT_STRATA),
        format_func=lambda f: shown.FIELD_LABELS[f].capitalize(),
        key=f"{key}_strata",
        help="Each group's figure is worked out as if it saw usual practice's mix of people "
        "by these fields.",
    )
    compare_by = right.radio("Compare", list(COMPARE_BY), horizontal=True, key=f"{key}_compare_by")
    if not fields:
        st.info("Choose at least one field to compare like for like.")
        return
    threshold = configured_threshold()
    func: Any = standardised_conversion if measure == CONVERSION else standardised_cost_change
    result = cached(
        store, func, selection, COMPARE_BY[compare_by], tuple(fields), threshold=threshold
    )
    if not result.groups:
        st.info("No requests match these filters.")
        return
    components.table(shown.comparison_rows(result), key=f"{key}_like_for_like")
    for group in result.groups:
        st.text(shown.verdict(group, result))
    st.caption(shown.coverage_note(result))
    compared = [g for g in result.groups if not g.is_reference and not g.too_small]
    if compared:
        with st.expander("The groups of people compared: weights and requests"):
            labels = [g.label for g in compared]
            chosen = st.selectbox("Show", labels, key=f"{key}_strata_group")
            group = compared[labels.index(chosen)] if chosen in labels else compared[0]
            components.table(shown.strata_rows(group, result), key=f"{key}_strata_table")


def _over_time(store: Store, selection: Selection, measure: str, key: str) -> None:
    sites = cached(store, changed_sites)
    if not sites:
        st.info("No site has three-conversations requests to compare over time.")
        return
    preset = [s for s in sites if s in selection.sites]
    left, right = st.columns(2)
    site = left.selectbox(
        "Site that changed approach",
        sites,
        index=sites.index(preset[0]) if preset else 0,
        key=f"{key}_over_time_site",
    )
    suggested = cached(store, suggested_change, site) or date.today()
    changed = right.date_input(
        "The day it changed",
        value=suggested,
        format="DD/MM/YYYY",
        key=f"{key}_over_time_on_{sites.index(site)}",
        help="It starts on the site's first three-conversations conversation when it had "
        "others before; otherwise in the middle of its conversations, to test any date.",
    )
    func: Any = conversion_over_time if measure == CONVERSION else cost_over_time
    found = cached(store, func, site, changed or suggested, selection)
    components.table(shown.over_time_rows(found), key=f"{key}_over_time")
    st.text(shown.over_time_verdict(found))
    st.caption(shown.over_time_caption(found))


def comparison(store: Store, selection: Selection, measure: str, key: str) -> None:
    """Like for like with usual practice, the difference over time, and how both are done."""
    _standardised(store, selection, measure, key)
    st.subheader("Difference over time against usual practice")
    _over_time(store, selection, measure, key)
    with st.expander("How this is worked out"):
        threshold = configured_threshold()
        st.markdown(shown.METHOD.format(threshold=threshold))
        st.markdown(
            shown.OVER_TIME_METHOD.format(replicates=REPLICATES, seed=SEED, threshold=threshold)
        )
        st.markdown("The method, with a worked example on the sample, is in docs/method.md.")


def conversion(store: Store, selection: Selection) -> None:
    """The Money page's block: conversion like for like and over time."""
    comparison(store, selection, CONVERSION, "money")


def cost_change(store: Store, selection: Selection) -> None:
    """The Cost change page's block: the average change like for like and over time."""
    comparison(store, selection, COST_CHANGE, "cc")
