"""Two uploads of the same ids at the same moment: each waits its turn and says what it did.

Two people on the Upload page share the dashboard's one store (its connection, a cursor per
run). DuckDB refused the second of two overlapping writes with a raw ``TransactionException``
and no word on whether anything was stored; the store now lets writes take turns.
"""

from __future__ import annotations

import random
import re
import threading
from pathlib import Path

import duckdb
import pytest

from evaluation.ingest.checks import check
from evaluation.ingest.importer import Imported, store_checked
from evaluation.store import batches, query
from evaluation.store.connection import Store, StoreBusy
from tests.harness import TEST_KEY

HEADER = "conversation_id,person_id,site,approach,conversation,request_type,started_on,cohort"


def same_ids(cohort: str, rows: int = 3000) -> bytes:
    rng = random.Random(cohort)
    lines = [HEADER] + [
        f"C{i},P{rng.randint(1, 900)},North,3Cs,1,new,{rng.randint(1, 28):02d}/03/2024,{cohort}"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_two_page_imports_of_the_same_ids_both_finish_and_say_what_they_stored(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "two.duckdb", key=TEST_KEY, hold=False)
    checked = [check(same_ids(c), f"{c}.csv") for c in ("first", "second")]
    barrier = threading.Barrier(2)
    results: list[Imported | BaseException | None] = [None, None]

    def upload(n: int) -> None:
        with store.lease():  # as a script run holds it
            barrier.wait()
            try:
                results[n] = store_checked(store, checked[n], imported_by=f"lead {n}")
            except BaseException as error:  # the test reports whatever happened
                results[n] = error

    threads = [threading.Thread(target=upload, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, Imported) for r in results), results
    done = sorted(results, key=lambda r: r.batch_id)  # type: ignore[union-attr,return-value]
    assert [(r.added, r.replaced) for r in done] == [(3000, 0), (0, 3000)]  # type: ignore[union-attr]
    assert "3000 added" in done[0].summary() and "3000 replaced" in done[1].summary()  # type: ignore[union-attr]
    with store.lease():
        assert batches.count(store, "conversations") == 3000
        assert query.scalar(store, "SELECT count(*) FROM conversations_replaced") == 3000
    store.close()


def test_a_conflict_with_another_connection_is_said_plainly(tmp_path: Path) -> None:
    """Should DuckDB still refuse a commit (another connection to the file), the person reads
    that nothing was changed, not DuckDB's words."""
    store = Store(tmp_path / "c.duckdb", key=TEST_KEY)
    store.cursor().execute("CREATE TABLE t (x INTEGER PRIMARY KEY, y INTEGER)")
    store.cursor().execute("INSERT INTO t VALUES (1, 0)")
    other = store.con.cursor()
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE t SET y = 2 WHERE x = 1")
    refusal = re.escape("nothing was changed this time. Try again.")
    with pytest.raises(StoreBusy, match=refusal), store.transaction() as cur:
        cur.execute("UPDATE t SET y = 1 WHERE x = 1")
    other.execute("COMMIT")
    assert store.cursor().execute("SELECT y FROM t").fetchall() == [(2,)]
    assert not isinstance(StoreBusy("x"), duckdb.Error)
    store.close()
