"""A deterministic, made-up council: two innovation sites and one usual-practice team.

It exists so that a new user sees a working dashboard at once, and so that every page has
something realistic to show: requests that go from Conversation 1 to 2 to 3, people with
existing care whose costs go up, down or stay the same, suspensions and deaths, work still
underway on the extract date, a Conversation 1 "bulge", feedback, stories and staff pulses.
The files are written the way a council export looks: UK dates, £ amounts with thousands
separators, free text with commas and quotes. Everything comes from one seeded
``random.Random`` (and each request's age band and support reason from one of its own, in
``sample_mix``), so the committed files in ``sample_data/`` can be regenerated exactly.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from evaluation.ingest.sample_mix import who

SEED = 20250106
START = date(2025, 1, 6)
END = date(2026, 7, 28)
AS_OF = date(2026, 7, 31)
REQUESTS = 1800

SITES = (
    ("Northfield innovation site", "three conversations", ("Northfield", "Kingsbury", "Stanmore")),
    ("Riverside innovation site", "three conversations", ("Riverside", "Millbrook", "Eastgate")),
    ("Central locality team", "usual practice", ("Central", "Westfield", "Oakwood")),
)
FILES = ("conversations", "care_packages", "feedback", "stories", "staff")

WORKED = (
    'She listened, properly listened, and said "we\'ll sort this together".',
    "Someone rang back the same day, which I didn't expect.",
    "They put me in touch with the lunch club at the community centre, and I go twice a week now.",
    "The worker knew my dad's name and didn't treat him as a \"number\".",
    "Help with the equipment came quickly; the grab rails went in within a week.",
    "I only had to tell my story once.",
    "They talked to my daughter as well, so we all knew the plan.",
    "Practical, kind, and they did what they said they would.",
)
DIDNT_WORK = (
    "I had to chase for a call back, twice.",
    'The letter was full of jargon; "eligible needs" meant nothing to us.',
    "It took a while to get through on the phone.",
    "Nothing, really — it all went well.",
    "I wasn't sure who to ring after the first visit.",
    "The equipment arrived, but nobody showed us how to use it.",
)
# Each title's own story: what mattered to the person, what the conversation found, what changed.
STORIES = {
    "Back to the allotment": (
        "Mrs {n} had stopped going out after a fall. In Conversation 1 her worker asked what a "
        'good week used to look like: "the allotment, and a chat with the others there". A lift '
        "from a neighbour, a stool for the shed and a call to the allotment society later, she "
        "goes twice a week, and the home care she was asking for was not needed."
    ),
    "Sleeping well again": (
        "Mr {n} was up most nights and his daughter asked for a care home. The worker sat with "
        "them both and heard that the trouble started when his medication changed. A call to the "
        "GP, a bed lever and a night light later, he sleeps through, and he is still at home."
    ),
    "A carer who could rest": (
        "Ms {n} cared for her husband alone and said she was at the end of her tether. In a "
        'Conversation 2 the worker asked what would help this week: "one afternoon to myself". '
        "A sitting service on Wednesdays and a carers' group gave her that, and the crisis passed."
    ),
    "Home from hospital, and staying home": (
        "Mr {n} came home from hospital after a stroke expecting to need carers four times a day. "
        "The team worked with him for three weeks on getting up, washing and making a meal; by the "
        "end he needed one visit a day, then none, and he has not been readmitted."
    ),
    "Cooking for two again": (
        "Mrs {n}'s husband had always cooked, and after he went into hospital she was living on "
        "toast. Her worker found a cookery group at the community centre and a neighbour who shops "
        "with her on Fridays. She now cooks for two when he visits home at weekends."
    ),
    "Out to the market on Saturdays": (
        "Mr {n} hadn't left his flat for months and his family wanted day care arranged. In "
        "Conversation 1 he said what he missed was the Saturday market. A volunteer walks there "
        "with him now; the day care was never needed, and he knows the stallholders by name again."
    ),
}
STORY_TITLES = tuple(STORIES)
STAFF_COMMENTS = (
    "I spend far more time with people and far less on forms.",
    'Reflection on Fridays helps; we share what\'s "getting in the way".',
    "Workloads crept up in the spring — we need the extra hands.",
    "The new forms are shorter, but the system is still slow.",
    "I feel trusted to make decisions, which makes a real difference.",
)
ROLES = ("social worker", "care manager", "occupational therapist", "support officer")
METHODS = ("phone interview",) * 6 + ("survey",) * 3 + ("compliment", "complaint")


@dataclass
class World:
    rng: random.Random
    conversations: list[dict[str, str]] = field(default_factory=list)
    packages: list[dict[str, str]] = field(default_factory=list)
    people: dict[str, list[str]] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)

    def next_id(self, prefix: str, width: int = 6) -> str:
        self.seq[prefix] = self.seq.get(prefix, 0) + 1
        return f"{prefix}{self.seq[prefix]:0{width}d}"


def uk(day: date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def pounds(amount: Decimal, rng: random.Random) -> str:
    """£1,234.50, 1234.50 or 1,234.5 — the shapes finance exports come in."""
    style = rng.random()
    if style < 0.6:
        return f"\u00a3{amount:,.2f}"
    if style < 0.85:
        return f"{amount:.2f}"
    return f"{amount:,.2f}"


def weekly_cost(rng: random.Random) -> Decimal:
    hours = rng.choice((3.5, 5, 7, 10.5, 14, 21, 28))
    rate = Decimal(rng.choice(("21.45", "22.10", "23.80", "24.60")))
    if rng.random() < 0.15:
        return Decimal(rng.choice(("845.00", "912.35", "1036.80", "1210.00")))
    return (rate * Decimal(str(hours))).quantize(Decimal("0.01"))


def _request(world: World, site: tuple[str, str, tuple[str, ...]], start: date) -> None:
    rng = world.rng
    name, approach, areas = site
    three_c = approach == "three conversations"
    pool = world.people.setdefault(name, [])
    repeat = pool and rng.random() < 0.12
    person = rng.choice(pool) if repeat else world.next_id("MOS")
    pool.append(person)
    request_type = "new" if rng.random() < 0.6 else "existing"
    request_id = world.next_id("REQ", 5)
    area = rng.choice(areas)
    cohort = "hospital" if rng.random() < 0.3 else "community"
    workers = [f"{name[:1]}W{n:03d}" for n in range(1, 13)]
    worker = rng.choice(workers)
    requested_on = start - timedelta(days=rng.choice((0, 0, 1, 2, 3, 5, 8, 13)))

    bulge = three_c and name.startswith("Northfield") and start > END - timedelta(days=70)
    steps = [1]
    if three_c:
        if rng.random() < 0.22:
            steps.append(2)
        if rng.random() < (0.45 if 2 in steps else 0.08):
            steps.append(3)
    ltc_chance = (0.68 if three_c else 0.135) if request_type == "new" else 0.0
    long_term = rng.random() < ltc_chance and (not three_c or 3 in steps)

    day = start
    last_end: date | None = None
    for index, number in enumerate(steps):
        length = rng.randint(3, 40) + (rng.randint(30, 80) if bulge and number == 1 else 0)
        if not three_c:
            length = rng.randint(10, 55)
        ended = day + timedelta(days=length)
        underway = ended > AS_OF
        if index and rng.random() < (0.2 if three_c else 0.5):
            worker = rng.choice(workers)
        is_last = index == len(steps) - 1
        world.conversations.append(
            {
                "Conversation ID": world.next_id("CNV"),
                "Person ID": person,
                "Site": name,
                "Approach": rng.choice(("Three Conversations", "3Cs"))
                if three_c
                else "Usual practice",
                "Conversation": str(number) if three_c else "",
                "Request type": request_type,
                "Request ID": request_id,
                "Requested on": uk(requested_on) if index == 0 else "",
                "Started on": uk(day),
                "Ended on": "" if underway else uk(ended),
                "Long term support": ("Yes" if long_term else "No")
                if is_last and not underway
                else "",
                "Worker ID": worker,
                "Area": area,
                "Cohort": cohort,
                "Weekly cost before": "",
                "Weekly cost after": "",
                "Care suspended": "",
                "Died on": "",
            }
        )
        if underway:
            return
        last_end = ended
        day = ended + timedelta(days=rng.randint(0, 3))
    if last_end is None:  # every step ended (an underway one returned above)
        return
    first_day = start - timedelta(days=1)
    after = last_end + timedelta(days=30)
    if request_type == "existing":
        _existing_care(world, person, three_c, first_day, last_end, after)
    elif long_term:
        begins = last_end + timedelta(days=rng.randint(1, 14))
        _package(world, person, begins, None, weekly_cost(rng), "active")


def _existing_care(
    world: World, person: str, three_c: bool, d0: date, ended: date, d1: date
) -> None:
    """Care in place before the request, and what happened to it after (Harrow's method)."""
    rng = world.rng
    cost = weekly_cost(rng)
    began = d0 - timedelta(days=rng.randint(60, 700))
    roll = rng.random()
    increase, decrease = (0.10, 0.08) if three_c else (0.28, 0.09)
    change_on = ended + timedelta(days=rng.randint(2, 25))
    if roll < 0.05:
        _package(world, person, began, None, cost, "active")
        _package(world, person, d1 - timedelta(days=4), d1 + timedelta(days=9), cost, "suspended")
        return
    if roll < 0.07:
        _package(world, person, began, change_on - timedelta(days=1), cost, "active")
        _package(world, person, change_on, None, cost, "cancelled")
        return
    if roll < 0.10:
        _package(world, person, began, None, cost, "active")
        world.conversations[-1]["Died on"] = uk(ended + timedelta(days=rng.randint(-2, 25)))
        return
    roll = rng.random()
    if roll < increase:
        new_cost = cost + Decimal(rng.choice(("43.20", "64.35", "107.25", "150.15", "214.50")))
    elif roll < increase + decrease:
        new_cost = max(Decimal("0.00"), cost - Decimal(rng.choice(("21.45", "42.90", "75.60"))))
    else:
        _package(world, person, began, None, cost, "active")
        return
    _package(world, person, began, change_on - timedelta(days=1), cost, "active")
    _package(world, person, change_on, None, new_cost, "active")


def _package(
    world: World, person: str, starts: date, ends: date | None, cost: Decimal, status: str
) -> None:
    rng = world.rng
    world.packages.append(
        {
            "Package ID": world.next_id("PKG"),
            "Person ID": person,
            "Service": rng.choice(
                ("home care", "home care", "direct payment", "day opportunities")
            ),
            "Starts on": uk(starts),
            "Ends on": uk(ends),
            "Gross weekly cost": pounds(cost, rng),
            "Status": status,
        }
    )


def _feedback(world: World) -> list[dict[str, str]]:
    rng = world.rng
    ended = [c for c in world.conversations if c["Ended on"]]
    rows = []
    for n in range(1, 361):
        conversation = rng.choice(ended)
        three_c = conversation["Conversation"] != ""
        good = 0.84 if three_c else 0.68

        def answer(good: float = good) -> str:
            roll = rng.random()
            return "yes" if roll < good else ("partly" if roll < good + 0.1 else "no")

        received = date.fromisoformat(
            "-".join(reversed(conversation["Ended on"].split("/")))
        ) + timedelta(days=rng.randint(3, 21))
        rows.append(
            {
                "Feedback ID": f"FB{n:05d}",
                "Site": conversation["Site"],
                "Received on": uk(min(received, AS_OF)),
                "Conversation ID": conversation["Conversation ID"],
                "Approach": "three conversations" if three_c else "usual practice",
                "Method": rng.choice(METHODS),
                "Treated well": answer(),
                "Helped": answer(),
                "Listened to": answer(),
                "Satisfaction": str(
                    rng.choice((5, 5, 4, 4, 4, 3, 2))
                    if three_c
                    else rng.choice((5, 4, 4, 3, 3, 2, 1))
                ),
                "What worked": rng.choice(WORKED),
                "What didn't work": rng.choice(DIDNT_WORK),
                "Consent to quote": "yes" if rng.random() < 0.7 else "no",
            }
        )
    return rows


def _stories(world: World) -> list[dict[str, str]]:
    rng = world.rng
    names = ("Ahmed", "Brown", "Chen", "Davies", "Evans", "Fletcher", "Green", "Hussain")
    rows = []
    for n in range(1, 25):
        site = SITES[n % 2][0]
        told = START + timedelta(days=rng.randint(30, (END - START).days))
        rows.append(
            {
                "Story ID": f"ST{n:03d}",
                "Site": site,
                "Told on": uk(told),
                "Conversation": str(rng.choice((1, 1, 2, 3))),
                "Title": (title := rng.choice(STORY_TITLES)),
                "Story": STORIES[title].format(n=rng.choice(names)),
                "Consent to share": "yes" if rng.random() < 0.8 else "no",
            }
        )
    return rows


def _staff(world: World) -> list[dict[str, str]]:
    rng = world.rng
    rows = []
    months = [
        date(START.year + (START.month - 1 + m) // 12, (START.month - 1 + m) % 12 + 1, 15)
        for m in range(18)
    ]
    n = 0
    for month in months:
        for site, approach, _ in SITES:
            three_c = approach == "three conversations"
            for _ in range(rng.randint(4, 6)):
                n += 1

                def item(three_c: bool = three_c) -> str:
                    return str(min(5, max(1, round(rng.gauss(4.1 if three_c else 3.2, 0.8)))))

                rows.append(
                    {
                        "Response ID": f"SR{n:05d}",
                        "Site": site,
                        "Responded on": uk(month + timedelta(days=rng.randint(-5, 5))),
                        "Approach": approach,
                        "Role": rng.choice(ROLES),
                        "Motivation": item(),
                        "Satisfaction": item(),
                        "Making a difference": item(),
                        "Workload manageable": item(),
                        "Time with people pct": str(
                            rng.randint(50, 75) if three_c else rng.randint(25, 45)
                        ),
                        "Comment": rng.choice(STAFF_COMMENTS),
                        "Consent to quote": "yes" if rng.random() < 0.75 else "no",
                    }
                )
    return rows


def generate(seed: int = SEED) -> dict[str, list[dict[str, str]]]:
    """Every sample file's rows, from one seed."""
    world = World(random.Random(seed))
    span = (END - START).days
    weights = (0.37, 0.33, 0.30)
    for _ in range(REQUESTS):
        site = world.rng.choices(SITES, weights)[0]
        made, packages = len(world.conversations), len(world.packages)
        _request(world, site, START + timedelta(days=world.rng.randint(0, span)))
        who(world.conversations[made:], world.packages[packages:], seed)
    return {
        "conversations": world.conversations,
        "care_packages": world.packages,
        "feedback": _feedback(world),
        "stories": _stories(world),
        "staff": _staff(world),
    }


def write(out: Path, seed: int = SEED) -> list[Path]:
    """Write the sample CSVs (UTF-8, CRLF as Excel writes them) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in generate(seed).items():
        path = out / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written
