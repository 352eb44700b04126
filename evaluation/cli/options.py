"""What every ``python -m evaluation report …`` command shares: opening the store to report
on, and reading the selection (sites, approaches, period, cohorts, areas) off the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from pydantic_core import PydanticCustomError

from evaluation.core import values
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store, StoreError, default_path


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
