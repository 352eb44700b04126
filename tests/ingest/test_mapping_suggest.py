"""The mapping step's first guesses and what it reads of a file: headings suggested by name
likeness, values by what they plainly name, each column's words, and the choices made into a
profile checked like a TOML file."""

from __future__ import annotations

import pytest

from evaluation.core.contract import KINDS
from evaluation.ingest.mapping_profile import ProfileError
from evaluation.ingest.mapping_suggest import (
    MAX_WORDS,
    build_profile,
    sample_file,
    suggest_columns,
    suggest_kind,
    suggest_value,
    unchosen,
)

CONVERSATIONS = KINDS["conversations"]
HEADINGS = [
    "Step ID", "Client No", "Team", "Way Of Working", "Step Name", "Request Category",
    "Step Start", "Step End", "Step Outcome", "Worker",
]  # fmt: skip


def test_headings_are_suggested_by_name_likeness() -> None:
    found = suggest_columns(CONVERSATIONS, HEADINGS)
    named = {c: HEADINGS[i] for c, i in found.items() if i is not None}
    assert named == {
        "conversation_id": "Step ID",
        "person_id": "Client No",
        "site": "Team",
        "request_type": "Request Category",
        "started_on": "Step Start",
        "ended_on": "Step End",
        "worker_id": "Worker",
    }
    assert suggest_kind(HEADINGS) == "conversations"
    assert suggest_kind(["Package Ref", "Client ID", "Start Date", "Weekly Cost", "Status"]) == (
        "care_packages"
    )
    assert suggest_kind(["Response", "Team", "Submitted On", "Motivation"]) == "staff"


@pytest.mark.parametrize(
    ("column", "word", "value"),
    [
        ("approach", "3C Innovation Team", "three conversations"),
        ("approach", "BAU", "usual practice"),
        ("approach", "Care Management", None),
        ("conversation", "Conversation Two - Work Intensively in Crisis", "2"),
        ("conversation", "C3", "3"),
        ("conversation", "Assessment (Care Act)", None),
        ("request_type", "New Contact", "new"),
        ("long_term_support", "No Further Action", "no"),
        ("long_term_support", "Y", "yes"),
        ("long_term_support", "Info & Advice", None),
        ("age_band", "65 and over", "65+"),
    ],
)
def test_a_value_is_suggested_only_when_the_word_plainly_names_it(
    column: str, word: str, value: str | None
) -> None:
    assert suggest_value(CONVERSATIONS, column, word) == value


def test_a_file_is_sampled_with_each_columns_words_most_frequent_first() -> None:
    rows = [f"S{n},{'Care Management' if n % 3 else ' 3C Team '},{n}" for n in range(MAX_WORDS + 5)]
    data = ("Step ID,Way Of Working,Count\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1252")
    sample = sample_file(data)
    assert sample.headers == ["Step ID", "Way Of Working", "Count"]
    assert sample.rows == MAX_WORDS + 5 and len(sample.first_rows) == 5
    assert sample.first_rows[0] == ["S0", " 3C Team ", "0"]
    assert sample.words[1] == ["Care Management", "3C Team"]
    assert sample.words[0] is None  # more different values than a column of words has
    # A file the whole-file reader can't take (a quoted header) is read row by row.
    quoted = b'"Step ID","Way Of Working"\r\nS1,"Care, Management"\r\n'
    assert sample_file(quoted).words == [["S1"], ["Care, Management"]]


def test_the_steps_choices_make_a_profile_checked_like_a_file() -> None:
    profile = build_profile(
        " Mosaic steps ",
        "conversations",
        {"conversation_id": "Step ID", "approach": "Way Of Working"},
        {"approach": {"3C Team": "three conversations", "Care Management": "usual practice"}},
    )
    assert profile.name == "Mosaic steps"
    assert profile.values == {
        "approach": {"three conversations": ("3C Team",), "usual practice": ("Care Management",)}
    }
    with pytest.raises(ProfileError, match="approach is required"):
        build_profile("x", "conversations", {}, {"approach": {"Other": ""}})
    assert unchosen(["A", "b", "C"], {"a": "yes", "C": "no"}) == ["b"]
