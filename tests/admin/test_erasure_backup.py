"""Erasure leaves no trace of the person in the file's bytes; backup and restore round-trip;
the connection the pages use can't touch other files; exports are safe in Excel."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import duckdb
import pytest

from evaluation.admin.backup import backup, restore
from evaluation.admin.erasure import erase_person, erasures
from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.ingest.sample_loader import load_sample
from evaluation.present.exports import to_csv
from evaluation.store import batches, forget
from evaluation.store.connection import Store, StoreError, StoreFull
from evaluation.store.keys import pseudonym
from tests.harness import TEST_KEY, open_store

WORDS = "ERASE-ME-FREE-TEXT told us about the garden"


def _person_files() -> list[tuple[str, bytes]]:
    conversations = (
        b"conversation_id,person_id,site,approach,conversation,request_type,started_on,ended_on\r\n"
        b"E1,ERASE-ME-77,North,3Cs,1,existing,01/03/2024,10/03/2024\r\n"
        b"E2,ERASE-ME-77,North,3Cs,2,existing,11/03/2024,20/03/2024\r\n"
        b"K1,KEEP-ME-88,North,3Cs,1,new,01/03/2024,05/03/2024\r\n"
    )
    packages = (
        b"package_id,person_id,starts_on,gross_weekly_cost,status\r\n"
        b"PK1,ERASE-ME-77,01/01/2024,120.00,active\r\n"
        b"PK2,KEEP-ME-88,01/01/2024,80.00,active\r\n"
    )
    feedback = (
        "feedback_id,site,received_on,conversation_id,what_worked,consent_to_quote\r\n"
        f'F1,North,25/03/2024,E2,"{WORDS}",yes\r\n'
        "F2,North,25/03/2024,K1,kept words,yes\r\n"
    ).encode()
    return [("c.csv", conversations), ("p.csv", packages), ("f.csv", feedback)]


def _file_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.iterdir() if not p.name.endswith(".key"))


def test_erasure_removes_every_row_and_every_byte(db_path: Path) -> None:
    store = open_store(db_path)
    import_files(store, _person_files())
    # a later re-import of changed rows, so copies sit in the *_replaced tables too
    changed = _person_files()[2][1].replace(b"25/03/2024,E2", b"26/03/2024,E2")
    import_files(store, [("f2.csv", changed)])
    person = pseudonym(store.key, "ERASE-ME-77", "P")
    store.con.execute("CHECKPOINT")
    before = _file_bytes(db_path)
    assert person.encode() in before and b"ERASE-ME-FREE-TEXT" in before

    removed = erase_person(store, " ERASE-ME-77 ", by="data protection officer")
    assert removed == 5  # 2 conversations, 1 package, 1 feedback row and its replaced copy
    assert batches.count(store, "conversations") == 1 and batches.count(store, "care_packages") == 1
    assert batches.count(store, "feedback") == 1
    [entry] = erasures(store)
    assert entry["rows_removed"] == 5 and entry["erased_by"] == "data protection officer"
    store.close()
    after = _file_bytes(db_path)
    assert person.encode() not in after
    assert b"ERASE-ME-FREE-TEXT" not in after
    assert b"ERASE-ME-77" not in after
    assert pseudonym(TEST_KEY.encode(), "KEEP-ME-88", "P").encode() in after


def test_erasing_an_unknown_person_changes_nothing(store: Store) -> None:
    import_files(store, _person_files())
    with pytest.raises(StoreError, match="No rows about that person"):
        erase_person(store, "NOBODY", by="x")
    assert batches.count(store, "conversations") == 3


def test_erase_cli(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    db = tmp_path / "e.duckdb"
    store = Store(db)
    import_files(store, _person_files())
    store.close()
    assert main(["erase", "--person", "ERASE-ME-77", "--db", str(db)]) == 0
    assert "erased 4 row(s)" in capsys.readouterr().out
    assert main(["erase", "--person", "ERASE-ME-77", "--db", str(db)]) == 2


def _report(store: Store) -> list[tuple[object, ...]]:
    cur = store.cursor()
    rows = cur.execute(
        "SELECT site, approach, count(*), sum(long_term_support::INT), min(started_on), "
        "(SELECT sum(gross_weekly_cost) FROM care_packages), (SELECT count(*) FROM import_log) "
        "FROM conversations GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    cur.close()
    return rows


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    source = open_store(tmp_path / "a" / "e.duckdb")
    load_sample(source)
    expected = _report(source)
    manifest = backup(source, tmp_path / "backup")
    assert manifest["tables"]["conversations"] == 2204
    source.close()

    target = open_store(tmp_path / "b" / "e.duckdb")
    restore(target, tmp_path / "backup")
    assert _report(target) == expected
    assert batches.log(target) == batches.log(open_store(tmp_path / "a" / "e.duckdb"))
    [more] = import_files(target, _person_files()[:1])
    assert more.batch_id == "B00006"  # numbering carries on after the restored batches
    with pytest.raises(StoreError, match="already holds data"):
        restore(target, tmp_path / "backup")
    restore(target, tmp_path / "backup", replace=True)
    assert _report(target) == expected
    target.close()


def test_a_restore_the_disk_has_no_room_for_is_refused_before_anything_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = open_store(tmp_path / "a" / "e.duckdb")
    load_sample(source)
    backup(source, tmp_path / "backup")
    source.close()
    target = open_store(tmp_path / "b" / "e.duckdb")
    import_files(target, _person_files()[:1])
    before = _report(target)
    from evaluation.admin import backup as module

    class Usage:
        free = 1_000_000  # 1 MB: less than the backup's rows and a rewrite need

    monkeypatch.setattr(module.shutil, "disk_usage", lambda _path: Usage)
    with pytest.raises(StoreFull, match="Nothing was restored"):
        restore(target, tmp_path / "backup", replace=True)
    assert _report(target) == before
    target.close()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '/tmp/leak.csv'",
        "ATTACH '/tmp/other.duckdb' AS other",
        "SET enable_external_access = true",
        "INSTALL httpfs",
    ],
)
def test_the_connection_cannot_reach_other_files(store: Store, sql: str) -> None:
    with pytest.raises(duckdb.Error):
        store.cursor().execute(sql)


def test_csv_exports_escape_formulas_but_not_numbers() -> None:
    rows = [
        {"text": '=HYPERLINK("x")', "n": -24.5},
        {"text": "+1", "n": 3},
        {"text": "-2", "n": 0},
        {"text": "@SUM(A1)", "n": 1},
        {"text": "\tx", "n": 1},
        {"text": "\rx", "n": 1},
        {"text": "plain - text", "n": 1},
    ]
    lines = to_csv(rows, ["text", "n"]).decode("utf-8-sig").split("\r\n")
    assert lines[1] == '"\'=HYPERLINK(""x"")",-24.5'
    assert lines[2:8] == ["'+1,3", "'-2,0", "'@SUM(A1),1", "'\tx,1", '"\'\rx",1', "plain - text,1"]


def _stopped_after(store: Store, step: int) -> None:
    """An erasure of ERASE-ME-77 as a kill after ``step`` of its three steps leaves it."""
    person = pseudonym(store.key, "ERASE-ME-77", "P")
    with store.transaction() as cur:
        forget.pending(cur, person, "dpo")
    if step >= 2:
        with store.transaction() as cur:
            forget.delete_pending(cur)
    store.con.execute("CHECKPOINT")  # whatever was committed is in the file's bytes


@pytest.mark.parametrize("step", [1, 2])
def test_an_erasure_killed_after_each_step_is_finished_at_the_next_open(
    db_path: Path, step: int
) -> None:
    store = open_store(db_path)
    import_files(store, _person_files())
    _stopped_after(store, step)
    [entry] = erasures(store)
    assert entry["state"] == (
        "requested; the rows are still to be removed"
        if step == 1
        else "rows removed; the file is still to be rewritten"
    )
    store._con.close()  # as a killed process leaves it: no tidy close  # type: ignore[union-attr]
    store._con = None
    person = pseudonym(TEST_KEY.encode(), "ERASE-ME-77", "P").encode()
    assert person in _file_bytes(db_path)

    store = open_store(db_path)  # opening finishes it
    [entry] = erasures(store)
    assert (entry["state"], entry["rows_removed"]) == ("done", 4)
    assert batches.count(store, "conversations") == 1
    store.close()
    after = _file_bytes(db_path)
    assert person not in after and b"ERASE-ME-FREE-TEXT" not in after


def test_erasing_again_finishes_an_erasure_whose_rewrite_had_no_room(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: the rows went but the rewrite didn't; 'erase' again used to answer
    'nothing was changed' and nobody was told to compact."""
    store = open_store(db_path)
    import_files(store, _person_files())
    store.close()
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)

    def no_room(path: Path) -> None:
        raise StoreFull("no room")

    with monkeypatch.context() as patched:
        patched.setattr("evaluation.store.rewrite.check_room", no_room)
        assert main(["erase", "--person", "ERASE-ME-77", "--db", str(db_path)]) == 2
        err = capsys.readouterr().err
        assert "The rows about the person are gone, but the store file could not be" in err
        assert "python -m evaluation compact" in err
        assert main(["batches", "--db", str(db_path)]) == 0  # any command says it is unfinished
        assert "note: The rows about the person are gone" in capsys.readouterr().err
    assert main(["erase", "--person", "ERASE-ME-77", "--db", str(db_path)]) == 0
    assert "an earlier erasure that had not finished is now complete" in capsys.readouterr().out
    assert b"ERASE-ME-FREE-TEXT" not in _file_bytes(db_path)


def _crafted(tmp_path: Path, change) -> Path:  # type: ignore[no-untyped-def]
    source = open_store(tmp_path / "a" / "e.duckdb")
    import_files(source, _person_files())
    backup(source, tmp_path / "backup")
    source.close()
    manifest = tmp_path / "backup" / "manifest.json"
    data = json.loads(manifest.read_text())
    change(data, tmp_path / "backup")
    manifest.write_text(json.dumps(data))
    return tmp_path / "backup"


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        (
            lambda m, _d: m["tables"].update({"feedback; DROP TABLE conversations; --": 1}),
            "lists tables this store does not have",
        ),
        (
            lambda m, _d: m["tables"].update({"../../etc/passwd": 1}),
            "lists tables this store does not have",
        ),
        (lambda m, _d: m["tables"].update({"feedback": "2; DROP"}), "is not a count"),
        (lambda m, _d: m.update({"last_batch_number": "1; DROP TABLE x"}), "not a manifest"),
        (lambda m, _d: m["tables"].update({"feedback": 99}), "the manifest says 99"),
        (lambda _m, d: (d / "stories.parquet").unlink(), "stories.parquet is missing"),
    ],
)
def test_a_crafted_backup_is_refused_and_runs_nothing(tmp_path: Path, change, refusal: str) -> None:  # type: ignore[no-untyped-def]
    crafted = _crafted(tmp_path, change)
    target = open_store(tmp_path / "b" / "e.duckdb")
    import_files(target, _person_files()[:1])
    before = target.cursor().execute("SELECT * FROM conversations ORDER BY 1").fetchall()
    with pytest.raises(StoreError, match=re.escape(refusal)):
        restore(target, crafted, replace=True)
    assert target.cursor().execute("SELECT * FROM conversations ORDER BY 1").fetchall() == before
    assert {t for (t,) in target.cursor().execute("SHOW TABLES").fetchall()} >= {
        "conversations",
        "feedback",
        "import_log",
    }
    target.close()


def test_backups_are_the_owners_only(store: Store, tmp_path: Path) -> None:
    import_files(store, _person_files())
    out = tmp_path / "backup"
    backup(store, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}
