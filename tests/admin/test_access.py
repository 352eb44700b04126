"""The roles file and what each role may do (evaluation.admin.access, no Streamlit)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from evaluation.admin.access import (
    ADMIN,
    DIRECTOR,
    NO_ACCESS,
    SITE_LEAD,
    RolesError,
    batch_sites,
    describe,
    file_sites,
    load_roles_file,
    parse_roles,
    permissions_for,
    roles_from_toml,
)
from evaluation.ingest.importer import check, import_files
from evaluation.store import batches
from evaluation.store.connection import Store

ROLES = """
[[people]]
email = "Ada.Admin@Council.gov.uk"
role = "admin"

[[people]]
email = "lee.lead@council.gov.uk"
role = "Site_Lead"
sites = ["Northfield innovation site", "Central locality team"]

[[people]]
email = "dee.director@council.gov.uk"
role = "director"
"""


def _perms(email: str):  # type: ignore[no-untyped-def]
    return permissions_for(roles_from_toml(ROLES).find(email))


def test_emails_match_however_capitalised_and_roles_are_read() -> None:
    roles = roles_from_toml(ROLES)
    assert roles.find("ada.admin@council.GOV.uk").role == ADMIN  # type: ignore[union-attr]
    lead = roles.find(" LEE.LEAD@council.gov.uk ")
    assert lead is not None and lead.role == SITE_LEAD
    assert lead.sites == ("Northfield innovation site", "Central locality team")
    assert describe(lead) == "site lead for Northfield innovation site, Central locality team"
    assert roles.find("dee.director@council.gov.uk").role == DIRECTOR  # type: ignore[union-attr]
    assert roles.find("someone.else@council.gov.uk") is None
    assert roles.find(None) is None


def test_the_same_structure_from_a_secrets_section_and_a_file(tmp_path: Path) -> None:
    section = {"people": [{"email": "a@x.gov.uk", "role": "site lead", "sites": "North"}]}
    assert parse_roles(section).find("A@X.gov.uk").sites == ("North",)  # type: ignore[union-attr]
    path = tmp_path / "roles.toml"
    path.write_text(ROLES, encoding="utf-8")
    assert len(load_roles_file(path).people) == 3
    with pytest.raises(RolesError, match=r"can.t read missing\.toml"):
        load_roles_file(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[people]]\nemail = "a@x"\nrole = "boss"', "entry 1: unknown role 'boss'"),
        ('[[people]]\nemail = "a@x"\nrole = "site lead"', "entry 1: a site lead needs"),
        ('[[people]]\nrole = "admin"', "entry 1: email is missing"),
        (
            '[[people]]\nemail = "a@x"\nrole = "admin"\n[[people]]\nemail = "A@X"\nrole = "director"',
            "entry 2: this email is listed twice",
        ),
        ('[[people]]\nemail = "a@x"\nrole = "site lead"\nsites = [1]', "entry 1: sites must"),
        ("people = 3", "'people' must be a list"),
        ("[[people]\n", "not valid TOML"),
    ],
)
def test_a_broken_roles_file_is_an_error_never_a_guess(text: str, message: str) -> None:
    with pytest.raises(RolesError, match=message):
        roles_from_toml(text)


def test_admin_may_do_everything() -> None:
    admin = _perms("ada.admin@council.gov.uk")
    assert admin.may_upload("Riverside innovation site") and admin.may_upload(None)
    assert admin.may_undo({None}) and admin.may_erase and admin.may_see_people
    assert admin.may_open("upload") and admin.may_open("") and admin.may_download_pack


def test_site_lead_uploads_and_undoes_for_their_sites_only() -> None:
    lead = _perms("lee.lead@council.gov.uk")
    assert lead.may_upload("northfield  INNOVATION site")  # capitals and spaces don't matter
    assert not lead.may_upload("Riverside innovation site")
    assert not lead.may_upload(None)  # care packages carry no site: admin only
    assert lead.may_import({"Northfield innovation site", "Central locality team"})
    assert not lead.may_import({"Northfield innovation site", "Riverside innovation site"})
    assert not lead.may_import(set())
    assert lead.may_undo({"Central locality team"})
    assert not lead.may_undo({"Central locality team", "Riverside innovation site"})
    assert not lead.may_erase
    assert lead.may_see_people and lead.may_open("upload") and lead.may_open("money")


def test_director_reads_evidence_and_packs_but_never_uploads_or_sees_people() -> None:
    director = _perms("dee.director@council.gov.uk")
    assert director.may_open("") and director.may_open("cost-change") and director.may_open("pack")
    assert director.may_download_pack
    assert not director.may_open("upload") and not director.may_upload_any
    assert not director.may_upload("Northfield innovation site")
    assert not director.may_undo({"Northfield innovation site"})
    assert not director.may_erase and not director.may_see_people


def test_someone_not_listed_may_do_nothing() -> None:
    nobody = _perms("stranger@council.gov.uk")
    assert nobody == NO_ACCESS and not nobody.has_access
    assert not nobody.may_open("") and not nobody.may_download_pack
    assert not nobody.may_see_people and not nobody.may_upload_any


CONVERSATIONS = (
    b"conversation_id,person_id,site,approach,conversation,request_type,started_on\r\n"
    b"A1,P1,North,3Cs,1,new,05/03/2024\r\n"
    b"A2,P2,South,3Cs,1,new,06/03/2024\r\n"
)
PACKAGES = (
    b"package_id,person_id,starts_on,gross_weekly_cost,status\r\nK1,P1,01/01/2024,100,active\r\n"
)


def test_the_sites_a_file_and_a_batch_touch(store: Store) -> None:
    assert file_sites(check(CONVERSATIONS, "c.csv").table) == {"North", "South"}
    assert file_sites(check(PACKAGES, "p.csv").table) == {None}
    may = date(2024, 5, 1)
    import_files(store, [("c.csv", CONVERSATIONS), ("p.csv", PACKAGES)], as_of=may)
    # B00003 moves A2 from South to North: undoing it brings South back, so it touches both.
    moved = CONVERSATIONS.replace(b"A2,P2,South", b"A2,P2,North")
    import_files(store, [("moved.csv", moved)], as_of=may)
    sites = batch_sites(store)
    assert sites == {"B00001": {"North", "South"}, "B00002": {None}, "B00003": {"North", "South"}}
    north_lead = permissions_for(parse_roles({"people": [
        {"email": "n@x", "role": "site lead", "sites": ["North"]}]}).find("n@x"))  # fmt: skip
    assert not north_lead.may_undo(sites["B00003"])
    assert batch_sites(store, ["B00002"]) == {"B00002": {None}}
    # The same North rows from a newer extract: a batch with no rows of its own, still North's.
    north = CONVERSATIONS.replace(b"A2,P2,South", b"A2,P2,North").replace(b"A1", b"A9")
    import_files(store, [("n.csv", north)], as_of=date(2024, 6, 1))
    import_files(store, [("n2.csv", north + b"\r\n")], as_of=date(2024, 7, 1))
    assert [b["rows_added"] + b["rows_replaced"] for b in batches.log(store)[:2]] == [0, 1]
    assert batch_sites(store, ["B00005"]) == {"B00005": {"North"}}
    assert north_lead.may_undo(batch_sites(store, ["B00005"])["B00005"])
