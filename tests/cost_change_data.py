"""Record-level data built to reproduce Harrow's Tables 1a and 1b (seed 002, "Measuring the Impact").

The tables publish only counts and rounded money. This generator writes the records behind
them — conversations and care packages, as a council would export them — so the figures
have to come out of the real import and the real method: every class is reached in several
ways (packages swapped on a day between d0 and d1, two packages at once, the export's own
before/after columns overriding packages, a Conversation 1, 2 and 3 sharing a request, work
ongoing because a conversation is open or because 30 days after it have not yet passed,
suspensions, cancellations, deaths). The sum of the changes is chosen so the average and the
full-year impact round to the published figures the way the report rounds them.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

CONVERSATION_HEADERS = (
    "Conversation ID", "Person ID", "Site", "Approach", "Conversation", "Request type",
    "Request ID", "Started on", "Ended on", "Area", "Cohort", "Weekly cost before",
    "Weekly cost after", "Care suspended", "Died on",
)  # fmt: skip
PACKAGE_HEADERS = (
    "Package ID", "Person ID", "Service", "Starts on", "Ends on", "Gross weekly cost", "Status",
)  # fmt: skip

INNOVATION = ("Innovation site", "three conversations")
OLD_TEAM = ("Old locality team", "usual practice")


@dataclass(frozen=True)
class Published:
    """One column of Harrow's table as printed."""

    site: str
    approach: str
    cohort: str
    conversations: int
    increases: int
    decreases: int
    no_change: int
    ongoing: int
    excluded: int
    average: str  # as printed, e.g. "-£24"
    full_year: str  # as printed, e.g. "-£46,000"
    total_change: Decimal  # our choice: the sum of weekly changes that rounds to the above
    first_start: date
    last_start: date
    as_of: date


TABLE_1A = (
    Published(*INNOVATION, "covid", 88, 5, 3, 29, 45, 6, "-£24", "-£46,000",
              Decimal("-890.37"), date(2020, 8, 1), date(2020, 11, 20), date(2020, 11, 30)),
    Published(*OLD_TEAM, "covid", 80, 22, 7, 28, 6, 17, "+£74", "+£219,000",
              Decimal("4212.34"), date(2020, 4, 1), date(2020, 7, 25), date(2020, 7, 31)),
)  # fmt: skip
TABLE_1B_INNOVATION = Published(
    *INNOVATION, "non-covid", 414, 26, 11, 215, 146, 16, "+£11", "+£143,000",
    Decimal("2750.55"), date(2020, 8, 1), date(2020, 11, 20), date(2020, 11, 30),
)  # fmt: skip


def _uk(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _split(total: Decimal, parts: int) -> list[Decimal]:
    """``total`` in ``parts`` amounts to the penny that add up to it exactly."""
    pence = int(total * 100)
    each, rest = divmod(abs(pence), parts)
    sign = -1 if pence < 0 else 1
    return [Decimal(sign * (each + (1 if i < rest else 0))) / 100 for i in range(parts)]


def changes(rng: random.Random, increases: int, decreases: int, total: Decimal) -> list[Decimal]:
    """Random increases and decreases (to the penny) whose sum is exactly ``total``."""
    ups = [Decimal(rng.randint(1000, 30000)) / 100 for _ in range(increases)]
    downs = [-Decimal(rng.randint(1000, 30000)) / 100 for _ in range(decreases)]
    residual = total - sum(ups) - sum(downs)
    if residual > 0:
        ups = [u + r for u, r in zip(ups, _split(residual, increases), strict=True)]
    elif residual < 0:
        downs = [d + r for d, r in zip(downs, _split(residual, decreases), strict=True)]
    assert sum(ups) + sum(downs) == total
    assert all(u > 0 for u in ups) and all(d < 0 for d in downs)
    return ups + downs


@dataclass
class Council:
    """Rows of a council's two exports, built request by request."""

    rng: random.Random
    conversations: list[list[str]] = field(default_factory=list)
    packages: list[list[str]] = field(default_factory=list)
    expected: dict[str, str] = field(default_factory=dict)  # request key -> intended class
    _people: int = 0
    _ids: int = 0

    def person(self, prefix: str) -> str:
        self._people += 1
        return f"{prefix}{self._people:05d}"

    def package(
        self, person: str, starts: date, ends: date | None, cost: Decimal, status: str = "active"
    ) -> None:
        self._ids += 1
        service = self.rng.choice(("home care", "residential", "direct payment"))
        self.packages.append(
            [f"PK{self._ids:06d}", person, service, _uk(starts), _uk(ends), _money(cost), status]
        )

    def request(
        self,
        group: Published,
        person: str,
        spans: list[tuple[date, date | None]],
        *,
        expect: str,
        before: Decimal | None = None,
        after: Decimal | None = None,
        suspended: bool = False,
        died_on: date | None = None,
    ) -> None:
        """One request: a conversation per span (C1, C2, C3 for three conversations)."""
        self._ids += 1
        request_id = f"R{self._ids:06d}"
        use_id = len(spans) > 1 or self.rng.random() < 0.5
        self.expected[request_id if use_id else f"{request_id}-1"] = expect
        for number, (start, end) in enumerate(spans, start=1):
            three = group.approach == "three conversations"
            self.conversations.append(
                [
                    f"{request_id}-{number}", person, group.site,
                    "3Cs" if three and self.rng.random() < 0.3 else group.approach,
                    str(number) if three else "", self.rng.choice(("existing", "new")),
                    request_id if use_id else "",
                    _uk(start), _uk(end), self.rng.choice(("North", "South")), group.cohort,
                    _money(before) if before is not None and number == 1 else "",
                    _money(after) if after is not None and number == len(spans) else "",
                    "yes" if suspended and number == 1 else "", _uk(died_on),
                ]
            )  # fmt: skip

    def csv(self, headers: tuple[str, ...], rows: list[list[str]]) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8")

    def conversations_csv(self) -> bytes:
        return self.csv(CONVERSATION_HEADERS, self.conversations)

    def packages_csv(self) -> bytes:
        return self.csv(PACKAGE_HEADERS, self.packages)


def _spans(rng: random.Random, start: date, end: date | None, three: bool, index: int):  # type: ignore[no-untyped-def]
    """One span, or for every fourth three-conversations request a C1, C2 and C3."""
    if not three or index % 4 or end is None or (end - start).days < 6:
        return [(start, end)]
    first_end = start + timedelta(days=1)
    second_start = first_end + timedelta(days=1)
    second_end = second_start + timedelta(days=1)
    return [(start, first_end), (second_start, second_end), (end - timedelta(days=2), end)]


def add_group(council: Council, group: Published, prefix: str) -> None:
    """All the requests of one published column."""
    rng = council.rng
    three = group.approach == "three conversations"
    latest_end = group.as_of - timedelta(days=30)  # completed work: d1 on or before the as-of

    def completed_dates() -> tuple[date, date]:
        span = (latest_end - group.first_start).days - 25
        start = group.first_start + timedelta(days=rng.randint(0, span))
        return start, start + timedelta(days=rng.randint(6, 25))

    amounts = changes(rng, group.increases, group.decreases, group.total_change)
    amounts += [Decimal("0.00")] * group.no_change
    rng.shuffle(amounts)
    for index, change in enumerate(amounts):
        person = council.person(prefix)
        expect = "increase" if change > 0 else "decrease" if change < 0 else "no change"
        start, end = completed_dates()
        spans = _spans(rng, start, end, three, index)
        d0, d1 = start - timedelta(days=1), spans[-1][1] + timedelta(days=30)  # type: ignore[operator]
        base = Decimal(rng.randint(0, 90000)) / 100 + max(Decimal(0), -change)
        mode = index % 5
        if base == 0 and change == 0:
            mode = 4
        if mode == 0:
            # One package until the day before the change, a new one from the change day
            # (sometimes d1 itself, which counts at d1).
            day = d1 if index % 3 == 0 else d0 + timedelta(days=rng.randint(1, (d1 - d0).days))
            if base:
                council.package(person, d0 - timedelta(days=200), day - timedelta(days=1), base)
            if base + change:
                council.package(person, day, None, base + change)
        elif mode == 1:
            # Two packages at once before; one of them replaced by the end.
            part = (min(base, base + change) / 3).quantize(Decimal("0.01"))
            if part:
                council.package(person, d0 - timedelta(days=90), None, part)
            if base - part:
                council.package(
                    person, d0 - timedelta(days=30), d1 - timedelta(days=1), base - part
                )
            if base - part + change:
                council.package(person, d1 - timedelta(days=1), None, base - part + change)
        elif mode == 2:
            # The export's own before/after columns; the packages say otherwise and lose.
            council.package(person, d0 - timedelta(days=60), None, Decimal("999.99"))
            council.request(group, person, spans, expect=expect, before=base, after=base + change)
            continue
        elif mode == 3:
            # A package ending the day before d0 doesn't count; one starting on d0 does. A
            # death long after d1 changes nothing.
            council.package(person, d0 - timedelta(days=10), d0 - timedelta(days=1), base + 1)
            if change == 0 and base:
                council.package(person, d0, None, base)
            elif change:
                if base:
                    council.package(person, d0, d1 - timedelta(days=1), base)
                council.package(person, d1 - timedelta(days=1), None, base + change)
            council.request(group, person, spans, expect=expect, died_on=d1 + timedelta(days=5))
            continue
        else:
            # No care before or after (a new request that ended without long-term care), or
            # new care from nothing.
            if change:
                council.package(person, d1 - timedelta(days=3), None, change + base)
                if base:
                    council.package(person, d0 - timedelta(days=3), d1 - timedelta(days=4), base)
        council.request(group, person, spans, expect=expect)

    for index in range(group.ongoing):
        person = council.person(prefix)
        start = group.first_start + timedelta(
            days=rng.randint(0, (group.last_start - group.first_start).days)
        )
        council.package(person, start - timedelta(days=100), None, Decimal("120.00"))
        if index % 2 == 0 or start > group.as_of - timedelta(days=2):
            # Still underway: the last conversation has no end date.
            spans = _spans(rng, start, start + timedelta(days=8), three, index)
            spans[-1] = (spans[-1][0], None)
        else:
            # Ended, but 30 days after the end is past the extract date.
            end = min(group.as_of, start + timedelta(days=rng.randint(1, 20)))
            end = max(end, latest_end + timedelta(days=1))
            start = min(start, end)
            spans = [(start, end)]
        council.request(group, person, spans, expect="ongoing")

    for index in range(group.excluded):
        person = council.person(prefix)
        start, end = completed_dates()
        d0, d1 = start - timedelta(days=1), end + timedelta(days=30)
        council.package(person, d0 - timedelta(days=100), None, Decimal("210.00"))
        reason = index % 4
        if reason == 0:  # suspended on the day before only (a hospital stay)
            council.package(person, d0 - timedelta(days=3), d0, Decimal("210.00"), "suspended")
            council.request(group, person, [(start, end)], expect="excluded")
        elif reason == 1:  # cancelled on the later day
            council.package(person, d1, d1 + timedelta(days=9), Decimal("80.00"), "cancelled")
            council.request(group, person, [(start, end)], expect="excluded")
        elif reason == 2:  # the export says care was suspended
            council.request(group, person, [(start, end)], expect="excluded", suspended=True)
        else:  # died before the later day
            council.request(
                group, person, [(start, end)], expect="excluded", died_on=end + timedelta(days=10)
            )


def _councils(seed: int, with_table_1b: bool) -> tuple[Council, Council]:
    innovation = Council(random.Random(seed))
    add_group(innovation, TABLE_1A[0], "HI")
    if with_table_1b:
        add_group(innovation, TABLE_1B_INNOVATION, "HN")
    old = Council(random.Random(seed + 1), _people=50_000, _ids=500_000)
    add_group(old, TABLE_1A[1], "HO")
    return innovation, old


def harrow_files(seed: int = 2021, with_table_1b: bool = True) -> list[tuple[bytes, date, str]]:
    """The exports as files with their extract dates: (csv bytes, as-of, file name).

    The innovation site and the old locality team were extracted at the end of their own
    periods (30/11/2020 and 31/07/2020), so each file carries its own as-of date.
    """
    innovation, old = _councils(seed, with_table_1b)
    packages = Council(innovation.rng, packages=innovation.packages + old.packages)
    return [
        (innovation.conversations_csv(), TABLE_1A[0].as_of, "innovation_conversations.csv"),
        (old.conversations_csv(), TABLE_1A[1].as_of, "old_team_conversations.csv"),
        (packages.packages_csv(), TABLE_1A[0].as_of, "care_packages.csv"),
    ]


def harrow_expected(seed: int = 2021, with_table_1b: bool = True) -> dict[str, str]:
    """The class each request was built to fall in, by request id (or conversation id)."""
    innovation, old = _councils(seed, with_table_1b)
    return {**innovation.expected, **old.expected}


def import_harrow(store, seed: int = 2021, with_table_1b: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Everything through the real import, each file with its own extract date."""
    from evaluation.ingest.importer import import_files

    for data, as_of, name in harrow_files(seed, with_table_1b):
        import_files(store, [(name, data)], as_of=as_of)
