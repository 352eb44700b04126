"""The Upload page's words: problems under the file's headings, blanks blank, the log plain."""

from __future__ import annotations

from datetime import date, datetime

from evaluation.ingest.checks import check
from evaluation.present.uploads import blank_cells, log_rows, problem_lines, problem_rows


def test_a_problem_names_the_files_own_heading_and_says_all_of_it() -> None:
    data = b"Feedback ID,Site,Received On,Treated Well\r\nF1,North,12/31/2023,\r\nF2,,01/01/2024,maybe\r\n"
    checked = check(data, "feedback.csv")
    lines = problem_lines(problem_rows(checked.problems, checked.headings))
    assert lines[0].startswith('Row 2, Received On, "12/31/2023": not a UK date')
    assert any(line.startswith('Row 3, Treated Well, "maybe": ') for line in lines)
    assert any(line.startswith("Row 3, Site: ") for line in lines)  # a blank value is no text
    assert not [line for line in lines if "None" in line or "received_on" in line]


def test_blank_cells_are_blank_and_the_log_reads_in_words() -> None:
    assert blank_cells([{"a": None, "b": "x"}]) == [{"a": "", "b": "x"}]
    entry = {
        "batch_id": "B00001", "kind": "care_packages", "file_name": "k.csv",
        "rows_added": 3, "rows_replaced": 0, "rows_unchanged": 1, "as_of": date(2026, 3, 4),
        "imported_at": datetime(2026, 3, 5, 9, 7), "imported_by": "ana", "undone_at": None,
    }  # fmt: skip
    assert log_rows([entry]) == [
        {
            "Batch": "B00001", "Kind": "care packages", "File": "k.csv", "Added": 3,
            "Replaced": 0, "Unchanged": 1, "Data as of": "04/03/2026",
            "Imported": "05/03/2026 09:07", "Imported by": "ana", "State": "active",
        }
    ]  # fmt: skip
