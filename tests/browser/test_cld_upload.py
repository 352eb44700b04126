"""Browser: an admin imports a Client Level Data extract through the real Upload page, at a
laptop's 1366×768, and nothing identifying reaches the server's log or the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.store import batches
from tests.fixtures import cld_rules as fx
from tests.harness import open_store, streamlit_server, wait_for_app
from tests.ingest.test_cld_privacy import leaks, store_bytes

pytestmark = pytest.mark.browser


def test_the_upload_page_asks_for_districts_shows_the_extract_and_imports_it(
    tmp_path: Path, browser
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    open_store(db).close()
    extract = tmp_path / "cld-extract.csv"
    extract.write_bytes(fx.rules_extract())
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        with streamlit_server(db) as url:
            page.goto(f"{url}/upload")
            wait_for_app(page)
            page.locator("input[type='file']").set_input_files(str(extract))
            page.get_by_text("First, which postcode districts").wait_for(timeout=30_000)
            assert (
                page.get_by_role("button", name="Import the Client Level Data extract").count() == 0
            )
            page.get_by_role("textbox", name="Innovation sites and their postcode districts").fill(
                "Medway innovation team=ME4,ME5"
            )
            page.get_by_role("button", name="Save the sites").click()
            page.get_by_text(
                "No problems: 41 row(s) make 12 conversation(s) and 19 care package(s)."
            ).wait_for(timeout=30_000)
            for heading in (
                "Rows by Event Type",
                "Rows left out, and why",
                "What the import makes",
            ):
                assert page.get_by_role("heading", name=heading).is_visible()
            texts = " ".join(page.locator("[data-testid='stText']").all_inner_texts())
            assert "Medway innovation team: ME4, ME5" in texts
            button = page.get_by_role("button", name="Import the Client Level Data extract")
            button.scroll_into_view_if_needed()
            box = button.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1366  # no sideways scrolling
            button.click()
            page.get_by_text("Import finished.").wait_for(timeout=30_000)
            shown = " ".join(page.locator("[data-testid='stText']").all_inner_texts())
            assert "conversations 12 added" in shown and "care packages 19 added" in shown
            assert leaks(page.content()) == []
    finally:
        context.close()
    log = db.with_suffix(".server.log").read_text()
    assert leaks(log) == []
    assert leaks(store_bytes(db)) == []
    store = open_store(db)
    assert batches.count(store, "conversations") == 12
    assert batches.count(store, "care_packages") == 19
    store.close()
