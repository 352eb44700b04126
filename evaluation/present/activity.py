"""The Conversations page's figures as people read them: the flow, the Conversation 1
"bulge", how long things take and hand-offs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from evaluation.measures.activity import (
    AGE_BANDS,
    OLDER_THAN_DAYS,
    Duration,
    OlderFirstConversations,
    UnderwayRow,
)
from evaluation.measures.completed import Milestone, SiteCompleted
from evaluation.measures.conversion import Flow
from evaluation.measures.flow import HandOffs
from evaluation.present.formats import count, days, percent, uk_date


def older_note(older: OlderFirstConversations) -> str | None:
    """The note raised when older Conversation 1s are growing week on week, else None."""
    if not older.growing:
        return None
    return (
        f"Conversation 1s underway for more than {OLDER_THAN_DAYS} days rose from "
        f"{older.week_before} on {uk_date(older.as_of - timedelta(days=7))} to {older.now} on "
        f"{uk_date(older.as_of)}. First conversations are starting faster than they finish: "
        "worth raising at the Reflection or Making it Happen meeting."
    )


def older_caption(older: OlderFirstConversations) -> str:
    """The line under the bulge chart when older Conversation 1s are not growing."""
    return (
        f"Conversation 1s underway for more than {OLDER_THAN_DAYS} days: {older.now} now, "
        f"{older.week_before} a week earlier — not growing."
    )


NOT_RECORDED = (
    "Not recorded: no request here has more than one conversation naming a worker (usual "
    "practice often records one assessment per request), so a hand-off can't show in the data."
)


def flow_stages(flow: Flow) -> list[tuple[str, int, str]]:
    """From Conversation 1 to 2 to 3 and to long-term support: (stage, requests, what each
    count is out of)."""
    return [
        ("Conversation 1", flow.requests, "requests for support that began"),
        (
            "Reached Conversation 2",
            flow.reached_conversation_2,
            f"of {flow.requests:,} requests: those that had a Conversation 2",
        ),
        (
            "Reached Conversation 3",
            flow.reached_conversation_3,
            f"of {flow.requests:,} requests: those that had a Conversation 3 (some go "
            "straight from 1 to 3)",
        ),
        ("Led to long-term support", flow.long_term, f"of {flow.new_requests:,} new requests"),
    ]


def flow_caption(flow: Flow) -> str:
    """What each bar counts, and the conversion rate or why there is none."""
    rate = percent(flow.conversion_rate) if flow.conversion_rate is not None else None
    led = f"{rate} of them" if rate else (flow.why_no_rate or "")
    return (
        f"Each bar counts requests for support: all {flow.requests:,} that began, those that "
        "reached Conversation 2 (had one) and those that reached Conversation 3 — a request "
        "that went from Conversation 1 straight to 3 counts for 3 and not for 2, as Medway "
        f"counted its 388 → 29 → 19. Long-term support counts the {flow.new_requests:,} new "
        f"requests only ({led})."
    )


def underway_rows(rows: Sequence[UnderwayRow]) -> list[dict[str, Any]]:
    """Conversations underway: a row per conversation number, a column per age, a total."""
    bands = [b[0] for b in AGE_BANDS]
    table: dict[str, dict[str, int]] = {}
    for r in rows:
        table.setdefault(r.conversation, dict.fromkeys(bands, 0))[r.band] = r.count
    return [
        {"Conversation": label, **counts, "Total": sum(counts.values())}
        for label, counts in sorted(table.items())
    ]


def complete_rows(durations: Sequence[Duration]) -> list[dict[str, Any]]:
    """Time to complete a conversation, per conversation."""
    return [
        {
            "Conversation": d.group["conversation"],
            "Completed": d.count,
            "Median": days(d.median_days),
            "90th percentile": days(d.p90_days),
        }
        for d in durations
    ]


def waiting_metric(d: Duration) -> tuple[str, str, str, str]:
    """(label, median, what it rests on, the 90th percentile line under it)."""
    return (
        f"Median wait — {d.group['approach']}",
        days(d.median_days),
        f"Over {d.count:,} requests with a request date.",
        f"90th percentile: {days(d.p90_days)}",
    )


def handoff_metric(h: HandOffs) -> tuple[str, str, str]:
    label = f"Held by more than one worker — {h.group['approach']}"
    if not h.recorded:
        return label, "not recorded", NOT_RECORDED
    return (
        label,
        percent(h.share),
        f"{h.more_than_one_worker:,} of {h.requests_with_worker:,} requests with a worker "
        "recorded.",
    )


def completed_cell(milestone: Milestone) -> str:
    """A milestone's count, or "not reached yet" with the day it will be."""
    if milestone.completed is None:
        return f"not reached yet (counts to {uk_date(milestone.last_day)})"
    return count(milestone.completed)


def completed_rows(found: Sequence[SiteCompleted]) -> list[dict[str, Any]]:
    """Conversations completed since each site's first (Birmingham: 1,497 / 4,043 / 14,588)."""
    return [
        {
            "Site": s.site,
            "First conversation": uk_date(s.first),
            **{f"At {m.months} months": completed_cell(m) for m in s.milestones},
            "So far": count(s.so_far),
        }
        for s in found
    ]
