"""Browser: a site lead maps an export with its own headings and words on the Upload page —
columns, values, a name — imports it, and the next week's file is read with the saved
profile at once (Chromium at 1366×768, against ``streamlit run``)."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from evaluation.ingest.mapping_profile import parse_profile
from evaluation.ingest.mapping_saved import find_profile
from evaluation.store import batches
from tests.harness import open_store, streamlit_server, wait_for_app
from tests.pages.test_mapping import FILE, LATER

pytestmark = pytest.mark.browser
PROFILE_NAME = "Mosaic steps report"


@pytest.fixture
def small_page(browser):  # type: ignore[no-untyped-def]
    """A page at the 1366×768 of a council laptop."""
    with closing(browser.new_context(viewport={"width": 1366, "height": 768})) as context:
        yield context.new_page()


def settle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait for the rerun a widget change starts to begin and to end."""
    page.wait_for_timeout(400)
    wait_for_app(page)


def _pick(page, label: str, option: str, *, many: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Open a selectbox's or (``many``) a multiselect's list and click one option, as a
    person does. A rerun still redrawing the page may close the list under the pointer:
    then open it again (a click, and the down arrow if the click only focused it)."""
    box = page.get_by_role("combobox", name=label, exact=True)
    listbox = (
        page.locator(f"[role='listbox'][aria-label='{label}']")
        if many
        else page.get_by_role("listbox")
    )
    for attempt in range(4):
        try:
            box.click()  # scrolls it into view, waiting while a rerun redraws it
            if not listbox.is_visible():
                box.press("ArrowDown")
            listbox.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            return
        except PlaywrightTimeout:
            if attempt == 3:
                raise
            page.keyboard.press("Escape")
            wait_for_app(page)


def choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick one option of a selectbox, as a person does: open it, click the option."""
    _pick(page, label, option)
    settle(page)
    assert page.get_by_role("combobox", name=label, exact=True).input_value() == option


def add(page, label: str, word: str) -> None:  # type: ignore[no-untyped-def]
    """Add a word to a multiselect; wait until the page no longer lists it as not chosen."""
    _pick(page, label, word, many=True)
    page.keyboard.press("Escape")
    settle(page)
    page.wait_for_function(
        """word => ![...document.querySelectorAll("[data-testid='stText']")].some(
            e => e.innerText.startsWith("Not chosen yet") && e.innerText.includes(word))""",
        arg=word,
    )


def test_an_export_is_mapped_once_and_the_next_file_is_read_with_its_profile(
    tmp_path: Path, small_page
) -> None:  # type: ignore[no-untyped-def]
    page = small_page
    db = tmp_path / "browser.duckdb"
    open_store(db).close()
    first, later = tmp_path / "steps-week-1.csv", tmp_path / "steps-week-2.csv"
    first.write_bytes(FILE)
    later.write_bytes(LATER)
    with streamlit_server(db) as url:
        page.goto(f"{url}/upload")
        wait_for_app(page)
        page.locator("input[type='file']").first.set_input_files(str(first))
        page.get_by_role("heading", name="Map your columns").wait_for(timeout=30_000)
        wait_for_app(page)
        # Suggested from the headings' names: the ids, the team, the request category.
        assert page.get_by_role("combobox", name="person_id (required)").input_value() == (
            "Client No"
        )
        assert page.get_by_role("combobox", name="site (required)").input_value() == "Team"
        choose(page, "approach (required)", "Way Of Working")
        choose(page, "conversation", "Step Name")
        choose(page, "long_term_support", "Step Outcome")
        page.get_by_text("Not chosen yet: Care Management").wait_for()
        add(page, "approach: usual practice", "Care Management")
        add(page, "conversation: blank", "Assessment (Care Act)")
        add(page, "request_type: existing", "Review")
        add(page, "long_term_support: yes", "Long Term Support Arranged")
        add(page, "long_term_support: no", "Info & Advice")
        wait_for_app(page)
        assert page.get_by_text("Not chosen yet").count() == 0

        name = page.get_by_role("textbox", name="Save the profile as")
        name.scroll_into_view_if_needed()
        name.fill(PROFILE_NAME)
        name.press("Enter")
        settle(page)
        page.get_by_role("button", name="Save the profile and read the file").click()
        page.get_by_text("Saved the mapping profile; the file was read again.").wait_for()
        page.get_by_text(f"Read with the mapping profile: {PROFILE_NAME}").wait_for()
        page.get_by_text("No problems: 3 row(s) ready to import.").wait_for()
        assert page.get_by_role("heading", name="Map your columns").count() == 0
        page.get_by_role("button", name="Import 1 file(s)").click()
        page.get_by_text("Import finished.").wait_for(timeout=30_000)
        summary = page.locator("[data-testid='stText']").filter(
            has_text=f"steps-week-1.csv (read with the mapping profile '{PROFILE_NAME}')"
        )
        assert ": conversations, batch B00001: 3 added" in summary.inner_text()

        # The next week's export, in a new visit: read with the saved profile at once.
        page.goto(f"{url}/upload")
        wait_for_app(page)
        page.locator("input[type='file']").first.set_input_files(str(later))
        page.get_by_text("No problems: 3 row(s) ready to import.").wait_for(timeout=30_000)
        page.get_by_text(f"Read with the mapping profile: {PROFILE_NAME}").wait_for()
        assert page.get_by_role("heading", name="Map your columns").count() == 0
        page.get_by_role("button", name="Import 1 file(s)").click()
        page.get_by_text("Import finished.").wait_for(timeout=30_000)

        # The profile, downloaded as the TOML file it is saved as.
        button = page.get_by_role("button", name="Download the profile (TOML)")
        button.scroll_into_view_if_needed()
        with page.expect_download() as download:
            button.click()
        assert download.value.suggested_filename == "Mosaic steps report.toml"
        downloaded = parse_profile(Path(download.value.path()).read_bytes())
    assert downloaded.name == PROFILE_NAME
    assert downloaded.values["approach"] == {
        "three conversations": ("3C Innovation Team",),
        "usual practice": ("Care Management",),
    }
    store = open_store(db)
    try:
        assert batches.count(store, "conversations") == 6
        profile = find_profile(store, PROFILE_NAME)
        assert profile == downloaded
    finally:
        store.close()
