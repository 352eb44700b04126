"""The CLI with mapping profiles: ``import --mapping FILE.toml`` and ``--mapping NAME``, and
``mappings`` listing, showing, adding and removing saved profiles (exit 2 with the reason
for anything it can't do)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.cli.main import main
from evaluation.store import batches, profiles
from tests.harness import ROOT, TEST_KEY, open_store
from tests.ingest.test_mapping import MOSAIC, ROWS, csv


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    paths = {
        "profile": tmp_path / "mosaic.toml",
        "export": tmp_path / "steps.csv",
        "bad": tmp_path / "steps-bad.csv",
        "db": tmp_path / "e.duckdb",
    }
    paths["profile"].write_text(MOSAIC)
    paths["export"].write_bytes(csv(*ROWS))
    paths["bad"].write_bytes(csv(ROWS[0].replace(b"Info & Advice", b"Moved away")))
    return paths


def test_import_with_a_profile_file(files: dict[str, Path], capsys) -> None:  # type: ignore[no-untyped-def]
    db = str(files["db"])
    assert main(["import", str(files["bad"]), "--db", db, "--mapping", str(files["profile"])]) == 2
    err = capsys.readouterr().err
    assert "steps-bad.csv: 1 problem(s); nothing was stored" in err
    assert "row 2, column Step Outcome ('Moved away'): the mapping profile" in err

    assert (
        main(["import", str(files["export"]), "--db", db, "--mapping", str(files["profile"])]) == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(
        "steps.csv (read with the mapping profile 'Mosaic steps report'): conversations, batch "
        "B00001: 3 added"
    )
    store = open_store(files["db"])
    assert batches.count(store, "conversations") == 3
    store.close()


def test_saved_profiles_are_listed_shown_used_by_name_and_removed(
    files: dict[str, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", str(files["db"])]
    assert main(["mappings", *db]) == 0
    assert capsys.readouterr().out == "no mapping profiles saved yet\n"
    assert main(["mappings", "add", str(files["profile"]), *db]) == 0
    assert (
        capsys.readouterr().out
        == "saved the mapping profile 'Mosaic steps report' (conversations)\n"
    )
    assert main(["mappings", *db, "list"]) == 0  # --db before the action holds too
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["name", "kind", "saved", "by", "state"]
    assert listing[2].startswith("Mosaic steps report  Conversations") and listing[2].endswith(
        "ready"
    )
    assert main(["mappings", "show", "mosaic steps report", *db]) == 0
    assert capsys.readouterr().out == MOSAIC  # as written, comments and all

    assert main(["import", str(files["export"]), *db, "--mapping", "Mosaic steps report"]) == 0
    assert "3 added" in capsys.readouterr().out
    assert main(["import", str(files["export"]), *db, "--mapping", "Eclipse"]) == 2
    assert capsys.readouterr().err == (
        "no mapping profile is saved as 'Eclipse': saved ones are 'Mosaic steps report'\n"
    )
    assert main(["mappings", "remove", "Mosaic steps report", *db]) == 0
    assert main(["mappings", "remove", "Mosaic steps report", *db]) == 2
    assert main(["mappings", "show", "Mosaic steps report", *db]) == 2


def test_a_saved_profile_reads_a_file_whose_headings_fit_no_kind(
    files: dict[str, Path], capsys
) -> None:  # type: ignore[no-untyped-def]
    db = ["--db", str(files["db"])]
    assert main(["import", str(files["export"]), *db]) == 2
    assert "can't tell which kind of file this is" in capsys.readouterr().err
    assert main(["mappings", "add", str(files["profile"]), *db]) == 0
    assert main(["import", str(files["export"]), *db]) == 0
    assert "(read with the mapping profile 'Mosaic steps report')" in capsys.readouterr().out


def test_a_wrong_profile_exits_2_with_the_reason(files: dict[str, Path], tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(MOSAIC.replace('kind = "conversations"', 'kind = "steps"'))
    for command in (
        ["mappings", "add", str(wrong)],
        ["import", str(files["export"]), "--mapping", str(wrong)],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "evaluation", *command, "--db", str(files["db"])],
            cwd=ROOT, capture_output=True, text=True,
            env={"EVALUATION_PSEUDONYM_KEY": TEST_KEY, "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith("wrong.toml: kind = 'steps' is not a kind of file")
    store = open_store(files["db"])
    assert batches.log(store) == [] and profiles.saved_profiles(store) == []
    store.close()
