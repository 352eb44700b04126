"""Browser: a director opens the Making it Happen view for one site, reads a figure off the
screen, downloads the meeting pack and follows a link to the evidence behind a figure."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from evaluation.ingest.sample_loader import load_sample
from tests.harness import open_on_fresh_server, open_store, streamlit_server, wait_for_app
from tests.meeting.test_meeting import load_meeting_data

pytestmark = pytest.mark.browser


def test_meeting_view_figure_pack_and_link(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    store = open_store(db)
    load_meeting_data(store, random.Random(1234))
    store.close()
    with streamlit_server(db) as url:
        open_on_fresh_server(page, url, "meeting?site=North")
        page.get_by_role("heading", name="Making it Happen").first.wait_for()
        headline = page.locator("[class*='st-key-headline_people']")
        headline.locator("[data-testid='stMetricValue']").wait_for()
        assert "Treated well: yes" in headline.inner_text() and "60.0%" in headline.inner_text()
        page.get_by_role("radio", name="What needs attention (4)", checked=True).wait_for()
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

        page.get_by_role("radio", name="Money and resources").click()
        page.get_by_role("link", name="Open Money and resources for these sites and dates").click()
        page.get_by_role("heading", name="Money and resources").wait_for(timeout=30_000)
        wait_for_app(page)
        assert "site=North" in page.url and "from=2025-03-04" in page.url
        page.get_by_text("Showing: sites: North; from 04/03/2025 to 31/03/2025").wait_for()


def test_the_first_screen_answers_on_the_sample_at_1366_by_768(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    """What a director reads on a laptop before scrolling: the four headlines, each with its
    figure, change, usual practice, interval and sentence, all inside the window."""
    db = tmp_path / "sample.duckdb"
    store = open_store(db)
    load_sample(store, today=date.today())
    store.close()
    with streamlit_server(db) as url:
        open_on_fresh_server(page, url, "meeting")
        cards = page.locator("[class*='st-key-headline_']")
        cards.last.locator("[data-testid='stMetricValue']").wait_for()
        page.wait_for_timeout(500)  # the page's last elements settle
        assert cards.count() == 4
        window = page.viewport_size
        assert window == {"width": 1366, "height": 768}
        read = {}
        for index in range(4):
            card = cards.nth(index)
            box = card.bounding_box()
            assert box is not None and box["y"] >= 0
            assert box["y"] + box["height"] <= window["height"], card.inner_text()
            read[index] = " ".join(card.inner_text().split())
        assert read[0].startswith("People and families Treated well: yes 84.6%")
        assert "+1.3 points" in read[0] and "Usual practice: 90.0%" in read[0]
        assert "95% interval 57.8% to 95.7%" in read[0]
        assert "said they were treated well: up 1.3 points on the previous period." in read[0]
        assert read[1].startswith("Staff experience Time with people (mean %) 63.5%")
        assert "Usual practice: 33.4%" in read[1]
        assert read[2].startswith("Money and resources Difference from usual practice")
        assert "-£20" in read[2] and "95% interval -£35 to -£5" in read[2]
        assert "Care costs about £20 a week less per person than with usual practice" in read[2]
        assert read[3].startswith("Conversations Conversation 1s underway for more than 28 days")
        # nothing in a card is cut short: every text fits its own box
        clipped = page.evaluate(
            """() => [...document.querySelectorAll("[class*='st-key-headline_'] p, """
            """[class*='st-key-headline_'] [data-testid='stText']")]
                .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
        )
        assert clipped == []
        pack = page.get_by_role("button", name="Download the meeting pack (PDF)")
        box = pack.bounding_box()
        assert box is not None and box["y"] + box["height"] <= window["height"]
