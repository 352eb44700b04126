"""AppTest of the "Is the difference real?" sections of the Money and Cost change pages."""

from __future__ import annotations

from typing import Any

import pandas as pd

from evaluation.ingest.sample_loader import load_sample
from evaluation.store.connection import Store
from tests.fixtures.mix import Group, load
from tests.measures.test_over_time import CHANGED, CHANGED_GROUPS, OLD
from tests.measures.test_standardise import MEMORY, SAME_RATES, TC, UP

MONEY, COST = "pages/money.py", "pages/cost_change.py"


def table_with(at: Any, column: str) -> pd.DataFrame:
    """The page's table that has this column."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with a column {column!r}"
    return found[0]


def texts(at: Any) -> list[str]:
    return [t.value for t in at.text]


def test_money_page_conversion_like_for_like(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load(store, SAME_RATES)
    at = app_test(MONEY)
    table = table_with(at, "Like for like").set_index("Group")
    assert table.loc[TC, "As it is"] == "20.00%" and table.loc[UP, "As it is"] == "30.61%"
    assert table.loc[TC, "Like for like"] == table.loc[UP, "Like for like"] == "30.61%"
    assert table.loc[TC, "Difference, like for like"] == "no difference"
    assert table.loc[TC, "95% interval of the difference"].endswith("points")
    assert any(
        t.startswith("Like for like, the data cannot tell three conversations apart from usual")
        and "Before allowing for the mix of people the difference was -10.61 points." in t
        for t in texts(at)
    )
    strata = table_with(at, "Weight")
    assert list(strata["Weight"]) == ["21.4%", "14.3%", "28.6%", "35.7%"]
    assert list(strata["three conversations: new requests"]) == [14, 70, 7, 14]
    assert "How this is worked out" in [e.label for e in at.expander]

    at.radio(key="money_compare_by").set_value("Each site").run()
    assert set(table_with(at, "Like for like")["Group"]) == {"New site", OLD}
    at.multiselect(key="money_strata").set_value([]).run()
    assert "Choose at least one field to compare like for like." in [i.value for i in at.info]


def test_groups_too_small_to_compare_say_so_instead_of_a_figure(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load(
        store,
        [
            Group(OLD, UP, "65+", MEMORY, new=30, long_term=6),
            Group("New site", TC, "65+", MEMORY, new=3, long_term=1),
            Group("New site", TC, "18-64", MEMORY, new=40, long_term=4),
        ],
    )
    at = app_test(MONEY)
    table = table_with(at, "Like for like").set_index("Group")
    assert table.loc[TC, "Like for like"] == "too small to compare"
    assert table.loc[TC, "95% interval"] == ""
    assert any("three conversations: too small to compare like for like" in t for t in texts(at))


def test_money_page_difference_over_time(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load(store, CHANGED_GROUPS)
    at = app_test(MONEY)
    assert at.selectbox(key="money_over_time_site").value == CHANGED
    rows = table_with(at, "Change").set_index("")
    assert rows.loc["Difference over time", "Change"] == "-10.00 points"
    assert rows.loc["Usual-practice sites", "Change"] == "no difference"
    assert any("seed 18" in c.value and OLD in c.value for c in at.caption)
    assert any(t.startswith("The data cannot tell whether conversion at Changed site") for t in
               texts(at))  # fmt: skip


def test_cost_change_page_like_for_like_on_the_sample(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    at = app_test(COST)
    table = table_with(at, "Like for like").set_index("Group")
    assert table.loc[TC, "Like for like"].startswith(("+£", "-£"))
    assert table.loc[TC, "Difference, like for like"].endswith("a week")
    verdicts = [t for t in texts(at) if t.startswith("Like for like")]
    assert verdicts and "Before allowing for the mix of people" in verdicts[0]
    over_time = table_with(at, "Change").set_index("")
    assert over_time.loc["Usual-practice sites", "Change"].endswith(("a week", "no difference"))
    assert "How this is worked out" in [e.label for e in at.expander]
