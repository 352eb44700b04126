"""Small-number suppression: primary, secondary through every margin, the audit, the threshold."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from evaluation.measures.suppression import (
    Figure,
    check_threshold,
    configured_threshold,
    hidden_cells,
    suppress,
    suppress_total,
)


def one_way(counts: list[int], threshold: int = 5) -> set[int]:
    return hidden_cells([(f"g{i}",) for i in range(len(counts))], counts, threshold)


def test_a_group_of_four_is_hidden_and_a_group_of_five_is_not() -> None:
    assert one_way([4, 30, 40]) >= {0}
    assert 1 not in one_way([5, 30, 40]) and one_way([5, 30, 40]) == set()


def test_the_total_cannot_reveal_a_single_hidden_group() -> None:
    # Total 34 is published; with only the 4 hidden, 34 - 10 - 20 = 4 would give it away.
    assert one_way([4, 10, 20]) == {0, 1}


def test_hidden_groups_together_rest_on_at_least_the_threshold() -> None:
    # 1 + 2 hidden together is still a group of 3: the next smallest goes too.
    assert one_way([1, 2, 50, 60]) == {0, 1, 2}
    # Two small groups that together reach 5 need nothing more.
    assert one_way([2, 3, 50, 60]) == {0, 1}


def test_groups_of_zero_are_never_hidden_or_counted() -> None:
    assert one_way([0, 30, 40]) == set()


def test_two_way_table_hides_a_second_cell_in_every_margin() -> None:
    # site × approach: (A, 3C)=3 is small. Its row and its column each need a second cell.
    keys = [("A", "3C"), ("A", "UP"), ("B", "3C"), ("B", "UP")]
    hidden = hidden_cells(keys, [3, 10, 10, 10])
    assert hidden == {0, 1, 2, 3}
    assert not _solvable(keys, [3, 10, 10, 10], hidden, 0)


def test_the_audit_breaks_a_bridge_the_margin_rule_misses() -> None:
    """Two blocks of hidden cells joined by one small cell: every row and column hides two,
    yet the rows of the first block minus its columns give the joining cell exactly."""
    rows, cols = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    keys = [(r, c) for r in rows for c in cols]
    counts = [50] * len(keys)
    bridge = keys.index(("r2", "c3"))
    counts[bridge] = 3
    pattern = {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    pattern |= {("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4")}
    already = {keys.index(k) for k in pattern}
    assert _solvable(keys, counts, already | {bridge}, bridge)  # the trap is real
    hidden = hidden_cells(keys, counts, already=already)
    assert bridge in hidden
    assert not _solvable(keys, counts, hidden, bridge)


def test_a_site_month_table_from_random_counts_never_gives_a_small_cell_away(rng) -> None:  # type: ignore[no-untyped-def]
    sites, months = ["N", "S", "E", "W"], ["01", "02", "03", "04", "05"]
    keys = [(s, m) for s in sites for m in months]
    for _ in range(20):
        counts = [rng.choice([1, 2, 3, 4, 6, 8, 12, 20]) for _ in keys]
        hidden = hidden_cells(keys, counts)
        for i in hidden:
            if counts[i] < 5:
                assert not _solvable(keys, counts, hidden, i), (counts, i)
        for margin in _all_margins(keys):
            hidden_sum = sum(counts[i] for i in margin if i in hidden)
            assert hidden_sum == 0 or hidden_sum >= 5 or len(margin) == 1


def test_suppress_returns_only_the_keys_for_a_hidden_group() -> None:
    rows = [
        {"site": "East", "responses": 4, "yes_pct": 100.0},
        {"site": "North", "responses": 10, "yes_pct": 70.0},
        {"site": "South", "responses": 6, "yes_pct": 50.0},
    ]
    assert suppress(rows, ["site"]) == [
        {"site": "East", "suppressed": True},
        {"site": "North", "responses": 10, "yes_pct": 70.0},
        {"site": "South", "suppressed": True},
    ]


def test_a_figure_answered_by_too_few_is_withheld_with_its_partner() -> None:
    helped = Figure("helped", "helped_answered", ("helped_yes_pct",))
    rows = [
        {"site": "A", "responses": 10, "helped_answered": 3, "helped_yes_pct": 66.7},
        {"site": "B", "responses": 20, "helped_answered": 20, "helped_yes_pct": 80.0},
        {"site": "C", "responses": 30, "helped_answered": 30, "helped_yes_pct": 90.0},
    ]
    out = suppress(rows, ["site"], figures=[helped])
    assert out[0] == {
        "site": "A",
        "responses": 10,
        "helped_answered": None,
        "helped_yes_pct": None,
        "withheld": ["helped"],
    }
    assert out[1]["helped_yes_pct"] is None and out[1]["withheld"] == ["helped"]
    assert out[2]["helped_yes_pct"] == 90.0 and "withheld" not in out[2]


def test_a_total_of_four_is_hidden() -> None:
    assert suppress_total({"responses": 4, "x": 1}) == {"suppressed": True}
    assert suppress_total({"responses": 5, "x": 1}) == {"responses": 5, "x": 1}


def test_the_threshold_can_be_raised_but_never_lowered(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert one_way([7, 30, 40], threshold=10) == {0, 1}
    with pytest.raises(ValueError, match="never set below 5"):
        check_threshold(4)
    with pytest.raises(ValueError):
        hidden_cells([("a",)], [3], threshold=3)
    monkeypatch.delenv("EVALUATION_SMALL_NUMBERS", raising=False)
    assert configured_threshold() == 5
    monkeypatch.setenv("EVALUATION_SMALL_NUMBERS", "10")
    assert configured_threshold() == 10
    monkeypatch.setenv("EVALUATION_SMALL_NUMBERS", "3")
    with pytest.raises(ValueError, match="never set below 5"):
        configured_threshold()


# --- an independent check: could someone solve for cell i from what is published? --------


def _all_margins(keys: list[tuple[str, ...]]) -> list[list[int]]:
    width = len(keys[0])
    margins = []
    for size in range(width):
        for fixed in itertools.combinations(range(width), size):
            groups: dict[tuple[str, ...], list[int]] = {}
            for i, key in enumerate(keys):
                groups.setdefault(tuple(key[k] for k in fixed), []).append(i)
            margins.extend(groups.values())
    return margins


def _solvable(keys: list[tuple[str, ...]], counts: list[int], hidden: set[int], i: int) -> bool:
    """Whether cell i follows from the published margins (rank test with numpy)."""
    unknowns = sorted(hidden)
    rows = []
    for margin in _all_margins(keys):
        if len(margin) > 1 and sum(counts[j] for j in margin) >= 5:
            rows.append([1.0 if j in margin else 0.0 for j in unknowns])
    if not rows:
        return False
    matrix = np.array(rows)
    target = np.zeros(len(unknowns))
    target[unknowns.index(i)] = 1.0
    return bool(np.linalg.matrix_rank(np.vstack([matrix, target])) == np.linalg.matrix_rank(matrix))
