"""A CLD extract's Service rows as care packages, with DHSC's weekly cost (contract §4).

Service Type says what kind of package a row is: ``Long term support…`` is long-term care
(the weekly cost Harrow's method reads), ``Short term support…`` short-term (reablement,
ST-Max: not part of that cost), ``Unpaid carer support…`` is skipped. The weekly cost is
Unit Cost × units a week (``cld_rows.FREQUENCIES``), worked out in whole ten-thousandths of
a penny and rounded half up once, to the penny, so it is exact. Where the Unit Cost, the
Cost Frequency or the Planned units per week it needs are missing, the cost is **not
recorded**: NULL, never zero, so cost change can leave such a request out rather than count
care as free.
"""

from __future__ import annotations

import duckdb

from evaluation.core.vocabulary import LONG_TERM, SHORT_TERM
from evaluation.ingest.cld_rows import FREQUENCIES
from evaluation.ingest.column_sql import Params

ACTIVE = "active"  # CLD leaves out cancelled services and reports suspended ones as ongoing


def stable_id(bind: Params, kind_text: str, extra: str = "", prefix: str = "") -> str:
    """``LA Code/Event Reference``, or for a row without a reference a stable id from the LA
    Code, the person's pseudonym (never their id), the Event Type, the start and the
    description: the same row in next quarter's file gets the same id. ``prefix`` qualifies
    the columns (``p.``)."""
    q = prefix
    parts = (
        f"{q}la_code, {q}person_id, {kind_text}, strftime({q}starts_on, '%Y-%m-%d'), "
        f"coalesce({q}description, '')"
    )
    return (
        f"CASE WHEN {q}reference IS NOT NULL THEN {q}la_code || '/' || {q}reference "
        f"ELSE {q}la_code || '/' || {bind('#')} || "
        f"left(sha256(concat_ws('|', {parts}{extra})), 20) END"
    )


def _frequency_case(bind: Params, part: int) -> str:
    """A CASE over ``frequency_key`` giving one part of its (numerator, denominator,
    uses planned units) triple."""
    values: dict[object, list[str]] = {}
    for key, triple in FREQUENCIES.items():
        values.setdefault(triple[part], []).append(key)
    branches = " ".join(
        f"WHEN list_contains({bind(sorted(keys), 'VARCHAR[]')}, frequency_key) THEN {value}"
        for value, keys in sorted(values.items(), key=lambda item: str(item[0]))
    )
    return f"CASE {branches} END"


def make_packages(con: duckdb.DuckDBPyConnection) -> None:
    """``cld_persons`` (the person's rows, with ``person_id``) → ``cld_packages``: one row
    per long- or short-term Service row, its contract columns plus ``_row`` and
    ``person_no``, and ``not_recorded`` for a cost §4 calls not recorded."""
    bind = Params()
    numerator = _frequency_case(bind, 0)
    denominator = _frequency_case(bind, 1)
    planned = _frequency_case(bind, 2)
    service = "concat_ws(': ', service_type, component)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE cld_packages AS
        WITH s AS (
            SELECT *, {numerator} AS units_numerator, {denominator} AS units_denominator,
                   coalesce({planned}, false) AS uses_planned
            FROM cld_persons
            WHERE kind = 'service' AND support IN ('long term', 'short term')
        ),
        costed AS (
            SELECT *,
                CASE WHEN units_numerator = 0 THEN 0::HUGEINT
                     WHEN units_numerator IS NULL OR cost IS NULL
                          OR (uses_planned AND planned_units IS NULL) THEN NULL
                     ELSE round(cost * 10000)::HUGEINT * units_numerator
                          * CASE WHEN uses_planned THEN round(planned_units * 10000)::HUGEINT
                                 ELSE 10000 END
                END AS scaled
            FROM s
        )
        SELECT _row, person_no, frequency_key, frequency, frequency_known,
            {stable_id(bind, "'service'", ", coalesce(service_type, ''), coalesce(component, '')")}
                AS package_id,
            person_id,
            nullif({service}, '') AS service,
            starts_on,
            CASE WHEN died_on IS NOT NULL AND (ends_on IS NULL OR died_on < ends_on)
                 THEN greatest(died_on, starts_on) ELSE ends_on END AS ends_on,
            CAST((scaled * 200 + units_denominator::HUGEINT * 100000000)
                 // (units_denominator::HUGEINT * 200000000) AS DECIMAL(14,0)) * 0.01 AS pounds,
            {bind(ACTIVE)} AS status,
            CASE WHEN support = 'long term' THEN {bind(LONG_TERM)} ELSE {bind(SHORT_TERM)} END
                AS support,
            scaled IS NULL AS not_recorded,
            cost_negative
        FROM costed
        """,
        bind.values,
    )
