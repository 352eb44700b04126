"""Every page, as a person's browser sees it: nothing asked of any other host, and axe finds no
serious or critical accessibility failure in the dashboard's own markup.

The one rule axe reports that is Streamlit's own: its sidebar navigation puts section headings
(``<div>``) between the items of a ``<ul>`` (rules ``list`` and ``listitem``); the README names it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe

from evaluation.ingest.sample_loader import load_sample
from tests.harness import open_store, streamlit_server, wait_for_app
from ui.navigation import PAGES

pytestmark = pytest.mark.browser

STREAMLITS_OWN = '[data-testid="stSidebarNavItems"]'
PAGE_PATHS = [spec.url_path for specs in PAGES.values() for spec in specs]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("every") / "evaluation.duckdb"
    store = open_store(db)
    load_sample(store)
    store.close()
    with streamlit_server(db) as url:
        yield url


def _ours(page, violation: dict) -> list[str]:  # type: ignore[no-untyped-def]
    """The nodes of a violation outside Streamlit's own navigation markup."""
    return [
        node["html"][:120]
        for node in violation["nodes"]
        if not page.evaluate(
            "([target, own]) => !!document.querySelector(target)?.closest(own)",
            [node["target"][-1], STREAMLITS_OWN],
        )
    ]


@pytest.mark.parametrize("path", PAGE_PATHS, ids=lambda p: p or "home")
def test_a_page_asks_no_other_host_and_passes_axe(served: str, browser, path: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if not request.url.startswith((served, "data:", "blob:"))
            else None
        ),
    )
    try:
        page.goto(f"{served}/{path}")
        wait_for_app(page)
        page.locator("h1").first.wait_for()
        page.wait_for_timeout(800)  # charts draw after the script run
        # No run under way and nothing still faded as stale from a rerun (axe would measure
        # its faded colours).
        page.wait_for_function(
            "() => !document.querySelector(\"[data-testid='stStatusWidget']\")"
            " && !document.querySelector('[data-stale=\"true\"]')"
        )
        result = Axe().run(page)
        serious = {
            v["id"]: _ours(page, v)
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")
        }
    finally:
        context.close()
    assert elsewhere == []
    assert {rule: nodes for rule, nodes in serious.items() if nodes} == {}
