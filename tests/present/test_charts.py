"""The charts draw what the measures counted: the right fields, in order, none for nothing."""

from __future__ import annotations

from datetime import date

from evaluation.measures.activity import AGE_BANDS, UnderwayRow
from evaluation.measures.conversion import ConversionRow
from evaluation.measures.weekly import WeekRow
from evaluation.present import charts, survey_trends, trend_charts
from evaluation.store.regional import RegionalFigure


def spec(chart: object) -> dict:
    return chart.to_dict()  # type: ignore[attr-defined]


def test_no_rows_no_chart() -> None:
    assert charts.feedback_chart([]) is None and charts.staff_chart([]) is None
    assert charts.cost_chart([]) is None and charts.underway_chart([]) is None
    assert survey_trends.feedback_trend_chart([]) is None
    assert survey_trends.staff_trend_chart([], "Motivation", percent=False) is None
    assert trend_charts.repeat_chart([]) is None and trend_charts.regional_charts([]) == []


def test_feedback_bars_are_shares_out_of_100() -> None:
    rows = [{"group": "North", "question": "Helped", "yes_pct": 80.0, "answered": 10}]
    drawn = spec(charts.feedback_chart(rows))
    assert drawn["encoding"]["x"]["field"] == "yes_pct"
    assert drawn["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert drawn["height"] == 80 and drawn["config"]["font"] == "DejaVu Sans"


def test_cost_bands_keep_harrows_order() -> None:
    bands = [
        {"group": "A", "band": "no change", "order": 4, "requests": 3},
        {"group": "A", "band": "up £50 to £100", "order": 6, "requests": 1},
    ]
    drawn = spec(charts.cost_distribution_chart(bands, legend="Approach"))
    order = drawn["encoding"]["y"]["sort"]
    assert order[0] == "down £200 or more" and order[-1] == "up £200 or more"
    values = next(iter(drawn["datasets"].values()))
    assert [round(v["share"], 2) for v in values] == [0.75, 0.25]


def test_underway_stacks_by_age_and_says_so_in_words() -> None:
    rows = [
        UnderwayRow({}, "Conversation 1", AGE_BANDS[0][0], 4),
        UnderwayRow({}, "Conversation 1", AGE_BANDS[4][0], 2),
    ]
    drawn = spec(charts.underway_chart(rows))
    assert drawn["encoding"]["color"]["scale"]["domain"] == [b[0] for b in AGE_BANDS]
    assert charts.underway_text(rows, date(2026, 7, 31)) == (
        "Underway on 31/07/2026 — Conversation 1: 6 underway, 2 of them for more than 28 days."
    )
    assert charts.underway_text([], date(2026, 7, 31)) == "Nothing was underway on 31/07/2026."


def test_flow_stages_stay_in_order() -> None:
    stages = [("Conversation 1", 388), ("Reached Conversation 2", 29)]
    assert spec(charts.flow_chart(stages))["encoding"]["x"]["sort"] == [s for s, _ in stages]


def test_time_charts() -> None:
    weeks = [WeekRow({}, date(2025, 1, 6), 2, None), WeekRow({}, date(2025, 1, 13), 1, 1.5)]
    layered = spec(trend_charts.weekly_chart(weeks, date(2025, 1, 13)))
    assert len(layered["layer"]) == 3
    quarters = [
        ConversionRow({"quarter": "2025 Q1", "approach": "usual practice"}, 10, 8, 1, 0, 0, 2),
        ConversionRow({"quarter": "2025 Q2", "approach": "usual practice"}, 3, 0, 0, 0, 0, 0),
    ]
    drawn = spec(trend_charts.repeat_chart(quarters))
    assert [v["quarter"] for v in next(iter(drawn["datasets"].values()))] == ["2025 Q1"]
    figures = [
        RegionalFigure("2019-20", 2019, "Conversion", 8.2, 11.2),
        RegionalFigure("2020-21", 2020, "Conversion", 7.5, None),
    ]
    ((measure, chart),) = trend_charts.regional_charts(figures)
    assert measure == "Conversion" and len(trend_charts.regional_rows(figures)) == 3
    assert spec(chart)["encoding"]["color"]["scale"]["domain"] == ["Council", "Region"]


def test_meeting_specs_are_the_validated_charts_and_letter_for_a_projector() -> None:
    """The meeting keeps each chart as its spec, built without Altair's schema check: it is
    the same spec the check passes, and the projector's lettering leaves the rest alone."""
    built = [
        charts.feedback_chart(
            [{"group": "North", "question": "Helped", "yes_pct": 80.0, "answered": 10}]
        ),
        charts.staff_chart(
            [{"group": "North", "part": "With people", "pct": 60.0, "order": 0, "answered": 9}]
        ),
        charts.cost_chart([{"group": "A", "band": "no change", "order": 4, "requests": 3}]),
        charts.underway_chart([UnderwayRow({}, "Conversation 1", AGE_BANDS[0][0], 4)]),
    ]
    assert charts.vega_spec(None) is None
    for chart in built:
        kept = charts.vega_spec(chart)
        assert kept == chart.to_dict()  # type: ignore[union-attr]  # validated here
        big = charts.for_projector(kept)  # type: ignore[arg-type]
        assert big["config"]["axis"]["labelFontSize"] == charts.PROJECTOR_FONT
        assert big["config"]["font"] == "DejaVu Sans" and big["config"]["line"]["strokeWidth"] == 4
        assert kept["config"]["axis"]["labelFontSize"] == 12  # type: ignore[index]
        assert {k: v for k, v in big.items() if k != "config"} == {
            k: v
            for k, v in kept.items()  # type: ignore[union-attr]
            if k != "config"
        }
