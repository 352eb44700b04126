"""A link a director was sent opens that page, with its filters, on a server just started.

Streamlit treats a ``pages/`` folder as its old folder navigation until app.py has run once in
the process (``ui.navigation``), so each case starts its own fresh server and opens the link
first. This fails the day Streamlit changes underneath the way round it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.ingest.sample_loader import load_sample
from tests.harness import open_store, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

CASES = [
    ("cost-change", "Cost change", "Showing: everything in the store"),
    (
        "money?site=Riverside%20innovation%20site&from=2025-06-01&to=2025-12-31",
        "Money and resources",
        "Showing: sites: Riverside innovation site; from 01/06/2025 to 31/12/2025",
    ),
    ("people?site=Central%20locality%20team", "People and families", "People and families"),
]


@pytest.mark.parametrize(("link", "title", "shows"), CASES, ids=[c[0].split("?")[0] for c in CASES])
def test_a_deep_link_on_a_fresh_server_opens_its_page_in_the_app_frame(
    tmp_path: Path, page, link: str, title: str, shows: str
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "deep.duckdb"
    store = open_store(db)
    load_sample(store)
    store.close()
    with streamlit_server(db) as url:
        page.goto(f"{url}/{link}")
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
        nav = page.locator("[data-testid='stSidebarNav']")
        nav.get_by_text("Making it Happen").wait_for(timeout=30_000)  # app.py's navigation
        assert "common" not in nav.inner_text() and "navigation" not in nav.inner_text()
        wait_for_app(page)
        page.get_by_text(shows).first.wait_for(timeout=30_000)
        path, _, query = link.partition("?")
        assert page.url.split("?")[0].rstrip("/").endswith(path)
        for part in query.split("&") if query else ():
            assert part.split("=")[0] + "=" in page.url
