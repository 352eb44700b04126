"""What reading a file through a mapping profile costs, against the same file in the
contract's own headings and words, measured in the same run.

    python -m bench.mapping --rows 1000000 --repeat 3

The benchmark council's conversations (``bench.generate``) are written a second time as a
local report would give them: its own headings, its words for the approach, conversation
number, request type and outcome, date-times for dates, in Windows-1252. Each file is
checked ``--repeat`` times (``ingest.checks.check``, the import's whole-file check),
alternating, and the medians are printed with their ratio: the profile's rewrite of the
mapped columns should add little to a check that takes the same file unmapped.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.generate import write
from evaluation.ingest.checks import check
from evaluation.ingest.mapping_profile import Profile, dump_profile, parse_profile

HEADINGS = {
    "conversation_id": "Step ID",
    "person_id": "Client No",
    "site": "Team Name",
    "approach": "Way Of Working",
    "conversation": "Step Name",
    "request_type": "Request Category",
    "started_on": "Step Start",
    "ended_on": "Step End",
    "long_term_support": "Step Outcome",
}
WORDS = {
    "approach": {"three conversations": "3C Innovation Team", "usual practice": "Care Management"},
    "conversation": {"1": "Conversation One", "2": "Conversation Two", "3": "Conversation Three"},
    "request_type": {"new": "New Contact", "existing": "Existing Client"},
    "long_term_support": {"yes": "Long Term Support Arranged", "no": "No Further Action"},
}
BLANK_MEANS = {"conversation": "Assessment"}


def profile() -> Profile:
    """The local report's profile, as a council would write it in TOML."""
    values = {
        column: {target: (word,) for target, word in words.items()}
        for column, words in WORDS.items()
    }
    for column, word in BLANK_MEANS.items():
        values[column][""] = (word,)
    made = Profile("Local steps report", "conversations", HEADINGS, values)
    return parse_profile(dump_profile(made))


def local_report(contract: bytes) -> bytes:
    """The contract-shaped file as the local report writes it (setup, not measured)."""
    lines = contract.decode("utf-8").split("\r\n")
    header = lines[0].split(",")
    out = [",".join(HEADINGS.get(h, h) for h in header)]
    dates = {header.index(c) for c in ("started_on", "ended_on")}
    words = {header.index(c): m for c, m in WORDS.items()}
    blanks = {header.index(c): w for c, w in BLANK_MEANS.items()}
    for line in lines[1:]:
        if not line:
            continue
        cells = line.split(",")
        for i in dates:
            if cells[i]:
                cells[i] += " 10:10"
        for i, mapping in words.items():
            cells[i] = mapping.get(cells[i], cells[i]) if cells[i] else blanks.get(i, "")
        out.append(",".join(cells))
    return ("\r\n".join(out) + "\r\n").encode("cp1252")


def measure(rows: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        contract = write(Path(folder), rows)["conversations"].read_bytes()
    local = local_report(contract)
    given_profile = profile()
    timings: dict[str, list[float]] = {"contract headings": [], "local report + profile": []}
    for data, given in ((contract, None), (local, given_profile)):  # warm up: first rows only
        check(b"\r\n".join(data.split(b"\r\n", 1001)[:1000]) + b"\r\n", "warm.csv", profile=given)
    for _ in range(repeat):
        for label, data, given in (
            ("contract headings", contract, None),
            ("local report + profile", local, given_profile),
        ):
            start = time.perf_counter()
            result = check(data, "bench.csv", profile=given)
            timings[label].append(time.perf_counter() - start)
            if not result.ok:
                raise SystemExit(f"{label}: {result.problems[:3]}")
            if result.rows != rows:
                raise SystemExit(f"{label}: {result.rows} rows, expected {rows}")
    return {label: statistics.median(times) for label, times in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    medians = measure(args.rows, args.repeat)
    base = medians["contract headings"]
    print(f"check of {args.rows:,} conversations, median of {args.repeat}")
    for label, seconds in medians.items():
        print(f"  {label:<24} {seconds:7.2f} s  {seconds / base:5.2f}x")


if __name__ == "__main__":
    main()
