"""The like-for-like table of the Making it Happen summary and the pack."""

from __future__ import annotations

import io
from datetime import date, datetime

import pypdf

from evaluation.meeting.model import Period
from evaluation.meeting.pack import build_pack
from evaluation.meeting.summary import summarise
from evaluation.store.connection import Store
from tests.fixtures.mix import Group, load
from tests.measures.test_standardise import MEMORY, NEW, OLD, SAME_RATES, TC, UP

PERIOD = Period(date(2024, 10, 1), date(2024, 10, 28))
WHEN = {"today": date(2024, 10, 29), "now": datetime(2024, 10, 29, 9, 0)}


def test_the_money_section_ends_with_like_for_like(store: Store) -> None:
    load(store, SAME_RATES)
    money = summarise(store, period=PERIOD, **WHEN).section("money")  # type: ignore[arg-type]
    table = money.tables[-1]
    assert table.title == "Like for like with usual practice: requests that began up to 28/10/2024"
    assert table.columns[2:4] == ["Like for like (95% interval)", "Usual practice, same mix"]
    conversion, cost = table.rows
    assert conversion[:2] == ["Conversion into long-term support", "20.00%"]
    assert conversion[2].startswith("30.61% (") and conversion[3] == "30.61%"
    assert conversion[4].startswith("no difference (")
    assert cost[0] == "Average change in weekly cost"
    assert "the data cannot tell three conversations apart from usual practice" in table.caption
    assert any("--standardise age_band,support_reason" in c for c in money.commands)


def test_a_site_without_usual_practice_is_set_against_every_sites(store: Store) -> None:
    load(store, SAME_RATES)
    summary = summarise(store, sites=[NEW], period=PERIOD, **WHEN)  # type: ignore[arg-type]
    table = summary.section("money").tables[-1]
    assert table.columns[3] == "Usual practice, all sites, same mix"
    assert "usual practice, all sites" in table.caption


def test_too_small_in_the_meeting_and_the_pack(store: Store) -> None:
    load(
        store,
        [
            Group(OLD, UP, "65+", MEMORY, new=30, long_term=6),
            Group(NEW, TC, "65+", MEMORY, new=3, long_term=1),
        ],
    )
    summary = summarise(store, period=PERIOD, **WHEN)  # type: ignore[arg-type]
    conversion = summary.section("money").tables[-1].rows[0]
    assert conversion[2] == "too small to compare" and conversion[4] == ""
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(build_pack(summary))).pages
    )
    assert "Like for like with usual practice" in text
    assert "too small to compare" in text
