"""Crashes, a busy store, and imports side by side: nothing lost, nothing half-stored."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from evaluation.ingest.importer import import_files
from evaluation.store import batches
from evaluation.store.connection import Store
from tests.harness import ROOT, TEST_KEY, open_store, streamlit_server, wait_for_app

HEADER = "conversation_id,person_id,site,approach,conversation,request_type,started_on,ended_on"


def big_file(prefix: str, rows: int, rng: random.Random) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        day = rng.randint(1, 28)
        lines.append(f"{prefix}{i},P{rng.randint(1, 5000)},North,3Cs,1,new,{day:02d}/02/2024,")
    return ("\r\n".join(lines) + "\r\n").encode()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "evaluation", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "EVALUATION_PSEUDONYM_KEY": TEST_KEY, **(env or {})},
    )  # fmt: skip


def consistent(db: Path) -> dict[str, int]:
    """Every logged batch wholly present, every stored row in a logged batch; rows per batch."""
    store = open_store(db)
    cur = store.cursor()
    stored = dict(cur.execute("SELECT batch_id, count(*) FROM conversations GROUP BY 1").fetchall())
    logged = dict(
        cur.execute(
            "SELECT batch_id, rows_added FROM import_log WHERE undone_at IS NULL"
        ).fetchall()
    )
    cur.close()
    store.close()
    assert stored == logged, (stored, logged)
    return stored


def test_sigkill_during_import_leaves_each_batch_whole_or_absent(tmp_path: Path) -> None:
    rng = random.Random(99)
    db = tmp_path / "crash.duckdb"
    open_store(db).close()
    rows = 6000
    outcomes = {"killed before commit": 0, "committed before kill": 0}
    # Kills land anywhere from start-up to just after the end of an import as long as one
    # takes on this machine now (timed once, then by each re-run): a loaded machine is slow.
    warm = tmp_path / "warm.csv"
    warm.write_bytes(big_file("W-", rows, rng))
    started = time.monotonic()
    first = cli("import", str(warm), "--db", str(tmp_path / "warm.duckdb"))
    assert first.communicate(timeout=120) and first.returncode == 0
    whole = time.monotonic() - started
    for attempt in range(12):  # each lands before or after the commit with odds near 2:3
        data = tmp_path / f"batch{attempt}.csv"
        data.write_bytes(big_file(f"K{attempt}-", rows, rng))
        process = cli("import", str(data), "--db", str(db), "--as-of", "2024-03-01")
        time.sleep(rng.uniform(0.05, 1.5 * whole))
        process.send_signal(signal.SIGKILL)
        process.wait()
        before = consistent(db)
        landed = sum(1 for n in before.values() if n == rows)
        outcomes["committed before kill" if landed > attempt else "killed before commit"] += 1
        # the outcome is unknown to whoever scheduled it: running it again is always safe
        started = time.monotonic()
        rerun = cli("import", str(data), "--db", str(db), "--as-of", "2024-03-01")
        _out, err = rerun.communicate(timeout=120)
        whole = max(whole, time.monotonic() - started)
        assert rerun.returncode == 0, err
        after = consistent(db)
        assert len(after) == attempt + 1 and set(after.values()) == {rows}
    assert outcomes["killed before commit"] > 0 and outcomes["committed before kill"] > 0, outcomes


def test_cli_waits_for_a_busy_store_then_says_so(tmp_path: Path) -> None:
    db = tmp_path / "busy.duckdb"
    holder = open_store(db)  # this process holds the file, like a long import would
    data = tmp_path / "c.csv"
    data.write_bytes(big_file("B", 3, random.Random(1)))
    started = time.monotonic()
    process = cli("import", str(data), "--db", str(db), env={"EVALUATION_BUSY_SECONDS": "2"})
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert time.monotonic() - started >= 2
    assert "is busy" in err and "Nothing was changed" in err
    assert "Traceback" not in err
    holder.close()


def test_cli_import_waits_its_turn_and_lands(tmp_path: Path) -> None:
    db = tmp_path / "turn.duckdb"
    holder = open_store(db)
    data = tmp_path / "c.csv"
    data.write_bytes(big_file("T", 10, random.Random(2)))
    process = cli("import", str(data), "--db", str(db), env={"EVALUATION_BUSY_SECONDS": "30"})
    time.sleep(1.5)
    holder.close()  # the other user finishes
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "10 added" in out


def test_two_uploads_at_the_same_moment_both_land(tmp_path: Path) -> None:
    store = Store(tmp_path / "two.duckdb", key=TEST_KEY, hold=False)
    files = [big_file(p, 2000, random.Random(n)) for n, p in enumerate(("A", "B"))]
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def upload(n: int) -> None:
        with store.lease():
            barrier.wait()
            results[n] = import_files(store, [(f"{n}.csv", files[n])])[0]

    threads = [threading.Thread(target=upload, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = sorted(r.batch_id for r in results)  # type: ignore[union-attr]
    assert ids == ["B00001", "B00002"]
    with store.lease():
        assert batches.count(store, "conversations") == 4000
    store.close()


def test_the_dashboard_lets_go_of_the_store_between_runs(tmp_path: Path) -> None:
    store = Store(tmp_path / "lease.duckdb", key=TEST_KEY, hold=False)
    probe = [sys.executable, "-c", f"import duckdb; duckdb.connect({str(store.path)!r}).close()"]
    with store.lease():
        assert batches.count(store, "conversations") == 0
        during = subprocess.run(probe, capture_output=True, text=True)
    after = subprocess.run(probe, capture_output=True, text=True)
    assert during.returncode != 0 and "lock" in during.stderr
    assert after.returncode == 0, after.stderr
    store.close()


@pytest.mark.browser
def test_scheduled_import_while_the_dashboard_is_in_use(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "live.duckdb"
    open_store(db).close()
    data = tmp_path / "nightly.csv"
    data.write_bytes(big_file("N", 3000, random.Random(3)))
    with streamlit_server(db) as url:
        page.goto(url)
        wait_for_app(page)
        process = cli("import", str(data), "--db", str(db), env={"EVALUATION_BUSY_SECONDS": "60"})
        for _ in range(5):  # people keep using the dashboard meanwhile
            page.reload()
            wait_for_app(page)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        assert "3000 added" in out
        page.reload()
        wait_for_app(page)
        page.get_by_text("3,000").first.wait_for(timeout=30_000)
