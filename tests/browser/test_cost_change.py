"""Browser: a director opens a shared link to the Cost change page and reads Harrow's Table 1a;
a site lead uploads the exports through the Upload page and finds the same figures."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from evaluation.store import batches
from tests.fixtures.harrow import harrow_files, import_harrow
from tests.harness import open_on_fresh_server, open_store, streamlit_server, wait_for_app

pytestmark = pytest.mark.browser


def read_table(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Row header → cells, read from the page's HTML table as a screen reader would."""
    table = page.get_by_role("table").first
    table.wait_for(timeout=30_000)
    rows: dict[str, list[str]] = {}
    for row in table.locator("tr").all():
        header = row.locator("th").first.inner_text().strip()
        rows[header] = [c.inner_text().strip() for c in row.locator("th, td").all()[1:]]
    return rows


def test_shared_link_shows_table_1a_with_exact_figures(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    store = open_store(db)
    import_harrow(store, with_table_1b=False)
    store.close()
    with streamlit_server(db) as url:
        open_on_fresh_server(page, url, "cost-change?cohort=covid")
        rows = read_table(page)
        assert rows["Measure"] == ["three conversations", "usual practice"]
        assert rows["Conversations"] == ["88", "80"]
        assert rows["Increases to long term care"] == ["5", "22"]
        assert rows["Decreases to long term care"] == ["3", "7"]
        assert rows["No change"] == ["29", "28"]
        assert rows["Work still ongoing"] == ["45", "6"]
        assert rows["Excluded due to suspensions, etc."] == ["6", "17"]
        assert rows["Average change in level of care per person"] == ["-£24", "+£74"]
        assert rows["Approx. impact on full-year budget"] == ["-£46,000", "+£219,000"]
        average = page.get_by_role("cell", name="-£24", exact=True)
        assert average.get_attribute("title") == "-£24.06 a week"
        assert page.get_by_role("columnheader", name="usual practice").count() == 1
        assert page.get_by_role("rowheader", name="No change").count() == 1
        page.get_by_text("Provisional: more than a third").wait_for()
        assert "cohort=covid" in page.url

        with page.expect_download() as download:
            page.get_by_role("button", name="Download the table (CSV, exact figures)").click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        summary = list(csv.DictReader(io.StringIO(text)))
        assert [r["mean_weekly_change"] for r in summary] == ["-24.06", "73.90"]
        assert [r["full_year_impact"] for r in summary] == ["-46299.24", "219041.68"]


def _upload(page, url: str, files: list[Path], as_of: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/upload")
    wait_for_app(page)
    label = "Data as of (the export's extract date)"
    for part, digits in zip(("day", "month", "year"), as_of.split("/"), strict=True):
        page.get_by_role("spinbutton", name=f"{part}, {label}").click()
        page.keyboard.type(digits)
    page.keyboard.press("Tab")
    wait_for_app(page)
    page.locator("input[type='file']").set_input_files([str(f) for f in files])
    page.get_by_role("button", name=f"Import {len(files)} file(s)").click(timeout=60_000)
    page.get_by_text("Import finished.").wait_for(timeout=60_000)


def test_exports_uploaded_in_the_browser_give_table_1a(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "browser.duckdb"
    open_store(db).close()
    written = {}
    for data, _, name in harrow_files(with_table_1b=False):
        written[name] = tmp_path / name
        written[name].write_bytes(data)
    with streamlit_server(db) as url:
        _upload(page, url, [written["old_team_conversations.csv"]], "31/07/2020")
        _upload(
            page,
            url,
            [written["innovation_conversations.csv"], written["care_packages.csv"]],
            "30/11/2020",
        )
        page.goto(f"{url}/cost-change")
        wait_for_app(page)
        rows = read_table(page)
        assert rows["Conversations"] == ["88", "80"]
        assert rows["Work still ongoing"] == ["45", "6"]
        assert rows["Excluded due to suspensions, etc."] == ["6", "17"]
        assert rows["Average change in level of care per person"] == ["-£24", "+£74"]
        assert rows["Approx. impact on full-year budget"] == ["-£46,000", "+£219,000"]
    store = open_store(db)
    assert sorted(str(b["as_of"]) for b in batches.log(store)) == [
        "2020-07-31",
        "2020-11-30",
        "2020-11-30",
    ]
    store.close()
