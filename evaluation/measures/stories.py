"""Stories of difference: what changed for one person, told in their own terms.

Only stories the teller agreed to share ever leave this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from evaluation.store.connection import Store
from evaluation.store.query import dicts


@dataclass(frozen=True)
class StoryItem:
    story_id: str
    site: str
    told_on: date
    conversation: int | None
    title: str
    story: str


def stories(
    store: Store, *, site: str | None = None, conversation: int | None = None
) -> list[StoryItem]:
    """Stories of difference the teller agreed to share, newest first."""
    clauses, params = ["consent_to_share"], []
    if site:
        clauses.append("site = ?")
        params.append(site)
    if conversation:
        clauses.append("conversation = ?")
        params.append(conversation)
    rows = dicts(
        store,
        "SELECT story_id, site, told_on, conversation, title, story FROM stories "
        f"WHERE {' AND '.join(clauses)} ORDER BY told_on DESC, story_id",
        params,
    )
    return [StoryItem(**row) for row in rows]
