"""AppTest of the figures issue 14 added or mended, read as a person reads them: reablement,
request types, direct payments, conversations reached and completed, hand-offs that can't
show, and cost-change columns too small to show money."""

from __future__ import annotations

from datetime import date

import pandas as pd

from evaluation.ingest.importer import import_files
from evaluation.store.connection import Store
from tests.measures.test_birmingham_measures import (
    DATES,
    completed_records,
    direct_payment_records,
)
from tests.measures.test_conversion import csv_bytes
from tests.measures.test_cost_change import one_person_column
from tests.measures.test_reached_and_reablement import load as load_medway
from tests.measures.test_reached_and_reablement import packages_csv, small_area_rows


def _table(at, column: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The page's table that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_money_page_reablement_and_request_types(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load_medway(store)
    at = app_test("pages/money.py")
    reablement = _table(at, "Had reablement").set_index("Group")
    assert reablement.loc["Three conversations", "Had reablement"] == 22
    assert reablement.loc["Three conversations", "Reablement rate"] == "5.67%"
    assert reablement.loc["Usual practice", "Reablement rate"] == "18.00%"
    kinds = _table(at, "Request type")
    three = kinds[kinds["Approach"] == "Three conversations"].iloc[0]
    assert (three["Request type"], three["Requests"], three["Reached Conversation 2"]) == (
        "new",
        388,
        29,
    )
    sites = _table(at, "Site").set_index("Site")
    assert sites.loc["ME4 innovation team", "Reached Conversation 3"] == 19


def test_money_page_direct_payments_on_birminghams_dates(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    conversations, packages = direct_payment_records()
    import_files(store, [("c.csv", csv_bytes(conversations))], as_of=date(2019, 10, 31))
    import_files(store, [("p.csv", packages_csv(packages))], as_of=date(2019, 10, 31))
    at = app_test("pages/money.py")
    for i, day in enumerate(DATES, start=1):
        at.date_input(key=f"money_dp_{i}").set_value(day).run()
    shares = _table(at, "01/04/2018").set_index("Area")
    assert list(shares.loc["Hall Green"]) == [
        "26.0% (13 of 50)",
        "29.2% (7 of 24)",
        "36.7% (11 of 30)",
    ]
    words = " ".join(t.value for t in at.text)
    assert "Hall Green: 01/04/2018 26.0% (13 of 50)" in words  # the chart in words


def test_money_page_area_of_one_shows_counts_and_no_rate(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("a.csv", csv_bytes(small_area_rows()))], as_of=date(2025, 6, 30))
    at = app_test("pages/money.py")
    areas = _table(at, "% long-term").set_index("Area")
    assert areas.loc["Tiny", "Long-term support"] == 1  # the count stays
    assert (areas.loc["Tiny", "% long-term"], areas.loc["Tiny", "95% interval"]) == (
        "hidden",
        "hidden",
    )
    assert areas.loc["Big", "% long-term"] == "5.0%"


def test_conversations_page_flow_completed_and_hand_offs(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load_medway(store)
    at = app_test("pages/conversations.py")
    metrics = {m.label: m.value for m in at.metric}
    # 4 people went from Conversation 1 straight to 3: they count for 3, not for 2
    assert (metrics["Reached Conversation 2"], metrics["Reached Conversation 3"]) == ("29", "19")
    helps = {m.label: m.help for m in at.metric}
    assert helps["Reached Conversation 2"] == "of 388 requests: those that had a Conversation 2"
    assert any("388 → 29 → 19" in c.value for c in at.caption)
    # usual practice has one conversation row per request: a hand-off can't show
    assert metrics["Held by more than one worker — usual practice"] == "not recorded"


def test_conversations_page_conversations_completed(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("done.csv", csv_bytes(completed_records()))], as_of=date(2019, 12, 1))
    at = app_test("pages/conversations.py")
    completed = _table(at, "At 6 months").set_index("Site")
    row = completed.loc["Birmingham"]
    assert (row["At 6 months"], row["At 12 months"], row["At 18 months"]) == (
        "1,497",
        "4,043",
        "14,588",
    )
    at.date_input(key="conv_as_of").set_value(date(2019, 6, 30)).run()
    row = _table(at, "At 6 months").set_index("Site").loc["Birmingham"]
    assert row["At 18 months"] == "not reached yet (counts to 11/09/2019)"


def test_cost_change_column_of_one_shows_counts_and_why_no_money(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("c.csv", one_person_column(lone_type="existing"))])
    at = app_test("pages/cost_change.py")
    assert "request_type" in at.multiselect(key="cc_by").options
    at.multiselect(key="cc_by").set_value(["request_type"]).run()
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "hidden: fewer than 5" in html and "+£250" not in html
    assert "fewer than 5 completed requests" in html  # the exact figure's title says why
