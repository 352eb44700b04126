"""A CLD extract's rows typed and checked in SQL: every problem with its row and column.

From ``cld_text`` (``cld_read``) comes ``cld_rows``: trimmed text, dates read by the
contract's own rule (``yyyy-mm-dd`` or ``dd/mm/yyyy``), the Event Type, Client Type, Service
Type and Cost Frequency reduced to the few values §4 acts on, Unit Cost taken as its size.
A problem names the row and the column; it quotes the value only for the columns in
``cld_read.QUOTABLE``, so no date of birth, postcode or person id ever reaches a problem list.
"""

from __future__ import annotations

from typing import Any

import duckdb
from pydantic_core import PydanticCustomError

from evaluation.core import values as v
from evaluation.ingest.cld_read import FIELDS, QUOTABLE
from evaluation.ingest.column_sql import Params, parsed_sql
from evaluation.ingest.reading import Problem

EVENT_TYPES = ("request", "assessment", "review", "service")
# The order of a person's rows on one day (contract §4: Request, then Assessment, then Review).
DAY_ORDER = {"request": 0, "assessment": 1, "review": 2}
PERSON = ("service user", "serviceuser")
CARERS = (
    "unpaid carer",
    "carer",
    "unpaid carer known by association",
    "carer known by association",
)
# Units a week for each Cost Frequency (DHSC's rule): (numerator, denominator, uses Planned
# units per week). One-off and No charge add nothing a week.
FREQUENCIES: dict[str, tuple[int, int, bool]] = {
    "weekly": (1, 1, False),
    "fortnightly": (1, 2, False),
    "4weekly": (1, 4, False),
    "fourweekly": (1, 4, False),
    "monthly": (12, 52, False),
    "quarterly": (4, 52, False),
    "annually": (1, 52, False),
    "annual": (1, 52, False),
    "hourly": (1, 1, True),
    "daily": (1, 1, True),
    "persession": (1, 1, True),
    "oneoff": (0, 1, False),
    "nochargetoclient": (0, 1, False),
    "nocharge": (0, 1, False),
}
SHOWN_PER_RULE = 500  # rows listed for one kind of problem before "… and N more"
_WS = v.WHITESPACE
_SQUASH = r"[^a-z0-9]+"
_WORDS = r"[\s_\-:]+"
AMOUNT = r"-?(\d+(\.\d*)?|\.\d+)"


def type_rows(con: duckdb.DuckDBPyConnection) -> None:
    """``cld_text`` → ``cld_rows``: one typed row per non-blank row of the file."""
    bind = Params()
    trimmed = ", ".join(f"nullif(trim({name}, {bind(_WS)}), '') AS {name}" for name, _, _ in FIELDS)
    blank = " AND ".join(f"{name} IS NULL" for name, _, _ in FIELDS)
    words = f"trim(regexp_replace(lower({{}}), {bind(_WORDS)}, ' ', 'g'))"
    squashed = f"regexp_replace(lower({{}}), {bind(_SQUASH)}, '', 'g')"
    amount = "replace(replace(replace({}, '\u00a3', ''), ',', ''), ' ', '')"
    frequencies = sorted(FREQUENCIES)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_rows AS
        WITH t AS (SELECT _row, {trimmed} FROM cld_text),
        w AS (
            SELECT *, {amount.format("unit_cost")} AS cost_text,
                   {squashed.format("frequency")} AS frequency_key,
                   {words.format("client_type")} AS client_words,
                   {words.format("service_type")} AS service_words
            FROM t WHERE NOT ({blank})
        )
        SELECT *,
            {parsed_sql(v.uk_date, "birth", bind)} AS birth_on,
            {parsed_sql(v.uk_date, "death", bind)} AS died_on,
            {parsed_sql(v.uk_date, "starts", bind)} AS starts_on,
            {parsed_sql(v.uk_date, "ends", bind)} AS ends_on,
            CASE WHEN list_contains({bind(list(EVENT_TYPES), "VARCHAR[]")}, lower(event_type))
                 THEN lower(event_type) END AS kind,
            CASE WHEN list_contains({bind(list(PERSON), "VARCHAR[]")}, client_words)
                      THEN 'person'
                 WHEN list_contains({bind(list(CARERS), "VARCHAR[]")}, client_words)
                      THEN 'carer' END AS client,
            CASE WHEN starts_with(service_words, 'long term support') THEN 'long term'
                 WHEN starts_with(service_words, 'short term support') THEN 'short term'
                 WHEN starts_with(service_words, 'unpaid carer support') THEN 'carer support'
                 END AS support,
            CASE WHEN regexp_full_match(cost_text, {bind(AMOUNT)})
                 THEN abs(TRY_CAST(cost_text AS DECIMAL(18,4))) END AS cost,
            starts_with(cost_text, '-') AND TRY_CAST(cost_text AS DECIMAL(18,4)) <> 0
                AS cost_negative,
            CASE WHEN regexp_full_match(planned, {bind(AMOUNT)})
                 THEN TRY_CAST(planned AS DECIMAL(18,4)) END AS planned_units,
            list_contains({bind(frequencies, "VARCHAR[]")}, frequency_key) AS frequency_known
        FROM w
        """,
        bind.values,
    )


def _rules() -> list[tuple[str, str, str]]:
    """(column, condition over ``cld_rows`` that makes a problem, message)."""
    listed = "use Request, Assessment, Review or Service"
    service = "kind = 'service'"
    return [
        ("la_code", "la_code IS NULL", "blank: every row needs the council's LA Code"),
        ("person", "person IS NULL", "blank: every row needs the person's identifier"),
        ("event_type", "event_type IS NULL", f"blank: {listed}"),
        ("event_type", "event_type IS NOT NULL AND kind IS NULL", f"unknown Event Type: {listed}"),
        ("starts", "starts IS NULL", "blank: every event needs its start date"),
        ("starts", "starts IS NOT NULL AND starts_on IS NULL", "date"),
        ("ends", "ends IS NOT NULL AND ends_on IS NULL", "date"),
        ("ends", "ends_on < starts_on", "ends before it starts"),
        ("birth", "birth IS NOT NULL AND birth_on IS NULL", "date"),
        ("death", "death IS NOT NULL AND died_on IS NULL", "date"),
        (
            "unit_cost",
            f"{service} AND cost_text IS NOT NULL AND cost IS NULL",
            "not an amount: write it like 18.50 or £1,234.50",
        ),
        (
            "unit_cost",
            f"{service} AND cost >= 10000000000",
            "too large for a cost",
        ),
        (
            "planned",
            f"{service} AND planned IS NOT NULL AND (planned_units IS NULL OR planned_units < 0 "
            "OR planned_units > 10000)",
            "not a number of units a week: write it like 10 or 7.5",
        ),
    ]


def problems(con: duckdb.DuckDBPyConnection, written: dict[str, str]) -> list[Problem]:
    """Every problem of the typed rows, in row order (at most ``SHOWN_PER_RULE`` a rule)."""
    found: list[Problem] = []
    for column, condition, message in _rules():
        extra = ", strftime(starts_on, '%d/%m/%Y')" if message == "ends before it starts" else ""
        matched = con.execute(
            f"SELECT _row, {column}{extra} FROM cld_rows WHERE {condition} ORDER BY _row"
        ).fetchall()
        for row in matched[:SHOWN_PER_RULE]:
            found.append(_problem(column, written[column], row, message))
        if len(matched) > SHOWN_PER_RULE:
            more = len(matched) - SHOWN_PER_RULE
            found.append(
                Problem(None, written[column], None, f"… and {more:,} more rows like the above")
            )
    return sorted(found, key=lambda p: (p.row is None, p.row or 0))


def _problem(column: str, header: str, row: tuple[Any, ...], message: str) -> Problem:
    number, text = row[0], row[1]
    quoted = text if column in QUOTABLE else None
    if message == "date":
        message = _date_message(text) if column in QUOTABLE else (
            "not a date: write it as yyyy-mm-dd or dd/mm/yyyy"
        )  # fmt: skip
    elif message == "ends before it starts":
        message = f"ends before it starts (Event Start Date is {row[2]})"
        quoted = None
    return Problem(number, header, quoted, message)


def _date_message(text: str) -> str:
    """The contract's own words for why a date can't be read."""
    try:
        v.uk_date(text)
    except PydanticCustomError as error:
        return error.message()
    return "not a date: write it as yyyy-mm-dd or dd/mm/yyyy"
