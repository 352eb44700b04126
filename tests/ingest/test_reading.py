"""From bytes to a header and rows: what a spreadsheet user can get wrong before any value."""

from __future__ import annotations

import pytest

from evaluation.ingest.reading import (
    NeedsRowByRow,
    Problem,
    Refused,
    column_letter,
    decode,
    normalise_header,
    read_header,
    read_table,
    sniff_binary,
)


@pytest.mark.parametrize(
    ("head", "says"),
    [
        (b"PK\x03\x04....[Content_Types].xml", "Excel workbook (.xlsx)"),
        (b"PK\x03\x04 plain zip", "zip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-style Excel"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"%PDF-1.7", "PDF"),
        (b"\xff\xfea\x00b\x00", "UTF-16"),
        (b"id,name\x00\x01", "binary data"),
    ],
)
def test_files_that_are_not_csv_are_named_by_their_magic_bytes(head: bytes, says: str) -> None:
    assert says in (sniff_binary(head) or "")
    with pytest.raises(Refused, match=says.split(" ")[0]):
        read_table(head)


def test_text_is_utf8_with_or_without_bom_else_windows_1252() -> None:
    assert decode("£5".encode()) == "£5"
    assert decode(b"\xef\xbb\xbf\xc2\xa35") == "£5"
    assert decode(b"\xa35 caf\xe9") == "£5 café"
    assert sniff_binary(b"plain,text\r\n") is None


def test_spreadsheet_names_for_columns_and_loose_headers() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert normalise_header(" Person_ID ") == normalise_header("person-id") == "personid"


def test_rows_keep_the_spreadsheet_row_numbers() -> None:
    table = read_table(b'\r\n\xef\xbb\xbfid,name\r\n1,a\r\n\r\n2,"b, c"\r\n')
    assert table.headers == ["id", "name"]
    assert table.rows == [(3, ["1", "a"]), (5, ["2", "b, c"])]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"id;name\r\n1;a\r\n", "semicolons"),
        (b"id,name\r\n", "no data rows"),
        (b'id,name\r\n1,"a\r\n', "quote mark"),
    ],
)
def test_a_file_that_cant_be_split_is_refused_plainly(data: bytes, says: str) -> None:
    with pytest.raises(Refused, match=says):
        read_table(data)


def test_the_header_fast_path_and_when_it_hands_over() -> None:
    utf8, headers = read_header(b"id , Name\r\n1,a\r\n")
    assert headers == ["id", "Name"] and utf8.startswith(b"id")
    assert read_header("id,caf\xe9\r\n".encode("cp1252"))[0] == "id,café\r\n".encode()
    for awkward in (b'"id",name\r\n', b"\r\nid,name\r\n", b"id;name\r\n"):
        with pytest.raises(NeedsRowByRow):
            read_header(awkward)


def test_a_problem_reads_as_one_line() -> None:
    assert Problem(4, "started_on", "12/31/2023", "not a UK date").line() == (
        "row 4, column started_on ('12/31/2023'): not a UK date"
    )
    assert Problem(None, None, None, "The file is empty.").line() == "The file is empty."
