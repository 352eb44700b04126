"""Rewriting the store file: room checked first, copied beside it, verified, synced, swapped.

DuckDB leaves deleted values in the file's free blocks, so after an erasure (or to make the
file small again) the whole database is copied into a fresh file that is swapped in. On a
nearly full disk the old way swapped in an empty file and left the data in an orphaned
write-ahead log. Here every step can fail, or the process be killed, and the store still holds
its old state or its new one, never less:

1. refuse plainly, before writing anything, unless the disk has room for a copy (the store's
   size again, plus a margin for DuckDB's own working);
2. refuse unless the store's write-ahead log is empty (its changes are in the file itself), so
   nothing is left to a log that would not belong to the new file;
3. hold the store (read-only, so no other program can change it) while it is copied table by
   table into ``<store>.rewrite``, each table checkpointed into the copy's file as it lands;
4. open the copy again and compare the rows of every table and each sequence with the store;
5. flush the copy to the disk, swap it in with one atomic rename, and flush the folder.

A copy left behind by a process killed before the swap is removed by the next rewrite and
whenever the store is opened. Two rewrites never run at once (a lock on the store's folder).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from evaluation.store.errors import FULL_MESSAGE, StoreBusy, StoreError, StoreFull, disk_full

SUFFIX = ".rewrite"
MARGIN_FRACTION = 0.1  # of the store's size, for DuckDB's working and the copy's own log
MARGIN_BYTES = 1_000_000

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Linux or macOS
    fcntl = None  # type: ignore[assignment]


def fresh_path(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def leftovers(path: Path) -> list[Path]:
    """The files an interrupted rewrite may have left beside the store."""
    fresh = fresh_path(path)
    return [p for p in (fresh, wal_path(fresh)) if p.exists()]


def remove_leftovers(path: Path) -> list[Path]:
    """Remove what an interrupted rewrite left (only ever copies: the store is untouched)."""
    found = leftovers(path)
    for stale in found:
        stale.unlink(missing_ok=True)
    return found


def needed_bytes(path: Path) -> int:
    """Room a copy needs: the store's size again (its log too) and a margin."""
    size = _size(path) + _size(wal_path(path))
    return size + max(int(size * MARGIN_FRACTION), MARGIN_BYTES)


def check_room(path: Path) -> None:
    free = shutil.disk_usage(path.parent).free
    needed = needed_bytes(path)
    if free < needed:
        raise StoreFull(
            f"There is not enough free space beside the store to rewrite it: it needs about "
            f"{_mb(needed)} and the disk has {_mb(free)} free. Nothing was changed. Free some "
            "space on that disk, then try again."
        )


def rewrite(path: Path) -> None:
    """Copy the store at ``path`` into a fresh file and swap it in (the steps above).

    The caller has closed its own connection to the file. Raises ``StoreFull`` or
    ``StoreBusy`` (nothing changed) or ``StoreError``; the store is whole either way.
    """
    with _only_rewrite(path):
        remove_leftovers(path)
        if _size(wal_path(path)):
            _checkpoint(path)
        check_room(path)
        fresh = fresh_path(path)
        copier = _copier()
        try:
            _copy(copier, path, fresh)
            _sync(fresh)
            os.replace(fresh, path)
            _sync_folder(path.parent)
        except duckdb.Error as error:
            raise _plain(error) from None
        except OSError as error:
            raise _plain(error) from None
        finally:
            copier.close()
            remove_leftovers(path)


def _copier() -> duckdb.DuckDBPyConnection:
    """The in-memory connection that makes the copy (the store's own may not attach files).
    Its log is checkpointed into the copy whenever it passes a megabyte."""
    return duckdb.connect(config={"checkpoint_threshold": "1MB"})


def _copy(copier: duckdb.DuckDBPyConnection, path: Path, fresh: Path) -> None:
    """The copy of ``path`` in ``fresh``, verified; ``path`` stays held read-only meanwhile."""
    try:
        copier.execute("ATTACH ? AS src (READ_ONLY)", [str(path)])
    except duckdb.Error as error:
        if disk_full(error):
            raise
        raise StoreBusy(
            "The store file could not be rewritten because another program has it open. "
            "Close other programs using the store (or wait for the import to finish), then "
            "try again. Nothing was changed."
        ) from None
    if _size(wal_path(path)):  # another program wrote between our close and our hold
        raise StoreBusy("Another program changed the store just now; try again in a minute.")
    expected = _contents(copier, "src")
    copier.execute("ATTACH ? AS dst", [str(fresh)])
    copier.execute("COPY FROM DATABASE src TO dst (SCHEMA)")
    for table in expected["tables"]:
        copier.execute(f"INSERT INTO dst.main.{table} BY NAME SELECT * FROM src.main.{table}")
        copier.execute("CHECKPOINT dst")
    copier.execute("DETACH dst")
    if _size(wal_path(fresh)):
        raise StoreError("The copy's log was not written into the copy.")
    copier.execute("ATTACH ? AS chk (READ_ONLY)", [str(fresh)])
    found = _contents(copier, "chk")
    copier.execute("DETACH chk")
    if found != expected:
        raise StoreError("The copy does not hold what the store holds.")


def _contents(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, object]:
    """Rows per table and each sequence's state: what a copy must hold to be the same."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'main' ORDER BY 1",
            [database],
        ).fetchall()
    ]
    tables = {}
    for name in names:
        quoted = '"' + name.replace('"', '""') + '"'  # a name from the store's own catalog
        found = con.execute(f"SELECT count(*) FROM {database}.main.{quoted}").fetchall()
        tables[quoted] = found[0][0]
    sequences = con.execute(
        "SELECT sequence_name, start_value, last_value FROM duckdb_sequences() "
        "WHERE database_name = ? ORDER BY 1",
        [database],
    ).fetchall()
    return {"tables": tables, "sequences": sequences}


def _checkpoint(path: Path) -> None:
    """Write the store's log into the file itself (refused plainly if the disk is full)."""
    try:
        con = duckdb.connect(str(path))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except duckdb.Error as error:
        raise _plain(error) from None
    if _size(wal_path(path)):
        raise StoreError("The store's log could not be written into the file; nothing changed.")


def _plain(error: BaseException) -> StoreError:
    if isinstance(error, StoreError):
        return error
    if disk_full(error):
        return StoreFull(FULL_MESSAGE)
    if isinstance(error, duckdb.IOException) and "lock" in str(error).lower():
        return StoreBusy("Another program has the store open; try again in a minute.")
    return StoreError(f"The store file could not be rewritten ({error}); nothing was changed.")


@contextlib.contextmanager
def _only_rewrite(path: Path) -> Iterator[None]:
    """One rewrite at a time, across processes: an advisory lock on the store's folder (a
    lock file would be one more file left beside the store)."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreBusy("The store is being rewritten by another program; try again.") from None
        except OSError:
            pass  # a file system without locks: nothing more we can do
        yield
    finally:
        os.close(fd)


def _sync(path: Path) -> None:
    """Flush a file (or a folder: the rename in it) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every system lets a folder be synced
        _sync(folder)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _mb(size: int) -> str:
    return f"{(size + 500_000) // 1_000_000:,} MB" if size >= 1_000_000 else "under 1 MB"
