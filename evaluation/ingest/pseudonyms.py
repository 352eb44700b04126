"""Person and worker ids replaced by their keyed pseudonyms, a whole column at a time.

The pseudonyms are those of ``evaluation.store.keys.pseudonym`` (RFC 2104 HMAC with
SHA-256, the first 20 hex digits, prefixed), so erasure can find a person by recomputing one
in Python; a property test holds the two byte for byte.
"""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.core.contract import Kind
from evaluation.core.text import normalise_array

# Below this many ids Python's hashlib is quicker than starting DuckDB; above it DuckDB
# hashes on every core (a million ids: 0.7 s against Python's 1.5 s on one core).
IN_DUCKDB_FROM = 20_000
_SLICE = 122_880  # ids per Arrow batch: DuckDB scans batches in parallel, one per thread
# RFC 2104 in SQL: H(outer pad || H(inner pad || id)), the pads bound as BLOB parameters so
# the key is never in the SQL text; ``unhex`` turns the inner hex digest back into bytes.
_HMAC_SQL = (
    "SELECT $prefix || left(sha256($outer || unhex(sha256($inner || encode(id)))), 20) "
    "AS pseudonym, _i FROM ids"
)


def _padded_keys(key: bytes) -> tuple[bytes, bytes]:
    """The inner and outer 64-byte padded keys of RFC 2104 HMAC with SHA-256."""
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def _hmac_pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states that have absorbed the inner and outer padded keys of RFC 2104 HMAC.

    Copying a state that has already hashed the 64-byte padded key saves hashing it again for
    every id; the result is the HMAC ``hmac.new(key, id, sha256)`` gives, byte for byte.
    """
    inner, outer = _padded_keys(key)
    return hashlib.sha256(inner), hashlib.sha256(outer)


def _hash_ids(ids: pa.Array, key: bytes, prefix: str) -> pa.Array:
    """``pseudonym.pseudonym`` of each (non-null) id: the first 20 hex digits, prefixed.

    Ids come from the check already normalised; normalising them again (as ``pseudonym``
    does) costs little next to the hashing and keeps the two the same for any input. Many
    ids are hashed in DuckDB, the same HMAC byte for byte (a property test holds the three)."""
    if len(ids) >= IN_DUCKDB_FROM:
        return _hash_in_duckdb(normalise_array(ids), key, prefix)
    inner, outer = _hmac_pads(key)
    new_inner, new_outer = inner.copy, outer.copy
    found = []
    for text in normalise_array(ids).to_pylist():
        digest = new_inner()
        digest.update(text.encode("utf-8"))
        final = new_outer()
        final.update(digest.digest())
        found.append(prefix + final.hexdigest()[:20])
    return pa.array(found, pa.string())


def _hash_in_duckdb(ids: pa.Array | pa.ChunkedArray, key: bytes, prefix: str) -> pa.Array:
    """The HMAC pseudonyms of normalised ids, worked out by DuckDB in the ids' order (in its
    own in-memory connection: the store's is locked down and may be another thread's).

    DuckDB keeps a projection's rows in scan order with ``preserve_insertion_order``; each id
    carries its position all the same, and the result is put back in order if it ever isn't:
    a pseudonym given to the wrong row would join one person's records to another's."""
    inner, outer = _padded_keys(key)
    column = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    table = pa.table({"id": column, "_i": np.arange(len(column), dtype=np.int64)})
    table = pa.Table.from_batches(table.to_batches(max_chunksize=_SLICE), schema=table.schema)
    con = duckdb.connect(config={"preserve_insertion_order": True})
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("ids", table)
        found = con.sql(
            _HMAC_SQL, params={"prefix": prefix, "outer": outer, "inner": inner}
        ).to_arrow_table()
    finally:
        con.close()
    order = found.column("_i")
    if len(order) != len(column):
        raise RuntimeError("DuckDB gave pseudonyms for only some of the ids")
    if not pc.all(pc.equal(order, pa.array(np.arange(len(order))))).as_py():
        found = found.take(pc.sort_indices(order))
    return found.column("pseudonym").combine_chunks()


class Pseudonymiser:
    """HMAC pseudonyms under one key, remembering the ids it has already hashed.

    One import often brings the same people in several files (their conversations and their
    care packages): an id hashed for one file is looked up, not hashed again, for the next.
    The pseudonyms are those of ``pseudonym.pseudonym`` (RFC 2104 HMAC with SHA-256, the first
    20 hex digits, prefixed), so erasure can find people by recomputing one in Python.
    """

    def __init__(self, key: bytes) -> None:
        self.key = key
        self._known: dict[str, tuple[pa.Array, pa.Array]] = {}  # prefix: (ids, pseudonyms)

    def table(self, table: pa.Table, kind: Kind) -> pa.Table:
        """``table`` with its person and worker ids replaced by their pseudonyms."""
        for column in kind.pseudonymised:
            prefix = "W-" if column == "worker_id" else "P-"
            pseudonyms = self._column(table.column(column).combine_chunks(), prefix)
            index = table.schema.get_field_index(column)
            field = table.schema.field(index).with_type(pseudonyms.type)
            table = table.set_column(index, field, pseudonyms)
        return table

    def _column(self, ids: pa.Array, prefix: str) -> pa.Array:
        """The pseudonym of each id (NULL stays NULL).

        Each distinct id is hashed once (a person has several rows; a few hundred workers hold
        a million conversations) and every row takes its pseudonym by position. Ids already
        known are found by a hash lookup, which is cheaper than listing the distinct ids anew.
        """
        if pa.types.is_dictionary(ids.type):  # a column of few ids: each distinct one once
            return pa.DictionaryArray.from_arrays(ids.indices, self._column(ids.dictionary, prefix))
        if prefix not in self._known:
            encoded = pc.dictionary_encode(ids)
            found = _hash_ids(encoded.dictionary, self.key, prefix)
            self._known[prefix] = (encoded.dictionary, found)
            return pc.take(found, encoded.indices)
        known_ids, known = self._known[prefix]
        where = pc.index_in(ids, value_set=known_ids)  # NULL: not hashed yet (or no id)
        unseen = pc.filter(ids, pc.and_(pc.is_null(where), pc.is_valid(ids)))
        if len(unseen):
            new_ids = pc.unique(unseen)
            known_ids = pa.concat_arrays([known_ids, new_ids])
            known = pa.concat_arrays([known, _hash_ids(new_ids, self.key, prefix)])
            self._known[prefix] = (known_ids, known)
            where = pc.index_in(ids, value_set=known_ids)
        return pc.take(known, where)


def pseudonymise(table: pa.Table, kind: Kind, key: bytes) -> pa.Table:
    """Replace person and worker ids with HMAC-SHA256 pseudonyms (``Pseudonymiser``)."""
    return Pseudonymiser(key).table(table, kind)
