"""Language (contract §3): no page, no report and no sample file uses a retired word.

Every page registered in app.py is found by reading app.py (so pages added later are
walked too) and run with AppTest on a store holding the sample data; every string a person
could read is collected — titles, text, captions, alerts, metric and widget labels and
options, tab and expander labels, table headers and cells, chart titles, data and text
alternatives. Every report in ``evaluation.cli.main.REPORTS`` is run in table and JSON format.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout, suppress
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from google.protobuf.message import Message

from evaluation.cli.main import REPORTS, main
from evaluation.core.language import find_retired, is_clean
from evaluation.ingest.importer import import_files
from evaluation.ingest.sample_loader import SAMPLE_DIR, load_sample
from evaluation.store.connection import Store
from tests.harness import TEST_KEY
from ui.navigation import PAGES

# Proto fields that hold ids, keys and settings rather than words anyone reads.
NOT_SHOWN = {"id", "form_id", "key", "type", "format", "icon", "theme", "name", "default"}


def registered_pages() -> list[tuple[str, str]]:
    """(script path, title) of every page app.py's navigation offers (``ui.navigation``)."""
    return [(spec.path, spec.title) for specs in PAGES.values() for spec in specs]


def _proto_strings(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.name in NOT_SHOWN:
            continue
        values = [value] if isinstance(value, (str, bytes, int, float, Message)) else value
        for item in values:
            if isinstance(item, str):
                yield item
            elif isinstance(item, Message):
                yield from _proto_strings(item)


def _frame_strings(frame: pd.DataFrame) -> Iterator[str]:
    yield from (str(c) for c in frame.columns)
    yield from (str(i) for i in frame.index if isinstance(i, str))
    for column in frame.columns:
        yield from (v for v in frame[column].tolist() if isinstance(v, str))


def _chart_strings(proto: Any) -> Iterator[str]:
    for dataset in getattr(proto, "datasets", []):
        raw = dataset.data.data
        if raw:
            table = pa.ipc.open_stream(raw).read_all()
            yield from _frame_strings(table.to_pandas())


def visible_text(at: Any) -> list[tuple[str, str]]:
    """(element type, text) for everything an AppTest run put on screen, in order."""
    found: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        kind = getattr(node, "type", type(node).__name__)
        proto = getattr(node, "proto", None)
        if kind == "html" and isinstance(proto, Message):
            # What the HTML shows: its text, not our style sheets or its tags.
            shown = re.sub(r"<style.*?</style>", "", proto.body, flags=re.DOTALL)
            shown = html.unescape(re.sub(r"<[^>]+>", " ", shown))
            if shown.strip():
                found.append((kind, " ".join(shown.split())))
        elif isinstance(proto, Message):
            found.extend((kind, text) for text in _proto_strings(proto))
        if kind == "dataframe":
            found.extend((kind, text) for text in _frame_strings(node.value))
        if kind in {"vega_lite_chart", "arrow_vega_lite_chart"}:
            found.extend((kind, text) for text in _chart_strings(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def _problems(where: str, texts: list[tuple[str, str]]) -> list[str]:
    """One line per distinct finding, with how many times it occurs."""
    counts: dict[str, int] = {}
    for kind, text in texts:
        for hit in find_retired(text):
            line = f"{where} ({kind}): {hit.word!r} in …{hit.context}…"
            counts[line] = counts.get(line, 0) + 1
    return [line + (f" (×{n})" if n > 1 else "") for line, n in counts.items()]


# --- the finder itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("case", ["case"]),
        ("Cases closed", ["case"]),
        ("just in case", ["case"]),
        ("our case-management system", ["case"]),
        ("a caseload of 30", ["case"]),
        ("a showcase of work", []),
        ("the staircase", []),
        ("casein", []),
        ("Service Users and service-users", ["service user", "service user"]),
        ("service\n  user", ["service user"]),
        (
            "Referrals; triaged; screening; signposted",
            ["referral", "triage", "screening", "signposting"],
        ),
        ("care pathways and the customer journey", ["pathway", "journey"]),
        ("worker allocation", ["allocation"]),
        ("a screen reader, a journeyman, the referee", []),
        ("requests for support in innovation sites", []),
    ],
)
def test_the_finder_keeps_to_word_boundaries(text: str, words: list[str]) -> None:
    assert [f.word for f in find_retired(text)] == words


# --- the sample data, the pages, the reports ------------------------------------------------


def test_the_sample_data_has_no_retired_words() -> None:
    problems: dict[str, list[int]] = {}
    for path in sorted(SAMPLE_DIR.glob("*.csv")):
        for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
            for hit in find_retired(line):
                snippet = line[hit.start : hit.start + 40]
                problems.setdefault(f"{path.name}: {hit.word!r} in “{snippet}…”", []).append(number)
    assert not problems, "\n".join(
        f"{where} ({len(lines)} line(s), first line {lines[0]})"
        for where, lines in problems.items()
    )


def test_the_app_registers_the_evidence_pages() -> None:
    paths = [path for path, _ in registered_pages()]
    assert {"pages/people.py", "pages/stories.py", "pages/staff.py"} <= set(paths)


def test_no_page_shows_a_retired_word(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    problems = []
    pages = registered_pages()
    problems += _problems("app.py page titles", [("navigation", title) for _, title in pages])
    for path, _ in pages:
        at = app_test(path)
        texts = visible_text(at)
        assert texts, f"{path} showed nothing"
        problems += _problems(path, texts)
        # a page that draws one section at a time (the meeting's): every section is walked
        for control in list(at.segmented_control):
            for option in control.options[1:]:
                at.segmented_control(key=control.key).set_value(option).run()
                shown = visible_text(at)
                assert ("header", option) in shown, f"{path}: {option} was not drawn"
                problems += _problems(f"{path} ({option})", shown)
    assert not problems, "Retired words on screen:\n" + "\n".join(problems)


def test_the_walk_sees_tables_tabs_options_and_comments(store: Store, app_test, rng) -> None:  # type: ignore[no-untyped-def]
    """A control: a retired word planted in a consented comment is found on the page."""
    from tests.measures.test_feedback import FEEDBACK_COLUMNS, feedback_rows, to_csv_bytes

    rows = feedback_rows()
    rows[5] |= {"what_worked": "Kept in touch, just in case", "consent_to_quote": "yes"}
    import_files(store, [("f.csv", to_csv_bytes(FEEDBACK_COLUMNS, rows, rng))])
    texts = visible_text(app_test("pages/people.py"))
    kinds = {kind for kind, _ in texts}
    assert {"dataframe", "metric", "selectbox", "tab", "text", "vega_lite_chart"} <= kinds
    strings = {text for _, text in texts}
    assert {"Treated well: yes", "All sites", "North", "70.0%"} <= strings
    assert [line.split(":")[0] for line in _problems("people", texts)] == ["people (text)"]


def test_no_report_prints_a_retired_word(store: Store, db_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    load_sample(store)
    store.close()
    problems = []
    assert REPORTS, "no reports registered"
    for name in REPORTS:
        runs = [["--format", "table"], ["--format", "json"], ["--help"]]
        for extra in runs:
            out, err = io.StringIO(), io.StringIO()
            with redirect_stdout(out), redirect_stderr(err), suppress(SystemExit):
                main(["report", name, "--db", str(db_path), *extra])
            where = f"report {name} {' '.join(extra)}"
            assert out.getvalue() or err.getvalue(), f"{where} printed nothing"
            for stream in (out.getvalue(), err.getvalue()):
                if not is_clean(stream):
                    problems += _problems(where, [("output", stream)])
    assert not problems, "Retired words in the reports:\n" + "\n".join(problems)
