"""The meeting load test without browsers: the server's own share of 30 people at once.

    python -m bench.serverload                 # 30 sessions, 100,000 conversations
    python -m bench.serverload --sessions 60 --json out.json

``bench.load`` drives 30 Chromium contexts, and on a two-core machine the browsers take most
of the time (their floor alone is far above five seconds). Here each person is a websocket
client speaking Streamlit's own protocol, the messages a browser sends: it asks for the Making
it Happen page, reads every message until the server says the script run has finished, then
sends the site filter's new value (the widget's id as the server gave it) and waits for that
run to finish with the site's figures in it. What is timed is the server: running the page,
working out (or looking up) the figures and sending them. Errors are exceptions in the
page, runs that do not finish, and a filter change whose site never appears.

As in ``bench.load``, a fresh ``streamlit run`` serves a copy of the size's store, one first
visit (to ``/``, leaving Streamlit's pages/ folder mode) is timed apart, the floor
(``bench/floor_app.py``) runs first on its own server, and all traffic stays on 127.0.0.1.
Then the 30 open the page at once: the first of them works its default view out while the
rest wait for it. With ``--host-opens-page`` the meeting's host opens the page on its default
view first, as whoever runs the meeting may before the others join (timed apart), and the 30
find that view kept. The filter changes are always new views: each of the three sites is
worked out by the first session to ask.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.load import (
    DASHBOARD,
    FLOOR,
    SITES,
    Target,
    print_times,
    server_cpu_seconds,
    server_peak_mb,
    spread,
)
from bench.stores import OUT, store_file
from tests.harness import streamlit_server


@dataclass
class Visit:
    number: int
    site: str
    open_seconds: float | None = None
    change_seconds: float | None = None
    errors: list[str] = field(default_factory=list)


@dataclass
class Run:
    """What one script run sent: its texts, the site filter's id, any exception."""

    texts: list[str] = field(default_factory=list)
    sites_widget: str | None = None
    page_hash: str = ""
    exceptions: list[str] = field(default_factory=list)


def rerun_message(url: str, path: str, page_hash: str = "", widgets: Any = None) -> bytes:
    """The BackMsg a browser sends to run the page (widget values, if any, included)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    state = message.rerun_script
    state.query_string = ""
    state.page_name = "" if page_hash else path
    state.page_script_hash = page_hash
    state.context_info.url = f"{url}/{path}"
    state.context_info.timezone = "Europe/London"
    state.context_info.locale = "en-GB"
    if widgets:
        state.widget_states.widgets.extend(widgets)
    return message.SerializeToString()


async def until_finished(socket: Any, run: Run, limit: float) -> None:
    """Read messages until the server says the run finished (not cut short for a rerun)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    deadline = time.perf_counter() + limit
    while True:
        raw = await asyncio.wait_for(socket.recv(), max(0.1, deadline - time.perf_counter()))
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "new_session":
            run.page_hash = message.new_session.page_script_hash or run.page_hash
        elif kind == "page_info_changed" or kind == "navigation":
            run.page_hash = getattr(getattr(message, kind), "page_script_hash", "") or run.page_hash
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            what = element.WhichOneof("type")
            if what == "text":
                run.texts.append(element.text.body)
            elif what == "multiselect" and element.multiselect.label == "Sites":
                run.sites_widget = element.multiselect.id
            elif what == "exception":
                run.exceptions.append(element.exception.message[:200])
        elif kind == "script_finished":
            status = message.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                return
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise RuntimeError("the page did not compile")


async def visit(
    ws_url: str, url: str, target: Target, visit: Visit, limit: float, choose: bool = True
) -> None:
    """Open the page, wait for its run, choose a site (unless not ``choose``), wait for that
    run."""
    import websockets
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    try:
        async with websockets.connect(
            ws_url, subprotocols=["streamlit"], origin=url, max_size=None
        ) as socket:
            started = time.perf_counter()
            first = Run()
            await socket.send(rerun_message(url, target.path))
            await until_finished(socket, first, limit)
            visit.open_seconds = time.perf_counter() - started
            visit.errors += [f"open: {e}" for e in first.exceptions]
            if not choose:
                return
            if first.sites_widget is None:
                visit.errors.append("open: no site filter on the page")
                return
            chosen = WidgetState(id=first.sites_widget)
            chosen.string_array_value.data.append(visit.site)
            started = time.perf_counter()
            second = Run(page_hash=first.page_hash)
            await socket.send(rerun_message(url, target.path, first.page_hash, [chosen]))
            await until_finished(socket, second, limit)
            if not any(t.startswith(f"Sites: {visit.site}") for t in second.texts):
                visit.errors.append("filter: the site's figures never came")
            else:
                visit.change_seconds = time.perf_counter() - started
            visit.errors += [f"filter: {e}" for e in second.exceptions]
    except Exception as error:  # a timeout or a dropped connection: counted, never raised
        visit.errors.append(f"{type(error).__name__}: {str(error)[:200]}")


async def meeting(
    url: str, target: Target, sessions: int, limit: float, host_first: bool = False
) -> tuple[float, Visit | None, list[Visit]]:
    """The host's first visit (to ``/``, leaving folder mode), with ``host_first`` the host
    opening the page on its default view before the others join, then everyone at once."""
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    first = Visit(0, SITES[0])
    started = time.perf_counter()
    await visit(
        ws_url, url, Target(target.name, target.script, "", target.first_heading), first, limit
    )
    first_run = time.perf_counter() - started
    host = None
    if host_first and target.path:
        host = Visit(0, SITES[0])
        await visit(ws_url, url, target, host, limit, choose=False)
    people = [Visit(n + 1, SITES[n % len(SITES)]) for n in range(sessions)]
    await asyncio.gather(*(visit(ws_url, url, target, p, limit) for p in people))
    return first_run, host, people


def run(target: Target, args: argparse.Namespace, db: Path) -> dict[str, Any]:
    load_before = os.getloadavg()
    with streamlit_server(db, script=target.script) as url:
        server_before = server_cpu_seconds()
        started = time.perf_counter()
        first_run, host, people = asyncio.run(
            meeting(url, target, args.sessions, args.step_timeout, args.host_opens_page)
        )
        elapsed = time.perf_counter() - started
        server_cpu = (server_cpu_seconds() or 0) - (server_before or 0)
        peak = server_peak_mb()
    opened = [p.open_seconds for p in people if p.open_seconds is not None]
    changed = [p.change_seconds for p in people if p.change_seconds is not None]

    return {
        "target": target.name,
        "load_average_before": [round(x, 2) for x in load_before],
        "server_first_run_seconds": first_run,
        "host_open_seconds": host.open_seconds if host else None,
        "host_errors": host.errors if host else [],
        "elapsed_seconds": elapsed,
        "server_cpu_seconds": server_cpu,
        "server_peak_mb": peak,
        "open": spread(opened),
        "filter_change": spread(changed),
        "errors": [f"session {p.number}: {e}" for p in people for e in p.errors],
        "sessions_detail": [asdict(p) for p in people],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--size", type=int, default=100_000, help="conversations in the store")
    parser.add_argument("--step-timeout", type=float, default=120, help="seconds per step")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--host-opens-page",
        action="store_true",
        help="the host opens the page on its default view before the sessions join",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where data and stores are kept")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-serverload-"))
    try:
        db = scratch / "evaluation.duckdb"
        shutil.copyfile(store_file(args.size, args.out), db)
        results = [run(target, args, db) for target in (FLOOR, DASHBOARD)]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{args.sessions} protocol sessions (no browser), {args.size:,} conversations")
    for result in results:
        print(f"-- {result['target']}")
        print(f"first visit (the host): {result['server_first_run_seconds']:.2f} s")
        if result["host_open_seconds"] is not None:
            print(f"the host opens the page: {result['host_open_seconds']:.2f} s")
        print_times(result, args.sessions)
        print(
            f"server CPU {result['server_cpu_seconds']:.1f} s in {result['elapsed_seconds']:.1f} s"
            f", peak {result['server_peak_mb'] or 0:.0f} MB; errors: {len(result['errors'])}"
        )
        for line in result["errors"][:10]:
            print(f"  {line}")
    floor, ours = results
    for step in ("open", "filter_change"):
        if floor[step] and ours[step]:
            ratio = ours[step]["p95"] / floor[step]["p95"]
            print(f"{step} p95: {ours[step]['p95']:.2f} s, {ratio:.1f}x the floor's "
                  f"{floor[step]['p95']:.2f} s in the same run")  # fmt: skip
    print(f"load average at the start of each: {[r['load_average_before'] for r in results]}")
    if args.json:
        args.json.write_text(
            json.dumps({"sessions": args.sessions, "conversations": args.size, "runs": results})
        )
    if any(r["errors"] or r["host_errors"] for r in results):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
