"""Ownership of ids: no site lead replaces another site's rows by reusing their ids.

A row may replace a stored one only when whoever imports may import for the stored row's site
as well as the new one; otherwise the whole file is refused with the ids named and nothing is
stored. Admins (and the command line) may replace any row, and the import log says whose rows
a batch replaced. Feedback ids are held the same way as conversation ids.
"""

from __future__ import annotations

import pytest

from evaluation.admin.access import LOCAL_ADMIN, Permissions, normalise_site
from evaluation.ingest.checks import check
from evaluation.ingest.importer import ImportFailed, import_files, store_checked
from evaluation.store import batches
from evaluation.store.batches import NotYours
from evaluation.store.connection import Store
from evaluation.store.query import rows

HEADER = "conversation_id,person_id,site,approach,conversation,request_type,started_on\r\n"
RIVERSIDE = (
    HEADER + "R1,P1,Riverside,3Cs,1,new,05/03/2024\r\nR2,P2,Riverside,3Cs,1,new,06/03/2024\r\n"
)
NORTHFIELD_REUSING = HEADER + "N1,P3,Northfield,3Cs,1,new,07/03/2024\r\nR1,P9,Northfield,3Cs,2,new,08/03/2024\r\n"  # fmt: skip
FEEDBACK = "feedback_id,site,received_on,what_worked\r\n"
LEAD = Permissions(role="site lead", sites=frozenset({normalise_site("Northfield")}))


def stored(store: Store) -> list[tuple[object, ...]]:
    return rows(store, "SELECT conversation_id, site, person_id FROM conversations ORDER BY 1")


def test_a_lead_reusing_another_sites_conversation_id_is_refused_whole(store: Store) -> None:
    import_files(store, [("riverside.csv", RIVERSIDE.encode())])
    before, log = stored(store), batches.log(store)
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [("north.csv", NORTHFIELD_REUSING.encode())], allowed=LEAD)
    [problem] = failed.value.checked[0].problems
    assert (problem.column, problem.value) == ("conversation_id", "R1")
    assert "already stored for Riverside, which is not one of your sites" in problem.message
    assert stored(store) == before and batches.log(store) == log  # N1 not stored either
    assert rows(store, "SELECT count(*) FROM conversations_replaced") == [(0,)]


def test_the_store_itself_refuses_at_the_last_moment(store: Store) -> None:
    """The page checks first; if another site's ids arrive between check and import, the
    batch's own transaction refuses the file (nothing of it stored)."""
    checked = check(NORTHFIELD_REUSING.encode(), "north.csv")
    assert checked.ok
    import_files(store, [("riverside.csv", RIVERSIDE.encode())])  # meanwhile
    before = stored(store)
    with pytest.raises(NotYours, match=r"conversation_id\(s\) in this file are already stored "):
        store_checked(store, checked, allowed=LEAD)
    assert stored(store) == before


def test_a_lead_may_replace_their_own_sites_rows(store: Store) -> None:
    import_files(
        store, [("north.csv", (HEADER + "N1,P3,Northfield,3Cs,1,new,07/03/2024\r\n").encode())]
    )
    changed = HEADER + "N1,P3,NORTHFIELD,3Cs,2,new,07/03/2024\r\n"  # another spelling, too
    [result] = import_files(store, [("again.csv", changed.encode())], allowed=LEAD)
    assert (result.added, result.replaced) == (0, 1)
    assert [r[:2] for r in stored(store)] == [("N1", "Northfield")]  # one spelling per site


def test_an_admin_may_replace_any_row_and_the_log_says_whose(store: Store) -> None:
    import_files(store, [("riverside.csv", RIVERSIDE.encode())])
    [result] = import_files(
        store, [("north.csv", NORTHFIELD_REUSING.encode())], allowed=LOCAL_ADMIN, imported_by="ana"
    )
    assert (result.added, result.replaced) == (1, 1)
    newest = batches.log(store)[0]
    assert newest["imported_by"] == "ana" and newest["replaced_sites"] == ["Riverside"]
    assert rows(store, "SELECT conversation_id, site, replaced_by FROM conversations_replaced") == [
        ("R1", "Riverside", result.batch_id)
    ]


def test_feedback_ids_are_held_the_same_way(store: Store) -> None:
    import_files(store, [("f.csv", (FEEDBACK + "F1,Riverside,01/03/2024,kind words\r\n").encode())])
    reuse = FEEDBACK + "F1,Northfield,02/03/2024,other words\r\n"
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [("f2.csv", reuse.encode())], allowed=LEAD)
    assert [(p.column, p.value) for p in failed.value.checked[0].problems] == [
        ("feedback_id", "F1")
    ]
    assert rows(store, "SELECT site, what_worked FROM feedback") == [("Riverside", "kind words")]


def test_a_leads_file_for_another_site_or_care_packages_is_refused(store: Store) -> None:
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [("r.csv", RIVERSIDE.encode())], allowed=LEAD)
    assert "rows for sites that are not yours" in failed.value.checked[0].problems[0].message
    packages = (
        b"package_id,person_id,starts_on,gross_weekly_cost,status\r\nK1,P1,01/01/2024,5,active\r\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [("k.csv", packages)], allowed=LEAD)
    assert "only an admin can import them" in failed.value.checked[0].problems[0].message
    assert batches.is_empty(store)


def test_many_ids_are_counted_and_the_first_named(store: Store) -> None:
    lines = [f"R{i},P{i},Riverside,3Cs,1,new,05/03/2024" for i in range(30)]
    import_files(store, [("r.csv", (HEADER + "\r\n".join(lines) + "\r\n").encode())])
    reused = [line.replace("Riverside", "Northfield") for line in lines]
    checked = check((HEADER + "\r\n".join(reused) + "\r\n").encode(), "n.csv")
    with pytest.raises(NotYours) as refused:
        store_checked(store, checked, allowed=LEAD)
    assert "30 conversation_id(s)" in str(refused.value) and "and 10 more" in str(refused.value)
