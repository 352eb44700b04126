"""Applying a mapping profile to one file, before the contract check reads it.

``Plan`` places the contract's columns among the file's headings (the profile's headings
first, ignoring case and surrounding spaces; any column it doesn't name by the contract's own
heading) and maps the export's words to the contract's values. The whole-file check still
does the work: on the fast path each mapped column is rewritten in Arrow, one Python step per
*distinct* text (a million rows hold a handful of "Way Of Working" texts), and the rewritten
column is handed to DuckDB beside the file's own; the row-by-row reader maps each row's cells.

Problems keep the file's own words: the heading, not the contract column, and the cell as
the export wrote it. A word the profile doesn't map refuses the file with its row, heading
and value; it is read as blank meanwhile, so it is never counted as anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from evaluation.core.contract import Kind
from evaluation.ingest.mapping_profile import BLANK, Profile, allowed_values, fold
from evaluation.ingest.reading import Problem, column_letter, normalise_header


@dataclass
class Plan:
    """Where a profile finds each contract column in one file, and its words' meanings."""

    profile: Profile
    headers: list[str]
    positions: dict[str, int] = field(default_factory=dict)  # contract column → file column
    problems: list[Problem] = field(default_factory=list)  # heading problems (row 1)
    ignored: list[str] = field(default_factory=list)
    unmapped: list[Problem] = field(default_factory=list)
    _lookups: dict[str, dict[str, str]] = field(default_factory=dict)
    _originals: dict[str, pa.Array] = field(default_factory=dict)  # fast path: as written
    _cells: dict[tuple[int, str], str] = field(default_factory=dict)  # row-by-row: as written

    @classmethod
    def make(cls, profile: Profile, headers: list[str]) -> Plan:
        plan = cls(profile, list(headers))
        plan._place()
        plan._lookups = {
            column: profile.lookup(column) for column in profile.values if column in plan.positions
        }
        return plan

    @property
    def kind(self) -> Kind:
        return self.profile.spec

    def heading(self, column: str) -> str:
        """The file's own heading for a contract column (the column's name if it has none)."""
        index = self.positions.get(column)
        return column if index is None else self.headers[index]

    def _place(self) -> None:
        found: dict[str, list[int]] = {}
        for index, header in enumerate(self.headers):
            found.setdefault(fold(header), []).append(index)
        claimed: set[int] = set()
        for column, heading in self.profile.columns.items():
            where = found.get(fold(heading), [])
            if len(where) > 1:
                self._twice(heading, where[0], where[1])
            elif not where:
                self.problems.append(
                    Problem(
                        1,
                        heading,
                        None,
                        f"the mapping profile '{self.profile.name}' reads {column} from this "
                        "column, but the file has no column with this heading",
                    )
                )
            else:
                self.positions[column] = where[0]
                claimed.add(where[0])
        wanted = {
            normalise_header(c): c for c in self.kind.columns if c not in self.profile.columns
        }
        for index, header in enumerate(self.headers):
            if index in claimed:
                continue
            column = wanted.get(normalise_header(header))
            if column is None:
                if header:
                    self.ignored.append(header)
            elif column in self.positions:
                self._twice(header, self.positions[column], index)
            else:
                self.positions[column] = index
        for column in self.kind.required:
            if column not in self.positions and column not in self.profile.columns:
                self.problems.append(
                    Problem(
                        1,
                        column,
                        None,
                        f"required column is missing: the mapping profile '{self.profile.name}' "
                        f"doesn't name it and the file has no {column} column",
                    )
                )

    def _twice(self, heading: str, first: int, second: int) -> None:
        self.problems.append(
            Problem(
                1,
                heading,
                None,
                f"the column appears twice (columns {column_letter(first)} and "
                f"{column_letter(second)})",
            )
        )

    # --- the fast path: whole columns in Arrow --------------------------------------------

    def rewrite(self, raw: pa.Table, positions: dict[str, int]) -> tuple[pa.Table, dict[str, int]]:
        """The file's text columns with each mapped column's words replaced by the contract's
        values, added as new columns (``c<N>``, as DuckDB names the file's own); the
        positions of the mapped columns point to them. Unmapped words are noted and read as
        blank."""
        moved = dict(positions)
        for column, lookup in self._lookups.items():
            source = raw.column(positions[column]).combine_chunks()
            self._originals[column] = source
            encoded = pc.dictionary_encode(source, null_encoding="encode")
            texts = encoded.dictionary.to_pylist()
            mapped: list[str | None] = []
            missing: list[int] = []
            for index, text in enumerate(texts):
                key = fold(text)
                if not key:
                    mapped.append(text)  # blank stays blank
                elif key in lookup:
                    mapped.append(lookup[key] or None)
                else:
                    mapped.append(None)
                    missing.append(index)
            if missing:
                where = pc.is_in(encoded.indices, value_set=pa.array(missing, encoded.indices.type))
                rows = np.asarray(pc.indices_nonzero(where), dtype=np.int64)
                codes = np.asarray(encoded.indices.take(pa.array(rows)), dtype=np.int64)
                for row, code in zip(rows.tolist(), codes.tolist(), strict=True):
                    self._unmapped(row + 2, column, texts[code])
            values = pc.take(pa.array(mapped, pa.string()), encoded.indices)
            raw = raw.append_column(f"c{raw.num_columns}", values)
            moved[column] = raw.num_columns - 1
        return raw, moved

    # --- the row-by-row reader ------------------------------------------------------------

    def map_row(self, row: int, cells: dict[str, str]) -> dict[str, str]:
        """One row's contract cells with the mapped columns' words replaced."""
        mapped = dict(cells)
        for column, lookup in self._lookups.items():
            text = cells.get(column, "")
            self._cells[(row, column)] = text
            key = fold(text)
            if key and key in lookup:
                mapped[column] = lookup[key]
            elif key:
                mapped[column] = BLANK
                self._unmapped(row, column, text)
        return mapped

    # --- the problems, in the file's own words ---------------------------------------------

    def _unmapped(self, row: int, column: str, text: str) -> None:
        allowed = [a for a in allowed_values(self.kind, column) or () if a]
        self.unmapped.append(
            Problem(
                row,
                self.heading(column),
                text.strip(),
                f"the mapping profile '{self.profile.name}' doesn't say what this value means "
                f"for {column}: add it to the profile's [values.{column}] "
                f"({' / '.join(allowed)})",
            )
        )

    def written(self, row: int, column: str) -> str | None:
        """A mapped cell as the export wrote it (trimmed)."""
        if column in self._originals and row >= 2:
            text = self._originals[column][row - 2].as_py()
        else:
            text = self._cells.get((row, column))
        return None if text is None else text.strip()

    def reword(self, problems: Sequence[Problem]) -> list[Problem]:
        """The check's problems said against the file's headings and its own words, with the
        unmapped values; a cell the profile doesn't map gets that problem only."""
        unmapped = {(p.row, p.column) for p in self.unmapped}
        reworded = []
        for problem in problems:
            if problem.column not in self.positions:
                reworded.append(problem)
                continue
            heading = self.heading(problem.column)
            if (problem.row, heading) in unmapped:
                continue
            if problem.column in self._lookups and problem.row is not None:
                written = self.written(problem.row, problem.column)
                meaning = problem.value or "blank"
                message = problem.message
                if written and fold(written) != fold(problem.value):
                    message += f" (the profile reads {written!r} as {meaning})"
                problem = replace(problem, value=written, message=message)
            reworded.append(replace(problem, column=heading))
        return sorted([*reworded, *self.unmapped], key=lambda p: p.row or 0)


def named_headings_present(profile: Profile, headers: Sequence[str]) -> bool:
    """Whether every heading the profile names is in the file (and it names at least one)."""
    present = {fold(h) for h in headers}
    return bool(profile.columns) and all(fold(h) in present for h in profile.columns.values())


def choose(profiles: Sequence[Profile], headers: Sequence[str], kind: str | None) -> Profile | None:
    """The saved profile that fits a file whose headings fit no kind on their own: every
    heading it names is there and so is every required column. The one naming the most
    headings wins; among equals, the first (the newest saved)."""
    fitting = []
    for profile in profiles:
        if kind is not None and profile.kind != kind:
            continue
        if not named_headings_present(profile, headers):
            continue
        if not Plan.make(profile, list(headers)).problems:
            fitting.append(profile)
    if not fitting:
        return None
    return max(fitting, key=lambda p: (len(p.columns), -fitting.index(p)))


def plan_for(
    headers: list[str], kind: str | None, profile: Profile | None, saved: Sequence[Profile]
) -> Plan | None:
    """The plan for a file: with ``profile``, or else the ``saved`` one that fits it; None
    when neither. A profile for another kind than the one asked for is a problem."""
    chosen = profile or choose(saved, headers, kind)
    if chosen is None:
        return None
    plan = Plan.make(chosen, headers)
    if kind is not None and kind != chosen.kind:
        plan.problems.insert(
            0,
            Problem(
                None,
                None,
                kind,
                f"the mapping profile '{chosen.name}' is for {chosen.kind} files, not {kind}",
            ),
        )
    return plan
