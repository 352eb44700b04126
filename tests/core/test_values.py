"""The cell parsers of the contract (§1): what each accepts, and the sentence when it refuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic_core import PydanticCustomError

from evaluation.core import values as v
from evaluation.core.vocabulary import APPROACHES, approach_order


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("05/03/2024", date(2024, 3, 5)),
        ("5/3/2024", date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        (" 05/03/2024 10:10 ", date(2024, 3, 5)),
        ("2024-03-05T10:10:59", date(2024, 3, 5)),
        ("29/02/2024", date(2024, 2, 29)),
    ],
)
def test_uk_and_iso_dates_are_read(text: str, day: date) -> None:
    assert v.uk_date(text) == day


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("12/31/2023", "looks like a US-style"),
        ("05/03/24", "two-digit year"),
        ("29/02/2023", "not a real date"),
        ("yesterday", "not a date"),
        ("2024-3-5", "not a date"),
    ],
)
def test_a_date_that_could_be_misread_is_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(PydanticCustomError, match=says):
        v.uk_date(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("1234.5", "1234.50"), ("1,234.50", "1234.50"), ("£1,234.50", "1234.50"), ("-0", "0.00")],
)
def test_money_in_the_shapes_finance_exports_use(text: str, amount: str) -> None:
    assert v.money(text) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "says"),
    [("-5", "negative"), ("1.234", "two decimal"), ("12,34", "not an amount"), ("1e9", "not an")],
)
def test_money_refusals(text: str, says: str) -> None:
    with pytest.raises(PydanticCustomError, match=says):
        v.money(text)


def test_yes_no_answers_scores_statuses_and_numbers() -> None:
    assert [v.yes_no(t) for t in ("Yes", "y", "TRUE", "1", "no", "N", "false", "0")] == [
        *([True] * 4),
        *([False] * 4),
    ]
    assert [v.answer(t) for t in ("Y", "Partially", "no")] == ["yes", "partly", "no"]
    assert v.score(" 4 ") == 4 and v.percent("62.5%") == 62.5
    assert v.status("Canceled") == "cancelled" and v.request_type("NEW") == "new"
    assert [v.conversation_number(t) for t in ("1", "C2", "Conversation 3")] == [1, 2, 3]
    for parse, text in ((v.yes_no, "maybe"), (v.score, "6"), (v.percent, "101"), (v.answer, "?")):
        with pytest.raises(PydanticCustomError):
            parse(text)


def test_approaches_have_one_spelling_and_a_fixed_order() -> None:
    spelt = ("3Cs", "Three_Conversations", "three-conversations", "BAU", "Business as usual")
    assert [v.approach(t) for t in spelt] == [APPROACHES[0]] * 3 + [APPROACHES[1]] * 2
    with pytest.raises(PydanticCustomError, match="unknown approach"):
        v.approach("something new")
    assert sorted(["other", *reversed(APPROACHES)], key=approach_order) == [*APPROACHES, "other"]


def test_required_and_optional_wrappers() -> None:
    required, optional = v.required(v.score), v.optional(v.score, default=3)
    with pytest.raises(PydanticCustomError, match="blank"):
        required("  ")
    assert optional("") == 3 and optional(" 5 ") == 5 and required("2") == 2
