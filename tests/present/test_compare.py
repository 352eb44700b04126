"""Words that match the evidence: what a like-for-like comparison and a difference over time
say when the interval includes no difference, when it does not, and when there is too little
to compare."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from evaluation.core.language import is_clean
from evaluation.measures.over_time import Cell as Period
from evaluation.measures.over_time import OverTime
from evaluation.measures.strata import (
    CONVERSION,
    COST_CHANGE,
    FEW_IN_REFERENCE,
    NO_REFERENCE,
    NO_SHARED_STRATA,
    Cell,
    Comparison,
    Standardised,
    Stratum,
)
from evaluation.present import compare

KEY = {"age_band": "65+", "support_reason": "Memory and cognition"}


def _result(measure: str, group: Comparison) -> Standardised:
    usual = {("65+", "Memory and cognition"): Cell(40, Fraction(8))}
    return Standardised(
        measure, ("approach",), ("age_band", "support_reason"), "usual practice", usual, 5, [group]
    )


def _group(measure: str = CONVERSION, **figures: object) -> Comparison:
    stratum = Stratum(KEY, Cell(30, Fraction(3)), Cell(40, Fraction(8)), Fraction(1), None)
    found = Comparison(
        measure, {"approach": "three conversations"}, "three conversations", 10.0, 30,
        [stratum], None, False,
    )  # fmt: skip
    return replace(found, **figures)  # type: ignore[arg-type]


def test_an_interval_that_includes_no_difference_cannot_tell_them_apart() -> None:
    group = _group(standardised=10.0, reference_value=20.0, difference=-10.0,
                   difference_ci95=(-21.456, 0.4), crude_difference=-12.0)  # fmt: skip
    words = compare.verdict(group, _result(CONVERSION, group))
    assert words == (
        "Like for like, the data cannot tell three conversations apart from usual practice: "
        "conversion differs by -10.00 points, and its 95% interval (-21.46 to +0.40 points) "
        "includes no difference. Before allowing for the mix of people the difference was "
        "-12.00 points."
    )


def test_a_real_difference_says_which_way_and_by_how_much() -> None:
    group = _group(COST_CHANGE, standardised=Decimal("23.47"), reference_value=Decimal("43.64"),
                   difference=Decimal("-20.17"),
                   difference_ci95=(Decimal("-35.48"), Decimal("-4.87")))  # fmt: skip
    words = compare.verdict(group, _result(COST_CHANGE, group))
    assert words.startswith(
        "Like for like, the average change in weekly cost is lower for three conversations "
        "than for usual practice by £20.17 a week (95% interval -£35.48 to -£4.87): more than "
        "chance alone would explain."
    )


def test_too_small_says_so_instead_of_a_figure() -> None:
    small = Stratum(KEY, Cell(30, Fraction(3)), Cell(4, Fraction(1)), None, FEW_IN_REFERENCE)
    group = _group(strata=[small], too_small=NO_SHARED_STRATA)
    result = _result(CONVERSION, group)
    assert compare.verdict(group, result) == (
        "three conversations: too small to compare like for like. No group of people by age "
        "band and support reason has 5 or more new requests both here and in usual practice."
    )
    (row,) = compare.comparison_rows(result)
    assert row["Like for like"] == "too small to compare"
    assert row["95% interval"] == row["Difference, like for like"] == ""
    (line,) = compare.strata_rows(group, result)
    assert line["Weight"] == "left out: fewer than 5 in usual practice"
    assert line["three conversations: conversion"] == ""  # no rate for a small stratum
    nobody = _group(too_small=NO_REFERENCE)
    assert "no usual practice new requests" in compare.verdict(nobody, _result(CONVERSION, nobody))


def test_the_tables_write_figures_the_one_way() -> None:
    group = _group(standardised=10.274, ci95=(7.161, 14.022), reference_value=11.527,
                   difference=-1.2527, difference_ci95=(-6.07, 3.456))  # fmt: skip
    (row,) = compare.comparison_rows(_result(CONVERSION, group))
    assert row == {
        "Group": "three conversations",
        "New requests": 30,
        "As it is": "10.00%",
        "Like for like": "10.27%",
        "95% interval": "7.16% to 14.02%",
        "Usual practice, same mix": "11.53%",
        "Difference, like for like": "-1.25 points",
        "95% interval of the difference": "-6.07 to +3.46 points",
        "Compared": "30 of 30",
    }
    assert compare.difference_text(CONVERSION, 0.001) == "no difference"
    assert compare.fields_text(["age_band", "support_reason", "cohort"]) == (
        "age band, support reason and cohort"
    )


def _over_time(**figures: object) -> OverTime:
    cells = {
        "site before": Period(199, 11.56),
        "site after": Period(177, 9.04),
        "comparison before": Period(166, 13.25),
        "comparison after": Period(3, None),
    }
    found = OverTime(
        CONVERSION, "North site", date(2025, 10, 16), None, None, ("Old team",), cells, 18,
        2000, 5, ("comparison after",),
    )  # fmt: skip
    return replace(found, **figures)  # type: ignore[arg-type]


def test_the_difference_over_time_in_words() -> None:
    small = _over_time()
    assert compare.over_time_verdict(small) == (
        "Too small to compare over time: fewer than 5 new requests (usual practice after). "
        "Choose another date or a longer period."
    )
    assert compare.over_time_rows(small)[1]["From 16/10/2025"] == "3 new requests: fewer than 5"
    unclear = _over_time(too_small=(), difference=0.79, ci95=(-8.1, 10.4))
    assert "The data cannot tell whether conversion at North site moved differently" in (
        compare.over_time_verdict(unclear)
    )
    real = _over_time(too_small=(), difference=-6.5, ci95=(-9.0, -4.0))
    assert compare.over_time_verdict(real).startswith(
        "Against usual practice over the same periods, conversion at North site fell by "
        "6.50 points more (95% interval -9.00 to -4.00 points)"
    )
    assert compare.over_time_caption(real).endswith("bootstrap of 2,000 resamples, seed 18.")


def test_the_method_uses_the_dashboards_own_words() -> None:
    method = compare.METHOD.format(threshold=5)
    over_time = compare.OVER_TIME_METHOD.format(replicates=2000, seed=18, threshold=5)
    assert is_clean(method) and is_clean(over_time)
    assert "fewer than 5" in method and "seed 18" in over_time
