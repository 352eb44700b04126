"""Money as Harrow's report writes it: -£24, +£74, -£46,000, +£219,000.

A change always carries its sign (a saving reads as a saving); averages are shown to the
pound and full-year impacts to the nearest £1,000, rounding halves away from zero as a
spreadsheet's ROUND does. The exact figure, to the penny, is kept for hover text and exports.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
POUND = Decimal("1")
THOUSAND = Decimal("1000")


def to_pence(amount: Decimal) -> Decimal:
    """Round to the penny (the only rounding done before a figure leaves ``evaluation``)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def round_pounds(amount: Decimal) -> Decimal:
    return amount.quantize(POUND, rounding=ROUND_HALF_UP)


def round_thousands(amount: Decimal) -> Decimal:
    return (amount / THOUSAND).quantize(POUND, rounding=ROUND_HALF_UP) * THOUSAND


def _signed(amount: Decimal, places: int) -> str:
    sign = "-" if amount < 0 else "+" if amount > 0 else ""
    return f"{sign}£{abs(amount):,.{places}f}"


def change_pounds(amount: Decimal | None) -> str:
    """An average change to the pound with its sign: ``-£24``, ``+£74``, ``£0``."""
    return "" if amount is None else _signed(round_pounds(amount), 0)


def change_thousands(amount: Decimal | None) -> str:
    """A full-year impact to the nearest £1,000 with its sign: ``-£46,000``."""
    return "" if amount is None else _signed(round_thousands(amount), 0)


def change_exact(amount: Decimal | float | None) -> str:
    """The exact figure to the penny with its sign: ``-£24.06``."""
    if amount is None:
        return ""
    return _signed(to_pence(Decimal(str(amount))), 2)


def pounds_exact(amount: Decimal | None) -> str:
    """A cost (never negative) to the penny: ``£450.45``."""
    return "" if amount is None else f"£{to_pence(amount):,.2f}"
