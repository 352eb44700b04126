"""Browser: sign-in through a real OpenID Connect provider, and each role's refusals.

``oidc-provider-mock`` runs an OpenID Connect provider on this machine; ``streamlit run`` gets
an ``[auth]`` secrets section pointing at it (through STREAMLIT_SECRETS_FILES, as a council
server would use ``.streamlit/secrets.toml``) and a roles file. Chromium signs in as each
person on the provider's own page, then types addresses directly: a refusal must hold on
the page itself, not only in the menu. One provider and one dashboard serve the whole module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import oidc_provider_mock
import pytest

from evaluation.ingest.importer import import_files
from tests.harness import free_port, open_store, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser

LEAD = "lee.lead@council.gov.uk"
DIRECTOR = "dee.director@council.gov.uk"
STRANGER = "sam.stranger@council.gov.uk"
USERS = {"lead": LEAD, "director": DIRECTOR, "stranger": STRANGER}
ROLES = f"""
[[people]]
email = "{LEAD}"
role = "site lead"
sites = ["North"]

[[people]]
email = "{DIRECTOR}"
role = "director"
"""
HEADER = (
    "conversation_id,person_id,site,approach,conversation,request_type,started_on,ended_on,"
    "weekly_cost_before,weekly_cost_after\r\n"
)
NORTH = HEADER + "N1,P1,North,3Cs,1,new,05/03/2024,06/03/2024,100,80\r\n"
SOUTH = HEADER + "S1,P3,South,3Cs,1,new,07/03/2024,08/03/2024,0,120\r\n"
NORTH_MORE = HEADER + "N2,P2,North,3Cs,1,new,06/03/2024,07/03/2024,50,50\r\n"
SOUTH_MORE = HEADER + "S2,P4,South,3Cs,1,new,06/03/2024,07/03/2024,50,60\r\n"


@dataclass(frozen=True)
class Dashboard:
    url: str
    db: Path
    files: Path


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The provider and the dashboard, with North's and South's conversations imported."""
    root = tmp_path_factory.mktemp("auth")
    db = root / "auth.duckdb"
    store = open_store(db)
    import_files(store, [("north.csv", NORTH.encode()), ("south.csv", SOUTH.encode())])
    store.close()
    users = [oidc_provider_mock.User(sub=sub, claims={"email": e}) for sub, e in USERS.items()]
    with oidc_provider_mock.run_server_in_thread(port=0, user_claims=users) as provider:
        port = free_port()
        secrets = root / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-of-more-than-32-characters"\n'
            'client_id = "dashboard"\n'
            'client_secret = "test-client-secret"\n'
            "server_metadata_url = "
            f'"http://localhost:{provider.server_port}/.well-known/openid-configuration"\n'
        )
        roles = root / "roles.toml"
        roles.write_text(ROLES)
        env = {"STREAMLIT_SECRETS_FILES": str(secrets), "EVALUATION_ROLES": str(roles)}
        with streamlit_server(db, extra_env=env, port=port) as url:
            yield Dashboard(url, db, root)


def sign_in(page, dashboard: Dashboard, who: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in on the provider's own page as one of its users, back to the dashboard."""
    page.goto(dashboard.url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=who, exact=True).click(timeout=30_000)
    page.wait_for_url(f"{dashboard.url}/**", timeout=30_000)
    # Back on the home page, which says who is signed in (the sidebar says it too).
    page.get_by_text(f"Signed in as {USERS[who]}, role:").wait_for(timeout=30_000)
    wait_for_app(page)


def body(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("[data-testid='stApp']").inner_text()


def test_not_signed_in_sees_the_sign_in_screen_and_sign_out_ends_it(
    dashboard: Dashboard,
    page,  # type: ignore[no-untyped-def]
) -> None:
    for address in ("", "/upload", "/cost-change"):
        page.goto(f"{dashboard.url}{address}")
        wait_for_app(page)
        page.get_by_role("button", name="Sign in").wait_for()
        text = body(page)
        assert "Sign in with your council account to continue." in text, address
        assert "Upload data" not in text and "Cost change" not in text
        assert page.locator("input[type='file']").count() == 0

    sign_in(page, dashboard, "lead")
    assert f"Signed in as {LEAD}, role: site lead for North." in body(page)
    page.get_by_role("button", name="Sign out").click()
    # The provider offers to end its own session too, then sends the browser back.
    page.get_by_role("button", name="End session").click(timeout=30_000)
    page.wait_for_url(f"{dashboard.url}/**", timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").wait_for()
    page.goto(f"{dashboard.url}/upload")  # the session is over, not just hidden
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").wait_for()
    assert page.locator("input[type='file']").count() == 0


def test_someone_not_listed_sees_only_no_access(dashboard: Dashboard, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(dashboard.url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="stranger", exact=True).click(timeout=30_000)
    page.get_by_text("No access").first.wait_for(timeout=30_000)
    for address in ("/upload", "/money"):
        page.goto(f"{dashboard.url}{address}")
        page.get_by_text(f"You are signed in as {STRANGER}.").wait_for(timeout=30_000)
        wait_for_app(page)
        text = body(page)
        assert "No access" in text and f"You are signed in as {STRANGER}." in text
        assert "Money and resources" not in text
        assert page.locator("input[type='file']").count() == 0


def test_director_cannot_reach_the_upload_page_or_a_drill_down(
    dashboard: Dashboard,
    page,  # type: ignore[no-untyped-def]
) -> None:
    sign_in(page, dashboard, "director")
    assert f"Signed in as {DIRECTOR}, role: director." in body(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Cost change" in nav and "Upload data" not in nav

    page.goto(f"{dashboard.url}/upload")  # typed, not from the menu
    page.get_by_text("Uploading data is for admins and site leads.").wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator("input[type='file']").count() == 0
    assert page.get_by_role("button", name="Undo batch").count() == 0

    page.goto(f"{dashboard.url}/cost-change")
    page.get_by_text("Download the table (CSV, exact figures)").wait_for(timeout=30_000)
    wait_for_app(page)
    text = body(page)
    assert "Download the table (CSV, exact figures)" in text
    assert "Person (pseudonym)" not in text and "Download these requests" not in text


def test_site_lead_uploads_for_their_site_and_not_another(dashboard: Dashboard, page) -> None:  # type: ignore[no-untyped-def]
    south = dashboard.files / "south-more.csv"
    south.write_text(SOUTH_MORE)
    north = dashboard.files / "north-more.csv"
    north.write_text(NORTH_MORE)
    sign_in(page, dashboard, "lead")
    page.goto(f"{dashboard.url}/upload")
    wait_for_app(page)
    upload = page.locator("input[type='file']")
    upload.set_input_files(str(south))
    page.get_by_text("This file has rows for sites that are not yours:").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Import 1 file(s)").count() == 0
    page.reload()  # a fresh page, without the refused file
    wait_for_app(page)
    upload.set_input_files(str(north))
    page.get_by_text("No problems: 1 row(s) ready to import.").wait_for(timeout=30_000)
    page.get_by_role("button", name="Import 1 file(s)").click()
    page.get_by_text("Import finished.").wait_for(timeout=30_000)
    # Only North's batches are offered for undo: B00001 and the new one, never South's B00002.
    box = page.get_by_role("combobox", name="Undo a batch")
    box.click()
    box.press("ArrowDown")  # opens the list
    options = page.get_by_role("listbox").get_by_role("option")
    options.first.wait_for()
    offered = options.all_inner_texts()
    assert offered == ["B00003", "B00001"]
    page.keyboard.press("Escape")
    assert "Only an admin can erase a person" in body(page)
