"""Browser: a site lead uploads a file through the real Upload page and reads the result."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.store import batches
from tests.harness import open_store, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

GOOD = (
    b"conversation_id,person_id,site,approach,conversation,request_type,started_on,ended_on\r\n"
    b"BR1,PERSON-RAW-1,North,three conversations,1,new,05/03/2024,19/03/2024\r\n"
    b"BR2,PERSON-RAW-2,North,usual practice,,existing,06/03/2024,\r\n"
)
BAD = b"Feedback ID,Site,Received On\r\nF1,North,12/31/2023\r\n"


def test_upload_page_imports_a_file_and_confirms(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    open_store(db).close()
    good = tmp_path / "conversations.csv"
    good.write_bytes(GOOD)
    with streamlit_server(db) as url:
        page.goto(f"{url}/upload")
        wait_for_app(page)
        page.locator("input[type='file']").set_input_files(str(good))
        page.get_by_text("No problems: 2 row(s) ready to import.").wait_for(timeout=30_000)
        page.get_by_role("button", name="Import 1 file(s)").click()
        page.get_by_text("Import finished.").wait_for(timeout=30_000)
        texts = page.locator("[data-testid='stText']").all_inner_texts()
        assert any("2 added, 0 replaced" in t for t in texts), texts
        # imported: the button is gone, and the history reads in words and UK dates
        assert page.get_by_role("button", name="Import 1 file(s)").count() == 0
        page.get_by_text("Imported already (see the import history below):").wait_for()
        history = page.locator("[data-testid='stDataFrame']").last
        history.scroll_into_view_if_needed()
        # the same file once more: it is checked again, and the page says nothing changed
        page.locator("input[type='file']").set_input_files([])
        page.locator("input[type='file']").set_input_files(str(good))
        page.get_by_role("button", name="Import 1 file(s)").click()
        page.get_by_text("Nothing changed: every row was already stored just as it is").wait_for(
            timeout=30_000
        )
    store = open_store(db)
    assert batches.count(store, "conversations") == 2
    store.close()


def test_upload_page_lists_problems_and_stores_nothing(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    open_store(db).close()
    bad = tmp_path / "feedback.csv"
    bad.write_bytes(BAD)
    with streamlit_server(db) as url:
        page.goto(f"{url}/upload")
        wait_for_app(page)
        page.locator("input[type='file']").set_input_files(str(bad))
        page.get_by_text("1 problem(s) found").wait_for(timeout=30_000)
        # the whole message, under the file's own heading, the value as it was
        line = page.get_by_text('Row 2, Received On, "12/31/2023": ')
        line.wait_for()
        assert "dd/mm/yyyy" in line.inner_text() or "date" in line.inner_text()
        assert page.get_by_role("button", name="Import 1 file(s)").count() == 0
    store = open_store(db)
    assert batches.count(store, "feedback") == 0
    store.close()


def test_a_long_import_shows_its_progress(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    from bench.generate import write

    files = write(tmp_path / "big", 150_000)
    db = tmp_path / "browser.duckdb"
    open_store(db).close()
    with streamlit_server(db) as url:
        page.goto(f"{url}/upload")
        wait_for_app(page)
        # Every progress text the page shows is recorded as it appears: the import is quick
        # enough that a bar may be gone before a poll would see it.
        page.evaluate(
            """() => {
                window.progressSeen = [];
                new MutationObserver(() => {
                    for (const bar of document.querySelectorAll("[data-testid='stProgress']")) {
                        window.progressSeen.push(bar.innerText);
                    }
                }).observe(document.body, {childList: true, subtree: true, characterData: true});
            }"""
        )
        page.locator("input[type='file']").set_input_files(str(files["conversations"]))
        page.get_by_text("No problems: 150000 row(s) ready to import.").wait_for(timeout=120_000)
        seen = page.evaluate("window.progressSeen")
        assert any("Checking every value" in t or "Reading" in t for t in seen), seen
        page.get_by_role("button", name="Import 1 file(s)").click()
        page.get_by_text("Import finished.").wait_for(timeout=120_000)
        seen = page.evaluate("window.progressSeen")
        assert any("File 1 of 1" in t for t in seen), seen
        assert "150000 added" in page.locator("[data-testid='stText']").all_inner_texts()[-1]
