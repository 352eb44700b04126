"""Reablement: how many new requests were met with a short spell of reablement (Medway §3.7).

Medway's innovation team put 22 homecare reablement packages in place for 388 new requests
(5.6%) where usual practice would have reached 18%: offering people other ways forward than
the council's traditional reablement offer is part of the approach. Contract §2: a request
*had reablement* when a short-term package of the person, whose service mentions reablement
or ST-Max, starts between its first conversation's start and 28 days after its last
conversation ended (while a conversation is still underway the window is open). A cancelled
package never happened and is not counted. The rate is of new requests, like conversion, and
is counted in the same query as conversion (``evaluation.measures.conversion``).
"""

from __future__ import annotations

from evaluation.core.vocabulary import SHORT_TERM

DAYS_AFTER = 28

# A package's service that names reablement or ST-Max ("ST Max", "STMax", "st-max").
SERVICE_SQL = (
    "(lower(p.service) LIKE '%reablement%' OR regexp_matches(lower(p.service), 'st[ -]?max'))"
)


def reabled_sql(requests: str = "flagged") -> str:
    """A ``WITH`` clause (to follow the request table) naming ``reabled``: the keys of the new
    requests in ``requests`` that had reablement."""
    return f""",
reabled AS (
    SELECT DISTINCT r.request_key
    FROM {requests} r
    JOIN care_packages p ON p.person_id = r.person_id
    WHERE r.request_type = 'new'
      AND p.support = '{SHORT_TERM}'
      AND p.status <> 'cancelled'
      AND {SERVICE_SQL}
      AND p.starts_on >= r.first_started
      AND (r.ended_on IS NULL OR p.starts_on <= r.ended_on + {DAYS_AFTER})
)"""
