"""Person and worker ids replaced by their keyed pseudonyms, a whole column at a time.

The pseudonyms are those of ``evaluation.store.keys.pseudonym`` (RFC 2104 HMAC with
SHA-256, the first 20 hex digits, prefixed), so erasure can find a person by recomputing one
in Python; a property test holds the two byte for byte.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from evaluation.core.contract import Kind
from evaluation.core.text import normalise_array


def _hmac_pads(key: bytes) -> tuple[Any, Any]:
    """SHA-256 states that have absorbed the inner and outer padded keys of RFC 2104 HMAC.

    Copying a state that has already hashed the 64-byte padded key saves hashing it again for
    every id; the result is the HMAC ``hmac.new(key, id, sha256)`` gives, byte for byte.
    """
    block = key if len(key) <= 64 else hashlib.sha256(key).digest()
    block = block.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    return inner, outer


def _hash_ids(ids: pa.Array, key: bytes, prefix: str) -> pa.Array:
    """``pseudonym.pseudonym`` of each (non-null) id: the first 20 hex digits, prefixed.

    Ids come from the check already normalised; normalising them again (as ``pseudonym``
    does) costs little next to the hashing and keeps the two the same for any input."""
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
            table = table.set_column(index, table.schema.field(index), pseudonyms)
        return table

    def _column(self, ids: pa.Array, prefix: str) -> pa.Array:
        """The pseudonym of each id (NULL stays NULL).

        Each distinct id is hashed once (a person has several rows; a few hundred workers hold
        a million conversations) and every row takes its pseudonym by position. Ids already
        known are found by a hash lookup, which is cheaper than listing the distinct ids anew.
        """
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
