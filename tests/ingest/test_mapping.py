"""Mapping profiles at the byte level: the TOML format checked strictly, and a profile applied
to a file's bytes — headings and values matched ignoring case and surrounding spaces, blanks,
columns the profile doesn't name, a value it doesn't map, a column it doesn't name, a profile
of the wrong kind — on both the whole-file check and the row-by-row reader, which must agree.
"""

from __future__ import annotations

from datetime import date

import pytest

from evaluation.core.contract import KINDS
from evaluation.ingest.checks import Checked, check
from evaluation.ingest.importer import ImportFailed, import_files
from evaluation.ingest.mapping import choose
from evaluation.ingest.mapping_profile import (
    Profile,
    ProfileError,
    allowed_values,
    dump_profile,
    parse_profile,
)
from evaluation.store import batches
from evaluation.store.connection import Store
from evaluation.store.query import rows

# The issue's example, as a council would write it (comments and all).
MOSAIC = """name = "Mosaic steps report"
kind = "conversations"

[columns]                 # contract column = the export's heading
conversation_id = "Step ID"
person_id = "Client No"
approach = "Way Of Working"
conversation = "Step Name"
long_term_support = "Step Outcome"

[values.approach]         # contract value = the export's values that mean it
"three conversations" = ["3C Innovation Team"]
"usual practice" = ["Care Management"]

[values.conversation]
"1" = ["Conversation One - Listen and Connect"]
"" = ["Assessment (Care Act)"]     # blank: no conversation number

[values.long_term_support]
yes = ["Long Term Support Arranged"]
no = ["Info & Advice", "No Further Action"]
"""

HEADER = b"Step ID,Client No,site,Way Of Working,Step Name,request_type,started_on,Step Outcome\r\n"
ROWS = [
    b"S1,C1,North,3C Innovation Team,Conversation One - Listen and Connect,new,06/04/2017 10:10,"
    b"Info & Advice",
    b"S2,C2,North,Care Management,Assessment (Care Act),existing,07/04/2017,No Further Action",
    b"S3,C3,North,3C Innovation Team,Conversation One - Listen and Connect,new,08/04/2017,"
    b"Long Term Support Arranged",
]
ENGINES = ("auto", "python")


def csv(*rows: bytes, header: bytes = HEADER) -> bytes:
    return header + b"\r\n".join(rows) + b"\r\n"


def mosaic() -> Profile:
    return parse_profile(MOSAIC)


def checked(data: bytes, engine: str, **options: object) -> Checked:
    result = check(data, "export.csv", engine=engine, profile=mosaic(), **options)  # type: ignore[arg-type]
    return result


def lines(result: Checked) -> list[str]:
    return [p.line() for p in result.problems]


# --- the format -------------------------------------------------------------------------


def test_the_issue_example_reads_as_written() -> None:
    profile = mosaic()
    assert profile.name == "Mosaic steps report" and profile.kind == "conversations"
    assert profile.columns == {
        "conversation_id": "Step ID",
        "person_id": "Client No",
        "approach": "Way Of Working",
        "conversation": "Step Name",
        "long_term_support": "Step Outcome",
    }
    assert profile.values["conversation"] == {
        "1": ("Conversation One - Listen and Connect",),
        "": ("Assessment (Care Act)",),
    }
    assert profile.lookup("long_term_support") == {
        "long term support arranged": "yes",
        "info & advice": "no",
        "no further action": "no",
    }


def test_a_profile_round_trips_through_its_toml() -> None:
    tricky = Profile(
        'Eclipse "weekly" \\ report',
        "feedback",
        {"feedback_id": "Response ID", "site": "Team\tName", "method": "How"},
        {
            "method": {"phone interview": ("Phone call",), "other": ("Caf\u00e9 chat", "x\x7fy")},
            "treated_well": {"yes": ("Always",), "partly": ("Sometimes",), "": ("N/A",)},
        },
    )
    text = dump_profile(tricky)
    assert parse_profile(text) == tricky
    assert parse_profile(dump_profile(mosaic())) == mosaic()


def test_targets_are_read_the_way_the_contract_reads_them() -> None:
    profile = parse_profile(
        'name = "x"\nkind = "conversations"\n'
        '[values.approach]\n"3Cs" = ["A"]\n" Usual Practice " = ["B"]\n'
        '[values.conversation]\n"C2" = ["Two"]\n'
        '[values.care_suspended]\nY = ["Held"]\nfalse = ["Live"]\n'
    )
    assert profile.values["approach"] == {
        "three conversations": ("A",),
        "usual practice": ("B",),
    }
    assert profile.values["conversation"] == {"2": ("Two",)}
    assert profile.values["care_suspended"] == {"yes": ("Held",), "no": ("Live",)}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('name = "x"\nkind = "people"\n[columns]\nsite = "Team"', "kind = 'people' is not a kind"),
        ('kind = "staff"\n[columns]\nsite = "Team"', "it needs a name"),
        ('name = "x"\nkind = "staff"\n[columns]\nsite_name = "Team"', "did you mean site?"),
        ('name = "x"\nkind = "staff"\n[columns]\nsite = ""', "must be the export's heading"),
        ('name = "x"\nkind = "staff"\n[columns]\nsite = 3', "must be the export's heading"),
        ('name = "x"\nkind = "staff"', "names no columns and maps no values"),
        ('name = "x"\nkind = "staff"\ncolour = "red"\n[columns]\nsite = "T"', "unknown setting"),
        (
            'name = "x"\nkind = "conversations"\n[values.approach]\n"three convos" = ["3C"]',
            'use "three conversations" or "usual practice"',
        ),
        (
            'name = "x"\nkind = "conversations"\n[values.approach]\n"" = ["Other"]',
            "approach is required, so no value can mean blank",
        ),
        (
            'name = "x"\nkind = "conversations"\n[values.started_on]\n"2024-01-01" = ["x"]',
            "started_on takes a date, so it has no values to map",
        ),
        (
            'name = "x"\nkind = "conversations"\n[values.site]\n"North" = ["N"]',
            "site takes any text",
        ),
        (
            'name = "x"\nkind = "conversations"\n[values.long_term_support]\n'
            'yes = ["LTS"]\nno = ["lts "]',
            '"lts" is listed under both "yes" and "no"',
        ),
        (
            'name = "x"\nkind = "conversations"\n[values.long_term_support]\nyes = "LTS"',
            "must be a list of the export's values",
        ),
        (
            'name = "x"\nkind = "conversations"\n[values.long_term_support]\nyes = ["", "A"]',
            "blank cells are always read as blank",
        ),
        (
            'name = "x"\nkind = "feedback"\n[values.method]\n"letter" = ["Post"]',
            '"letter" is not a value method takes',
        ),
        ('name = "x"\nkind = "staff"\n[columns]\nsite = "Team', "is not valid TOML"),
    ],
)
def test_a_wrong_profile_is_refused_with_what_to_change(text: str, says: str) -> None:
    with pytest.raises(ProfileError, match=says.replace("?", r"\?")):
        parse_profile(text)


def test_a_profile_file_must_be_utf8_and_small() -> None:
    with pytest.raises(ProfileError, match=r"profile\.toml is not UTF-8"):
        parse_profile(b'name = "Caf\xe9"', "profile.toml")
    with pytest.raises(ProfileError, match="over 1 MB"):
        parse_profile(b"#" * (1024 * 1024 + 1), "profile.toml")
    bom = parse_profile(b'\xef\xbb\xbfname = "x"\nkind = "staff"\n[columns]\nsite = "Team"')
    assert bom.columns == {"site": "Team"}


def test_every_column_with_a_fixed_list_can_be_mapped() -> None:
    mappable = {
        kind.name: [c for c in kind.columns if allowed_values(kind, c) is not None]
        for kind in KINDS.values()
    }
    assert mappable == {
        "conversations": [
            "approach", "conversation", "request_type", "long_term_support", "care_suspended",
            "age_band",
        ],
        "care_packages": ["status", "support"],
        "feedback": [
            "approach", "method", "treated_well", "helped", "listened_to", "satisfaction",
            "consent_to_quote",
        ],
        "stories": ["conversation", "consent_to_share"],
        "staff": [
            "approach", "motivation", "satisfaction", "making_a_difference",
            "workload_manageable", "consent_to_quote",
        ],
    }  # fmt: skip


# --- applied to a file's bytes ----------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_headings_and_values_are_read_through_the_profile(engine: str) -> None:
    result = checked(csv(*ROWS), engine)
    assert result.ok, lines(result)
    assert result.profile == "Mosaic steps report"
    table = result.table.to_pydict()  # type: ignore[union-attr]
    assert table["conversation_id"] == ["S1", "S2", "S3"]
    assert table["approach"] == ["three conversations", "usual practice", "three conversations"]
    assert table["conversation"] == [1, None, 1]
    assert table["long_term_support"] == [False, False, True]
    assert table["started_on"] == [date(2017, 4, 6), date(2017, 4, 7), date(2017, 4, 8)]
    assert result.preview[0]["approach"] == "three conversations"


@pytest.mark.parametrize("engine", ENGINES)
def test_headings_and_values_match_ignoring_case_and_surrounding_spaces(engine: str) -> None:
    header = (
        b"  STEP id ,client no,Site ,way of working,STEP NAME,Request Type,Started On,"
        b"step outcome  \r\n"
    )
    row = (
        b'S1,C1,North,  3c innovation TEAM\t,"  conversation one - listen and connect ",new,'
        b"06/04/2017, LONG TERM SUPPORT ARRANGED"
    )
    result = checked(csv(row, header=header), engine)
    assert result.ok, lines(result)
    table = result.table.to_pydict()  # type: ignore[union-attr]
    assert table["approach"] == ["three conversations"]
    assert table["conversation"] == [1]
    assert table["long_term_support"] == [True]


@pytest.mark.parametrize("engine", ENGINES)
def test_blank_cells_stay_blank_and_a_blank_meaning_reads_as_blank(engine: str) -> None:
    rows = [
        b"S1,C1,North,Care Management,,existing,07/04/2017,",
        b"S2,C2,North,Care Management,assessment (care act),existing,07/04/2017,   ",
    ]
    result = checked(csv(*rows), engine)
    assert result.ok, lines(result)
    table = result.table.to_pydict()  # type: ignore[union-attr]
    assert table["conversation"] == [None, None]
    assert table["long_term_support"] == [None, None]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_value_the_profile_does_not_map_refuses_the_file_with_row_heading_and_value(
    engine: str,
) -> None:
    rows = [*ROWS, ROWS[0].replace(b"3C Innovation Team", b"Reablement Team").replace(b"S1", b"S4")]
    result = checked(csv(*rows), engine)
    assert not result.ok and result.table is None
    assert lines(result) == [
        "row 5, column Way Of Working ('Reablement Team'): the mapping profile 'Mosaic steps "
        "report' doesn't say what this value means for approach: add it to the profile's "
        "[values.approach] (three conversations / usual practice)"
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_value_the_contract_itself_reads_is_still_unmapped_once_a_column_is_mapped(
    engine: str,
) -> None:
    """A mapped column's words are the export's: 'yes' is refused like any word not listed,
    rather than read as the contract would read it."""
    result = checked(csv(ROWS[0].replace(b"Info & Advice", b"yes")), engine)
    assert [(p.row, p.column, p.value) for p in result.problems] == [(2, "Step Outcome", "yes")]


@pytest.mark.parametrize("engine", ENGINES)
def test_other_problems_name_the_files_own_heading_and_words(engine: str) -> None:
    rows = [
        ROWS[0].replace(b"06/04/2017 10:10", b"12/31/2017"),
        # Usual practice read from a three conversations word: its conversation maps to blank.
        ROWS[1].replace(b"Care Management", b"3C Innovation Team").replace(b"S2", b"S5"),
        ROWS[2],
        ROWS[2],
    ]
    result = checked(csv(*rows), engine)
    assert [(p.row, p.column, p.value) for p in result.problems] == [
        (2, "started_on", "12/31/2017"),
        (3, "Step Name", "Assessment (Care Act)"),
        (5, "Step ID", "S3"),
    ]
    assert result.problems[1].message == (
        "required for three conversations rows: give 1, 2 or 3 "
        "(the profile reads 'Assessment (Care Act)' as blank)"
    )


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("old", "new", "says", "ignored"),
    [
        (
            b",site,",
            b",Team,",
            "row 1, column site: required column is missing: the mapping profile 'Mosaic steps "
            "report' doesn't name it and the file has no site column",
            ["Team"],
        ),
        (
            b"Step Outcome",
            b"Outcome",
            "row 1, column Step Outcome: the mapping profile 'Mosaic steps report' reads "
            "long_term_support from this column, but the file has no column with this heading",
            ["Outcome"],
        ),
    ],
    ids=["a required column it doesn't name", "a heading it names"],
)
def test_a_column_missing_from_the_file_is_refused(
    old: bytes, new: bytes, says: str, ignored: list[str], engine: str
) -> None:
    result = checked(csv(*ROWS, header=HEADER.replace(old, new)), engine)
    assert lines(result) == [says]
    assert result.ignored_columns == ignored


def test_a_profile_of_another_kind_is_refused() -> None:
    result = check(csv(*ROWS), "export.csv", kind="feedback", profile=mosaic())
    assert lines(result)[0] == (
        "the mapping profile 'Mosaic steps report' is for conversations files, not feedback "
        "('feedback')"
    )


def test_both_paths_agree_on_a_mixed_file() -> None:
    rows = [
        *ROWS,
        b"S4,C4,South,care management,Assessment (Care Act),existing,2017-04-09T08:00:00,",
        b"S5,C5,South,Unknown Team,Conversation One - Listen and Connect,new,bad,Moved away",
        b",,,,,,,",
    ]
    fast, slow = (checked(csv(*rows), e) for e in ENGINES)
    assert lines(fast) == lines(slow)
    assert len(lines(fast)) == 3  # two unmapped words, one bad date


# --- the store, the import and the choice of a saved profile ------------------------------


def test_nothing_is_stored_when_one_value_is_unmapped(store: Store) -> None:
    bad = csv(*ROWS, ROWS[2].replace(b"S3", b"S9").replace(b"Long Term", b"Longterm"))
    with pytest.raises(ImportFailed) as failed:
        import_files(store, [("export.csv", bad)], profile=mosaic())
    (problem,) = failed.value.checked[0].problems
    assert (problem.row, problem.column, problem.value) == (
        5,
        "Step Outcome",
        "Longterm Support Arranged",
    )
    assert batches.count(store, "conversations") == 0 and batches.log(store) == []
    done = import_files(store, [("export.csv", csv(*ROWS))], profile=mosaic())
    assert done[0].added == 3 and done[0].profile == "Mosaic steps report"
    assert rows(store, "SELECT approach FROM conversations ORDER BY conversation_id") == [
        ("three conversations",),
        ("usual practice",),
        ("three conversations",),
    ]


def _named(name: str, kind: str, columns: dict[str, str]) -> Profile:
    return Profile(name, kind, columns)


def test_a_saved_profile_is_chosen_only_for_a_file_whose_headings_fit_no_kind() -> None:
    fewer = _named("fewer", "conversations", {"conversation_id": "Step ID"})
    assert choose([fewer, mosaic()], HEADER.decode().strip().split(","), None) == mosaic()
    assert choose([mosaic()], HEADER.decode().strip().split(","), "feedback") is None
    # A file that needs a heading the profile names but doesn't have: not this profile.
    assert choose([mosaic()], ["Step ID", "Client No", "site"], None) is None
    contract = b"conversation_id,person_id,site,approach,conversation,request_type,started_on\r\n"
    plain = contract + b"X1,P1,North,usual practice,,new,01/02/2024\r\n"
    assert check(plain, "plain.csv", saved=[mosaic()]).profile is None
    assert check(csv(*ROWS), "export.csv", saved=[mosaic()]).profile == "Mosaic steps report"
