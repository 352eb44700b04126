"""Staff experience: means with known answers, the small group, roles, consent, the CLI.

The data (built here, imported through the real import):

* North, three conversations, 12 responses (6 social workers, 6 care managers): motivation
  50 over 12 (4.17), satisfaction 4 each, making a difference 54 (4.50), workload 36
  (3.00), time with people 50, 55, 60, 65, 70, 60.5 twice (mean 60.08 → 60.1; forms and
  systems 39.9).
* West, three conversations, 7 (4 social workers, 3 occupational therapists): all 3s,
  40% with people.
* South, three conversations, 4 — the small group: time with people 11, 11, 11, 12 (mean
  11.25, a figure that must appear nowhere).
* Central, usual practice, 5 social workers: motivation 3, 3, 3, 2, 2 (2.60); time with
  people 30, 35, 40, 25, 20 (30.0; forms and systems 70.0).
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
from evaluation.measures.staff import comments, staff_measures
from evaluation.present.surveys import describe_time
from evaluation.store.connection import Store
from tests.harness import TEST_KEY
from tests.measures.test_feedback import MARKUP, to_csv_bytes

STAFF_COLUMNS = (
    "response_id,site,responded_on,approach,role,motivation,satisfaction,making_a_difference,"
    "workload_manageable,time_with_people_pct,comment,consent_to_quote"
)
UNCONSENTED_STAFF = "UNCONSENTED staff remark"


def staff_rows() -> list[dict[str, str]]:
    rows = []

    def add(site: str, approach: str, role: str, scores: tuple[int, int, int, int], time: str):  # type: ignore[no-untyped-def]
        i = len(rows)
        rows.append(
            {
                "response_id": f"R{i + 1:03d}",
                "site": site,
                "responded_on": f"{1 + i % 27:02d}/{1 + i % 2:02d}/2025",
                "approach": approach,
                "role": role,
                "motivation": str(scores[0]),
                "satisfaction": str(scores[1]),
                "making_a_difference": str(scores[2]),
                "workload_manageable": str(scores[3]),
                "time_with_people_pct": time,
                "comment": "",
                "consent_to_quote": "no",
            }
        )

    north = [(5, 4, 5, 3), (4, 4, 5, 3), (4, 4, 5, 2), (5, 4, 4, 4), (3, 4, 4, 3), (4, 4, 4, 3)]
    times = ["50", "55", "60", "65%", "70", "60.5"]
    for k, (scores, time) in enumerate(zip(north * 2, times * 2, strict=True)):
        role = "social worker" if k % 6 < 3 else "Care Manager"
        add("North", "three conversations", role, scores, time)
    for k in range(7):
        role = "social worker" if k < 4 else "occupational therapist"
        add("West", "3Cs", role, (3, 3, 3, 3), "40")
    for time in ["11", "11", "11", "12"]:
        add("South", "three conversations", "social worker", (1, 1, 1, 1), time)
    for motivation, time in zip([3, 3, 3, 2, 2], ["30", "35", "40", "25", "20"], strict=True):
        add("Central", "usual practice", "social worker", (motivation, 3, 3, 3), time)
    rows[0] |= {"comment": MARKUP, "consent_to_quote": "yes"}
    rows[19] |= {"comment": UNCONSENTED_STAFF}
    rows[-1] |= {"comment": "More time with people, far fewer forms.", "consent_to_quote": "yes"}
    return rows


def load_staff(store: Store, rng: random.Random) -> None:
    import_files(
        store,
        [("staff.csv", to_csv_bytes(STAFF_COLUMNS, staff_rows(), rng))],
        as_of=date(2025, 3, 1),
    )


@pytest.fixture
def loaded(store: Store, rng: random.Random) -> Store:
    load_staff(store, rng)
    return store


def test_means_per_site_with_known_answers(loaded: Store) -> None:
    result = staff_measures(loaded, ["site", "approach"])
    north = next(g for g in result.groups if g["site"] == "North")
    assert north["responses"] == 12
    assert north["motivation_mean"] == 4.17
    assert north["satisfaction_mean"] == 4.0
    assert north["making_a_difference_mean"] == 4.5
    assert north["workload_manageable_mean"] == 3.0
    assert north["time_with_people_pct_mean"] == 60.1
    assert north["forms_and_systems_pct_mean"] == 39.9
    assert north["time_with_people_pct_answered"] == 12


def test_the_group_of_four_is_hidden_and_the_total_is_of_the_shown_sites(loaded: Store) -> None:
    result = staff_measures(loaded, ["site"])
    # West (7) is shown beside South (4): the total adds up the sites on show and says so.
    assert [(g["site"], g.get("responses")) for g in result.groups] == [
        ("Central", 5),
        ("North", 12),
        ("South", None),
        ("West", 7),
    ]
    assert {"site": "South", "suppressed": True, "reason": "small"} in result.groups
    assert result.total["responses"] == 24 and result.total["left_out"] == {"small": 1}
    assert "11.25" not in json.dumps(result.to_json()) + describe_time(result)
    assert "11.3" not in json.dumps(result.to_json())


def test_by_site_and_by_site_and_approach_hide_the_same_groups(loaded: Store) -> None:
    by_site = {g["site"] for g in staff_measures(loaded, ["site"]).hidden}
    both = {g["site"] for g in staff_measures(loaded, ["site", "approach"]).hidden}
    assert by_site == both == {"South"}


def test_by_approach_compares_with_usual_practice(loaded: Store) -> None:
    result = staff_measures(loaded, ["approach"])
    by_approach = {g["approach"]: g for g in result.groups}
    assert by_approach["usual practice"]["motivation_mean"] == 2.6
    assert by_approach["usual practice"]["time_with_people_pct_mean"] == 30.0
    assert by_approach["usual practice"]["forms_and_systems_pct_mean"] == 70.0
    assert by_approach["three conversations"]["responses"] == 19  # South's 4 left out
    assert by_approach["three conversations"]["left_out"] == {"small": 1}


def test_by_role_hides_the_small_role_and_shows_the_rest(loaded: Store) -> None:
    result = staff_measures(loaded, ["role"])
    # 3 occupational therapists are too few. The 6 care managers are shown: the total
    # adds up only what is on show, so nothing else is needed to protect the three.
    care, therapist, social = result.groups
    assert (care["role"], care["responses"]) == ("care manager", 6)
    assert therapist == {"role": "occupational therapist", "suppressed": True, "reason": "small"}
    # social workers: North's 6 and Central's 5; West's 4 and South's 4 are left out
    assert (social["responses"], social["left_out"]) == (11, {"small": 2})
    assert (result.total["responses"], result.total["left_out"]) == (17, {"small": 3})


def test_by_month_for_one_site(loaded: Store) -> None:
    result = staff_measures(loaded, ["month"], filters={"site": "North"})
    assert [(g["month"], g["responses"]) for g in result.groups] == [
        ("2025-01", 6),
        ("2025-02", 6),
    ]
    assert result.total["responses"] == 12
    # Across the approaches: usual practice's months (2 and 3) are hidden; three
    # conversations' months show North's 6 each, leaving out West's and South's small months.
    by_approach = staff_measures(loaded, ["approach", "month"])
    shown = [(g["approach"], g["month"], g["responses"]) for g in by_approach.shown]
    assert shown == [
        ("three conversations", "2025-01", 6),
        ("three conversations", "2025-02", 6),
    ]
    assert [g["reason"] for g in by_approach.hidden] == ["small", "small"]


def test_only_consented_comments(loaded: Store) -> None:
    texts = [c.text for c in comments(loaded)]
    assert sorted(texts) == sorted([MARKUP, "More time with people, far fewer forms."])
    assert [c.site for c in comments(loaded, search="FORMS")] == ["Central"]
    assert comments(loaded, site="South") == []


def test_cli_json_and_table(loaded: Store, db_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)
    loaded.close()
    db = str(db_path)
    assert main(["report", "staff", "--db", db, "--by", "site", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"site": "South", "suppressed": True, "reason": "small"} in data["groups"]
    north = next(g for g in data["groups"] if g["site"] == "North")
    assert north["time_with_people_pct_mean"] == 60.1 and north["responses"] == 12
    assert data["total"]["responses"] == 24

    assert main(["report", "staff", "--db", db, "--by", "approach"]) == 0
    out = capsys.readouterr().out
    usual = next(line for line in out.splitlines() if line.startswith("usual practice"))
    assert "2.60 (5)" in usual and "30.0 (5)" in usual and usual.rstrip().endswith("70.0")

    assert main(["report", "staff", "--db", db, "--by", "role", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out.removeprefix("\ufeff"))))
    assert [(r["role"], r["responses"], r["left_out"]) for r in rows] == [
        ("care manager", "6", ""),
        ("occupational therapist", "fewer than 5", ""),
        ("social worker", "11", "2 groups of fewer than 5"),
        ("All shown", "17", "3 groups of fewer than 5"),
    ]
    assert rows[1]["motivation_mean"] == ""

    with pytest.raises(SystemExit) as exited:
        main(["report", "staff", "--db", db, "--by", "method"])
    assert exited.value.code == 2
    assert "can't group by method" in capsys.readouterr().err
