"""A link from the Making it Happen page opens the people, staff and stories pages on its site."""

from __future__ import annotations

import pytest

from evaluation.ingest.sample_loader import load_sample
from evaluation.store.connection import Store

SITE = "Riverside innovation site"


@pytest.mark.parametrize(
    ("page", "key"),
    [
        ("pages/stories.py", "story_site"),
        ("pages/people.py", "comment_site"),
        ("pages/people.py", "people_site"),
        ("pages/staff.py", "staff_site"),
    ],
)
def test_the_site_in_the_link_is_chosen(store: Store, app_test, page: str, key: str) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    at = app_test()
    at.query_params["site"] = SITE
    at.switch_page(page).run()
    assert not at.exception
    assert at.selectbox(key=key).value == SITE


def test_without_a_site_in_the_link_all_sites_are_shown(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    at = app_test("pages/stories.py")
    assert at.selectbox(key="story_site").index == 0
