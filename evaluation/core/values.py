"""Parsers for the cell values a council export holds (contract §1).

Each parser takes the raw text of one cell and returns a Python value, or raises
``PydanticCustomError`` with a sentence a site lead can act on. They are strict on purpose:
a US date or a two-digit year is refused rather than guessed, because a silently swapped
day and month would move a conversation into the wrong week of every report.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic_core import PydanticCustomError

from evaluation.core.text import normalise
from evaluation.core.vocabulary import THREE_CONVERSATIONS, USUAL_PRACTICE

# ASCII-only patterns, whole-value matches and one whitespace set: the vectorised check in
# DuckDB (vectorised.py, RE2 patterns) uses the same rules, and the two must agree on every input.
WHITESPACE = " \t\r\n\x0b\x0c"
_UK_DATE = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d+)(?:[ \t\r\n\x0b\x0c]+(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?",
    re.ASCII,
)
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T \t\r\n\x0b\x0c](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?",
    re.ASCII,
)
_MONEY = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+", re.ASCII)
_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}

# How exports spell the two approaches (lowercased, separators as one space).
APPROACHES = {
    THREE_CONVERSATIONS: THREE_CONVERSATIONS,
    "threeconversations": THREE_CONVERSATIONS,
    "3cs": THREE_CONVERSATIONS,
    "3c": THREE_CONVERSATIONS,
    "3 conversations": THREE_CONVERSATIONS,
    USUAL_PRACTICE: USUAL_PRACTICE,
    "usual": USUAL_PRACTICE,
    "business as usual": USUAL_PRACTICE,
    "bau": USUAL_PRACTICE,
}


def fail(message: str) -> PydanticCustomError:
    """A validation error whose text is shown to the user as it is."""
    return PydanticCustomError("contract", message)


def text(raw: Any) -> str | None:
    """Trimmed text; a blank cell is None (free text: the person's own words)."""
    if raw is None:
        return None
    value = str(raw).strip(WHITESPACE)
    return value or None


def cleaned(raw: Any) -> str | None:
    """Normalised text (``core.text.normalise``); a blank cell is None (ids, sites, values)."""
    if raw is None:
        return None
    return normalise(str(raw)) or None


def label(raw: str) -> str:
    """An id, a site or a name to group by: the normalised text as it stands (the wrappers
    below normalise every cell that is not free text before it reaches a parser)."""
    return raw


def uk_date(raw: str) -> date:
    """dd/mm/yyyy or yyyy-mm-dd; anything else is refused with the reason."""
    value = raw.strip(WHITESPACE)
    iso = _ISO_DATE.fullmatch(value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
        return _make_date(year, month, day, value)
    uk = _UK_DATE.fullmatch(value)
    if not uk:
        raise fail("not a date: write it as dd/mm/yyyy, for example 05/03/2024")
    day, month, year_text = uk.groups()
    if len(year_text) != 4:
        raise fail("two-digit year: write the year in full, for example 05/03/2024, not 05/03/24")
    day_n, month_n = int(day), int(month)
    if month_n > 12 and day_n <= 12:
        raise fail(
            f"not a UK date: there is no month {month_n}. Dates are read as dd/mm/yyyy; "
            "this looks like a US-style mm/dd/yyyy date"
        )
    return _make_date(int(year_text), month_n, day_n, value)


def _make_date(year: int, month: int, day: int, value: str) -> date:
    if year < 1:
        raise fail("not a real date (dd/mm/yyyy): check the day and the month")
    try:
        return date(year, month, day)
    except ValueError:
        raise fail("not a real date (dd/mm/yyyy): check the day and the month") from None


def money(raw: str) -> Decimal:
    """1234.5, 1,234.50 or £1,234.50 → Decimal pounds; negative amounts are refused."""
    value = raw.strip(WHITESPACE).replace("\u00a3", "").replace(" ", "")
    negative = value.startswith("-") or (value.startswith("(") and value.endswith(")"))
    digits = value.strip("()").lstrip("-")
    if not _MONEY.fullmatch(digits):
        raise fail("not an amount of money: write it like 1234.50, 1,234.50 or £1,234.50")
    amount = Decimal(digits.replace(",", ""))
    if negative and amount != 0:
        raise fail("a cost cannot be negative")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise fail("more than two decimal places: give the amount in pounds and pence")
    if amount >= Decimal("10000000000"):
        raise fail("amount too large for a weekly cost")
    return amount.quantize(Decimal("0.01"))


def yes_no(raw: str) -> bool:
    value = raw.strip(WHITESPACE).lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise fail("not yes or no: use yes/no, y/n, true/false or 1/0")


def approach(raw: str) -> str:
    key = re.sub(r"[\s_\-]+", " ", raw.strip(WHITESPACE).lower(), flags=re.ASCII)
    found = APPROACHES.get(key) or APPROACHES.get(key.replace(" ", ""))
    if found is None:
        raise fail(f"unknown approach: use '{THREE_CONVERSATIONS}' or '{USUAL_PRACTICE}'")
    return found


def request_type(raw: str) -> str:
    value = raw.strip(WHITESPACE).lower()
    if value not in {"new", "existing"}:
        raise fail("unknown request type: use 'new' or 'existing'")
    return value


def conversation_number(raw: str) -> int:
    value = re.sub(r"^(conversation|c)\s*", "", raw.strip(WHITESPACE).lower(), flags=re.ASCII)
    if value not in {"1", "2", "3"}:
        raise fail("not a conversation number: use 1, 2 or 3")
    return int(value)


def answer(raw: str) -> str:
    value = raw.strip(WHITESPACE).lower()
    mapped = {
        "yes": "yes",
        "y": "yes",
        "partly": "partly",
        "partially": "partly",
        "no": "no",
        "n": "no",
    }
    if value not in mapped:
        raise fail("not an answer this column takes: use yes, partly or no")
    return mapped[value]


def score(raw: str) -> int:
    value = raw.strip(WHITESPACE)
    if value not in {"1", "2", "3", "4", "5"}:
        raise fail("not a score from 1 to 5")
    return int(value)


def percent(raw: str) -> float:
    value = raw.strip(WHITESPACE).rstrip("%").strip(WHITESPACE)
    if not _NUMBER.fullmatch(value):
        raise fail("not a percentage: give a number from 0 to 100")
    number = float(value)
    if not 0 <= number <= 100:
        raise fail("not a percentage: give a number from 0 to 100")
    return number


def status(raw: str) -> str:
    value = raw.strip(WHITESPACE).lower()
    value = {"canceled": "cancelled"}.get(value, value)
    if value not in {"active", "suspended", "cancelled"}:
        raise fail("unknown status: use active, suspended or cancelled")
    return value


# How exports spell the age bands and the two kinds of support, as ``words`` leaves them.
AGE_BANDS = {"18 64": "18-64", "18 to 64": "18-64", "65+": "65+", "65 and over": "65+"}
SUPPORT = {
    "long term": "long term",
    "longterm": "long term",
    "short term": "short term",
    "shortterm": "short term",
}
WORD_SEPARATORS = "[ \t\r\n\x0b\x0c_\\-\u2013]+"


def words(raw: str) -> str:
    """Lowercased, with runs of spaces, underscores and dashes as one space (the vectorised
    check writes the same in SQL)."""
    return re.sub(WORD_SEPARATORS, " ", raw.lower()).strip(" ")


def age_band(raw: str) -> str:
    """``18-64`` or ``65+`` (also ``18–64``, ``18 to 64``, ``65 and over``)."""
    found = AGE_BANDS.get(words(raw))
    if found is None:
        raise fail("unknown age band: use 18-64 or 65+")
    return found


def support(raw: str) -> str:
    """``long term`` or ``short term`` (any case, with a space, a dash or nothing between)."""
    key = words(raw)
    found = SUPPORT.get(key) or SUPPORT.get(key.replace(" ", ""))
    if found is None:
        raise fail("unknown support: use 'long term' or 'short term'")
    return found


def required(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    """Wrap a parser for a column every row must fill."""

    def check(raw: Any) -> Any:
        value = text(raw) if parse is str else cleaned(raw)
        if value is None:
            raise fail("required: this cell is blank")
        return parse(value)

    check.parse, check.required, check.default = parse, True, None  # type: ignore[attr-defined]
    return check


def optional(parse: Callable[[str], Any], default: Any = None) -> Callable[[Any], Any]:
    """Wrap a parser for a column that may be blank (then ``default``)."""

    def check(raw: Any) -> Any:
        value = text(raw) if parse is str else cleaned(raw)
        if value is None:
            return default
        return parse(value)

    check.parse, check.required, check.default = parse, False, default  # type: ignore[attr-defined]
    return check
