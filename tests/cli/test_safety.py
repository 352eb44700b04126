"""The command line's smaller safety fixes: a file too large is refused from its size before
it is read, megabytes are counted as the page counts them, ``batches | head`` stops quietly,
and any refusal from the store is a sentence with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.cli.main import main
from evaluation.ingest import reading
from evaluation.ingest.checks import check
from evaluation.ingest.importer import import_files
from tests.harness import ROOT, TEST_KEY, open_store


def test_a_file_too_large_is_refused_from_its_size_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as out:  # 201 MB on paper, nothing on the disk (a sparse file)
        out.truncate(201_000_000)

    def never(_self: Path) -> bytes:
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    assert main(["import", str(huge), "--db", str(tmp_path / "e.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"{huge}: The file is 201 MB; the largest file we take is 200 MB. Split it into smaller "
        "files. Nothing was stored.\n"
    )
    assert not (tmp_path / "e.duckdb").exists()


def test_the_page_and_the_command_line_count_megabytes_the_same_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 2_000_000)
    data = b"x" * 2_050_000
    page = check(data, "big.csv").problems[0].message  # what the Upload page shows
    big = tmp_path / "big.csv"
    big.write_bytes(data)
    assert main(["import", str(big), "--db", str(tmp_path / "e.duckdb")]) == 2
    assert page in capsys.readouterr().err
    assert page.startswith("The file is 2.1 MB; the largest file we take is 2 MB.")
    assert reading.megabytes(200_000_000) == "200 MB"  # the upload box's 200MB, in bytes


def test_batches_piped_into_head_stops_quietly(tmp_path: Path) -> None:
    db = tmp_path / "e.duckdb"
    store = open_store(db)
    import_files(store, [("f.csv", b"feedback_id,site,received_on\r\nX,North,01/02/2024\r\n")])
    with store.transaction() as cur:  # a log of 2,000 batches: far more than a pipe holds
        cur.execute(
            "INSERT INTO import_log SELECT printf('B%05d', range + 2), kind, file_name, sha256, "
            "rows_added, rows_replaced, rows_unchanged, as_of, imported_at, imported_by, source, "
            "undone_at, undone_by, sites, replaced_sites FROM import_log, range(2000)"
        )
    store.close()
    done = subprocess.run(
        f"{sys.executable} -m evaluation batches --db {db} | head -n 1",
        shell=True, cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "EVALUATION_PSEUDONYM_KEY": TEST_KEY},
    )  # fmt: skip
    assert done.returncode == 0
    assert done.stdout.startswith("B02001  feedback")
    assert "BrokenPipeError" not in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_a_refusal_from_the_store_is_a_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "backup").mkdir()
    assert main(["restore", str(tmp_path / "backup"), "--db", str(tmp_path / "e.duckdb")]) == 2
    assert capsys.readouterr().err.strip().endswith("it has no manifest.json.")
