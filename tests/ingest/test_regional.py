"""The regional comparison file: checked whole, stored whole or not at all, charted by year."""

from __future__ import annotations

import pytest

from evaluation.ingest.regional import (
    RegionalImportFailed,
    check_regional,
    import_regional,
    parse_year,
    template_csv,
)
from evaluation.present.trend_charts import regional_rows as chart_rows
from evaluation.store.connection import Store
from evaluation.store.regional import clear_regional, regional_figures

# Birmingham against the West Midlands (seed 000, Figure 5): about 10.5% each at the start,
# a 3-point gap by 2019-20, 5 points in 2020-21 as the region went back above 12%.
GOOD = (
    b"Year,Measure,Council value,Region value\r\n"
    b"2016/17,New requests leading to long-term support,10.5,10.5%\r\n"
    b"2017-18,New requests leading to long-term support,9.8,10.9\r\n"
    b"2019-20,New requests leading to long-term support,8.2,11.2\r\n"
    b"2020-2021,New requests leading to long-term support,7.3,12.3\r\n"
    b'2019-20,"Unplanned reviews: increase in care, %",42,38\r\n'
)


def test_a_good_file_is_stored_and_charted_council_against_region(store: Store) -> None:
    assert import_regional(store, GOOD, "birmingham.csv") == (5, 0)
    figures = regional_figures(store)
    long_term = [f for f in figures if f.measure.startswith("New requests")]
    assert [(f.year, f.council_value, f.region_value) for f in long_term] == [
        ("2016-17", 10.5, 10.5),
        ("2017-18", 9.8, 10.9),
        ("2019-20", 8.2, 11.2),
        ("2020-21", 7.3, 12.3),
    ]
    points = chart_rows(figures)
    assert len(points) == 10
    gap_2020 = {p["series"]: p["value"] for p in points if p["year"] == "2020-21"}
    assert gap_2020 == {"Council": 7.3, "Region": 12.3}
    assert figures[-1].measure == "Unplanned reviews: increase in care, %"


def test_a_second_upload_replaces_the_same_year_and_measure(store: Store) -> None:
    import_regional(store, GOOD, "first.csv")
    again = (
        b"year,measure,council_value,region_value\r\n"
        b"2019-20,new requests leading to long-term support,8.0,\r\n"
        b"2021-22,New requests leading to long-term support,7.1,12.0\r\n"
    )
    assert import_regional(store, again, "second.csv") == (1, 1)
    figures = {(f.year, f.measure.lower()): f for f in regional_figures(store)}
    assert len(figures) == 6
    replaced = figures[("2019-20", "new requests leading to long-term support")]
    assert (replaced.council_value, replaced.region_value) == (8.0, None)
    assert clear_regional(store) == 6 and regional_figures(store) == []


def test_every_problem_is_listed_and_nothing_is_stored(store: Store) -> None:
    bad = (
        b"year,measure,council_value,region_value,notes\r\n"
        b"2019-20,Conversion,8.2,11.2,fine\r\n"
        b"19-20,Conversion,8.2,11.2,\r\n"
        b"2019-21,Other,8.2,11.2,\r\n"
        b"2020-21,Conversion,eight,11.2,\r\n"
        b"2021-22,,8,9,\r\n"
        b"2022-23,Conversion,,,\r\n"
        b"2019-20,conversion,1,2,\r\n"
    )
    checked = check_regional(bad, "bad.csv")
    assert checked.ignored_columns == ["notes"]
    assert [(p.row, p.column) for p in checked.problems] == [
        (3, "year"),
        (4, "year"),
        (5, "council_value"),
        (6, "measure"),
        (7, "council_value"),
        (8, "measure"),
    ]
    assert checked.problems[-1].message == "the same year and measure is also on row 2"
    assert checked.figures == []
    with pytest.raises(RegionalImportFailed):
        import_regional(store, bad, "bad.csv")
    assert regional_figures(store) == []


def test_missing_columns_and_a_renamed_workbook_are_refused(store: Store) -> None:
    checked = check_regional(b"year,measure\r\n2019-20,x\r\n", "short.csv")
    assert {p.column for p in checked.problems} == {"council_value", "region_value"}
    workbook = check_regional(b"PK\x03\x04" + b"\x00" * 20 + b"xl/workbook.xml", "f.csv")
    assert "Excel workbook" in workbook.problems[0].message


def test_years_and_template() -> None:
    assert parse_year("2019/20") == ("2019-20", 2019)
    assert parse_year("1999-2000") == ("1999-00", 1999)
    assert parse_year("2021") == ("2021", 2021)
    with pytest.raises(ValueError):
        parse_year("2019-22")
    assert template_csv() == b"\xef\xbb\xbfyear,measure,council_value,region_value\r\n"
