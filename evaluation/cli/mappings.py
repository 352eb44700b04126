"""``python -m evaluation mappings``: the saved mapping profiles — list, show, add, remove.

A profile is made once per export (on the Upload page, or written by hand in TOML) and then
used by name: ``python -m evaluation import FILE --mapping "Mosaic steps report"``, or as a
file with ``--mapping profile.toml``. ``show`` prints the TOML as it was saved, so it can be
edited and added again.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from evaluation.cli.data import who
from evaluation.cli.options import add_db, refuse, text_table
from evaluation.core.contract import KINDS
from evaluation.ingest.mapping_profile import ProfileError, parse_profile
from evaluation.ingest.mapping_saved import profile_text, save_profile
from evaluation.store import profiles
from evaluation.store.connection import Store


def _list(store: Store) -> int:
    saved = profiles.saved_profiles(store)
    if not saved:
        print("no mapping profiles saved yet")
        return 0
    rows = []
    for item in saved:
        try:
            parse_profile(item.text)
            state = "ready"
        except ProfileError as error:
            state = f"can't be read: {error}"
        label = KINDS[item.kind].label if item.kind in KINDS else item.kind
        rows.append([item.name, label, f"{item.saved_at:%d/%m/%Y %H:%M}", item.saved_by, state])
    print(text_table(["name", "kind", "saved", "by", "state"], rows, right=()))
    return 0


def _show(store: Store, name: str) -> int:
    text = profile_text(store, name)
    if text is None:
        return refuse(ProfileError(f"no mapping profile is saved as {name!r}"))
    print(text.rstrip("\n"))
    return 0


def _add(store: Store, path: Path, by: str) -> int:
    try:
        data = path.read_bytes()
    except OSError as error:
        return refuse(ProfileError(f"{path}: can't read the profile ({error.strerror})"))
    try:
        parse_profile(data, path.name)  # a refusal names the file
        profile, replaced = save_profile(store, data, by)
    except ProfileError as error:
        return refuse(error)
    what = "replaced the saved" if replaced else "saved the"
    print(f"{what} mapping profile '{profile.name}' ({KINDS[profile.kind].label.lower()})")
    return 0


def _remove(store: Store, name: str) -> int:
    if not profiles.remove_profile(store, name):
        return refuse(ProfileError(f"no mapping profile is saved as {name!r}"))
    print(f"removed the mapping profile {name!r}")
    return 0


def run(args: argparse.Namespace) -> int:
    store = Store(args.db)
    try:
        action = getattr(args, "action", None) or "list"
        if action == "show":
            return _show(store, args.name)
        if action == "add":
            return _add(store, args.file, who())
        if action == "remove":
            return _remove(store, args.name)
        return _list(store)
    finally:
        store.close()


def add_commands(commands: argparse._SubParsersAction) -> None:
    """``mappings [list | show NAME | add FILE.toml | remove NAME]``."""
    p = commands.add_parser("mappings", help="list, show, add or remove saved mapping profiles")
    add_db(p)
    p.set_defaults(run=run)
    actions = p.add_subparsers(dest="action")
    sub = actions.add_parser("list", help="the saved profiles (the default)")
    add_db(sub, argparse.SUPPRESS)
    sub = actions.add_parser("show", help="print a saved profile's TOML")
    sub.add_argument("name", metavar="NAME")
    add_db(sub, argparse.SUPPRESS)
    sub = actions.add_parser("add", help="check a profile's TOML file and save it")
    sub.add_argument("file", type=Path, metavar="FILE.toml")
    add_db(sub, argparse.SUPPRESS)
    sub = actions.add_parser("remove", help="remove a saved profile")
    sub.add_argument("name", metavar="NAME")
    add_db(sub, argparse.SUPPRESS)
