"""A CLD extract through the same import as every file: all or nothing, one batch for both
kinds, idempotent, undone whole, next quarter's file replacing the events it shares."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from evaluation.ingest.cld import CldImported, remembered
from evaluation.ingest.cld_settings import SETTINGS_ENV, SettingsError
from evaluation.ingest.importer import ImportFailed, import_files
from evaluation.store import batches
from evaluation.store.connection import Store
from evaluation.store.query import column, scalar
from tests.fixtures import cld_rules as fx

AS_OF = date(2025, 3, 31)


def _import(store: Store, data: bytes, **options) -> CldImported:  # type: ignore[no-untyped-def]
    options.setdefault("cld_sites", fx.SITES)
    (result,) = import_files(store, [("cld.csv", data)], as_of=AS_OF, **options)
    assert isinstance(result, CldImported)
    return result


def _counts(store: Store) -> tuple[int, int]:
    return batches.count(store, "conversations"), batches.count(store, "care_packages")


def test_one_extract_is_one_batch_of_conversations_and_packages(store: Store) -> None:
    result = _import(store, fx.rules_extract())
    assert result.batch_id == "B00001"
    assert [(kind, r.added) for kind, r in result.parts] == [
        ("conversations", 12),
        ("care_packages", 19),
    ]
    log = batches.log(store)
    assert sorted((row["batch_id"], row["kind"]) for row in log) == [
        ("B00001", "care_packages"),
        ("B00001", "conversations"),
    ]
    assert {row["file_name"] for row in log} == {"cld.csv"}
    conversations_row = next(row for row in log if row["kind"] == "conversations")
    assert conversations_row["sites"] == [fx.SITE, fx.REST]


def test_the_same_extract_twice_changes_nothing(store: Store) -> None:
    _import(store, fx.rules_extract())
    before = (_counts(store), len(batches.log(store)))
    again = _import(store, fx.rules_extract())
    assert again.batch_id is None
    assert [r.unchanged for _, r in again.parts] == [12, 19]
    assert (_counts(store), len(batches.log(store))) == before


def test_one_undo_takes_the_whole_extract_out(store: Store) -> None:
    result = _import(store, fx.rules_extract())
    assert result.batch_id is not None
    done = batches.undo(store, result.batch_id, by="tester")
    assert done["removed"] == 31 and done["kind"] == "care_packages and conversations"
    assert _counts(store) == (0, 0)
    assert all(row["undone_at"] is not None for row in batches.log(store))


def _next_quarter() -> bytes:
    """The next quarter's file: J's conversation has ended, A's care costs more, a new
    person comes, and C's events are no longer in it."""
    ends = fx.HEADERS.index("Event End Date")
    cost = fx.HEADERS.index("Unit Cost")
    rows = [
        r for r in fx.rules_rows() if r[fx.HEADERS.index("LA Person Unique Identifier")] != fx.C.id
    ]
    for r in rows:
        if r[fx.HEADERS.index("Event Description")] == "Conversation 1" and r[ends] == "":
            r[ends] = "2024-09-01"
        if r[fx.HEADERS.index("Event Reference")] == "S-A1":
            r[cost] = "25"
    k = fx.Person("MW0011", "9434766116", "Octavia", "Newcombe", "1941-02-02", "ME5 3FF")
    rows.append(fx.row(k, "Request", "R-K1", "2025-01-06", "2025-01-08", "Initial conversation"))
    return fx.csv_bytes(rows)


def test_next_quarters_file_replaces_the_events_it_shares_and_adds_new_ones(
    store: Store,
) -> None:
    _import(store, fx.rules_extract())
    second = _import(store, _next_quarter())
    conversations, packages = (
        dict(second.parts)["conversations"],
        dict(second.parts)["care_packages"],
    )
    assert (conversations.added, conversations.replaced) == (1, 1)  # K's; J's, now ended
    assert (packages.added, packages.replaced) == (0, 1)  # S-A1 costs 250 a week now
    assert _counts(store) == (13, 19)  # C's events, not in the new file, stay
    assert (
        scalar(
            store,
            "SELECT gross_weekly_cost FROM care_packages WHERE package_id = ?",
            [f"{fx.LA}/S-A1"],
        )
        == 250
    )
    assert column(store, "SELECT count(*) FROM conversations WHERE ended_on IS NULL") == [0]
    assert second.batch_id is not None
    batches.undo(store, second.batch_id, by="tester")
    assert _counts(store) == (12, 19)
    assert column(store, "SELECT count(*) FROM conversations WHERE ended_on IS NULL") == [1]


def test_a_problem_in_any_file_stores_nothing(store: Store) -> None:
    rows = fx.rules_rows()
    rows[3][fx.HEADERS.index("Event Type")] = "Screening"
    good = b"feedback_id,site,received_on\r\nF1,North,05/03/2024\r\n"
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [("f.csv", good), ("cld.csv", fx.csv_bytes(rows))], cld_sites=fx.SITES)
    assert [len(c.problems) for c in failed.value.checked] == [0, 1]
    assert _counts(store) == (0, 0) and batches.count(store, "feedback") == 0


def test_the_sites_are_remembered_for_the_next_extract(store: Store) -> None:
    _import(store, fx.rules_extract())
    chosen = remembered(store)
    assert chosen is not None and chosen.sites == ((fx.SITE, ("ME4", "ME5")),)
    second = _import(store, _next_quarter(), cld_sites=())
    assert second.used == chosen


def test_without_sites_the_extract_is_refused_with_how_to_give_them(store: Store) -> None:
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [("cld.csv", fx.rules_extract())])
    (problem,) = failed.value.checked[0].problems
    assert "--cld-site" in problem.message
    assert _counts(store) == (0, 0)


def test_a_settings_file_gives_the_sites(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "cld.toml"
    settings.write_text(
        'conversation_patterns = ["conversation\\\\s*([123])", "initial conversation=1"]\n'
        '[sites]\n"Medway innovation team" = ["ME4", "me5"]\n'
    )
    monkeypatch.setenv(SETTINGS_ENV, str(settings))
    result = _import(store, fx.rules_extract(), cld_sites=())
    assert result.used.sites == ((fx.SITE, ("ME4", "ME5")),)


@pytest.mark.parametrize(
    "site",
    ["Medway innovation team", "Medway=ME4,NOT A DISTRICT", "Rest of the council=ME4", "=ME4"],
)
def test_a_site_that_cant_be_used_is_refused_plainly(store: Store, site: str) -> None:
    with pytest.raises(SettingsError):
        import_files(store, [("cld.csv", fx.rules_extract())], cld_sites=[site])


def test_a_pattern_that_cant_be_used_is_refused_plainly(store: Store) -> None:
    for pattern in ["conversation (", "no number here"]:
        with pytest.raises(SettingsError):
            _import(store, fx.rules_extract(), cld_patterns=[pattern])


def test_a_cld_person_is_erased_by_la_code_and_id(store: Store) -> None:
    from evaluation.admin.erasure import erase_person

    _import(store, fx.rules_extract())
    removed = erase_person(store, f"{fx.LA}/{fx.A.id}", by="tester")
    assert removed == 4  # A's three conversations and one care package
    assert _counts(store) == (9, 18)
