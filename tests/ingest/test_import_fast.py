"""The fast import's own paths, held to the row-by-row reader and to ``pseudonym()``.

The vectorised check parses each distinct text of a column once and joins the answers back by
position, skips a lookup for a column that is blank throughout, finds duplicates without
hashing when the ids come sorted, and pseudonymises each distinct id once, remembering the ids
an import has already hashed. Each of those shortcuts must give exactly what the slow, obvious
way gives: these tests generate files for every kind with repeated values, whitespace around
values, blank cells and columns, all-blank rows, missing and unknown columns, and both valid
and invalid variants of every column type.
"""

from __future__ import annotations

import hmac
import random
import re
from hashlib import sha256
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.core import values as v
from evaluation.core.contract import KINDS, Kind
from evaluation.core.text import normalise_array
from evaluation.ingest import fast_check as vectorised
from evaluation.ingest import importer, pseudonyms
from evaluation.ingest.checks import Checked, check
from evaluation.ingest.column_sql import validator
from evaluation.ingest.importer import import_files
from evaluation.ingest.pseudonyms import Pseudonymiser, pseudonymise
from evaluation.ingest.reading import read_header
from evaluation.store import batches
from evaluation.store.connection import Store
from evaluation.store.keys import pseudonym

# Valid and invalid texts for each parser; whitespace is added around them at random.
CELLS: dict[object, list[str]] = {
    v.uk_date: ["05/03/2024", "5/3/2024", "2024-03-05", "2024-03-05T10:00", "05/03/2024 10:00",
                "31/02/2024", "00/01/2024", "01/01/0000", "0000-01-01", "12/31/2023", "5/3/24",
                "01/03/2024", "06/03/2024", "2024-02-30", "yesterday", "2024-3-5", "29/02/2023",
                "\uff10\uff15/03/2024", "05/03/2024\u00a0", "05\u200b/03/2024"],
    v.money: ["0", "-0", "(0)", "1,234.5", "\u00a31,234.50", "1234.567", "(12)", "12,34", ".5",
              "9999999999.99", "10000000000", "1 234", "-\u00a35", "\u00a3 5", "1,2345", "12.",
              "\u00a3\uff11\uff12", "1\u00a0234", "\ufe6912"],
    v.yes_no: ["yes", "TRUE", "x", "Y", "n", "0", "1", "False", "y\u200bes", "\uff59\uff45\uff53"],
    v.approach: ["3Cs", "three_conversations", "Three  Conversations", "BAU", "usual", "x",
                 "3 c s", "usual-practice", "business as usual", "three\u00a0conversations",
                 "\ufeffBAU", "usual\u2003practice"],
    v.conversation_number: ["1", "C2", "conversation 3", "4", "c 1", "Conversation3", "C 4"],
    v.request_type: ["new", "Existing", "old"],
    v.answer: ["yes", "Partly", "n", "partially", "maybe", "2"],
    v.score: ["1", "5", "0", "6", "4.5", "five"],
    v.percent: ["0", "100", "50%", "50 %", "100.5", "-1", "abc", "12.25", "1e2"],
    v.status: ["active", "Suspended", "canceled", "CANCELLED", "closed"],
    v.age_band: ["18-64", "18–64", "18 to 64", "65+", "65 AND OVER", "18 - 64", "over 65", "65"],
    v.support: ["long term", "Long-Term", "SHORT_TERM", "shortterm", "short  term", "respite"],
}  # fmt: skip
# Look-alikes too (core/text.py): a no-break space, a byte-order mark, a zero-width space,
# full-width letters, a ligature — each must be normalised the same way by both checks.
IDS = ["A1", "A2", "A3", "A1", "A4", "\u00e91", "A5", "A\u00a01", "\ufeffA1", "\uff21\uff12",
       "A\u200b3", "\ufb01 1", "A  4"]  # fmt: skip
TEXT = ["North", "S\u00fcd", "a,b", 'say "hi"', "line\nbreak", "\u00a35 \u2013 caf\u00e9",
        "North\u00a0", "Nor\ufb01eld", "NORTH\u3000site", "\u200bNorth", "e\u0301t\u00e9"]  # fmt: skip
SPACE = ["", " ", "\t", "  ", "\x0b", "\x0c", " \t", "\u00a0", "\u3000", "\ufeff"]


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n\r') else cell


def _choices(kind: Kind, column: str) -> list[str]:
    parse = validator(kind, column).parse
    if parse in (str, v.label):
        return IDS if column in (kind.id_column, "person_id", "worker_id") else TEXT
    return CELLS[parse]


def random_file(rng: random.Random, kind: Kind) -> bytes:
    """A file of ``kind``: some columns dropped, one unknown, shuffled; cells drawn at random,
    from a few values (so they repeat), now and then blank, padded or wholly blank rows."""
    columns = [c for c in kind.columns if c in kind.required or rng.random() < 0.7]
    if rng.random() < 0.3:
        columns.append("Team colour")
    rng.shuffle(columns)
    blank_column = rng.choice(columns) if rng.random() < 0.2 else None
    mostly_valid = rng.random()
    lines = [",".join(columns)]
    for _ in range(rng.randint(0, 12)):
        if rng.random() < 0.05:
            lines.append(",".join(rng.choice(SPACE) for _ in columns))
            continue
        cells = []
        for column in columns:
            if column == "Team colour":
                cells.append(rng.choice(["", "red", " "]))
                continue
            options = _choices(kind, column)
            cell = options[0] if rng.random() < mostly_valid else rng.choice(options)
            if column == blank_column or rng.random() < 0.1:
                cell = ""
            if rng.random() < 0.2:
                cell = rng.choice(SPACE) + cell + rng.choice(SPACE)
            cells.append(cell)
        lines.append(",".join(_quote(c) for c in cells))
    ending = rng.choice(["\r\n", "\n"])
    return (ending.join(lines) + ending).encode(
        rng.choice(["utf-8", "utf-8-sig", "cp1252"]), "replace"
    )


def outcome(checked: Checked) -> tuple[object, ...]:
    """What both checks must agree on: every problem (with the value as written, trimmed),
    the typed rows, the preview (trimmed), and the columns ignored (of a good file)."""
    ws = v.WHITESPACE
    problems = sorted(
        (p.row or 0, p.column or "", (p.value or "").strip(ws), p.message) for p in checked.problems
    )
    rows = checked.table.to_pylist() if checked.table is not None else None
    preview = [{k: x.strip(ws) for k, x in row.items()} for row in checked.preview]
    # A file with no data rows is refused by the row-by-row reader before it looks at headers.
    ignored = checked.ignored_columns if checked.ok else None
    return problems, rows, preview, ignored


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(KINDS)), st.integers(0, 2**32))
def test_the_fast_check_agrees_with_the_row_by_row_one_for_every_kind(name: str, seed: int) -> None:
    data = random_file(random.Random(seed), KINDS[name])
    assert outcome(check(data, "f.csv", name)) == outcome(
        check(data, "f.csv", name, engine="python")
    )


def test_the_fast_path_is_taken_for_these_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above mean something only if the fast path runs (Windows-1252 too)."""
    calls = []
    real = vectorised.check_fast

    def spy(*args):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args)

    monkeypatch.setattr("evaluation.ingest.checks.check_fast", spy)
    rng = random.Random(7)
    for _ in range(20):
        check(random_file(rng, KINDS["care_packages"]), "c.csv", "care_packages")
    assert len(calls) == 20
    cp1252 = "package_id,person_id,starts_on,gross_weekly_cost,status\r\nK1,P1,01/04/2024,\u00a35,active\r\n"
    assert (
        check(cp1252.encode("cp1252"), "c.csv").table.column("gross_weekly_cost").to_pylist()[0]
        == 5
    )
    assert len(calls) == 21


def _care(rows: list[str]) -> bytes:
    header = "package_id,person_id,starts_on,gross_weekly_cost,status"
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


@pytest.mark.parametrize(
    ("ids", "duplicates"),
    [
        (["K1", "K2", "K3", "K4"], []),  # sorted and unique: no hashing needed
        (["K1", "K2", "K2", "K3"], [(4, "K2", 3)]),  # sorted, one repeat
        (["K3", "K1", "K2", "K1", "K1"], [(5, "K1", 3), (6, "K1", 3)]),  # unsorted
        ([" K1", "K1 ", "K2"], [(3, "K1", 2)]),  # the same id once trimmed
    ],
)
def test_duplicates_are_found_sorted_or_not(
    ids: list[str], duplicates: list[tuple[int, str, int]]
) -> None:
    checked = check(_care([f"{i},P1,01/04/2024,5,active" for i in ids]), "c.csv")
    found = [(p.row, p.value, p.message) for p in checked.problems]
    assert found == [
        (row, key, f"duplicate id: the same package_id is also on row {first}")
        for row, key, first in duplicates
    ]


def test_row_numbers_hold_across_a_file_duckdb_reads_in_parallel() -> None:
    """A file of many DuckDB chunks: the flagged rows keep their spreadsheet numbers."""
    rows = [
        f"K{n:07d},P{n % 977},01/04/2024,{n % 5000}.{n % 100:02d},active" for n in range(150_000)
    ]
    bad = {7: "31/02/2024", 70_001: "12/31/2023", 149_999: "5/3/24"}
    for index, day in bad.items():
        rows[index] = rows[index].replace("01/04/2024", day)
    rows[100_000] = rows[5]  # a repeated id, far from its first
    checked = check(_care(rows), "c.csv")
    assert [(p.row, p.column) for p in checked.problems] == [
        (9, "starts_on"), (70_003, "starts_on"), (100_002, "package_id"), (150_001, "starts_on"),
    ]  # fmt: skip
    assert checked.problems[2].message.endswith("also on row 7")


def test_a_blank_column_is_parsed_once_and_a_required_one_flags_every_row() -> None:
    checked = check(_care(["K1,P1,,5,active", "K2,P2,,6,active"]), "c.csv")
    assert [(p.row, p.column, p.message) for p in checked.problems] == [
        (2, "starts_on", "required: this cell is blank"),
        (3, "starts_on", "required: this cell is blank"),
    ]
    blank_ends = _care(["K1,P1,01/04/2024,5,active,", "K2,P2,01/04/2024,5,active, "])
    checked = check(blank_ends.replace(b"status\r", b"status,ends_on\r"), "c.csv")
    assert checked.ok and checked.table.column("ends_on").to_pylist() == [None, None]


def test_lookup_answers_are_put_back_in_dictionary_order() -> None:
    shuffled = pa.table({"_i": [2, 0, 1], "value": ["c", "a", "b"], "_ok": [True, True, False]})
    assert vectorised._in_order(shuffled).column("value").to_pylist() == ["a", "b", "c"]


OLD_BLANK_LINES = re.compile(rb"(^|\n)[ \t]*\r?\n")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([b"a", b",", b" ", b"\t", b"\r", b"\n", b"\r\n", b'"']), max_size=30)
)
def test_unusual_lines_are_spotted_as_before(parts: list[bytes]) -> None:
    data = b"".join(parts)
    before = bool(OLD_BLANK_LINES.search(data)) or data.count(b"\r") != data.count(b"\r\n")
    assert vectorised._unusual_lines(data) == before


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60), st.sampled_from([b"", b"\xef\xbb\xbf"]))
def test_read_header_hands_duckdb_the_utf8_of_the_text(body: bytes, bom: bytes) -> None:
    data = bom + b"a,b\r\n" + body
    try:
        utf8, headers = read_header(data)
    except Exception:
        return
    text = data[3:].decode("utf-8") if bom else None
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    assert utf8 == text.encode("utf-8")
    assert headers == ["a", "b"]


KEYS = st.one_of(st.binary(max_size=100), st.text(max_size=80).map(lambda t: t.encode("utf-8")))
RAW_IDS = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from(["P1", "W1", "MOS 0001", "\u00e9l\u00e8ve", "P1"]),
        st.text(max_size=12),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(KEYS, RAW_IDS, RAW_IDS)
def test_pseudonyms_are_those_pseudonym_gives(
    key: bytes, first: list[str | None], second: list[str | None]
) -> None:
    kind = KINDS["conversations"]
    shared = Pseudonymiser(key)
    for ids in (first, second):  # the second table meets some ids the first one had
        workers = list(reversed(ids))
        table = pa.table({c: pa.nulls(len(ids), pa.string()) for c in kind.columns})
        table = table.set_column(1, "person_id", pa.array(ids, pa.string()))
        table = table.set_column(11, "worker_id", pa.array(workers, pa.string()))
        expected = {
            "person_id": [pseudonym(key, i, "P") for i in ids],
            "worker_id": [pseudonym(key, i, "W") for i in workers],
        }
        for made in (shared.table(table, kind), pseudonymise(table, kind, key)):
            assert made.schema == table.schema
            assert {c: made.column(c).to_pylist() for c in expected} == expected
            assert made.column("site").to_pylist() == [None] * len(ids)


def test_pseudonyms_match_the_standard_hmac_for_a_long_key() -> None:
    key = b"k" * 65  # longer than a SHA-256 block: the key is hashed first
    ids = pa.array(["P1", " P1 ", "x"])
    expected = [
        "P-" + hmac.new(key, i.strip().encode(), sha256).hexdigest()[:20] for i in ids.to_pylist()
    ]
    assert pseudonyms._hash_ids(ids, key, "P-").to_pylist() == expected
    assert pseudonyms._hash_in_duckdb(normalise_array(ids), key, "P-").to_pylist() == expected


@settings(max_examples=100, deadline=None)
@given(KEYS, RAW_IDS)
def test_pseudonyms_worked_out_in_duckdb_are_those_pseudonym_gives(
    key: bytes, ids: list[str | None]
) -> None:
    """Many ids are hashed in DuckDB (``IN_DUCKDB_FROM``): the same HMAC, in the same order,
    NULL for NULL, whatever the key (empty, binary, longer than a block)."""
    found = pseudonyms._hash_ids(pa.array(ids, pa.string()).drop_null(), key, "P-")
    by_sql = pseudonyms._hash_in_duckdb(
        normalise_array(pa.array(ids, pa.string()).drop_null()), key, "P-"
    )
    expected = [pseudonym(key, i, "P") for i in ids if i is not None]
    assert found.to_pylist() == by_sql.to_pylist() == expected


def test_a_file_of_many_people_is_pseudonymised_in_duckdb_as_pseudonym_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Above ``IN_DUCKDB_FROM`` ids, across several Arrow batches (scanned in parallel), each
    row keeps its own person's pseudonym; NULL stays NULL; a repeated id hashes once."""
    monkeypatch.setattr(pseudonyms, "_SLICE", 7)
    rng = random.Random(19)
    ids = [None if rng.random() < 0.1 else f" MOS{rng.randrange(300):05d}" for _ in range(1000)]
    kind = KINDS["care_packages"]
    table = pa.table({c: pa.nulls(len(ids), pa.string()) for c in kind.columns})
    table = table.set_column(1, "person_id", pa.array(ids, pa.string()))
    monkeypatch.setattr(pseudonyms, "IN_DUCKDB_FROM", 0)
    made = Pseudonymiser(b"k").table(table, kind)
    assert made.column("person_id").to_pylist() == [pseudonym(b"k", i, "P") for i in ids]


def test_files_of_one_import_sharing_people_are_stored_as_if_imported_alone(tmp_path: Path) -> None:
    conversations = (
        b"conversation_id,person_id,site,approach,conversation,request_type,started_on,worker_id\r\n"
        b"C1,P1,North,3Cs,1,new,05/03/2024,W1\r\nC2, P2 ,North,3Cs,1,new,05/03/2024,W1\r\n"
    )
    packages = _care(
        ["K1,P2,01/04/2024,5,active", "K2,P3,01/04/2024,5,active", "K3,P1,01/04/2024,5,active"]
    )
    together = Store(tmp_path / "together.duckdb", key="k")
    import_files(together, [("c.csv", conversations), ("k.csv", packages)])
    alone = Store(tmp_path / "alone.duckdb", key="k")
    import_files(alone, [("k.csv", packages)])
    import_files(alone, [("c.csv", conversations)])
    for table in ("conversations", "care_packages"):
        query = f"SELECT * EXCLUDE (batch_id) FROM {table} ORDER BY 1"
        assert (
            together.cursor().execute(query).fetchall() == alone.cursor().execute(query).fetchall()
        )
    person = together.cursor().execute(
        "SELECT person_id FROM care_packages WHERE package_id = 'K1'"
    )
    assert person.fetchall() == [(pseudonym(b"k", "P2", "P"),)]
    together.close()
    alone.close()


def test_files_checked_side_by_side_land_in_the_order_given(store: Store) -> None:
    """The first file is the largest, so its check ends last; its batch still comes first."""
    big = _care([f"K{n:06d},P{n % 50},01/04/2024,5,active" for n in range(20_000)])
    feedback = b"feedback_id,site,received_on\r\nF1,North,01/02/2024\r\n"
    stories = b"story_id,site,told_on,title,story\r\nS1,North,01/02/2024,A day,It went well\r\n"
    results = import_files(store, [("big.csv", big), ("f.csv", feedback), ("s.csv", stories)])
    assert [(r.file_name, r.batch_id, r.added) for r in results] == [
        ("big.csv", "B00001", 20_000),
        ("f.csv", "B00002", 1),
        ("s.csv", "B00003", 1),
    ]
    assert [b["file_name"] for b in sorted(batches.log(store), key=lambda b: b["batch_id"])] == [
        "big.csv",
        "f.csv",
        "s.csv",
    ]


def test_a_check_that_fails_outright_stores_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importer.check

    def broken(data: bytes, name: str, kind: str | None = None) -> Checked:
        if name == "bad.csv":
            raise RuntimeError("disk on fire")
        return real(data, name, kind)

    monkeypatch.setattr(importer, "check", broken)
    good = _care(["K1,P1,01/04/2024,5,active"])
    with pytest.raises(RuntimeError, match="disk on fire"):
        import_files(store, [("good.csv", good), ("bad.csv", good)])
    assert batches.count(store, "care_packages") == 0 and batches.log(store) == []
