"""The dashboard's own words, defined once: the approaches, and what a missing value says.

Every module that compares the approaches, labels a group or fills in a value the export
left blank takes these, so "usual practice" is spelt one way in the store, on every page, in
the pack and in every report.
"""

from __future__ import annotations

THREE_CONVERSATIONS = "three conversations"
USUAL_PRACTICE = "usual practice"
APPROACHES = (THREE_CONVERSATIONS, USUAL_PRACTICE)
# Usual practice read across every site, when the sites chosen have none of their own.
USUAL_PRACTICE_ALL_SITES = f"{USUAL_PRACTICE}, all sites"
# A usual-practice conversation has no number: it is labelled by its approach instead.
USUAL_PRACTICE_LABEL = USUAL_PRACTICE.capitalize()

# The two kinds of care package: only long-term ones make the weekly cost of long-term care.
LONG_TERM = "long term"
SHORT_TERM = "short term"

# A grouping value the export left blank (an area, a cohort, a method, a role).
NOT_GIVEN = "not given"
# The same, as a request-level group label, set apart from any real area name.
NOT_GIVEN_GROUP = f"({NOT_GIVEN})"


def approach_order(approach: str) -> int:
    """Three conversations first, then usual practice, then anything else."""
    return APPROACHES.index(approach) if approach in APPROACHES else len(APPROACHES)
