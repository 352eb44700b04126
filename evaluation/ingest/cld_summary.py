"""What a CLD extract held, counted from the import's own tables, for the Upload page and
the command line to show before anything is stored.

Every row of the file is accounted for: it became a conversation or a care package, gave a
request its date, or was skipped for a reason named here (carers' rows, unmarked rows of a
three conversations request, unpaid carer support, a Client Type or Service Type §4 doesn't
use, a row repeated exactly). The quirks real submissions carry — a negative Unit Cost, a
Cost Frequency outside DHSC's list — are counted with the values seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

CARERS = "carers' rows (Client Type is an unpaid carer)"
OTHER_CLIENT = "rows whose Client Type is neither the person nor an unpaid carer"
UNMARKED = "unmarked rows of a three conversations request (not conversations)"
REQUEST_DATE = (
    "Request rows of a usual-practice request with assessments or reviews (they give the "
    "request's date, not a conversation)"
)
CARER_SUPPORT = "unpaid carer support services"
OTHER_SERVICE = "Service rows whose Service Type is not long-term or short-term support"
REPEATED = "rows repeated exactly (counted once)"


@dataclass(frozen=True)
class CldSummary:
    """Counts of what the extract held and what the import makes of it."""

    rows: int
    by_event_type: dict[str, int]
    skipped: dict[str, int]
    people: int
    requests: dict[str, int]  # by approach
    request_types: dict[str, int]  # new / existing
    conversations: dict[str, int]  # Conversation 1, 2, 3, usual practice
    sites: dict[str, int]  # requests per site
    packages: dict[str, int]  # long term / short term
    not_recorded: dict[str, int]  # packages whose cost is not recorded, by support
    negative_costs: int
    unknown_frequencies: dict[str, int]  # value as written: rows
    other_client_types: dict[str, int] = field(default_factory=dict)
    other_service_types: dict[str, int] = field(default_factory=dict)
    no_area: int = 0
    no_age_band: int = 0

    @property
    def conversation_rows(self) -> int:
        return sum(self.conversations.values())

    @property
    def package_rows(self) -> int:
        return sum(self.packages.values())


def _pairs(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return {str(k): int(n) for k, n in con.execute(sql).fetchall()}


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchall()[0][0] or 0)


@dataclass(frozen=True)
class RowCounts:
    """What is counted over every row of the file, before the rows not about the person go."""

    rows: int
    by_event_type: dict[str, int]
    carers: int
    other_clients: dict[str, int]


def count_rows(con: duckdb.DuckDBPyConnection) -> RowCounts:
    """Count ``cld_typed``: every non-blank row of the file."""
    kinds = (
        "CASE kind WHEN 'request' THEN 'Request' WHEN 'assessment' THEN 'Assessment' "
        "WHEN 'review' THEN 'Review' ELSE 'Service' END"
    )
    return RowCounts(
        rows=_one(con, "SELECT count(*) FROM cld_typed"),
        by_event_type=_pairs(
            con, f"SELECT {kinds} AS k, count(*) FROM cld_typed GROUP BY k ORDER BY min(_row)"
        ),
        carers=_one(con, "SELECT count(*) FROM cld_typed WHERE client = 'carer'"),
        other_clients=_pairs(
            con,
            "SELECT coalesce(client_type, '(blank)'), count(*) FROM cld_typed "
            "WHERE client IS NULL GROUP BY ALL ORDER BY 2 DESC, 1",
        ),
    )


def summarise(con: duckdb.DuckDBPyConnection, counted: RowCounts, repeated: int) -> CldSummary:
    """Count the import's tables (``cld_persons``, ``cld_events``, ``cld_requests``,
    ``cld_conversations``, ``cld_packages``) beside the file's own ``counted`` rows; each
    table is read once or twice, whatever the number of figures."""
    unmarked, request_dates = con.execute(
        "SELECT count(*) FILTER (WHERE r.marked AND e.mark IS NULL), "
        "count(*) FILTER (WHERE NOT r.marked AND r.assessments > 0 AND e.kind = 'request') "
        "FROM cld_events e JOIN cld_requests r USING (request_key)"
    ).fetchall()[0]
    people, carer_support, other_service = con.execute(
        "SELECT count(DISTINCT person_no), "
        "count(*) FILTER (WHERE kind = 'service' AND support = 'carer support'), "
        "count(*) FILTER (WHERE kind = 'service' AND support IS NULL) FROM cld_persons"
    ).fetchall()[0]
    skipped = {
        CARERS: counted.carers,
        OTHER_CLIENT: sum(counted.other_clients.values()),
        UNMARKED: int(unmarked),
        REQUEST_DATE: int(request_dates),
        CARER_SUPPORT: int(carer_support),
        OTHER_SERVICE: int(other_service),
        REPEATED: repeated,
    }
    numbers = (
        "CASE WHEN conversation IS NULL THEN 'usual practice' "
        "ELSE 'Conversation ' || conversation END"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cld_request_summary AS "
        "SELECT request_id, any_value(approach) AS approach, "
        "any_value(request_type) AS request_type, any_value(site) AS site, "
        "bool_or(area IS NULL) AS no_area, bool_or(age_band IS NULL) AS no_age_band "
        "FROM cld_conversations GROUP BY request_id"
    )
    per_request = "count(*) FROM cld_request_summary"
    no_area, no_age_band = con.execute(
        "SELECT count(*) FILTER (WHERE no_area), count(*) FILTER (WHERE no_age_band) "
        "FROM cld_request_summary"
    ).fetchall()[0]
    return CldSummary(
        rows=counted.rows,
        by_event_type=counted.by_event_type,
        skipped={reason: n for reason, n in skipped.items() if n},
        people=int(people),
        requests=_pairs(con, f"SELECT approach, {per_request} GROUP BY ALL ORDER BY 1 DESC"),
        request_types=_pairs(con, f"SELECT request_type, {per_request} GROUP BY ALL ORDER BY 1"),
        conversations=_pairs(
            con,
            f"SELECT {numbers} AS k, count(*) FROM cld_conversations GROUP BY k ORDER BY k",
        ),
        sites=_pairs(con, f"SELECT site, {per_request} GROUP BY ALL ORDER BY 1"),
        packages=_pairs(con, "SELECT support, count(*) FROM cld_packages GROUP BY ALL ORDER BY 1"),
        not_recorded=_pairs(
            con,
            "SELECT support, count(*) FROM cld_packages WHERE not_recorded GROUP BY ALL ORDER BY 1",
        ),
        negative_costs=_one(con, "SELECT count(*) FROM cld_packages WHERE cost_negative"),
        unknown_frequencies=_pairs(
            con,
            "SELECT coalesce(frequency, '(blank)'), count(*) FROM cld_packages "
            "WHERE NOT coalesce(frequency_known, false) GROUP BY ALL ORDER BY 2 DESC, 1",
        ),
        other_client_types=counted.other_clients,
        other_service_types=_pairs(
            con,
            "SELECT coalesce(service_type, '(blank)'), count(*) FROM cld_persons "
            "WHERE kind = 'service' AND support IS NULL GROUP BY ALL ORDER BY 2 DESC, 1",
        )
        if other_service
        else {},
        no_area=int(no_area),
        no_age_band=int(no_age_band),
    )


def as_dict(summary: CldSummary) -> dict[str, Any]:
    """The summary as plain data (the CLI's JSON, the tests)."""
    return {name: getattr(summary, name) for name in summary.__dataclass_fields__}
