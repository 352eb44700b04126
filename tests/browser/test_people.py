"""Browser: People and families, Stories of difference and Staff experience in Chromium.

One ``streamlit run`` serves all three pages (the store is built once for the module). Each
test reads a figure off the screen and checks that markup in a comment arrives as text:
the literal characters are visible and no image, bold or link element was made from them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from tests.harness import open_store, streamlit_server, wait_for_app
from tests.measures.test_feedback import MARKUP, UNCONSENTED, UNSHARED, load_feedback
from tests.measures.test_staff import UNCONSENTED_STAFF, load_staff

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("people") / "browser.duckdb"
    store = open_store(db)
    load_feedback(store, random.Random(1234))
    load_staff(store, random.Random(1234))
    store.close()
    with streamlit_server(db) as url:
        yield url


def _open(page, url: str, path: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/{path}")
    wait_for_app(page)
    page.get_by_text("Signed in as").wait_for(timeout=30_000)  # app.py's frame is there


def _no_markup_made(page) -> None:  # type: ignore[no-untyped-def]
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("strong", has_text="bold").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("a", has_text="link").count() == 0


def test_people_page_figures_and_literal_comments(server: str, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server, "people")
    page.get_by_role("heading", name="People and families").wait_for()
    metric = page.locator("[data-testid='stMetric']", has_text="Treated well: yes")
    assert "58.3%" in metric.inner_text()  # the sites on show; East's four left out
    page.get_by_text("all shown groups; 1 group of fewer than 5 left out").first.wait_for()
    page.get_by_text("The chart in words").first.click()  # the words are one click away
    page.get_by_text("North, three conversations: 70.0% yes of 10 who answered").first.wait_for()
    page.get_by_role("tab", name="What people said").click()
    page.get_by_text(MARKUP, exact=True).wait_for()
    _no_markup_made(page)
    body = page.locator("body").inner_text()
    assert UNCONSENTED not in body and "Also unconsented" not in body
    assert "1.25" not in body  # the group of four's mean satisfaction


def test_stories_page_reads_literally(server: str, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server, "stories")
    page.get_by_text("A *carer* who could rest", exact=True).wait_for()
    page.get_by_text(f"Her son said: {MARKUP}", exact=True).wait_for()
    page.get_by_text("South · Conversation 2 · told 05/02/2025", exact=True).wait_for()
    assert page.locator("em", has_text="carer").count() == 0
    _no_markup_made(page)
    assert UNSHARED not in page.locator("body").inner_text()


def test_staff_page_time_with_people_and_comments(server: str, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server, "staff")
    page.get_by_role("heading", name="Staff experience").wait_for()
    page.get_by_text("The chart in words").first.click()  # the words are one click away
    said = page.get_by_text("North, three conversations: 60.1% with people", exact=False)
    said.first.wait_for()
    assert "39.9% on forms and systems (12 responses)" in said.first.inner_text()
    page.get_by_role("tab", name="What staff said").click()
    page.get_by_text(MARKUP, exact=True).wait_for()
    _no_markup_made(page)
    body = page.locator("body").inner_text()
    assert UNCONSENTED_STAFF not in body
    assert "11.3" not in body and "11.25" not in body
