"""The first screen of the meeting: one headline per type of evidence, in plain words.

A director reads the answer before anything else: for people and families, staff, money and
conversations, the figure that says most, its change, usual practice, its interval and one
sentence of what it means. Picked from the summary's own sections, so the headline, the
section below it and the pack can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

from evaluation.meeting.model import Figure, Headline, Section

# (section, the start of the figure's label, what the figure says about people, "{value}"
# standing for it). The first label found in a section is its headline.
CHOICES: tuple[tuple[str, str, str], ...] = (
    (
        "people",
        "Treated well",
        "{value} of people and families who answered said they were treated well",
    ),
    ("staff", "Time with people", "Staff spent {value} of their time with people on average"),
    ("money", "Difference from", ""),
    (
        "money",
        "Average change in weekly cost",
        "The weekly cost of people's long-term care changed by {value} a person after their "
        "conversations",
    ),
    (
        "conversations",
        "Conversation 1s underway",
        "{value} Conversation 1s have been underway for more than 28 days",
    ),
)


def headlines(sections: Sequence[Section]) -> list[Headline]:
    """A headline for each section that has one of ``CHOICES``' figures, in section order."""
    found = []
    for section in sections:
        for key, label, subject in CHOICES:
            if key != section.key:
                continue
            item = next((f for f in section.figures if f.label.startswith(label)), None)
            if item is None or (not subject and item.number is None):
                continue  # no difference from usual practice: the average instead
            found.append(Headline(section.key, section.title, item, sentence(item, subject)))
            break
    return found


def sentence(item: Figure, subject: str) -> str:
    """One plain sentence: what the figure says, and how it moved since the previous period
    (or why there is no figure)."""
    if item.number is None:
        why = item.base.split(";")[0]
        if item.value in ("none", ""):
            return f"{why[:1].upper()}{why[1:]}."
        return f"{item.value[:1].upper()}{item.value[1:]}: {why}."
    said = subject.format(value=item.value) if subject else _against_usual(item)
    if item.base.startswith("latest pulse"):  # "latest pulse, 14/09/2026 to … (none in …)"
        pulse = item.base.split(";")[0].removeprefix("latest pulse, ")
        dates = pulse.replace(" (none in this period)", "")
        when = "the last pulse before this period" if dates != pulse else "the latest pulse"
        said += f", in {when} ({dates})"
    moved = moved_words(item.change) if subject else _before(item)
    joiner = ": " if subject else "; "
    return f"{said}{joiner}{moved}." if moved else f"{said}."


def moved_words(change: str) -> str:
    """ "+1.3 points" → "up 1.3 points on the previous period"; "no change" as it is."""
    if not change:
        return ""
    if change == "no change":
        return "no change on the previous period"
    direction = {"+": "up ", "-": "down "}.get(change[0], "")
    return f"{direction}{change.lstrip('+-')} on the previous period"


def _before(item: Figure) -> str:
    """The previous period's difference, as it was (a rise in a saving reads wrongly)."""
    if item.previous in ("", "none") or item.change in ("", "no change"):
        return moved_words(item.change)
    return f"it was {item.previous} a week in the previous period"


def _against_usual(item: Figure) -> str:
    """The difference from usual practice in words, and whether its interval can tell."""
    amount = item.value.lstrip("+-")
    usual = item.label.removeprefix("Difference from ").split(" (")[0]
    if item.number is not None and item.number < 0:
        said = f"Care costs about {amount} a week less per person than with {usual}"
    elif item.number:
        said = f"Care costs about {amount} a week more per person than with {usual}"
    else:
        said = f"Care costs about the same per person as with {usual}"
    if "excludes zero" in item.base:
        return f"{said}, a real difference (the interval excludes zero)"
    if "can't tell" in item.base:
        return f"{said}, but the data can't tell the two apart yet"
    return said
