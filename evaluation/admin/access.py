"""Who may do what: the roles file and the permissions each role carries.

On a council network the dashboard holds personal data, so every signed-in person is looked up
here by email and gets a ``Permissions`` object; pages ask it, never the role name. Kept free of
Streamlit so the rules are tested directly and read the same wherever they are used.

The roles come from a TOML file (or the same structure under ``[roles]`` in Streamlit secrets)::

    [[people]]
    email = "ana.lead@council.gov.uk"
    role = "site lead"
    sites = ["Northfield innovation site"]

    [[people]]
    email = "dir@council.gov.uk"
    role = "director"

Roles: **admin** (everything: uploads for any site, undo of any batch, erasure), **site lead**
(uploads and undo for the sites named, every evidence page, the person-level drill-down) and
**director** (every evidence page and pack; no uploads, no person-level drill-down). Anyone not
listed has no access at all.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from evaluation.core.contract import KINDS
from evaluation.core.text import same_name
from evaluation.store import batches
from evaluation.store.connection import Store
from evaluation.store.query import rows

ADMIN = "admin"
SITE_LEAD = "site lead"
DIRECTOR = "director"
ROLES = (ADMIN, SITE_LEAD, DIRECTOR)

# Pages that change the store: only people who may upload for some site open them. Every other
# page is evidence, open to every role (pages added later are evidence unless listed here).
DATA_PAGES = frozenset({"upload"})


class RolesError(ValueError):
    """The roles file or section can't be used; the message says which entry and why."""


def normalise_email(email: str) -> str:
    """Emails match however they are capitalised: identity providers don't agree on it."""
    return email.strip().casefold()


def normalise_site(site: str) -> str:
    """Site names match however capitalised, spaced or encoded (a no-break space, a ligature):
    compared as the import normalises them (``core.text``), without regard to capitals."""
    return same_name(site)


def _role(value: object, entry: int) -> str:
    if not isinstance(value, str):
        raise RolesError(f"entry {entry}: role must be one of {', '.join(ROLES)}")
    role = " ".join(value.replace("_", " ").replace("-", " ").split()).lower()
    if role not in ROLES:
        raise RolesError(f"entry {entry}: unknown role {value!r}; use one of {', '.join(ROLES)}")
    return role


@dataclass(frozen=True)
class Person:
    """One listed person: their email as written in the file, their role, their sites."""

    email: str
    role: str
    sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Roles:
    """Everyone listed, found by email however it is capitalised."""

    people: Mapping[str, Person] = field(default_factory=dict)

    def find(self, email: str | None) -> Person | None:
        return self.people.get(normalise_email(email)) if email else None


def parse_roles(data: Mapping[str, Any]) -> Roles:
    """Read the ``people`` list of a roles file or a ``[roles]`` secrets section.

    Strict on purpose: a typo in a role or a site lead without sites is an error, never a
    person quietly given less (or more) than meant.
    """
    entries = data.get("people", [])
    if not isinstance(entries, list):
        raise RolesError("'people' must be a list of [[people]] entries")
    people: dict[str, Person] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise RolesError(f"entry {number}: expected email, role and sites")
        email = entry.get("email")
        if not isinstance(email, str) or "@" not in email:
            raise RolesError(f"entry {number}: email is missing or not an email address")
        role = _role(entry.get("role"), number)
        sites = entry.get("sites", [])
        if isinstance(sites, str):
            sites = [sites]
        if not isinstance(sites, list) or not all(isinstance(s, str) and s.strip() for s in sites):
            raise RolesError(f"entry {number}: sites must be a list of site names")
        if role == SITE_LEAD and not sites:
            raise RolesError(f"entry {number}: a site lead needs at least one site")
        key = normalise_email(email)
        if key in people:
            raise RolesError(f"entry {number}: this email is listed twice")
        people[key] = Person(email=email.strip(), role=role, sites=tuple(s.strip() for s in sites))
    return Roles(people)


def roles_from_toml(text: str) -> Roles:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RolesError(f"not valid TOML: {error}") from error
    return parse_roles(data)


def load_roles_file(path: Path) -> Roles:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RolesError(f"can't read {path.name}: {error.strerror}") from error
    return roles_from_toml(text)


@dataclass(frozen=True)
class Permissions:
    """What one person may do. ``role`` None means signed in but not listed: nothing at all."""

    role: str | None
    sites: frozenset[str] = frozenset()  # normalised site names, for site leads

    @property
    def has_access(self) -> bool:
        return self.role is not None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def may_upload(self, site: str | None) -> bool:
        """Import rows for ``site``; None is a kind with no site column (care packages).

        Care packages carry no site, so nothing ties a package to one innovation site: only an
        admin imports them, or a site lead could replace packages of another site's people.
        """
        if self.is_admin:
            return True
        return self.role == SITE_LEAD and site is not None and normalise_site(site) in self.sites

    @property
    def may_upload_any(self) -> bool:
        return self.is_admin or (self.role == SITE_LEAD and bool(self.sites))

    def may_import(self, sites: Collection[str | None]) -> bool:
        """A whole file: every row's site must be allowed (an empty file is the admin's)."""
        if self.is_admin:
            return True
        return bool(sites) and all(self.may_upload(s) for s in sites)

    def may_undo(self, batch_sites: Collection[str | None]) -> bool:
        """Undo a batch whose rows (and the rows it would bring back) are at these sites."""
        return self.may_import(batch_sites)

    @property
    def may_erase(self) -> bool:
        return self.is_admin

    @property
    def may_see_people(self) -> bool:
        """Person-level drill-downs (pseudonymised rows): not for directors."""
        return self.role in (ADMIN, SITE_LEAD)

    @property
    def may_download_pack(self) -> bool:
        return self.has_access

    def may_open(self, url_path: str) -> bool:
        """Whether a page (by its url_path; "" is home) belongs in this person's menu."""
        if not self.has_access:
            return False
        if url_path in DATA_PAGES:
            return self.may_upload_any
        return True


NO_ACCESS = Permissions(role=None)
LOCAL_ADMIN = Permissions(role=ADMIN)


def permissions_for(person: Person | None) -> Permissions:
    if person is None:
        return NO_ACCESS
    return Permissions(role=person.role, sites=frozenset(normalise_site(s) for s in person.sites))


def describe(person: Person | None) -> str:
    """The role as a person reads it: 'site lead for Northfield innovation site'."""
    if person is None:
        return "no role"
    if person.role == SITE_LEAD:
        return f"site lead for {', '.join(person.sites)}"
    return person.role


# --- the sites a file or a batch touches -------------------------------------------------------


def file_sites(table: pa.Table | None) -> set[str | None]:
    """The sites of a checked file's rows; {None} for a kind without a site column."""
    if table is None or "site" not in table.column_names:
        return {None}
    return set(table.column("site").to_pylist())


def batch_sites(store: Store, batch_ids: Iterable[str] | None = None) -> dict[str, set[str | None]]:
    """Per batch: the sites the import log recorded for it, of its rows (current or since
    replaced) and of the rows it replaced (undo brings those back). A kind without a site column
    gives {None}."""
    log = batches.log(store)
    wanted = set(batch_ids) if batch_ids is not None else {b["batch_id"] for b in log}
    found: dict[str, set[str | None]] = {b: set() for b in wanted}
    by_kind: dict[str, list[str]] = {}
    for row in log:
        if row["batch_id"] in wanted:
            by_kind.setdefault(row["kind"], []).append(row["batch_id"])
            # The sites the import log recorded: a batch that only moved the as-of date on
            # (the same rows, a newer extract) has no rows of its own.
            found[row["batch_id"]].update(row.get("sites") or ())
    for kind, ids in by_kind.items():
        table = KINDS[kind].name  # the whitelist, not the log's text
        if "site" not in KINDS[kind].columns:
            for batch in ids:
                found[batch].add(None)
            continue
        for batch, site in rows(
            store,
            f"SELECT batch_id, site FROM {table} WHERE list_contains($ids, batch_id) "
            f"UNION SELECT batch_id, site FROM {table}_replaced "
            "WHERE list_contains($ids, batch_id) "
            f"UNION SELECT replaced_by, site FROM {table}_replaced "
            "WHERE list_contains($ids, replaced_by)",
            {"ids": ids},
        ):
            found[batch].add(site)
    return found
