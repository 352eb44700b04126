"""How every figure is written: one rounding rule, one mark for a missing value.

Pages, the meeting pack and the reports' text tables all write figures through these, so a
rate reads the same everywhere it appears. Rounding is half away from zero on the figure as
it prints (``5.125`` → ``5.13``), as a spreadsheet's ROUND does, so a council checking a
figure in Excel gets the same digits. A value that doesn't exist (nothing to divide by, no
completed request) is ``MISSING``; words that say *why* ("not known yet", "fewer than 5")
are the caller's to add.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from evaluation.core.money import round_pounds, round_thousands, to_pence

MISSING = "–"


def rounded(value: float | Decimal, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (of its shortest decimal form)."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: float | Decimal | None, places: int = 2) -> str:
    """``3.45``; a count with ``places=0`` gets thousands separators: ``1,234``."""
    if value is None:
        return MISSING
    if places == 0:
        return f"{rounded(value, 0):,.0f}"
    return f"{rounded(value, places):.{places}f}"


def count(value: int | None) -> str:
    """A whole number with thousands separators: ``1,234``."""
    return MISSING if value is None else f"{value:,}"


def percent(value: float | None, places: int = 1) -> str:
    """A percentage (0–100): ``64.3%``."""
    return MISSING if value is None else f"{rounded(value, places):.{places}f}%"


def interval(ci: tuple[float, float] | None, places: int = 2, joiner: str = " to ") -> str:
    """A 95% interval of percentages: ``3.10% to 7.92%`` (or ``3.10–7.92%``)."""
    if ci is None:
        return MISSING
    low, high = (f"{rounded(v, places):.{places}f}" for v in ci)
    return f"{low}%{joiner}{high}%" if joiner == " to " else f"{low}{joiner}{high}%"


def signed(value: float | None, places: int, unit: str = "") -> str:
    """A change with its sign: ``+5.2``, ``-0.25``; exactly zero is ``no change``."""
    if value is None:
        return MISSING
    shown = rounded(value, places)
    return "no change" if shown == 0 else f"{shown:+.{places}f}{unit}"


def change(now: float | None, before: float | None, places: int, unit: str = "") -> str:
    """The change from ``before`` to ``now``: "+3", "-0.25", "+1.0 days", "no change"."""
    if now is None or before is None:
        return MISSING
    return signed(now - before, places, unit)


def points(now: float | None, before: float | None, places: int = 1) -> str:
    """The change in a percentage, in points: "+5.2 points"; "no change"."""
    return change(now, before, places, " points")


def days(value: float | None, unit: bool = True) -> str:
    """Days as a median gives them: ``7 days``, ``3.5 days`` (``unit=False``: ``3.5``)."""
    if value is None:
        return MISSING
    return f"{value:g} days" if unit else f"{value:g}"


def uk_date(day: date | datetime | None) -> str:
    """dd/mm/yyyy, the form every date on the dashboard takes."""
    return MISSING if day is None else f"{day:%d/%m/%Y}"


def uk_time(moment: datetime | None) -> str:
    """dd/mm/yyyy hh:mm."""
    return MISSING if moment is None else f"{moment:%d/%m/%Y %H:%M}"


MONTH_FORMAT = "%b %Y"  # the one way months are written, in text and on chart axes


def month(text: str) -> str:
    """A month key (``2025-03``) as the dashboard writes months: ``Mar 2025``."""
    return f"{month_start(text):{MONTH_FORMAT}}"


def month_start(text: str) -> date:
    """The first day of a month key (``2025-03`` → 1 March 2025), for a time axis."""
    year, number_ = text.split("-")
    return date(int(year), int(number_), 1)


# --- money, as Harrow's report writes it: -£24, +£74, -£46,000 ---------------------------


def _signed_pounds(amount: Decimal, places: int) -> str:
    sign = "-" if amount < 0 else "+" if amount > 0 else ""
    return f"{sign}£{abs(amount):,.{places}f}"


def change_pounds(amount: Decimal | None) -> str:
    """An average change to the pound with its sign: ``-£24``, ``+£74``, ``£0``."""
    return MISSING if amount is None else _signed_pounds(round_pounds(amount), 0)


def change_thousands(amount: Decimal | None) -> str:
    """A full-year impact to the nearest £1,000 with its sign: ``-£46,000``."""
    return MISSING if amount is None else _signed_pounds(round_thousands(amount), 0)


def pounds_thousands(amount: Decimal | None) -> str:
    """An amount to the nearest £1,000, a minus sign when negative: ``£94,000``."""
    if amount is None:
        return MISSING
    shown = round_thousands(amount)
    return f"{'-' if shown < 0 else ''}£{abs(shown):,.0f}"


def change_exact(amount: Decimal | float | None) -> str:
    """The exact figure to the penny with its sign: ``-£24.06``."""
    if amount is None:
        return MISSING
    return _signed_pounds(to_pence(Decimal(str(amount))), 2)


def pounds(amount: Decimal | None) -> str:
    """An amount to the penny, a minus sign when negative: ``£450.45``, ``-£12.00``."""
    if amount is None:
        return MISSING
    exact = to_pence(amount)
    return f"{'-' if exact < 0 else ''}£{abs(exact):,.2f}"
