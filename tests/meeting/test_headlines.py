"""The meeting's first screen: one headline per type of evidence, taken from its section, with
its interval and one plain sentence (on the data of tests/meeting/test_meeting.py)."""

from __future__ import annotations

from evaluation.meeting.headlines import headlines, moved_words, sentence
from evaluation.meeting.model import Figure
from evaluation.store.connection import Store
from tests.meeting.test_meeting import _summary, loaded  # noqa: F401  (the fixture)


def test_a_headline_per_type_of_evidence_from_its_own_section(loaded: Store) -> None:  # noqa: F811
    summary = _summary(loaded)
    cards = {card.section: card for card in headlines(summary.sections)}
    assert list(cards) == ["people", "staff", "money", "conversations"]
    for card in cards.values():  # the very figure the section below shows
        assert card.figure in summary.section(card.section).figures
    people = cards["people"]
    assert (people.figure.value, people.figure.change, people.figure.usual) == (
        "75.0%",
        "-15.0 points",
        "50.0%",
    )
    # 12 of 16 said yes (North 6 of 10, South 6 of 6): Wilson's interval, worked by hand
    assert people.figure.interval == "95% interval 50.5% to 89.8%"
    assert people.sentence == (
        "75.0% of people and families who answered said they were treated well: down 15.0 "
        "points on the previous period."
    )
    # a survey mean's t interval, from the cells' sums of squares: every answer at North
    # was 60%, so it has no spread at all
    assert cards["staff"].figure.interval == "95% interval 60.0% to 60.0%"
    money = cards["money"]
    assert money.figure.label == "Difference from usual practice (average a week)"
    assert money.figure.interval == "95% interval -£65 to £0"
    assert money.sentence == (
        "Care costs about £33 a week less per person than with usual practice, but the data "
        "can't tell the two apart yet."
    )
    assert cards["conversations"].sentence.startswith("5 Conversation 1s have been underway")


def test_a_site_with_nothing_to_show_says_why_not_a_rate_of_nothing(loaded: Store) -> None:  # noqa: F811
    cards = {c.section: c for c in headlines(_summary(loaded, ("East",)).sections)}
    assert cards["people"].figure.value == "not shown"
    assert cards["people"].sentence == "Not shown: fewer than 5 responses."
    assert cards["staff"].sentence == "No responses in this period."
    # no difference from usual practice to give: the average change instead, saying why
    assert cards["money"].figure.label == "Average change in weekly cost of care per person"
    assert cards["money"].sentence == "No requests for support yet."


def test_the_words_for_a_change() -> None:
    assert moved_words("+1.3 points") == "up 1.3 points on the previous period"
    assert moved_words("-£1 a week") == "down £1 a week on the previous period"
    assert moved_words("no change") == "no change on the previous period"
    assert moved_words("") == ""
    saving = Figure(
        label="Difference from usual practice (average a week)",
        value="-£20",
        base="-£19.89 a week; 95% interval -£35 to -£5: the interval excludes zero",
        previous="-£21",
        change="+£1 a week",
        number=-19.89,
        previous_number=-20.69,
    )
    # a saving that shrank by a pound is not "up": the sentence gives the earlier figure
    assert sentence(saving, "") == (
        "Care costs about £20 a week less per person than with usual practice, a real "
        "difference (the interval excludes zero); it was -£21 a week in the previous period."
    )
