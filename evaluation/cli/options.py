"""What every command shares: ``--db``, dates, the selection, ``--by``, formats, text tables.

Options are defined here once, so ``--from`` means the same in every report and a bad value
is refused the same way (exit 2 with the reason on stderr). Commands call the same functions
the pages call; this module only turns command-line text into their arguments and their
results into text.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic_core import PydanticCustomError

from evaluation.core import values
from evaluation.measures.selection import Selection
from evaluation.measures.standardise import DEFAULT_STRATA, STRATA, check_strata
from evaluation.measures.suppression import check_threshold, configured_threshold
from evaluation.present.formats import MISSING
from evaluation.store.connection import Store, StoreError, default_path

FORMATS = ("table", "json", "csv")
T = TypeVar("T")
FILTERS = (
    ("site", "only this site (repeat for more)"),
    ("approach", "only this approach: 'three conversations' or 'usual practice'"),
    ("area", "only this area (repeat for more)"),
    ("cohort", "only this cohort (repeat for more)"),
)


def iso_date(text: str) -> date:
    """An argparse type: YYYY-MM-DD, refused plainly otherwise."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def threshold(text: str) -> int:
    """An argparse type: the small-number threshold, 5 or more."""
    try:
        return check_threshold(int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_db(parser: argparse.ArgumentParser, default: Any = None) -> None:
    """``--db``; a subcommand's own gives ``default=argparse.SUPPRESS`` so that it doesn't
    undo a ``--db`` given before it."""
    parser.add_argument(
        "--db",
        type=Path,
        default=default,
        help="the DuckDB store (default: $EVALUATION_DB or data/evaluation.duckdb)",
    )


def add_mapping(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mapping",
        metavar="PROFILE",
        help="read the files with a mapping profile: a .toml file, or the name of a saved one "
        "(python -m evaluation mappings)",
    )


def add_period(
    parser: argparse.ArgumentParser, first: str = "first day", last: str = "last day"
) -> None:
    parser.add_argument("--from", dest="date_from", type=iso_date, help=f"{first}, YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", type=iso_date, help=f"{last}, YYYY-MM-DD")


def add_filters(parser: argparse.ArgumentParser, names: Iterable[str] | None = None) -> None:
    """``--site``, ``--approach``, ``--area``, ``--cohort`` (each repeatable)."""
    wanted = set(names) if names is not None else None
    for name, text in FILTERS:
        if wanted is None or name in wanted:
            parser.add_argument(f"--{name}", action="append", default=[], help=text)


def add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table")


def add_threshold(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold",
        type=threshold,
        metavar="N",
        help="hide groups with fewer responses than this (default 5; never below 5)",
    )


def chosen_threshold(args: argparse.Namespace) -> int:
    """``--threshold`` if given, else the install's ($EVALUATION_SMALL_NUMBERS, default 5)."""
    return getattr(args, "threshold", None) or configured_threshold()


def split_by(text: str, allowed: Sequence[str]) -> tuple[str, ...]:
    """``--by a,b`` as a tuple; ValueError naming what is not allowed."""
    chosen = tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    unknown = [d for d in chosen if d not in allowed]
    if unknown:
        raise ValueError(f"--by {', '.join(unknown)}: use one or more of {', '.join(allowed)}")
    return chosen


def by_type(allowed: Sequence[str]) -> Callable[[str], list[str]]:
    """An argparse type for a repeatable ``--by a,b``: bad names exit 2 with the choices."""

    def parse(text: str) -> list[str]:
        try:
            return list(split_by(text, allowed))
        except ValueError:
            chosen = [p.strip().lower() for p in text.split(",") if p.strip()]
            unknown = [c for c in chosen if c not in allowed]
            raise argparse.ArgumentTypeError(
                f"can't group by {', '.join(unknown)}: use one or more of {', '.join(allowed)}"
            ) from None

    return parse


def add_standardise(parser: argparse.ArgumentParser) -> None:
    """``--standardise [FIELDS]``: add each group's figure like for like with usual practice,
    standardised to its mix across the fields given (alone: age band and support reason)."""

    def parse(text: str) -> tuple[str, ...]:
        try:
            return check_strata(text.split(","))
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parser.add_argument(
        "--standardise",
        nargs="?",
        const=DEFAULT_STRATA,
        type=parse,
        metavar="FIELDS",
        help="add each group's figure standardised to usual practice's mix of people across "
        f"these fields, comma-separated: {', '.join(STRATA)} "
        f"(alone: {','.join(DEFAULT_STRATA)})",
    )


def open_store(args: argparse.Namespace) -> Store:
    """The store to report on; a report never creates an empty one by mistake."""
    path = Path(args.db) if args.db else default_path()
    if not path.exists():
        raise StoreError(f"there is no store at {path}: import some data first")
    return Store(path)


def selection_from(args: argparse.Namespace) -> Selection:
    """The command line's filters; a period ending before it starts, or an approach the import
    would not accept, is refused (ValueError) rather than silently matching nothing."""
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise ValueError(
            f"--from {args.date_from.isoformat()} is after --to {args.date_to.isoformat()}"
        )
    approaches = []
    for text in getattr(args, "approach", []):
        try:
            approaches.append(values.approach(text))
        except PydanticCustomError as error:
            raise ValueError(f"--approach {text!r}: {error.message()}") from None
    return Selection(
        sites=tuple(getattr(args, "site", [])),
        approaches=tuple(approaches),
        date_from=args.date_from,
        date_to=args.date_to,
        cohorts=tuple(getattr(args, "cohort", [])),
        areas=tuple(getattr(args, "area", [])),
    )


def measured(
    args: argparse.Namespace,
    split: Sequence[str],
    compute: Callable[[Store, Selection, tuple[str, ...]], T],
) -> tuple[tuple[str, ...], Selection, T]:
    """A request report's figures: its ``--by``, its selection, and ``compute`` on the store
    (opened for it and closed after). ValueError or StoreError say what can't be used."""
    by = split_by(args.by, split)
    selection = selection_from(args)
    store = open_store(args)
    try:
        return by, selection, compute(store, selection, by)
    finally:
        store.close()


def refuse(error: Exception) -> int:
    """Say why on stderr; exit code 2."""
    print(str(error), file=sys.stderr)
    return 2


# --- output -----------------------------------------------------------------------------

_FIGURE = re.compile(r"^[-+£]?[\d.,]+(?:%|–[\d.,]+%)?$")


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], right: Iterable[int] | None = None
) -> str:
    """A plain aligned table, two spaces between columns and a rule under the headings.

    ``right`` names the columns set to the right; by default, those whose every cell is a
    figure (a count, a rate, an amount).
    """
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    if right is None:
        right = [
            i
            for i in range(len(headers))
            if all(_FIGURE.match(row[i]) for row in cells[1:] if row[i] not in ("", MISSING))
        ]
    rightward = set(right)
    lines = [
        "  ".join(
            cell.rjust(widths[i]) if i in rightward else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"can't write {type(value).__name__} as JSON")


def json_text(data: Any) -> str:
    """A report as JSON: indented, money as numbers of pounds, dates yyyy-mm-dd."""
    return json.dumps(data, default=_json_value, indent=2, ensure_ascii=False)


def print_json(data: Any) -> None:
    print(json_text(data))


def write_bytes(data: bytes) -> None:
    """A CSV (or any bytes) on stdout as it is."""
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
