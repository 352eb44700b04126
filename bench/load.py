"""A Making it Happen meeting opening the dashboard at once: 30 browser sessions against one
``streamlit run app.py`` on a store of 100,000 conversations.

    python -m bench.load                       # 30 sessions, 100,000 conversations
    python -m bench.load --sessions 5 --size 10000 --json out.json

One Chromium (Debian's, at /usr/bin/chromium), one browser context per person, all started
together (Playwright's async API: its sync API can't share one browser across threads). Each
session opens the Making it Happen page and, once it has finished running, makes one filter
change (picks a site), then waits for that run to finish. "Finished" means what a person
sees: the page's title is there, the new filter's figures are on screen and Streamlit's
"running" indicator ([data-testid=stStatusWidget]) is gone. Errors are exceptions shown on
the page and steps that time out. Bounded: one visit and one change per session, each step
with its own timeout and the whole run with an overall one; traffic goes only to the local
server on 127.0.0.1, which is stopped at the end.

Before the sessions start, one visit to ``/`` takes the fresh server through its first run
(leaving Streamlit's pages/ folder mode), as the meeting's host would on opening it; that
visit is timed and reported apart.

The same sessions are first run against the floor (``bench/floor_app.py``: a title, the site
filter and one line of text, on its own server), so the run prints what Streamlit and
Chromium alone cost on this machine beside the dashboard's figures, and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.stores import store_file
from tests.harness import CHROMIUM, streamlit_server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
PAGE_TITLE = "Making it Happen"
ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Target:
    """What the sessions open: a script, the page's path and the heading of its first run."""

    name: str
    script: Path
    path: str
    first_heading: str


DASHBOARD = Target("dashboard", ROOT.parent / "app.py", "meeting", "Three Conversations evaluation")
FLOOR = Target("floor", ROOT / "floor_app.py", "", PAGE_TITLE)
SITES = (
    "Northfield innovation site",
    "Riverside innovation site",
    "Central locality team",
)
RUNNING = "[data-testid='stStatusWidget']"
EXCEPTION = "[data-testid='stException']"


@dataclass
class Session:
    number: int
    site: str
    open_seconds: float | None = None
    change_seconds: float | None = None
    reopened: int = 0  # times the site list had to be clicked open again
    errors: list[str] = field(default_factory=list)


async def finished(page: Any, timeout_ms: float) -> None:
    """Wait until Streamlit has no script run under way for this page."""
    await page.wait_for_function(f'() => !document.querySelector("{RUNNING}")', timeout=timeout_ms)


async def pick_site(page: Any, session: Session, deadline: float) -> None:
    """Open the site list and choose the session's site, as a person would: if the list
    closes before the option can be clicked (the page redrawn under a starved renderer),
    click it open again. Each reopening is counted; only the step's deadline is an error."""
    box = page.locator("[data-testid='stMultiSelect']").first
    option = page.get_by_role("option", name=session.site)
    while True:
        left_ms = max(1.0, (deadline - time.perf_counter()) * 1000)
        await box.click(timeout=left_ms)
        try:
            await option.click(timeout=min(left_ms, 30_000))
            return
        except Exception:
            if time.perf_counter() >= deadline:
                raise
            session.reopened += 1


async def one_session(browser: Any, url: str, path: str, session: Session, step_ms: float) -> None:
    """Open the page, wait for it, pick a site, wait for the figures of that site."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        started = time.perf_counter()
        try:
            await page.goto(f"{url}/{path}", timeout=step_ms)
            await page.get_by_role("heading", name=PAGE_TITLE).first.wait_for(timeout=step_ms)
            await finished(page, step_ms)
            session.open_seconds = time.perf_counter() - started
        except Exception as error:  # a timeout or a closed page: counted, never raised
            session.errors.append(f"open: {type(error).__name__}: {str(error)[:200]}")
            return
        if await page.locator(EXCEPTION).count():
            session.errors.append("open: exception shown on the page")
        started = time.perf_counter()
        try:
            await pick_site(page, session, started + step_ms / 1000)
            await page.get_by_text(f"Sites: {session.site}").first.wait_for(timeout=step_ms)
            await finished(page, step_ms)
            session.change_seconds = time.perf_counter() - started
        except Exception as error:
            session.errors.append(f"filter: {type(error).__name__}: {str(error)[:200]}")
            return
        if await page.locator(EXCEPTION).count():
            session.errors.append("filter: exception shown on the page")
    finally:
        await context.close()
        print(
            f"session {session.number}: open {session.open_seconds}, "
            f"filter change {session.change_seconds}, errors {len(session.errors)}",
            file=sys.stderr,
            flush=True,
        )


async def meeting(
    url: str, target: Target, sessions: int, step_ms: float
) -> tuple[float, list[Session]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            host = await browser.new_context()
            page = await host.new_page()
            started = time.perf_counter()
            await page.goto(url, timeout=step_ms)
            await page.get_by_role("heading", name=target.first_heading).first.wait_for(
                timeout=step_ms
            )
            await finished(page, step_ms)
            first_run = time.perf_counter() - started
            await host.close()
            people = [Session(n + 1, SITES[n % len(SITES)]) for n in range(sessions)]
            await asyncio.gather(
                *(one_session(browser, url, target.path, s, step_ms) for s in people)
            )
        finally:
            await browser.close()
    return first_run, people


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``share`` of them at or
    below it (with 30 values, p95 is the 29th)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def server_process() -> Path | None:
    """/proc/<pid> of the streamlit server, our child process."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == me and "streamlit" in (entry / "cmdline").read_text():
                return entry
        except (OSError, ValueError, IndexError):
            continue
    return None


def server_cpu_seconds() -> float | None:
    """CPU time (user + system) the server has used so far."""
    process = server_process()
    if process is None:
        return None
    fields = (process / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_peak_mb() -> float | None:
    """Peak resident memory of the server."""
    process = server_process()
    if process is None:
        return None
    for line in (process / "status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


class BrowserCpu:
    """CPU time of Playwright's driver and every Chromium process under it, sampled twice a
    second from /proc (renderers come and go with their contexts, so each process's last
    reading is kept). The server is left out: it is measured on its own."""

    def __init__(self) -> None:
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> BrowserCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())

    def _run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        me, server = os.getpid(), server_process()
        while not self._stop.wait(0.5):
            parents: dict[int, int] = {}
            times: dict[int, float] = {}
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = int(fields[1])
                times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
            for pid, cpu in times.items():
                ancestor = pid
                while ancestor in parents and ancestor not in (me, 0, 1):
                    ancestor = parents[ancestor]
                if ancestor == me and (server is None or pid != int(server.name)):
                    self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))


def run(target: Target, args: argparse.Namespace, db: Path) -> dict[str, Any]:
    """One fresh server for ``target``, the sessions against it, and what they measured."""
    load_before = os.getloadavg()
    with streamlit_server(db, script=target.script) as url:
        server_before = server_cpu_seconds()
        started = time.perf_counter()
        with BrowserCpu() as browser:
            first_run, people = asyncio.run(
                asyncio.wait_for(
                    meeting(url, target, args.sessions, args.step_timeout * 1000), args.timeout
                )
            )
        elapsed = time.perf_counter() - started
        server_cpu = (server_cpu_seconds() or 0) - (server_before or 0)
        browser_cpu = browser.seconds
        peak = server_peak_mb()
    opened = [s.open_seconds for s in people if s.open_seconds is not None]
    changed = [s.change_seconds for s in people if s.change_seconds is not None]
    return {
        "target": target.name,
        "load_average_before": [round(x, 2) for x in load_before],
        "server_first_run_seconds": first_run,
        "server_peak_mb": peak,
        "elapsed_seconds": elapsed,
        "server_cpu_seconds": server_cpu,
        "browser_cpu_seconds": browser_cpu,
        "open": spread(opened),
        "filter_change": spread(changed),
        "errors": [f"session {s.number}: {e}" for s in people for e in s.errors],
        "site_list_reopened": sum(s.reopened for s in people),
        "sessions_detail": [asdict(s) for s in people],
    }


def spread(values: list[float]) -> dict[str, Any]:
    """How many finished, and their p50, p95 and longest time."""
    return {
        "finished": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "max": max(values, default=None),
    }


def print_times(result: dict[str, Any], sessions: int) -> None:
    """The open and filter-change lines of a run's report."""
    for label, key in (("open the page", "open"), ("one filter change", "filter_change")):
        part = result[key]
        if part["finished"]:
            print(
                f"{label:<18} finished {part['finished']}/{sessions}  "
                f"p50 {part['p50']:.2f} s  p95 {part['p95']:.2f} s  max {part['max']:.2f} s"
            )
        else:
            print(f"{label:<18} finished 0/{sessions}")


def report(result: dict[str, Any], sessions: int) -> None:
    print(f"-- {result['target']}")
    first = result["server_first_run_seconds"]
    print(f"server's first run (one visit, before the meeting): {first:.2f} s")
    print_times(result, sessions)
    peak = result["server_peak_mb"]
    print(f"server peak memory: {peak:.0f} MB" if peak else "server peak memory: not read")
    print(
        f"CPU over the run ({result['elapsed_seconds']:.0f} s on {os.cpu_count()} cores): "
        f"server {result['server_cpu_seconds']:.1f} s, "
        f"Chromium and Playwright {result['browser_cpu_seconds']:.1f} s"
    )
    print(f"site list clicked open again: {result['site_list_reopened']} time(s)")
    print(f"errors: {len(result['errors'])}")
    for line in result["errors"]:
        print(f"  {line}")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in result['load_average_before'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--size", type=int, default=100_000, help="conversations in the store")
    parser.add_argument("--step-timeout", type=float, default=120, help="seconds per step")
    parser.add_argument("--timeout", type=float, default=600, help="seconds for each target")
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the floor (bench/floor_app.py)"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-load-"))
    try:
        db = scratch / "evaluation.duckdb"
        shutil.copyfile(store_file(args.size), db)
        targets = [DASHBOARD] if args.no_floor else [FLOOR, DASHBOARD]
        results = [run(target, args, db) for target in targets]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{args.sessions} sessions on the Making it Happen page, {args.size:,} conversations")
    for result in results:
        report(result, args.sessions)
    if len(results) == 2:
        floor, ours = results
        for key, label in (("open", "open the page"), ("filter_change", "one filter change")):
            if floor[key]["p95"] and ours[key]["p95"]:
                print(
                    f"{label}: p95 {ours[key]['p95'] / floor[key]['p95']:.2f}x the floor's, "
                    f"p50 {ours[key]['p50'] / floor[key]['p50']:.2f}x"
                )
    if args.json:
        summary = {"sessions": args.sessions, "conversations": args.size, "runs": results}
        args.json.write_text(json.dumps(summary, indent=2))
    if any(r["errors"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
