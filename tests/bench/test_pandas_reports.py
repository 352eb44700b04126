"""The benchmark's pandas versions give exactly the CLI's figures (what makes the speed
comparison in docs/benchmarks.md honest), on a generated council of 2,000 conversations."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path

import pytest

from bench import pandas_reports
from bench.generate import AS_OF, write
from evaluation.cli.main import main
from evaluation.ingest.importer import import_files
from tests.harness import TEST_KEY, open_store

CONVERSATIONS = 2_000


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The generated CSVs and a store they were imported into, as of the extract date."""
    root = tmp_path_factory.mktemp("bench")
    files = write(root / "data", CONVERSATIONS)
    store = open_store(root / "evaluation.duckdb")
    for path in files.values():
        import_files(store, [(path.name, path.read_bytes())], as_of=AS_OF)
    store.close()
    return root / "data", root / "evaluation.duckdb"


def cli(report: str, db: Path) -> dict:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["report", report, "--db", str(db), "--format", "json"]) == 0
    return json.loads(out.getvalue())


def in_pandas(report: str, db: Path) -> dict:
    con = pandas_reports.connect(db)
    try:
        return json.loads(pandas_reports.REPORTS[report](con))
    finally:
        con.close()


def rows(data: Path, kind: str) -> list[dict[str, str]]:
    with (data / f"{kind}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(autouse=True)
def key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EVALUATION_PSEUDONYM_KEY", TEST_KEY)


def test_cost_change_same_in_pandas(council: tuple[Path, Path]) -> None:
    data, db = council
    ours = cli("cost-change", db)
    assert ours == in_pandas("cost-change", db)
    requests = {r["request_id"] for r in rows(data, "conversations")}
    assert sum(g["conversations"] for g in ours["groups"]) == len(requests)
    assert {g["approach"] for g in ours["groups"]} == {"three conversations", "usual practice"}
    assert all(g["increases"] and g["decreases"] and g["no_change"] for g in ours["groups"])


def test_conversion_same_in_pandas(council: tuple[Path, Path]) -> None:
    data, db = council
    ours = cli("conversion", db)
    assert ours == in_pandas("conversion", db)
    conversations = rows(data, "conversations")
    assert ours["total"]["requests"] == len({r["request_id"] for r in conversations})
    new_led = {
        r["request_id"]
        for r in conversations
        if r["request_type"] == "new" and r["long_term_support"] == "yes"
    }
    assert ours["total"]["long_term"] == len(new_led) > 0
    assert ours["total"]["repeat_requests"] > 0


def test_activity_same_in_pandas(council: tuple[Path, Path]) -> None:
    data, db = council
    ours = cli("activity", db)
    assert ours == in_pandas("activity", db)
    finished = sum(1 for r in rows(data, "conversations") if r["ended_on"])
    assert sum(d["count"] for d in ours["time_to_complete"]) == finished
    assert sum(u["count"] for u in ours["underway"]) > 0
    assert ours["weekly_long_term"] and ours["hand_offs"][0]["more_than_one_worker"] > 0


def test_feedback_same_in_pandas(council: tuple[Path, Path]) -> None:
    data, db = council
    ours = cli("feedback", db)
    assert ours == in_pandas("feedback", db)
    assert ours["total"]["responses"] == len(rows(data, "feedback")) == CONVERSATIONS // 20
    assert len(ours["groups"]) == 3
