"""Making it Happen: the meeting summary agrees with the reports and flags what it should.

The data (built here as CSV bytes and imported through the real import, extract date
31/03/2025; the default period is 04/03/2025 to 31/03/2025 against 04/02/2025 to 03/03/2025):

* Feedback (survey figures take whole weeks: 03/03/2025 to 06/04/2025 against 27/01/2025 to
  02/03/2025). This period: North (three conversations) 10 responses, treated well 6 yes,
  helped 8 yes, satisfaction 3 each; South 6, all yes, satisfaction 4; East 4 — the small
  group — treated well 1 of 4 (25.0%), satisfaction 1, 1, 1, 2 (mean 1.25): figures shown
  nowhere, and left out of every total, which says so; Central (usual practice) 8, treated
  well 4 yes, helped 3 yes, satisfaction 2. Previous period: North 10, 9 yes to both,
  satisfaction 4. So three conversations (North and South) fell from 90.0% to 75.0% treated
  well and from 4.00 to 3.38 satisfaction: "feedback falling".
* Staff. This period: North 6 responses, 60% of time with people, motivation 4, making a
  difference 5; Central 5 responses, 30%, 3, 3. Previous: North 6, 50%, 3, 4.
* Conversations at North (three conversations) and Central (usual practice): conversion
  20.00% (2 of 10 new) this period and 40.00% (4 of 10) before, Central 50.00% (4 of 8);
  cost change −£16 a week (12 completed of 27 requests, 15 ongoing: provisional); as it
  stood on 03/03/2025 only 4 were completed, too few for an average; Central +£17 (6); Conversation 1s underway for more than 28 days 5 now, 2 a week
  earlier (the bulge is growing); median wait 2 days, 4 days before, 10 at Central.
* Stories: one shared with consent this period, a newer one without consent.
"""

from __future__ import annotations

import csv
import io
import json
import random
from contextlib import redirect_stdout
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.meeting import summary as meeting
from evaluation.meeting.model import Figure, Period
from evaluation.meeting.money import cost_table
from evaluation.meeting.summary import MeetingSummary
from evaluation.store.connection import Store

AS_OF = date(2025, 3, 31)
TODAY = date(2025, 4, 2)  # the meeting: two days after the extract, so the data is fresh
PERIOD = Period(date(2025, 3, 4), date(2025, 3, 31))
PREVIOUS = Period(date(2025, 2, 4), date(2025, 3, 3))
UNSHARED = "UNSHARED story about Mrs Patel"
SHARED_TITLE = "Back to the allotment"
SHARED_STORY = (
    "She wanted to get back to her allotment: a lift on Tuesdays did it. <b>£5</b> a week."
)

CONVERSATION_COLUMNS = (
    "conversation_id", "person_id", "site", "approach", "conversation", "request_type",
    "request_id", "requested_on", "started_on", "ended_on", "long_term_support",
    "weekly_cost_before", "weekly_cost_after",
)  # fmt: skip
FEEDBACK_COLUMNS = (
    "feedback_id", "site", "received_on", "approach", "method", "treated_well", "helped",
    "listened_to", "satisfaction", "consent_to_quote",
)  # fmt: skip
STAFF_COLUMNS = (
    "response_id", "site", "responded_on", "approach", "motivation", "satisfaction",
    "making_a_difference", "workload_manageable", "time_with_people_pct",
)  # fmt: skip
STORY_COLUMNS = (
    "story_id",
    "site",
    "told_on",
    "conversation",
    "title",
    "story",
    "consent_to_share",
)


def _uk(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _csv(columns: tuple[str, ...], rows: list[dict[str, Any]], rng: random.Random) -> bytes:
    shuffled = list(rows)
    rng.shuffle(shuffled)  # row order must not matter
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in shuffled:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return out.getvalue().encode("utf-8")


def conversation_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(
        site: str,
        approach: str,
        number: int | None,
        kind: str,
        started: date,
        ended: date | None = None,
        *,
        request: str,
        lts: bool = False,
        requested: date | None = None,
        costs: tuple[int, int] | None = None,
    ) -> None:
        rows.append(
            {
                "conversation_id": f"C{len(rows) + 1:03d}",
                "person_id": f"P-{request}",
                "site": site,
                "approach": approach,
                "conversation": number or "",
                "request_type": kind,
                "request_id": request,
                "requested_on": _uk(requested),
                "started_on": _uk(started),
                "ended_on": _uk(ended),
                "long_term_support": "yes" if lts else "no",
                "weekly_cost_before": costs[0] if costs else "",
                "weekly_cost_after": costs[1] if costs else "",
            }
        )

    north = ("North", "three conversations")
    # Cost change: four requests finished in January (-100, -50, 0, +30 a week) ...
    for i, costs in enumerate(((200, 100), (150, 100), (80, 80), (100, 130))):
        add(
            *north, 1, "existing", date(2025, 1, 6), date(2025, 1, 13), request=f"N{i}", costs=costs
        )
    # ... and one whose 30 days after ran out on 12/03/2025 (-70): ongoing on 03/03/2025.
    add(*north, 1, "existing", date(2025, 1, 20), date(2025, 2, 10), request="N5", costs=(170, 100))
    # The bulge: three Conversation 1s started late February and two in January, all open.
    for i, day in enumerate((26, 27, 28)):
        add(*north, 1, "new", date(2025, 2, day), request=f"NB{i}")
    for i in range(2):
        add(*north, 1, "new", date(2025, 1, 20), request=f"NJ{i}")
    # This period: ten new requests, two to long-term support, each waited 2 days.
    for i in range(10):
        started = date(2025, 3, 5) + timedelta(days=i)
        add(
            *north,
            1,
            "new",
            started,
            date(2025, 3, 20),
            request=f"NP{i}",
            lts=i < 2,
            requested=started - timedelta(days=2),
        )
    add(*north, 2, "new", date(2025, 3, 15), date(2025, 3, 20), request="NP0", lts=True)
    # The previous period: seven new requests (plus the three of the bulge), four to
    # long-term support, each waited 4 days.
    for i in range(7):
        started = date(2025, 2, 5) + timedelta(days=i)
        add(
            *north,
            1,
            "new",
            started,
            date(2025, 2, 20),
            request=f"NQ{i}",
            lts=i < 4,
            requested=started - timedelta(days=4),
        )

    central = ("Central", "usual practice")
    add(
        *central,
        None,
        "existing",
        date(2025, 1, 6),
        date(2025, 1, 13),
        request="C0",
        costs=(100, 140),
    )
    add(
        *central,
        None,
        "existing",
        date(2025, 1, 6),
        date(2025, 1, 13),
        request="C1",
        costs=(100, 160),
    )
    for i in range(8):
        started = date(2025, 3, 5) + timedelta(days=i)
        add(
            *central,
            None,
            "new",
            started,
            date(2025, 3, 18),
            request=f"CP{i}",
            lts=i < 4,
            requested=started - timedelta(days=10),
        )
    for i in range(4):
        add(*central, None, "new", date(2025, 2, 5), date(2025, 2, 20), request=f"CQ{i}", lts=i < 1)
    return rows


def feedback_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(site: str, approach: str, day: date, answers: list[tuple[str, str, int]]) -> None:
        for treated, helped, score in answers:
            rows.append(
                {
                    "feedback_id": f"F{len(rows) + 1:03d}",
                    "site": site,
                    "received_on": _uk(day),
                    "approach": approach,
                    "method": "phone interview",
                    "treated_well": treated,
                    "helped": helped,
                    "listened_to": "yes",
                    "satisfaction": score,
                    "consent_to_quote": "no",
                }
            )

    three = "three conversations"
    add("North", three, date(2025, 3, 10), [("yes", "yes", 3)] * 6 + [("no", "yes", 3)] * 2
        + [("no", "no", 3)] * 2)  # fmt: skip
    add("South", three, date(2025, 3, 11), [("yes", "yes", 4)] * 6)
    add(
        "East",
        three,
        date(2025, 3, 12),
        [("yes", "yes", 1)] + [("no", "yes", 1)] * 2 + [("no", "yes", 2)],
    )
    add("Central", "usual practice", date(2025, 3, 12),
        [("yes", "yes", 2)] * 3 + [("yes", "no", 2)] + [("no", "no", 2)] * 4)  # fmt: skip
    add("North", three, date(2025, 2, 10), [("yes", "yes", 4)] * 9 + [("no", "no", 4)])
    return rows


def staff_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def add(site: str, approach: str, day: date, n: int, scores: tuple[int, int, int]) -> None:
        motivation, difference, time = scores
        for _ in range(n):
            rows.append(
                {
                    "response_id": f"R{len(rows) + 1:03d}",
                    "site": site,
                    "responded_on": _uk(day),
                    "approach": approach,
                    "motivation": motivation,
                    "satisfaction": 3,
                    "making_a_difference": difference,
                    "workload_manageable": 3,
                    "time_with_people_pct": time,
                }
            )

    add("North", "three conversations", date(2025, 3, 14), 6, (4, 5, 60))
    add("Central", "usual practice", date(2025, 3, 14), 5, (3, 3, 30))
    add("North", "three conversations", date(2025, 2, 14), 6, (3, 4, 50))
    return rows


def story_rows() -> list[dict[str, Any]]:
    return [
        {
            "story_id": "S1",
            "site": "North",
            "told_on": "10/03/2025",
            "conversation": 1,
            "title": SHARED_TITLE,
            "story": SHARED_STORY,
            "consent_to_share": "yes",
        },
        {
            "story_id": "S2",
            "site": "North",
            "told_on": "20/03/2025",
            "conversation": 2,
            "title": "Not to be shared",
            "story": UNSHARED,
            "consent_to_share": "no",
        },
        {
            "story_id": "S3",
            "site": "South",
            "told_on": "10/01/2025",
            "conversation": 1,
            "title": "An older story from South",
            "story": "Told in January.",
            "consent_to_share": "yes",
        },
    ]


def load_meeting_data(store: Store, rng: random.Random, as_of: date = AS_OF) -> None:
    import_files(
        store,
        [
            ("conversations.csv", _csv(CONVERSATION_COLUMNS, conversation_rows(), rng)),
            ("feedback.csv", _csv(FEEDBACK_COLUMNS, feedback_rows(), rng)),
            ("staff.csv", _csv(STAFF_COLUMNS, staff_rows(), rng)),
            ("stories.csv", _csv(STORY_COLUMNS, story_rows(), rng)),
        ],
        as_of=as_of,
    )


@pytest.fixture
def loaded(store: Store, rng: random.Random) -> Store:
    load_meeting_data(store, rng)
    return store


def _summary(store: Store, sites: tuple[str, ...] = ()) -> MeetingSummary:
    return meeting.summarise(store, sites, today=TODAY, now=datetime(2025, 4, 2, 9, 30))


def _figures(summary: MeetingSummary, key: str) -> dict[str, Figure]:
    return {f.label: f for f in summary.section(key).figures}


def report_json(args: list[str]) -> Any:
    """A report's JSON, from ``python -m evaluation report …`` itself."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["report", *args, "--format", "json"]) == 0
    return json.loads(out.getvalue())


# --- the period ----------------------------------------------------------------------------


def test_default_period_is_the_last_four_weeks_to_the_data_as_of(loaded: Store) -> None:
    summary = _summary(loaded)
    assert summary.as_of == AS_OF
    assert summary.period == PERIOD and summary.previous == PREVIOUS
    assert summary.period.days == 28 == summary.previous.days
    with pytest.raises(ValueError, match=r"ends .* before it starts"):
        Period(date(2025, 3, 2), date(2025, 3, 1))


# --- the figures equal the reports' ----------------------------------------------------------


def test_people_and_staff_figures_equal_the_reports(loaded: Store, db_path) -> None:  # type: ignore[no-untyped-def]
    summary = _summary(loaded)
    people = _figures(summary, "people")
    treated = people["Treated well: yes"]
    assert treated.value == "75.0%"  # North and South: East's 4 are left out, and it says so
    assert treated.base == "of 16 who answered; all shown sites; 1 group of fewer than 5 left out"
    assert treated.previous == "90.0%"
    assert treated.change == "-15.0 points" and treated.tone == "worse"
    assert treated.usual == "50.0%"
    assert people["Helped: yes"].value == "87.5%"
    assert people["Mean satisfaction (1–5)"].value == "3.38"
    assert people["Mean satisfaction (1–5)"].usual == "2.00"
    assert people["Stories of difference shared"].value == "1"
    assert (
        "Whole weeks: 03/03/2025 to 06/04/2025, against 27/01/2025 to 02/03/2025."
        in (summary.section("people").notes[0])
    )

    db = ["--db", str(db_path)]
    now = report_json(
        ["feedback", *db, "--by", "approach", "--from", "2025-03-03", "--to", "2025-04-06"]
    )
    before = report_json(
        ["feedback", *db, "--by", "approach", "--from", "2025-01-27", "--to", "2025-03-02"]
    )
    three = next(g for g in now["groups"] if g["approach"] == "three conversations")
    usual = next(g for g in now["groups"] if g["approach"] == "usual practice")
    earlier = next(g for g in before["groups"] if g["approach"] == "three conversations")
    assert people["Treated well: yes"].number == three["treated_well_yes_pct"]
    assert people["Treated well: yes"].previous_number == earlier["treated_well_yes_pct"]
    assert people["Helped: yes"].number == three["helped_yes_pct"]
    assert people["Mean satisfaction (1–5)"].number == three["satisfaction_mean"]
    assert people["Treated well: yes"].usual == f"{usual['treated_well_yes_pct']:.1f}%"

    staff = _figures(summary, "staff")
    assert staff["Time with people (mean %)"].value == "60.0%"
    assert staff["Time with people (mean %)"].previous == "50.0%"
    assert staff["Time with people (mean %)"].change == "+10.0 points"
    assert staff["Time with people (mean %)"].tone == "better"
    assert staff["Time with people (mean %)"].usual == "30.0%"
    assert staff["Making a difference (mean, 1–5)"].value == "5.00"
    reported = report_json(
        ["staff", *db, "--by", "approach", "--from", "2025-03-03", "--to", "2025-04-06"]
    )
    three_staff = next(g for g in reported["groups"] if g["approach"] == "three conversations")
    assert staff["Time with people (mean %)"].number == three_staff["time_with_people_pct_mean"]
    assert staff["Motivation (mean, 1–5)"].number == three_staff["motivation_mean"]


def test_money_and_conversation_figures_equal_the_reports(loaded: Store, db_path) -> None:  # type: ignore[no-untyped-def]
    summary = _summary(loaded)
    money = _figures(summary, "money")
    conversion = money["New requests that led to long-term support"]
    assert (conversion.value, conversion.previous, conversion.usual) == (
        "20.00%",
        "40.00%",
        "50.00%",
    )
    assert conversion.base == "2 of 10 new requests (95% interval 5.67% to 50.98%)"
    assert conversion.tone == "better"  # down from 40.00%
    cost = money["Average change in weekly cost of care per person"]
    # as it stood on 03/03/2025 only 4 requests were completed: too few for an average
    assert (cost.value, cost.previous, cost.usual) == ("-£16", "hidden: fewer than 5", "+£17")
    assert cost.change == "" and cost.tone == ""
    # the full-year impact is beside the average, as volume × average, not a headline
    assert "Full-year impact: volume × average, 12 × -£15.83 × 52 weeks = -£10,000" in cost.base
    assert "Approx. impact on full-year budget" not in money
    difference = money["Difference from usual practice (average a week)"]
    assert difference.value == "-£33"  # -£15.83 against +£16.67
    assert "-£32.50 a week per person against usual practice; 95% interval" in difference.base
    reablement = money["New requests met with reablement"]
    assert (reablement.value, reablement.base) == ("0.00%", "0 of 10 new requests")

    db = ["--db", str(db_path)]
    rows = report_json(
        ["conversion", *db, "--by", "approach", "--from", "2025-03-04", "--to", "2025-03-31"]
    )
    three = next(r for r in rows["groups"] if r["approach"] == "three conversations")
    assert conversion.number == pytest.approx(three["conversion_rate"])
    assert three["reablement"] == 0 and three["reablement_rate"] == 0.0
    report = report_json(["cost-change", *db, "--to", "2025-03-31"])
    group = next(g for g in report["groups"] if g["approach"] == "three conversations")
    assert (group["conversations"], group["ongoing"]) == (27, 15)
    assert cost.number == pytest.approx(group["mean_weekly_change"])
    earlier = report_json(["cost-change", *db, "--to", "2025-03-03", "--as-of", "2025-03-03"])
    then = next(g for g in earlier["groups"] if g["approach"] == "three conversations")
    assert then["mean_weekly_change"] is None and cost.previous_number is None
    assert then["no_average_because"] == "fewer than 5 completed requests"
    harrow = cost_table(summary.cost)
    assert harrow.columns == ["", "three conversations", "usual practice"]
    assert ["Work still ongoing", "15", "8"] in harrow.rows

    flow = _figures(summary, "conversations")
    older = flow["Conversation 1s underway for more than 28 days"]
    assert (older.value, older.previous) == ("5", "2")
    assert "2 a week earlier" in older.base
    wait = flow["Median wait from request to first conversation"]
    assert (wait.value, wait.previous, wait.usual) == ("2 days", "4 days", "10 days")
    activity = report_json(["activity", *db, "--part", "underway", "--as-of", "2025-03-31"])
    assert activity["older_conversation_1s"]["now"] == 5
    waiting = report_json(
        [
            "activity",
            *db,
            "--part",
            "waiting",
            "--by",
            "approach",
            "--from",
            "2025-03-04",
            "--to",
            "2025-03-31",
        ]
    )
    assert {w["approach"]: w["median_days"] for w in waiting["waiting_time"]} == {
        "three conversations": 2,
        "usual practice": 10,
    }


def test_one_site_reads_its_rows_and_compares_with_usual_practice_everywhere(loaded: Store) -> None:
    summary = _summary(loaded, ("north",))  # the store's spelling is found
    assert summary.sites == ("North",)
    people = _figures(summary, "people")
    assert people["Treated well: yes"].value == "60.0%"  # North alone: 6 of 10
    assert people["Treated well: yes"].usual_label == "usual practice, all sites"
    assert people["Treated well: yes"].usual == "50.0%"
    money = _figures(summary, "money")
    assert money["New requests that led to long-term support"].usual_label == (
        "usual practice, all sites"
    )
    with pytest.raises(ValueError, match="no site called 'Nowhere'"):
        meeting.summarise(loaded, ["Nowhere"])


# --- small numbers -------------------------------------------------------------------------


def test_the_small_group_is_hidden_everywhere_in_the_summary(loaded: Store) -> None:
    summary = _summary(loaded)
    table = summary.section("people").tables[0]
    by_site = {row[0]: row for row in table.rows}
    assert by_site["East"][2] == "fewer than 5"
    assert by_site["East"][3:] == ["hidden", "hidden", "hidden", "hidden", ""]
    # South has 6: shown beside East, the total adding up only the sites on show
    assert by_site["South"][2:4] == ["6", "100.0%"]
    assert by_site["North"][2:4] == ["10", "60.0%"]
    assert by_site["All shown"][2] == "24" and by_site["All shown"][-1] == (
        "1 group of fewer than 5"
    )
    east = _figures(_summary(loaded, ("East",)), "people")
    assert east["Treated well: yes"].value == "not shown"
    assert east["Treated well: yes"].base == "fewer than 5 responses"
    everything = repr(summary) + repr(_summary(loaded, ("East",)))
    assert "1.25" not in everything and "25.0%" not in everything


def test_several_sites_are_added_up_from_their_groups_on_show(loaded: Store) -> None:
    summary = _summary(loaded, ("North", "South"))
    treated = _figures(summary, "people")["Treated well: yes"]
    assert (treated.value, treated.base) == ("75.0%", "of 16 who answered")
    rows = summary.section("people").tables[0].rows
    assert [r[0] for r in rows] == ["North", "South"]
    with_east = _figures(_summary(loaded, ("North", "East")), "people")["Treated well: yes"]
    assert with_east.value == "60.0%"  # North's 6 of 10; East is left out, and it says so
    assert with_east.base.endswith("all shown sites; 1 group of fewer than 5 left out")


# --- what needs attention ------------------------------------------------------------------


def test_attention_items_fire_on_the_built_data(loaded: Store) -> None:
    summary = meeting.summarise(loaded, today=date(2025, 5, 1))
    titles = {a.title: a for a in summary.attention}
    assert set(titles) == {
        "The Conversation 1 bulge is growing",
        "Feedback from people and families is falling",
        "Many cost-change results are still provisional",
        "The data may be out of date",
    }
    assert (
        "rose from 2 on 24/03/2025 to 5 on 31/03/2025"
        in titles["The Conversation 1 bulge is growing"].detail
    )
    falling = titles["Feedback from people and families is falling"].detail
    assert "Treated well: yes 75.0%, down from 90.0%" in falling
    assert "Mean satisfaction (1–5) 3.38, down from 4.00" in falling
    assert "Helped" not in falling  # 87.5% against 90.0%: less than 5 points
    assert (
        "three conversations: 15 of 27 requests are still ongoing"
        in titles["Many cost-change results are still provisional"].detail
    )
    assert "31/03/2025" in titles["The data may be out of date"].detail


def test_fresh_data_and_a_quiet_site_flag_nothing_but_the_bulge(loaded: Store) -> None:
    summary = _summary(loaded, ("South",))
    assert [a.title for a in summary.attention] == []
    north = _summary(loaded, ("North",))
    assert "The data may be out of date" not in {a.title for a in north.attention}
    assert "The Conversation 1 bulge is growing" in {a.title for a in north.attention}


def test_feedback_falling_also_counts_fewer_responses(store: Store, rng: random.Random) -> None:
    rows = [
        {"feedback_id": f"F{i}", "site": "North", "received_on": _uk(day), "approach": "3Cs",
         "treated_well": "yes", "helped": "yes", "listened_to": "yes", "satisfaction": 4}
        for i, day in enumerate([date(2025, 2, 10)] * 12 + [date(2025, 3, 10)] * 5)
    ]  # fmt: skip
    import_files(store, [("feedback.csv", _csv(FEEDBACK_COLUMNS, rows, rng))], as_of=AS_OF)
    summary = meeting.summarise(store, period=PERIOD, today=TODAY)
    fewer = next(a for a in summary.attention if a.title.startswith("Fewer people"))
    assert fewer.detail == (
        "At three conversations: 5 responses in this period against 12 in the previous one."
    )


def test_the_story_is_consented_and_from_the_period(loaded: Store) -> None:
    summary = _summary(loaded)
    assert summary.story is not None and summary.story.title == SHARED_TITLE
    assert UNSHARED not in repr(summary)
    south = _summary(loaded, ("South",))
    assert south.story is not None and south.story.title == "An older story from South"
    assert "newest one before it" in south.story_note


def test_links_open_each_page_on_the_same_sites_and_period(loaded: Store) -> None:
    summary = _summary(loaded, ("North",))
    links = {link.url_path: link.query for s in summary.sections for link in s.links}
    assert links["money"] == {"site": ["North"], "from": "2025-03-04", "to": "2025-03-31"}
    assert links["cost-change"] == {"site": ["North"], "to": "2025-03-31"}
    assert links["conversations"]["as_of"] == "2025-03-31"
    assert set(links) == {"people", "stories", "staff", "money", "cost-change", "conversations"}
