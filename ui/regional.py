"""The region comparison block of the Money page: upload the published figures, see them
charted council against region (``ingest.regional`` checks and stores, ``store.regional``
reads, ``present.trend_charts`` draws)."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from evaluation.ingest import regional
from evaluation.present.money import regional_rows
from evaluation.present.trend_charts import regional_charts
from evaluation.store.connection import Store
from evaluation.store.figures import cached
from evaluation.store.regional import regional_figures
from ui import components
from ui.session import current_user


def show(store: Store, key: str = "regional") -> None:
    st.header("Comparison with the region")
    st.write(
        "The published figures (NHS England SALT returns), council against region, year by "
        "year. Upload a small CSV with the columns year, measure, council_value, region_value."
    )
    left, right = st.columns([3, 2])
    with right:
        st.download_button(
            "Download the template",
            regional.template_csv(),
            file_name="regional-figures-template.csv",
            mime="text/csv",
        )
        st.caption("The layout, with made-up figures:")
        components.table(
            pd.DataFrame(regional.EXAMPLE, columns=list(regional.COLUMNS)).to_dict("records")
        )
    with left:
        upload = st.file_uploader("Regional figures CSV", type=["csv"], key=f"{key}_upload")
        if upload is not None:
            checked = regional.check_regional(upload.getvalue(), upload.name)
            if checked.problems:
                st.error(f"{len(checked.problems)} problem(s) found: nothing was stored.")
                components.table([asdict(p) for p in checked.problems])
            elif st.button(f"Import {len(checked.figures)} figure(s)", key=f"{key}_import"):
                added, replaced = regional.store_regional(store, checked, current_user())
                st.success(f"Stored: {added} added, {replaced} replaced.")
    figures = cached(store, regional_figures)
    if not figures:
        st.info("No regional figures yet: download the template, fill it in and upload it.")
        return
    st.subheader("Council and region, by measure")
    for measure, chart in regional_charts(figures):
        st.text(measure)  # the measure's name is typed by the user: plain text only
        st.altair_chart(chart, width="stretch")
    components.table(regional_rows(figures))
