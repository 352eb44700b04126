"""The one normalisation of ids, site names and every allowed value, done once on import.

Two texts that look the same must be the same text, or a site lead's file with a no-break
space, an "ﬁ" ligature or a byte-order mark pasted mid-file makes a new site (or a new person)
that nobody can tell from the real one. So, in this order: invisible format characters
(zero-width spaces and joiners, byte-order marks, soft hyphens, direction marks — Unicode
category Cf) are removed; the text is put in Unicode NFKC form (ligatures split, full-width
letters and digits made plain, no-break and other odd spaces made plain spaces); every run of
white space becomes one space; the ends are trimmed.

The row-by-row check (one cell at a time) and the vectorised one (a whole Arrow column) must
give the same answer for every text, so both use Arrow's own Unicode functions: Python's
``unicodedata`` follows an older Unicode version than Arrow's and disagrees on a few hundred
new characters. Plain ASCII needs none of that and takes a short cut that gives the same.
Free text (comments, stories) is only trimmed: it is the person's own words.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# ASCII white space as the contract has always trimmed it (values.WHITESPACE).
ASCII_SPACE = " \t\r\n\x0b\x0c"
INVISIBLE = r"\p{Cf}"  # format characters: U+200B–U+200D, U+2060, U+FEFF, U+00AD, U+200E…
SPACE_RUN = r"[\t\n\x{0b}\x{0c}\r \x{85}\p{Z}]+"  # \p{Z}: every Unicode space and separator
ASCII_RUN = r"[\t\n\x{0b}\x{0c}\r ]+"
_ASCII_RUN = re.compile(r"[\t\n\x0b\x0c\r ]+")


def normalise(text: str) -> str:
    """``text`` as the store keeps an id, a site or an allowed value ('' when blank)."""
    if text.isascii():
        return _ASCII_RUN.sub(" ", text).strip(" ")
    found = normalise_array(pa.array([text], pa.string()))[0].as_py()
    return found or ""


def normalise_array(texts: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``normalise`` of every text of an Arrow string column (NULL stays NULL; a blank text
    becomes ''). The steps run only where the column's bytes show some text may need them."""
    wide, spaced = _needs(texts)
    if wide:
        texts = pc.replace_substring_regex(texts, pattern=INVISIBLE, replacement="")
        texts = pc.utf8_normalize(texts, form="NFKC")
        texts = pc.replace_substring_regex(texts, pattern=SPACE_RUN, replacement=" ")
    elif spaced:
        texts = pc.replace_substring_regex(texts, pattern=ASCII_RUN, replacement=" ")
    return pc.utf8_trim(texts, characters=" ")


def _needs(texts: pa.Array | pa.ChunkedArray) -> tuple[bool, bool]:
    """(any byte beyond ASCII, any white space but single spaces) in the column's text bytes.

    Read straight from Arrow's buffer of text bytes, which costs a few milliseconds for a
    million ids where a regular expression over every text cost a tenth of a second. The
    buffer may hold bytes outside the texts (a slice) and runs across two texts: either only
    sends the column through steps that leave such texts as they are."""
    chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
    wide = spaced = False
    for chunk in chunks:
        data = chunk.buffers()[2] if len(chunk) else None
        if data is None:
            continue
        raw = np.frombuffer(data, dtype=np.uint8)
        if not len(raw):
            continue
        wide = wide or int(raw.max()) >= 0x80
        # Tab, line feed, vertical tab, form feed, carriage return: 9 to 13 (the subtraction
        # wraps below 9 round to large numbers).
        spaced = spaced or bool(((raw - 9) <= 4).any()) or b"  " in data.to_pybytes()
    return wide, spaced


def same_name(text: str) -> str:
    """How two names are compared (site permissions, one spelling per site): normalised and
    without regard to capitals."""
    return normalise(text).casefold()
