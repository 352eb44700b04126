"""Money as numbers: pounds kept exact (``Decimal``) and rounded half away from zero.

Rounding halves away from zero is what a spreadsheet's ROUND does, so a finance officer
checking a figure gets the same pounds. Averages are published to the penny; Harrow's report
shows them to the pound and full-year impacts to the nearest £1,000 (``present.formats``
writes them).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
POUND = Decimal("1")
THOUSAND = Decimal("1000")


def to_pence(amount: Decimal) -> Decimal:
    """Round to the penny (the only rounding done before a figure leaves the measures)."""
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


def round_pounds(amount: Decimal) -> Decimal:
    return amount.quantize(POUND, rounding=ROUND_HALF_UP)


def round_thousands(amount: Decimal) -> Decimal:
    return (amount / THOUSAND).quantize(POUND, rounding=ROUND_HALF_UP) * THOUSAND
