"""AppTest of the frame and the pages for each role: what each person sees and is refused.

AppTest runs the app in this process, so the signed-in person is set by replacing
``ui.session.identity``; the roles come from a roles file named by EVALUATION_ROLES, as on
a council server. Refusals are checked on the page itself (reached by its address), not only
in the menu. Two tests go through ``st.user`` and a ``[roles]`` secrets section instead.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from evaluation.admin.erasure import erasures
from evaluation.ingest.importer import import_files
from evaluation.store import batches
from evaluation.store.connection import Store
from tests.harness import ROOT, TEST_KEY
from ui import session
from ui.session import Identity

ADMIN = "ada.admin@council.gov.uk"
LEAD = "lee.lead@council.gov.uk"
DIRECTOR = "dee.director@council.gov.uk"
STRANGER = "sam.stranger@council.gov.uk"
ROLES = f"""
[[people]]
email = "{ADMIN}"
role = "admin"

[[people]]
email = "{LEAD.upper()}"
role = "site lead"
sites = ["North"]

[[people]]
email = "{DIRECTOR}"
role = "director"
"""

HEADER = (
    b"conversation_id,person_id,site,approach,conversation,request_type,started_on,ended_on,"
    b"weekly_cost_before,weekly_cost_after\r\n"
)
NORTH = HEADER + (
    b"N1,P1,North,3Cs,1,new,05/03/2024,06/03/2024,100,80\r\n"
    b"N2,P2,North,3Cs,1,new,06/03/2024,07/03/2024,50,50\r\n"
)
SOUTH = HEADER + b"S1,P3,South,3Cs,1,new,07/03/2024,08/03/2024,0,120\r\n"
PACKAGES = (
    b"package_id,person_id,starts_on,gross_weekly_cost,status\r\nK1,P1,01/01/2024,10,active\r\n"
)
AS_OF = date(2024, 6, 30)


@pytest.fixture
def signed_in(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``signed_in(email)`` makes the app see that person signed in (None: nobody yet)."""
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("EVALUATION_ROLES", str(roles))

    def sign_in(email: str | None) -> None:
        who = Identity(sign_in=True, signed_in=email is not None, email=email)
        monkeypatch.setattr(session, "identity", lambda: who)

    return sign_in


def texts(at: AppTest) -> list[str]:
    return [t.value for t in at.text]


def sidebar_texts(at: AppTest) -> list[str]:
    return [t.value for t in at.sidebar.text]


def buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_local_default_is_the_single_local_user_with_every_permission(
    store: Store,
    app_test,  # type: ignore[no-untyped-def]
) -> None:
    import_files(store, [("n.csv", NORTH)], as_of=AS_OF)
    store.close()
    at = app_test()
    assert "you are its single local user" in at.caption[0].value
    assert at.sidebar.caption[0].value == (
        "Signed in as local user (no sign-in configured on this machine)"
    )
    assert "Sign out" not in buttons(at)
    upload = app_test("pages/upload.py")
    assert len(upload.file_uploader) == 1
    assert "Erase" in buttons(upload) and "Undo batch" in buttons(upload)


def test_not_signed_in_sees_only_the_sign_in_screen(store: Store, app_test, signed_in) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("n.csv", NORTH)], as_of=AS_OF)
    signed_in(None)
    at = app_test()
    assert at.title[0].value == "Three Conversations evaluation"
    assert buttons(at) == ["Sign in"]
    assert not at.metric and not at.dataframe  # nothing from the store
    # Every address shows the sign-in screen: no page script is registered to switch to.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py")


def test_someone_not_listed_sees_a_plain_no_access_page(store: Store, app_test, signed_in) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("n.csv", NORTH)], as_of=AS_OF)
    signed_in(STRANGER)
    at = app_test()
    assert at.title[0].value == "No access"
    assert texts(at) == [f"You are signed in as {STRANGER}."]
    assert buttons(at) == ["Sign out"]
    assert not at.metric and not at.dataframe
    for path in ("pages/upload.py", "pages/cost_change.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(path)


def test_admin_sees_who_they_are_and_may_upload_undo_and_erase(
    store: Store,
    app_test,
    signed_in,  # type: ignore[no-untyped-def]
) -> None:
    import_files(store, [("s.csv", SOUTH), ("p.csv", PACKAGES)], as_of=AS_OF)
    store.close()
    signed_in(ADMIN.upper())  # capitals from the provider don't matter
    at = app_test()
    assert f"Signed in as {ADMIN.upper()}, role: admin." in texts(at)
    assert sidebar_texts(at) == [f"Signed in as {ADMIN.upper()}\nRole: admin"]
    assert "Sign out" in [b.label for b in at.sidebar.button]
    upload = app_test("pages/upload.py")
    assert upload.selectbox[1].options == ["B00002", "B00001"]  # care packages too
    upload.file_uploader[0].set_value(("p2.csv", PACKAGES.replace(b"K1", b"K2"), "text/csv"))
    upload.run()
    next(b for b in upload.button if b.label == "Import 1 file(s)").click().run()
    assert "batch B00003: 1 added" in upload.text[-1].value
    upload.text_input[0].input("P3")
    upload.checkbox[-1].check()
    next(b for b in upload.button if b.label == "Erase").click().run()
    assert [e.value for e in upload.error] == []
    assert upload.success[-1].value.startswith("Erased 1 row(s).")
    assert batches.log(store)[0]["imported_by"] == ADMIN.upper()
    assert [(e["erased_by"], e["rows_removed"]) for e in erasures(store)] == [(ADMIN.upper(), 1)]


def test_site_lead_imports_only_files_of_their_sites(store: Store, app_test, signed_in) -> None:  # type: ignore[no-untyped-def]
    store.close()
    signed_in(LEAD)
    at = app_test()
    assert f"Signed in as {LEAD}, role: site lead for North." in texts(at)
    upload = app_test("pages/upload.py")
    assert "Your sites: North" in texts(upload)
    assert not [b for b in upload.button if b.label == "Erase"]
    assert upload.info[-1].value.startswith("Only an admin can erase a person")

    upload.file_uploader[0].set_value(("south.csv", SOUTH, "text/csv")).run()
    assert upload.error[0].value == "This file has rows for sites that are not yours:"
    assert "South" in texts(upload)
    assert upload.warning[0].value.startswith("Nothing has been imported")
    assert not [b for b in upload.button if b.label.startswith("Import")]

    upload.file_uploader[0].set_value(("p.csv", PACKAGES, "text/csv")).run()
    assert upload.error[0].value == "Care packages carry no site: only an admin can import them."
    assert not [b for b in upload.button if b.label.startswith("Import")]

    upload.file_uploader[0].set_value(("north.csv", NORTH, "text/csv")).run()
    assert not upload.error
    next(b for b in upload.button if b.label == "Import 1 file(s)").click().run()
    assert "batch B00001: 2 added" in upload.text[-1].value
    assert [b["imported_by"] for b in batches.log(store)] == [LEAD]


def test_site_lead_undoes_only_batches_of_their_sites(store: Store, app_test, signed_in) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("n.csv", NORTH), ("s.csv", SOUTH), ("p.csv", PACKAGES)], as_of=AS_OF)
    store.close()
    signed_in(LEAD)
    upload = app_test("pages/upload.py")
    assert upload.selectbox[1].options == ["B00001"]  # not South's, not the care packages
    upload.checkbox[0].check()
    next(b for b in upload.button if b.label == "Undo batch").click().run()
    assert upload.success[0].value.startswith("Undid batch B00001 (conversations): 2 row(s)")
    assert [b["undone_by"] for b in batches.log(store)] == [None, None, LEAD]


def test_director_is_refused_on_the_upload_page_itself(store: Store, app_test, signed_in) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("n.csv", NORTH)], as_of=AS_OF)
    store.close()
    signed_in(DIRECTOR)
    at = app_test()
    assert f"Signed in as {DIRECTOR}, role: director." in texts(at)
    upload = app_test("pages/upload.py")
    assert upload.warning[0].value == (
        "Uploading data is for admins and site leads. Your role opens every evidence page."
    )
    assert not upload.file_uploader and not upload.dataframe and not upload.button[1:]


def test_director_reads_evidence_without_the_person_level_drill_down(
    store: Store,
    app_test,
    signed_in,  # type: ignore[no-untyped-def]
) -> None:
    import_files(store, [("n.csv", NORTH), ("s.csv", SOUTH)], as_of=AS_OF)
    store.close()
    signed_in(LEAD)
    lead = app_test("pages/cost_change.py")
    assert not any("Person (pseudonym)" in d.value.columns for d in lead.dataframe)
    lead.selectbox(key="cc_drill_row").set_value(
        "Conversations"
    ).run()  # nothing listed until asked
    assert any("Person (pseudonym)" in d.value.columns for d in lead.dataframe)
    assert "Download these requests (CSV)" in downloads(lead)
    signed_in(DIRECTOR)
    director = app_test("pages/cost_change.py")
    assert director.html  # the cost-change table itself is there
    assert not any("Person (pseudonym)" in d.value.columns for d in director.dataframe)
    assert "Download these requests (CSV)" not in downloads(director)
    assert "Download the table (CSV, exact figures)" in downloads(director)


def downloads(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("download_button")]


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "not-a-secret-only-a-test-value",
    "client_id": "dashboard",
    "client_secret": "test",
    "server_metadata_url": "http://localhost:1/.well-known/openid-configuration",
}


@pytest.fixture
def with_secrets(monkeypatch: pytest.MonkeyPatch, db_path: Path):  # type: ignore[no-untyped-def]
    """``with_secrets(auth, user)`` runs the app with these secrets and this ``st.user``."""
    monkeypatch.setenv("EVALUATION_DB", str(db_path))
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    monkeypatch.setenv("EVALUATION_SAMPLE", "off")
    monkeypatch.delenv("EVALUATION_ROLES", raising=False)

    def run(auth: dict[str, object], user: dict[str, object]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.secrets["auth"] = auth
        at.secrets["roles"] = {"people": [{"email": DIRECTOR, "role": "director"}]}
        at.user = user
        return at.run()

    return run


def test_st_user_and_a_roles_secrets_section(with_secrets) -> None:  # type: ignore[no-untyped-def]
    """The real identity path: ``[auth]`` in secrets, the email read from ``st.user``."""
    assert buttons(with_secrets(AUTH, {"is_logged_in": False})) == ["Sign in"]
    director = with_secrets(AUTH, {"is_logged_in": True, "email": DIRECTOR.title()})
    assert f"Signed in as {DIRECTOR.title()}, role: director." in texts(director)
    entra = with_secrets(AUTH, {"is_logged_in": True, "preferred_username": DIRECTOR})
    assert f"Signed in as {DIRECTOR}, role: director." in texts(entra)  # no email claim
    stranger = with_secrets(AUTH, {"is_logged_in": True, "email": STRANGER})
    assert stranger.title[0].value == "No access"


def test_sign_in_asks_the_configured_provider(
    with_secrets,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    asked: list[str | None] = []
    monkeypatch.setattr(st, "login", lambda provider=None: asked.append(provider))
    with_secrets(AUTH, {"is_logged_in": False}).button[0].click().run()
    provider = {k: v for k, v in AUTH.items() if k not in ("redirect_uri", "cookie_secret")}
    named = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x", "microsoft": provider}
    with_secrets(named, {"is_logged_in": False}).button[0].click().run()
    assert asked == [None, "microsoft"]


def test_a_broken_roles_file_stops_the_app(
    store: Store, app_test, signed_in, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    signed_in(ADMIN)
    (tmp_path / "roles.toml").write_text('[[people]]\nemail = "x@y"\nrole = "boss"\n')
    at = app_test()
    assert at.error[0].value.startswith("The roles file can't be used, so nobody can open")
    assert "unknown role 'boss'" in at.error[0].value
    assert not at.metric
