"""Saved mapping profiles: kept as written, replaced by name, removed, read without changing
the store, and carried through a restart and a backup and restore."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.admin.backup import backup, restore
from evaluation.ingest.importer import import_files
from evaluation.ingest.mapping_profile import ProfileError, parse_profile
from evaluation.ingest.mapping_saved import (
    find_profile,
    profile_from,
    profile_text,
    save_profile,
    saved_profiles,
)
from evaluation.store import profiles
from evaluation.store.connection import Store
from tests.harness import open_store

STAFF = """# kept as the analyst wrote it
name = "Pulse survey"
kind = "staff"

[columns]
response_id = "Response"
site = "Team"
responded_on = "Submitted"

[values.motivation]
"5" = ["Very motivated"]
"1" = ["Not at all"]
"""
FILE = (
    b"Response,Team,Submitted,motivation\r\n"
    b"R1,North,06/04/2017 10:10,Very motivated\r\n"
    b"R2,North,2017-04-07T09:30:00,not at all\r\n"
)


def test_a_profile_is_saved_as_written_replaced_by_name_and_removed(store: Store) -> None:
    assert saved_profiles(store) == [] and profile_text(store, "Pulse survey") is None
    profile, replaced = save_profile(store, STAFF, by="ana@council.gov.uk")
    assert not replaced and profile.name == "Pulse survey"
    assert profile_text(store, " pulse SURVEY ") == STAFF  # comments and all
    (saved,) = profiles.saved_profiles(store)
    assert (saved.name, saved.kind, saved.saved_by) == (
        "Pulse survey",
        "staff",
        "ana@council.gov.uk",
    )

    again = STAFF.replace('"Very motivated"', '"Very motivated", "Keen"')
    _, replaced = save_profile(store, again.replace("Pulse survey", "PULSE survey"), by="lee")
    assert replaced and len(saved_profiles(store)) == 1
    assert find_profile(store, "pulse survey").values["motivation"]["5"] == (  # type: ignore[union-attr]
        "Very motivated",
        "Keen",
    )
    assert profiles.remove_profile(store, "Pulse Survey")
    assert not profiles.remove_profile(store, "Pulse Survey")
    assert saved_profiles(store) == []


def test_nothing_is_saved_that_can_not_be_applied(store: Store) -> None:
    with pytest.raises(ProfileError, match="not a staff column"):
        save_profile(store, STAFF.replace("site =", "team ="), by="ana")
    assert profiles.saved_profiles(store) == []


def test_reading_the_profiles_of_a_store_without_any_changes_nothing(store: Store) -> None:
    before = store.changes
    assert saved_profiles(store) == [] and find_profile(store, "x") is None
    assert not profiles.remove_profile(store, "x")
    assert store.changes == before


def test_a_profile_survives_a_restart_and_a_backup_and_restore(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    save_profile(store, STAFF, by="ana")
    store.close()
    reopened = open_store(db_path)
    try:
        assert profile_text(reopened, "Pulse survey") == STAFF
        manifest = backup(reopened, tmp_path / "backup")
    finally:
        reopened.close()
    assert manifest["tables"]["mapping_profiles"] == 1
    fresh = open_store(tmp_path / "fresh" / "evaluation.duckdb")
    try:
        restore(fresh, tmp_path / "backup")
        assert profile_text(fresh, "Pulse survey") == STAFF
        # And the restored profile reads a file, chosen by the headings alone.
        (done,) = import_files(fresh, [("pulse.csv", FILE)])
        assert (done.added, done.profile) == (2, "Pulse survey")
    finally:
        fresh.close()


def test_a_profile_is_given_by_file_or_by_saved_name(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "pulse.toml"
    path.write_text(STAFF)
    assert profile_from(store, str(path)) == parse_profile(STAFF)
    with pytest.raises(ProfileError, match=r"no mapping profile is saved as 'Pulse survey'$"):
        profile_from(store, "Pulse survey")
    save_profile(store, STAFF, by="ana")
    assert profile_from(store, "pulse survey") == parse_profile(STAFF)
    with pytest.raises(ProfileError, match="saved ones are 'Pulse survey'"):
        profile_from(store, "Mosaic")
    with pytest.raises(ProfileError, match=r"missing\.toml: can't read the profile"):
        profile_from(store, str(tmp_path / "missing.toml"))
