"""What a report is about: which sites, approaches, cohorts and areas, over which period.

One ``Selection`` is shared by the pages, the CLI and every report, so that "Northfield,
three conversations, August to November 2020" means the same rows everywhere. It turns
into a SQL ``WHERE`` fragment with bound parameters (never values pasted into SQL), and into
URL query parameters and back, so a page's view can be shared as a link.

The fragment names the columns of the conversations table (``site``, ``approach``,
``cohort``, ``area`` and a date column). A report that works on requests rather than rows
can apply it to its own relation as long as that relation has columns with the same names:
the cost-change report gives each request its first conversation's site and its first
start date as ``started_on``, so the period is by the request's first start date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from evaluation.store import query
from evaluation.store.connection import Store

# Query-parameter names, shared by every page that takes a selection.
QUERY_KEYS = {
    "sites": "site",
    "approaches": "approach",
    "cohorts": "cohort",
    "areas": "area",
}


@dataclass(frozen=True)
class Selection:
    """Filters; an empty tuple or None means "all"."""

    sites: tuple[str, ...] = ()
    approaches: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    cohorts: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()

    def _texts(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each text column filtered and the values chosen for it."""
        return (
            ("site", self.sites),
            ("approach", self.approaches),
            ("cohort", self.cohorts),
            ("area", self.areas),
        )

    def where(self, alias: str = "", date_column: str = "started_on") -> tuple[str, list[Any]]:
        """A ``WHERE`` fragment (``TRUE`` when nothing is chosen) and its parameters.

        Text matches ignore case and surrounding spaces, so ``--site "northfield innovation
        site"`` finds "Northfield innovation site". Dates are inclusive at both ends.
        """
        prefix = f"{alias}." if alias else ""
        parts: list[str] = []
        params: list[Any] = []
        for column, values in self._texts():
            if values:
                marks = ", ".join("?" for _ in values)
                parts.append(f"lower(trim({prefix}{column})) IN ({marks})")
                params.extend(v.strip().lower() for v in values)
        if self.date_from is not None:
            parts.append(f"{prefix}{date_column} >= ?")
            params.append(self.date_from)
        if self.date_to is not None:
            parts.append(f"{prefix}{date_column} <= ?")
            params.append(self.date_to)
        return (" AND ".join(parts) or "TRUE"), params

    def where_among(
        self, present: Mapping[str, Sequence[Any]], date_column: str = "started_on"
    ) -> tuple[str, list[Any]]:
        """``where`` over a relation whose distinct values of each text column are
        ``present`` (a kept whole-store table): each text match becomes an exact ``IN``
        over the spellings that match the same way (case and surrounding spaces ignored),
        ten times cheaper than ``lower(trim(…))`` on every row; ``FALSE`` when none does."""
        parts: list[str] = []
        params: list[Any] = []
        for column, values in self._texts():
            if values:
                wanted = {v.strip().lower() for v in values}
                spellings = [
                    v for v in present[column] if v is not None and v.strip().lower() in wanted
                ]
                if not spellings:
                    return "FALSE", []
                parts.append(f"{column} IN ({', '.join('?' for _ in spellings)})")
                params.extend(spellings)
        dates, date_params = Selection(date_from=self.date_from, date_to=self.date_to).where(
            date_column=date_column
        )
        if dates != "TRUE":
            parts.append(dates)
            params.extend(date_params)
        return (" AND ".join(parts) or "TRUE"), params

    def describe(self) -> str:
        """The selection in words, for captions and export headers."""
        parts = []
        for label, values in (
            ("sites", self.sites),
            ("approaches", self.approaches),
            ("cohorts", self.cohorts),
            ("areas", self.areas),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.date_from or self.date_to:
            start = f"{self.date_from:%d/%m/%Y}" if self.date_from else "the start"
            end = f"{self.date_to:%d/%m/%Y}" if self.date_to else "the latest"
            parts.append(f"from {start} to {end}")
        return "; ".join(parts) or "everything in the store"

    def to_query(self) -> dict[str, list[str] | str]:
        """URL query parameters for this selection (lists become repeated keys)."""
        query: dict[str, list[str] | str] = {}
        for field, key in QUERY_KEYS.items():
            values: tuple[str, ...] = getattr(self, field)
            if values:
                query[key] = list(values)
        if self.date_from:
            query["from"] = self.date_from.isoformat()
        if self.date_to:
            query["to"] = self.date_to.isoformat()
        return query

    @classmethod
    def from_query(cls, get_all: Callable[[str], Sequence[str]]) -> Selection:
        """Read a selection back from query parameters; unreadable dates are ignored.

        ``get_all`` returns every value of one key (``st.query_params.get_all`` does).
        """

        def day(key: str) -> date | None:
            values = get_all(key)
            try:
                return date.fromisoformat(values[-1]) if values else None
            except ValueError:
                return None

        lists = {
            field: tuple(v for v in get_all(key) if v.strip()) for field, key in QUERY_KEYS.items()
        }
        return cls(date_from=day("from"), date_to=day("to"), **lists)

    @classmethod
    def from_mapping(cls, query: Mapping[str, str | Sequence[str]]) -> Selection:
        """``from_query`` over a plain dict (a single value or a list per key)."""

        def get_all(key: str) -> Sequence[str]:
            value = query.get(key)
            if value is None:
                return []
            return [value] if isinstance(value, str) else list(value)

        return cls.from_query(get_all)


def choices(store: Store) -> dict[str, list[str]]:
    """The values a filter can offer: every site, approach, cohort and area in the store."""
    return {
        column: query.column(
            store,
            f"SELECT DISTINCT {column} FROM conversations "
            f"WHERE {column} IS NOT NULL ORDER BY {column}",
        )
        for column in QUERY_KEYS.values()
    }


def has_cohorts(store: Store, sites: Sequence[str] = ()) -> bool:
    """Whether any conversation at ``sites`` (all when empty) has a cohort: the meeting then
    splits cost change by approach × cohort, as Harrow's Tables 1a/1b do."""
    where, params = Selection(sites=tuple(sites)).where()
    sql = f"SELECT EXISTS (SELECT 1 FROM conversations WHERE cohort IS NOT NULL AND {where})"
    return bool(query.scalar(store, sql, params))


def date_span(store: Store) -> tuple[date, date] | None:
    """The first and last day a conversation started, for the date pickers."""
    first, last = query.one(store, "SELECT min(started_on), max(started_on) FROM conversations")
    return (first, last) if first else None


def matching(wanted: Sequence[str], offered: Sequence[str]) -> list[str]:
    """The offered values that ``wanted`` names, ignoring case (for presets from a URL)."""
    lowered = {w.strip().lower() for w in wanted}
    return [value for value in offered if value.strip().lower() in lowered]
