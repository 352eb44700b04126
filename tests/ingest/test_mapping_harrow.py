"""A published evaluation's record-level data re-expressed as a local report, read through
profiles in the documented format: one unmapped value refuses the file with its row and
heading and stores nothing; then every file is imported and every figure is exact.

Harrow's records (``tests.fixtures.harrow``, built to reproduce Tables 1a and 1b) are
rewritten the way a recording system's own report would give them: its own headings, its
words for approaches, conversations, request types, suspensions and package statuses,
date-times instead of dates, and Windows-1252 text. The store must end up holding exactly
what the contract-shaped files give, so every measure agrees to the penny.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest

from evaluation.ingest.importer import ImportFailed, import_files
from evaluation.ingest.mapping_profile import parse_profile
from evaluation.ingest.mapping_saved import save_profile
from evaluation.measures.conversion import total
from evaluation.measures.cost_change import summary
from evaluation.measures.selection import Selection
from evaluation.present.formats import change_pounds, change_thousands
from evaluation.store.connection import Store
from evaluation.store.query import rows
from tests.fixtures.harrow import TABLE_1A, harrow_files
from tests.harness import open_store

STEPS = """name = "Steps report"
kind = "conversations"

[columns]                 # contract column = the export's heading
conversation_id = "Step ID"
person_id = "Client No"
site = "Team Name"
approach = "Way Of Working"
conversation = "Step Name"
request_type = "Request Category"
request_id = "Request Ref"
started_on = "Step Start"
ended_on = "Step End"
area = "Locality"
cohort = "Cohort Group"
weekly_cost_before = "Weekly Cost Pre"
weekly_cost_after = "Weekly Cost Post"
care_suspended = "Care Suspended?"
died_on = "Date of Death"

[values.approach]         # contract value = the export's values that mean it
"three conversations" = ["3C Innovation Team"]
"usual practice" = ["Care Management"]

[values.conversation]
"1" = ["Conversation One - Listen and Connect"]
"2" = ["Conversation Two - Work Intensively in Crisis"]
"3" = ["Conversation Three - Build a Good Life"]
"" = ["Assessment (Care Act)"]     # blank: no conversation number

[values.request_type]
new = ["New Contact"]
existing = ["Existing Client"]

[values.care_suspended]
yes = ["Care Suspended"]
"""

SERVICES = """name = "Services report"
kind = "care_packages"

[columns]
package_id = "Service ID"
person_id = "Client No"
service = "Service Type"
starts_on = "Service Start"
ends_on = "Service End"
gross_weekly_cost = "Weekly Cost (£)"
status = "Service Status"

[values.status]
active = ["Live"]
suspended = ["On Hold"]
cancelled = ["Ended Early"]
"""

STEP_HEADINGS = [
    "Step ID", "Client No", "Team Name", "Way Of Working", "Step Name", "Request Category",
    "Request Ref", "Step Start", "Step End", "Locality", "Cohort Group", "Weekly Cost Pre",
    "Weekly Cost Post", "Care Suspended?", "Date of Death",
]  # fmt: skip
SERVICE_HEADINGS = [
    "Service ID", "Client No", "Service Type", "Service Start", "Service End",
    "Weekly Cost (£)", "Service Status",
]  # fmt: skip
APPROACH = {"three conversations": "3C Innovation Team", "3Cs": " 3c innovation TEAM "}
APPROACH["usual practice"] = "Care Management"
CONVERSATION = {
    "1": "Conversation One - Listen and Connect",
    "2": "CONVERSATION TWO - WORK INTENSIVELY IN CRISIS",
    "3": "Conversation Three - Build a Good Life",
    "": "Assessment (Care Act)",
}
REQUEST = {"new": "New Contact", "existing": "existing client"}
STATUS = {"active": "Live", "suspended": "On Hold", "cancelled": "Ended Early"}


def _date_time(text: str, n: int) -> str:
    """A dd/mm/yyyy date as the report writes date-times, in turn each of its forms."""
    if not text:
        return text
    day, month, year = text.split("/")
    return (
        f"{text} 09:{n % 60:02d}",
        f"{text} 14:05:{n % 60:02d}",
        f"{year}-{month}-{day}T08:30",
        f"{year}-{month}-{day}T17:45:09",
    )[n % 4]


def _local(
    data: bytes, headings: list[str], rewrite: Callable[[list[str], int], list[str]]
) -> bytes:
    records = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rewrite(record, n) for n, record in enumerate(records[1:]))
    return out.getvalue().encode("cp1252")


def _steps(record: list[str], n: int) -> list[str]:
    cells = list(record)
    cells[3] = APPROACH[cells[3]]
    cells[4] = CONVERSATION[cells[4]]
    cells[5] = REQUEST[cells[5]]
    for date_column in (7, 8, 14):
        cells[date_column] = _date_time(cells[date_column], n)
    cells[13] = "Care Suspended" if cells[13] == "yes" else ""
    return cells


def _services(record: list[str], n: int) -> list[str]:
    cells = list(record)
    cells[3], cells[4] = _date_time(cells[3], n), _date_time(cells[4], n + 1)
    cells[6] = STATUS[cells[6]]
    return cells


def local_files() -> list[tuple[bytes, date, str]]:
    """Harrow's three exports as the local report gives them, each with its extract date."""
    found = []
    for data, as_of, name in harrow_files():
        if name == "care_packages.csv":
            found.append((_local(data, SERVICE_HEADINGS, _services), as_of, "services.csv"))
        else:
            found.append((_local(data, STEP_HEADINGS, _steps), as_of, f"steps-{name}"))
    return found


def _contents(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row of both kinds, without the batch that brought it."""
    return {
        table: rows(store, f"SELECT * EXCLUDE (batch_id) FROM {table} ORDER BY {key}")
        for table, key in (("conversations", "conversation_id"), ("care_packages", "package_id"))
    }


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What the contract-shaped files give."""
    store = open_store(tmp_path_factory.mktemp("contract") / "evaluation.duckdb")
    try:
        for data, as_of, name in harrow_files():
            import_files(store, [(name, data)], as_of=as_of)
        return {
            "contents": _contents(store),
            "cost change": summary(store, Selection(cohorts=("covid",)), by=("approach",)),
            "conversion": total(store),
        }
    finally:
        store.close()


def test_a_local_report_is_refused_for_one_unmapped_value_then_imported_exactly(
    store: Store, expected: dict[str, object]
) -> None:
    steps, services = parse_profile(STEPS), parse_profile(SERVICES)
    files = local_files()
    assert b"\xa3" in files[2][0]  # the pound sign in Windows-1252, as Excel saves it

    # One value the profile doesn't know: the whole file is refused, nothing stored.
    first, as_of, name = files[0]
    records = first.split(b"\r\n")
    records[41] = records[41].replace(b"3C Innovation Team", b"3C Reablement Team", 1)
    assert b"3C Reablement Team" in records[41]
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [(name, b"\r\n".join(records))], as_of=as_of, profile=steps)
    (problem,) = failed.value.checked[0].problems
    assert (problem.row, problem.column, problem.value) == (
        42,
        "Way Of Working",
        "3C Reablement Team",
    )
    assert _contents(store) == {"conversations": [], "care_packages": []}

    # The whole local report: conversations with the profile named, the services report
    # with the saved profile that fits its headings.
    save_profile(store, SERVICES, by="analyst")
    for data, as_of, name in files:
        given = steps if name.startswith("steps") else None
        (done,) = import_files(store, [(name, data)], as_of=as_of, profile=given)
        assert done.profile == (steps if given else services).name
    assert _contents(store) == expected["contents"]
    report = summary(store, Selection(cohorts=("covid",)), by=("approach",))
    assert report == expected["cost change"]
    assert total(store) == expected["conversion"]
    innovation, old_team = report.groups
    for group, published in zip((innovation, old_team), TABLE_1A, strict=True):
        assert group.conversations == published.conversations
        assert (group.increases, group.decreases, group.no_change) == (
            published.increases,
            published.decreases,
            published.no_change,
        )
        assert (group.ongoing, group.excluded) == (published.ongoing, published.excluded)
        assert change_pounds(group.mean_weekly_change) == published.average
        assert change_thousands(group.full_year_impact) == published.full_year
