"""Columns of a checked file held dictionary-encoded where their values repeat.

A million conversations name a few sites, areas and approaches: held as a dictionary of
the distinct names and a position per row, such a column takes 4 MB rather than 25, each
name is normalised once rather than a million times, and DuckDB stores it as it is. NULL is
always marked on the row, never by a NULL in the dictionary (Arrow's ``is_null`` looks only
at the rows).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.core.text import normalise_array

# A column of names with a distinct text per REPEATS rows or fewer is normalised per text.
FEW_NAMES_FROM, REPEATS = 10_000, 8


def few_names(cells: pa.Array) -> pa.Array | None:
    """A column of names that repeat (sites, areas, services), normalised once per distinct
    text and kept dictionary-encoded; None when most texts are different (ids).

    The first rows tell cheaply: listing a million different ids only to find them
    different cost a second."""
    sample = cells.slice(0, FEW_NAMES_FROM)
    if len(pc.unique(sample)) * REPEATS > len(sample):
        return None
    encoded = pc.dictionary_encode(cells)
    if len(encoded.dictionary) * REPEATS > len(cells):
        return None
    names = normalise_array(encoded.dictionary)
    blank = np.asarray(pc.fill_null(pc.equal(names, ""), True), dtype=bool)
    own = pa.array(np.arange(len(names), dtype=np.int32), mask=blank)
    return pa.DictionaryArray.from_arrays(pc.take(own, encoded.indices), names)


def by_position(values: pa.Array, indices: pa.Array) -> pa.Array:
    """Each row's value from the dictionary of parsed texts.

    Text values (an approach, a status) and money (16 bytes a row, mostly empty) stay
    dictionary-encoded: a million rows of two or three words then take 4 MB rather than 20,
    and DuckDB stores them as they are. NULL is marked on the row (never by a NULL in the
    dictionary, which Arrow's ``is_null`` misses)."""
    if not (pa.types.is_string(values.type) or pa.types.is_decimal(values.type)):
        return pc.take(values, indices)
    own = pa.array(np.arange(len(values), dtype=np.int32), mask=np.asarray(pc.is_null(values)))
    return pa.DictionaryArray.from_arrays(pc.take(own, indices), values)
