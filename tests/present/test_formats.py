"""One way of writing each figure: half up as a spreadsheet rounds, one mark for nothing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from evaluation.present import formats as f


def test_one_rounding_rule_half_away_from_zero() -> None:
    assert f.percent(5.125, 2) == "5.13%"  # float formatting would say 5.12
    assert f.percent(6.25) == "6.3%"
    assert f.percent(2.675, 2) == "2.68%"
    assert f.number(0.125, 2) == "0.13" and f.number(1234.5, 0) == "1,235"
    assert f.interval((3.361, 7.827)) == "3.36% to 7.83%"
    assert f.interval((3.361, 7.827), 1, joiner="–") == "3.4–7.8%"


def test_one_mark_for_a_value_that_does_not_exist() -> None:
    for written in (
        f.percent(None),
        f.number(None),
        f.count(None),
        f.interval(None),
        f.days(None),
        f.uk_date(None),
        f.change_pounds(None),
        f.change_exact(None),
        f.pounds(None),
        f.points(None, 3.0),
    ):
        assert written == f.MISSING


def test_changes_carry_their_sign() -> None:
    assert f.points(64.3, 59.1) == "+5.2 points"
    assert f.points(59.1, 59.1) == "no change"
    assert f.change(3, 5, 0) == "-2" and f.change(2.25, 2.0, 2, " days") == "+0.25 days"
    assert f.signed(-0.004, 2) == "no change"


def test_money_as_harrows_report_writes_it() -> None:
    assert f.change_pounds(Decimal("-24.06")) == "-£24"
    assert f.change_pounds(Decimal("73.5")) == "+£74"
    assert f.change_pounds(Decimal("0")) == "£0"
    assert f.change_thousands(Decimal("-46499.99")) == "-£46,000"
    assert f.change_thousands(Decimal("218500")) == "+£219,000"
    assert f.change_exact(-24.055) == "-£24.06"
    assert f.pounds(Decimal("-1234.5")) == "-£1,234.50"


def test_days_and_dates() -> None:
    assert f.days(7.0) == "7 days" and f.days(3.5, unit=False) == "3.5"
    assert f.uk_date(date(2026, 3, 5)) == "05/03/2026"
    assert f.uk_time(datetime(2026, 3, 5, 9, 7)) == "05/03/2026 09:07"
    assert f.month("2025-03") == "Mar 2025" and f.month_start("2025-12") == date(2025, 12, 1)


@pytest.mark.parametrize("value", [0.5, 1.5, 2.5, -0.5])
def test_halves_round_away_from_zero(value: float) -> None:
    expected = int(value + (0.5 if value > 0 else -0.5))
    assert f.number(value, 0) == f"{expected:,}"
