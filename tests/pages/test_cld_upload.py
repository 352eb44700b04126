"""AppTest of the Upload page's Client Level Data step: the districts asked for once and
remembered, what the extract holds shown before import, problems without identifying
values, site leads refused, one undo for the whole extract."""

from __future__ import annotations

from typing import Any

from evaluation.ingest.cld import remember, remembered
from evaluation.ingest.cld_settings import settings
from evaluation.store import batches
from evaluation.store.connection import Store
from tests.fixtures import cld_rules as fx
from tests.harness import open_store
from ui import session
from ui.session import Identity


def _button(at: Any, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def _upload(at: Any, data: bytes) -> Any:
    return at.file_uploader[0].set_value(("cld.csv", data, "text/csv")).run()


def test_the_first_extract_asks_for_the_districts_then_imports(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    store.close()
    at = _upload(app_test("pages/upload.py"), fx.rules_extract())
    assert at.info[0].value.startswith("First, which postcode districts")
    assert not [b for b in at.button if b.label.startswith("Import")]
    at.text_area[0].input("Medway innovation team=ME4, me5")
    _button(at, "Save the sites").click().run()
    assert not at.exception
    assert at.success[0].value == (
        "No problems: 41 row(s) make 12 conversation(s) and 19 care package(s)."
    )
    assert [h.value for h in at.subheader] == [
        "Rows by Event Type",
        "Rows left out, and why",
        "What the import makes",
        "Quirks handled as DHSC does",
    ]
    by_type = at.dataframe[0].value
    assert list(by_type["Event Type"]) == ["Request", "Assessment", "Review", "Service", "All rows"]
    assert list(by_type["Rows"]) == ["9", "7", "4", "21", "41"]
    left_out = dict(at.dataframe[1].value.values.tolist())
    assert left_out["carers' rows (Client Type is an unpaid carer)"] == "2"
    assert left_out["unpaid carer support services"] == "1"
    made = dict(at.dataframe[2].value.values.tolist())
    assert made["requests: three conversations"] == "5"
    assert made["conversations: Conversation 2"] == "1"
    assert made["care packages whose cost is not recorded: long term"] == "3"
    _button(at, "Import the Client Level Data extract").click().run()
    assert "Import finished." in [s.value for s in at.success]
    assert "conversations 12 added" in at.text[-1].value
    store = open_store(store.path)
    assert batches.count(store, "conversations") == 12
    assert batches.count(store, "care_packages") == 19
    chosen = remembered(store)
    assert chosen is not None and chosen.sites == ((fx.SITE, ("ME4", "ME5")),)
    store.close()


def test_remembered_districts_are_not_asked_for_again(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    remember(store, settings([(fx.SITE, ["ME4", "ME5"])]), "tester")
    store.close()
    at = _upload(app_test("pages/upload.py"), fx.rules_extract())
    assert not at.info or not at.info[0].value.startswith("First")
    assert any("Medway innovation team: ME4, ME5" in t.value for t in at.text)
    assert [b for b in at.button if b.label == "Import the Client Level Data extract"]


def test_a_district_that_cant_be_used_is_said_plainly(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    store.close()
    at = _upload(app_test("pages/upload.py"), fx.rules_extract())
    at.text_area[0].input("Medway innovation team")
    _button(at, "Save the sites").click().run()
    assert "write a site as NAME=DISTRICT,DISTRICT" in at.error[0].value


def test_problems_are_listed_without_identifying_values(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    remember(store, settings([(fx.SITE, ["ME4", "ME5"])]), "tester")
    store.close()
    rows = fx.rules_rows()
    rows[0][fx.HEADERS.index("Date of Birth")] = "15/06/50"
    rows[1][fx.HEADERS.index("Event Type")] = "Visit"
    at = _upload(app_test("pages/upload.py"), fx.csv_bytes(rows))
    assert at.error[0].value.startswith("2 problem(s) found")
    lines = next(t.value for t in at.text if t.value.startswith("Row ")).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "Row 2, Date of Birth",
        'Row 3, Event Type, "Visit"',
    ]
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert "50" not in " ".join(lines)


def test_a_site_lead_may_not_import_an_extract(
    store: Store, app_test, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    lead = "lee.lead@council.gov.uk"
    roles = tmp_path / "roles.toml"
    roles.write_text(f'[[people]]\nemail = "{lead}"\nrole = "site lead"\nsites = ["{fx.SITE}"]\n')
    monkeypatch.setenv("EVALUATION_ROLES", str(roles))
    monkeypatch.setattr(session, "identity", lambda: Identity(True, True, lead))
    store.close()
    at = _upload(app_test("pages/upload.py"), fx.rules_extract())
    assert "only an admin imports it" in at.error[0].value
    assert not [b for b in at.button if b.label.startswith("Import")]


def test_one_undo_on_the_page_takes_the_extract_out(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    from evaluation.ingest.importer import import_files

    import_files(store, [("cld.csv", fx.rules_extract())], cld_sites=fx.SITES)
    store.close()
    at = app_test("pages/upload.py")
    undo = next(s for s in at.selectbox if s.label == "Undo a batch")
    assert undo.options == ["B00001"]  # offered once, though logged for both kinds
    at.checkbox[0].check()
    _button(at, "Undo batch").click().run()
    assert at.success[0].value.startswith(
        "Undid batch B00001 (care_packages and conversations): 31 row(s) removed"
    )
