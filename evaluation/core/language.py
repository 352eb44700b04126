"""The words the dashboard never shows (contract §3), and a finder for them.

The approach talks about people, conversations, requests for support and innovation sites.
The rules for innovators (seed 001) retire the language of processing people — 'service
user', 'case', 'referral', 'triage', 'screening', 'signposting', 'pathway', 'journey',
'allocation' — even in innocent phrases ("in case", "use case"), because a reader can't tell
which use was meant and the words set the tone of the whole page.

How a match is decided:

* Case-insensitive, and only at word boundaries on the left: a retired word must not
  follow a letter, so "showcase" and "staircase" pass while "case", "Case" and
  "case-management" do not.
* On the right the word may take its ordinary inflections and then must end: 'case' finds
  "case" and "cases" but not "casein" or "cassette"; 'triage' finds "triaged", "triaging".
* A few compounds that carry the same meaning are retired with their word: "caseload",
  "casework", "caseworker"; "signpost" (and "signposted"); "service-user" and
  "service   user" across any spaces or a line break.
* Digits and underscores count as boundaries (they are not letters), so an identifier such
  as ``case_id`` shown to a user would be caught too — which is what we want.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RETIRED: tuple[str, ...] = (
    "service user",
    "case",
    "referral",
    "triage",
    "screening",
    "signposting",
    "pathway",
    "journey",
    "allocation",
)

# Each retired word's pattern: the word, its inflections and compounds of the same meaning.
_FORMS: dict[str, str] = {
    "service user": r"service[\s\-]+users?",
    "case": r"case(?:s|load|loads|work|worker|workers)?",
    "referral": r"referrals?",
    "triage": r"triag(?:e|es|ed|ing)",
    "screening": r"screenings?",
    "signposting": r"signpost(?:s|ed|ing)?",
    "pathway": r"pathways?",
    "journey": r"journeys?",
    "allocation": r"allocations?",
}
_PATTERN = re.compile(
    "|".join(f"(?P<w{i}>(?<![^\\W\\d_]){_FORMS[w]}(?![^\\W\\d_]))" for i, w in enumerate(RETIRED)),
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """One retired word in a text: which word, the text matched and a little context."""

    word: str
    matched: str
    start: int
    context: str


def find_retired(text: str, context: int = 30) -> list[Found]:
    """Every use of a retired word in ``text``, in order."""
    found = []
    for match in _PATTERN.finditer(text or ""):
        index = int(next(name for name, value in match.groupdict().items() if value)[1:])
        left, right = max(0, match.start() - context), match.end() + context
        snippet = " ".join(text[left:right].split())
        found.append(Found(RETIRED[index], match.group(0), match.start(), snippet))
    return found


def is_clean(text: str) -> bool:
    return not _PATTERN.search(text or "")
