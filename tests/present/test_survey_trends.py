"""Survey trends draw gaps, not lines, across months with nothing to show, on a time axis."""

from __future__ import annotations

from datetime import date

from evaluation.measures.survey import Measures
from evaluation.present.survey_trends import (
    ENOUGH_LABEL,
    FEW_LABEL,
    feedback_trend_chart,
    feedback_trend_rows,
    staff_trend_chart,
    staff_trend_rows,
)


def _feedback_group(month: str, yes: float | None, answered: int) -> dict:
    group = {"month": month, "approach": "three conversations", "responses": answered}
    for q in ("treated_well", "helped", "listened_to"):
        group[f"{q}_yes_pct"], group[f"{q}_answered"] = yes, answered
    return group


def _measures(kind: str, by: tuple[str, ...], groups: list[dict]) -> Measures:
    return Measures(kind, by, None, None, 5, groups, {"responses": 0})


def test_a_hidden_month_and_an_empty_month_are_gaps() -> None:
    trend = _measures(
        "feedback",
        ("month", "approach"),
        [
            _feedback_group("2025-01", 80.0, 10),
            {"month": "2025-02", "approach": "three conversations", "suppressed": True},
            # March has no responses at all: it is not among the groups
            _feedback_group("2025-04", 50.0, 20),
        ],
    )
    rows = [r for r in feedback_trend_rows(trend) if r["question"] == "Helped"]
    assert [r["month"] for r in rows] == [date(2025, m, 1) for m in (1, 2, 3, 4)]
    assert [r["yes_pct"] for r in rows] == [80.0, None, None, 50.0]
    assert [r["state"] for r in rows][1:3] == ["hidden (too few to show)", "no responses"]
    assert rows[0]["month_text"] == "Jan 2025"
    low, high = rows[0]["low"], rows[0]["high"]
    assert low < 80.0 < high and round(low, 1) == 49.0  # Wilson, 8 of 10
    spec = feedback_trend_chart(feedback_trend_rows(trend)).to_dict()  # type: ignore[union-attr]
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert line["mark"]["invalid"] == "break-paths-show-domains"
    assert line["encoding"]["x"]["type"] == "temporal"
    assert line["encoding"]["x"]["axis"]["format"] == "%b %Y"
    assert line["encoding"]["strokeDash"]["legend"]["symbolType"] == "stroke"
    assert "#d62728" not in str(spec)  # no alarm red for an ordinary series


def test_a_staff_mean_from_few_responses_is_drawn_faint() -> None:
    trend = _measures(
        "staff",
        ("site", "month"),
        [
            {"site": "North", "month": "2025-01", "responses": 12, "motivation_mean": 4.1,
             "motivation_answered": 12},
            {"site": "North", "month": "2025-03", "responses": 6, "motivation_mean": 3.5,
             "motivation_answered": 6},
        ],
    )  # fmt: skip
    rows = staff_trend_rows(trend, "motivation")
    assert [(r["mean"], r["responses"]) for r in rows] == [
        (4.1, ENOUGH_LABEL),
        (None, ENOUGH_LABEL),
        (3.5, FEW_LABEL),
    ]
    spec = staff_trend_chart(rows, "Motivation", percent=False).to_dict()  # type: ignore[union-attr]
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert points["encoding"]["opacity"]["scale"]["range"] == [1.0, 0.3]
