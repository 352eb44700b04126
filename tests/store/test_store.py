"""The store: idempotent imports, replacement, undo, the import log, and pseudonyms."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest

from evaluation.ingest.importer import import_files
from evaluation.store import batches, query
from evaluation.store.connection import Store, StoreError
from evaluation.store.keys import key_path
from tests.harness import TEST_KEY

HEADER = "conversation_id,person_id,site,approach,conversation,request_type,started_on,worker_id"


def conversations(rng, n: int, site: str = "North", raw_prefix: str = "RAWPERSON") -> bytes:  # type: ignore[no-untyped-def]
    rows = [HEADER]
    for i in range(1, n + 1):
        day = rng.randint(1, 28)
        rows.append(
            f"C{i},{raw_prefix}{i:04d},{site},3Cs,{rng.choice((1, 2, 3))},new,"
            f"{day:02d}/03/2024,RAWWORKER{rng.randint(1, 5)}"
        )
    return ("\r\n".join(rows) + "\r\n").encode()


def table(store: Store, sql: str) -> list[tuple[object, ...]]:
    cur = store.cursor()
    rows = cur.execute(sql).fetchall()
    cur.close()
    return rows


def test_same_file_twice_leaves_the_store_unchanged(store: Store, rng) -> None:  # type: ignore[no-untyped-def]
    data = conversations(rng, 50)
    [first] = import_files(store, [("c.csv", data)], as_of=date(2024, 4, 1))
    before = table(store, "SELECT * FROM conversations ORDER BY conversation_id")
    [second] = import_files(store, [("c.csv", data)], as_of=date(2024, 4, 1))
    assert (first.added, first.batch_id) == (50, "B00001")
    assert (second.added, second.replaced, second.unchanged, second.batch_id) == (0, 0, 50, None)
    assert table(store, "SELECT * FROM conversations ORDER BY conversation_id") == before
    assert len(batches.log(store)) == 1


def test_an_id_seen_before_replaces_its_row_and_undo_brings_it_back(store: Store, rng) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("a.csv", conversations(rng, 10))])
    changed = conversations(rng, 12, site="South")  # same ids C1..C10 (new values) + C11, C12
    [result] = import_files(store, [("b.csv", changed)])
    assert (result.added, result.replaced) == (2, 10)
    assert table(store, "SELECT DISTINCT site FROM conversations") == [("South",)]
    assert batches.count(store, "conversations") == 12

    with pytest.raises(StoreError, match="later batch\\(es\\) B00002 replaced some of its rows"):
        batches.undo(store, "B00001", by="tester")
    done = batches.undo(store, "B00002", by="tester")
    assert (done["removed"], done["restored"]) == (12, 10)
    assert table(store, "SELECT DISTINCT site FROM conversations") == [("North",)]
    assert batches.count(store, "conversations") == 10
    batches.undo(store, "B00001", by="tester")
    assert batches.count(store, "conversations") == 0
    assert table(store, "SELECT count(*) FROM conversations_replaced") == [(0,)]


def test_undo_twice_and_unknown_batch_are_refused(store: Store, rng) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("a.csv", conversations(rng, 3))])
    batches.undo(store, "B00001", by="tester")
    with pytest.raises(StoreError, match="already undone"):
        batches.undo(store, "B00001", by="tester")
    with pytest.raises(StoreError, match="There is no batch B09999"):
        batches.undo(store, "B09999", by="tester")


def test_reimport_after_undo_lands_again(store: Store, rng) -> None:  # type: ignore[no-untyped-def]
    data = conversations(rng, 5)
    import_files(store, [("a.csv", data)])
    batches.undo(store, "B00001", by="tester")
    [again] = import_files(store, [("a.csv", data)])
    assert (again.batch_id, again.added) == ("B00002", 5)


def test_import_log_records_the_batch(store: Store, rng) -> None:  # type: ignore[no-untyped-def]
    data = conversations(rng, 4)
    import_files(store, [("c.csv", data)], as_of=date(2024, 4, 30), imported_by="site lead")
    [row] = batches.log(store)
    assert row["kind"] == "conversations"
    assert row["file_name"] == "c.csv"
    assert len(row["sha256"]) == 64
    assert (row["rows_added"], row["rows_replaced"], row["rows_unchanged"]) == (4, 0, 0)
    assert row["as_of"] == date(2024, 4, 30)
    assert row["imported_by"] == "site lead"
    assert row["undone_at"] is None


def test_as_of_defaults_to_the_import_day(store: Store, rng) -> None:  # type: ignore[no-untyped-def]
    [result] = import_files(store, [("c.csv", conversations(rng, 1))])
    assert result.as_of == date.today()
    assert batches.log(store)[0]["as_of"] == date.today()


def test_raw_ids_never_reach_the_file(db_path: Path, rng) -> None:  # type: ignore[no-untyped-def]
    store = Store(db_path, key=TEST_KEY)
    import_files(store, [("c.csv", conversations(rng, 200))])
    person = table(store, "SELECT DISTINCT person_id FROM conversations")
    worker = table(store, "SELECT DISTINCT worker_id FROM conversations")
    store.con.execute("CHECKPOINT")
    store.close()
    stored = b"".join(
        p.read_bytes() for p in db_path.parent.glob(db_path.name + "*") if p.suffix != ".key"
    )
    assert b"RAWPERSON" not in stored
    assert b"RAWWORKER" not in stored
    assert all(p[0].startswith("P-") for p in person)
    assert all(w[0].startswith("W-") for w in worker)
    assert len(person) == 200


def test_pseudonyms_are_stable_under_one_key_and_differ_under_another(tmp_path: Path, rng) -> None:  # type: ignore[no-untyped-def]
    data = conversations(rng, 3)
    ids = []
    for name, key in (("a", "k1"), ("b", "k1"), ("c", "k2")):
        store = Store(tmp_path / f"{name}.duckdb", key=key)
        import_files(store, [("c.csv", data)])
        ids.append(table(store, "SELECT person_id FROM conversations ORDER BY conversation_id"))
        store.close()
    assert ids[0] == ids[1]
    assert ids[0] != ids[2]


def test_local_key_is_generated_beside_the_store_owner_only(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("EVALUATION_PSEUDONYM_KEY", raising=False)
    db = tmp_path / "data" / "evaluation.duckdb"
    Store(db).close()
    key = key_path(db)
    assert key.parent == db.parent and key != db
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = key.read_text()
    Store(db).close()
    assert key.read_text() == first
    assert first.encode() not in db.read_bytes()


def test_key_from_the_environment_wins(tmp_path: Path, monkeypatch, rng) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    db = tmp_path / "e.duckdb"
    store = Store(db)
    assert store.key == TEST_KEY.encode()
    assert not key_path(db).exists()
    store.close()


def test_import_reports_its_progress_in_order(store: Store, rng) -> None:  # type: ignore[no-untyped-def]
    from evaluation.ingest.importer import check, store_checked

    seen: list[tuple[float, str]] = []
    checked = check(conversations(rng, 20), "c.csv", progress=lambda f, s: seen.append((f, s)))
    store_checked(store, checked, progress=lambda f, s: seen.append((f, s)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert seen[-1][1] == "Stored c.csv"
    assert any("pseudonyms" in stage for _, stage in seen)


def test_a_newer_extract_with_the_same_rows_moves_the_as_of_date_on(store: Store) -> None:
    """Weekly full extracts: finished work must stop counting as ongoing once a later extract
    confirms it, even though the rows themselves have not changed."""
    from evaluation.measures.cost_change import summary

    def ongoing_and_same() -> tuple[int, int]:
        group = summary(store).groups[0]
        return group.ongoing, group.no_change

    week1 = (
        b"conversation_id,person_id,site,approach,conversation,request_type,started_on,ended_on\r\n"
        b"A1,P1,North,3Cs,1,existing,01/02/2024,20/02/2024\r\n"
    )
    week2 = week1 + b"A2,P2,South,3Cs,1,new,01/04/2024,\r\n"  # South only: North rows unchanged
    import_files(store, [("w1.csv", week1)], as_of=date(2024, 3, 1))
    assert ongoing_and_same() == (1, 0)  # d1 = 21/03/2024 is after the extract of 01/03/2024

    [same] = import_files(store, [("w1.csv", week1)], as_of=date(2024, 4, 30))
    assert same.batch_id is None  # the very same bytes: no new batch, whatever date is claimed

    [newer] = import_files(store, [("w2.csv", week2)], as_of=date(2024, 4, 30))
    assert (newer.added, newer.unchanged) == (1, 1)
    assert ongoing_and_same() == (1, 1)  # A2 is underway; A1 is now complete

    undo = batches.undo(store, newer.batch_id, by="tester")  # type: ignore[arg-type]
    assert undo["removed"] == 1
    assert ongoing_and_same() == (1, 0)


def test_an_unchanged_extract_for_the_same_sites_records_only_its_date(store: Store) -> None:
    data = (
        b"conversation_id,person_id,site,approach,conversation,request_type,started_on,ended_on\r\n"
        b"A1,P1,North,3Cs,1,existing,01/02/2024,20/02/2024\r\n"
    )
    import_files(store, [("w1.csv", data)], as_of=date(2024, 3, 1))
    later = data.replace(b"\r\n", b"\n")  # re-saved: other bytes, same rows
    [result] = import_files(store, [("w2.csv", later)], as_of=date(2024, 4, 30))
    assert (result.batch_id, result.added, result.replaced, result.unchanged) == ("B00002", 0, 0, 1)
    assert "the data is now as of 30/04/2024" in result.summary()
    [again] = import_files(store, [("w3.csv", later + b"\n")], as_of=date(2024, 4, 30))
    assert again.batch_id is None


def test_a_store_made_before_a_column_existed_gains_it_and_still_imports(tmp_path: Path) -> None:
    """Columns the contract gained later are added at the end of an older store's tables;
    writing, replacing and undoing name their columns, so the order never matters."""
    import duckdb

    from evaluation.core.contract import KINDS

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    kind = KINDS["care_packages"]
    older = [c for c in kind.columns if c != "support"]
    columns = ", ".join(f"{c} {kind.sql_type(c)}" for c in older)
    old.execute(f"CREATE TABLE care_packages ({columns}, batch_id VARCHAR)")
    old.execute(
        f"CREATE TABLE care_packages_replaced ({columns}, batch_id VARCHAR, replaced_by VARCHAR)"
    )
    old.close()
    store = Store(path, key=TEST_KEY)
    header = b"package_id,person_id,starts_on,gross_weekly_cost,status,support\r\n"
    import_files(store, [("a.csv", header + b"K1,P1,01/01/2025,100,active,short term\r\n")])
    import_files(store, [("b.csv", header + b"K1,P1,01/01/2025,120,active,\r\n")])
    rows = query.dicts(store, "SELECT gross_weekly_cost, support FROM care_packages")
    assert rows == [{"gross_weekly_cost": 120, "support": "long term"}]
    batches.undo(store, "B00002", by="test")
    rows = query.dicts(store, "SELECT gross_weekly_cost, support FROM care_packages")
    assert rows == [{"gross_weekly_cost": 100, "support": "short term"}]
    store.close()
