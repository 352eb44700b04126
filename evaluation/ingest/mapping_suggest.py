"""What the "Map your columns" step needs of a file: its headings, first rows and words,
and first guesses at which heading is which contract column and what each word means.

The guesses only fill in the choices the person then checks: a heading is suggested for a
column by name likeness (``difflib`` on the names, and the words they share once a few
everyday equivalents are allowed for, like "client" for person or "start" for started);
a word is suggested a value when the contract itself reads it (``Y``, ``3Cs``) or it plainly
names one ("Conversation One …"). Nothing is ever mapped without being shown.
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from pydantic_core import PydanticCustomError

from evaluation.core import values as v
from evaluation.core.contract import KINDS, Kind
from evaluation.core.vocabulary import THREE_CONVERSATIONS
from evaluation.ingest.column_sql import validator
from evaluation.ingest.mapping_profile import (
    Profile,
    ProfileError,
    allowed_values,
    canonical,
    dump_profile,
    fold,
    parse_profile,
)
from evaluation.ingest.reading import NeedsRowByRow, normalise_header, read_header, read_table

FIRST_ROWS = 5
MAX_WORDS = 60  # more different values than this: not a column of allowed values
LIKE_ENOUGH = 0.5
# Everyday words exports use for the contract's, compared word by word.
EQUIVALENT = {
    "client": "person",
    "customer": "person",
    "citizen": "person",
    "individual": "person",
    "resident": "person",
    "team": "site",
    "no": "id",
    "number": "id",
    "ref": "id",
    "reference": "id",
    "identifier": "id",
    "start": "started",
    "end": "ended",
    "finish": "ended",
    "finished": "ended",
    "date": "on",
    "staff": "worker",
    "locality": "area",
    "ward": "area",
    "postcode": "area",
}
_NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}


@dataclass(frozen=True)
class FileSample:
    """A file as the mapping step shows it: headings, the first rows, and each column's
    different values (None when it has more than ``MAX_WORDS``)."""

    headers: list[str]
    first_rows: list[list[str]]
    words: list[list[str] | None]
    rows: int


def sample_file(data: bytes) -> FileSample:
    """Headings, first rows and words of a CSV (Refused if it isn't one)."""
    try:
        utf8, headers = read_header(data)
        columns = _arrow_columns(utf8, len(headers))
    except (NeedsRowByRow, pa.ArrowInvalid):
        table = read_table(data)
        headers = table.headers
        width = len(headers)
        cells = [(r + [""] * width)[:width] for _, r in table.rows]
        columns = [pa.array([row[i] for row in cells], pa.string()) for i in range(width)]
    rows = len(columns[0]) if columns else 0
    first = [[str(c[r].as_py() or "") for c in columns] for r in range(min(rows, FIRST_ROWS))]
    return FileSample(headers, first, [_words(c) for c in columns], rows)


def _arrow_columns(utf8: bytes, width: int) -> list[pa.Array]:
    """Every column as text, read by Arrow with the contract's dialect pinned."""
    names = [f"c{i}" for i in range(width)]
    table = pacsv.read_csv(
        io.BytesIO(utf8),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(
            delimiter=",", quote_char='"', double_quote=True, escape_char=False,
            newlines_in_values=True,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False,
        ),
    )  # fmt: skip
    return [table.column(n).combine_chunks() for n in names]


def _words(column: pa.Array) -> list[str] | None:
    """The different non-blank values of a column, trimmed, the most frequent first."""
    trimmed = pc.utf8_trim(column, characters=v.WHITESPACE)
    counts = pc.value_counts(trimmed)
    if len(counts) > MAX_WORDS + 1:
        return None
    pairs = [(c["counts"], c["values"]) for c in counts.to_pylist() if c["values"]]
    return [word for _, word in sorted(pairs, key=lambda p: (-p[0], p[1]))]


# --- headings ---------------------------------------------------------------------------


def _tokens(name: str) -> set[str]:
    return {EQUIVALENT.get(w, w) for w in re.findall(r"[a-z0-9]+", name.lower())}


def likeness(column: str, heading: str) -> float:
    """How like a contract column's name a heading is, 0 to 1."""
    a, b = normalise_header(column), normalise_header(heading)
    if a == b:
        return 1.0
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    ours, theirs = _tokens(column), _tokens(heading)
    shared = len(ours & theirs)
    words = (shared / len(ours) + shared / len(theirs)) / 2 if ours and theirs else 0.0
    score = min(0.99, max(0.9 * ratio, words) + 0.05 * ratio)
    # A heading that names an id ("Service ID") is hardly a column of names or values.
    return score * 0.6 if "id" in theirs and "id" not in ours else score


def suggest_columns(kind: Kind, headers: list[str]) -> dict[str, int | None]:
    """For each contract column, the heading most like it (its position), each heading
    used once, the likest pairs first (a required column first among equals); None where
    nothing is like enough."""
    required = set(kind.required)
    pairs = sorted(
        (
            (likeness(column, header) + (0.02 if column in required else 0.0), -n, column, i)
            for n, column in enumerate(kind.columns)
            for i, header in enumerate(headers)
            if header
        ),
        reverse=True,
    )
    chosen: dict[str, int | None] = dict.fromkeys(kind.columns)
    used: set[int] = set()
    for score, _, column, index in pairs:
        if score >= LIKE_ENOUGH and chosen[column] is None and index not in used:
            chosen[column] = index
            used.add(index)
    return chosen


def suggest_kind(headers: list[str]) -> str:
    """The kind whose required columns the headings are most like; then all its columns."""

    def score(kind: Kind) -> tuple[float, float]:
        found = suggest_columns(kind, headers)
        like = {c: likeness(c, headers[i]) for c, i in found.items() if i is not None}
        required = sum(like.get(c, 0.0) for c in kind.required) / len(kind.required)
        return required, sum(like.values())

    return max(KINDS.values(), key=score).name


# --- values -----------------------------------------------------------------------------


def suggest_value(kind: Kind, column: str, word: str) -> str | None:
    """The contract value a word most likely means, or None to leave it to the person."""
    try:
        return canonical(kind, column, word)
    except ProfileError:
        pass
    allowed = [a for a in allowed_values(kind, column) or () if a]
    tokens = re.findall(r"[a-z0-9+]+", fold(word))
    parse = validator(kind, column).parse
    if parse in (v.conversation_number, v.score):
        numbers = {_NUMBER_WORDS.get(t, t) for t in tokens} & set(allowed)
        if len(numbers) == 1:
            return numbers.pop()
    if parse is v.approach:
        spans = {" ".join(tokens[i : i + n]) for n in (1, 2, 3) for i in range(len(tokens))}
        found = {v.APPROACHES[s] for s in spans if s in v.APPROACHES}
        if len(found) == 1:
            return found.pop()
        if "3" in tokens and "conversations" in tokens:
            return THREE_CONVERSATIONS
    # A value named word for word inside it ("New Contact", "No Further Action").
    padded = f" {' '.join(tokens)} "
    named = {a for a in allowed if f" {' '.join(re.findall(r'[a-z0-9+]+', a))} " in padded}
    if len(named) == 1:
        return named.pop()
    close = difflib.get_close_matches(fold(word), allowed, n=1, cutoff=0.75)
    return close[0] if close else None


def read_cell(kind: Kind, column: str, text: str) -> tuple[Any, str | None]:
    """A cell as the contract reads it: (value, None), or (None, what is wrong)."""
    try:
        return validator(kind, column)(text), None
    except PydanticCustomError as error:
        return None, error.message()


def mapped_cell(kind: Kind, column: str, text: str, meanings: dict[str, str]) -> str | None:
    """A cell's text after the step's value choices (``meanings``: word → value, for a
    column with allowed values); None for a word no value has been chosen for yet."""
    if allowed_values(kind, column) is None or not fold(text):
        return text
    return {fold(w): value for w, value in meanings.items()}.get(fold(text))


def meanings_columns(kind: Kind) -> list[str]:
    """The kind's columns with allowed values: the ones whose words the step maps."""
    return [c for c in kind.columns if allowed_values(kind, c) is not None]


def build_profile(
    name: str,
    kind: str,
    columns: dict[str, str],
    meanings: dict[str, dict[str, str]],
) -> Profile:
    """The step's choices as a profile, checked as a TOML file would be. ``columns``:
    contract column → heading; ``meanings``: contract column → {word: value}."""
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    for column, chosen in meanings.items():
        grouped: dict[str, list[str]] = {}
        for word, value in chosen.items():
            grouped.setdefault(value, []).append(word)
        values[column] = {value: tuple(words) for value, words in grouped.items()}
    draft = Profile(name.strip(), kind, dict(columns), values)
    return parse_profile(dump_profile(draft), f"the profile '{name.strip()}'")


def unchosen(words: list[str], meanings: dict[str, str]) -> list[str]:
    """The words of a column no value has been chosen for yet."""
    chosen = {fold(w) for w in meanings}
    return [w for w in words if fold(w) not in chosen]
