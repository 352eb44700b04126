"""What the Making it Happen summary is made of: the period, figures, tables, sections.

Plain data, ready to show: every figure is text as a person reads it ("64.3%", "fewer than
5 responses", "-£24"), so the page and the pack print the same words and can't round
differently. Kept apart from the code that fills it (``evaluation.meeting.sections``) and
the code that gathers it (``evaluation.meeting.summary``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from evaluation.core.vocabulary import USUAL_PRACTICE
from evaluation.measures.survey import whole_weeks
from evaluation.present.formats import uk_date

DEFAULT_WEEKS = 4
NOT_SHOWN = "not shown"


@dataclass(frozen=True)
class Period:
    """Inclusive first and last day."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(
                f"the period ends ({self.end:%d/%m/%Y}) before it starts ({self.start:%d/%m/%Y})"
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def before(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return Period(end - timedelta(days=self.days - 1), end)

    def describe(self) -> str:
        return f"{uk_date(self.start)} to {uk_date(self.end)}"

    def options(self) -> str:
        """The period as report options: ``--from … --to …``."""
        return f"--from {self.start.isoformat()} --to {self.end.isoformat()}"

    def whole_weeks(self) -> Period:
        """The period widened to whole weeks, Monday to Sunday, as survey figures take it
        (``measures.survey.whole_weeks``): two views a day apart can't isolate a day."""
        start, end = whole_weeks(self.start, self.end)
        return Period(start or self.start, end or self.end)


def default_period(as_of: date, weeks: int = DEFAULT_WEEKS) -> Period:
    """The last ``weeks`` weeks up to and including ``as_of``."""
    return Period(as_of - timedelta(days=7 * weeks - 1), as_of)


@dataclass(frozen=True)
class Figure:
    """One headline figure as the meeting reads it, with the previous period and usual practice.

    ``number`` and ``previous_number`` keep the unrounded values for comparisons. ``better``
    is the direction that is good news for people ("up", "down" or "" when neither: a cost,
    a count of work underway), for colouring the change; ``tone`` says whether this change
    is better or worse, and only where it is beyond the rounding of the figure shown.
    """

    label: str
    value: str
    base: str = ""
    previous: str = ""
    change: str = ""
    usual: str = ""
    usual_label: str = USUAL_PRACTICE
    better: str = "up"
    number: float | None = None
    previous_number: float | None = None
    compared: str = ""  # the previous period when it isn't the meeting's (whole weeks)
    interval: str = ""  # "95% interval 64.3% to 95.9%", where the figure has one

    @property
    def tone(self) -> str:
        """ "better", "worse" or "": a change shown (beyond rounding: the change text is then
        not "no change") in a direction that is good or bad news for people."""
        if self.change in ("", "no change") or not self.better:
            return ""
        if self.number is None or self.previous_number is None:
            return ""
        if self.number == self.previous_number:
            return ""
        went_up = self.number > self.previous_number
        return "better" if went_up == (self.better == "up") else "worse"

    def lines(self, previous_period: str) -> list[str]:
        """What the figure rests on, the previous period and usual practice, a line each."""
        lines = [self.base] if self.base else []
        if self.previous:
            lines.append(f"Previous period ({self.compared or previous_period}): {self.previous}")
        if self.change == "no change":
            lines.append("No change since the previous period")
        elif self.tone:
            lines.append(f"{self.tone.capitalize()} than the previous period")
        if self.usual:
            lines.append(f"{self.usual_label.capitalize()}: {self.usual}")
        return lines


@dataclass(frozen=True)
class Headline:
    """The first screen's answer for one type of evidence: its section's figure that says
    most, and one plain sentence of what it means (``meeting.headlines``)."""

    section: str  # the section's key
    title: str  # the type of evidence: "People and families"
    figure: Figure
    sentence: str


@dataclass(frozen=True)
class Table:
    """A table of text, as shown: column headings and rows of cells."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    label_columns: int = 1  # the leading columns that hold names rather than figures


@dataclass(frozen=True)
class Link:
    """An evidence page opened on the same sites and period (its URL query parameters)."""

    page: str  # the page script, for st.page_link
    url_path: str
    label: str
    query: dict[str, list[str] | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One type of evidence: its figures, tables, chart and the commands that print them."""

    key: str
    title: str
    intro: str
    figures: list[Figure]
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    chart: dict[str, Any] | None = None  # a Vega-Lite spec (``present.charts.vega_spec``)
    chart_text: str = ""
    commands: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class Attention:
    """Something the meeting should talk about, and the section it belongs to."""

    title: str
    detail: str
    section: str
