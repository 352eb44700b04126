"""A link a director was sent opens that page even on a server that has just started.

Streamlit treats a ``pages/`` folder as old folder navigation until app.py has run once in the
process, so each test starts its own fresh server and opens the deep link first."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.ingest.sample_loader import load_sample
from tests.harness import open_store, streamlit_server

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("path", "title"), [("cost-change", "Cost change"), ("money", "Money and resources")]
)
def test_a_deep_link_on_a_fresh_server_opens_its_page_in_the_app_frame(
    tmp_path: Path, page, path: str, title: str
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "deep.duckdb"
    store = open_store(db)
    load_sample(store)
    store.close()
    with streamlit_server(db) as url:
        page.goto(f"{url}/{path}")
        page.get_by_role("heading", name=title, level=1).wait_for(timeout=60_000)
        nav = page.locator("[data-testid='stSidebarNav']")
        nav.get_by_text("Making it Happen").wait_for(timeout=30_000)  # app.py's navigation
        assert "common" not in nav.inner_text()  # not Streamlit's file list
        assert page.url.rstrip("/").endswith(path)
