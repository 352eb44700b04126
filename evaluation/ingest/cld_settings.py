"""What a council tells the dashboard about its CLD extract: which postcode districts each
innovation site covers, and how its workers mark a conversation in Event Description.

A CLD file names no team, so a person's site is found from the district of their postcode
(Medway's innovation team took ME4 and ME5); everyone else is at ``Rest of the council``.
Councils word their conversations differently, so the marks are patterns: a regular
expression and the conversation it means, or a regular expression whose first group is the
number. The settings come from the command line (``--cld-site``, ``--cld-conversation-pattern``),
from the TOML file named by ``EVALUATION_CLD_SETTINGS``, or from what the store remembers
of the last CLD import, in that order.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SETTINGS_ENV = "EVALUATION_CLD_SETTINGS"
STORED_AS = "cld"  # the name the store keeps them under (``store.settings``)
REST_OF_COUNCIL = "Rest of the council"
# contract §4: "conversation\s*([123])" is that conversation, "initial conversation" is 1.
DEFAULT_PATTERNS: tuple[tuple[str, int | None], ...] = (
    (r"conversation\s*([123])", None),
    ("initial conversation", 1),
)
# A postcode's outward code: ME4, SW1A, B1, EC1V.
DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")


class SettingsError(ValueError):
    """A setting that can't be used; the message says which and why."""


@dataclass(frozen=True)
class CldSettings:
    """The innovation sites' districts and the conversation marks, checked."""

    sites: tuple[tuple[str, tuple[str, ...]], ...] = ()
    patterns: tuple[tuple[str, int | None], ...] = DEFAULT_PATTERNS

    @property
    def districts(self) -> dict[str, str]:
        """Each listed district and its site."""
        return {district: site for site, districts in self.sites for district in districts}

    def to_json(self) -> str:
        return json.dumps(
            {"sites": {site: list(d) for site, d in self.sites}, "patterns": self.patterns}
        )

    @classmethod
    def from_json(cls, text: str) -> CldSettings:
        data = json.loads(text)
        return settings(data.get("sites", {}).items(), [tuple(p) for p in data["patterns"]])

    def site_lines(self) -> str:
        """The sites as the Upload page's form and ``--cld-site`` write them."""
        return "\n".join(f"{site}={','.join(districts)}" for site, districts in self.sites)

    def pattern_lines(self) -> str:
        return "\n".join(p if n is None else f"{p}={n}" for p, n in self.patterns)


def normalise_district(text: str) -> str:
    """``me4`` → ``ME4``; refused unless it is an outward code."""
    district = re.sub(r"\s+", "", text).upper()
    if not DISTRICT.fullmatch(district):
        raise SettingsError(
            f"{text.strip()!r} is not a postcode district: give the first half of a "
            "postcode, such as ME4 or SW1A"
        )
    return district


def parse_site(text: str) -> tuple[str, tuple[str, ...]]:
    """``"Medway innovation team=ME4,ME5"`` → (site, districts)."""
    name, equals, listed = text.partition("=")
    if not equals or not name.strip() or not listed.strip():
        raise SettingsError(
            f"{text.strip()!r}: write a site as NAME=DISTRICT,DISTRICT (e.g. "
            "'Medway innovation team=ME4,ME5')"
        )
    districts = tuple(normalise_district(d) for d in listed.split(",") if d.strip())
    return name.strip(), districts


def parse_pattern(text: str) -> tuple[str, int | None]:
    """``"3C first=1"`` → (regex, 1); a regex without ``=N`` takes its number from its first
    group (``conversation\\s*([123])``)."""
    regex, equals, number = text.rpartition("=")
    if equals and number.strip() in {"1", "2", "3"}:
        return check_pattern(regex.strip(), int(number))
    return check_pattern(text.strip(), None)


def check_pattern(regex: str, number: int | None) -> tuple[str, int | None]:
    """A pattern that can be used: it compiles, and one without a number has a group."""
    if not regex:
        raise SettingsError("a conversation pattern is empty")
    try:
        compiled = re.compile(regex, re.IGNORECASE)
    except re.error as error:
        raise SettingsError(f"the conversation pattern {regex!r} is not valid: {error}") from None
    if number is None and compiled.groups < 1:
        raise SettingsError(
            f"the conversation pattern {regex!r} says no number: end it with =1, =2 or =3, "
            "or capture the number in a group, as in conversation\\s*([123])"
        )
    if number is not None and number not in (1, 2, 3):
        raise SettingsError(f"the conversation pattern {regex!r}: the number must be 1, 2 or 3")
    return regex, number


def settings(
    sites: Iterable[tuple[str, Iterable[str]]],
    patterns: Iterable[tuple[str, int | None]] | None = None,
) -> CldSettings:
    """Checked settings: every district listed once, no site named like the rest."""
    seen: dict[str, str] = {}
    checked = []
    for site, districts in sites:
        name = str(site).strip()
        if not name:
            raise SettingsError("a site has no name")
        if name.lower() == REST_OF_COUNCIL.lower():
            raise SettingsError(f"{REST_OF_COUNCIL!r} is where everyone else goes: name the site")
        found = tuple(dict.fromkeys(normalise_district(str(d)) for d in districts))
        if not found:
            raise SettingsError(f"the site {name!r} has no postcode districts")
        for district in found:
            if district in seen and seen[district] != name:
                raise SettingsError(
                    f"{district} is listed for both {seen[district]!r} and {name!r}"
                )
            seen[district] = name
        checked.append((name, found))
    marks = DEFAULT_PATTERNS if patterns is None else tuple(check_pattern(*p) for p in patterns)
    if not marks:
        raise SettingsError("give at least one conversation pattern")
    return CldSettings(tuple(checked), marks)


def from_mapping(data: Mapping[str, Any]) -> CldSettings:
    """The settings file's content: ``[sites]`` (name = [districts]) and an optional
    ``conversation_patterns`` list."""
    sites = data.get("sites", {})
    if not isinstance(sites, Mapping):
        raise SettingsError('[sites] must list each site as NAME = ["DISTRICT", …]')
    listed = [(name, [d] if isinstance(d, str) else d) for name, d in sites.items()]
    raw = data.get("conversation_patterns")
    if raw is not None and not isinstance(raw, list):
        raise SettingsError("conversation_patterns must be a list of patterns")
    return settings(listed, None if raw is None else [parse_pattern(str(p)) for p in raw])


def load_file(path: Path) -> CldSettings:
    try:
        return from_mapping(tomllib.loads(path.read_text(encoding="utf-8")))
    except OSError as error:
        raise SettingsError(f"can't read the CLD settings file {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"the CLD settings file {path} is not valid TOML: {error}") from None


def configured() -> CldSettings | None:
    """The settings file named by ``EVALUATION_CLD_SETTINGS``, if any."""
    path = os.environ.get(SETTINGS_ENV)
    return load_file(Path(path)) if path else None


def combine(
    remembered: CldSettings | None,
    sites: Iterable[str] = (),
    patterns: Iterable[str] = (),
) -> CldSettings | None:
    """What to use: sites and patterns given now win, then the settings file, then what the
    store remembers; None when no sites are known anywhere (the caller asks for them)."""
    base = configured() or remembered
    given_sites = [parse_site(s) for s in sites]
    given_patterns = [parse_pattern(p) for p in patterns]
    if not given_sites and base is None:
        return None
    chosen = settings(
        given_sites or (base.sites if base else ()),
        given_patterns or (base.patterns if base else None),
    )
    return chosen if chosen.sites else None


def with_sites(current: CldSettings | None, lines: str, patterns: str | None) -> CldSettings:
    """The Upload page's form: one site a line, and optionally one pattern a line."""
    sites = [parse_site(line) for line in lines.splitlines() if line.strip()]
    if not sites:
        raise SettingsError("give at least one site and its districts")
    marks = (
        [parse_pattern(line) for line in patterns.splitlines() if line.strip()]
        if patterns is not None
        else list((current or CldSettings()).patterns)
    )
    return settings(sites, marks)
