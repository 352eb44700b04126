"""Small-number suppression: small cells hidden, totals of the shown groups, the cross-table.

The rule (``evaluation.measures.suppression``): a cell of fewer than 5 is hidden ("fewer than
5"); within one site × approach — published whole on every page — hidden cells must add up
to nothing or to 5 or more, else another of its cells is hidden "to protect a small group";
every other group and total adds up the cells on show and says what it left out. The tests
run tables of two, three and many groups and cross-tables, and check with an independent
linear-algebra test (numpy) that nothing published lets anyone work a small cell out.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import numpy as np
import pytest

from evaluation.measures.feedback import FEEDBACK
from evaluation.measures.suppression import (
    PROTECT,
    SMALL,
    check_threshold,
    configured_threshold,
    hidden_words,
    hide,
)
from evaluation.measures.survey import Measures, grouped

THREE = "three conversations"
USUAL = "usual practice"


def raw(cells: dict[tuple[str, ...], int], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Feedback counts per cell: every response answers every question yes, scores 4."""
    rows = []
    for key, n in cells.items():
        row: dict[str, Any] = dict(zip(keys, key, strict=True))
        row["responses"] = n
        for q in ("treated_well", "helped", "listened_to"):
            row |= {f"{q}_answered": n, f"{q}_yes": n, f"{q}_partly": 0, f"{q}_no": 0}
        row |= {
            "satisfaction_answered": n,
            "satisfaction_sum": 4 * n,
            "satisfaction_squares": 16 * n,
        }
        rows.append(row)
    return rows


def table(
    cells: dict[tuple[str, ...], int],
    by: tuple[str, ...],
    *,
    extra: tuple[str, ...] = (),
    filters: dict[str, str] | None = None,
    threshold: int = 5,
) -> Measures:
    keys = ("site", "approach", *extra)
    return grouped(FEEDBACK, raw(cells, keys), by, filters or {}, None, None, threshold)


def by_site(counts: dict[str, int]) -> Measures:
    return table({(site, THREE): n for site, n in counts.items()}, ("site",))


def responses(result: Measures) -> dict[str, Any]:
    return {
        ", ".join(str(g[k]) for k in result.by): g.get("responses", g.get("reason"))
        for g in result.groups
    }


# --- the rule on one cell set ---------------------------------------------------------------


def test_a_cell_of_four_is_hidden_and_a_cell_of_five_is_not() -> None:
    assert hide([4, 30, 40], ["a", "b", "c"]) == {0: SMALL}
    assert hide([5, 30, 40], ["a", "b", "c"]) == {}


def test_within_one_site_and_approach_the_hidden_cells_rest_on_five_or_more() -> None:
    # one base group: a small cell alone would be its total minus the rest
    assert hide([4, 10, 30], ["N"] * 3) == {0: SMALL, 1: PROTECT}
    # two small cells that together reach 5 need nothing more
    assert hide([2, 3, 30], ["N"] * 3) == {0: SMALL, 1: SMALL}
    # 1 + 2 is still a group of 3: the next smallest goes too
    assert hide([1, 2, 50, 60], ["N"] * 4) == {0: SMALL, 1: SMALL, 2: PROTECT}
    # different base groups don't protect each other and don't need to
    assert hide([4, 10, 30], ["N", "S", "S"]) == {0: SMALL}


def test_cells_of_zero_are_never_hidden_or_counted() -> None:
    assert hide([0, 30, 40], ["N"] * 3) == {}


def test_the_threshold_can_be_raised_but_never_lowered(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert hide([7, 30, 40], ["a", "b", "c"], threshold=10) == {0: SMALL}
    with pytest.raises(ValueError, match="never set below 5"):
        check_threshold(4)
    with pytest.raises(ValueError):
        hide([3], ["a"], threshold=3)
    monkeypatch.delenv("EVALUATION_SMALL_NUMBERS", raising=False)
    assert configured_threshold() == 5
    monkeypatch.setenv("EVALUATION_SMALL_NUMBERS", "10")
    assert configured_threshold() == 10
    monkeypatch.setenv("EVALUATION_SMALL_NUMBERS", "3")
    with pytest.raises(ValueError, match="never set below 5"):
        configured_threshold()


def test_the_words_never_call_a_protected_group_small() -> None:
    assert hidden_words(SMALL, 5) == "fewer than 5"
    assert hidden_words(PROTECT, 10) == "hidden to protect a small group"


# --- tables of two, three and many groups ------------------------------------------------


def test_two_sites_a_large_one_is_shown_beside_a_small_one() -> None:
    result = by_site({"Big": 100, "Tiny": 3})
    assert responses(result) == {"Big": 100, "Tiny": SMALL}
    assert result.total["responses"] == 100 and result.total["left_out"] == {SMALL: 1}


def test_three_sites_riverside_keeps_its_twelve() -> None:
    result = by_site({"Northfield": 40, "Riverside": 12, "Small": 3})
    assert responses(result) == {"Northfield": 40, "Riverside": 12, "Small": SMALL}
    assert result.total["responses"] == 52  # the shown sites, and it says one was left out
    assert result.total["left_out"] == {SMALL: 1}


def test_many_sites_only_the_small_ones_are_hidden(rng: random.Random) -> None:
    for _ in range(20):
        counts = {f"S{i:02d}": rng.choice([1, 2, 3, 4, 5, 6, 9, 12, 40]) for i in range(15)}
        result = by_site(counts)
        for group in result.groups:
            n = counts[group["site"]]
            if n < 5:
                assert group == {"site": group["site"], "suppressed": True, "reason": SMALL}
            else:
                assert group["responses"] == n and "left_out" not in group
        shown = sum(n for n in counts.values() if n >= 5)
        assert result.total["responses"] == shown
        small = sum(1 for n in counts.values() if n < 5)
        assert result.total.get("left_out", {}) == ({SMALL: small} if small else {})


def test_the_total_of_only_small_sites_is_hidden_and_says_why() -> None:
    assert by_site({"A": 2, "B": 2}).total == {"suppressed": True, "reason": SMALL}
    assert by_site({"A": 3, "B": 4}).total == {"suppressed": True, "reason": PROTECT}


# --- cross-tables ---------------------------------------------------------------------------


def test_a_sites_months_protect_a_small_month_from_the_site_total() -> None:
    """North's 20 are published whole; its months are a cross-table of that total, so
    February (17) must go with January (3) — labelled as hidden to protect a small group."""
    cells = {("North", THREE, "2025-01"): 3, ("North", THREE, "2025-02"): 17}
    months = table(cells, ("month",), extra=("month",), filters={"site": "North"})
    january, february = months.groups
    assert january == {"month": "2025-01", "suppressed": True, "reason": SMALL}
    assert february == {"month": "2025-02", "suppressed": True, "reason": PROTECT}
    sites = table({("North", THREE): 20}, ("site",))
    assert sites.groups[0]["responses"] == 20


def test_site_by_approach_needs_no_second_cell_and_the_site_says_what_it_left_out() -> None:
    cells = {("North", THREE): 20, ("North", USUAL): 3, ("South", THREE): 8}
    both = table(cells, ("site", "approach"))
    assert [g.get("responses", g.get("reason")) for g in both.groups] == [20, SMALL, 8]
    sites = table(cells, ("site",))
    north = sites.groups[0]
    assert (north["responses"], north["left_out"]) == (20, {SMALL: 1})
    approaches = table(cells, ("approach",))
    assert responses(approaches) == {THREE: 28, USUAL: SMALL}


def _published(
    cells: list[tuple[tuple[str, ...], int]], hidden: set[int], threshold: int = 5
) -> list[list[float]]:
    """What anyone can read, as equations in the hidden cells: each site × approach total
    (published whole when it has enough responses) less the cells on show."""
    unknowns = sorted(hidden)
    equations = []
    bases = {key[:2] for key, _ in cells}
    for base in bases:
        members = [i for i, (key, _) in enumerate(cells) if key[:2] == base]
        if sum(cells[i][1] for i in members) >= threshold:
            equations.append([1.0 if j in members else 0.0 for j in unknowns])
    return equations


def _solvable(equations: list[list[float]], unknowns: list[int], i: int) -> bool:
    if not equations:
        return False
    matrix = np.array(equations)
    target = np.zeros(len(unknowns))
    target[unknowns.index(i)] = 1.0
    return bool(np.linalg.matrix_rank(np.vstack([matrix, target])) == np.linalg.matrix_rank(matrix))


def test_random_site_approach_month_tables_never_give_a_small_cell_away(
    rng: random.Random,
) -> None:
    sites, months = ["N", "S", "E", "W"], ["01", "02", "03", "04"]
    for _ in range(25):
        cells = [
            ((site, approach, month), rng.choice([0, 1, 2, 3, 4, 6, 8, 12, 20]))
            for site, approach, month in itertools.product(sites, (THREE, USUAL), months)
        ]
        cells = [(key, n) for key, n in cells if n]
        counts = {key: n for key, n in cells}
        result = table(counts, ("approach", "month"), extra=("month",))
        hidden = hide([n for _, n in cells], [key[:2] for key, _ in cells])
        unknowns = sorted(hidden)
        equations = _published(cells, set(hidden))
        for i, reason in hidden.items():
            n = cells[i][1]
            assert (reason == SMALL) == (n < 5)
            if n < 5:
                assert not _solvable(equations, unknowns, i), (cells, i)
        # every group shown adds up exactly its cells on show
        for group in result.shown:
            on_show = [
                n
                for i, (key, n) in enumerate(cells)
                if (key[1], key[2]) == (group["approach"], group["month"]) and i not in hidden
            ]
            assert group["responses"] == sum(on_show)
        # a group hidden though it has 5 or more is called protected, never small
        for group in result.hidden:
            full = sum(
                n for key, n in cells if (key[1], key[2]) == (group["approach"], group["month"])
            )
            assert group["reason"] == (SMALL if full < 5 else PROTECT)


def test_a_question_answered_by_too_few_is_withheld_with_its_figures() -> None:
    rows = raw({("A", THREE): 10, ("B", THREE): 20}, ("site", "approach"))
    rows[0] |= {"helped_answered": 3, "helped_yes": 2, "helped_partly": 1, "helped_no": 0}
    result = grouped(FEEDBACK, rows, ("site",), {}, None, None, 5)
    a, b = result.groups
    assert a["withheld"] == {"helped": SMALL}
    assert a["helped_answered"] is None and a["helped_yes_pct"] is None
    assert a["treated_well_yes_pct"] == 100.0
    assert "withheld" not in b
    # the total's helped rests on B's 20 only, and says some answers were left out
    assert result.total["helped_answered"] == 20 and result.total["partial"] == ["helped"]
