"""AppTest of the home and Upload data pages."""

from __future__ import annotations

from pathlib import Path

from evaluation.ingest.importer import import_files
from evaluation.store import batches
from evaluation.store.connection import Store


def _conversations() -> bytes:
    return (
        b"conversation_id,person_id,site,approach,conversation,request_type,started_on\r\n"
        b"A1,P1,North,3Cs,1,new,05/03/2024\r\n"
        b"A2,P2,North,3Cs,1,new,06/03/2024\r\n"
        b"A3,P3,South,usual practice,,existing,07/04/2024\r\n"
    )


def test_home_shows_counts_per_kind_and_site(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("c.csv", _conversations())])
    at = app_test()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Conversations"] == "3"
    assert metrics["Care packages"] == "0"
    by_site = at.dataframe[1].value.set_index("Site")
    assert by_site.loc["North", "Conversations"] == 2
    assert by_site.loc["South", "Conversations"] == 1
    assert "Batch B00001: c.csv (conversations)" in at.text[0].value


def test_home_on_an_empty_store_points_to_upload(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test()
    assert "The store is empty" in at.info[0].value


def test_upload_page_checks_then_imports(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    store.close()
    at = app_test("pages/upload.py")
    at.file_uploader[0].set_value(("c.csv", _conversations(), "text/csv")).run()
    assert at.success[0].value == "No problems: 3 row(s) ready to import."
    at.button[0].click().run()
    assert at.success[0].value == "Import finished."
    assert any("3 added, 0 replaced, 0 unchanged" in t.value for t in at.text)
    # the Import button is gone, and the file is not offered again
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert "c.csv" in [t.value for t in at.text]


def test_upload_page_shows_problems_and_no_import_button(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/upload.py")
    bad = (
        b"conversation_id,person_id,site,approach,request_type,started_on\r\nA1,P1,N,zzz,new,x\r\n"
    )
    at.file_uploader[0].set_value(("bad.csv", bad, "text/csv")).run()
    assert at.error[0].value.startswith("2 problem(s) found")
    lines = next(t.value for t in at.text if t.value.startswith("Row ")).splitlines()
    assert sorted(line.split(":")[0] for line in lines) == [
        'Row 2, approach, "zzz"',
        'Row 2, started_on, "x"',
    ]
    assert not [b for b in at.button if b.label.startswith("Import")]
    assert batches.count(store, "conversations") == 0


def test_upload_page_undo_restores_the_store(store: Store, app_test, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("c.csv", _conversations())])
    at = app_test("pages/upload.py")
    at.checkbox[0].check()
    next(b for b in at.button if b.label == "Undo batch").click().run()
    assert at.success[0].value.startswith("Undid batch B00001 (conversations): 3 row(s) removed")
    assert batches.count(store, "conversations") == 0


def test_upload_page_erases_a_person(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("c.csv", _conversations())])
    store.close()  # the app's own store must be the only one open, as in production
    at = app_test("pages/upload.py")
    at.text_input[0].input("P2")
    at.checkbox[-1].check()
    [button] = [b for b in at.button if b.label == "Erase"]
    button.click().run()
    assert at.success[0].value.startswith("Erased 1 row(s).")
    assert batches.count(store, "conversations") == 2
