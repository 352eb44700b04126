"""What a CLD extract must never leave behind: NHS numbers, names, dates of birth, full
postcodes, GP practices and the person's own id — not in the store's bytes (file and
write-ahead log), not in any table, not in what the command line prints, not in a problem
list. The browser test of the Upload page reads the server's log for the same values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from evaluation.cli.main import main
from evaluation.ingest.cld import check_cld
from evaluation.ingest.cld_settings import settings
from evaluation.present.exports import to_csv
from evaluation.store.connection import Store
from evaluation.store.query import rows
from tests.fixtures import cld_rules as fx
from tests.harness import TEST_KEY, open_store

IDS = [p.id for p in fx.PEOPLE]


def leaks(text: str | bytes) -> list[str]:
    """The identifying values (and raw person ids) found in ``text``."""
    haystack = text if isinstance(text, str) else text.decode("utf-8", errors="replace")
    return [value for value in [*fx.IDENTIFYING, *IDS] if value in haystack]


def store_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + ".wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def every_value(store: Store) -> tuple[str, set[date]]:
    """Every text of every table of the store, and every date in it."""
    tables = rows(store, "SELECT table_name FROM duckdb_tables() WHERE NOT temporary")
    texts, days = [], set()
    for (table,) in tables:
        columns = rows(
            store,
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
            [table],
        )
        for name, kind in columns:
            values = [v for (v,) in rows(store, f'SELECT DISTINCT "{name}" FROM {table}')]
            if kind == "DATE":
                days.update(v for v in values if v is not None)
            else:
                texts.extend(str(v) for v in values if v is not None)
    return "\n".join(texts), days


@pytest.fixture
def imported(db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    extract = db_path.parent / "cld.csv"
    extract.parent.mkdir(parents=True, exist_ok=True)
    extract.write_bytes(fx.rules_extract())
    code = main(
        ["import", str(extract), "--db", str(db_path), *[f"--cld-site={s}" for s in fx.SITES]]
    )
    printed = capsys.readouterr()
    assert code == 0, printed.err
    return db_path, printed.out + printed.err


def test_nothing_identifying_is_printed(imported: tuple[Path, str]) -> None:
    _, printed = imported
    assert "Client Level Data, batch B00001" in printed
    assert leaks(printed) == []


def test_nothing_identifying_is_in_the_store_file_or_its_log(imported: tuple[Path, str]) -> None:
    db_path, _ = imported
    # The bytes are readable text where values are stored: a kept id is found in them.
    assert f"{fx.LA}/A-A1".encode() in store_bytes(db_path)
    assert leaks(store_bytes(db_path)) == []
    store = open_store(db_path)  # open: the write-ahead log of a fresh connection too
    try:
        assert leaks(store_bytes(db_path)) == []
        texts, days = every_value(store)
    finally:
        store.close()
    assert leaks(texts) == []
    births = {date.fromisoformat(p.birth) for p in fx.PEOPLE if p.birth}
    assert days & births == set()
    assert "ME4" in texts  # what is kept of the postcode: its district


def test_a_refused_extract_names_no_identifying_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    rows_ = fx.rules_rows()
    for row in rows_:  # every person module value unreadable: each a problem
        row[fx.HEADERS.index("Date of Birth")] = row[fx.HEADERS.index("Date of Birth")] + "x"
    rows_[0][fx.HEADERS.index("Date of Death")] = "31/13/1950"
    extract = tmp_path / "bad.csv"
    extract.write_bytes(fx.csv_bytes(rows_))
    code = main(
        ["import", str(extract), "--db", str(tmp_path / "s.duckdb"), "--cld-site", fx.SITES[0]]
    )
    printed = capsys.readouterr()
    assert code == 2
    assert "column Date of Birth: not a date" in printed.err
    assert "column Date of Death: not a date" in printed.err
    assert leaks(printed.out + printed.err) == []
    checked = check_cld(extract.read_bytes(), "bad.csv", settings([(fx.SITE, ["ME4"])]), b"k")
    download = to_csv([p.__dict__ for p in checked.problems], ["row", "column", "value", "message"])
    assert leaks(download) == []
