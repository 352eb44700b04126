"""Browser: a director opens the Making it Happen view for one site, reads a figure off the
screen, downloads the meeting pack and follows a link to the evidence behind a figure."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.harness import open_store, streamlit_server, wait_for_app
from tests.meeting.test_meeting import load_meeting_data

pytestmark = pytest.mark.browser


def test_meeting_view_figure_pack_and_link(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    store = open_store(db)
    load_meeting_data(store, random.Random(1234))
    store.close()
    with streamlit_server(db) as url:
        # A fresh server spends its first run leaving Streamlit's pages/ folder mode.
        page.goto(url)
        page.get_by_role("heading", name="Three Conversations evaluation").wait_for()
        page.goto(f"{url}/meeting?site=North")
        wait_for_app(page)
        page.get_by_role("heading", name="Making it Happen").first.wait_for()
        metric = page.locator("[data-testid='stMetric']", has_text="Treated well: yes")
        assert "60.0%" in metric.inner_text()
        page.get_by_text("The Conversation 1 bulge is growing").wait_for()
        assert "from=2025-03-04" in page.url and "site=North" in page.url

        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download the meeting pack (PDF)").click()
        assert download.value.suggested_filename == "making-it-happen-2025-03-04-to-2025-03-31.pdf"
        document = Path(download.value.path()).read_bytes()
        reader = PdfReader(io.BytesIO(document))
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        assert "Sites North" in text and "60.0%" in text and "£" in text
        assert f"Page 1 of {len(reader.pages)}" in text

        page.get_by_role("link", name="Open Money and resources for these sites and dates").click()
        page.get_by_role("heading", name="Money and resources").wait_for(timeout=30_000)
        wait_for_app(page)
        assert "site=North" in page.url and "from=2025-03-04" in page.url
        page.get_by_text("Showing: sites: North; from 04/03/2025 to 31/03/2025").wait_for()
