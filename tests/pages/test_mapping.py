"""The Upload page's "Map your columns" step (AppTest): a file with its own headings and words
is mapped once, saved as a profile, imported; a later file with the same headings is read
with that profile at once and the page says so."""

from __future__ import annotations

import hashlib
from pathlib import Path

from evaluation.ingest.mapping_saved import find_profile, save_profile
from evaluation.store import batches
from evaluation.store.connection import Store
from tests.harness import open_store

HEADINGS = (
    "Step ID,Client No,Team,Way Of Working,Step Name,Request Category,Step Start,Step End,"
    "Step Outcome\r\n"
)
ROWS = (
    "S1,C1,North,3C Innovation Team,Conversation One - Listen and Connect,New Contact,"
    "06/04/2017 10:10,07/04/2017 09:00,Info & Advice\r\n"
    "S2,C2,North,Care Management,Assessment (Care Act),Review,07/04/2017 11:00,,"
    "No Further Action\r\n"
    "S3,C3,North,3C Innovation Team,Conversation Two - Work Intensively in Crisis,New Contact,"
    "08/04/2017 10:10:30,2017-04-20T12:00,Long Term Support Arranged\r\n"
)
FILE = (HEADINGS + ROWS).encode("cp1252")
LATER = (HEADINGS + ROWS.replace("S1,", "S4,").replace("S2,", "S5,").replace("S3,", "S6,")).encode()


def _key(data: bytes) -> str:
    return f"map-{hashlib.sha256(data).hexdigest()[:16]}-conversations"


def _map(at, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """The choices a person makes for this export: three columns name likeness can't guess,
    then what each of its words means."""
    key = _key(data)
    at.selectbox(key=f"{key}-column-approach").set_value(3).run()
    at.selectbox(key=f"{key}-column-conversation").set_value(4).run()
    at.selectbox(key=f"{key}-column-long_term_support").set_value(8).run()
    choices = {
        "approach-three conversations": ["3C Innovation Team"],
        "approach-usual practice": ["Care Management"],
        "conversation-1": ["Conversation One - Listen and Connect"],
        "conversation-2": ["Conversation Two - Work Intensively in Crisis"],
        "conversation-blank": ["Assessment (Care Act)"],
        "request_type-new": ["New Contact"],
        "request_type-existing": ["Review"],
        "long_term_support-yes": ["Long Term Support Arranged"],
        "long_term_support-no": ["Info & Advice", "No Further Action"],
    }
    for name, words in choices.items():
        column, value = name.split("-", 1)
        at.multiselect(key=f"{key}-values-{column}-{value}").set_value(words)
    at.run()


def test_a_file_with_its_own_headings_is_mapped_saved_and_imported(
    store: Store, db_path: Path, app_test
) -> None:  # type: ignore[no-untyped-def]
    store.close()
    at = app_test("pages/upload.py")
    at.file_uploader(key="uploads").set_value(("mosaic.csv", FILE, "text/csv")).run()
    assert [s.value for s in at.subheader] == ["Map your columns"]
    key = _key(FILE)
    # Suggested by name likeness: the ids, the team, the request category and the dates.
    suggested = {s.label: s.value for s in at.selectbox if (s.key or "").startswith(key)}
    assert suggested["conversation_id (required)"] == 0  # Step ID
    assert suggested["person_id (required)"] == 1  # Client No
    assert suggested["site (required)"] == 2  # Team
    assert suggested["started_on (required)"] == 6  # Step Start
    assert suggested["approach (required)"] == -1  # "Way Of Working": not like any name
    assert "Choose the file's column for: approach." in [w.value for w in at.warning]
    assert at.button(key=f"{key}-save").disabled

    _map(at, FILE)
    preview = at.dataframe[0].value  # the rows as the contract reads them
    three, usual = "three conversations", "usual practice"
    assert list(preview["approach"]) == [three, usual, three]
    assert list(preview["started_on"]) == ["06/04/2017", "07/04/2017", "08/04/2017"]
    assert list(preview["ended_on"]) == ["07/04/2017", "–", "20/04/2017"]
    assert list(preview["conversation"]) == ["1", "–", "2"]
    assert list(preview["long_term_support"]) == ["no", "no", "yes"]
    assert not [w.value for w in at.warning if "no meaning chosen yet" in w.value]

    at.text_input(key=f"{key}-name").input("Mosaic steps report").run()
    at.button(key=f"{key}-save").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "Saved the mapping profile; the file was read again."
    texts = [t.value for t in at.text]
    assert "Read with the mapping profile: Mosaic steps report" in texts
    assert "No problems: 3 row(s) ready to import." in [s.value for s in at.success]
    assert not at.subheader  # no mapping step once the profile reads the file
    next(b for b in at.button if b.label == "Import 1 file(s)").click().run()
    assert "Import finished." in [s.value for s in at.success]
    summary = next(t.value for t in at.text if t.value.startswith("mosaic.csv ("))
    assert summary.startswith(
        "mosaic.csv (read with the mapping profile 'Mosaic steps report'): conversations, "
        "batch B00001: 3 added"
    )

    opened = open_store(db_path)
    try:
        assert batches.count(opened, "conversations") == 3
        profile = find_profile(opened, "mosaic steps report")
        assert profile is not None and profile.columns["approach"] == "Way Of Working"
        assert profile.values["conversation"][""] == ("Assessment (Care Act)",)
    finally:
        opened.close()


PROFILE = """name = "Mosaic steps report"
kind = "conversations"

[columns]
conversation_id = "Step ID"
person_id = "Client No"
site = "Team"
approach = "Way Of Working"
conversation = "Step Name"
request_type = "Request Category"
started_on = "Step Start"
ended_on = "Step End"
long_term_support = "Step Outcome"

[values.approach]
"three conversations" = ["3C Innovation Team"]
"usual practice" = ["Care Management"]

[values.conversation]
"1" = ["Conversation One - Listen and Connect"]
"2" = ["Conversation Two - Work Intensively in Crisis"]
"" = ["Assessment (Care Act)"]

[values.request_type]
new = ["New Contact"]
existing = ["Review"]

[values.long_term_support]
yes = ["Long Term Support Arranged"]
no = ["Info & Advice", "No Further Action"]
"""


def test_a_later_file_with_the_same_headings_is_read_with_its_profile_at_once(
    store: Store, app_test
) -> None:  # type: ignore[no-untyped-def]
    save_profile(store, PROFILE, by="ana@council.gov.uk")
    store.close()
    at = app_test("pages/upload.py")
    choice = next(s for s in at.selectbox if s.label == "Mapping profile")
    assert choice.options == ["Automatic", "Mosaic steps report"] and choice.value == 0
    at.file_uploader(key="uploads").set_value(("week-2.csv", LATER, "text/csv")).run()
    assert "Read with the mapping profile: Mosaic steps report" in [t.value for t in at.text]
    assert "No problems: 3 row(s) ready to import." in [s.value for s in at.success]
    assert not at.subheader


def test_a_value_the_profile_does_not_know_is_refused_and_the_profile_can_be_changed(
    store: Store, db_path: Path, app_test
) -> None:  # type: ignore[no-untyped-def]
    save_profile(store, PROFILE, by="ana@council.gov.uk")
    store.close()
    new_word = LATER.replace(b"Long Term Support Arranged", b"Residential Placement")
    at = app_test("pages/upload.py")
    at.file_uploader(key="uploads").set_value(("week-3.csv", new_word, "text/csv")).run()
    lines = next(t.value for t in at.text if t.value.startswith("Row ")).splitlines()
    # the file's own heading, the value and the whole message
    assert len(lines) == 1 and lines[0].startswith('Row 4, Step Outcome, "Residential Placement": ')
    assert "doesn't say what this value means for long_term_support" in lines[0]
    assert not any(b.label.startswith("Import") for b in at.button)

    # The step opens on the saved profile's choices; only the new word is left to say.
    assert [s.value for s in at.subheader] == ["Map your columns"]
    key = _key(new_word)
    assert at.multiselect(key=f"{key}-values-long_term_support-no").value == [
        "Info & Advice",
        "No Further Action",
    ]
    assert "Not chosen yet: Residential Placement" in [t.value for t in at.text]
    at.multiselect(key=f"{key}-values-long_term_support-yes").set_value(
        ["Residential Placement"]
    ).run()
    assert at.text_input(key=f"{key}-name").value == "Mosaic steps report"
    at.button(key=f"{key}-save").click().run()
    assert at.success[0].value == "Replaced the mapping profile; the file was read again."
    assert "No problems: 3 row(s) ready to import." in [s.value for s in at.success]
    opened = open_store(db_path)
    try:
        profile = find_profile(opened, "Mosaic steps report")
        assert profile is not None
        assert profile.values["long_term_support"]["yes"] == ("Residential Placement",)
        assert batches.count(opened, "conversations") == 0  # nothing stored yet
    finally:
        opened.close()


def test_profiles_are_uploaded_downloaded_and_removed(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    store.close()
    at = app_test("pages/upload.py")
    assert any("No mapping profiles yet" in i.value for i in at.info)
    assert len(at.file_uploader) == 1  # the profile's uploader waits behind its toggle
    at.toggle(key="profile-upload-open").set_value(True).run()
    at.file_uploader(key="profile-upload").set_value(
        ("mosaic.toml", b'name = "Broken"\nkind = "people"\n', "application/toml")
    ).run()
    assert "The profile can't be saved:" in [e.value for e in at.error]
    assert any("kind = 'people' is not a kind of file" in t.value for t in at.text)

    at.file_uploader(key="profile-upload").set_value(
        ("mosaic.toml", PROFILE.encode(), "application/toml")
    ).run()
    assert "The profile was checked and saved." in [s.value for s in at.success]
    table = next(d.value for d in at.dataframe if "saved by" in d.value.columns)
    assert list(table["name"]) == ["Mosaic steps report"]
    assert list(table["kind"]) == ["Conversations"]
    assert at.selectbox(key="profile-pick").value == 0

    next(c for c in at.checkbox if c.label == "Yes, remove this profile").check()
    next(b for b in at.button if b.label == "Remove the profile").click().run()
    assert "Removed the mapping profile." in [s.value for s in at.success]
    assert any("No mapping profiles yet" in i.value for i in at.info)


def test_an_id_column_is_never_offered_as_values(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    """Picking the people's ids for a column of values would list them as words, which a
    saved profile would keep: the step refuses it and offers no values of that column."""
    store.close()
    at = app_test("pages/upload.py")
    at.file_uploader(key="uploads").set_value(("mosaic.csv", FILE, "text/csv")).run()
    key = _key(FILE)
    at.selectbox(key=f"{key}-column-approach").set_value(1).run()  # Client No
    assert "The column chosen for an id is also chosen for approach." in [e.value for e in at.error]
    assert not [m for m in at.multiselect if (m.key or "").startswith(f"{key}-values-approach")]
    assert "C1" not in {o for m in at.multiselect for o in m.options}
    assert at.button(key=f"{key}-save").disabled


def test_the_step_starts_from_the_kind_chosen_on_the_page(store: Store, app_test) -> None:  # type: ignore[no-untyped-def]
    store.close()
    at = app_test("pages/upload.py")
    at.selectbox[0].set_value("Care packages").run()
    services = b"Service ID,Client No,Service Start,Weekly Cost,Service Status\r\nK1,C1,06/04/2017,10,Live\r\n"
    at.file_uploader(key="uploads").set_value(("services.csv", services, "text/csv")).run()
    key = f"map-{hashlib.sha256(services).hexdigest()[:16]}"
    assert at.selectbox(key=f"{key}-kind").value == "care_packages"
    assert at.selectbox(key=f"{key}-care_packages-column-package_id").value == 0


def test_a_file_read_by_its_profile_with_only_other_problems_gets_no_mapping_step(
    store: Store, app_test
) -> None:  # type: ignore[no-untyped-def]
    save_profile(store, PROFILE, by="ana@council.gov.uk")
    store.close()
    bad_date = LATER.replace(b"07/04/2017 11:00", b"31/04/2017")
    at = app_test("pages/upload.py")
    at.file_uploader(key="uploads").set_value(("week-4.csv", bad_date, "text/csv")).run()
    lines = next(t.value for t in at.text if t.value.startswith("Row ")).splitlines()
    assert [line.split(",")[:2] for line in lines] == [["Row 3", " Step Start"]]
    assert not at.subheader  # a wrong date is no reason to change the profile
