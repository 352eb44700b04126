"""AppTest: the Money page splits its conversion table by the like-for-like fields."""

from __future__ import annotations

from evaluation.ingest.importer import import_files
from evaluation.store.connection import Store
from tests.fixtures import cld_rules as fx


def test_the_conversion_table_splits_by_age_band_and_keeps_it_in_the_address(
    store: Store, app_test
) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("cld.csv", fx.rules_extract())], cld_sites=fx.SITES)
    store.close()
    at = app_test("pages/money.py")
    split = at.selectbox(key="money_split")
    assert split.value == "site"
    assert "Site" in at.dataframe[0].value.columns
    split.select("age_band").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert "Age band" in table.columns and "Site" not in table.columns
    assert set(table["Age band"]) == {"18-64", "65+", "(not given)"}
    assert at.query_params["split"] in ("age_band", ["age_band"])
    linked = app_test("pages/money.py", query={"split": "request_type"})
    assert linked.selectbox(key="money_split").value == "request_type"
    assert set(linked.dataframe[0].value["Request type"]) == {"new", "existing"}


def test_the_cost_change_page_offers_the_like_for_like_columns(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("cld.csv", fx.rules_extract())], cld_sites=fx.SITES)
    store.close()
    at = app_test("pages/cost_change.py")
    columns = at.multiselect(key="cc_by")
    assert {"request_type", "age_band", "support_reason"} <= set(columns.options)
    columns.set_value(["age_band"]).run()
    assert not at.exception
    assert "18-64" in " ".join(h.value for h in at.get("html"))
