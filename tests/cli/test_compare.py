"""The like-for-like reports: ``--standardise`` on conversion and cost change, and
``report difference-over-time``, through the command line as an analyst runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evaluation.cli.cost_change import as_json
from evaluation.cli.main import main
from evaluation.cli.options import json_text
from evaluation.core.language import is_clean
from evaluation.measures.conversion import groups_and_total
from evaluation.measures.cost_change import summary
from evaluation.measures.selection import Selection
from evaluation.store.connection import Store
from tests.fixtures.mix import Group, load
from tests.harness import open_store
from tests.measures.test_over_time import CHANGED, CHANGED_GROUPS, OLD
from tests.measures.test_standardise import SAME_RATES, TC, UP

PHYSICAL = "Physical support"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def report(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> dict[str, Any]:
    code, out, err = run(capsys, "report", *args, "--db", str(db), "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.fixture
def same_rates(store: Store, db_path: Path) -> Path:
    """Usual practice and three conversations with the same rate in every stratum, and the
    same weekly changes too, but different mixes of people."""
    changes = {"18-64": [0, 0, 0, -20, 45], "65+": [0, 60, 110, 0, 25, 0, 160]}
    costs = [
        Group(OLD, UP, "18-64", PHYSICAL, changes=changes["18-64"] * 2),
        Group(OLD, UP, "65+", PHYSICAL, changes=changes["65+"] * 5),
        Group("New site", TC, "18-64", PHYSICAL, changes=changes["18-64"] * 6),
        Group("New site", TC, "65+", PHYSICAL, changes=changes["65+"]),
    ]
    load(store, [*SAME_RATES, *costs])
    store.close()
    return db_path


def test_conversion_standardised_by_approach(same_rates: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    found = report(
        capsys, same_rates, "conversion", "--by", "approach",
        "--standardise", "age_band,support_reason",
    )  # fmt: skip
    groups = {g["approach"]: g for g in found["groups"]}
    tc, up = groups[TC], groups[UP]
    assert tc["conversion_rate"] != up["conversion_rate"]  # as they are: they differ
    assert tc["standardised_rate"] == up["standardised_rate"] == up["conversion_rate"]
    low, high = tc["standardised_ci95"]
    assert low < tc["standardised_rate"] < high
    assert tc["standardised_difference"] == 0.0
    assert up["standardised_difference"] is None  # usual practice is what the rest are set against
    assert [s["weight"] for s in tc["standardised_strata"]] == pytest.approx(
        [21 / 98, 14 / 98, 28 / 98, 35 / 98]  # memory before physical
    )
    assert tc["standardised_strata"][0] == {
        "age_band": "18-64",
        "support_reason": "Memory and cognition",
        "weight": pytest.approx(21 / 98),
        "new_requests": 14,
        "long_term": 4,
        "reference_new_requests": 21,
        "reference_long_term": 6,
    }
    mix = found["standardisation"]
    assert mix["fields"] == ["age_band", "support_reason"] and mix["reference"] == UP
    assert mix["reference_new_requests"] == 98 and mix["threshold"] == 5
    # alone, --standardise takes age band and support reason
    again = report(capsys, same_rates, "conversion", "--by", "approach", "--standardise")
    assert again == found


def test_without_standardise_the_json_is_as_it_was(same_rates: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "report", "conversion", "--by", "approach", "--db", str(same_rates),
        "--format", "json",
    )  # fmt: skip
    store = open_store(same_rates)
    try:
        groups, overall = groups_and_total(store, Selection(), ("approach",))
        cost = summary(store)
    finally:
        store.close()
    expected = {
        "report": "conversion",
        "selection": "everything in the store",
        "by": ["approach"],
        "groups": [g.as_dict() for g in groups],
        "total": overall.as_dict(),
    }
    assert code == 0 and out == json_text(expected) + "\n"
    code, out, _ = run(capsys, "report", "cost-change", "--db", str(same_rates), "--format", "json")
    assert code == 0 and out == as_json(cost) + "\n"
    assert "standardis" not in out


def test_cost_change_standardised(same_rates: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # new requests are completed requests of no change: request type keeps them apart
    found = report(capsys, same_rates, "cost-change", "--standardise", "age_band,request_type")
    groups = {g["approach"]: g for g in found["groups"]}
    tc, up = groups[TC], groups[UP]
    assert tc["mean_weekly_change"] != up["mean_weekly_change"]
    assert tc["standardised_mean_weekly_change"] == up["standardised_mean_weekly_change"]
    assert tc["standardised_difference"] == 0.0
    low, high = tc["standardised_ci95"]
    assert low < tc["standardised_mean_weekly_change"] < high
    assert found["standardisation"]["fields"] == ["age_band", "request_type"]
    assert list(tc)[:12] == [
        "approach", "conversations", "increases", "decreases", "no_change", "ongoing",
        "excluded", "mean_weekly_change", "full_year_impact", "mean_ci95", "no_average_because",
        "standardised_mean_weekly_change",
    ]  # fmt: skip


def test_table_and_csv_with_standardise(same_rates: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        capsys, "report", "conversion", "--by", "approach", "--db", str(same_rates),
        "--standardise",
    )  # fmt: skip
    assert code == 0 and "Like for like with usual practice (age band and support reason):" in out
    assert "the data cannot tell three conversations apart from usual practice" in out
    assert is_clean(out)
    code, out, _ = run(
        capsys, "report", "cost-change", "--db", str(same_rates), "--standardise",
        "--format", "csv",
    )  # fmt: skip
    header = out.lstrip("\ufeff").splitlines()[0].split(",")
    assert header[-9:] == [
        "standardised_mean_weekly_change", "standardised_ci95_low", "standardised_ci95_high",
        "standardised_reference_mean_weekly_change", "standardised_difference",
        "standardised_difference_ci95_low", "standardised_difference_ci95_high",
        "standardised_requests", "standardised_too_small",
    ]  # fmt: skip


def test_bad_fields_are_refused(same_rates: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stopped:
        main(["report", "conversion", "--db", str(same_rates), "--standardise", "month"])
    assert stopped.value.code == 2
    assert "can't standardise across month" in capsys.readouterr().err


def test_difference_over_time_report(store: Store, db_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    load(store, CHANGED_GROUPS)
    store.close()
    found = report(
        capsys, db_path, "difference-over-time", "--site", CHANGED, "--changed-on", "2024-06-01",
        "--seed", "5", "--replicates", "500",
    )  # fmt: skip
    assert found["site"] == CHANGED and found["changed_on"] == "2024-06-01"
    assert found["bootstrap"] == {
        "seed": 5,
        "replicates": 500,
        "interval": "percentile, 2.5% to 97.5%",
    }
    assert found["comparison_sites"] == [OLD] and not found["changed_on_guessed"]
    conversion = found["conversion"]
    assert conversion["difference"] == -10.0
    assert conversion["cells"]["site_after"] == {"new_requests": 40, "rate": 10.0}
    low, high = conversion["ci95"]
    assert low < -10 < high
    guessed = report(capsys, db_path, "difference-over-time", "--site", CHANGED)
    assert guessed["changed_on_guessed"] and guessed["bootstrap"]["seed"] == 18
    code, out, _ = run(capsys, "report", "difference-over-time", "--db", str(db_path),
                       "--site", CHANGED)  # fmt: skip
    assert code == 0 and "a first guess: give --changed-on" in out and is_clean(out)
    code, _, err = run(capsys, "report", "difference-over-time", "--db", str(db_path),
                       "--site", "Elsewhere")  # fmt: skip
    assert code == 2 and "no site called 'Elsewhere'" in err
