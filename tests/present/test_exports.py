"""CSV downloads open safely in Excel: £ shows, formulas never run, hidden groups stay hidden."""

from __future__ import annotations

import csv
import io

from evaluation.measures.survey import Measures
from evaluation.present.exports import safe_cell, survey_csv, survey_rows, to_csv


def test_formula_cells_are_escaped_and_numbers_are_not() -> None:
    assert [safe_cell(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "\tx", "\rx")] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@x",
        "'\tx",
        "'\rx",
    ]
    assert safe_cell(-24.5) == -24.5 and safe_cell("North") == "North"


def test_utf8_with_bom_crlf_and_every_column_in_order() -> None:
    data = to_csv([{"site": "=HYPERLINK()", "cost": "£5"}, {"site": "South"}], ["site", "cost"])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.split("\r\n")[:3] == ["site,cost", "'=HYPERLINK(),£5", "South,"]


def test_a_survey_export_says_why_a_group_is_hidden_and_what_a_total_left_out() -> None:
    result = Measures(
        kind="feedback",
        by=("site",),
        start=None,
        end=None,
        threshold=5,
        groups=[
            {"site": "Tiny", "suppressed": True, "reason": "small"},
            {"site": "Shield", "suppressed": True, "reason": "protect"},
            {"site": "Big", "responses": 12, "satisfaction_answered": None,
             "satisfaction_mean": None, "withheld": {"satisfaction": "small"}},
        ],
        total={"responses": 12, "left_out": {"small": 1, "protect": 1}},
    )  # fmt: skip
    rows, columns = survey_rows(result)
    assert columns[:2] == ["site", "responses"] and "satisfaction_mean" in columns
    assert rows[0] == {
        **dict.fromkeys(columns), "site": "Tiny", "responses": "fewer than 5", "left_out": ""
    }  # fmt: skip
    assert rows[1]["responses"] == "hidden to protect a small group"  # never "fewer than 5"
    assert rows[2]["satisfaction_answered"] == "fewer than 5" and rows[2]["responses"] == 12
    assert rows[3]["site"] == "All shown" and rows[3]["responses"] == 12
    assert rows[3]["left_out"] == (
        "1 group of fewer than 5; 1 group hidden to protect a small group"
    )
    read = list(csv.DictReader(io.StringIO(survey_csv(result).decode("utf-8-sig"))))
    assert [r["site"] for r in read] == ["Tiny", "Shield", "Big", "All shown"]
