"""Fixtures: a fresh store per test, the sample files, and one Chromium per session."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluation.store.connection import Store
from tests.harness import CHROMIUM, CHROMIUM_ARGS, ROOT, TEST_KEY, open_store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store" / "evaluation.duckdb"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def rng() -> random.Random:
    return random.Random(1234)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return ROOT / "sample_data"


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def app_test(monkeypatch: pytest.MonkeyPatch, db_path: Path):  # type: ignore[no-untyped-def]
    """Make an AppTest of the whole app (navigation included) against this test's store.

    ``app_test("pages/upload.py")`` runs the app, switches to that page and returns the
    AppTest; the store is the same file the ``store`` fixture opens.
    """
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("EVALUATION_DB", str(db_path))
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("EVALUATION_SAMPLE", "off")
    monkeypatch.setenv("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")  # tests read the real error

    def make(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for name, value in (query or {}).items():
            at.query_params[name] = value
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return make
