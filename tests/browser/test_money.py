"""Browser: a site lead reads Medway's figures off the Money and resources and Conversations pages."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from evaluation.ingest.importer import import_files
from tests.harness import open_store, streamlit_server, wait_for_app
from tests.measures.test_activity import started
from tests.measures.test_conversion import csv_bytes, medway_rows
from tests.pages.test_money import business_as_usual_rows

pytestmark = pytest.mark.browser


def metric(page, label: str, timeout: float = 30.0) -> str:  # type: ignore[no-untyped-def]
    """The value shown in the metric whose label is exactly ``label`` (waits for it)."""
    deadline = time.monotonic() + timeout
    while True:
        for box in page.locator("[data-testid='stMetric']").all():
            shown = box.locator("[data-testid='stMetricLabel']").inner_text().strip()
            if shown == label:
                return box.locator("[data-testid='stMetricValue']").inner_text().strip()
        if time.monotonic() > deadline:
            raise AssertionError(f"no metric labelled {label!r}")
        page.wait_for_timeout(200)


def open_page(page, url: str, path: str) -> None:  # type: ignore[no-untyped-def]
    """Open the home page first, then the page's own link.

    Until the entry script has run once in a fresh server, Streamlit treats a deep link as a
    legacy ``pages/`` page and runs it without ``app.py`` (no navigation, no store lease).
    """
    page.goto(url)
    page.get_by_role("link", name="Money and resources").wait_for(timeout=30_000)
    page.goto(f"{url}/{path}")
    wait_for_app(page)
    page.get_by_role("link", name="Money and resources").wait_for(timeout=30_000)


def test_money_page_shows_medways_conversion_and_the_estimate(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    store = open_store(db)
    rows = medway_rows() + business_as_usual_rows()
    import_files(store, [("medway.csv", csv_bytes(rows))], as_of=date(2018, 5, 31))
    store.close()
    with streamlit_server(db) as url:
        open_page(page, url, "money")
        page.get_by_role("heading", name="Conversion into long-term support").wait_for()
        assert metric(page, "Three conversations") == "5.15%"
        assert metric(page, "Usual practice") == "7.00%"
        cost = page.get_by_role("spinbutton", name="Average weekly package cost, £")
        cost.fill("250")
        cost.press("Enter")
        page.get_by_text("about £93,000").wait_for(timeout=30_000)
        wait_for_app(page)
        assert metric(page, "Fewer people needing long-term support (estimate)") == "about 7"
        assert metric(page, "Cost avoided a year (estimate)") == "about £93,000"


def test_conversations_page_shows_the_flow_and_the_bulge(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    store = open_store(db)
    rows = medway_rows() + [
        started(d, site="Northfield", conversation_id=f"N{d}", person_id=f"N{d}")
        for d in (30, 33, 40)
    ]
    import_files(store, [("c.csv", csv_bytes(rows))], as_of=date(2024, 6, 30))
    store.close()
    with streamlit_server(db) as url:
        open_page(page, url, "conversations?site=ME4%20innovation%20team&site=Northfield")
        page.get_by_role("heading", name="From Conversation 1 to 2 to 3").wait_for()
        assert metric(page, "Conversation 1") == "391"
        assert metric(page, "Reached Conversation 2") == "29"
        assert metric(page, "Reached Conversation 3") == "19"
        assert metric(page, "Led to long-term support") == "20"
        warning = page.get_by_text("Conversation 1s underway for more than 28 days rose from")
        assert "rose from 1 on 23/06/2024 to 3 on 30/06/2024" in warning.inner_text()
