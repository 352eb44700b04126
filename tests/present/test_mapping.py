"""The mapping step's preview: a file's first rows as the contract would read them."""

from __future__ import annotations

from evaluation.core.contract import KINDS
from evaluation.ingest.mapping_suggest import FileSample
from evaluation.present.mapping import NOT_CHOSEN, preview_rows


def test_the_preview_reads_each_cell_as_the_contract_would() -> None:
    sample = FileSample(
        headers=["Ref", "Start", "Cost", "Outcome", "Status"],
        first_rows=[
            ["K1", "06/04/2017 10:10", "£1,234.5", "Live", "Long Term"],
            ["K2", "12/31/2017", "-4", "Gone", ""],
        ],
        words=[None, None, None, ["Live", "Gone"], ["Long Term"]],
        rows=2,
    )
    columns = {"package_id": 0, "starts_on": 1, "gross_weekly_cost": 2, "status": 3, "support": 4}
    meanings = {"status": {"live": "active"}, "support": {"LONG TERM": "long term"}}
    rows = preview_rows(KINDS["care_packages"], sample, columns, meanings)
    assert rows[0] == {
        "package_id": "K1",
        "starts_on": "06/04/2017",
        "gross_weekly_cost": "£1,234.50",
        "status": "active",
        "support": "long term",
    }
    assert rows[1]["starts_on"].startswith("⚠ not a UK date")
    assert rows[1]["gross_weekly_cost"] == "⚠ a cost cannot be negative"
    assert rows[1]["status"] == NOT_CHOSEN
    assert rows[1]["support"] == "long term"  # blank: the contract's default
