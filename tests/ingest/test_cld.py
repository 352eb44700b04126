"""The CLD extract checked and turned into conversations and care packages (contract §4),
held to answers worked out by hand (``tests.fixtures.cld``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.ingest.cld import CldChecked, check_cld
from evaluation.ingest.cld_read import recognise
from evaluation.ingest.cld_requests import request_numbers
from evaluation.ingest.cld_settings import settings
from evaluation.ingest.cld_summary import (
    CARER_SUPPORT,
    CARERS,
    OTHER_CLIENT,
    OTHER_SERVICE,
    REPEATED,
    REQUEST_DATE,
    UNMARKED,
)
from evaluation.store.keys import pseudonym
from tests.fixtures import cld_rules as fx

KEY = b"test-key"
MEDWAY = settings([(fx.SITE, ["ME4", "ME5"])])


def checked(data: bytes, cld=MEDWAY) -> CldChecked:  # type: ignore[no-untyped-def]
    return check_cld(data, "extract.csv", cld, KEY)


@pytest.fixture(scope="module")
def rules() -> CldChecked:
    found = checked(fx.rules_extract())
    assert found.ok, found.problems
    return found


def sorted_rows(table) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """A table's rows in id order (the import makes them in no particular order)."""
    return sorted(table.to_pylist(), key=lambda r: str(next(iter(r.values()))))


def conversations(found: CldChecked) -> dict[str, dict[str, object]]:
    assert found.conversations is not None
    return {r["conversation_id"]: r for r in found.conversations.to_pylist()}


def test_a_cld_file_is_known_by_its_headers_however_they_are_written() -> None:
    assert recognise(fx.rules_extract())
    underscored = fx.csv_bytes(fx.rules_rows(), tuple(h.replace(" ", "_") for h in fx.HEADERS))
    assert recognise(underscored)
    assert recognise(fx.csv_bytes(fx.rules_rows(), tuple(h.upper() for h in fx.HEADERS)))
    assert not recognise(b"conversation_id,person_id,site\r\nA,B,C\r\n")
    assert not recognise(b"PK\x03\x04 not a csv")


def test_every_conversation_is_as_worked_out_by_hand(rules: CldChecked) -> None:
    found = conversations(rules)
    expected = {c["conversation_id"]: c for c in fx.CONVERSATIONS}
    by_hand = {k: v for k, v in found.items() if k in expected}
    assert set(by_hand) == set(expected)
    for conversation_id, want in expected.items():
        got = found[conversation_id]
        assert {k: got[k] for k in want} == want, conversation_id
        assert got["worker_id"] is None and got["cohort"] is None
        assert got["weekly_cost_before"] is None and got["care_suspended"] is None
    # J's rows have no Event Reference: a stable id, and one conversation underway.
    (j_id,) = set(found) - set(expected)
    assert j_id.startswith(f"{fx.LA}/#")
    assert {k: found[j_id][k] for k in fx.J_CONVERSATION} == fx.J_CONVERSATION
    assert found[j_id]["request_id"].startswith(f"{fx.LA}/#")
    assert found[j_id]["request_id"] != j_id  # the request is its (unmarked) Request row


def test_the_person_is_their_pseudonym_of_la_code_and_id(rules: CldChecked) -> None:
    found = conversations(rules)
    assert found[f"{fx.LA}/A-A1"]["person_id"] == pseudonym(KEY, f"{fx.LA}/{fx.A.id}")
    people = {r["person_id"] for r in found.values()}
    assert not any(p.id in str(people) for p in fx.PEOPLE)


def test_every_package_and_weekly_cost_is_dhscs(rules: CldChecked) -> None:
    assert rules.packages is not None
    found = {r["package_id"]: r for r in rules.packages.to_pylist()}
    named = {k.removeprefix(f"{fx.LA}/"): v for k, v in found.items() if "#" not in k}
    assert set(named) == set(fx.PACKAGES)
    for package, (support, cost, ends) in fx.PACKAGES.items():
        got = named[package]
        assert (got["support"], got["gross_weekly_cost"], got["ends_on"]) == (support, cost, ends)
        assert got["status"] == "active"
    assert named["S-A1"]["service"] == (
        "Long term support: Community: Home support or domiciliary care"
    )
    (j_package,) = [v for k, v in found.items() if "#" in k]
    assert (j_package["support"], j_package["gross_weekly_cost"]) == (
        "short term",
        Decimal("350.00"),
    )


def test_the_summary_accounts_for_every_row(rules: CldChecked) -> None:
    summary = rules.summary
    assert summary is not None
    assert summary.rows == 41
    assert summary.by_event_type == {"Request": 9, "Assessment": 7, "Review": 4, "Service": 21}
    assert summary.skipped == {
        CARERS: 2,
        UNMARKED: 5,
        REQUEST_DATE: 1,
        CARER_SUPPORT: 1,
        REPEATED: 1,
    }
    assert summary.requests == {"usual practice": 4, "three conversations": 5}
    assert summary.request_types == {"existing": 2, "new": 7}
    assert summary.conversations == {
        "Conversation 1": 5,
        "Conversation 2": 1,
        "Conversation 3": 1,
        "usual practice": 5,
    }
    assert summary.packages == {"long term": 17, "short term": 2}
    assert summary.not_recorded == {"long term": 3}
    assert summary.negative_costs == 1
    assert summary.unknown_frequencies == {"Per visit": 1}
    assert summary.sites == {fx.SITE: 8, fx.REST: 1}
    assert summary.people == 9
    assert summary.no_age_band == 1
    # Every row is a conversation, a package, a request's date or skipped for a reason.
    made = summary.conversation_rows + summary.package_rows + sum(summary.skipped.values())
    assert made == summary.rows
    # the generator reaches the quirks §4 handles, so both readers meet them
    assert summary.negative_costs > 0 and "Per visit" in summary.unknown_frequencies
    assert summary.conversations.get("Conversation 1", 0) > 0
    assert any("carer" in reason.lower() for reason in summary.skipped), summary.skipped


def _join_rows(gap: int) -> bytes:
    """An Assessment ending on 10/04, then a Review ``gap`` days after that end."""
    end = date(2024, 4, 10)
    later = date.fromordinal(end.toordinal() + gap).isoformat()
    return fx.csv_bytes(
        [
            fx.row(fx.D, "Assessment", "A1", "2024-04-01", "2024-04-10", "Care Act assessment"),
            fx.row(fx.D, "Review", "V1", later, later, "Review"),
        ]
    )


@pytest.mark.parametrize(("gap", "requests"), [(27, 1), (28, 1), (29, 2)])
def test_a_review_joins_the_request_up_to_28_days_after_its_end(gap: int, requests: int) -> None:
    found = conversations(checked(_join_rows(gap)))
    assert len({r["request_id"] for r in found.values()}) == requests


def test_a_row_joins_while_the_request_is_still_open() -> None:
    data = fx.csv_bytes(
        [
            fx.row(fx.D, "Assessment", "A1", "2024-04-01", "", "Care Act assessment"),
            fx.row(fx.D, "Review", "V1", "2024-09-01", "2024-09-02", "Review"),
        ]
    )
    assert {r["request_id"] for r in conversations(checked(data)).values()} == {f"{fx.LA}/A1"}


def test_a_request_row_always_starts_a_request() -> None:
    data = fx.csv_bytes(
        [
            fx.row(fx.D, "Assessment", "A1", "2024-04-01", "2024-04-02", "Care Act assessment"),
            fx.row(fx.D, "Request", "R2", "2024-04-03", "2024-04-03", "Contact"),
            fx.row(fx.D, "Assessment", "A2", "2024-04-04", "2024-04-05", "Care Act assessment"),
        ]
    )
    found = conversations(checked(data))
    assert found[f"{fx.LA}/A1"]["request_id"] == f"{fx.LA}/A1"
    assert found[f"{fx.LA}/A2"]["request_id"] == f"{fx.LA}/R2"
    assert found[f"{fx.LA}/A2"]["requested_on"] == date(2024, 4, 3)


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_on_one_day_request_comes_before_assessment_before_review(order: tuple[int, ...]) -> None:
    day = "2024-07-01"
    rows = [
        fx.row(fx.E, "Request", "R", day, day, "Contact"),
        fx.row(fx.E, "Assessment", "A", day, day, "Care Act assessment"),
        fx.row(fx.E, "Review", "V", day, day, "Review"),
    ]
    found = conversations(checked(fx.csv_bytes([rows[i] for i in order])))
    # One usual-practice request, begun by its Request row: the Assessment and the Review
    # are its conversations whatever order the file lists them in.
    assert set(found) == {f"{fx.LA}/A", f"{fx.LA}/V"}
    assert {r["request_id"] for r in found.values()} == {f"{fx.LA}/R"}


def test_conversation_patterns_are_a_setting() -> None:
    data = fx.csv_bytes(
        [
            fx.row(fx.A, "Assessment", "A1", "2024-04-01", "2024-04-02", "3C first chat"),
            fx.row(fx.A, "Review", "V1", "2024-04-03", "2024-04-04", "3C second chat"),
        ]
    )
    default = conversations(checked(data))
    assert {r["approach"] for r in default.values()} == {"usual practice"}
    marks = settings(
        [(fx.SITE, ["ME4"])], [("3c first", 1), (r"3c (second)", None), ("3c second", 2)]
    )
    found = conversations(checked(data, marks))
    assert [found[f"{fx.LA}/{r}"]["conversation"] for r in ("A1", "V1")] == [1, 2]
    assert {r["approach"] for r in found.values()} == {"three conversations"}


def test_a_postcode_outside_every_site_is_the_rest_of_the_council(rules: CldChecked) -> None:
    found = conversations(rules)
    assert found[f"{fx.LA}/R-C1"]["site"] == "Rest of the council"
    assert found[f"{fx.LA}/R-F1"]["area"] == "ME4"  # "ME44QR", written without its space


def _problem_lines(found: CldChecked) -> list[tuple[int | None, str | None, str | None]]:
    return [(p.row, p.column, p.value) for p in found.problems]


def test_a_missing_column_is_named_and_nothing_is_made() -> None:
    headers = tuple(h for h in fx.HEADERS if h != "Event End Date")
    rows = [
        [c for h, c in zip(fx.HEADERS, r, strict=True) if h != "Event End Date"]
        for r in fx.rules_rows()
    ]
    found = checked(fx.csv_bytes(rows, headers))
    assert _problem_lines(found) == [(1, "Event End Date", None)]
    assert "missing" in found.problems[0].message
    assert found.conversations is None and not found.ok


def test_bad_rows_are_refused_with_row_and_column_and_no_identifying_value() -> None:
    rows = fx.rules_rows()
    rows[1][fx.HEADERS.index("Event Start Date")] = "31/02/2024"  # row 3
    rows[2][fx.HEADERS.index("Event Type")] = "Referral"  # row 4
    rows[3][fx.HEADERS.index("Event End Date")] = "2024-05-01"  # row 5: before its start
    rows[4][fx.HEADERS.index("Date of Birth")] = "12/31/1950"  # row 6
    rows[5][fx.HEADERS.index("Unit Cost")] = "twenty"  # row 7
    found = checked(fx.csv_bytes(rows))
    assert _problem_lines(found) == [
        (3, "Event Start Date", "31/02/2024"),
        (4, "Event Type", "Referral"),
        (5, "Event End Date", None),
        (6, "Date of Birth", None),
        (7, "Unit Cost", "twenty"),
    ]
    messages = [p.message for p in found.problems]
    assert "unknown Event Type" in messages[1]
    assert messages[2] == "ends before it starts (Event Start Date is 10/05/2024)"
    assert "1950" not in " ".join(p.line() for p in found.problems)
    assert found.conversations is None and found.packages is None


def test_an_unknown_cost_frequency_is_not_recorded_and_listed(rules: CldChecked) -> None:
    assert rules.summary is not None
    assert rules.summary.unknown_frequencies == {"Per visit": 1}
    assert rules.packages is not None
    costs = {r["package_id"]: r["gross_weekly_cost"] for r in rules.packages.to_pylist()}
    assert costs[f"{fx.LA}/S-I3"] is None


def test_other_client_and_service_types_are_skipped_with_the_values_seen() -> None:
    odd = fx.Person("MW0099", "9434766108", "Ada", "Odd", "1960-01-01", "ME4 1ZZ", client="Self")
    rows = [
        *fx.rules_rows(),
        fx.row(odd, "Request", "R-Z1", "2024-04-01", "2024-04-01", "Contact"),
        fx.row(fx.A, "Service", "S-Z1", "2024-04-01", service="Meals", cost="5", frequency="Daily"),
    ]
    summary = checked(fx.csv_bytes(rows)).summary
    assert summary is not None
    assert summary.skipped[OTHER_CLIENT] == 1 and summary.other_client_types == {"Self": 1}
    assert summary.skipped[OTHER_SERVICE] == 1 and summary.other_service_types == {"Meals": 1}


def test_two_different_events_with_one_reference_are_refused() -> None:
    rows = [
        fx.row(fx.A, "Assessment", "X1", "2024-04-01", "2024-04-02", "Care Act assessment"),
        fx.row(fx.A, "Assessment", "X1", "2024-06-01", "2024-06-02", "Care Act assessment"),
    ]
    found = checked(fx.csv_bytes(rows))
    assert _problem_lines(found) == [(3, "Event Reference", None)]
    assert "row 2" in found.problems[0].message


def test_no_sites_known_means_a_problem_not_a_guess() -> None:
    found = check_cld(fx.rules_extract(), "x.csv", None, KEY)
    assert not found.ok and "--cld-site" in found.problems[0].message


def _variants() -> dict[str, bytes]:
    data = fx.rules_extract()
    return {
        "with a BOM": b"\xef\xbb\xbf" + data,
        "Windows-1252": data.decode().replace("Zebedee", "Zébédée").encode("cp1252"),
        "blank lines": data.replace(b"\r\n", b"\r\n\r\n", 3),
        "cells padded with spaces and tabs": data.replace(b",Service user,", b", Service user\t,")
        .replace(b",Weekly,", b", Weekly ,")
        .replace(b",Review,", b",Review ,")
        .replace(b",Long term support: Community,", b",\tLong term support: Community,"),
        "quoted headers": b",".join(b'"' + h.encode() + b'"' for h in fx.HEADERS)
        + data[data.index(b"\r\n") :],
    }


@pytest.mark.parametrize("variant", list(_variants()))
def test_the_same_extract_however_it_is_saved(rules: CldChecked, variant: str) -> None:
    found = checked(_variants()[variant])
    assert found.ok, found.problems
    assert found.conversations is not None and rules.conversations is not None
    assert sorted_rows(found.conversations) == sorted_rows(rules.conversations)


def test_row_numbers_count_blank_lines_as_a_spreadsheet_does() -> None:
    rows = fx.rules_rows()
    rows[2][fx.HEADERS.index("Event Type")] = "Referral"
    data = fx.csv_bytes(rows).replace(b"\r\n", b"\r\n\r\n", 1)  # a blank row 2
    assert _problem_lines(checked(data)) == [(5, "Event Type", "Referral")]


def test_a_ragged_row_is_named() -> None:
    data = fx.rules_extract() + b"," * (len(fx.HEADERS) + 2) + b"extra\r\n"
    found = checked(data)
    assert [(p.row, p.column) for p in found.problems] == [(43, None)]
    assert "values but the header has" in found.problems[0].message


def test_the_fast_and_row_by_row_readers_agree_on_a_generated_extract(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = fx.write(tmp_path / "g.csv", 3000, seed=3).read_bytes()
    fast = checked(data)
    slow = checked(data.replace(b"\r\n", b"\r\n\r\n", 1))  # a blank line: row by row
    assert fast.ok and slow.ok
    assert fast.conversations is not None and slow.conversations is not None
    assert sorted_rows(fast.conversations) == sorted_rows(slow.conversations)
    assert fast.packages is not None and slow.packages is not None
    assert sorted_rows(fast.packages) == sorted_rows(slow.packages)
    assert fast.summary == slow.summary
    summary = fast.summary
    assert summary is not None
    ids = [r["conversation_id"] for r in fast.conversations.to_pylist()]
    assert len(ids) == len(set(ids))
    made = summary.conversation_rows + summary.package_rows + sum(summary.skipped.values())
    assert made == summary.rows


def _requests_by_the_words_of_section_4(
    rows: list[tuple[int, int, int | None, bool]],
) -> list[int]:
    """A request number for each (person, start, end or None, is a Request row), the rows in
    order: §4 read aloud, one row at a time."""
    numbers, number = [], 0
    latest: dict[int, tuple[int | None, bool]] = {}  # person: (latest end, open)
    for person, start, end, is_request in rows:
        current = latest.get(person)
        joins = (
            not is_request
            and current is not None
            and (current[1] or (current[0] is not None and start <= current[0] + 28))
        )
        if not joins:
            number += 1
            current = (end, end is None)
        else:
            assert current is not None
            ends = [e for e in (current[0], end) if e is not None]
            current = (max(ends) if ends else None, current[1] or end is None)
        latest[person] = current
        numbers.append(number)
    return numbers


@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.sampled_from([0, 1, 2, 27, 28, 29, 30, 45]),  # days after the person's last start
            st.one_of(st.none(), st.sampled_from([0, 1, 3, 26, 27, 28, 29])),
            st.booleans(),
        ),
        max_size=40,
    )
)
def test_the_running_maximum_finds_the_requests_section_4_describes(raw: list) -> None:  # type: ignore[type-arg]
    rows, last_start = [], {0: 0, 1: 0, 2: 0}
    for person, gap, length, is_request in raw:
        start = last_start[person] = last_start[person] + gap
        rows.append((person, start, None if length is None else start + length, is_request))
    # As the import sorts them: by person and start, a Request row first on its day.
    rows.sort(key=lambda r: (r[0], r[1], not r[3], r[2] is None, r[2] or 0))
    if not rows:
        return
    person, starts, ends, requests = (np.array(c) for c in zip(*rows, strict=True))
    is_open = np.array([e is None for e in ends])
    _, numbers = request_numbers(
        person, starts, np.where(is_open, 0, ends).astype(np.int64), is_open, requests
    )
    expected = _requests_by_the_words_of_section_4(rows)
    # The same partition into requests (numbers may differ only by naming).
    assert len(set(zip(numbers.tolist(), expected, strict=True))) == len(set(expected))
    assert len(set(numbers.tolist())) == len(set(expected))


def test_windows_1252_text_is_read_as_written() -> None:
    text = fx.rules_extract().decode().replace("Mental Health Support", "Santé mentale – soutien")
    found = conversations(checked(text.encode("cp1252")))
    assert found[f"{fx.LA}/A-B1"]["support_reason"] == "Santé mentale – soutien"
