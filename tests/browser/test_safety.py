"""Browser: a site lead's session against the real dashboard, signed in through a real
OpenID Connect provider (the ``dashboard`` of test_auth: North's and South's conversations,
a site lead for North).

- Uploading South's conversation id under North's name through the Upload page is refused,
  naming the id, and South's row is untouched.
- The person-level list behind a cost-change figure is made only when its button is clicked:
  its ``/media/…`` address answers nothing before the click, and nothing a few seconds after
  the download, to a request that carries no cookie at all. (Streamlit's media store asks for
  no cookie: what it still allows is in the README.)
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from evaluation.store.query import rows
from tests.browser.test_auth import HEADER, Dashboard, body, sign_in
from tests.browser.test_auth import dashboard as dashboard  # the module's fixture
from tests.harness import open_store, wait_for_app

pytestmark = pytest.mark.browser

REUSING_SOUTHS_ID = HEADER + "S1,P7,North,3Cs,1,new,09/03/2024,10/03/2024,10,20\r\n"


def status_without_cookie(url: str) -> int:
    """What the address answers to a plain request: no cookie, no session."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_site_lead_reusing_another_sites_id_is_refused_naming_it(
    dashboard: Dashboard,
    page,  # type: ignore[no-untyped-def]
) -> None:
    reuse = dashboard.files / "reuse.csv"
    reuse.write_text(REUSING_SOUTHS_ID)
    sign_in(page, dashboard, "lead")
    page.goto(f"{dashboard.url}/upload")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files(str(reuse))
    page.get_by_text("1 problem(s) found: nothing from this file will be stored.").wait_for(
        timeout=30_000
    )
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    assert page.get_by_role("button", name="Import 1 file(s)").count() == 0
    assert "No problems" not in body(page)
    # The problem names the id and whose it is (the grid draws on a canvas: read its CSV).
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the problems as CSV").click()
    problems = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "conversation_id,S1," in problems
    assert "already stored for South, which is not one of your sites" in problems
    store = open_store(dashboard.db)
    assert rows(store, "SELECT site FROM conversations WHERE conversation_id = 'S1'") == [
        ("South",)
    ]
    assert rows(store, "SELECT count(*) FROM conversations_replaced") == [(0,)]
    store.close()


def _choose_a_row(page) -> None:  # type: ignore[no-untyped-def]
    box = page.get_by_role("combobox", name="Row")
    box.click()
    page.keyboard.type("Conversations")
    page.keyboard.press("Enter")


def _download_requests(page, site: Dashboard) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    """Open the requests behind the first column's figure and download them."""
    page.goto(f"{site.url}/cost-change")
    wait_for_app(page)
    _choose_a_row(page)
    button = page.get_by_role("button", name="Download these requests (CSV)")
    button.wait_for(timeout=30_000)
    wait_for_app(page)
    with page.expect_download() as download:
        button.click()
    return download.value.url, Path(download.value.path()).read_bytes()


def test_a_person_level_download_is_made_on_the_click_and_gone_seconds_later(
    dashboard: Dashboard,
    page,  # type: ignore[no-untyped-def]
) -> None:
    sign_in(page, dashboard, "lead")
    address, data = _download_requests(page, dashboard)
    assert "/media/" in address and b"person" in data.lower()
    assert b"P1" not in data  # pseudonyms only, never the source system's ids
    deadline = time.monotonic() + 30
    while status_without_cookie(address) == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status_without_cookie(address) == 404  # forgotten within seconds

    # The same view drawn again, in a fresh session: the file (the same bytes, so the same
    # address) does not exist until the button is clicked.
    page.reload()
    wait_for_app(page)
    _choose_a_row(page)
    page.get_by_role("button", name="Download these requests (CSV)").wait_for(timeout=30_000)
    wait_for_app(page)
    time.sleep(1)
    assert status_without_cookie(address) == 404
    again, same = _download_requests(page, dashboard)
    assert (again, same) == (address, data)
