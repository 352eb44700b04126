"""The CLI: sample → import → import again → batches → undo, and exit 2 for a bad file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from evaluation.cli.main import main
from evaluation.ingest import sample
from evaluation.store import batches
from tests.harness import ROOT, TEST_KEY, open_store


def test_sample_import_again_undo(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    out, db = tmp_path / "sample", tmp_path / "e.duckdb"
    assert main(["sample", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == str(out / "conversations.csv")
    files = [str(out / f"{name}.csv") for name in sample.FILES]
    assert main(["import", *files, "--db", str(db), "--as-of", "2026-07-31"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "conversations.csv: conversations, batch B00001: 2204 added, 0 replaced, 0 unchanged "
        "(as of 31/07/2026)"
    )
    assert len(lines) == 5

    assert main(["import", *files, "--db", str(db)]) == 0  # the same files, no date given
    again = capsys.readouterr().out.splitlines()
    assert all("nothing new" in line for line in again)

    assert main(["undo", "B00002", "--db", str(db)]) == 0
    assert "undid batch B00002 (care_packages): 1017 rows removed" in capsys.readouterr().out
    assert main(["batches", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert "B00002  care_packages" in listing and "undone" in listing
    store = open_store(db)
    assert batches.count(store, "care_packages") == 0
    assert batches.count(store, "conversations") == 2204
    store.close()


def test_bad_file_exits_2_with_row_and_column_and_stores_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        b"feedback_id,site,received_on\r\nF1,North,01/02/2024\r\nF2,North,12/31/2023\r\n"
    )
    db = tmp_path / "e.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "evaluation", "import", str(bad), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True,
        env={"EVALUATION_PSEUDONYM_KEY": TEST_KEY, "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    assert "bad.csv: 1 problem(s); nothing was stored" in done.stderr
    assert "row 3, column received_on ('12/31/2023'): not a UK date" in done.stderr
    store = open_store(db)
    assert batches.count(store, "feedback") == 0 and batches.log(store) == []
    store.close()


def test_undo_of_unknown_batch_exits_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["undo", "B00042", "--db", str(tmp_path / "e.duckdb")]) == 2
    assert "There is no batch B00042." in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["import", str(tmp_path / "nope.csv"), "--db", str(tmp_path / "e.duckdb")]) == 2
    assert "can't read the file" in capsys.readouterr().err


def test_committed_sample_files_match_the_generator(tmp_path: Path) -> None:
    sample.write(tmp_path)
    for name in sample.FILES:
        assert (tmp_path / f"{name}.csv").read_bytes() == (
            ROOT / "sample_data" / f"{name}.csv"
        ).read_bytes(), name


def test_sample_has_what_the_pages_need(store) -> None:  # type: ignore[no-untyped-def]
    from evaluation.ingest.sample_loader import load_sample

    load_sample(store)
    cur = store.cursor()
    sites = cur.execute(
        "SELECT site, approach FROM conversations GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert sites == [
        ("Central locality team", "usual practice"),
        ("Northfield innovation site", "three conversations"),
        ("Riverside innovation site", "three conversations"),
    ]
    assert batches.count(store, "conversations") >= 2000
    assert (
        batches.count(store, "feedback") >= 300
        and batches.count(store, "staff") >= 200
        and batches.count(store, "stories") >= 20
    )
    linked = cur.execute(
        "SELECT count(*) FROM (SELECT request_id FROM conversations GROUP BY 1 "
        "HAVING max(conversation) = 3 AND min(conversation) = 1)"
    ).fetchall()[0][0]
    assert linked > 50
    statuses = {r[0] for r in cur.execute("SELECT DISTINCT status FROM care_packages").fetchall()}
    assert statuses == {"active", "suspended", "cancelled"}
    assert (
        cur.execute("SELECT count(*) FROM conversations WHERE died_on IS NOT NULL").fetchall()[0][0]
        > 5
    )
    assert (
        cur.execute("SELECT count(*) FROM conversations WHERE ended_on IS NULL").fetchall()[0][0]
        > 10
    )
    cur.close()
