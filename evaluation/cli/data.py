"""The commands that change the store or take data in and out: import, sample, batches,
undo, erase, compact, backup and restore. Each is ``add_NAME(commands)`` registering its
parser and the function that runs it (exit 0 done, 2 refused with the reason on stderr)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from evaluation.admin.access import LOCAL_ADMIN
from evaluation.admin.backup import backup, restore
from evaluation.admin.erasure import erase
from evaluation.cli.options import add_db, add_mapping, iso_date, refuse
from evaluation.core.contract import KINDS
from evaluation.ingest import cld_read, reading, sample
from evaluation.ingest.cld import CldImported
from evaluation.ingest.cld_settings import SettingsError
from evaluation.ingest.importer import ImportFailed, import_files
from evaluation.ingest.mapping_profile import ProfileError
from evaluation.ingest.mapping_saved import profile_from
from evaluation.ingest.reading import Refused, refuse_size
from evaluation.measures.prepared import prepare
from evaluation.present.cld import settings_text, summary_text
from evaluation.store import batches
from evaluation.store.connection import Store, StoreError

MAX_PROBLEMS_SHOWN = 200
T = TypeVar("T")
Commands = argparse._SubParsersAction


def who() -> str:
    """The operating-system user, for the import and erasure logs."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def read_files(paths: list[Path]) -> list[tuple[str, bytes]]:
    """Each file's name and bytes; a file too large is refused from its size, unread.

    Raises ``StoreError`` with the file named (can't be read, or too large)."""
    files = []
    for path in paths:
        try:
            files.append((path.name, _read(path)))
        except Refused as refused:
            raise StoreError(f"{path}: {refused} Nothing was stored.") from None
        except OSError as error:
            raise StoreError(f"{path}: can't read the file ({error.strerror})") from None
    return files


def _read(path: Path) -> bytes:
    """A file's bytes, refused unread when too large: a Client Level Data extract (known by
    its headers) may be up to ``MAX_CLD_BYTES``, a national file being larger than an upload;
    any other file up to the upload limit."""
    size = path.stat().st_size
    if size > reading.MAX_UPLOAD_BYTES:
        with path.open("rb") as handle:
            extract = cld_read.recognise(handle.read(cld_read.HEAD_BYTES))
        refuse_size(size, cld_read.MAX_CLD_BYTES if extract else reading.MAX_UPLOAD_BYTES)
    return path.read_bytes()


def opened(args: argparse.Namespace) -> Store:
    """The store named by ``--db``; what opening it found (an erasure left to finish) is said
    on stderr."""
    store = Store(args.db)
    for notice in store.notices:
        print(f"note: {notice}", file=sys.stderr)
    return store


def cmd_import(args: argparse.Namespace) -> int:
    try:
        files = read_files(args.files)
    except StoreError as error:
        return refuse(error)
    store = opened(args)
    try:
        profile = profile_from(store, args.mapping) if args.mapping else None
        results = import_files(
            store,
            files,
            kind=args.kind,
            as_of=args.as_of,
            imported_by=who(),
            source="cli",
            allowed=LOCAL_ADMIN,
            cld_sites=args.cld_site,
            cld_patterns=args.cld_conversation_pattern,
            profile=profile,
        )
    except (SettingsError, ProfileError, StoreError) as error:
        return refuse(error)
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
    else:
        prepared(store)
    finally:
        store.close()
    for result in results:
        print(result.summary())
        if isinstance(result, CldImported):
            print(settings_text(result.used))
            print(summary_text(result.found))
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    for path in sample.write(args.out):
        print(path)
    return 0


def cmd_batches(args: argparse.Namespace) -> int:
    rows = on_store(args, batches.log)
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
            + _replaced_of(row)
        )
    return 0


def _replaced_of(row: dict[str, object]) -> str:
    """Who replaced what: the sites of the rows a batch replaced, when not only its own."""
    replaced = row.get("replaced_sites") or []
    own = set(row.get("sites") or [])  # type: ignore[call-overload]
    others = [s for s in replaced if s not in own]  # type: ignore[attr-defined]
    return f"  replaced rows of {', '.join(others)}" if others else ""


def on_store(args: argparse.Namespace, action: Callable[[Store], T]) -> T:
    """``action`` on the store named by ``--db``, closed afterwards whatever happens."""
    store = opened(args)
    try:
        return action(store)
    finally:
        store.close()


def prepared(store: Store) -> None:
    """After the data changed: write the dashboard's whole-store tables into the store
    (``measures.prepared``), saying so on stderr. The change itself is stored whatever
    happens here: if this fails, the dashboard builds the tables itself."""
    try:
        seconds = prepare(store)
    except StoreError as error:
        print(f"note: the dashboard will work out its figures itself ({error})", file=sys.stderr)
        return
    print(f"note: the dashboard's figures are prepared ({seconds:.1f} s)", file=sys.stderr)


def then_prepared(action: Callable[[Store], T]) -> Callable[[Store], T]:
    """``action``, and after it the dashboard's whole-store tables (``prepared``)."""

    def done(store: Store) -> T:
        result = action(store)
        prepared(store)
        return result

    return done


def cmd_undo(args: argparse.Namespace) -> int:
    try:
        done = on_store(
            args, then_prepared(lambda store: batches.undo(store, args.batch, by=who()))
        )
    except StoreError as error:
        return refuse(error)
    print(
        f"undid batch {done['batch_id']} ({done['kind']}): {done['removed']} rows removed, "
        f"{done['restored']} earlier rows restored"
    )
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    try:
        done = on_store(args, then_prepared(lambda store: erase(store, args.person, by=who())))
    except StoreError as error:
        return refuse(error)
    if done.removed:
        print(f"erased {done.removed} row(s) about that person; the store file was rewritten")
    else:
        print(
            "no rows about that person remain; an earlier erasure that had not finished is now "
            "complete: the store file was rewritten"
        )
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    try:
        on_store(args, lambda store: store.rewrite_file())
    except StoreError as error:
        return refuse(error)
    print("rewrote the store file: nothing deleted remains in its free space")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        manifest = on_store(args, lambda store: backup(store, args.out))
    except StoreError as error:
        return refuse(error)
    total = sum(manifest["tables"].values())
    print(f"backed up {len(manifest['tables'])} tables ({total} rows) to {args.out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    try:
        manifest = on_store(
            args, then_prepared(lambda store: restore(store, args.source, replace=args.replace))
        )
    except StoreError as error:
        return refuse(error)
    print(
        f"restored {sum(manifest['tables'].values())} rows "
        f"from the backup of {manifest['created_at']}"
    )
    if manifest.get("not_compacted"):
        print(
            f"note: the backup was restored, but {manifest['not_compacted']}, so the values "
            "replaced may remain in its free space. Free some space on that disk, then run "
            "'python -m evaluation compact'.",
            file=sys.stderr,
        )
    return 0


def add_commands(commands: Commands) -> None:
    """Register every data command on the top-level parser's subcommands."""
    p = commands.add_parser("import", help="validate and import CSV files (all or nothing)")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    add_db(p)
    p.add_argument(
        "--kind", choices=sorted(KINDS), help="the record kind (default: detected from the headers)"
    )
    p.add_argument(
        "--as-of", type=iso_date, help="the export's extract date, YYYY-MM-DD (default: today)"
    )
    p.add_argument(
        "--cld-site",
        action="append",
        default=[],
        metavar="NAME=DISTRICT,DISTRICT",
        help="Client Level Data: an innovation site and the postcode districts it covers "
        "(repeat for each site; remembered in the store for the next extract)",
    )
    p.add_argument(
        "--cld-conversation-pattern",
        action="append",
        default=[],
        metavar="REGEX=N",
        help="Client Level Data: Event Description marking Conversation N, capitals ignored "
        "(repeat; replaces the defaults 'conversation\\s*([123])' and "
        "'initial conversation=1'; a REGEX without =N takes N from its first group)",
    )
    add_mapping(p)
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
