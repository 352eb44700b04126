"""Survey groups made of the cells on show: the sums behind every survey figure and total.

The suppression rule (``evaluation.measures.suppression``) decides which cells are hidden;
here the groups a table asks for add up the others, and say what they left out (``left_out``:
how many cells, by reason) and which figures rest on only some of their cells (``partial``).
A group none of whose cells is on show is ``{"suppressed": True, "reason": …}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evaluation.measures.suppression import Figure, group_reason, left_out

# A filter keeps one value of a key (its groups are that value's), or any of several values
# (their cells on show are added up together: several sites at a meeting).
Filter = str | tuple[str, ...]


def matches(cell: Mapping[str, Any], filters: Mapping[str, Filter]) -> bool:
    """Whether a cell is one the filters keep: a value, or one of several values."""
    return all(cell[k] == v if isinstance(v, str) else cell[k] in v for k, v in filters.items())


class CellSums:
    """Groups made of the cells on show, each saying what it left out and why.

    ``figures`` are the survey's figures that rest on their own count, ``additive`` its
    counts, ``to_figures`` turns summed counts into figures; ``hidden`` and ``withheld`` are
    the cells ``suppression.hide`` hid (for the responses, and for each figure).
    """

    def __init__(
        self,
        figures: Sequence[Figure],
        additive: Sequence[str],
        to_figures: Callable[[Mapping[str, Any]], dict[str, Any]],
        cells: list[dict[str, Any]],
        hidden: Mapping[int, str],
        withheld: Mapping[str, Mapping[int, str]],
        threshold: int,
    ) -> None:
        self.figures, self.additive, self.to_figures = figures, additive, to_figures
        self.cells, self.hidden = cells, hidden
        self.withheld, self.threshold = withheld, threshold
        self.parts = {f.name: _parts(additive, f) for f in figures}

    def group(self, members: Sequence[int]) -> dict[str, Any]:
        """One group's figures from its cells on show (``suppressed`` when none is)."""
        shown = [i for i in members if i not in self.hidden]
        if not shown:
            if not members:
                return self._figures([], {})
            full = sum(int(self.cells[i]["responses"]) for i in members)
            return {"suppressed": True, "reason": group_reason(full, self.threshold)}
        sums = {name: sum(self.cells[i][name] or 0 for i in shown) for name in self.additive}
        out_of: dict[str, str] = {}
        partial = []
        for figure in self.figures:
            usable = [i for i in shown if i not in self.withheld[figure.name]]
            if len(usable) < len(shown):
                full = sum(int(self.cells[i][figure.count] or 0) for i in shown)
                if not usable:
                    out_of[figure.name] = group_reason(full, self.threshold)
                else:
                    partial.append(figure.name)
                for name in self.parts[figure.name]:
                    sums[name] = sum(self.cells[i][name] or 0 for i in usable)
        result = self._figures([self.hidden[i] for i in members if i in self.hidden], sums)
        for name, reason in out_of.items():
            figure = next(f for f in self.figures if f.name == name)
            result[figure.count] = None
            result |= dict.fromkeys(figure.fields)
            result.setdefault("withheld", {})[name] = reason
        if partial:
            result["partial"] = partial
        return result

    def _figures(self, reasons: list[str], sums: Mapping[str, Any]) -> dict[str, Any]:
        counts = sums or dict.fromkeys(self.additive, 0)
        result = self.to_figures(counts)
        if reasons:
            result["left_out"] = left_out(reasons)
        return result


def _parts(additive: Sequence[str], figure: Figure) -> tuple[str, ...]:
    """The additive counts a figure is made of: its own count and those named after it."""
    return tuple(n for n in additive if n == figure.count or n.startswith(f"{figure.name}_"))
