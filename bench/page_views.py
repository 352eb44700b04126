"""What the page tasks of ``bench.tasks`` need to know of the app: its pages, their task
names, and how to choose a view nobody has opened yet in a page's own filters."""

from __future__ import annotations

from typing import Any


def app_pages() -> list[tuple[str, str, str]]:
    """(script, url_path, title) of every page of app.py's navigation (``ui.navigation``)."""
    from ui.navigation import PAGES

    return [(s.path, s.url_path, s.title) for specs in PAGES.values() for s in specs]


def page_task_name(url_path: str) -> str:
    return f"page:{url_path or 'home'}"


def another_site(at: Any) -> bool:
    """Choose another site in the page's site filter (False: the page has none)."""
    for box in at.multiselect:
        if box.label == "Sites" and box.options:
            box.set_value([box.options[-1]] if box.value != [box.options[-1]] else [])
            return True
    for box in at.selectbox:
        if box.label == "Site" and len(box.options) > 1:
            box.set_value(box.options[1] if box.value != box.options[1] else box.options[0])
            return True
    return False


def another_period(at: Any) -> bool:
    """Start the page's period four weeks earlier, or twelve weeks before the data's end
    where it shows all time (False: the page has no period)."""
    from datetime import timedelta

    from bench.generate import AS_OF

    for box in at.date_input:
        if box.key and box.key.endswith("_from"):
            start = box.value or AS_OF - timedelta(weeks=8)
            box.set_value(start - timedelta(days=28))
            return True
    return False
