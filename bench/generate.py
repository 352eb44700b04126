"""Generate a council of N conversations for benchmarks: the shapes of a real export.

Two care packages per person, feedback for one conversation in twenty and a staff pulse for
one in fifty; three sites (two innovation sites, one usual-practice team), 18 months.
Deterministic for a given N (seeded ``random.Random``). Written with plain string joins, as
fast as Python writes CSV, so that a million rows take seconds.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

START = date(2025, 1, 6)
AS_OF = date(2026, 7, 31)
SITES = (
    ("Northfield innovation site", "three conversations"),
    ("Riverside innovation site", "three conversations"),
    ("Central locality team", "usual practice"),
)
AREAS = ("Northfield", "Kingsbury", "Stanmore", "Riverside", "Millbrook", "Eastgate")


def uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def write(
    out: Path, conversations: int, seed: int = 7, *, distinct_people: bool = False
) -> dict[str, Path]:
    """Write conversations, care_packages, feedback and staff CSVs for N conversations.

    ``distinct_people``: every conversation has a person of its own (N people, 2N care
    packages), the hardest shape for the import's pseudonyms: no id repeats."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = conversations if distinct_people else max(1, conversations // 2)
    days = [START + timedelta(days=n) for n in range(545)]
    paths = {
        name: out / f"{name}.csv"
        for name in ("conversations", "care_packages", "feedback", "staff")
    }
    with paths["conversations"].open("w", encoding="utf-8", newline="") as f:
        f.write(
            "conversation_id,person_id,site,approach,conversation,request_type,request_id,"
            "requested_on,started_on,ended_on,long_term_support,worker_id,area,cohort,"
            "weekly_cost_before,weekly_cost_after,care_suspended,died_on\r\n"
        )
        n = 0
        request = 0
        while n < conversations:
            request += 1
            site, approach = SITES[rng.randrange(3)]
            three = approach == "three conversations"
            person = "" if distinct_people else f"MOS{rng.randrange(people):07d}"
            kind = "new" if rng.random() < 0.6 else "existing"
            start = days[rng.randrange(545)]
            steps = (
                (1, 2, 3)[: 1 + (rng.random() < 0.2) + (rng.random() < 0.1)] if three else (None,)
            )
            for step in steps:
                if n >= conversations:
                    break
                n += 1
                if distinct_people:
                    person = f"MOS{n - 1:07d}"
                end = start + timedelta(days=rng.randint(3, 45))
                ended = uk(end) if end <= AS_OF else ""
                last = step == steps[-1]
                f.write(
                    f"C{n:08d},{person},{site},{approach},{step or ''},{kind},R{request:08d},"
                    f"{uk(start - timedelta(days=rng.randint(0, 9)))},{uk(start)},{ended},"
                    f"{('yes' if rng.random() < 0.07 else 'no') if last and ended else ''},"
                    f"W{rng.randrange(300):04d},{AREAS[rng.randrange(6)]},"
                    f"{'hospital' if rng.random() < 0.3 else 'community'},,,,"
                    f"{uk(end + timedelta(days=10)) if rng.random() < 0.01 else ''}\r\n"
                )
                start = end + timedelta(days=1)
    with paths["care_packages"].open("w", encoding="utf-8", newline="") as f:
        f.write("package_id,person_id,service,starts_on,ends_on,gross_weekly_cost,status\r\n")
        for p in range(people):
            change = days[rng.randrange(545)]
            cost = rng.randint(4000, 120000) / 100
            status = "suspended" if rng.random() < 0.03 else "active"
            f.write(
                f"K{2 * p:08d},MOS{p:07d},home care,{uk(change - timedelta(days=400))},"
                f'{uk(change - timedelta(days=1))},"\u00a3{cost:,.2f}",active\r\n'
                f"K{2 * p + 1:08d},MOS{p:07d},home care,{uk(change)},,"
                f"{cost * rng.choice((0.8, 1, 1, 1.2)):.2f},{status}\r\n"
            )
    with paths["feedback"].open("w", encoding="utf-8", newline="") as f:
        f.write(
            "feedback_id,site,received_on,conversation_id,approach,method,treated_well,helped,"
            "listened_to,satisfaction,what_worked,what_didnt_work,consent_to_quote\r\n"
        )
        for i in range(max(1, conversations // 20)):
            site, approach = SITES[rng.randrange(3)]
            answers = ",".join(rng.choice(("yes", "yes", "partly", "no")) for _ in range(3))
            f.write(
                f"F{i:08d},{site},{uk(days[rng.randrange(545)])},"
                f"C{rng.randrange(1, conversations + 1):08d},"
                f"{approach},phone interview,{answers},{rng.randint(1, 5)},"
                f'"They listened, and ""got it""",Slow to call back,{rng.choice(("yes", "no"))}\r\n'
            )
    with paths["staff"].open("w", encoding="utf-8", newline="") as f:
        f.write(
            "response_id,site,responded_on,approach,role,motivation,satisfaction,"
            "making_a_difference,workload_manageable,time_with_people_pct,comment,consent_to_quote\r\n"
        )
        for i in range(max(1, conversations // 50)):
            site, approach = SITES[rng.randrange(3)]
            scores = ",".join(str(rng.randint(1, 5)) for _ in range(4))
            f.write(
                f"S{i:08d},{site},{uk(days[rng.randrange(545)])},{approach},social worker,"
                f"{scores},{rng.randint(20, 80)},More time with people,yes\r\n"
            )
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("conversations", type=int)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--distinct-people", action="store_true", help="a person of their own for every row"
    )
    args = parser.parse_args()
    for path in write(args.out, args.conversations, distinct_people=args.distinct_people).values():
        print(path, path.stat().st_size)


if __name__ == "__main__":
    main()
