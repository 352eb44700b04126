"""The command line on a CLD extract: ``import --cld-site``, the patterns, the reports split
by the like-for-like fields, the import log and undo."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evaluation.cli.main import main
from evaluation.store import batches
from tests.fixtures import cld_rules as fx
from tests.harness import TEST_KEY, open_store


@pytest.fixture
def extract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    path = tmp_path / "cld.csv"
    path.write_bytes(fx.rules_extract())
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def test_without_sites_the_import_says_how_to_give_them(extract: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = extract.with_name("s.duckdb")
    code, out, err = run(capsys, "import", str(extract), "--db", str(db))
    assert code == 2 and out == ""
    assert "cld.csv: 1 problem(s); nothing was stored" in err
    assert '--cld-site "NAME=DISTRICT,DISTRICT"' in err


def test_import_prints_what_the_extract_held(extract: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = extract.with_name("s.duckdb")
    site = "Medway innovation team=ME4,me5"
    code, out, err = run(
        capsys, "import", str(extract), "--db", str(db), "--cld-site", site, "--as-of", "2025-03-31"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        "cld.csv: Client Level Data, batch B00001: conversations 12 added, 0 replaced, "
        "0 unchanged; care packages 19 added, 0 replaced, 0 unchanged (as of 31/03/2025)"
    )
    assert "Medway innovation team: ME4, ME5" in lines[1]
    assert "         21  Service" in lines
    assert (
        "          5  unmarked rows of a three conversations request (not conversations)" in lines
    )
    assert any("'Per visit' (1)" in line for line in lines)

    code, out, _ = run(capsys, "batches", "--db", str(db))
    assert "B00001  conversations" in out and "B00001  care_packages" in out
    code, out, _ = run(capsys, "undo", "B00001", "--db", str(db))
    assert code == 0
    assert out.startswith("undid batch B00001 (care_packages and conversations): 31 rows removed")
    store = open_store(db)
    assert batches.count(store, "conversations") == batches.count(store, "care_packages") == 0
    store.close()


def test_a_site_or_pattern_that_cant_be_used_exits_2(extract: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = str(extract.with_name("s.duckdb"))
    code, _, err = run(capsys, "import", str(extract), "--db", db, "--cld-site", "Medway=ME 4 4QR")
    assert code == 2 and "not a postcode district" in err
    code, _, err = run(
        capsys, "import", str(extract), "--db", db, "--cld-site", fx.SITES[0],
        "--cld-conversation-pattern", "chat",
    )  # fmt: skip
    assert code == 2 and "says no number" in err


def test_conversation_patterns_from_the_command_line(extract: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = str(extract.with_name("s.duckdb"))
    code, out, err = run(
        capsys, "import", str(extract), "--db", db, "--cld-site", fx.SITES[0],
        "--cld-conversation-pattern", "care act assessment=1",
        "--cld-conversation-pattern", r"conversation\s*([123])",
    )  # fmt: skip
    assert code == 0, err
    # "Initial conversation" no longer marks (the patterns given replace the defaults), and
    # B's and D's Care Act assessments are now Conversation 1s.
    assert "          4  conversations: Conversation 1" in out.splitlines()


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("by", ["request_type", "age_band", "support_reason"])
def test_reports_split_by_the_like_for_like_fields(extract: Path, capsys, by: str) -> None:  # type: ignore[no-untyped-def]
    db = str(extract.with_name("s.duckdb"))
    assert run(capsys, "import", str(extract), "--db", db, "--cld-site", fx.SITES[0])[0] == 0
    code, out, err = run(capsys, "report", "cost-change", "--db", db, "--by", by, "--as-of",
                         "2025-03-31", "--format", "csv")  # fmt: skip
    assert code == 0, err
    columns = {row[by]: row for row in _csv(out)}
    code, out, err = run(capsys, "report", "conversion", "--db", db, "--by", by, "--format", "csv")
    assert code == 0, err
    groups = {row[by]: row for row in _csv(out) if row[by]}
    if by == "request_type":
        assert columns["existing"]["no_change"] == "1" and columns["existing"]["excluded"] == "1"
        assert (groups["new"]["new_requests"], groups["new"]["long_term"]) == ("7", "2")
    elif by == "age_band":
        assert set(groups) == {"18-64", "65+", "(not given)"}
    else:
        assert groups["Learning Disability Support"]["requests"] == "2"


def test_an_extract_larger_than_an_upload_is_imported_from_the_command_line(
    extract: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """A national extract may be larger than the Upload page takes: the command line knows it
    by its headers and takes it up to the CLD limit; any other file that large is refused."""
    from evaluation.ingest import reading

    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", extract.stat().st_size - 1)
    db = extract.with_name("big.duckdb")
    site = "Medway innovation team=ME4,me5"
    code, _, err = run(capsys, "import", str(extract), "--db", str(db), "--cld-site", site)
    assert code == 0, err
    plain = extract.with_name("plain.csv")
    plain.write_bytes(b"conversation_id,person_id\r\n" + b"C1,P1\r\n" * 2000)
    monkeypatch.setattr(reading, "MAX_UPLOAD_BYTES", 1000)
    code, _, err = run(capsys, "import", str(plain), "--db", str(db))
    assert code == 2 and "the largest file we take is" in err and "Nothing was stored." in err
