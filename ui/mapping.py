"""The Upload page's mapping blocks: "Map your columns" for a file whose headings fit no kind,
and which profile reads the files (the saved profiles themselves: ``ui.mapping_profiles``).

A file's headings and words are the export's own: they reach the screen only as widget
options, ``st.text`` and tables, never in a label or markdown. Choices are first guesses
from ``ingest.mapping_suggest`` that the person checks; nothing is saved until they press
the button, and the file is then checked again, read with the new profile.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import streamlit as st

from evaluation.core.contract import KINDS, Kind
from evaluation.ingest.checks import Checked
from evaluation.ingest.mapping import Plan
from evaluation.ingest.mapping_profile import (
    Profile,
    ProfileError,
    allowed_values,
    canonical,
    dump_profile,
    fold,
)
from evaluation.ingest.mapping_saved import save_profile, saved_profiles
from evaluation.ingest.mapping_suggest import (
    MAX_WORDS,
    FileSample,
    build_profile,
    meanings_columns,
    sample_file,
    suggest_columns,
    suggest_kind,
    suggest_value,
    unchosen,
)
from evaluation.ingest.reading import Refused
from evaluation.present.mapping import preview_rows
from evaluation.store import profiles
from evaluation.store.connection import Store
from ui import components
from ui.session import current_user

AUTOMATIC = "Automatic"
NOT_IN_FILE = "(not in this file)"


@dataclass(frozen=True)
class Reading:
    """How the page reads its files: with one chosen profile, or trying the saved ones."""

    profile: Profile | None = None
    saved: tuple[Profile, ...] = ()

    @property
    def key(self) -> str:
        """Changes whenever what would read a file changes (a profile saved or replaced)."""
        chosen = [self.profile] if self.profile else list(self.saved)
        text = "\n".join(dump_profile(p) for p in chosen)
        return ("one:" if self.profile else "auto:") + hashlib.sha256(text.encode()).hexdigest()


def reading(store: Store) -> Reading:
    """The saved profiles, and a choice of one when there are any (default: automatic)."""
    saved = tuple(saved_profiles(store))
    if done := st.session_state.pop("mapping_saved", None):
        st.success(done)
    if not saved:
        return Reading()
    names = [AUTOMATIC, *(p.name for p in saved)]
    choice = st.selectbox(
        "Mapping profile",
        range(len(names)),
        format_func=lambda i: names[i],
        help="Automatic: a file whose headings the data contract doesn't know is read with "
        "the saved profile that fits it.",
    )
    return Reading(profile=saved[choice - 1]) if choice else Reading(saved=saved)


def used(item: Checked) -> None:
    """Say which profile read a file."""
    if item.profile:
        st.text(f"Read with the mapping profile: {item.profile}")


def step(store: Store, item: Checked, data: bytes, current: Reading) -> None:
    """The "Map your columns" step for a file whose headings fit no kind, or for one whose
    headings or values its profile doesn't know (to change that profile)."""
    tried = current.saved or ((current.profile,) if current.profile else ())
    start = next((p for p in tried if p.name == item.profile), None)
    if item.profile is None and item.headings_fit:
        return
    if item.profile is not None and (not item.unmapped or start is None):
        return
    key = f"map-{item.sha256[:16]}"
    with st.container(border=True):
        st.subheader("Map your columns")
        st.text(f"File: {item.file_name}")
        if start is not None:
            st.write(
                "Change the profile to read the values it doesn't know yet. Saving it under "
                "the same name replaces it."
            )
        else:
            st.write(
                "This file's headings don't match the data contract's. Say once which of its "
                "columns holds what, and what its values mean, then save that as a profile: "
                "the same export is read with it at once from then on (here, and by "
                "python -m evaluation import)."
            )
        try:
            sample = _sample(data, key)
        except Refused as refused:
            st.error(str(refused))
            return
        kind = _kind(sample, start.kind if start else item.kind and item.kind.name, key)
        key = f"{key}-{kind.name}"  # a choice of kind starts its columns afresh
        columns = _columns(kind, sample, start, key)
        preview = st.container()
        missing = [c for c in kind.required if c not in columns]
        if missing:
            st.warning(f"Choose the file's column for: {', '.join(missing)}.")
        # An id column's values are never offered as words: a saved profile would keep them.
        ids = {columns[c] for c in (kind.id_column, *kind.pseudonymised) if c in columns}
        clash = [c for c in meanings_columns(kind) if columns.get(c, -1) in ids]
        if clash:
            st.error(f"The column chosen for an id is also chosen for {', '.join(clash)}.")
            columns = {c: i for c, i in columns.items() if c not in clash}
        meanings, ready = _meanings(kind, sample, columns, start, key)
        with preview:
            st.caption(f"The first {len(sample.first_rows)} rows as the contract would read them:")
            components.table(preview_rows(kind, sample, columns, meanings))
        ready = ready and not missing and not clash
        _save(store, sample, kind, columns, meanings, ready, start, key)


def _sample(data: bytes, key: str) -> FileSample:
    cache = st.session_state.setdefault("mapping_samples", {})
    if key not in cache:
        cache[key] = sample_file(data)
    return cache[key]


def _kind(sample: FileSample, given: str | None, key: str) -> Kind:
    """The kind the file holds: the profile's, the one chosen on the page, or a guess."""
    names = list(KINDS)
    first = given or suggest_kind(sample.headers)
    chosen = st.selectbox(
        "What this file holds",
        names,
        index=names.index(first),
        format_func=lambda n: KINDS[n].label,
        key=f"{key}-kind",
    )
    return KINDS[chosen]


def _columns(kind: Kind, sample: FileSample, start: Profile | None, key: str) -> dict[str, int]:
    """A choice of the file's column for each contract column: contract column → position."""
    st.markdown("**Which column holds what**")
    if start is not None and start.kind == kind.name:
        suggested: dict[str, int | None] = dict(Plan.make(start, sample.headers).positions)
    else:
        suggested = suggest_columns(kind, sample.headers)
    options = [-1, *range(len(sample.headers))]
    chosen: dict[str, int] = {}
    grid = st.columns(3)
    for n, column in enumerate(kind.columns):
        first = suggested.get(column)
        with grid[n % 3]:
            index = st.selectbox(
                f"{column} (required)" if column in kind.required else column,
                options,
                index=0 if first is None else first + 1,
                format_func=lambda i: NOT_IN_FILE if i < 0 else sample.headers[i],
                help=kind.description(column),
                key=f"{key}-column-{column}",
            )
        if index >= 0:
            chosen[column] = index
    return chosen


def _meanings(
    kind: Kind,
    sample: FileSample,
    columns: dict[str, int],
    start: Profile | None,
    key: str,
) -> tuple[dict[str, dict[str, str]], bool]:
    """For each chosen column with allowed values, which of its words mean which value:
    (contract column → {word: value}, whether every word has exactly one value)."""
    mapped = [c for c in meanings_columns(kind) if c in columns]
    if not mapped:
        return {}, True
    st.markdown("**What its values mean**")
    meanings: dict[str, dict[str, str]] = {}
    ready = True
    for column in mapped:
        words = sample.words[columns[column]]
        if words is None:
            st.warning(
                f"The column chosen for {column} has more than {MAX_WORDS} different values, "
                f"so it can't be a column of {column} values: choose another column for it."
            )
            ready = False
            continue
        if not words:
            continue
        lookup = start.lookup(column) if start is not None and start.kind == kind.name else {}
        chosen, fine = _column_meanings(kind, column, words, lookup, f"{key}-values-{column}")
        meanings[column] = chosen
        ready = ready and fine
    return meanings, ready


def _column_meanings(
    kind: Kind, column: str, words: list[str], lookup: dict[str, str], key: str
) -> tuple[dict[str, str], bool]:
    """One column's words, under the value each means: (word → value, all said once)."""
    allowed = allowed_values(kind, column) or ()
    chosen: dict[str, str] = {}
    twice: list[str] = []
    with st.container(border=True):
        st.markdown(f"**{column}**")
        st.caption(kind.description(column))
        grid = st.columns(2)
        for n, value in enumerate(allowed):
            first = [
                w for w in words if lookup.get(fold(w), suggest_value(kind, column, w)) == value
            ]
            with grid[n % 2]:
                picked = st.multiselect(
                    f"{column}: {value or 'blank'}",
                    words,
                    default=first,
                    placeholder="Choose its values",
                    help=None if value else f"values that mean no {column} (read as blank)",
                    key=f"{key}-{value or 'blank'}",
                )
            for word in picked:
                if word in chosen:
                    twice.append(word)
                chosen[word] = value
        left = unchosen(words, chosen)
        if twice:
            st.error(f"Some values of {column} are chosen for two meanings; keep each under one.")
            st.text("Chosen twice: " + ", ".join(sorted(set(twice))))
        if left:
            st.warning(f"Some values of {column} have no meaning chosen yet.")
            st.text("Not chosen yet: " + ", ".join(left))
    return chosen, not twice and not left


def _needed(kind: Kind, column: str, chosen: dict[str, str]) -> bool:
    """Whether a column's words need mapping: some word means other than the contract reads."""
    for word, value in chosen.items():
        try:
            if canonical(kind, column, word) != value:
                return True
        except ProfileError:
            return True
    return False


def _save(
    store: Store,
    sample: FileSample,
    kind: Kind,
    columns: dict[str, int],
    meanings: dict[str, dict[str, str]],
    ready: bool,
    start: Profile | None,
    key: str,
) -> None:
    taken = {fold(p.name) for p in profiles.saved_profiles(store)}
    name = st.text_input(
        "Save the profile as",
        value=start.name if start else "",
        max_chars=100,
        placeholder="for example: Mosaic steps report",
        key=f"{key}-name",
    )
    if fold(name) in taken and (start is None or fold(name) != fold(start.name)):
        st.caption("A profile of this name is saved already: saving replaces it.")
    pressed = st.button(
        "Save the profile and read the file",
        type="primary",
        disabled=not ready or not name.strip(),
        key=f"{key}-save",
    )
    if not pressed:
        return
    headings = {column: sample.headers[index] for column, index in columns.items()}
    needed = {c: m for c, m in meanings.items() if _needed(kind, c, m)}
    try:
        profile = build_profile(name, kind.name, headings, needed)
        _, replaced = save_profile(store, profile, by=current_user())
    except ProfileError as error:
        st.error("The profile can't be saved:")
        st.text(str(error))
        return
    what = "Replaced" if replaced else "Saved"
    st.session_state["mapping_saved"] = f"{what} the mapping profile; the file was read again."
    st.session_state.pop("checked", None)
    st.rerun()
