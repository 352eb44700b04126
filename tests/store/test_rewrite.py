"""Rewriting the store (erase, compact, restore) on a disk that fills up, and killed midway.

A 20 MB tmpfs volume is mounted for the module (the tests run as root; where mounting is
refused they are skipped, saying so). The disk is filled before each step of a rewrite in
turn — every statement of the copy, the flush, the swap — and to every level of free space
from none to plenty; separately the command is killed at many moments. Whatever happens the
store must open afterwards holding all its rows (or, for an erasure, all but the person's),
nothing may be left beside it, and every refusal must be a plain sentence with exit code 2.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from evaluation.admin.erasure import erasures
from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.store import query, rewrite
from evaluation.store.connection import Store, StoreError
from evaluation.store.keys import pseudonym
from tests.harness import ROOT, TEST_KEY, open_store

HEADER = "conversation_id,person_id,site,approach,conversation,request_type,started_on,cohort"
ROWS = 15_000
WHO = "ERASE-ME-1"


def conversations(rows: int = ROWS, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    lines = [HEADER, f"X0,{WHO},North,3Cs,1,new,01/02/2024,the person to erase"]
    lines += [
        f"C{i},P{rng.randint(1, rows)},North,3Cs,1,new,{rng.randint(1, 28):02d}/02/2024,"
        f"{rng.random():.12f}"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture(scope="module")
def volume(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 20 MB volume of its own, so that filling it fills nothing else."""
    place = tmp_path_factory.mktemp("volume")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=20m,mode=0700", "tmpfs", str(place)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"can't mount a small volume here ({done.stderr.strip()})")
    try:
        yield place
    finally:
        subprocess.run(["umount", "-l", str(place)], check=False)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of about 1 MB, made once and copied into the volume for each case."""
    db = tmp_path_factory.mktemp("made") / "e.duckdb"
    store = open_store(db)
    import_files(store, [("c.csv", conversations())])
    store.close()
    return db


@pytest.fixture
def db(volume: Path, made: Path) -> Iterator[Path]:
    for old in volume.iterdir():
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    folder = volume / "store"
    folder.mkdir()
    shutil.copy(made, folder / made.name)
    yield folder / made.name


def fill(volume: Path, leave: int = 0) -> Path:
    """Fill the volume until only ``leave`` bytes are free."""
    filler = volume / f"filler-{time.monotonic_ns()}"
    room = shutil.disk_usage(volume).free - leave
    with filler.open("wb") as out:
        while room > 0:
            try:
                out.write(b"\0" * min(room, 1 << 20))
                out.flush()
            except OSError:
                break
            room -= 1 << 20
    return filler


def unfill(volume: Path) -> None:
    for filler in volume.glob("filler-*"):
        filler.unlink()


def held(db: Path) -> tuple[int, int]:
    """(conversations, rows about the person) in the store, opened as the dashboard would."""
    store = open_store(db)
    cur = store.cursor()
    person = pseudonym(TEST_KEY.encode(), WHO, "P")
    total, theirs = cur.execute(
        "SELECT count(*), count(*) FILTER (WHERE person_id = ?) FROM conversations", [person]
    ).fetchall()[0]
    cur.close()
    store.close()
    return total, theirs


def counted(db: Path) -> int:
    """The conversations in the store, read the quickest way (read-only)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM conversations").fetchall()[0][0])
    finally:
        con.close()


def beside(db: Path) -> set[str]:
    return {p.name for p in db.parent.iterdir()}


class FillsBefore:
    """A copier connection that fills the disk just before its ``n``-th statement."""

    def __init__(self, real: duckdb.DuckDBPyConnection, volume: Path, n: int, leave: int):
        self.real, self.volume, self.n, self.leave, self.calls = real, volume, n, leave, 0

    def execute(self, *args: object) -> duckdb.DuckDBPyConnection:
        self.calls += 1
        if self.calls == self.n:
            fill(self.volume, self.leave)
        return self.real.execute(*args)  # type: ignore[arg-type]

    def close(self) -> None:
        self.real.close()


REAL_COPIER = rewrite._copier


def statements_in_a_rewrite(db: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    made: list[FillsBefore] = []

    def counted() -> FillsBefore:
        made.append(FillsBefore(REAL_COPIER(), db.parent, 0, 0))
        return made[-1]

    with monkeypatch.context() as patched:
        patched.setattr(rewrite, "_copier", counted)
        store = open_store(db)
        store.rewrite_file()
        store.close()
    return sum(copier.calls for copier in made)


def test_the_disk_filling_before_each_step_of_a_rewrite_never_loses_the_store(
    db: Path, volume: Path, made: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = statements_in_a_rewrite(db, monkeypatch)
    assert steps > 6  # attach, the schema, each table and its checkpoint, detach, the check…
    outcomes: dict[str, int] = {"rewritten": 0, "refused": 0}
    for n, step in enumerate([*range(1, steps + 1), "flush", "swap"]):
        for leave in (0, 300_000)[n % 2 :][:1]:  # full, or nearly, in turn
            shutil.copy(made, db)
            store = open_store(db)
            with monkeypatch.context() as patched:
                if step == "flush":
                    patched.setattr(rewrite, "_sync", filling(rewrite._sync, volume, leave))
                elif step == "swap":
                    patched.setattr(rewrite.os, "replace", filling(os.replace, volume, leave))
                else:
                    patched.setattr(
                        rewrite,
                        "_copier",
                        lambda n=step, leave=leave: FillsBefore(REAL_COPIER(), volume, n, leave),
                    )
                try:
                    store.rewrite_file()
                    outcomes["rewritten"] += 1
                except StoreError as error:
                    assert "Traceback" not in str(error) and str(error).endswith("."), error
                    outcomes["refused"] += 1
                finally:
                    store.close()
                    unfill(volume)
            assert beside(db) == {"e.duckdb"}, (step, leave, beside(db))
            assert counted(db) == ROWS + 1, (step, leave)
    assert outcomes["refused"] and outcomes["rewritten"], outcomes


def filling(real, volume: Path, leave: int):  # type: ignore[no-untyped-def]
    """``real``, after filling the disk."""

    def filled_first(*args: object) -> object:
        fill(volume, leave)
        return real(*args)

    return filled_first


def cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "evaluation", *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "EVALUATION_PSEUDONYM_KEY": TEST_KEY},
    )  # fmt: skip


def gone_from_the_bytes(db: Path) -> bool:
    """Neither the person's pseudonym nor their words are anywhere in the store's files."""
    data = b"".join(p.read_bytes() for p in db.parent.iterdir())
    person = pseudonym(TEST_KEY.encode(), WHO, "P")
    return person.encode() not in data and b"the person to erase" not in data


@pytest.mark.parametrize("command", ["compact", "erase"])
def test_erase_and_compact_on_a_disk_filled_to_every_level(
    db: Path,
    volume: Path,
    made: Path,
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The issue's case: a 20 MB disk with a little room left. At each level of free space
    from none to enough, the command (``python -m evaluation``'s own ``main``): exit 0 with
    the job done, or exit 2 with a plain sentence and the store whole (for an erasure that got
    as far as deleting the rows, finished at the next opening with room) — never an empty
    file, never a file left beside it."""
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    size = made.stat().st_size
    codes = set()
    for leave in [0, 60_000, size // 2, size, size + 1_200_000, 4 * size]:
        shutil.copy(made, db)
        fill(volume, leave)
        args = ["erase", "--person", WHO] if command == "erase" else ["compact"]
        code = main([*args, "--db", str(db)])
        err = capsys.readouterr().err
        unfill(volume)
        codes.add(code)
        assert code in (0, 2), (leave, err)
        if code == 2:
            assert "disk" in err or "space" in err, err
        total, theirs = held(db)  # opened with room: an unfinished erasure is finished now
        assert total == ROWS + theirs, (leave, total, theirs)
        if command == "compact" or theirs:
            assert theirs == 1 and (code == 0 or "othing was changed" in err), err
        if command == "erase" and code == 0:
            assert theirs == 0
        if command == "erase" and not theirs:
            assert gone_from_the_bytes(db)
        assert beside(db) == {"e.duckdb"}, beside(db)
    assert codes == {0, 2}, codes


def ready_to(*args: str) -> subprocess.Popen[str]:
    """The command in a process that has loaded everything, says so, and starts on a line of
    input, so a kill lands in the work itself, not in Python's start-up."""
    start = (
        "import sys; from evaluation.cli.main import main; print('ready', flush=True); "
        f"sys.stdin.readline(); sys.exit(main({list(args)!r}))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", start],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "EVALUATION_PSEUDONYM_KEY": TEST_KEY},
    )  # fmt: skip


def killed_at_moments(
    made: Path, tmp_path: Path, args: list[str], times: int, step: float, rng: random.Random
) -> Iterator[Path]:
    """Each of ``times`` copies of the store, after ``args`` was killed -9 on it ``step`` s
    later than on the one before (the processes started together, so start-up is paid once)."""
    stores = []
    for attempt in range(times):
        folder = tmp_path / f"s{attempt}"
        folder.mkdir()
        shutil.copy(made, folder / made.name)
        stores.append(folder / made.name)
    processes = [ready_to(*args, "--db", str(db)) for db in stores]
    for attempt, (db, process) in enumerate(zip(stores, processes, strict=True)):
        assert process.stdin is not None and process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        process.stdin.write("go\n")
        process.stdin.flush()
        time.sleep(attempt * step + rng.uniform(0, 0.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        yield db


@pytest.mark.parametrize("command", ["compact", "erase"])
def test_killed_at_many_points_the_store_opens_with_its_data(
    made: Path, tmp_path: Path, command: str
) -> None:
    """kill -9 at moments through the command (each store a copy of its own, the processes
    started together so that their start-up is paid once); then the store opens whole, an
    erasure that had begun is finished, and no byte of the person remains."""
    seen = set()
    args = ["erase", "--person", WHO] if command == "erase" else ["compact"]
    for db in killed_at_moments(made, tmp_path, args, 8, 0.15, random.Random(11)):
        total, theirs = held(db)
        seen.add(theirs)
        assert total == ROWS + theirs
        if command == "compact":
            assert theirs == 1
        elif not theirs:
            assert gone_from_the_bytes(db)
        assert beside(db) == {"e.duckdb"}, beside(db)
    if command == "erase":
        assert seen == {0, 1}, seen  # killed before the request was logged, and after


def test_a_rewrite_without_room_is_refused_before_anything_is_written(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_files(store, [("c.csv", conversations(2000))])
    store.close()
    inode = store.path.stat().st_ino
    usage = shutil.disk_usage(store.path.parent)
    monkeypatch.setattr(
        rewrite.shutil, "disk_usage", lambda _p: usage._replace(free=store.path.stat().st_size)
    )
    again = Store(store.path, key=TEST_KEY)
    with pytest.raises(StoreError, match="not enough free space beside the store") as refused:
        again.rewrite_file()
    assert "it needs about" in str(refused.value) and "Nothing was changed" in str(refused.value)
    assert again.path.stat().st_ino == inode  # the very same file: never swapped
    assert not rewrite.leftovers(store.path)
    assert query.scalar(again, "SELECT count(*) FROM conversations") == 2001
    again.close()


def test_copies_left_by_an_interrupted_rewrite_are_removed_when_the_store_opens(
    db_path: Path,
) -> None:
    open_store(db_path).close()
    for stale in (rewrite.fresh_path(db_path), rewrite.wal_path(rewrite.fresh_path(db_path))):
        stale.write_bytes(b"half a copy")
    store = open_store(db_path)
    assert not rewrite.leftovers(db_path)
    store.close()
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["evaluation.duckdb"]


def test_an_unfinished_erasure_is_finished_when_the_store_opens(db_path: Path) -> None:
    """An erasure whose rewrite had no room: the log keeps it to do, the next open does it."""
    store = open_store(db_path)
    import_files(store, [("c.csv", conversations(500))])
    person = pseudonym(store.key, WHO, "P")
    with store.transaction() as cur:  # step 1 and 2 as an interrupted erasure left them
        cur.execute(
            "INSERT INTO erasure_log (erased_at, erased_by, rows_removed, person) "
            "VALUES (now(), 'dpo', 0, ?)",
            [person],
        )
    store.close()
    store = open_store(db_path)
    [entry] = erasures(store)
    assert entry["state"] == "done" and entry["rows_removed"] == 1
    store.con.execute("CHECKPOINT")
    store.close()
    assert person.encode() not in db_path.read_bytes()


def test_the_store_its_log_its_key_and_its_folder_are_the_owners_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY", raising=False)
    os.umask(0o022)  # as a shell leaves it
    db = tmp_path / "new" / "e.duckdb"
    store = Store(db)  # the local key file beside it
    import_files(store, [("c.csv", conversations(50))])
    wal = rewrite.wal_path(db)
    store.cursor().execute("CREATE TABLE scratch AS SELECT 1")  # leaves a log to look at
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in db.parent.iterdir()}
    store.close()
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert modes["e.duckdb"] == modes["e.duckdb.key"] == 0o600
    assert modes.get(wal.name, 0o600) == 0o600
    old = tmp_path / "old.duckdb"  # a store made before, world-readable
    duckdb.connect(str(old)).close()
    old.chmod(0o644)
    Store(old, key=TEST_KEY).close()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


def test_an_import_on_a_full_disk_exits_2_with_a_plain_message(db: Path, volume: Path) -> None:
    """It used to exit 1 with a traceback. Now: exit 2, the reason, nothing stored."""
    data = volume.parent / f"{volume.name}-big.csv"  # outside the volume
    data.write_bytes(
        conversations(60_000, seed=9).replace(b"X0,", b"Y0,").replace(b"\r\nC", b"\r\nD")
    )
    fill(volume, 100_000)
    done = cli("import", str(data), "--db", str(db))
    out, err = done.communicate(timeout=180)
    unfill(volume)
    data.unlink()
    assert done.returncode == 2, (out, err)
    assert "Traceback" not in err and "The disk holding the store is full" in err, err
    assert counted(db) == ROWS + 1  # nothing of the file stored


def test_a_restore_killed_at_many_points_leaves_the_store_whole(made: Path, tmp_path: Path) -> None:
    """kill -9 at moments through ``restore --replace`` (one transaction): the store opens with
    all its rows, the backup's being the same ones."""
    from evaluation.admin.backup import backup

    source = open_store(made)
    backup(source, tmp_path / "backup")
    source.close()
    args = ["restore", str(tmp_path / "backup"), "--replace"]
    for attempt, db in enumerate(
        killed_at_moments(made, tmp_path, args, 6, 0.2, random.Random(12))
    ):
        assert held(db) == (ROWS + 1, 1), attempt
