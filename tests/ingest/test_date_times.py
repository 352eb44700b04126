"""Date-times (``dd/mm/yyyy hh:mm[:ss]``, ``yyyy-mm-ddThh:mm[:ss]``) read as their date in every
date column of every kind, with or without a mapping profile, on both paths of the check, in
UTF-8 and Windows-1252 files."""

from __future__ import annotations

from datetime import date

import pytest

from evaluation.core.contract import KINDS, Kind
from evaluation.ingest.checks import check
from evaluation.ingest.mapping_profile import Profile

TIMES = ["06/04/2017 10:10", "6/4/2017 09:05:59", "2017-04-06T10:10", "2017-04-06T23:59:59"]
DAY = date(2017, 4, 6)
# A value every other column takes (the contract's own words), by column.
FILLED = {
    "approach": "usual practice",
    "request_type": "new",
    "gross_weekly_cost": "£1234.50",
    "status": "active",
    "title": "A story",
    "story": "It helped",
}


def _dates(kind: Kind) -> list[str]:
    return [c for c in kind.columns if kind.sql_type(c) == "DATE"]


def _columns(kind: Kind) -> list[str]:
    return [c for c in kind.columns if c in kind.required or kind.sql_type(c) == "DATE"]


def _file(kind: Kind, headings: dict[str, str], encoding: str) -> bytes:
    """One row per date-time text, every date column filled with it, ids distinct."""
    columns = _columns(kind)
    lines = [",".join(headings.get(c, c) for c in columns)]
    for n, text in enumerate(TIMES):
        cells = []
        for column in columns:
            if kind.sql_type(column) == "DATE":
                cells.append(text)
            elif column == kind.id_column or column == "person_id":
                cells.append(f"X{n}")
            else:
                cells.append(FILLED.get(column, "North"))
        lines.append(",".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize("engine", ["auto", "python"])
@pytest.mark.parametrize("mapped", [False, True], ids=["contract headings", "profile"])
@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_a_date_time_reads_as_its_date_in_every_kind(kind: Kind, mapped: bool, engine: str) -> None:
    headings = {c: f"My {c.replace('_', ' ').title()}" for c in _columns(kind)} if mapped else {}
    profile = Profile(f"{kind.name} export", kind.name, headings) if mapped else None
    for encoding in ("utf-8", "cp1252"):
        result = check(_file(kind, headings, encoding), "dated.csv", engine=engine, profile=profile)
        assert result.ok, [p.line() for p in result.problems]
        table = result.table.to_pydict()  # type: ignore[union-attr]
        for column in _dates(kind):
            assert table[column] == [DAY] * len(TIMES), column
        if kind.name == "care_packages":
            assert {str(a) for a in table["gross_weekly_cost"]} == {"1234.50"}


@pytest.mark.parametrize("engine", ["auto", "python"])
def test_a_date_time_still_has_to_be_a_uk_date(engine: str) -> None:
    data = (
        b"feedback_id,site,received_on\r\nF1,North,12/31/2017 10:10\r\nF2,North,06/04/17 10:10\r\n"
    )
    result = check(data, "feedback.csv", engine=engine)
    assert [p.message.split(":")[0] for p in result.problems] == [
        "not a UK date",
        "two-digit year",
    ]


@pytest.mark.parametrize("text", ["06/04/2017 25:99", "06/04/2017 10:61", "2017-04-06T99:99:99"])
def test_an_impossible_time_of_day_is_not_a_date(text: str) -> None:
    """The time after a date is dropped, but only a real time: 25:99 is a typing slip."""
    from evaluation.core.values import uk_date

    with pytest.raises(ValueError):
        uk_date(text)
