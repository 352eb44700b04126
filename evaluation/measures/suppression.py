"""Small-number suppression: no figure leaves ``evaluation`` resting on fewer than 5 responses.

Feedback and staff answers come from a few dozen people per site, so a group of two or three
could be recognised by a colleague and their answers read off a table. The contract (§2
"Small numbers") says a group with fewer than 5 responses shows "fewer than 5" instead of
its figures, on screen and in every export. The threshold can be raised (a council may
choose 10) but never lowered below 5.

The rule, for one table of groups (one group per combination of the ``by`` keys):

1. **Primary.** A group whose count is 1 to ``threshold - 1`` is hidden. (A group of zero
   rests on nobody; it has no figures to hide.)
2. **Secondary: every margin.** A *margin* is the set of groups that share the values of
   some proper subset of the ``by`` keys — with ``by=[site, approach]`` that is all the
   groups of one site, all the groups of one approach, and all the groups together. Each
   margin's total can be published elsewhere (the page's headline, the CLI run with fewer
   ``--by`` keys), so subtracting the groups on show from it reveals what is hidden. When
   the hidden groups of a margin add up to between 1 and ``threshold - 1``, another group
   of that margin is hidden too, and again until the hidden part of every margin rests on
   at least ``threshold`` responses (or on none). The group chosen is the smallest on show
   whose hiding leaves no other margin with a lone hidden group, else the smallest. A
   margin whose own total is below the threshold is never published and needs nothing.
3. **Secondary: audit.** Margins can combine: in a site × approach table, a site total, an
   approach total and the cells on show can pin down a hidden cell even when each margin
   hides two. The published margins are treated as linear equations in the hidden counts
   and solved exactly; while any small group (or small margin) can still be
   worked out, another group sharing a margin with it (chosen as above) is hidden as well.
   Something the margins give away by themselves — January's total minus January's
   three conversations total — can't be saved by hiding groups of this table, so it is
   left to the coarser table that shows those margins (rule 2 there hides one of them).
4. **Linked tables.** ``suppress(..., within=..., within_by=...)`` first suppresses a finer
   table of the same data and makes a group that is a single finer cell follow it. The
   feedback and staff measures always suppress on site × approach × whatever else is
   asked, so the by-site, by-approach and site-by-approach tables hide the same groups
   and one can't be subtracted from another.

Everything hidden is hidden whole: the count and every figure (percentages and means are
made of additive counts, so hiding the count alone would not do). ``suppress`` also takes
*figures* that rest on their own count — a question answered by only some of the responses
— and applies the same rule to each of them over the groups still on show, so no
percentage or mean rests on fewer than ``threshold`` answers either.

What this does not cover: two tables of the same data with different date windows or
different filters can be subtracted from each other. Callers therefore group by their
filters (a page filtered to one site groups by site too, then picks that site's rows) and
publish fixed periods (months, or a report's whole window). And the tables are linked
through site and approach (rule 4), not through every key at once: a by-month and a
by-method table each with every group at 5 or more could in principle still differ by a
small month × method cell, which only a table of month × method would protect.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

DEFAULT_THRESHOLD = 5
THRESHOLD_ENV = "EVALUATION_SMALL_NUMBERS"


def check_threshold(value: int) -> int:
    """The threshold itself, or ValueError when it is below 5 or not a whole number."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"the small-number threshold must be a whole number, not {value!r}")
    if value < DEFAULT_THRESHOLD:
        raise ValueError(
            f"the small-number threshold can be raised but never set below {DEFAULT_THRESHOLD} "
            f"(got {value})"
        )
    return value


def configured_threshold() -> int:
    """The threshold for this install: $EVALUATION_SMALL_NUMBERS, default 5, never below 5."""
    raw = os.environ.get(THRESHOLD_ENV, "").strip()
    if not raw:
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(
            f"{THRESHOLD_ENV} must be a whole number of 5 or more, not {raw!r}"
        ) from None
    return check_threshold(value)


def fewer_than(threshold: int = DEFAULT_THRESHOLD) -> str:
    """What a hidden group shows instead of its figures."""
    return f"fewer than {threshold}"


@dataclass(frozen=True)
class Figure:
    """Figures that rest on their own count, e.g. a question and the responses that answered it.

    ``count`` is the key holding that count; ``fields`` are the keys withheld with it.
    """

    name: str
    count: str
    fields: tuple[str, ...]


def hidden_cells(
    keys: Sequence[tuple[Any, ...]],
    counts: Sequence[int],
    threshold: int = DEFAULT_THRESHOLD,
    already: Collection[int] = (),
) -> set[int]:
    """Indices of the cells to hide; ``keys[i]`` holds cell i's values of the ``by`` keys.

    ``already`` are cells hidden for another reason (e.g. the whole group is hidden and
    this is one of its figures); they count as hidden in every margin.
    """
    check_threshold(threshold)
    n = len(counts)
    hidden = set(already) | {i for i in range(n) if 0 < counts[i] < threshold}
    if not hidden:
        return hidden
    margins = _margins(keys, counts, threshold)
    # What must never be worked out: each small cell, and each small margin (a site of 4
    # split over two approaches is still a group of 4).
    targets = [[i] for i in range(n) if 0 < counts[i] < threshold]
    targets += _small_margins(keys, counts, threshold)
    # A target the margins alone give away (e.g. the January total minus the three
    # conversations January total) can't be saved by hiding cells of this table; that is
    # for the coarser table showing those margins. Chasing it would only hide everything.
    everything = [i for i in range(n) if counts[i] > 0]
    every_column = {cell: j for j, cell in enumerate(everything)}
    by_margins = _reduced_basis([tuple(every_column[i] for i in cells) for cells in margins])
    targets = [t for t in targets if not _in_span(by_margins, _vector(t, every_column))]
    while True:
        changed = _fill_margins(margins, counts, hidden, threshold)
        changed = _audit(margins, counts, hidden, targets) or changed
        if not changed:
            return hidden


def _partitions(keys: Sequence[tuple[Any, ...]]) -> Iterable[list[int]]:
    """Every margin: the cells sharing the values of some proper subset of the keys."""
    width = len(keys[0]) if keys else 0
    for size in range(width):
        for fixed in combinations(range(width), size):
            groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
            for i, key in enumerate(keys):
                groups[tuple(key[k] for k in fixed)].append(i)
            yield from groups.values()


def _margins(
    keys: Sequence[tuple[Any, ...]], counts: Sequence[int], threshold: int
) -> list[list[int]]:
    """Every published margin: cells sharing some proper subset of key values, total ≥ threshold.

    A margin of one cell is that cell, on show exactly when the cell is (the coarser table
    hides it for the same reason), so it adds nothing and is left out.
    """
    unique = {
        tuple(sorted(i for i in cells if counts[i] > 0))
        for cells in _partitions(keys)
        if sum(counts[i] for i in cells) >= threshold
    }
    # Finest margins first: what they hide usually settles the coarser ones too, whereas
    # starting from the grand total would pick a group that the finer margins don't need.
    return [list(c) for c in sorted(unique, key=lambda c: (len(c), c)) if len(c) > 1]


def _small_margins(
    keys: Sequence[tuple[Any, ...]], counts: Sequence[int], threshold: int
) -> list[list[int]]:
    unique = {
        tuple(sorted(i for i in cells if counts[i] > 0))
        for cells in _partitions(keys)
        if 0 < sum(counts[i] for i in cells) < threshold
    }
    return [list(cells) for cells in sorted(unique) if len(cells) > 1]


def _next_to_hide(
    cells: Iterable[int], counts: Sequence[int], hidden: set[int], margins: list[list[int]]
) -> int | None:
    """The cell on show to hide next: the smallest that leaves no other margin exposed.

    Hiding a cell that would then be the only hidden cell of another margin just moves the
    problem there, so such cells come after those that don't (then smallest count first).
    """
    shown = {i for i in cells if i not in hidden and counts[i] > 0}
    if not shown:
        return None

    def exposes(i: int) -> bool:
        return any(i in m and not any(j in hidden for j in m) for m in margins)

    return min(shown, key=lambda i: (exposes(i), counts[i], i))


def _fill_margins(
    margins: list[list[int]], counts: Sequence[int], hidden: set[int], threshold: int
) -> bool:
    changed = False
    for cells in margins:
        while 0 < sum(counts[i] for i in cells if i in hidden) < threshold:
            extra = _next_to_hide(cells, counts, hidden, margins)
            if extra is None:
                break
            hidden.add(extra)
            changed = True
    return changed


def _audit(
    margins: list[list[int]], counts: Sequence[int], hidden: set[int], targets: list[list[int]]
) -> bool:
    """Hide one more cell if the published margins still solve for something small."""
    unknowns = sorted(hidden)
    column = {cell: j for j, cell in enumerate(unknowns)}
    equations = {tuple(column[i] for i in cells if i in hidden) for cells in margins}
    basis = _reduced_basis([e for e in equations if e])
    for target in targets:
        if not _in_span(basis, _vector(target, column)):
            continue
        sharing = [i for cells in margins if set(target) & set(cells) for i in cells]
        extra = _next_to_hide(sharing, counts, hidden, margins)
        if extra is None:
            extra = _next_to_hide(range(len(counts)), counts, hidden, margins)
        if extra is None:
            return False
        hidden.add(extra)
        return True
    return False


# Span tests run in arithmetic modulo a large prime: exact like fractions, far faster. A 0/1
# system could only come out differently over the rationals if the prime divided one of
# its minors, and even then the error would be to hide too much, never too little.
_PRIME = (1 << 61) - 1
Row = dict[int, int]


def _vector(cells: Iterable[int], column: Mapping[int, int]) -> Row:
    return {column[i]: 1 for i in cells}


def _reduced_basis(equations: list[tuple[int, ...]]) -> dict[int, Row]:
    """The equations in echelon form: leading column → its row (leading entry 1)."""
    basis: dict[int, Row] = {}
    for equation in equations:
        row = _reduce(basis, {j: 1 for j in equation})
        if row:
            lead = min(row)
            inverse = pow(row[lead], _PRIME - 2, _PRIME)
            basis[lead] = {j: v * inverse % _PRIME for j, v in row.items()}
    return basis


def _reduce(basis: dict[int, Row], row: Row) -> Row:
    """``row`` minus the basis rows that lead where it does, until its lead is new (or none)."""
    row = dict(row)
    while row:
        lead = min(row)
        pivot = basis.get(lead)
        if pivot is None:
            return row
        factor = row[lead]
        for j, v in pivot.items():
            value = (row.get(j, 0) - factor * v) % _PRIME
            if value:
                row[j] = value
            else:
                row.pop(j, None)
    return row


def _in_span(basis: dict[int, Row], vector: Row) -> bool:
    """Whether ``vector`` is a combination of the equations: its sum can be worked out."""
    return not _reduce(basis, vector)


class _Linked:
    """A table and the finer table it sums up, suppressed together so the two agree."""

    def __init__(
        self,
        rows: Sequence[Mapping[str, Any]],
        by: Sequence[str],
        within: Sequence[Mapping[str, Any]] | None,
        within_by: Sequence[str] | None,
        threshold: int,
    ) -> None:
        self.keys = [tuple(row[k] for k in by) for row in rows]
        self.threshold = threshold
        self.within = within
        if within is None or within_by is None:
            return
        missing = [k for k in by if k not in within_by]
        if missing:
            raise ValueError(f"the finer table lacks the keys {', '.join(missing)}")
        index = {key: i for i, key in enumerate(self.keys)}
        self.fine_keys = [tuple(r[k] for k in within_by) for r in within]
        self.view_of = [index[tuple(r[k] for k in by)] for r in within]

    def hide(
        self,
        view_counts: list[int],
        fine_counts: list[int] | None,
        already: Collection[int] = (),
        already_fine: Collection[int] = (),
    ) -> tuple[set[int], set[int]]:
        """Hidden rows of this table (and of the finer one, to carry to the next figure)."""
        projected, fine_hidden = set(already), set(already_fine)
        if self.within is not None and fine_counts is not None:
            fine_hidden = hidden_cells(
                self.fine_keys, fine_counts, self.threshold, already=already_fine
            )
            members: dict[int, list[int]] = defaultdict(list)
            for i, j in enumerate(self.view_of):
                if fine_counts[i] > 0:
                    members[j].append(i)
            # A row made of a single finer cell is that cell: hidden wherever it is hidden.
            projected |= {
                j for j, cells in members.items() if len(cells) == 1 and cells[0] in fine_hidden
            }
        return hidden_cells(self.keys, view_counts, self.threshold, already=projected), fine_hidden


def suppress(
    rows: Sequence[Mapping[str, Any]],
    by: Sequence[str],
    *,
    count: str = "responses",
    figures: Sequence[Figure] = (),
    threshold: int = DEFAULT_THRESHOLD,
    within: Sequence[Mapping[str, Any]] | None = None,
    within_by: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The rows with small groups hidden: ``{<by keys>, "suppressed": True}`` and nothing else.

    Rows on show are copied unchanged, except that a figure resting on fewer than
    ``threshold`` answers (or hidden to protect one) has its count and fields set to None
    and its name listed under ``"withheld"``.

    ``within``/``within_by``: the same data grouped more finely (``by`` plus more keys),
    whose rows sum to ``rows``. The finer table is suppressed first and a row that is a
    single finer cell follows that cell, so a by-site table and a site-by-approach table
    hide the same site — otherwise one table's shown groups could unlock the other's.
    """
    linked = _Linked(rows, by, within, within_by, threshold)

    def fine(name: str) -> list[int] | None:
        return None if within is None else [int(r[name] or 0) for r in within]

    hidden, fine_hidden = linked.hide([int(row[count]) for row in rows], fine(count))
    result = [dict(row) for row in rows]
    for figure in figures:
        counts = [int(row[figure.count] or 0) for row in rows]
        withheld, _ = linked.hide(counts, fine(figure.count), hidden, fine_hidden)
        for i in withheld - hidden:
            result[i][figure.count] = None
            for name in figure.fields:
                result[i][name] = None
            result[i].setdefault("withheld", []).append(figure.name)
    for i in hidden:
        result[i] = {**{k: rows[i][k] for k in by}, "suppressed": True}
    return result


def suppress_total(
    row: Mapping[str, Any],
    *,
    count: str = "responses",
    figures: Sequence[Figure] = (),
    threshold: int = DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """A total on its own: hidden when it rests on fewer than ``threshold`` (primary rule only).

    The groups under a total are suppressed with ``suppress``, whose margins include the
    total, so a total on show never reveals them.
    """
    return suppress([row], [], count=count, figures=figures, threshold=threshold)[0]
