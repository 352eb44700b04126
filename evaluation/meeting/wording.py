"""How a meeting figure's value and change are written, and the commands that check it.

A Figure's text comes from ``evaluation.present.formats``; these add the meeting's own words:
"none" where a period has no figure, no change shown where either period lacks one.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from typing import TypeVar

from evaluation.core.vocabulary import USUAL_PRACTICE, USUAL_PRACTICE_ALL_SITES
from evaluation.present.formats import change, points

T = TypeVar("T")
REPORT = "python -m evaluation report"


def or_none(value: T | None, write: Callable[[T], str], word: str = "none") -> str:
    """``write(value)``, or a word saying there is no figure (the meeting's "none")."""
    return word if value is None else write(value)


def figure_change(
    now: float | None, before: float | None, places: int, unit: str = "", *, in_points: bool = False
) -> str:
    """A Figure's change since the previous period; "" when either period has no figure."""
    if now is None or before is None:
        return ""
    return points(now, before, places) if in_points else change(now, before, places, unit)


def usual_practice(
    chosen: T | None,
    sites: Sequence[str],
    everywhere: Callable[[], T | None],
    commands: list[str],
    command: str,
) -> tuple[T | None, str]:
    """Usual practice's figure within the chosen sites, and its label. When the sites have
    none (an innovation site on its own), usual practice across all sites, labelled so, with
    the command that prints it added to ``commands``."""
    if chosen is not None or not sites:
        return chosen, USUAL_PRACTICE
    commands.append(command)
    return everywhere(), USUAL_PRACTICE_ALL_SITES


def site_options(sites: Sequence[str]) -> str:
    """The sites as report options, quoted for a shell: ``--site 'North team'``."""
    return "".join(f" --site {shlex.quote(s)}" for s in sites)
