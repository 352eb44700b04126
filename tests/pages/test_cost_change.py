"""AppTest of the Cost change page: Harrow's Table 1a read off the page, the URL keeps the
filters, the drill-down lists the requests behind a cell, the sample data gives a sensible page."""

from __future__ import annotations

from html.parser import HTMLParser

from evaluation.ingest.sample_loader import load_sample
from evaluation.store.connection import Store
from tests.fixtures.harrow import import_harrow

PAGE = "pages/cost_change.py"


class _Table(HTMLParser):
    """Cells of the page's HTML table: header row, then each row's header and cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str | None]]] = []
        self.caption = ""
        self._cell: list[str] | None = None
        self._title: str | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell, self._title = [], dict(attrs).get("title")
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(("".join(self._cell), self._title))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.caption += data


def read_table(at) -> tuple[list[str], dict[str, list[str]], dict[str, list[str | None]]]:  # type: ignore[no-untyped-def]
    """(column headers, figures shown per row, hover titles per row) of the page's table."""
    parser = _Table()
    parser.feed(next(h.value for h in at.html if "<table" in h.value))
    header, *body = parser.rows
    shown = {row[0][0]: [cell for cell, _ in row[1:]] for row in body}
    titles = {row[0][0]: [title for _, title in row[1:]] for row in body}
    return [cell for cell, _ in header[1:]], shown, titles


def test_page_shows_harrow_table_1a(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_harrow(store, with_table_1b=False)
    at = app_test(PAGE, query={"cohort": "covid"})
    columns, shown, titles = read_table(at)
    assert columns == ["three conversations", "usual practice"]
    assert shown["Conversations"] == ["88", "80"]
    assert shown["Increases to long term care"] == ["5", "22"]
    assert shown["Decreases to long term care"] == ["3", "7"]
    assert shown["No change"] == ["29", "28"]
    assert shown["Work still ongoing"] == ["45", "6"]
    assert shown["Excluded due to suspensions, etc."] == ["6", "17"]
    assert shown["Average change in level of care per person"] == ["-£24", "+£74"]
    assert shown["Approx. impact on full-year budget"] == ["-£46,000", "+£219,000"]
    assert titles["Average change in level of care per person"] == [
        "-£24.06 a week",
        "+£73.90 a week",
    ]
    assert titles["Approx. impact on full-year budget"] == ["-£46,299.24", "+£219,041.68"]
    assert at.warning[0].value.startswith("Provisional: more than a third of the requests in 1 of")
    assert "three conversations: 45 of 88 requests still ongoing" in [t.value for t in at.text]
    texts = [t.value for t in at.text]
    assert any(
        t.startswith("three conversations minus usual practice: -£97.96 a week per person")
        for t in texts
    )
    assert any(
        "three conversations: of 37 completed request(s), 5 went up, 3 went down and 29 had "
        "no change" in t
        for t in texts
    )
    assert at.query_params["cohort"] == "covid"


def test_filters_go_into_the_url_and_come_back(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_harrow(store)
    at = app_test(PAGE)
    assert read_table(at)[1]["Conversations"] == ["502", "80"]  # 88 + 414 at the innovation site
    at.multiselect(key="cc_cohorts").set_value(["non-covid"]).run()
    at.multiselect(key="cc_by").set_value(["approach", "cohort"]).run()
    assert at.query_params["cohort"] == "non-covid"
    assert at.query_params["by"] == ["approach", "cohort"]
    columns, shown, _ = read_table(at)
    assert columns == ["three conversations · non-covid"]
    assert shown["Conversations"] == ["414"]
    assert shown["Average change in level of care per person"] == ["+£11"]
    assert shown["Approx. impact on full-year budget"] == ["+£143,000"]

    shared = app_test(PAGE, query=dict(at.query_params))
    assert shared.multiselect(key="cc_cohorts").value == ["non-covid"]
    assert read_table(shared)[0] == ["three conversations · non-covid"]


def test_drill_down_lists_the_requests_behind_a_cell(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    import_harrow(store, with_table_1b=False)
    at = app_test(PAGE, query={"cohort": "covid"})
    at.selectbox(key="cc_drill_group").set_value("usual practice").run()
    at.selectbox(key="cc_drill_row").set_value("Excluded due to suspensions, etc.").run()
    listed = at.dataframe[-1].value  # the last table: the requests listed
    assert len(listed) == 17
    assert set(listed["Class"]) == {"excluded"}
    assert listed["Reason"].str.len().min() > 0
    assert listed["Person (pseudonym)"].str.startswith("P-").all()
    assert "17 request(s)" in [t.value for t in at.text]
    at.selectbox(key="cc_drill_group").set_value("three conversations").run()
    at.selectbox(key="cc_drill_row").set_value("Decreases to long term care").run()
    decreases = at.dataframe[-1].value
    assert len(decreases) == 3 and (decreases["Change"] < 0).all()


def test_sample_data_gives_a_sensible_page(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    load_sample(store)
    at = app_test(PAGE, query={"by": "site"})
    columns, shown, _ = read_table(at)
    assert columns == [
        "Central locality team",
        "Northfield innovation site",
        "Riverside innovation site",
    ]
    assert all(int(n.replace(",", "")) > 100 for n in shown["Conversations"])
    assert all(v.startswith(("+£", "-£", "£")) for v in shown["Approx. impact on full-year budget"])
    assert not at.warning or not at.warning[0].value.startswith("Provisional")
    listings = [d for d in at.dataframe if "Person (pseudonym)" in d.value.columns]
    assert not listings  # the requests behind a figure are listed once a row is chosen
    at.selectbox(key="cc_drill_row").set_value("Conversations").run()
    listings = [d for d in at.dataframe if "Person (pseudonym)" in d.value.columns]
    assert len(listings) == 1


def test_empty_store_points_to_upload(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    at = app_test(PAGE)
    assert at.info[0].value.startswith("There are no conversations in the store yet.")
    assert not [h for h in at.html if "<table" in h.value]  # no Harrow's table
