"""The generated data and the imported store for each size, made once and kept.

Report and page benchmarks measure reading, not importing, so each size's store is imported
once (through the real import, as a council's would be) into ``bench/out/<N>/`` and copied
for every run: a run never sees another run's leftovers, and the import's own time is
measured separately (``import:*`` tasks). The store's name carries a fingerprint of the
import and store code, so a change there builds a fresh one. ``bench/out/`` is git-ignored.

    python -m bench.stores 10000 100000 1000000   # make (or reuse) the data and stores
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import time
from pathlib import Path

from bench.generate import AS_OF, write

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out"
KEY = "bench-pseudonym-key-not-secret"
KINDS = ("conversations", "care_packages", "feedback", "staff")
# The layers whose change can change what an imported store holds.
IMPORT_CODE = ("core", "store", "ingest")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for layer in IMPORT_CODE:
        for path in sorted((ROOT.parent / "evaluation" / layer).glob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def data_dir(size: int, out: Path = OUT, *, distinct_people: bool = False) -> Path:
    """The four generated CSVs for ``size`` conversations (written on first use); with
    ``distinct_people`` a person of their own for every conversation (``data-distinct``)."""
    data = out / str(size) / ("data-distinct" if distinct_people else "data")
    if not all((data / f"{k}.csv").exists() for k in KINDS):
        write(data, size, distinct_people=distinct_people)
    return data


def store_file(size: int, out: Path = OUT) -> Path:
    """The imported store for ``size`` (imported on first use, all four kinds, as of the
    generator's extract date so "ongoing" means the same in every run)."""
    from evaluation.ingest.importer import import_files
    from evaluation.store.connection import Store

    path = out / str(size) / f"store-{fingerprint()}.duckdb"
    if path.exists():
        return path
    # Stores of other code are kept (a few megabytes each): checkouts of several branches
    # share one ``--out``, and each builds its own under a name no other build writes.
    data = data_dir(size, out)
    partial = path.with_name(f"partial-{fingerprint()}-{os.getpid()}.duckdb")
    for stale in (partial, partial.with_name("partial.duckdb.wal")):
        stale.unlink(missing_ok=True)
    store = Store(partial, key=KEY)
    try:
        for kind in KINDS:  # one file per call: each import holds one file's rows in memory
            import_files(store, [(f"{kind}.csv", (data / f"{kind}.csv").read_bytes())], as_of=AS_OF)
    finally:
        store.close()
    partial.rename(path)
    return path


def copy_store(size: int, work: Path, out: Path = OUT) -> Path:
    """A private copy of the size's store in ``work``, for one measured run."""
    work.mkdir(parents=True, exist_ok=True)
    target = work / "evaluation.duckdb"
    shutil.copyfile(store_file(size, out), target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", type=int, nargs="+")
    args = parser.parse_args()
    for size in args.sizes:
        started = time.perf_counter()
        path = store_file(size)
        print(f"{size:>9}  {path}  {path.stat().st_size / 1e6:.0f} MB  "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
