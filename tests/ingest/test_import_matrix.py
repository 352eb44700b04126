"""Byte-level import matrix: each malformed export gives exactly the problem a user should read,
and the store is left exactly as it was. Good variants (BOM, Windows-1252 £, quoted newlines)
land with the right values."""

from __future__ import annotations

import gzip
import io
import zipfile
from decimal import Decimal

import pytest

from evaluation.ingest.importer import ImportFailed, check, import_files
from evaluation.store import batches
from evaluation.store.connection import Store

HEADER = "conversation_id,person_id,site,approach,conversation,request_type,started_on,ended_on"
ROW = "C1,P1,North,three conversations,1,new,05/03/2024,19/03/2024"
GOOD = f"{HEADER}\r\n{ROW}\r\n".encode()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def conv(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


BAD_FILES = [
    pytest.param(
        xlsx_bytes(),
        [(None, None, "This is an Excel workbook (.xlsx), not a CSV file. In Excel use File > "
          "Save As > 'CSV UTF-8 (Comma delimited)' and upload that file.")],
        id="xlsx-renamed-csv",
    ),
    pytest.param(
        gzip.compress(GOOD),
        [(None, None, "This is a gzip-compressed file, not a CSV file. Decompress it and upload the CSV.")],
        id="gzip-renamed-csv",
    ),
    pytest.param(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
        [(None, None, "This is an old-style Excel workbook (.xls), not a CSV file. In Excel use "
          "File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file.")],
        id="xls",
    ),
    pytest.param(
        GOOD.replace(b",", b";"),
        [(1, None, "The columns are separated by semicolons, not commas. In Excel use File > "
          "Save As > 'CSV UTF-8 (Comma delimited)' and upload that file.")],
        id="semicolon-file",
    ),
    pytest.param(
        conv(ROW + ",North", header=HEADER + ",Site"),
        [(1, "site", "the column appears twice (columns C and I)")],
        id="duplicate-header",
    ),
    pytest.param(
        conv("C1,P1,North,three conversations,1,new,", header=HEADER.replace(",started_on", "")),
        [(1, "started_on", "required column is missing from the conversations file")],
        id="missing-required-column",
    ),
    pytest.param(
        conv("C1,P1,North,reablement,1,new,05/03/2024,"),
        [(2, "approach", "unknown approach: use 'three conversations' or 'usual practice'")],
        id="unknown-approach",
    ),
    pytest.param(
        conv(ROW, "C2,P2,North,3Cs,1,new,12/31/2023,"),
        [(3, "started_on", "not a UK date: there is no month 31. Dates are read as dd/mm/yyyy; "
          "this looks like a US-style mm/dd/yyyy date")],
        id="us-date",
    ),
    pytest.param(
        conv("C1,P1,North,3Cs,1,new,05/03/24,"),
        [(2, "started_on", "two-digit year: write the year in full, for example 05/03/2024, not 05/03/24")],
        id="two-digit-year",
    ),
    pytest.param(
        conv("C1,P1,North,3Cs,1,new,05/03/2024,04/03/2024"),
        [(2, "ended_on", "ended before it started (started_on is 05/03/2024)")],
        id="ended-before-started",
    ),
    pytest.param(
        conv("C1,P1,North,3Cs,1,existing,05/03/2024,,-12.50",
             header=HEADER + ",weekly_cost_before"),
        [(2, "weekly_cost_before", "a cost cannot be negative")],
        id="negative-cost",
    ),
    pytest.param(
        conv(ROW, "C2,P2,North,3Cs,1,new,06/03/2024,", ROW),
        [(4, "conversation_id", "duplicate id: the same conversation_id is also on row 2")],
        id="duplicate-id",
    ),
    pytest.param(b"", [(None, None, "The file is empty.")], id="empty-file"),
    pytest.param(
        f"{HEADER}\r\n".encode(),
        [(None, None, "The file has a header row but no data rows.")],
        id="headers-only",
    ),
    pytest.param(
        conv("C1,P1,North,3Cs,1,new,05/03/2024,,extra"),
        [(2, None, "the row has 9 values but the header has 8 columns (a value with a comma "
          "inside must be wrapped in double quotes)")],
        id="ragged-row",
    ),
    pytest.param(
        conv('C1,P1,"North"x,3Cs,1,new,05/03/2024,'),
        [(2, None, "a quote mark is out of place, so the row can't be split into columns (a value "
          "with a comma or a quote inside must be wrapped in double quotes)")],
        id="stray-quote",
    ),
    pytest.param(
        b"\x81\x8d\x8f\x90\x9d,x\r\n1,2\r\n",
        [(None, None, "The file's text is neither UTF-8 nor Windows-1252, so we can't read it. "
          "In Excel use File > Save As > 'CSV UTF-8 (Comma delimited)' and upload that file.")],
        id="unknown-encoding",
    ),
    pytest.param(
        b"name,colour\r\nx,y\r\n",
        [(1, None, "can't tell which kind of file this is from its headers: it needs one of the "
          "id columns conversation_id, package_id, feedback_id, story_id, response_id")],
        id="unknown-kind",
    ),
    pytest.param(
        b"package_id,person_id,starts_on,gross_weekly_cost,status\r\n"
        b"K1,P1,01/04/2024,\xa31;200,active\r\n",
        [(2, "gross_weekly_cost", "not an amount of money: write it like 1234.50, 1,234.50 or £1,234.50")],
        id="bad-money",
    ),
    pytest.param(
        conv("C1,P1,North,3Cs,,new,05/03/2024,"),
        [(2, "conversation", "required for three conversations rows: give 1, 2 or 3")],
        id="three-conversations-row-without-number",
    ),
]  # fmt: skip


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    cur = store.cursor()
    tables = [
        r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
    ]
    state = {t: sorted(cur.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    cur.close()
    return state


@pytest.mark.parametrize(("data", "expected"), BAD_FILES)
def test_bad_file_reports_exact_problem_and_stores_nothing(
    store: Store, data: bytes, expected: list[tuple[int | None, str | None, str]]
) -> None:
    import_files(store, [("seed.csv", conv("S1,P9,North,3Cs,1,new,01/02/2024,"))])
    before = snapshot(store)
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [("upload.csv", data)])
    problems = failed.value.checked[0].problems
    assert [(p.row, p.column, p.message) for p in problems] == expected
    assert snapshot(store) == before


def test_bad_value_is_reported_with_the_value_as_written() -> None:
    checked = check(conv("C1,P1,North,3Cs,1,new,12/31/2023,"), "x.csv")
    assert checked.problems[0].value == "12/31/2023"
    assert checked.problems[0].line().startswith("row 2, column started_on ('12/31/2023'): ")


GOOD_FILES = [
    pytest.param(b"\xef\xbb\xbf" + GOOD, "North", None, id="utf8-bom"),
    pytest.param(
        b"package_id,person_id,starts_on,gross_weekly_cost,status\r\n"
        b"K1,P1,01/04/2024,\"\xa31,234.50\",active\r\n",
        None, Decimal("1234.50"), id="windows-1252-pound",
    ),
    pytest.param(
        "package_id,person_id,starts_on,gross_weekly_cost,status\r\n"
        "K1,P1,2024-04-01,\"£1,234.50\",Active\r\n".encode(),
        None, Decimal("1234.50"), id="utf8-pound-iso-date",
    ),
    pytest.param(
        b"Conversation ID , PERSON_ID,Site,Approach,Conversation,Request Type,Started On\n"
        b"C1,P1,North,3Cs,C1,NEW,5/3/2024\n",
        "North", None, id="header-case-and-spaces-lf-endings",
    ),
    pytest.param(
        b"conversation_id,person_id,site,approach,conversation,request_type,started_on,cohort\r\n"
        b'C1,P1,"North, upper","usual practice",,new,05/03/2024,"line one\r\nline ""two"""\r\n',
        "North, upper", None, id="quoted-newlines-commas-quotes",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("data", "site", "cost"), GOOD_FILES)
def test_good_variants_land(
    store: Store, data: bytes, site: str | None, cost: Decimal | None
) -> None:
    [result] = import_files(store, [("good.csv", data)])
    assert result.added == 1
    cur = store.cursor()
    if site is not None:
        assert cur.execute("SELECT site FROM conversations").fetchall() == [(site,)]
    if cost is not None:
        assert cur.execute("SELECT gross_weekly_cost FROM care_packages").fetchall() == [(cost,)]


def test_quoted_newline_keeps_row_numbers_as_a_spreadsheet_shows_them() -> None:
    data = (
        b"feedback_id,site,received_on,what_worked\r\n"
        b'F1,North,01/03/2024,"two\r\nlines"\r\n'
        b"F2,North,31/02/2024,ok\r\n"
    )
    checked = check(data, "f.csv")
    assert [(p.row, p.column) for p in checked.problems] == [(3, "received_on")]


def test_one_bad_file_among_several_stores_nothing(store: Store) -> None:
    with pytest.raises(ImportFailed):
        import_files(store, [("good.csv", GOOD), ("bad.csv", b"")])
    assert batches.count(store, "conversations") == 0
    assert batches.log(store) == []


def test_unknown_columns_are_ignored_and_named() -> None:
    checked = check(conv(ROW + ",x", header=HEADER + ",Team colour"), "c.csv")
    assert checked.ok
    assert checked.ignored_columns == ["Team colour"]


def test_kind_given_that_does_not_match_the_headers() -> None:
    checked = check(GOOD, "c.csv", kind="staff")
    assert [(p.column, p.message) for p in checked.problems][:1] == [
        ("response_id", "required column is missing from the staff file")
    ]
