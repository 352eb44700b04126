"""The meeting pack: a PDF whose text carries the reports' figures and nothing hidden.

Built from the data of tests/test_meeting.py, read back with pypdf as a reader of the PDF
would (text of each page), and compared with ``python -m evaluation report …`` output for
the same selection.
"""

from __future__ import annotations

import io
import random
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from evaluation.cli.main import main
from evaluation.core.language import find_retired
from evaluation.meeting import summary as meeting
from evaluation.meeting.pack import build_pack, render
from evaluation.store.connection import Store
from tests.fixtures.harrow import import_harrow
from tests.harness import open_store
from tests.meeting.test_meeting import (
    SHARED_STORY,
    SHARED_TITLE,
    TODAY,
    UNSHARED,
    load_meeting_data,
    report_json,
)

GENERATED = datetime(2025, 4, 2, 9, 30)


@pytest.fixture(scope="module")
def pack_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store for the module: building it through the import is the slow part."""
    db = tmp_path_factory.mktemp("pack") / "evaluation.duckdb"
    store = open_store(db)
    load_meeting_data(store, random.Random(1234))
    store.close()
    return db


@pytest.fixture(scope="module")
def pages(pack_store: Path) -> list[str]:
    store = open_store(pack_store)
    try:
        summary = meeting.summarise(store, today=TODAY, now=GENERATED)
    finally:
        store.close()
    return _pages(build_pack(summary))


def _pages(document: bytes) -> list[str]:
    assert document.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]


def _flat(pages: list[str]) -> str:
    """All the text as one line: a phrase may wrap anywhere on the page."""
    return " ".join(" ".join(pages).split())


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_cover_names_the_sites_period_as_of_and_when(pages: list[str]) -> None:
    cover = pages[0]
    assert "Making it Happen" in cover
    assert "All sites" in cover
    assert "04/03/2025 to 31/03/2025" in cover
    assert "04/02/2025 to 03/03/2025 (the period before)" in cover
    assert "Data as of 31/03/2025" in cover
    assert "Generated at 02/04/2025 09:30" in cover
    assert "The Conversation 1 bulge is growing" in cover


def test_every_page_is_numbered(pages: list[str]) -> None:
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text


def test_the_pack_carries_the_reports_figures(pages: list[str], pack_store: Path) -> None:
    text = _flat(pages)
    db = ["--db", str(pack_store)]
    period = ["--from", "2025-03-04", "--to", "2025-03-31"]
    weeks = ["--from", "2025-03-03", "--to", "2025-04-06"]  # survey figures: whole weeks
    feedback = report_json(["feedback", *db, "--by", "approach", *weeks])
    three = next(g for g in feedback["groups"] if g["approach"] == "three conversations")
    usual = next(g for g in feedback["groups"] if g["approach"] == "usual practice")
    for figure in (
        f"{three['treated_well_yes_pct']:.1f}%",  # 75.0%
        f"{three['helped_yes_pct']:.1f}%",
        f"{three['satisfaction_mean']:.2f}",  # 3.38
        f"{usual['treated_well_yes_pct']:.1f}%",
        f"of {three['treated_well_answered']} who answered",
    ):
        assert figure in text, figure
    assert "75.0%" in text and "3.38" in text and "-15.0 points (worse)" in text
    assert "all shown sites; 1 group of fewer than 5 left out" in text

    staff = report_json(["staff", *db, "--by", "approach", *weeks])
    three_staff = next(g for g in staff["groups"] if g["approach"] == "three conversations")
    assert f"{three_staff['time_with_people_pct_mean']:.1f}%" in text  # 60.0%

    conversion = report_json(["conversion", *db, "--by", "approach", *period])
    for group in conversion["groups"]:
        assert f"{group['conversion_rate']:.2f}%" in text  # 20.00% and 50.00%

    cost = report_json(["cost-change", *db, "--to", "2025-03-31"])
    three_cost = next(g for g in cost["groups"] if g["approach"] == "three conversations")
    assert three_cost["mean_weekly_change"] == pytest.approx(-15.83)
    assert "-£16" in text and "-£10,000" in text and "-£15.83 a week" in text
    assert "Impact of conversations on the weekly cost of long-term care" in text
    assert "Work still ongoing 15 8" in text  # Harrow's row: three conversations, usual
    assert f"Conversations {three_cost['conversations']} " in text
    # The second table: the requests that began in the period alone, as the report gives it.
    alone = report_json(["cost-change", *db, *period])
    assert [(g["conversations"], g["ongoing"]) for g in alone["groups"]] == [(10, 10), (8, 8)]
    assert "requests that began 04/03/2025 to 31/03/2025 three conversations usual practice" in text
    assert "Conversations 10 8 Increases to long term care 0 0" in text

    activity = report_json(["activity", *db, "--part", "underway", "--as-of", "2025-03-31"])
    assert activity["older_conversation_1s"]["now"] == 5
    assert "rose from 2 on 24/03/2025 to 5 on 31/03/2025" in text
    assert "2 days" in text and "10 days" in text


def test_pounds_and_dashes_print_as_text(pages: list[str]) -> None:
    text = "\n".join(pages)
    assert "£" in text and "–" in text  # "Mean satisfaction (1–5)"
    assert "Mean satisfaction (1–5)" in text


def test_small_groups_stay_hidden_in_the_pack(pages: list[str], pack_store: Path) -> None:
    text = _flat(pages)
    assert "East three conversations fewer than 5" in text
    assert "1.25" not in text and "25.0%" not in text  # East's own figures
    store = open_store(pack_store)
    try:
        east = meeting.summarise(store, ["East"], today=TODAY, now=GENERATED)
    finally:
        store.close()
    east_text = _flat(_pages(build_pack(east)))
    assert "Sites East" in east_text
    assert "fewer than 5 responses" in east_text
    assert "1.25" not in east_text and "25.0%" not in east_text


def test_only_the_consented_story_and_as_plain_text(pages: list[str]) -> None:
    text = _flat(pages)
    assert SHARED_TITLE in text
    assert SHARED_STORY.split(":")[0] in text
    assert "<b>£5</b> a week." in text  # markup stays literal
    assert UNSHARED not in text


def test_no_retired_words(pages: list[str]) -> None:
    assert find_retired("\n".join(pages)) == []


def test_pack_command_writes_the_pdf(pack_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "packs" / "north.pdf"
    code, stdout, _ = _cli(
        "pack", "--db", str(pack_store), "--site", "North", "--to", "2025-03-31", "--out", str(out)
    )
    assert code == 0
    assert stdout.startswith(f"wrote {out} (")
    assert "North, 04/03/2025 to 31/03/2025 against 04/02/2025 to 03/03/2025" in stdout
    assert "data as of 31/03/2025" in stdout
    text = _flat(_pages(out.read_bytes()))
    assert "Sites North" in text and "60.0%" in text  # North: treated well 6 of 10
    assert "usual practice, all sites".capitalize() in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "Nowhere"], "no site called 'Nowhere'"),
        (["--from", "2025-03-31", "--to", "2025-03-01"], "ends (01/03/2025) before it starts"),
    ],
)
def test_pack_command_refuses_bad_input(
    pack_store: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "x.pdf"
    code, _, err = _cli("pack", "--db", str(pack_store), *args, "--out", str(out))
    assert code == 2 and message in err
    assert not out.exists()


def test_pack_command_needs_a_store(tmp_path: Path) -> None:
    code, _, err = _cli("pack", "--db", str(tmp_path / "none.duckdb"), "--out", "x.pdf")
    assert code == 2 and "there is no store" in err


def test_empty_store_still_makes_a_pack(store: Store) -> None:
    document, count = render(meeting.summarise(store, today=TODAY, now=GENERATED))
    text = _flat(_pages(document))
    assert count == len(_pages(document))
    assert "no conversations imported yet" in text
    assert "No story of difference has been shared" in text


def test_pack_from_harrows_records_carries_table_1a(store: Store, db_path: Path) -> None:
    """Records the meeting tests did not write (Harrow's, seed 002): the pack's cost table is
    Table 1a, as ``report cost-change`` prints it, and the still-ongoing share is flagged."""
    import_harrow(store, with_table_1b=False)
    summary = meeting.summarise(store, today=TODAY, now=GENERATED)
    text = _flat(_pages(build_pack(summary)))
    assert "Conversations 88 80" in text
    assert (
        "Increases to long term care 5 22 Decreases to long term care 3 7 No change 29 28" in text
    )
    assert "Work still ongoing 45 6 Excluded due to suspensions, etc. 6 17" in text
    assert "Average change in level of care per person -£24 +£74" in text
    assert "Approx. impact on full-year budget -£46,000 +£219,000" in text
    assert "three conversations: 45 of 88 requests are still ongoing" in text
    report = report_json(["cost-change", "--db", str(db_path)])
    assert [g["mean_weekly_change"] for g in report["groups"]] == [-24.06, 73.9]
    assert "-£24.06 a week" in text
