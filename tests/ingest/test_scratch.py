"""Temporary copies of uploads: never left behind, never readable by others.

On Linux the copy DuckDB reads is an anonymous in-memory file: a check, an import killed with
kill -9 or stopped with SIGTERM leaves nothing in /dev/shm or the temp folder. Where there is
no such file, the copy is an owner-only file in an owner-only folder named with the process id,
removed when the check ends, and swept away by the next process if its own was killed.
"""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluation.ingest import scratch
from evaluation.ingest.checks import check
from tests.harness import ROOT, TEST_KEY

HEADER = "conversation_id,person_id,site,approach,conversation,request_type,started_on"


def upload(rows: int, rng: random.Random) -> bytes:
    lines = [HEADER] + [
        f"C{i},RAW-ID-{rng.randint(1, 10**6)},North,3Cs,1,new,05/03/2024" for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def copies(*places: Path) -> list[Path]:
    return [p for place in places for p in place.glob(f"{scratch.PREFIX}*")]


def test_the_copy_is_in_no_folder_and_gone_after(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(tmp_path))
    with scratch.scratch_copy(b"a,b\r\n1,2\r\n") as path:
        assert path.startswith("/proc/self/fd/")
        assert Path(path).read_bytes() == b"a,b\r\n1,2\r\n"
        fd = int(path.rsplit("/", 1)[1])
        assert os.readlink(path).startswith("/memfd:")  # in memory, in no folder
    with pytest.raises(OSError):
        os.fstat(fd)  # closed: the kernel has freed it
    assert copies(tmp_path, Path("/dev/shm")) == []


def test_without_memory_files_the_copy_is_owner_only_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scratch.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(scratch, "_memory_file", lambda data: None)
    with scratch.scratch_copy(b"a,b\r\n1,2\r\n") as path:
        copy = Path(path)
        assert copy.parent.name.startswith(f"{scratch.PREFIX}{os.getpid()}-")
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert not copy.parent.exists()
    with pytest.raises(RuntimeError), scratch.scratch_copy(b"x") as path:
        raise RuntimeError("the check failed")
    assert not Path(path).exists() and copies(tmp_path) == []
    assert check(b"feedback_id,site,received_on\r\nF1,North,01/02/2024\r\n", "f.csv").ok
    assert copies(tmp_path) == []


def test_copies_a_killed_process_left_are_swept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True)  # fmt: skip
    left = tmp_path / f"{scratch.PREFIX}{dead.stdout.strip()}-abc"
    ours = tmp_path / f"{scratch.PREFIX}{os.getpid()}-def"
    old_kind = tmp_path / f"{scratch.PREFIX}q1w2e3r4"  # as the older version named them
    fresh_old = tmp_path / f"{scratch.PREFIX}z9x8c7v6"
    for folder in (left, ours, old_kind, fresh_old):
        folder.mkdir()
        (folder / "upload.csv").write_bytes(b"conversation_id,person_id\r\nC1,RAW-ID\r\n")
    os.utime(old_kind, (time.time() - 3600, time.time() - 3600))
    removed = scratch.sweep((str(tmp_path),))
    assert sorted(removed) == sorted([left, old_kind])
    assert ours.exists() and fresh_old.exists()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_an_import_killed_or_stopped_leaves_no_copy(tmp_path: Path, how: int) -> None:
    """The issue's case: ``kill -9`` or ``timeout`` (SIGTERM) during an import left
    ``/dev/shm/evaluation-import-*/upload.csv`` with every raw id in it."""
    rng = random.Random(how)
    data = tmp_path / "big.csv"
    data.write_bytes(upload(250_000, rng))
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "EVALUATION_PSEUDONYM_KEY": TEST_KEY, "TMPDIR": str(temp)}
    codes = set()
    for attempt in range(3):
        (tmp_path / "e.duckdb").unlink(missing_ok=True)
        process = subprocess.Popen(
            [sys.executable, "-m", "evaluation", "import", str(data), "--db",
             str(tmp_path / "e.duckdb")],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        db = tmp_path / "e.duckdb"
        deadline = time.monotonic() + 60
        while not db.exists() and time.monotonic() < deadline:  # the import has begun
            time.sleep(0.05)
        time.sleep(attempt * 0.4)  # while the file is read, checked, or stored
        process.send_signal(how)
        process.communicate(timeout=120)
        codes.add(process.returncode)
        # Nothing in the temp folder; nothing of this process in /dev/shm (where copies used
        # to go: other programs on a shared machine may have their own there).
        assert copies(temp) == []
        assert not [c for c in copies(Path("/dev/shm")) if str(process.pid) in c.name]
        assert not any(b"RAW-ID-" in p.read_bytes() for p in temp.rglob("*") if p.is_file())
    if how == signal.SIGTERM:
        assert codes <= {128 + signal.SIGTERM, 0}, codes  # stopped cleanly (or done), not killed
