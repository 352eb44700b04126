"""``python -m evaluation``: a thin command line over the same functions the pages call.

Exit codes: 0 done; 2 the input has problems (nothing was stored) or the request can't be
carried out, with the reasons on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from evaluation.admin.backup import backup, restore
from evaluation.admin.erasure import erase_person
from evaluation.core.contract import KINDS
from evaluation.ingest import sample
from evaluation.ingest.importer import ImportFailed, import_files
from evaluation.store.connection import Store, StoreBusy, StoreError

# Each report lives in its own module as ``add_arguments(parser)`` and ``run(args) -> int``;
# a new report is one line here.
REPORTS: dict[str, str] = {
    "conversion": "evaluation.cli.conversion",
    "activity": "evaluation.cli.activity",
    "feedback": "evaluation.cli.feedback",
    "staff": "evaluation.cli.staff",
    "cost-change": "evaluation.cli.cost_change",
}

MAX_PROBLEMS_SHOWN = 200


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        help="the DuckDB store (default: $EVALUATION_DB or data/evaluation.duckdb)",
    )


def cmd_import(args: argparse.Namespace) -> int:
    files = []
    for path in args.files:
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as error:
            print(f"{path}: can't read the file ({error.strerror})", file=sys.stderr)
            return 2
    store = Store(args.db)
    try:
        results = import_files(
            store, files, kind=args.kind, as_of=args.as_of, imported_by=_who(), source="cli"
        )
    except ImportFailed as failed:
        for checked in failed.checked:
            if not checked.problems:
                continue
            print(
                f"{checked.file_name}: {len(checked.problems)} problem(s); nothing was stored",
                file=sys.stderr,
            )
            for problem in checked.problems[:MAX_PROBLEMS_SHOWN]:
                print(f"  {problem.line()}", file=sys.stderr)
            if len(checked.problems) > MAX_PROBLEMS_SHOWN:
                print(f"  … and {len(checked.problems) - MAX_PROBLEMS_SHOWN} more", file=sys.stderr)
        return 2
    finally:
        store.close()
    for result in results:
        print(result.summary())
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    for path in sample.write(args.out):
        print(path)
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    store = Store(args.db)
    rows = store.batches()
    store.close()
    if not rows:
        print("no batches imported yet")
        return 0
    for row in rows:
        state = (
            f"undone {row['undone_at']:%d/%m/%Y %H:%M} by {row['undone_by']}"
            if row["undone_at"]
            else "active"
        )
        print(
            f"{row['batch_id']}  {row['kind']:<13} {row['file_name']}  +{row['rows_added']} "
            f"~{row['rows_replaced']} ={row['rows_unchanged']}  as of {row['as_of']:%d/%m/%Y}  "
            f"{row['imported_at']:%d/%m/%Y %H:%M} by {row['imported_by']}  {state}"
        )
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        done = store.undo(args.batch, by=_who())
    except StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        store.close()
    print(
        f"undid batch {done['batch_id']} ({done['kind']}): {done['removed']} rows removed, "
        f"{done['restored']} earlier rows restored"
    )
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        removed = erase_person(store, args.person, by=_who())
    except StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        store.close()
    print(f"erased {removed} row(s) about that person; the store file was rewritten")
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        store.rewrite_file()
    finally:
        store.close()
    print("rewrote the store file: nothing deleted remains in its free space")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        manifest = backup(store, args.out)
    finally:
        store.close()
    total = sum(manifest["tables"].values())
    print(f"backed up {len(manifest['tables'])} tables ({total} rows) to {args.out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        manifest = restore(store, args.source, replace=args.replace)
    except StoreError as error:
        print(str(error), file=sys.stderr)
        return 2
    finally:
        store.close()
    print(
        f"restored {sum(manifest['tables'].values())} rows "
        f"from the backup of {manifest['created_at']}"
    )
    return 0


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation", description="Three Conversations evaluation store and reports."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("import", help="validate and import CSV files (all or nothing)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_db(p)
    p.add_argument(
        "--kind", choices=sorted(KINDS), help="the record kind (default: detected from the headers)"
    )
    p.add_argument(
        "--as-of", type=iso_date, help="the export's extract date, YYYY-MM-DD (default: today)"
    )
    p.set_defaults(run=cmd_import)

    p = commands.add_parser("sample", help="write the sample CSV files")
    p.add_argument("--out", type=Path, required=True)
    p.set_defaults(run=cmd_sample)

    p = commands.add_parser("batches", help="list the import log")
    add_db(p)
    p.set_defaults(run=cmd_batches)

    p = commands.add_parser("undo", help="undo one import batch")
    p.add_argument("batch")
    add_db(p)
    p.set_defaults(run=cmd_undo)

    p = commands.add_parser("erase", help="remove every row about one person, for good")
    p.add_argument("--person", required=True, help="the person's id in the source system")
    add_db(p)
    p.set_defaults(run=cmd_erase)

    p = commands.add_parser("compact", help="rewrite the store file so deleted values are gone")
    add_db(p)
    p.set_defaults(run=cmd_compact)

    p = commands.add_parser("backup", help="write the store to a folder of Parquet files")
    p.add_argument("--out", type=Path, required=True)
    add_db(p)
    p.set_defaults(run=cmd_backup)

    p = commands.add_parser("restore", help="load a backup folder into the store")
    p.add_argument("source", type=Path, metavar="DIR")
    p.add_argument("--replace", action="store_true", help="replace a store that holds data")
    add_db(p)
    p.set_defaults(run=cmd_restore)

    pack_command = importlib.import_module("evaluation.cli.pack")
    p = commands.add_parser("pack", help="write the Making it Happen meeting pack (PDF)")
    add_db(p)
    pack_command.add_arguments(p)
    p.set_defaults(run=pack_command.run)

    if REPORTS:
        p = commands.add_parser("report", help="print a report")
        reports = p.add_subparsers(dest="report", required=True)
        for name, module_name in REPORTS.items():
            module = importlib.import_module(module_name)
            sub = reports.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
            add_db(sub)
            module.add_arguments(sub)
            sub.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except StoreBusy as busy:
        print(str(busy), file=sys.stderr)
        return 2
