"""People and families feedback: measures with known answers, consent, stories, the CLI.

The data (built here, imported through the real import):

* North, three conversations, 10 responses: treated well 7 yes / 2 partly / 1 no; helped
  6 / 1 / 1 with two left blank (so 8 answered); listened to 9 yes / 1 no; satisfaction 39
  over 10 (mean 3.90).
* South, three conversations, 6: treated well 3 yes / 3 no; satisfaction 4 each.
* East, three conversations, 4 — the small group: all yes, satisfaction 1, 1, 1, 2 (mean
  1.25, a figure that must appear nowhere).
* Central, usual practice, 8: treated well 4 / 2 / 2; helped 2 yes / 6 no; listened to
  4 / 4; satisfaction 3, 3, 3, 3, 2, 2, 2, 2 (mean 2.50).
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import date
from pathlib import Path

import pytest

from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.measures.feedback import comments, feedback_measures, has_usual_practice
from evaluation.measures.rates import percent
from evaluation.measures.stories import stories
from evaluation.present.stories import stories_text
from evaluation.present.surveys import describe
from evaluation.store.connection import Store
from tests.harness import TEST_KEY

FEEDBACK_COLUMNS = (
    "feedback_id,site,received_on,conversation_id,approach,method,treated_well,helped,"
    "listened_to,satisfaction,what_worked,what_didnt_work,consent_to_quote"
)
MARKUP = "**bold** then <img src=x> then [link](javascript:alert(1))"
UNCONSENTED = "UNCONSENTED remark <b>never shown</b>"
UNSHARED = "UNSHARED story about Mr Jones"


def _site_rows(
    site: str,
    approach: str,
    method: str,
    treated: list[str],
    helped: list[str],
    listened: list[str],
    scores: list[int],
) -> list[dict[str, str]]:
    return [
        {
            "site": site,
            "approach": approach,
            "method": method,
            "treated_well": t,
            "helped": h,
            "listened_to": li,
            "satisfaction": str(s),
        }
        for t, h, li, s in zip(treated, helped, listened, scores, strict=True)
    ]


def feedback_rows() -> list[dict[str, str]]:
    north = _site_rows(
        "North",
        "three conversations",
        "phone interview",
        ["yes"] * 7 + ["partly"] * 2 + ["no"],
        ["yes"] * 6 + ["partly", "no", "", ""],
        ["yes"] * 9 + ["no"],
        [5, 5, 4, 4, 4, 4, 3, 3, 4, 3],
    )
    south = _site_rows(
        "South", "3Cs", "survey", ["yes"] * 3 + ["no"] * 3, ["yes"] * 6, ["yes"] * 6, [4] * 6
    )
    east = _site_rows(
        "East", "three conversations", "survey", ["yes"] * 4, ["y"] * 4, ["Yes"] * 4, [1, 1, 1, 2]
    )
    central = _site_rows(
        "Central",
        "usual practice",
        "phone interview",
        ["yes"] * 4 + ["partly"] * 2 + ["no"] * 2,
        ["yes"] * 2 + ["no"] * 6,
        ["yes"] * 4 + ["no"] * 4,
        [3, 3, 3, 3, 2, 2, 2, 2],
    )
    rows = north + south + east + central
    for i, row in enumerate(rows):
        # North alternates January and February; the rest are in January.
        month = 2 if row["site"] == "North" and i % 2 else 1
        row |= {
            "feedback_id": f"F{i + 1:03d}",
            "received_on": f"{10 + i % 15:02d}/{month:02d}/2025",
            "conversation_id": f"C{i + 1:03d}",
            "what_worked": "",
            "what_didnt_work": "",
            "consent_to_quote": "no",
        }
    rows[0] |= {"what_worked": MARKUP, "consent_to_quote": "yes"}
    rows[1] |= {"what_didnt_work": UNCONSENTED, "what_worked": "Also unconsented"}
    rows[-1] |= {
        "what_worked": "Kind, and quick to call back",
        "what_didnt_work": "100% of the forms were too long",
        "consent_to_quote": "Y",
    }
    return rows


def to_csv_bytes(columns: str, rows: list[dict[str, str]], rng: random.Random) -> bytes:
    """CSV bytes the way a council export would look; row order shuffled (it must not matter)."""
    shuffled = list(rows)
    rng.shuffle(shuffled)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns.split(","), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(shuffled)
    return out.getvalue().encode("utf-8")


STORY_COLUMNS = "story_id,site,told_on,conversation,title,story,consent_to_share"


def story_rows() -> list[dict[str, str]]:
    return [
        {
            "story_id": "S1",
            "site": "North",
            "told_on": "03/02/2025",
            "conversation": "1",
            "title": "Back to the allotment",
            "story": "She goes twice a week now.",
            "consent_to_share": "yes",
        },
        {
            "story_id": "S2",
            "site": "South",
            "told_on": "05/02/2025",
            "conversation": "2",
            "title": "A *carer* who could rest",
            "story": f"Her son said: {MARKUP}",
            "consent_to_share": "yes",
        },
        {
            "story_id": "S3",
            "site": "North",
            "told_on": "07/02/2025",
            "conversation": "3",
            "title": "Not for sharing",
            "story": UNSHARED,
            "consent_to_share": "no",
        },
    ]


def load_feedback(store: Store, rng: random.Random) -> None:
    import_files(
        store,
        [
            ("feedback.csv", to_csv_bytes(FEEDBACK_COLUMNS, feedback_rows(), rng)),
            ("stories.csv", to_csv_bytes(STORY_COLUMNS, story_rows(), rng)),
        ],
        as_of=date(2025, 3, 1),
    )


@pytest.fixture
def loaded(store: Store, rng: random.Random) -> Store:
    load_feedback(store, rng)
    return store


def test_figures_per_site_with_known_answers(loaded: Store) -> None:
    result = feedback_measures(loaded, ["site"])
    north = next(g for g in result.groups if g["site"] == "North")
    assert north["responses"] == 10
    assert (north["treated_well_yes_pct"], north["treated_well_partly_pct"]) == (70.0, 20.0)
    assert north["treated_well_no_pct"] == 10.0
    # Two left helped blank: the denominator is the 8 who answered, not the 10.
    assert north["helped_answered"] == 8
    assert (north["helped_yes_pct"], north["helped_partly_pct"], north["helped_no_pct"]) == (
        75.0,
        12.5,
        12.5,
    )
    assert (north["listened_to_yes_pct"], north["listened_to_no_pct"]) == (90.0, 10.0)
    assert north["satisfaction_mean"] == 3.9
    central = next(g for g in result.groups if g["site"] == "Central")
    assert central["treated_well_partly_pct"] == 25.0
    assert central["helped_no_pct"] == 75.0
    assert central["satisfaction_mean"] == 2.5


def test_the_group_of_four_is_hidden_and_the_total_is_of_the_shown_sites(loaded: Store) -> None:
    result = feedback_measures(loaded, ["site"])
    assert {"site": "East", "suppressed": True, "reason": "small"} in result.groups
    # South (6) has enough responses and is shown: nothing else needs hiding, because the
    # total is of the shown sites and says one small group was left out.
    south = next(g for g in result.groups if g["site"] == "South")
    assert south["responses"] == 6 and "left_out" not in south
    assert sum(g["responses"] for g in result.shown) == result.total["responses"] == 24
    assert result.total["left_out"] == {"small": 1}
    # The total itself: 14 of 24 treated well; 14 of the 22 who answered helped.
    assert result.total["treated_well_yes_pct"] == 58.3
    assert result.total["treated_well_no_pct"] == 25.0
    assert result.total["helped_yes_pct"] == 63.6
    assert result.total["satisfaction_mean"] == 3.46
    text = json.dumps(result.to_json()) + describe(result, "treated_well")
    assert "1.25" not in text


def test_site_by_approach_hides_only_the_small_group(loaded: Store) -> None:
    result = feedback_measures(loaded, ["site", "approach"])
    hidden = {(g["site"], g["approach"]) for g in result.hidden}
    assert hidden == {("East", "three conversations")}
    assert result.total["responses"] == 24 and result.total["left_out"] == {"small": 1}


def test_comparison_with_usual_practice(loaded: Store) -> None:
    assert has_usual_practice(loaded)
    result = feedback_measures(loaded, ["approach"])
    by_approach = {g["approach"]: g for g in result.groups}
    # three conversations is North and South: East's 4 are left out, and it says so
    assert by_approach["three conversations"]["responses"] == 16
    assert by_approach["three conversations"]["left_out"] == {"small": 1}
    assert by_approach["three conversations"]["treated_well_yes_pct"] == 62.5
    assert by_approach["usual practice"]["responses"] == 8
    assert by_approach["usual practice"]["treated_well_yes_pct"] == 50.0
    assert [g["approach"] for g in result.groups] == ["three conversations", "usual practice"]


def test_month_method_and_a_site_filter(loaded: Store) -> None:
    months = feedback_measures(loaded, ["month"], filters={"site": "North"})
    assert [(g["month"], g["responses"]) for g in months.groups] == [
        ("2025-01", 5),
        ("2025-02", 5),
    ]
    assert months.total["responses"] == 10
    methods = feedback_measures(loaded, ["method"])
    assert {g["method"]: g.get("responses") for g in methods.groups} == {
        "phone interview": 18,
        "survey": 6,  # South's 6; East's 4 left out
    }
    assert methods.groups[1]["left_out"] == {"small": 1}


def test_a_period_and_a_raised_threshold(loaded: Store) -> None:
    february = feedback_measures(loaded, ["site"], start=date(2025, 2, 1), end=date(2025, 2, 28))
    assert [(g["site"], g["responses"]) for g in february.groups] == [("North", 5)]
    # the period is whole weeks: Monday 27 January to Sunday 2 March
    assert (february.start, february.end) == (date(2025, 1, 27), date(2025, 3, 2))
    raised = feedback_measures(loaded, ["site"], threshold=10)
    assert [g["site"] for g in raised.shown] == ["North"]
    north = raised.shown[0]
    assert north["treated_well_yes_pct"] == 70.0
    # Only 8 answered helped: below a threshold of 10, so that question is withheld.
    assert north["withheld"] == {"helped": "small"} and north["helped_yes_pct"] is None
    # Usual practice (8) is hidden; three conversations is North's 10 alone, saying so.
    by_approach = feedback_measures(loaded, ["approach"], threshold=10)
    three, usual = by_approach.groups
    assert (three["responses"], three["left_out"]) == (10, {"small": 2})
    assert usual == {"approach": "usual practice", "suppressed": True, "reason": "small"}
    with pytest.raises(ValueError, match="before it starts"):
        feedback_measures(loaded, start=date(2025, 3, 1), end=date(2025, 2, 1))


def test_a_question_nobody_answered(store: Store, rng: random.Random) -> None:
    rows = _site_rows("Quiet", "3Cs", "survey", ["yes"] * 5, ["no"] * 5, [""] * 5, [3] * 5)
    for i, row in enumerate(rows):
        row |= {"feedback_id": f"Q{i}", "received_on": "01/03/2025"}
    import_files(store, [("quiet.csv", to_csv_bytes(FEEDBACK_COLUMNS, rows, rng))])
    quiet = feedback_measures(store, ["site"]).groups[0]
    assert quiet["responses"] == 5 and quiet["treated_well_yes_pct"] == 100.0
    assert quiet["listened_to_answered"] == 0 and quiet["listened_to_yes_pct"] is None
    assert "Listened to, share answering yes — Quiet: nobody answered." in describe(
        feedback_measures(store, ["site"]), "listened_to"
    )


def test_percent_rounds_half_up() -> None:
    assert percent(1, 8, 1) == 12.5
    assert percent(1, 16, 1) == 6.3  # 6.25 → 6.3, not the 6.2 of round-half-even
    assert percent(2, 3, 1) == 66.7
    assert percent(0, 0, 1) is None


def test_only_consented_comments_come_back(loaded: Store) -> None:
    found = comments(loaded)
    texts = [c.text for c in found]
    assert MARKUP in texts
    assert "Kind, and quick to call back" in texts
    assert UNCONSENTED not in texts and "Also unconsented" not in texts
    assert {c.kind for c in found if c.site == "Central"} == {"what worked", "what didn't work"}
    assert [c.text for c in comments(loaded, site="Central", search="100%")] == [
        "100% of the forms were too long"
    ]
    assert comments(loaded, search="unconsented") == []
    assert sorted(c.site for c in comments(loaded, month="2025-01")) == [
        "Central",
        "Central",
        "North",
    ]


def test_only_shared_stories_by_site_and_conversation(loaded: Store) -> None:
    everything = stories(loaded)
    assert [s.story_id for s in everything] == ["S2", "S1"]
    assert [s.story_id for s in stories(loaded, site="North")] == ["S1"]
    assert [s.story_id for s in stories(loaded, conversation=2)] == ["S2"]
    assert stories(loaded, site="North", conversation=3) == []
    text = stories_text(everything)
    assert UNSHARED not in text
    assert text.startswith("A *carer* who could rest\nSouth · Conversation 2 · told 05/02/2025")


def _cli(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_table_and_csv(loaded: Store, db_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    loaded.close()
    db = str(db_path)
    code, out, _ = _cli(
        capsys, "report", "feedback", "--db", db, "--by", "site", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["by"] == ["site"] and data["from"] is None and data["to"] is None
    groups = {g["site"]: g for g in data["groups"]}
    assert groups["East"] == {"site": "East", "suppressed": True, "reason": "small"}
    assert data["total"]["left_out"] == {"small": 1}
    assert groups["North"]["responses"] == 10
    assert groups["North"]["helped_yes_pct"] == 75.0
    assert isinstance(groups["North"]["treated_well_yes_pct"], float)
    assert "1.25" not in out

    code, out, _ = _cli(capsys, "report", "feedback", "--db", db, "--by", "site,approach")
    assert code == 0
    east = next(line for line in out.splitlines() if line.startswith("East"))
    assert "fewer than 5" in east and "%" not in east.replace("fewer than 5", "")
    north = next(line for line in out.splitlines() if line.startswith("North"))
    assert "70.0 / 20.0 / 10.0 (10)" in north and "75.0 / 12.5 / 12.5 (8)" in north

    code, out, _ = _cli(
        capsys, "report", "feedback", "--db", db, "--by", "approach", "--format", "csv",
        "--from", "2025-01-01", "--to", "2025-01-31",
    )  # fmt: skip
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    labels = [r["approach"] for r in rows]
    assert labels == ["three conversations", "usual practice", "All shown"]
    assert rows[1]["responses"] == "8" and rows[1]["treated_well_yes_pct"] == "50.0"
    # 5 North in January and South's 6; East's 4 are left out, and the row says so. Only
    # 4 of North's January 5 answered helped: those 4 are left out of helped too.
    left = "1 group of fewer than 5; some answers to helped (too few in a group)"
    assert rows[0]["responses"] == "11" and rows[0]["left_out"] == left
    assert rows[0]["helped_answered"] == "6" and rows[0]["treated_well_answered"] == "11"
    assert rows[2]["responses"] == "19" and rows[2]["left_out"] == left


def test_cli_bad_input_exits_2(loaded: Store, db_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    loaded.close()
    db = str(db_path)
    for argv, message in (
        (["--by", "colour"], "can't group by colour"),
        (["--by", "role"], "can't group by role"),
        (["--threshold", "3"], "never set below 5"),
        (["--from", "31/01/2025"], "not a date in the form YYYY-MM-DD"),
    ):
        with pytest.raises(SystemExit) as exited:
            main(["report", "feedback", "--db", db, *argv])
        assert exited.value.code == 2
        assert message in capsys.readouterr().err
    code, out, err = _cli(
        capsys, "report", "feedback", "--db", db, "--from", "2025-03-01", "--to", "2025-02-01"
    )
    assert code == 2 and out == "" and "before it starts" in err
    code, _, err = _cli(capsys, "report", "feedback", "--db", str(db_path.with_name("none.db")))
    assert code == 2 and "there is no store" in err
