"""Small-number suppression: no figure leaves ``evaluation`` resting on fewer than 5 responses.

Feedback and staff answers come from a few dozen people per site, so a group of two or three
could be recognised by a colleague and their answers read off a table. The contract (§2
"Small numbers") says a group with fewer than 5 responses shows "fewer than 5" instead of
its figures, on screen and in every export; the threshold can be raised (a council may choose
10) but never lowered below 5, the smallest group national statistics publish.

The rule is built so that no published figure can be subtracted from another to give a
hidden group away, and so that a group with enough responses is hidden only when nothing
else would protect a small one:

1. **Cells.** A table's figures are summed from *cells*: its groups split by site and
   approach as well (feedback by month is site × approach × month). A cell of 1 to
   ``threshold - 1`` responses is hidden: ``SMALL`` ("fewer than 5").
2. **Base groups are published whole.** Every page shows each site × approach with its own
   figures, so within one site × approach the hidden cells must add up to nothing or to at
   least ``threshold`` — else the site × approach total minus the cells on show would give
   them away. Where they don't, the smallest other cell of that site × approach is hidden as
   well: ``PROTECT`` ("hidden to protect a small group"). This is the cross-table case (a
   site's months, its methods, its roles), and the only one where a group with enough
   responses is hidden.
3. **Everything else is a sum of the cells on show.** A group of the table asked for (a site,
   an approach, a month) and every total add up only the cells on show and say what they
   left out ("all shown sites; 1 group of fewer than 5 left out"), so a site with enough
   responses is shown in full beside a small one, and a total never holds a hidden group. A
   group none of whose cells is on show is hidden (``SMALL`` when the group itself has fewer
   than ``threshold``, else ``PROTECT``).

Why that is enough: a published figure is either a site × approach total or a sum of cells on
show, so the only unknowns anyone can reach are the hidden cells of one site × approach,
through that site × approach's total — and those add up to at least ``threshold`` whenever
there is a small one among them (so there are at least two, and none can be told apart).
Site × approach groups don't overlap, so no combination of them pins down a cell either.

Each figure that rests on its own count (a question answered by only some of the responses)
goes through the same rule with that count, so no percentage or mean rests on fewer than
``threshold`` answers either.

What this does not cover: two tables of the same data over different periods can be
subtracted from each other. Survey periods therefore snap to whole weeks
(``evaluation.measures.survey``), so two views a day apart are the same view; two views a week
apart still differ by a week's responses, which is the risk the README states.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 5
THRESHOLD_ENV = "EVALUATION_SMALL_NUMBERS"

# Why a cell or a group is hidden.
SMALL = "small"
PROTECT = "protect"
PROTECTING = "hidden to protect a small group"


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
    """What a group hidden for being small shows instead of its figures."""
    return f"fewer than {threshold}"


def hidden_words(reason: str | None, threshold: int = DEFAULT_THRESHOLD) -> str:
    """Why a group or a figure is hidden, in words: never "fewer than 5" for a group that
    has enough responses and is hidden only to protect another."""
    return PROTECTING if reason == PROTECT else fewer_than(threshold)


@dataclass(frozen=True)
class Figure:
    """Figures that rest on their own count, e.g. a question and the responses that answered it.

    ``count`` is the key holding that count; ``fields`` are the keys withheld with it.
    """

    name: str
    count: str
    fields: tuple[str, ...]


def hide(
    counts: Sequence[int],
    base_of: Sequence[Hashable],
    threshold: int = DEFAULT_THRESHOLD,
    already: Mapping[int, str] | None = None,
) -> dict[int, str]:
    """The cells to hide (index → ``SMALL`` or ``PROTECT``).

    ``counts[i]`` is cell i's count and ``base_of[i]`` its site × approach (its base group).
    ``already`` are cells hidden for another reason (the whole group is hidden and this is one
    of its figures): they count as hidden within their base group and keep their reason.
    """
    check_threshold(threshold)
    hidden = dict(already or {})
    for i, n in enumerate(counts):
        if i not in hidden and 0 < n < threshold:
            hidden[i] = SMALL
    members: dict[Hashable, list[int]] = defaultdict(list)
    for i, base in enumerate(base_of):
        members[base].append(i)
    for cells in members.values():
        while 0 < sum(counts[i] for i in cells if i in hidden) < threshold:
            shown = [i for i in cells if i not in hidden and counts[i] > 0]
            if not shown:  # the base group itself is small: it is never published
                break
            hidden[min(shown, key=lambda i: (counts[i], i))] = PROTECT
    return hidden


def group_reason(full_count: int, threshold: int) -> str:
    """Why a group with no cell on show is hidden: small itself, or made of small cells."""
    return SMALL if full_count < threshold else PROTECT


def left_out(reasons: Sequence[str]) -> dict[str, int]:
    """How many cells of a group were left out, by reason (only the reasons present)."""
    counted: dict[str, int] = {}
    for reason in reasons:
        counted[reason] = counted.get(reason, 0) + 1
    return {r: counted[r] for r in (SMALL, PROTECT) if r in counted}
