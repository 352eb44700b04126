"""New views in Chromium: each page of the dashboard opened on a running server, then another
site chosen in its own filter, timed to the moment the figures are drawn.

    python -m bench.browser_views                      # 1,000,000 conversations
    python -m bench.browser_views --size 100000 --json out.json

One ``streamlit run app.py`` serves a copy of the size's store (as an import leaves it:
``bench.stores``); one Chromium (Debian's) at 1366×768 opens ``/`` first (the server's first
run, timed apart), then each page in turn: its first view ("open", the page not yet seen by
this server), then a site nobody has chosen on that page yet ("new site": no figure of it is
kept, only the whole-store tables). A new view is drawn at the last change its run makes to
the page's main block (tables, figures, charts drawn), once the page has settled: no run
under way, nothing marked stale, nothing changed for 1.5 s. The click and that last change
are both read in the page's own clock (``performance.now()``), so the browser's time to draw
is in the figure and Playwright's polling is not. All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.stores import OUT, store_file
from tests.harness import CHROMIUM, CHROMIUM_ARGS, streamlit_server

PAGES = (
    ("meeting", "Making it Happen"),
    ("money", "Money and resources"),
    ("cost-change", "Cost change"),
    ("conversations", "Conversations"),
    ("people", "People and families"),
    ("staff", "Staff experience"),
)
SITES = ("Northfield innovation site", "Riverside innovation site", "Central locality team")
TARGET_SECONDS = 1.0

# Records, in the page's clock, the last change to the page's main block (its figures, tables
# and charts being drawn; the sidebar and the status widget are outside it).
WATCH = """() => {
  window.__last = performance.now();
  new MutationObserver(() => { window.__last = performance.now(); }).observe(
    document.querySelector("[data-testid='stMain']"),
    {subtree: true, childList: true, attributes: true, characterData: true});
}"""
RUNNING = "[data-testid='stStatusWidget']"
STALE = "[data-testid='stElementContainer'][data-stale='true']"
SETTLED_MS = 1500  # no change for this long, no run under way: the view is drawn


def drawn_after(page: Any, clicked: float, timeout_ms: float) -> float:
    """Seconds from ``clicked`` (page clock, ms) to the last change the run drew, once the
    page has settled (no run under way, nothing stale, nothing changed for ``SETTLED_MS``)."""
    page.wait_for_function(
        f"""() => !document.querySelector("{RUNNING}") && !document.querySelector("{STALE}")
                  && performance.now() - window.__last > {SETTLED_MS}""",
        timeout=timeout_ms,
        polling=50,
    )
    return (page.evaluate("() => window.__last") - clicked) / 1000


def open_page(page: Any, url: str, path: str, title: str, timeout_ms: float) -> float:
    """Seconds from asking for the page to its title shown and its first run ended."""
    started = time.perf_counter()
    page.goto(f"{url}/{path}", timeout=timeout_ms)
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector(\"[data-testid='stStatusWidget']\")", timeout=timeout_ms
    )
    return time.perf_counter() - started


def choose_site(page: Any, site: str, timeout_ms: float) -> float:
    """Pick ``site`` in the page's site filter (its first list, one or many sites); the
    seconds until its figures are drawn."""
    page.evaluate(WATCH)
    box = page.locator("[data-testid='stMultiSelect'], [data-testid='stSelectbox']").first
    box.click(timeout=timeout_ms)
    option = page.get_by_role("option", name=site)
    option.wait_for(timeout=timeout_ms)
    clicked = page.evaluate("() => performance.now()")
    option.click(timeout=timeout_ms)
    seconds = drawn_after(page, clicked, timeout_ms)
    page.keyboard.press("Escape")  # close the list, as a person would
    return seconds


def run(size: int, out: Path, timeout_ms: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        db = Path(scratch) / "evaluation.duckdb"
        shutil.copyfile(store_file(size, out), db)
        results: dict[str, Any] = {"size": size, "load_average_before": load_before}
        with streamlit_server(db) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            home = "Three Conversations evaluation"
            results["first_run"] = open_page(page, url, "", home, timeout_ms)
            views: dict[str, Any] = {}
            for number, (path, title) in enumerate(PAGES):
                site = SITES[number % len(SITES)]
                opened = open_page(page, url, path, title, timeout_ms)
                try:
                    views[path] = {"open": opened, "new_site": choose_site(page, site, timeout_ms)}
                except Exception:
                    page.screenshot(path=str(out / f"browser-views-{path}.png"))
                    raise
                print(f"{path:15} open {opened:6.2f} s   new site {views[path]['new_site']:.2f} s")
            browser.close()
        results["pages"] = views
        results["load_average_after"] = os.getloadavg()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per step")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    results = run(args.size, args.out, args.timeout * 1000)
    print(f"load average before {results['load_average_before']}, "
          f"after {results['load_average_after']}")  # fmt: skip
    print(f"first run of the server: {results['first_run']:.2f} s")
    for path, found in results["pages"].items():
        met = "met    " if found["new_site"] <= TARGET_SECONDS else "NOT met"
        drawn = found["new_site"]
        print(f"  {met} {path}: a new site drawn in {drawn:.2f} s (target {TARGET_SECONDS:g} s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
