"""Mapping profiles: how one local export's headings and words read as the contract's.

A council exports the same report every week from Mosaic, LAS, Eclipse or a survey tool,
with its own headings ("Step ID") and its own words for the contract's values ("3C
Innovation Team"). A profile, written once in TOML, says which heading holds which contract
column and which of the export's words mean which contract value::

    name = "Mosaic steps report"
    kind = "conversations"

    [columns]                 # contract column = the export's heading
    conversation_id = "Step ID"

    [values.approach]         # contract value = the export's values that mean it
    "three conversations" = ["3C Innovation Team"]

It is checked strictly here, before it is stored or used: a wrong kind, a column the kind
doesn't have, or a value the contract doesn't allow is refused with a plain sentence, since
a profile that quietly read a word wrong would move people between approaches in every
figure from then on.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import PydanticCustomError

from evaluation.core import values as v
from evaluation.core.contract import KINDS, Kind
from evaluation.core.vocabulary import APPROACHES, LONG_TERM, SHORT_TERM
from evaluation.ingest.column_sql import validator

BLANK = ""
MAX_PROFILE_BYTES = 1024 * 1024
MAX_NAME = 100
# The contract's methods of feedback (contract §1, feedback): method is free text, but a
# profile maps an export's words onto these.
METHODS = ("phone interview", "survey", "compliment", "complaint", "other")
_ALLOWED: dict[Any, tuple[str, ...]] = {
    v.approach: APPROACHES,
    v.conversation_number: ("1", "2", "3"),
    v.request_type: ("new", "existing"),
    v.yes_no: ("yes", "no"),
    v.answer: ("yes", "partly", "no"),
    v.score: ("1", "2", "3", "4", "5"),
    v.status: ("active", "suspended", "cancelled"),
    v.support: (LONG_TERM, SHORT_TERM),
    v.age_band: ("18-64", "65+"),
}


class ProfileError(ValueError):
    """The profile can't be used as it is; the message says what to change."""


def fold(text: str | None) -> str:
    """How headings and values are matched: ignoring case and surrounding spaces."""
    return (text or "").strip().casefold()


def allowed_values(kind: Kind, column: str) -> tuple[str, ...] | None:
    """The values a profile may map this column's words to (``""`` is blank, for a column
    that may be blank), or None for a column that takes any text, a date or an amount."""
    wrapper = validator(kind, column)
    if column == "method" and wrapper.parse in (str, v.label):
        found = METHODS
    else:
        found = _ALLOWED.get(wrapper.parse)
    if found is None:
        return None
    return found if wrapper.required else (*found, BLANK)


def canonical(kind: Kind, column: str, target: str) -> str:
    """The contract value ``target`` names (ignoring case and spaces, or any spelling the
    contract itself reads, like ``Y`` or ``3Cs``); ProfileError if it names none."""
    allowed = allowed_values(kind, column)
    if allowed is None:
        raise ProfileError(_no_values(kind, column))
    for value in allowed:
        if fold(value) == fold(target):
            return value
    parse = validator(kind, column).parse
    if parse is not str and fold(target):
        try:
            parsed = parse(target)
        except PydanticCustomError:
            parsed = None
        if isinstance(parsed, bool):
            parsed = "yes" if parsed else "no"
        if parsed is not None and str(parsed) in allowed:
            return str(parsed)
    named = [f'"{a}"' for a in allowed if a] + (['"" (blank)'] if BLANK in allowed else [])
    shown = ", ".join(named[:-1]) + f" or {named[-1]}"
    if not fold(target):
        raise ProfileError(f"[values.{column}]: {column} is required, so no value can mean blank")
    raise ProfileError(f'[values.{column}]: "{target}" is not a value {column} takes: use {shown}')


def _no_values(kind: Kind, column: str) -> str:
    sql_type = kind.sql_type(column)
    what = {"DATE": "a date", "DECIMAL(12,2)": "an amount of money", "DOUBLE": "a number"}
    reason = what.get(sql_type, "any text")
    return (
        f"[values.{column}]: {column} takes {reason}, so it has no values to map "
        "(only columns with a fixed list of values do)"
    )


@dataclass(frozen=True)
class Profile:
    """One export's mapping, as parsed: contract column → heading, and for a column with
    allowed values, contract value → the export's words (as written)."""

    name: str
    kind: str
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    def lookup(self, column: str) -> dict[str, str]:
        """The export's words (folded) → the contract value, for one column."""
        return {
            fold(word): target
            for target, words in self.values.get(column, {}).items()
            for word in words
        }


def parse_profile(text: str | bytes, source: str = "the profile") -> Profile:
    """Read a profile's TOML; ProfileError naming ``source`` and what is wrong."""
    if isinstance(text, bytes):
        if len(text) > MAX_PROFILE_BYTES:
            raise ProfileError(f"{source} is over 1 MB: a profile is a few lines of TOML")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ProfileError(f"{source} is not UTF-8 text: save it as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ProfileError(f"{source} is not valid TOML: {error}") from None
    try:
        return _profile(data)
    except ProfileError as error:
        raise ProfileError(f"{source}: {error}") from None


def _profile(data: dict[str, Any]) -> Profile:
    unknown = sorted(set(data) - {"name", "kind", "columns", "values"})
    if unknown:
        raise ProfileError(
            f"unknown setting {', '.join(unknown)}: a profile has name, kind, [columns] "
            "and [values.COLUMN]"
        )
    name = _name(data.get("name"))
    kind_name = data.get("kind")
    if not isinstance(kind_name, str) or kind_name.strip() not in KINDS:
        raise ProfileError(f"kind = {kind_name!r} is not a kind of file: use one of {_kinds()}")
    kind = KINDS[kind_name.strip()]
    columns = _columns(kind, _table(data.get("columns", {}), "[columns]"))
    raw_values = _table(data.get("values", {}), "[values]")
    for column in raw_values:
        _column(kind, column, "[values]")
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    for column in kind.columns:  # the contract's order
        if column in raw_values:
            mapping = _words(kind, column, _table(raw_values[column], f"[values.{column}]"))
            if mapping:
                values[column] = mapping
    if not columns and not values:
        raise ProfileError("it names no columns and maps no values: there is nothing to apply")
    return Profile(name, kind.name, columns, values)


def _kinds() -> str:
    return ", ".join(KINDS)


def _name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ProfileError('it needs a name, for example name = "Mosaic steps report"')
    name = raw.strip()
    if len(name) > MAX_NAME or not name.isprintable():
        raise ProfileError(f"the name must be one line of at most {MAX_NAME} characters")
    return name


def _table(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ProfileError(f"{where} must be a table of settings, not {type(raw).__name__}")
    return raw


def _column(kind: Kind, column: str, where: str) -> str:
    if column in kind.columns:
        return column
    close = difflib.get_close_matches(column, kind.columns, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise ProfileError(f"{where} names {column!r}, which is not a {kind.name} column{hint}")


def _columns(kind: Kind, raw: dict[str, Any]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for column in kind.columns:  # the contract's order, whatever the file's
        if column in raw:
            heading = raw[column]
            if not isinstance(heading, str) or not heading.strip():
                raise ProfileError(
                    f'[columns] {column} must be the export\'s heading, e.g. {column} = "Step ID"'
                )
            columns[column] = heading.strip()
    for column in raw:
        _column(kind, column, "[columns]")
    return columns


def _words(kind: Kind, column: str, raw: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """One ``[values.COLUMN]`` table: every target allowed, every word listed once."""
    allowed = allowed_values(kind, column)
    if allowed is None:
        raise ProfileError(_no_values(kind, column))
    found: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for target, words in raw.items():
        value = canonical(kind, column, target)
        if isinstance(words, str) or not isinstance(words, list):
            raise ProfileError(
                f'[values.{column}] "{target}" must be a list of the export\'s values, '
                f'e.g. "{target}" = ["...", "..."]'
            )
        for word in words:
            if not isinstance(word, str):
                raise ProfileError(
                    f'[values.{column}] "{target}" lists {word!r}, which is not text'
                )
            if not fold(word):
                raise ProfileError(
                    f'[values.{column}] "{target}" lists a blank value: blank cells are always '
                    "read as blank, so leave it out"
                )
            earlier = seen.setdefault(fold(word), value)
            if earlier != value:
                raise ProfileError(
                    f'[values.{column}]: "{word.strip()}" is listed under both "{earlier}" and '
                    f'"{value}"'
                )
            bucket = found.setdefault(value, [])
            if fold(word) not in {fold(w) for w in bucket}:
                bucket.append(word.strip())
    return {t: tuple(found[t]) for t in allowed if found.get(t)}


# --- writing ----------------------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"


def quoted(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def dump_profile(profile: Profile) -> str:
    """The profile as TOML, in the documented format (``parse_profile`` reads it back)."""
    lines = [f"name = {quoted(profile.name)}", f"kind = {quoted(profile.kind)}", ""]
    if profile.columns:
        lines.append("[columns]                 # contract column = the export's heading")
        lines += [f"{column} = {quoted(h)}" for column, h in profile.columns.items()]
        lines.append("")
    for column, mapping in profile.values.items():
        lines.append(f"[values.{column}]")
        for target, words in mapping.items():
            note = "     # blank" if target == BLANK else ""
            listed = ", ".join(quoted(w) for w in words)
            lines.append(f"{quoted(target)} = [{listed}]{note}")
        lines.append("")
    return "\n".join(lines)
