"""Property tests: whatever bytes arrive, the importer answers in its own words, and either
stores every row with no problem reported, or stores nothing and names every bad row."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.ingest.importer import ImportFailed, check, import_files
from evaluation.ingest.reading import Problem
from evaluation.store import batches
from tests.ingest.test_import_matrix import snapshot

HEADER = "feedback_id,site,received_on,treated_well,satisfaction,what_worked,consent_to_quote"
GOOD_CELLS = {
    "received_on": ["01/02/2024", "2024-02-29", "31/12/2023"],
    "treated_well": ["yes", "Partly", "n", ""],
    "satisfaction": ["1", "5", ""],
    "what_worked": [
        "=HYPERLINK(\"http://x\")", "<img src=x onerror=alert(1)>", "**bold**",
        "[link](javascript:alert(1))", "line\nbreak", 'say "hi", then go', "£5 – café", "",
    ],
    "consent_to_quote": ["yes", "NO", "1", ""],
}  # fmt: skip
BAD_CELLS = {
    "received_on": ["31/02/2024", "12/31/2023", "1/2/24", "yesterday", ""],
    "treated_well": ["maybe", "2"],
    "satisfaction": ["0", "6", "4.5", "five"],
    "consent_to_quote": ["perhaps"],
}
COLUMNS = HEADER.split(",")


def quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n') else cell


@st.composite
def feedback_file(draw: st.DrawFn) -> tuple[bytes, int, set[int]]:
    """A feedback CSV in which some rows carry one known-bad cell; returns the bad row numbers."""
    rows = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**32))
    rng = random.Random(seed)
    lines, bad = [HEADER], set()
    for n in range(rows):
        cells = {c: rng.choice(v) for c, v in GOOD_CELLS.items()}
        cells["feedback_id"], cells["site"] = f"F{n}", "North"
        if rng.random() < 0.3:
            column = rng.choice(sorted(BAD_CELLS))
            cells[column] = rng.choice(BAD_CELLS[column])
            bad.add(n + 2)
        lines.append(",".join(quote(cells[c]) for c in COLUMNS))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    text = "\r\n".join(lines) + "\r\n"
    return text.encode(encoding, errors="replace"), rows, bad


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(feedback_file())
def test_every_bad_row_is_named_or_every_row_is_stored(store, case) -> None:  # type: ignore[no-untyped-def]
    data, rows, bad_rows = case
    before = snapshot(store)
    stored_before = batches.count(store, "feedback")
    try:
        [result] = import_files(store, [("f.csv", data)])
    except ImportFailed as failed:
        problems = failed.checked[0].problems
        assert {p.row for p in problems} == bad_rows, [p.line() for p in problems]
        assert snapshot(store) == before
        return
    assert not bad_rows
    assert result.added + result.replaced + result.unchanged == rows
    assert batches.count(store, "feedback") == stored_before + result.added


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(0, 2**32))
def test_random_and_mutated_bytes_only_ever_give_problems(noise: bytes, seed: int) -> None:
    rng = random.Random(seed)
    base = bytearray((HEADER + '\r\nF1,North,01/02/2024,yes,5,"fine, thanks",yes\r\n').encode())
    for _ in range(rng.randint(0, 6)):
        where = rng.randrange(len(base) + 1)
        action = rng.choice(("insert", "delete", "flip"))
        if action == "insert":
            base[where:where] = noise[: rng.randint(0, len(noise))] or b"\x00"
        elif action == "delete" and base:
            del base[where : where + rng.randint(1, 5)]
        elif base:
            base[min(where, len(base) - 1)] = rng.randrange(256)
    for data in (bytes(base), noise):
        checked = check(data, "<b>hostile</b>.csv")
        assert checked.ok or checked.problems
        assert all(
            isinstance(p, Problem) and p.message and "Traceback" not in p.message
            for p in checked.problems
        )
        if checked.ok:
            assert checked.rows


def test_oversized_upload_gets_a_plain_message(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Megabytes as the browser's upload box counts them (1,000,000 bytes), half up."""
    monkeypatch.setattr("evaluation.ingest.reading.MAX_UPLOAD_BYTES", 2_000_000)
    checked = check(b"x" * 3_140_000, "huge.csv")
    assert [p.message for p in checked.problems] == [
        "The file is 3.1 MB; the largest file we take is 2 MB. Split it into smaller files."
    ]


def test_file_names_with_paths_or_markup_are_only_labels(store) -> None:  # type: ignore[no-untyped-def]
    data = (HEADER + "\r\nF1,North,01/02/2024,yes,5,ok,yes\r\n").encode()
    [result] = import_files(store, [("../../etc/<img src=x>\x1b.csv", data)])
    assert result.file_name == "<img src=x>.csv"
    assert batches.log(store)[0]["file_name"] == "<img src=x>.csv"


def _outcome(checked):  # type: ignore[no-untyped-def]
    problems = sorted((p.row or 0, p.column or "", p.message) for p in checked.problems)
    rows = checked.table.to_pylist() if checked.table is not None else None
    return problems, rows


@settings(max_examples=60, deadline=None)
@given(feedback_file())
def test_the_vectorised_check_agrees_with_the_row_by_row_one(case) -> None:  # type: ignore[no-untyped-def]
    data, _rows, _bad = case
    assert _outcome(check(data, "f.csv")) == _outcome(check(data, "f.csv", engine="python"))


CONVERSATION_CELLS = {
    "conversation_id": ["C1", "C2", " C3 ", "C1", ""],
    "person_id": ["P1", " P2", "", "MOS 000\u00e9"],
    "site": ["North", "", "S\u00fcd"],
    "approach": ["3Cs", "three_conversations", "Three  Conversations", "BAU", "usual", "x", "3 c s"],
    "conversation": ["1", "C2", "conversation 3", "", "4", "c 1"],
    "request_type": ["new", "Existing", "old", ""],
    "started_on": ["05/03/2024", "5/3/2024", "2024-03-05", "2024-03-05T10:00", "05/03/2024 10:00",
                   "31/02/2024", "00/01/2024", "01/01/0000", "0000-01-01", "12/31/2023", "5/3/24", ""],
    "ended_on": ["", "01/03/2024", "06/03/2024", "2024-02-30"],
    "long_term_support": ["", "Y", "False", "0", "maybe"],
    "weekly_cost_before": ["", "0", "-0", "(0)", "1,234.5", "\u00a31,234.50", "1234.567", "(12)",
                           "12,34", ".5", "9999999999.99", "10000000000", "1 234", "-\u00a35"],
    "care_suspended": ["", "yes", "TRUE", "x"],
    "worker_id": ["", "W1"],
}  # fmt: skip


@st.composite
def conversations_file(draw: st.DrawFn) -> bytes:
    rng = random.Random(draw(st.integers(0, 2**32)))
    columns = list(CONVERSATION_CELLS)
    lines = [",".join(columns)]
    for _ in range(draw(st.integers(1, 10))):
        lines.append(",".join(quote(rng.choice(CONVERSATION_CELLS[c])) for c in columns))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@settings(max_examples=120, deadline=None)
@given(conversations_file())
def test_both_checks_agree_on_every_conversation_value(data: bytes) -> None:
    assert _outcome(check(data, "c.csv")) == _outcome(check(data, "c.csv", engine="python"))
