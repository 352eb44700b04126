"""Reports on a selection gather only the requests that can match it (a speed-up for periods
and sites); they must give exactly the figures they give when every request is gathered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bench.generate import AS_OF, write
from evaluation.ingest.importer import import_files
from evaluation.measures import conversion, cost_change, cost_drill, costing, flow, weekly
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from tests.harness import open_store

# Requests that cross the edges: one starts at Northfield before July 2025 and goes on at
# Riverside inside it; one has no area on its first conversation and one on its second.
EDGES = (
    b"conversation_id,person_id,site,approach,conversation,request_type,request_id,"
    b"requested_on,started_on,ended_on,long_term_support,worker_id,area,cohort\r\n"
    b"E1,EDGE1,Northfield innovation site,3Cs,1,new,ER1,01/06/2025,20/06/2025,28/06/2025,,WA,"
    b"Kingsbury,\r\n"
    b"E2,EDGE1,Riverside innovation site,3Cs,2,new,ER1,,02/07/2025,20/07/2025,yes,WB,"
    b"Stanmore,\r\n"
    b"E3,EDGE2,Riverside innovation site,3Cs,1,existing,ER2,01/07/2025,03/07/2025,09/07/2025,,"
    b"WC,,hospital\r\n"
    b"E4,EDGE2,Northfield innovation site,3Cs,2,existing,ER2,,10/07/2025,,,WD,Millbrook,\r\n"
)

SELECTIONS = (
    Selection(date_from=date(2025, 7, 1), date_to=date(2025, 7, 31)),
    Selection(
        sites=("Riverside innovation site",), date_from=date(2025, 7, 1), date_to=date(2025, 9, 30)
    ),
    Selection(sites=("northfield innovation site ",)),
    Selection(approaches=("usual practice",), date_from=date(2026, 1, 1)),
    Selection(areas=("Millbrook",), date_to=date(2025, 7, 5)),
    Selection(cohorts=("hospital",), date_from=date(2025, 7, 1), date_to=date(2025, 7, 10)),
)


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_council(tmp_path_factory.mktemp("narrowing"))


def build_council(root: Path) -> Path:
    """1,500 generated conversations and the edge cases above, in a store under ``root``."""
    files = write(root / "data", 1_500)
    store = open_store(root / "evaluation.duckdb")
    for path in files.values():
        import_files(store, [(path.name, path.read_bytes())], as_of=AS_OF)
    import_files(store, [("edges.csv", EDGES)], as_of=AS_OF)
    store.close()
    return root / "evaluation.duckdb"


def figures(store: Store, selection: Selection) -> dict[str, object]:
    """Every report that narrows, as a user reads it."""
    return {
        "cost change": cost_change.summary(store, selection, by=("approach", "site")).as_dict(),
        "cost change requests": cost_drill.requests(store, selection),
        "conversion": [r.as_dict() for r in conversion.conversion(store, selection, ("area",))],
        "weekly": weekly.weekly_long_term(store, selection, ("site",)),
        "waiting": flow.waiting_time(store, selection, ("cohort",)),
        "hand-offs": flow.hand_offs(store, selection, ("site",)),
    }


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: s.describe())
def test_narrowed_reports_equal_the_whole_store(
    council: Path, selection: Selection, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(council)
    try:
        narrowed = figures(store, selection)
        for module in (conversion, costing):  # weekly and flow narrow through conversion
            monkeypatch.setattr(module, "narrowing", lambda *a, **k: (None, []))
        whole = figures(store, selection)
    finally:
        store.close()
    assert narrowed == whole
    assert narrowed["cost change"]["groups"] or narrowed["conversion"]


def test_a_request_counts_in_the_month_and_site_of_its_first_conversation(council: Path) -> None:
    store = open_store(council)
    try:
        july = Selection(
            sites=("Riverside innovation site",),
            date_from=date(2025, 7, 1),
            date_to=date(2025, 7, 31),
        )
        ids = {r["request_id"] for r in cost_drill.requests(store, july)}
    finally:
        store.close()
    assert "ER2" in ids  # first conversation at Riverside on 03/07/2025
    assert "ER1" not in ids  # began at Northfield in June, though it went on at Riverside
