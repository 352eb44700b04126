"""The contract's value parsers written as SQL, so DuckDB checks a whole column at once.

Each parser in ``evaluation.core.values`` has its SQL twin here: the same rules (UK dates,
money, yes/no, allowed values) over trimmed text, giving NULL where the text is not valid.
Property tests hold the two to the same answers on random input, so the models stay the
single statement of what a valid row is. Values go in as named bound parameters.
"""

from __future__ import annotations

from typing import Any

from evaluation.core import values as v
from evaluation.core.contract import Kind

_WS = v.WHITESPACE
UK_PREFIX = r"^(\d{1,2}/\d{1,2}/\d{4})"
SEPARATORS = r"[ \t\r\n\x0b\x0c_\-]+"
NUMBER = r"\d+(\.\d+)?"


def validator(kind: Kind, column: str) -> Any:
    for item in kind.model.model_fields[column].metadata:
        func = getattr(item, "func", None)
        if func is not None and hasattr(func, "parse"):
            return func
    raise TypeError(f"{kind.name}.{column} has no contract parser")


class Params:
    """Named bound parameters: an expression may appear twice in the SQL and bind once."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any, sql_type: str = "VARCHAR") -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"${name}::{sql_type}"


def _enum(expr: str, mapping: dict[str, str], bind: Params) -> str:
    """CASE over bound lists: which canonical value a normalised text maps to."""
    branches = []
    for canonical in sorted(set(mapping.values())):
        keys = bind(sorted(k for k, c in mapping.items() if c == canonical), "VARCHAR[]")
        branches.append(f"WHEN list_contains({keys}, {expr}) THEN {bind(canonical)}")
    return f"CASE {' '.join(branches)} END"


def _value_sql(parse: Any, t: str, bind: Params) -> str:
    """SQL that gives the parsed value of trimmed text ``t`` (NULL when it is not valid)."""
    if parse in (str, v.label):
        return t
    if parse is v.uk_date:
        # a time of day after the date is allowed (and dropped), but only a real one
        clock = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
        uk = rf"(\d{{1,2}})/(\d{{1,2}})/(\d{{4}})([ \t\r\n\x0b\x0c]+{clock})?"
        iso = rf"(\d{{4}})-(\d{{2}})-(\d{{2}})([T \t\r\n\x0b\x0c]{clock.replace('[01]?', '[01]')})?"
        day = (
            f"CASE WHEN regexp_full_match({t}, {bind(uk)}) "
            f"THEN try_strptime(regexp_extract({t}, {bind(UK_PREFIX)}, 1), "
            "'%d/%m/%Y')::DATE "
            f"WHEN regexp_full_match({t}, {bind(iso)}) "
            f"THEN try_strptime(left({t}, 10), '%Y-%m-%d')::DATE END"
        )
        return day
    if parse is v.money:  # the amount; what makes it valid is in _extra_check
        # A valid amount has at most two decimals and is under 10,000,000,000 (_extra_check),
        # so DECIMAL(18,2) holds it exactly; a text with more decimals is rounded here but
        # refused there, and one too long for it is refused either way. Eight-byte decimals
        # cost half of what the 38-digit kind did.
        return "TRY_CAST(replace(_digits, ',', '') AS DECIMAL(18,2))"
    if parse is v.yes_no:
        lowered = f"lower({t})"
        return (
            f"CASE WHEN list_contains({bind(sorted(v.YES), 'VARCHAR[]')}, {lowered}) THEN true "
            f"WHEN list_contains({bind(sorted(v.NO), 'VARCHAR[]')}, {lowered}) THEN false END"
        )
    if parse is v.approach:
        key = f"regexp_replace(lower({t}), {bind(SEPARATORS)}, ' ', 'g')"
        spaced = _enum(key, v.APPROACHES, bind)
        squashed = _enum(f"replace({key}, ' ', '')", v.APPROACHES, bind)
        return f"coalesce({spaced}, {squashed})"
    if parse is v.request_type:
        return _enum(f"lower({t})", {"new": "new", "existing": "existing"}, bind)
    if parse is v.conversation_number:
        pattern = bind(r"^(conversation|c)[ \t\r\n\x0b\x0c]*")
        stripped = f"regexp_replace(lower({t}), {pattern}, '')"
        return f"CASE WHEN {stripped} IN ('1', '2', '3') THEN {stripped}::INTEGER END"
    if parse is v.answer:
        mapping = {"yes": "yes", "y": "yes", "partly": "partly", "partially": "partly"}
        return _enum(f"lower({t})", {**mapping, "no": "no", "n": "no"}, bind)
    if parse is v.score:
        return f"CASE WHEN {t} IN ('1', '2', '3', '4', '5') THEN {t}::INTEGER END"
    if parse is v.percent:
        number = f"trim(rtrim({t}, '%'), {bind(_WS)})"
        return (
            f"CASE WHEN regexp_full_match({number}, {bind(NUMBER)}) "
            f"AND TRY_CAST({number} AS DOUBLE) BETWEEN 0 AND 100 "
            f"THEN TRY_CAST({number} AS DOUBLE) END"
        )
    if parse is v.age_band:
        return _enum(_words_sql(t, bind), v.AGE_BANDS, bind)
    if parse is v.support:
        key = _words_sql(t, bind)
        squashed = _enum(f"replace({key}, ' ', '')", v.SUPPORT, bind)
        return f"coalesce({_enum(key, v.SUPPORT, bind)}, {squashed})"
    if parse is v.status:
        statuses = {"active": "active", "suspended": "suspended"}
        statuses.update({"cancelled": "cancelled", "canceled": "cancelled"})
        return _enum(f"lower({t})", statuses, bind)
    raise TypeError(f"no SQL for parser {parse!r}")


def parsed_sql(parse: Any, t: str, bind: Params) -> str:
    """SQL for the value of trimmed text ``t`` under one of ``values``' parsers (NULL when it
    is not valid): the CLD import reads its dates with the contract's own rule."""
    return _value_sql(parse, t, bind)


def _words_sql(t: str, bind: Params) -> str:
    """``values.words`` in SQL: lowercased, separators as one space, trimmed."""
    return f"trim(regexp_replace(lower({t}), {bind(v.WORD_SEPARATORS)}, ' ', 'g'), ' ')"


def _extra_check(parse: Any, value: str, t: str, bind: Params) -> str | None:
    """What a parsed value must also satisfy (checked in a second pass, on the typed column)."""
    if parse is v.uk_date:
        return f"year({value}) >= 1"
    if parse is v.money:
        negative = "(starts_with(_w, '-') OR (starts_with(_w, '(') AND ends_with(_w, ')')))"
        pattern = bind(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$")
        return (
            f"regexp_matches(_digits, {pattern}) "
            "AND length(split_part(_digits, '.', 2)) <= 2 "
            f"AND NOT ({negative} AND {value} <> 0) AND {value} < 10000000000"
        )
    return None


def helpers(parse: Any, t: str) -> list[str]:
    """Intermediate texts a parser's value and check share, computed once before either.

    Money has a few hundred thousand distinct texts in a million rows; working out the
    stripped digits once instead of in every place that reads them halves its cost.
    """
    if parse is v.money:
        w = f"replace(replace({t}, '\u00a3', ''), ' ', '')"
        return [f"{w} AS _w", f"ltrim(trim({w}, '()'), '-') AS _digits"]
    return []


def typed(kind: Kind, column: str, t: str, bind: Params) -> tuple[str, str]:
    """(value expression over trimmed text ``t``, ok expression over the value column).

    The value is computed once, in the first pass; the ok expression reads the typed column
    (named like the contract column) in the second pass, so no parse runs twice. Both may
    read the columns ``_helpers`` adds beside ``t``.
    """
    wrapper = validator(kind, column)
    parsed = _value_sql(wrapper.parse, t, bind)
    extra = _extra_check(wrapper.parse, column, t, bind)
    valid = f"{column} IS NOT NULL" + (f" AND {extra}" if extra else "")
    if wrapper.required:
        return parsed, f"coalesce({t} IS NOT NULL AND {valid}, false)"
    ok = f"coalesce({t} IS NULL OR ({valid}), false)"
    if wrapper.default is None:
        return parsed, ok
    default = bind(wrapper.default, kind.sql_type(column))
    return f"CASE WHEN {t} IS NULL THEN {default} ELSE {parsed} END", ok
