"""One request roll-up: Money, Cost change and Conversations count the same requests.

A request id that equals another row's conversation id, and conversations of one request that
start on the same day, used to give the conversion and cost-change figures different requests,
sites or approaches. Every measure now takes ``measures.requests``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from evaluation.ingest.importer import import_files
from evaluation.measures.conversion import conversion
from evaluation.measures.cost_change import summary
from evaluation.measures.cost_drill import requests as cost_requests
from evaluation.measures.flow import request_activity
from evaluation.store.connection import Store

HEADER = (
    "conversation_id,person_id,site,approach,conversation,request_type,request_id,started_on,"
    "ended_on,long_term_support,area\r\n"
)
ROWS = (
    # C1 is a request of its own (blank request id) ...
    "C1,P1,North,three conversations,1,new,,10/01/2025,20/01/2025,no,North",
    # ... and C2 and C3 belong to the request whose id happens to be "C1".
    "C2,P2,South,three conversations,1,new,C1,05/01/2025,08/01/2025,,",
    "C3,P2,North,three conversations,2,new,C1,09/01/2025,25/01/2025,yes,South",
    # Two usual-practice conversations of one request start the same day: the first is the
    # one with the lower conversation id (A1, at Central), whatever order the rows come in.
    "Z9,P3,West,usual practice,,existing,R2,01/02/2025,10/02/2025,no,",
    "A1,P3,Central,usual practice,,existing,R2,01/02/2025,15/02/2025,no,Central",
)
EXPECTED = {
    ("North", "three conversations"): 1,
    ("South", "three conversations"): 1,
    ("Central", "usual practice"): 1,
}


def load(store: Store, rows: tuple[str, ...] = ROWS) -> None:
    data = (HEADER + "\r\n".join(rows) + "\r\n").encode()
    import_files(store, [("c.csv", data)], as_of=date(2025, 12, 31))


def test_money_cost_change_and_conversations_count_the_same_requests(store: Store) -> None:
    load(store)
    by = ("site", "approach")
    money = {
        (r.group["site"], r.group["approach"]): r.requests for r in conversion(store, None, by)
    }
    costs = {
        (g.key["site"], g.key["approach"]): g.conversations
        for g in summary(store, None, by=by).groups
    }
    flow = {
        (f.group["site"], f.group["approach"]): f.requests
        for f in request_activity(store, None, by).flow
    }
    assert money == costs == flow == EXPECTED


def test_a_request_takes_its_first_conversation_whatever_the_row_order(store: Store) -> None:
    load(store, tuple(reversed(ROWS)))
    listed = cost_requests(store)
    assert Counter(r["request_id"] for r in listed) == {"C1": 2, "R2": 1}
    c1 = sorted(
        (r["site"], r["conversations"], r["area"]) for r in listed if r["request_id"] == "C1"
    )
    # The request "C1" began at South (its first conversation, which has no area) and the
    # lone conversation C1 is a request of one conversation at North.
    assert c1 == [("North", 1, "North"), ("South", 2, None)]
    (r2,) = (r for r in listed if r["request_id"] == "R2")
    assert (r2["site"], r2["area"], r2["conversations"]) == ("Central", "Central", 2)


def test_conversion_of_the_request_uses_all_its_conversations(store: Store) -> None:
    load(store)
    rows = {r.group["site"]: r for r in conversion(store, None, ("site",))}
    assert rows["South"].long_term == 1  # C3 (at North) arranged it for the request begun at South
    assert rows["South"].reached_conversation_2 == 1
    assert rows["North"].long_term == 0
