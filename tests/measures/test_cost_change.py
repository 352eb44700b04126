"""Cost change (Harrow's method): the published Tables 1a/1b from record-level data, the edge
cases of the method, the CLI report, and the pieces the page builds on."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from evaluation.measures.cost_change import check_by, difference, distribution, summary
from evaluation.measures.cost_drill import requests as listed
from evaluation.measures.costing import CLASSES
from evaluation.measures.intervals import mean_interval, t_quantile
from evaluation.measures.selection import Selection
from evaluation.present.cost_tables import describe_difference, drill_rows, table, to_html
from evaluation.present.formats import change_exact, change_pounds, change_thousands
from evaluation.store.connection import Store
from tests.fixtures.harrow import (
    TABLE_1A,
    TABLE_1B_INNOVATION,
    harrow_expected,
    harrow_files,
    import_harrow,
)

COVID = Selection(cohorts=("covid",))


def requests(*args: object, **kwargs: object) -> list[dict[str, object]]:
    """The drill-down as the page and its CSV give it: the requests and why each is classed."""
    return drill_rows(listed(*args, **kwargs))  # type: ignore[arg-type]


def _published(group, published) -> None:  # type: ignore[no-untyped-def]
    """One column of the report against one column of Harrow's table, after rounding."""
    counts = (
        group.conversations,
        group.increases,
        group.decreases,
        group.no_change,
        group.ongoing,
        group.excluded,
    )
    assert counts == (
        published.conversations,
        published.increases,
        published.decreases,
        published.no_change,
        published.ongoing,
        published.excluded,
    )
    completed = published.increases + published.decreases + published.no_change
    exact_mean = published.total_change / completed
    assert group.mean_weekly_change == exact_mean.quantize(Decimal("0.01"))
    assert group.full_year_impact == published.total_change * 52
    assert change_pounds(group.mean_weekly_change) == published.average
    assert change_thousands(group.full_year_impact) == published.full_year


# --- Harrow's published tables ---------------------------------------------------------------


def test_table_1a_covid_reproduced_from_records(store: Store) -> None:
    import_harrow(store)
    report = summary(store, COVID, by=("approach",))
    assert [g.key["approach"] for g in report.groups] == ["three conversations", "usual practice"]
    innovation, old_team = report.groups
    _published(innovation, TABLE_1A[0])
    _published(old_team, TABLE_1A[1])
    assert innovation.mean_weekly_change == Decimal("-24.06")
    assert innovation.full_year_impact == Decimal("-46299.24")
    assert old_team.mean_weekly_change == Decimal("73.90")
    assert old_team.full_year_impact == Decimal("219041.68")
    assert innovation.provisional and not old_team.provisional  # 45 of 88 still ongoing


def test_table_1b_innovation_site_non_covid(store: Store) -> None:
    import_harrow(store)
    report = summary(store, Selection(cohorts=("non-covid",)), by=("approach", "cohort"))
    (group,) = report.groups
    assert group.key == {"approach": "three conversations", "cohort": "non-covid"}
    _published(group, TABLE_1B_INNOVATION)
    assert change_pounds(group.mean_weekly_change) == "+£11"
    assert change_thousands(group.full_year_impact) == "+£143,000"


def test_table_1a_every_request_classed_as_an_independent_count_says(store: Store) -> None:
    """The drill-down behind each cell lists exactly the requests the cell counts."""
    import_harrow(store, with_table_1b=False)
    report = summary(store, COVID)
    for group in report.groups:
        listed = requests(store, COVID, key=group.key)
        assert len(listed) == group.conversations
        counted = Counter(r["class"] for r in listed)
        assert counted == Counter(
            {
                "increase": group.increases,
                "decrease": group.decreases,
                "no change": group.no_change,
                "ongoing": group.ongoing,
                "excluded": group.excluded,
            }
        )
        changes = [r["change"] for r in listed if r["change"] is not None]
        assert sum(changes) == group.total_change
        assert all(r["reason"] for r in listed if r["class"] in ("ongoing", "excluded"))
        assert all(r["person_id"].startswith("P-") for r in listed)
    built = harrow_expected(with_table_1b=False)
    found = {r["request_id"]: r["class"] for r in requests(store)}
    assert found == built


def test_table_1a_through_the_cli_json(store: Store, db_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import_harrow(store)
    store.close()
    code = main(
        ["report", "cost-change", "--db", str(db_path), "--by", "approach,cohort",
         "--format", "json"]
    )  # fmt: skip
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["as_of"] == "2020-11-30"
    assert report["by"] == ["approach", "cohort"]
    first = report["groups"][0]
    assert list(first) == [
        "approach", "cohort", "conversations", "increases", "decreases", "no_change",
        "ongoing", "excluded", "mean_weekly_change", "full_year_impact", "mean_ci95",
        "no_average_because",
    ]  # fmt: skip
    by_key = {(g["approach"], g["cohort"]): g for g in report["groups"]}
    covid_3c = by_key[("three conversations", "covid")]
    assert (covid_3c["conversations"], covid_3c["increases"], covid_3c["decreases"]) == (88, 5, 3)
    assert (covid_3c["no_change"], covid_3c["ongoing"], covid_3c["excluded"]) == (29, 45, 6)
    assert covid_3c["mean_weekly_change"] == -24.06
    assert covid_3c["full_year_impact"] == -46299.24
    low, high = covid_3c["mean_ci95"]
    assert low < -24.06 < high
    old = by_key[("usual practice", "covid")]
    assert (old["conversations"], old["increases"], old["excluded"]) == (80, 22, 17)
    assert (old["mean_weekly_change"], old["full_year_impact"]) == (73.9, 219041.68)
    assert by_key[("three conversations", "non-covid")]["conversations"] == 414


def test_cli_table_and_csv(store: Store, db_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    import_harrow(store, with_table_1b=False)
    store.close()
    assert main(["report", "cost-change", "--db", str(db_path), "--cohort", "covid"]) == 0
    text = capsys.readouterr().out
    lines = {line.split("  ")[0]: line.split() for line in text.splitlines()}
    assert lines["Average change in level of care per person"][-2:] == ["-£24", "+£74"]
    assert lines["Approx. impact on full-year budget"][-2:] == ["-£46,000", "+£219,000"]
    assert lines["Conversations"][-2:] == ["88", "80"]
    assert "three conversations: provisional — 45 of 88 requests are still ongoing" in text
    assert "Difference (three conversations minus usual practice): -£97.96 a week" in text

    code = main(
        ["report", "cost-change", "--db", str(db_path), "--site", "innovation SITE",
         "--format", "csv"]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    assert out[0].startswith("approach,conversations,increases,decreases,no_change,ongoing")
    assert out[1] == "three conversations,88,5,3,29,45,6,-24.06,-46299.24,-94.89,46.76,"


def test_cli_refuses_bad_input(store: Store, db_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    store.close()
    assert main(["report", "cost-change", "--db", str(db_path), "--by", "postcode"]) == 2
    assert "can't group by postcode" in capsys.readouterr().err
    assert main(["report", "cost-change", "--db", str(db_path), "--approach", "magic"]) == 2
    assert "unknown approach" in capsys.readouterr().err
    code = main(
        ["report", "cost-change", "--db", str(db_path), "--from", "2021-01-01",
         "--to", "2020-01-01"]
    )  # fmt: skip
    assert code == 2
    assert "--from 2021-01-01 is after --to 2020-01-01" in capsys.readouterr().err
    missing = db_path.with_name("nothing.duckdb")
    assert main(["report", "cost-change", "--db", str(missing)]) == 2
    assert "there is no store" in capsys.readouterr().err
    assert not missing.exists()


def test_as_of_given_to_the_report_overrides_each_import(store: Store) -> None:
    """Given a later as-of, only requests with an open conversation stay ongoing; those that
    ended within 30 days of their import's extract date complete."""
    import_harrow(store, with_table_1b=False)
    report = summary(store, COVID, as_of=date(2021, 3, 31))
    assert report.as_of == date(2021, 3, 31)
    innovation, old_team = report.groups
    assert (old_team.ongoing, old_team.completed) == (3, 60)
    assert (innovation.ongoing, innovation.completed) == (23, 59)
    ongoing = requests(store, COVID, klass="ongoing", as_of=date(2021, 3, 31))
    assert {r["reason"] for r in ongoing} == {"a conversation is still underway (no end date)"}


# --- edge cases of the method ----------------------------------------------------------------

EDGE_CONVERSATIONS = """\
conversation_id,person_id,site,approach,conversation,request_type,request_id,started_on,ended_on,weekly_cost_before,weekly_cost_after,care_suspended,died_on
E1,P1,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,
E2,P2,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,
E3,P3,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,10/04/2024
E3b,P3b,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,09/04/2024
E4,P4,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,
E5,P5,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,
E6,P6,North,3Cs,1,existing,,05/03/2024,10/03/2024,£200.00,180.00,,
E7a,P7,North,3Cs,1,existing,REQ7,01/03/2024,02/03/2024,,,,
E7b,P7,North,3Cs,2,existing,REQ7,10/03/2024,12/03/2024,,,,
E7c,P7,North,3Cs,3,existing,REQ7,20/03/2024,25/03/2024,,,,
E8,P8,North,3Cs,1,existing,,05/03/2024,20/04/2024,,,,
E9,P9,North,3Cs,1,existing,,05/03/2024,,,,,
E10,P10,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,
E11,P11,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,yes,
E12,P12,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,
E13,P13,North,3Cs,1,existing,,05/03/2024,10/03/2024,,,,
"""
# d0 = 04/03/2024 and d1 = 09/04/2024 for every single-conversation request but E8, E9.
EDGE_PACKAGES = """\
package_id,person_id,starts_on,ends_on,gross_weekly_cost,status
K1a,P1,01/01/2024,08/04/2024,100.00,active
K1b,P1,09/04/2024,,150.00,active
K2a,P2,01/01/2024,,300.00,active
K2b,P2,01/03/2024,04/03/2024,300.00,suspended
K3,P3,01/01/2024,,75.00,active
K3b,P3b,01/01/2024,,75.00,active
K4,P4,01/02/2024,,420.50,active
K5a,P5,01/01/2024,,100.00,active
K5b,P5,01/02/2024,31/03/2024,50.25,active
K6,P6,01/01/2024,,500.00,active
K7a,P7,01/01/2024,23/04/2024,90.00,active
K7b,P7,24/04/2024,,0.00,active
K8,P8,01/01/2024,,60.00,active
K9,P9,01/01/2024,,60.00,active
K10a,P10,01/01/2024,,60.00,active
K10b,P10,09/04/2024,30/04/2024,60.00,cancelled
K12a,P12,01/01/2024,,60.00,active
K12b,P12,10/03/2024,20/03/2024,60.00,suspended
K13,P13,05/03/2024,,99.99,active
"""


@pytest.fixture
def edges(store: Store) -> dict[str, dict]:
    import_files(
        store,
        [("conversations.csv", EDGE_CONVERSATIONS.encode()), ("care.csv", EDGE_PACKAGES.encode())],
        as_of=date(2024, 5, 1),
    )
    return {r["request_id"]: r for r in requests(store)}


def test_new_package_starting_on_d1_counts_at_d1(edges: dict[str, dict]) -> None:
    row = edges["E1"]
    assert (row["d0"], row["d1"]) == (date(2024, 3, 4), date(2024, 4, 9))
    assert (row["cost_before"], row["cost_after"]) == (Decimal("100.00"), Decimal("150.00"))
    assert (row["class"], row["change"]) == ("increase", Decimal("50.00"))


def test_suspension_covering_d0_only_excludes(edges: dict[str, dict]) -> None:
    row = edges["E2"]
    assert row["class"] == "excluded"
    assert row["reason"] == "care suspended the day before the first conversation (04/03/2024)"
    assert row["change"] is None


def test_death_after_d1_is_not_excluded_death_on_d1_is(edges: dict[str, dict]) -> None:
    assert (edges["E3"]["class"], edges["E3"]["change"]) == ("no change", Decimal("0.00"))
    assert edges["E3b"]["class"] == "excluded"
    assert edges["E3b"]["reason"] == "died on 09/04/2024"


def test_open_package_covers_both_days(edges: dict[str, dict]) -> None:
    row = edges["E4"]
    assert (row["cost_before"], row["cost_after"], row["class"]) == (
        Decimal("420.50"),
        Decimal("420.50"),
        "no change",
    )


def test_two_packages_at_once_are_summed(edges: dict[str, dict]) -> None:
    row = edges["E5"]
    assert (row["cost_before"], row["cost_after"]) == (Decimal("150.25"), Decimal("100.00"))
    assert (row["class"], row["change"]) == ("decrease", Decimal("-50.25"))


def test_export_columns_override_packages(edges: dict[str, dict]) -> None:
    row = edges["E6"]
    assert (row["cost_before"], row["cost_after"]) == (Decimal("200.00"), Decimal("180.00"))
    assert row["change"] == Decimal("-20.00")
    assert row["cost_source"] == "export's before/after columns"


def test_conversations_1_2_3_form_one_request(edges: dict[str, dict]) -> None:
    row = edges["REQ7"]
    assert row["conversations"] == 3
    assert (row["d0"], row["d1"]) == (date(2024, 2, 29), date(2024, 4, 24))
    assert (row["cost_before"], row["cost_after"], row["class"]) == (
        Decimal("90.00"),
        Decimal("0.00"),
        "decrease",
    )
    assert "E7b" not in edges and "E7c" not in edges


def test_ongoing_when_d1_is_after_the_as_of_or_a_conversation_is_open(
    edges: dict[str, dict],
) -> None:
    assert edges["E8"]["class"] == "ongoing"
    assert edges["E8"]["reason"] == (
        "30 days after the last conversation ended is 20/05/2024, after the data's as-of "
        "date 01/05/2024"
    )
    assert edges["E9"]["class"] == "ongoing"
    assert edges["E9"]["reason"] == "a conversation is still underway (no end date)"
    assert edges["E9"]["d1"] is None and edges["E9"]["cost_after"] is None


def test_cancelled_on_d1_marked_suspended_and_a_suspension_between(
    edges: dict[str, dict],
) -> None:
    assert edges["E10"]["reason"] == (
        "care cancelled 30 days after the last conversation ended (09/04/2024)"
    )
    assert edges["E11"]["reason"] == "the export marks care as suspended or cancelled"
    assert edges["E12"]["class"] == "no change"  # suspended only between d0 and d1
    assert (edges["E13"]["cost_before"], edges["E13"]["class"]) == (Decimal("0.00"), "increase")


def test_edge_summary_and_as_of_override(store: Store, edges: dict[str, dict]) -> None:
    (group,) = summary(store).groups
    counts = (group.increases, group.decreases, group.no_change, group.ongoing, group.excluded)
    assert (group.conversations, counts) == (14, (2, 3, 3, 2, 4))
    # 50 + 99.99 - 50.25 - 20 - 90 = -10.26 over 8 completed requests
    assert group.total_change == Decimal("-10.26")
    assert group.mean_weekly_change == Decimal("-1.28")
    assert group.full_year_impact == Decimal("-533.52")
    later = summary(store, as_of=date(2024, 6, 1)).groups[0]
    assert (later.ongoing, later.no_change) == (1, 4)


def test_each_batch_keeps_its_own_as_of(store: Store) -> None:
    rows = "conversation_id,person_id,site,approach,request_type,started_on,ended_on\r\n"
    import_files(
        store, [("a.csv", (rows + "A1,P1,A,BAU,new,01/03/2024,10/03/2024\r\n").encode())],
        as_of=date(2024, 4, 1),
    )  # fmt: skip
    import_files(
        store, [("b.csv", (rows + "B1,P2,B,BAU,new,01/03/2024,10/03/2024\r\n").encode())],
        as_of=date(2024, 4, 30),
    )  # fmt: skip
    classes = {r["site"]: r["class"] for r in requests(store)}
    assert classes == {"A": "ongoing", "B": "no change"}
    assert summary(store).as_of == date(2024, 4, 30)


def test_selection_filters_by_the_requests_first_start(store: Store) -> None:
    import_harrow(store, with_table_1b=False)
    autumn = Selection(date_from=date(2020, 8, 1), date_to=date(2020, 11, 30))
    (group,) = summary(store, autumn).groups
    assert (group.key, group.conversations) == ({"approach": "three conversations"}, 88)
    spring = Selection(approaches=("usual practice",), date_to=date(2020, 7, 31))
    assert summary(store, spring).groups[0].conversations == 80
    assert summary(store, Selection(sites=("Nowhere",))).groups == []


# --- the pieces the page and the CLI build on -------------------------------------------------


def test_money_rounds_as_the_report_does() -> None:
    assert change_pounds(Decimal("-24.06")) == "-£24"
    assert change_pounds(Decimal("73.5")) == "+£74"  # halves away from zero
    assert change_pounds(Decimal("-0.4")) == "£0"
    assert change_thousands(Decimal("-46299.24")) == "-£46,000"
    assert change_thousands(Decimal("219500")) == "+£220,000"
    assert change_exact(Decimal("-1385831.2")) == "-£1,385,831.20"


def test_t_interval_matches_published_t_values() -> None:
    assert t_quantile(0.975, 36) == pytest.approx(2.028094, abs=1e-6)
    assert t_quantile(0.975, 1) == pytest.approx(12.706205, abs=1e-6)
    assert t_quantile(0.975, 10_000) == pytest.approx(1.960201, abs=1e-6)
    low, high = mean_interval(10.0, 4.0, 16)  # type: ignore[misc]
    assert (low, high) == pytest.approx((10 - 2.131450 * 1.0, 10 + 2.131450 * 1.0), abs=1e-5)
    assert mean_interval(10.0, 4.0, 1) is None


def test_difference_between_approaches(store: Store) -> None:
    import_harrow(store, with_table_1b=False)
    innovation, old_team = summary(store, COVID).groups
    diff = difference(innovation, old_team)
    assert diff.difference == Decimal("-97.96")
    assert diff.ci95 is not None and diff.ci95[0] < diff.difference < diff.ci95[1] < 0
    assert describe_difference(diff).endswith("The interval excludes zero.")


def test_html_table_is_accessible_and_escaped(store: Store) -> None:
    rows = "conversation_id,person_id,site,approach,request_type,started_on,ended_on,cohort\r\n"
    data = rows + 'A1,P1,"<b>North & co</b>",BAU,new,01/03/2024,10/03/2024,"=1+1"\r\n'
    import_files(store, [("a.csv", data.encode())], as_of=date(2024, 6, 1))
    report = summary(store, by=("site", "cohort"))
    page = to_html(report, "Caption <here>")
    assert "<caption" in page and "Caption &lt;here&gt;</caption>" in page
    assert '<th scope="col"' in page and '<th scope="row"' in page
    assert "&lt;b&gt;North &amp; co&lt;/b&gt; · =1+1" in page
    assert "<b>" not in page
    labels = [label for label, _ in table(report)]
    assert labels[:6] == [
        "Conversations",
        "Increases to long term care",
        "Decreases to long term care",
        "No change",
        "Work still ongoing",
        "Excluded due to suspensions, etc.",
    ]


def test_distribution_bands_and_unknown_grouping(store: Store) -> None:
    import_harrow(store, with_table_1b=False)
    bands = distribution(store, COVID)
    per_group = Counter()
    for band in bands:
        per_group[band["group"]] += band["requests"]
    assert per_group == {"three conversations": 37, "usual practice": 57}
    assert {b["band"] for b in bands if b["group"] == "three conversations"} >= {"no change"}
    with pytest.raises(ValueError, match="can't group by"):
        check_by(["approach; DROP TABLE conversations"])
    assert set(CLASSES) == {"increase", "decrease", "no change", "ongoing", "excluded"}


def test_harrow_files_are_deterministic() -> None:
    assert harrow_files(7) == harrow_files(7)
    assert harrow_files(7) != harrow_files(8)


def one_person_column(lone_type: str = "new") -> bytes:
    """12 completed requests in the area Big (+£0 to +£11 a week) and one person in Lone
    (+£250 a week, of request type ``lone_type``)."""
    header = (
        "conversation_id,person_id,site,approach,request_type,started_on,ended_on,area,"
        "weekly_cost_before,weekly_cost_after\r\n"
    )
    rows = [
        f"C{n},P{n},North,usual practice,new,01/03/2024,10/03/2024,Big,100,{100 + n}"
        for n in range(12)
    ]
    rows.append(f"ONE,PONE,North,usual practice,{lone_type},01/03/2024,10/03/2024,Lone,100,350")
    return (header + "\r\n".join(rows) + "\r\n").encode()


def test_a_column_of_fewer_than_five_completed_shows_counts_and_no_money(store: Store) -> None:
    """Issue 20 item 7: a site × area × cohort column of one person would show that person's
    weekly change. Counts stay; the average, full year, interval, difference and the bands of
    the chart do not."""
    import_files(store, [("c.csv", one_person_column())], as_of=date(2024, 12, 31))
    report = summary(store, by=("area",))
    big, lone = report.groups
    assert (lone.conversations, lone.increases, lone.completed) == (1, 1, 1)
    assert lone.mean_weekly_change is None and lone.full_year_impact is None
    assert lone.mean_ci95 is None
    assert lone.as_dict()["no_average_because"] == "fewer than 5 completed requests"
    assert big.mean_weekly_change == Decimal("5.50") and big.mean_ci95 is not None
    assert difference(big, lone).difference is None
    cells = {label: [c.shown for c in row] for label, row in table(report)}
    assert "+£250" not in str(cells) and cells["Increases to long term care"] == ["11", "1"]
    bands = distribution(store, by=("area",))
    assert {b["group"] for b in bands} == {"Big"}
    assert summary(store, by=("area",), threshold=13).groups[0].mean_weekly_change is None
