"""Columns kept dictionary-encoded (``ingest/encoded.py``) give the same rows and pseudonyms.

A million-row file's repeated names and fixed words are held as a dictionary and a position
per row; small files never are (``FEW_NAMES_FROM``), so these tests turn the thresholds down
and run the checks' agreement test and an import through that path.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.core.contract import KINDS
from evaluation.ingest import encoded, fast_check, pseudonyms
from evaluation.ingest.checks import check
from evaluation.ingest.importer import import_files
from evaluation.store.connection import Store
from evaluation.store.keys import pseudonym
from evaluation.store.query import rows
from tests.ingest.test_import_fast import outcome, random_file


@contextmanager
def always_encoded() -> Iterator[None]:
    """Every name column of any size held as a dictionary, pseudonyms worked out in DuckDB."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoded, "FEW_NAMES_FROM", 1)
        patch.setattr(fast_check, "FEW_NAMES_FROM", 1)
        patch.setattr(encoded, "REPEATS", 1)
        patch.setattr(pseudonyms, "IN_DUCKDB_FROM", 0)
        yield


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(KINDS)), st.integers(0, 2**32))
def test_a_check_with_dictionary_columns_agrees_with_the_row_by_row_one(
    name: str, seed: int
) -> None:
    data = random_file(random.Random(seed), KINDS[name])
    with always_encoded():
        fast = check(data, "f.csv", name)
    assert outcome(fast) == outcome(check(data, "f.csv", name, engine="python"))


def test_blank_and_look_alike_names_are_null_or_one_name_on_the_row() -> None:
    """A blank name is NULL on the row (``is_null`` sees it), look-alikes become one name."""
    with always_encoded():
        found = encoded.few_names(pa.array(["North", " North ", "", "No\u00a0rth", None, "N"]))
    assert found is not None and pa.types.is_dictionary(found.type)
    assert found.to_pylist() == ["North", "North", None, "No rth", None, "N"]
    assert pc.is_null(found).to_pylist() == [False, False, True, False, True, False]
    values = encoded.by_position(pa.array(["a", None]), pa.array([1, 0, 1], pa.int32()))
    assert values.to_pylist() == [None, "a", None]
    assert pc.is_null(values).to_pylist() == [True, False, True]


def test_mostly_different_texts_are_not_encoded() -> None:
    ids = pa.array([f"MOS{n:06d}" for n in range(20_000)])
    assert encoded.few_names(ids) is None


def test_an_import_through_dictionary_columns_stores_what_the_row_by_row_check_gives(
    tmp_path: Path,
) -> None:
    """Sites, workers and approaches repeat: stored under the same names and pseudonyms."""
    rng = random.Random(7)
    header = (
        "conversation_id,person_id,site,approach,conversation,request_type,started_on,worker_id"
    )
    lines = [header]
    for n in range(400):
        site = rng.choice(["North", " North", "South ", "East\u00a0End"])
        worker = rng.choice(["W1", " W2", "W3", ""])
        lines.append(
            f"C{n:04d},P{rng.randrange(60)},{site},three conversations,1,new,05/03/2024,{worker}"
        )
    data = ("\r\n".join(lines) + "\r\n").encode()
    with always_encoded():
        encoded_store = Store(tmp_path / "encoded.duckdb", key="k")
        import_files(encoded_store, [("c.csv", data)])
    plain = Store(tmp_path / "plain.duckdb", key="k")
    checked = check(data, "c.csv", engine="python")
    assert checked.ok
    import_files(plain, [("c.csv", data)])
    query = (
        "SELECT conversation_id, person_id, site, approach, worker_id FROM conversations ORDER BY 1"
    )
    stored = rows(encoded_store, query)
    assert stored == rows(plain, query)
    table = checked.table
    ids, persons = table.column("conversation_id"), table.column("person_id")
    people = dict(zip(ids.to_pylist(), persons.to_pylist(), strict=True))
    assert all(r[1] == pseudonym(b"k", people[r[0]], "P") for r in stored)
    assert {r[2] for r in stored} == {"North", "South", "East End"}
    assert {r[4] for r in stored} == {pseudonym(b"k", w, "W") for w in ("W1", "W2", "W3")} | {None}
