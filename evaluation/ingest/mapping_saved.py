"""Saved mapping profiles, checked on the way in and read back as profiles.

The store keeps each profile's TOML as it was given (``store.profiles``), comments and all,
so a profile downloaded again reads the way its author wrote it. Nothing is saved that
``parse_profile`` refuses, so every saved profile can be applied.
"""

from __future__ import annotations

from pathlib import Path

from evaluation.ingest.mapping_profile import Profile, ProfileError, dump_profile, parse_profile
from evaluation.store import profiles
from evaluation.store.connection import Store


def save_profile(store: Store, profile: Profile | str | bytes, by: str) -> tuple[Profile, bool]:
    """Check and save a profile (a parsed one, or its TOML); (the profile, whether a profile
    of the same name was replaced). ProfileError says why one can't be saved."""
    if isinstance(profile, Profile):
        text = dump_profile(profile)
        parsed = parse_profile(text)
        if parsed != profile:
            raise ProfileError(f"the profile '{profile.name}' does not read back as it was made")
    else:
        parsed = parse_profile(profile)  # bytes: the size and encoding are checked too
        text = profile.decode("utf-8-sig") if isinstance(profile, bytes) else profile
    replaced = profiles.save_profile_text(store, parsed.name, parsed.kind, text, by)
    return parsed, replaced


def saved_profiles(store: Store) -> list[Profile]:
    """Every saved profile that can be read, the newest first (what the import tries)."""
    found = []
    for saved in profiles.saved_profiles(store):
        try:
            found.append(parse_profile(saved.text, saved.name))
        except ProfileError:
            continue  # listed by ``mappings`` with its reason; never applied
    return found


def find_profile(store: Store, name: str) -> Profile | None:
    """The profile saved under ``name`` (ignoring case and spaces), or None."""
    saved = profiles.find_profile(store, name)
    return None if saved is None else parse_profile(saved.text, f"the saved profile '{name}'")


def profile_text(store: Store, name: str) -> str | None:
    """A saved profile's TOML, as it was saved (for download and ``mappings show``)."""
    saved = profiles.find_profile(store, name)
    return None if saved is None else saved.text


def profile_names(store: Store) -> list[str]:
    return [saved.name for saved in profiles.saved_profiles(store)]


def profile_from(store: Store, given: str) -> Profile:
    """The profile ``given`` names: a TOML file (a path, or a name ending ``.toml``) or the
    name of a saved one; ProfileError says why it is neither."""
    path = Path(given)
    if given.lower().endswith(".toml") or path.is_file():
        try:
            data = path.read_bytes()
        except OSError as error:
            raise ProfileError(f"{given}: can't read the profile ({error.strerror})") from None
        return parse_profile(data, path.name)
    found = find_profile(store, given)
    if found is None:
        names = profile_names(store)
        listed = f": saved ones are {', '.join(repr(n) for n in names)}" if names else ""
        raise ProfileError(f"no mapping profile is saved as {given!r}{listed}")
    return found
