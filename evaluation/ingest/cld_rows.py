"""A CLD extract's rows typed and checked in SQL: every problem with its row and column.

A million rows hold few distinct texts in most columns (a few hundred event dates, four
Event Types, a dozen Cost Frequencies), so each such column's distinct texts are trimmed and
read once into a small lookup (``cld_lookup_<column>``) and every row takes its value by a
join, as the contract import does. Dates are read by the contract's own rule (``yyyy-mm-dd``
or ``dd/mm/yyyy``); Event Type, Client Type, Service Type and Cost Frequency are reduced to the
few values §4 acts on; Unit Cost is taken as its size.

A problem names the row and the column; it quotes the value only for the columns in
``cld_read.QUOTABLE``, so no date of birth, postcode or person id reaches a problem list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
from pydantic_core import PydanticCustomError

from evaluation.core import values as v
from evaluation.ingest.cld_read import FIELDS, QUOTABLE
from evaluation.ingest.cld_settings import DISTRICT
from evaluation.ingest.column_sql import Params, parsed_sql
from evaluation.ingest.reading import Problem

EVENT_TYPES = ("request", "assessment", "review", "service")
# The order of a person's rows on one day (contract §4: Request, then Assessment, then Review).
DAY_ORDER = {"request": 0, "assessment": 1, "review": 2}
PERSON = ("service user",)
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
AMOUNT = r"-?(\d+(\.\d*)?|\.\d+)"
# Text kept row by row (mostly distinct): trimmed only where an end is whitespace, which is
# a fraction of the cost of trimming every cell.
KEPT = ("la_code", "person", "reference", "description", "support_reason", "component")


def trimmed(column: str, bind: Params) -> str:
    """The cell without the contract's whitespace at either end; a blank cell is NULL."""
    return (
        f"nullif(CASE WHEN ascii({column}) <= 32 OR ascii({column}[-1]) <= 32 "
        f"THEN trim({column}, {bind(_WS)}) ELSE {column} END, '')"
    )


SEPARATORS = r"[\s_:-]+"
SPACES = r"\s+"


def _words(t: str, bind: Params) -> str:
    return f"trim(regexp_replace(lower({t}), {bind(SEPARATORS)}, ' ', 'g'))"


def _frequency(bind: Params) -> str:
    key = f"regexp_replace(lower(t), {bind('[^a-z0-9]+')}, '', 'g')"
    known = bind(sorted(FREQUENCIES), "VARCHAR[]")
    return f"{key} AS frequency_key, list_contains({known}, {key}) AS frequency_known"


def _client(bind: Params) -> str:
    words = _words("t", bind)
    return (
        f"CASE WHEN list_contains({bind(list(PERSON), 'VARCHAR[]')}, {words}) THEN 'person' "
        f"WHEN list_contains({bind(list(CARERS), 'VARCHAR[]')}, {words}) THEN 'carer' END "
        "AS client"
    )


def _support(bind: Params) -> str:
    words = _words("t", bind)
    return (
        f"CASE WHEN starts_with({words}, 'long term support') THEN 'long term' "
        f"WHEN starts_with({words}, 'short term support') THEN 'short term' "
        f"WHEN starts_with({words}, 'unpaid carer support') THEN 'carer support' END "
        "AS support"
    )


# Per lookup: the columns whose texts it reads, and its SELECT list over trimmed text ``t``.
LOOKUPS: dict[str, tuple[tuple[str, ...], Callable[[Params], str]]] = {
    "dates": (
        ("starts", "ends", "birth", "death"),
        lambda bind: f"{parsed_sql(v.uk_date, 't', bind)} AS day",
    ),
    "kind": (
        ("event_type",),
        lambda bind: (
            f"CASE WHEN list_contains({bind(list(EVENT_TYPES), 'VARCHAR[]')}, "
            "lower(t)) THEN lower(t) END AS kind"
        ),
    ),
    "client": (("client_type",), _client),
    "support": (("service_type",), _support),
    "frequency": (("frequency",), _frequency),
    "district": (
        ("postcode",),
        lambda bind: (
            f"CASE WHEN regexp_full_match(outward, {bind(DISTRICT.pattern)}) "
            "THEN outward END AS district"
        ),
    ),
}


def _outward(bind: Params) -> str:
    """The outward code of a trimmed postcode (``ME4 4QR`` and ``ME44QR`` → ``ME4``)."""
    p = f"upper(regexp_replace(t, {bind(SPACES)}, ' ', 'g'))"
    return (
        f"CASE WHEN contains({p}, ' ') THEN split_part({p}, ' ', 1) "
        f"WHEN length({p}) >= 5 THEN left({p}, length({p}) - 3) ELSE {p} END AS outward"
    )


def make_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """One small table per lookup: each distinct text as written (``text``), whether it is
    blank once trimmed (``blank``), and what it reads as."""
    for name, (columns, make) in LOOKUPS.items():
        bind = Params()  # a statement binds exactly the parameters it names
        texts = " UNION ALL ".join(f"SELECT {c} AS text FROM cld_text" for c in columns)
        extra = f", {_outward(bind)}" if name == "district" else ""
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE cld_lookup_{name} AS
            SELECT text, t, t IS NULL AS blank, {make(bind)}
            FROM (SELECT text, {trimmed("text", bind)} AS t{extra}
                  FROM (SELECT DISTINCT text FROM ({texts})))
            """,
            bind.values,
        )


def _rules() -> list[tuple[str, str, str]]:
    """(column, condition over ``cld_typed`` that makes a problem, message)."""
    listed = "use Request, Assessment, Review or Service"
    service = "kind = 'service'"
    return [
        ("la_code", "la_code IS NULL", "blank: every row needs the council's LA Code"),
        ("person", "person IS NULL", "blank: every row needs the person's identifier"),
        ("event_type", "event_type_blank", f"blank: {listed}"),
        ("event_type", "NOT event_type_blank AND kind IS NULL", f"unknown Event Type: {listed}"),
        ("starts", "starts_blank", "blank: every event needs its start date"),
        ("starts", "NOT starts_blank AND starts_on IS NULL", "date"),
        ("ends", "NOT ends_blank AND ends_on IS NULL", "date"),
        ("ends", "ends_on < starts_on", "ends before it starts"),
        ("birth", "NOT birth_blank AND birth_on IS NULL", "date"),
        ("death", "NOT death_blank AND died_on IS NULL", "date"),
        (
            "unit_cost",
            f"{service} AND cost_text IS NOT NULL AND cost IS NULL",
            "not an amount: write it like 18.50 or £1,234.50",
        ),
        ("unit_cost", f"{service} AND cost >= 10000000000", "too large for a cost"),
        (
            "planned",
            f"{service} AND planned_text IS NOT NULL AND (planned_units IS NULL "
            "OR planned_units < 0 OR planned_units > 10000)",
            "not a number of units a week: write it like 10 or 7.5",
        ),
    ]


# The text a problem may quote, per column (the others are never quoted: ``QUOTABLE``).
QUOTED = {
    "event_type": "event_type",
    "starts": "starts",
    "ends": "ends",
    "unit_cost": "cost_text",
    "planned": "planned_text",
}


def people_sql(bind: Params) -> str:
    """The distinct people of the file (LA Code and their id, trimmed): rows about an unpaid
    carer are not about the person and make no one."""
    return f"""
        SELECT DISTINCT {trimmed("x.la_code", bind)} AS la_code,
               {trimmed("x.person", bind)} AS person
        FROM cld_text x JOIN cld_lookup_client c ON c.text = x.client_type
        WHERE c.client = 'person'
    """


def type_rows(con: duckdb.DuckDBPyConnection) -> None:
    """``cld_lines``, the lookups and ``cld_people`` → ``cld_typed``: one typed row per
    non-blank row, with the person's number and pseudonym where it is about the person."""
    bind = Params()
    kept = ", ".join(f"{trimmed(c, bind)} AS {c}" for c in KEPT)
    amount = "replace(replace(replace({}, '\u00a3', ''), ',', ''), ' ', '')"
    # A row with every cell used empty is no row (a spreadsheet's trailing ",,,,").
    blank = f"coalesce({', '.join(name for name, _, _ in FIELDS)}) IS NULL"
    raw = "event_type, starts, ends, birth, death, client_type, service_type, frequency, postcode"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_typed AS
        SELECT x.* EXCLUDE (birth, death, postcode, client_type, service_type, frequency),
            c.t AS client_type, p.t AS service_type, f.t AS frequency,
            s.day AS starts_on, e.day AS ends_on, b.day AS birth_on, d.day AS died_on,
            coalesce(k.blank, true) AS event_type_blank, coalesce(s.blank, true) AS starts_blank,
            coalesce(e.blank, true) AS ends_blank, coalesce(b.blank, true) AS birth_blank,
            coalesce(d.blank, true) AS death_blank,
            k.kind, c.client, p.support, f.frequency_key, f.frequency_known, z.district,
            CASE WHEN regexp_full_match(x.cost_text, {bind(AMOUNT)})
                 THEN abs(TRY_CAST(x.cost_text AS DECIMAL(18,4))) END AS cost,
            starts_with(x.cost_text, '-') AND TRY_CAST(x.cost_text AS DECIMAL(18,4)) <> 0
                AS cost_negative,
            CASE WHEN regexp_full_match(x.planned_text, {bind(AMOUNT)})
                 THEN TRY_CAST(x.planned_text AS DECIMAL(18,4)) END AS planned_units,
            pp.person_no, pp.person_id
        FROM (
            SELECT _row, {kept}, {raw},
                   {amount.format(trimmed("unit_cost", bind))} AS cost_text,
                   {trimmed("planned", bind)} AS planned_text
            FROM cld_lines WHERE NOT {blank}
        ) x
        LEFT JOIN cld_lookup_dates s ON s.text = x.starts
        LEFT JOIN cld_lookup_dates e ON e.text = x.ends
        LEFT JOIN cld_lookup_dates b ON b.text = x.birth
        LEFT JOIN cld_lookup_dates d ON d.text = x.death
        LEFT JOIN cld_lookup_kind k ON k.text = x.event_type
        LEFT JOIN cld_lookup_client c ON c.text = x.client_type
        LEFT JOIN cld_lookup_support p ON p.text = x.service_type
        LEFT JOIN cld_lookup_frequency f ON f.text = x.frequency
        LEFT JOIN cld_lookup_district z ON z.text = x.postcode
        LEFT JOIN cld_people pp ON c.client = 'person' AND pp.la_code = x.la_code
            AND pp.person = x.person
        """,
        bind.values,
    )


def problems(con: duckdb.DuckDBPyConnection, written: dict[str, str]) -> list[Problem]:
    """Every problem of the typed rows, in row order (at most ``SHOWN_PER_RULE`` a rule)."""
    found: list[Problem] = []
    for column, condition, message in _rules():
        text = QUOTED.get(column, "NULL")
        extra = ", strftime(starts_on, '%d/%m/%Y')" if message == "ends before it starts" else ""
        matched = con.execute(
            f"SELECT _row, {text}{extra} FROM cld_typed WHERE {condition} ORDER BY _row"
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
    quoted = text.strip(_WS) if text is not None and column in QUOTABLE else None
    if message == "date":
        message = (
            _date_message(text)
            if column in QUOTABLE
            else "not a date: write it as yyyy-mm-dd or dd/mm/yyyy"
        )
    elif message == "ends before it starts":
        message = f"ends before it starts (Event Start Date is {row[2]})"
        quoted = None
    return Problem(number, header, quoted or None, message)


def _date_message(text: str) -> str:
    """The contract's own words for why a date can't be read."""
    try:
        v.uk_date(text)
    except PydanticCustomError as error:
        return error.message()
    return "not a date: write it as yyyy-mm-dd or dd/mm/yyyy"
