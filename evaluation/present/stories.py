"""Stories of difference as they are read and printed: plain text, never markup."""

from __future__ import annotations

from collections.abc import Sequence

from evaluation.measures.stories import StoryItem
from evaluation.present.formats import uk_date


def heading(story: StoryItem) -> str:
    """Where and when it was told: ``Northfield · Conversation 2 · told 03/02/2026``."""
    which = f"Conversation {story.conversation}" if story.conversation else "no conversation given"
    return f"{story.site} · {which} · told {uk_date(story.told_on)}"


def stories_text(items: Sequence[StoryItem]) -> str:
    """The stories as one plain-text document, one after another, for printing or saving."""
    blocks = [f"{s.title}\n{heading(s)}\n\n{s.story}" for s in items]
    return ("\n\n" + "-" * 40 + "\n\n").join(blocks) + "\n"
