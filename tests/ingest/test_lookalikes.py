"""Look-alike text and hostile sizes: one normalisation on import, and bounds said plainly.

Each look-alike a site lead's file was found to carry — a no-break space, an "ﬁ" ligature,
other capitals in a site name, a byte-order mark in the middle of a file — gives the same
ids and sites as the plain text, through both checks, and the same permissions. Sizes: a
header of a million columns is refused in well under a second, a long but valid cell is
taken, one too long is refused for being too long (not for a quote mark).
"""

from __future__ import annotations

import time

import pytest

from evaluation.admin.access import Permissions, normalise_site
from evaluation.core.text import normalise
from evaluation.ingest.checks import check
from evaluation.ingest.importer import import_files
from evaluation.ingest.reading import MAX_CELL_CHARS, MAX_COLUMNS
from evaluation.store.connection import Store
from evaluation.store.keys import pseudonym
from evaluation.store.query import rows

HEADER = "conversation_id,person_id,site,approach,conversation,request_type,started_on"
PLAIN = f"{HEADER}\r\nC1,MOS 0001,Northfield innovation site,3Cs,1,new,05/03/2024\r\n"
LEAD = Permissions(
    role="site lead", sites=frozenset({normalise_site("Northfield innovation site")})
)


def file_with(site: str = "Northfield innovation site", person: str = "MOS 0001") -> bytes:
    return f"{HEADER}\r\nC1,{person},{site},3Cs,1,new,05/03/2024\r\n".encode()


def landed(store: Store) -> list[tuple[object, ...]]:
    return rows(store, "SELECT conversation_id, person_id, site FROM conversations")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("no-break space in the site", file_with(site="Northfield\u00a0innovation site")),
        ("ligature in the site", file_with(site="North\ufb01eld innovation site")),
        ("zero-width space in the site", file_with(site="Northfield\u200b innovation site")),
        ("doubled and odd spaces", file_with(site=" Northfield \u3000innovation\t site ")),
        ("full-width letters in the id", file_with(person="\uff2d\uff2f\uff33 0001")),
        ("no-break space in the id", file_with(person="MOS\u00a00001")),
        ("a byte-order mark before the id", file_with(person="\ufeffMOS 0001")),
    ],
)
def test_each_look_alike_lands_as_the_plain_text(store: Store, name: str, data: bytes) -> None:
    for engine in ("auto", "python"):
        checked = check(data, "c.csv", engine=engine)
        assert checked.ok, (name, engine, checked.problems)
        assert checked.table.column("site").to_pylist() == ["Northfield innovation site"]
        assert checked.table.column("person_id").to_pylist() == ["MOS 0001"]
    import_files(store, [("plain.csv", PLAIN.encode())])
    [again] = import_files(store, [("lookalike.csv", data)], allowed=LEAD)
    assert (again.added, again.replaced) == (0, 0), name  # the very same row
    assert landed(store) == [
        ("C1", pseudonym(store.key, "MOS 0001", "P"), "Northfield innovation site")
    ]


def test_the_ligature_itself() -> None:
    assert normalise("North\ufb01eld") == "Northfield" != "North\ufb01eld"


def test_capitals_in_a_site_name_are_the_same_site_for_permissions_and_the_store(
    store: Store,
) -> None:
    import_files(store, [("plain.csv", PLAIN.encode())])
    shouting = file_with(site="NORTHFIELD INNOVATION SITE").replace(b"C1,", b"C2,")
    assert LEAD.may_upload("NORTHFIELD INNOVATION SITE")
    assert LEAD.may_upload("Northfield\u00a0innovation\ufeff site")
    assert not LEAD.may_upload("Northfield innovation site 2")
    import_files(store, [("shouting.csv", shouting)], allowed=LEAD)
    assert rows(store, "SELECT DISTINCT site FROM conversations") == [
        ("Northfield innovation site",)
    ]


def test_a_byte_order_mark_in_the_middle_of_a_file_makes_no_new_ids_or_sites(store: Store) -> None:
    """Two exports pasted together: the second one's byte-order mark lands mid-file."""
    first = PLAIN.encode()
    second = "\ufeffC2,MOS 0002,\ufeffNorthfield innovation site,3Cs,1,new,06/03/2024\r\n".encode()
    for engine in ("auto", "python"):
        checked = check(b"\xef\xbb\xbf" + first + second, "c.csv", engine=engine)
        assert checked.ok, checked.problems
        assert checked.table.column("conversation_id").to_pylist() == ["C1", "C2"]
        assert set(checked.table.column("site").to_pylist()) == {"Northfield innovation site"}
    import_files(store, [("pasted.csv", b"\xef\xbb\xbf" + first + second)])
    assert rows(store, "SELECT count(DISTINCT site) FROM conversations") == [(1,)]


def test_allowed_values_are_normalised_too() -> None:
    data = (
        f"{HEADER},long_term_support\r\n"
        "C1,P1,North,three\u00a0conversations,\uff12,NEW\u200b,\uff10\uff15/03/2024,\ufeffyes\r\n"
    ).encode()
    for engine in ("auto", "python"):
        checked = check(data, "c.csv", engine=engine)
        assert checked.ok, checked.problems
        row = checked.table.to_pylist()[0]
        assert (row["approach"], row["conversation"], row["request_type"]) == (
            "three conversations",
            2,
            "new",
        )
        assert str(row["started_on"]) == "2024-03-05" and row["long_term_support"] is True


def test_free_text_keeps_the_persons_own_words() -> None:
    data = b'feedback_id,site,received_on,what_worked\r\nF1,North,01/02/2024,"ca\xef\xac\x81\xc3\xa9  twice"\r\n'
    for engine in ("auto", "python"):
        [row] = check(data, "f.csv", engine=engine).table.to_pylist()
        assert row["what_worked"] == "ca\ufb01\u00e9  twice"


def test_a_header_of_a_million_columns_is_refused_in_under_a_second() -> None:
    hostile = ("c," * 1_000_000).encode() + b"conversation_id\r\n1\r\n"
    for quoted in (hostile, b'"' + hostile):  # the row-by-row reader too
        started = time.perf_counter()
        checked = check(quoted, "wide.csv")
        took = time.perf_counter() - started
        assert took < 1.0, took
        [problem] = checked.problems
        assert problem.row == 1 and (
            "columns" in problem.message or "characters" in problem.message
        )


def test_too_many_columns_but_a_short_header_is_refused_plainly() -> None:
    header = ",".join(f"c{i}" for i in range(MAX_COLUMNS + 5))
    [problem] = check(f"{header}\r\n1\r\n".encode(), "wide.csv").problems
    assert problem.message == (
        f"The first row has over {MAX_COLUMNS:,} columns; we read at most {MAX_COLUMNS:,}. "
        "Remove the columns the dashboard doesn't use."
    )


def test_a_data_row_of_too_many_values_is_refused_at_its_row() -> None:
    data = f"{HEADER}\r\nC1,P1,North,3Cs,1,new,05/03/2024{',x' * 2000}\r\n".encode()
    [problem] = check(data, "c.csv").problems
    assert problem.row == 2 and "we read at most 1,000 columns" in problem.message


def test_a_long_valid_cell_is_taken_and_one_too_long_is_refused_for_its_length() -> None:
    header = "story_id,site,told_on,title,story\r\n"
    long_story = "word " * 60_000  # 300,000 characters: over the csv module's old limit
    ok = check(f'{header}S1,North,01/02/2024,A day,"{long_story}"\r\n'.encode(), "s.csv")
    assert ok.ok and len(ok.table.column("story")[0].as_py()) == len(long_story.strip())
    quoted_ok = check(f'{header}"S1",North,01/02/2024,A day,"{long_story}"\r\n'.encode(), "s.csv")
    assert quoted_ok.ok  # the row-by-row reader (a quote in the first row) takes it too
    too_long = "x" * (MAX_CELL_CHARS + 1)
    for first in ("S1", '"S1"'):
        refused = check(
            f'{header}{first},North,01/02/2024,A day,"{too_long}"\r\n'.encode(), "s.csv"
        )
        [problem] = refused.problems
        assert problem.row == 2
        assert "is longer than 1,000,000 characters" in problem.message
        assert "quote mark is out of place" not in problem.message
