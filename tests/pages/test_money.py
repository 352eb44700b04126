"""AppTest of the Money and resources and Conversations pages, on rebuilt published figures."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from evaluation.ingest.importer import import_files
from evaluation.store.connection import Store
from tests.measures.test_activity import started
from tests.measures.test_conversion import BIRMINGHAM, csv_bytes, medway_rows, request_rows


def business_as_usual_rows(seed: int = 7) -> list[dict[str, Any]]:
    """Medway's usual practice for comparison: 100 new requests, 7 led to long-term care (7%)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for n in range(100):
        rows += request_rows(
            rng,
            number=f"U{n:03d}",
            person=f"BAU-{n:03d}",
            site="Medway business as usual",
            approach="usual practice",
            furthest=1,
            long_term=n < 7,
            start=date(2017, 10, 2) + timedelta(days=rng.randint(0, 90)),
        )
    return rows


def three_birmingham_constituencies(seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    n = 0
    for area, requests, long_term, _ in BIRMINGHAM[:3]:
        for i in range(requests):
            n += 1
            rows += request_rows(
                rng,
                number=f"B{n:05d}",
                person=f"BHM-{n:05d}",
                site="Birmingham",
                approach="three conversations",
                furthest=rng.choice((1, 1, 2, 3)),
                long_term=i < long_term,
                start=date(2018, 3, 1) + timedelta(days=rng.randint(0, 570)),
                area=area,
            )
    return rows


def test_money_page_shows_medways_conversion_and_the_cost_estimate(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    rows = medway_rows() + business_as_usual_rows()
    import_files(store, [("medway.csv", csv_bytes(rows))], as_of=date(2018, 5, 31))
    at = app_test("pages/money.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Three conversations"] == "5.15%"
    assert metrics["Usual practice"] == "7.00%"
    assert metrics["All new requests"] == "5.53%"  # 27 of 488
    sites = at.dataframe[0].value.set_index("Site")
    medway = sites.loc["ME4 innovation team"]
    assert (medway["New requests"], medway["Led to long-term support"]) == (388, 20)
    assert (medway["Reached Conversation 2"], medway["Reached Conversation 3"]) == (29, 19)
    assert medway["95% interval"] == "3.36% to 7.83%"

    # the baseline defaults to usual practice's 7.00%; the user enters £250 a week
    assert at.number_input(key="money_baseline").value == 7.0
    at.number_input(key="money_weekly_cost").set_value(250.0).run()
    metrics = {m.label: m for m in at.metric}
    # 7.16 people and £93,080 a year, written as the order of size they are, with the range
    # the two rates' intervals give (usual practice's 7 of 100 is itself uncertain)
    people = metrics["Fewer people needing long-term support (estimate)"]
    assert people.value == "about 7"
    assert "Range -17 to 40 from the rates' 95% intervals" in people.help
    year = metrics["Cost avoided a year (estimate)"]
    assert year.value == "about £93,000"
    assert year.help.startswith("Range -£222,000 to £524,000 a year")
    captions = " ".join(c.value for c in at.caption)
    assert "52 weeks" in captions and "must not be added together" in captions


def test_money_page_area_table_matches_birminghams_constituencies(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(
        store,
        [("bham.csv", csv_bytes(three_birmingham_constituencies()))],
        as_of=date(2019, 10, 31),
    )
    at = app_test("pages/money.py")
    areas = at.dataframe[1].value.set_index("Area")
    expected = {
        "Hall Green": (941, 78, 863, "8.3%"),
        "Hodge Hill": (929, 71, 858, "7.6%"),
        "Erdington": (951, 87, 864, "9.1%"),
        "Total": (2821, 236, 2585, "8.4%"),
    }
    for area, figures in expected.items():
        row = areas.loc[area]
        shown = (
            row["Requests for support"],
            row["Long-term support"],
            row["No long-term support"],
            row["% long-term"],
        )
        assert shown == figures, area


def test_money_page_filters_by_area_from_the_link(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(
        store,
        [("bham.csv", csv_bytes(three_birmingham_constituencies()))],
        as_of=date(2019, 10, 31),
    )
    at = app_test("pages/money.py", query={"area": "hodge hill"})
    assert at.multiselect(key="money_areas").value == ["Hodge Hill"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["All new requests"] == "7.64%"  # 71 of 929


def test_money_page_regional_upload_and_chart(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_files(store, [("medway.csv", csv_bytes(medway_rows()))], as_of=date(2018, 5, 31))
    store.close()
    at = app_test("pages/money.py")
    assert any(i.value.startswith("No regional figures yet") for i in at.info)
    figures = (
        b"year,measure,council_value,region_value\r\n"
        b"2016-17,New requests leading to long-term support,7.0,8.1\r\n"
        b"2017-18,New requests leading to long-term support,5.2,8.3\r\n"
    )
    at.file_uploader(key="regional_upload").set_value(("r.csv", figures, "text/csv")).run()
    at.button(key="regional_import").click().run()
    assert at.success[0].value == "Stored: 2 added, 0 replaced."
    table = at.dataframe[-1].value
    assert list(table["Year"]) == ["2016-17", "2017-18"]
    assert list(table["Council"]) == [7.0, 5.2] and list(table["Region"]) == [8.1, 8.3]
    assert "New requests leading to long-term support" in [t.value for t in at.text]


def test_money_page_on_an_empty_store(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test("pages/money.py")
    assert at.info[0].value.startswith("There are no conversations in the store yet")


def test_conversations_page_flow_bulge_times_and_hand_offs(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    as_of = date(2024, 6, 30)
    rows = medway_rows()
    # older Conversation 1s piling up at a second site: 3 now, 1 a week earlier
    rows += [
        started(d, site="Northfield", conversation_id=f"N{d}", person_id=f"N{d}")
        for d in (30, 33, 40, 2)
    ]
    import_files(store, [("c.csv", csv_bytes(rows))], as_of=as_of)
    at = app_test("pages/conversations.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Conversation 1"] == "392"
    assert metrics["Reached Conversation 2"] == "29"
    assert metrics["Reached Conversation 3"] == "19"
    assert metrics["Led to long-term support"] == "20"
    assert at.date_input(key="conv_as_of").value == as_of
    assert at.warning[0].value.startswith(
        "Conversation 1s underway for more than 28 days rose from 1 on 23/06/2024 to 3 on "
        "30/06/2024."
    )
    bulge = at.dataframe[0].value.set_index("Conversation")
    assert bulge.loc["Conversation 1", "29–56 days"] == 3
    assert bulge.loc["Conversation 1", "0–7 days"] == 1
    assert bulge.loc["Conversation 1", "Total"] == 4
    complete = at.dataframe[1].value.set_index("Conversation")
    assert complete.loc["Conversation 1", "Completed"] == 388
    assert "Median wait — three conversations" in metrics

    # only Medway: the flow is Medway's own, 388 → 29 → 19, and nothing older is underway
    at.multiselect(key="conv_sites").set_value(["ME4 innovation team"]).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Conversation 1"] == "388"
    assert not at.warning


def test_site_and_area_names_are_never_rendered_as_markdown(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    hostile = "[North](https://e.vil) <b>x</b>"
    rows = [
        started(3, site=hostile, area="**Kingsbury**", conversation_id=f"H{i}", person_id=f"H{i}")
        for i in range(3)
    ]
    import_files(store, [("h.csv", csv_bytes(rows))], as_of=date(2024, 6, 30))
    for page in ("pages/money.py", "pages/conversations.py"):
        at = app_test(page, query={"site": hostile})
        shown = [m.value for m in at.markdown] + [c.value for c in at.caption]
        assert not any("e.vil" in text or "Kingsbury" in text for text in shown), page
        assert any(hostile in t.value for t in at.text), page
