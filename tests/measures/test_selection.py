"""A selection means the same rows everywhere: SQL with bound values, and a shareable link."""

from __future__ import annotations

from datetime import date

from evaluation.ingest.importer import import_files
from evaluation.measures.selection import Selection, choices, date_span, matching
from evaluation.store import query
from evaluation.store.connection import Store

ROWS = (
    b"conversation_id,person_id,site,approach,conversation,request_type,started_on,area,cohort\r\n"
    b"A,P1,North Team,3Cs,1,new,01/03/2025,Kingsbury,covid\r\n"
    b"B,P2,South Team,usual,,new,15/03/2025,,\r\n"
    b"C,P3,North Team,3Cs,1,existing,01/05/2025,Stanmore,non-covid\r\n"
)


def test_nothing_chosen_is_everything() -> None:
    assert Selection().where() == ("TRUE", [])
    assert Selection().describe() == "everything in the store"


def test_values_are_bound_and_match_ignoring_case_and_spaces(store: Store) -> None:
    import_files(store, [("c.csv", ROWS)])
    chosen = Selection(
        sites=(" north team ",), date_from=date(2025, 3, 1), date_to=date(2025, 4, 30)
    )
    where, params = chosen.where()
    assert "north" not in where.lower().replace("lower", "") and "?" in where
    assert params == ["north team", date(2025, 3, 1), date(2025, 4, 30)]
    ids = query.column(store, f"SELECT conversation_id FROM conversations WHERE {where}", params)
    assert ids == ["A"]
    aliased, _ = Selection(areas=("Kingsbury",)).where(alias="c", date_column="first_started")
    assert aliased == "lower(trim(c.area)) IN (?)"


def test_a_selection_survives_a_round_trip_through_the_address() -> None:
    chosen = Selection(
        sites=("North Team", "South"),
        approaches=("usual practice",),
        date_from=date(2025, 1, 1),
        cohorts=("covid",),
    )
    query_string = chosen.to_query()
    assert query_string["site"] == ["North Team", "South"] and query_string["from"] == "2025-01-01"
    assert Selection.from_mapping(query_string) == chosen
    assert Selection.from_mapping({"from": "not a date", "site": [" "]}) == Selection()
    assert chosen.describe() == (
        "sites: North Team, South; approaches: usual practice; cohorts: covid; "
        "from 01/01/2025 to the latest"
    )


def test_choices_span_and_matching(store: Store) -> None:
    assert date_span(store) is None
    import_files(store, [("c.csv", ROWS)])
    found = choices(store)
    assert found["site"] == ["North Team", "South Team"]
    assert found["area"] == ["Kingsbury", "Stanmore"] and found["cohort"] == ["covid", "non-covid"]
    assert date_span(store) == (date(2025, 3, 1), date(2025, 5, 1))
    assert matching(["north team ", "nowhere"], found["site"]) == ["North Team"]
