"""Making it Happen: the meeting summary of all three types of evidence for one period.

Directors meet weekly with the innovation sites to hear what is going on, what is changing
and to look at the evidence (seed 001), and Harrow's lesson was to get the data out quickly.
``summarise`` gathers, for the sites chosen and a period (by default the last 4 weeks to the
data's as-of date) against the period of the same length before it, a few headline figures
per type of evidence, how each moved, how it compares with usual practice, what needs
attention and one story shared with consent. The Making it Happen page shows it and
``evaluation.meeting.pack`` prints it.

Nothing here is worked out afresh. Every figure is read from the same function a page and a
``python -m evaluation report …`` command use (``evaluation.meeting.sections`` says which),
so the meeting view, the pack and the reports agree by construction, and each section lists
the commands that print its figures. Small groups are hidden by those functions; a group
they hide is never combined with others here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from evaluation.measures import cost_change, overview
from evaluation.measures.selection import Selection
from evaluation.measures.stories import StoryItem, stories
from evaluation.measures.suppression import DEFAULT_THRESHOLD
from evaluation.meeting.compare import with_comparison
from evaluation.meeting.conversations import conversations_section
from evaluation.meeting.model import Attention, Link, Period, Section, default_period
from evaluation.meeting.money import money_section
from evaluation.meeting.surveys import consented_stories, people_section, staff_section
from evaluation.store.connection import Store
from evaluation.store.query import column, one

STALE_AFTER_DAYS = 14


@dataclass(frozen=True)
class Freshness:
    """The newest import and the newest extract date among the batches still in the store."""

    imported_at: datetime | None
    as_of: date | None


@dataclass(frozen=True)
class MeetingSummary:
    sites: tuple[str, ...]  # as the store spells them; empty for all sites
    period: Period
    previous: Period
    as_of: date | None  # the data's as-of date (newest conversations extract)
    generated_at: datetime
    threshold: int
    sections: list[Section]
    attention: list[Attention]
    story: StoryItem | None
    story_note: str
    freshness: Freshness
    cost: cost_change.CostChange  # Harrow's table for the period's end

    @property
    def sites_text(self) -> str:
        return ", ".join(self.sites) if self.sites else "All sites"

    @property
    def pack_name(self) -> str:
        """The meeting pack's file name: the period it covers."""
        start, end = self.period.start.isoformat(), self.period.end.isoformat()
        return f"making-it-happen-{start}-to-{end}.pdf"

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def all_sites(store: Store) -> list[str]:
    """Every site named in any table with a site, in name order (for the picker)."""
    return column(
        store,
        "SELECT DISTINCT site FROM (SELECT site FROM conversations UNION ALL "
        "SELECT site FROM feedback UNION ALL SELECT site FROM staff UNION ALL "
        "SELECT site FROM stories) WHERE site IS NOT NULL ORDER BY 1",
    )


def resolve_sites(store: Store, wanted: Sequence[str]) -> tuple[str, ...]:
    """The store's own spelling of each site asked for (case and spaces ignored).

    ValueError names a site the store does not hold, with the ones it does.
    """
    known = all_sites(store)
    by_key = {s.strip().lower(): s for s in known}
    found, missing = [], []
    for name in wanted:
        match = by_key.get(name.strip().lower())
        (found if match else missing).append(match or name)
    if missing:
        raise ValueError(
            f"no site called {', '.join(repr(m) for m in missing)} in the store; "
            f"the sites are: {', '.join(known) or 'none yet'}"
        )
    return tuple(dict.fromkeys(found))


def freshness(store: Store) -> Freshness:
    imported_at, as_of = one(
        store, "SELECT max(imported_at), max(as_of) FROM import_log WHERE undone_at IS NULL"
    )
    return Freshness(imported_at, as_of)


def data_as_of(store: Store) -> date | None:
    """The newest conversations extract date, else the newest extract of any kind."""
    return overview.data_as_of(store) or freshness(store).as_of


def stale_attention(fresh: Freshness, today: date) -> Attention | None:
    """The newest import, or the newest data in it, is more than 14 days old."""
    parts = []
    if fresh.imported_at and (today - fresh.imported_at.date()).days > STALE_AFTER_DAYS:
        parts.append(f"the newest import was on {fresh.imported_at:%d/%m/%Y}")
    if fresh.as_of and (today - fresh.as_of).days > STALE_AFTER_DAYS:
        parts.append(f"the newest data is as of {fresh.as_of:%d/%m/%Y} (its extract date)")
    if not parts:
        return None
    text = " and ".join(parts)
    return Attention(
        "The data may be out of date",
        f"{text[0].upper()}{text[1:]}, more than {STALE_AFTER_DAYS} days before "
        f"{today:%d/%m/%Y}. Import a fresh extract before the meeting.",
        "data",
    )


def pick_story(store: Store, sites: Sequence[str], period: Period) -> tuple[StoryItem | None, str]:
    """The newest story shared with consent in the period, else the newest before its end."""
    in_period = consented_stories(store, sites, period)
    if in_period:
        return in_period[0], "The newest story shared with consent in this period."
    items: list[StoryItem] = []
    for site in sites or (None,):
        items.extend(s for s in stories(store, site=site) if s.told_on <= period.end)
    if not items:
        return None, "No story of difference has been shared with consent for these sites yet."
    newest = max(items, key=lambda s: (s.told_on, s.story_id))
    return newest, "No story was shared in this period; this is the newest one before it."


def page_links(sites: Sequence[str], period: Period) -> dict[str, list[Link]]:
    """Each section's evidence pages, opened on the same sites and period.

    The pages read ``site``, ``from`` and ``to`` (``Selection.to_query``). The cost-change
    figures cover every request up to the period's end, so that page gets no start date; the
    Conversations page's snapshot day (``as_of``) is the period's end.
    """
    same = Selection(sites=tuple(sites), date_from=period.start, date_to=period.end).to_query()
    to_end = Selection(sites=tuple(sites), date_to=period.end).to_query()
    return {
        "people": [
            Link("pages/people.py", "people", "People and families", same),
            Link("pages/stories.py", "stories", "Stories of difference", same),
        ],
        "staff": [Link("pages/staff.py", "staff", "Staff experience", same)],
        "money": [
            Link("pages/money.py", "money", "Money and resources", same),
            Link("pages/cost_change.py", "cost-change", "Cost change", to_end),
        ],
        "conversations": [
            Link(
                "pages/conversations.py",
                "conversations",
                "Conversations",
                {**same, "as_of": period.end.isoformat()},
            )
        ],
    }


def summarise(
    store: Store,
    sites: Sequence[str] = (),
    period: Period | None = None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    today: date | None = None,
    now: datetime | None = None,
    by: Sequence[str] | None = None,
) -> MeetingSummary:
    """Everything the meeting view and the pack show, for the chosen sites and period.

    ``sites`` may be spelt in any case (ValueError for one the store lacks). ``period``
    defaults to the last 4 weeks to the data's as-of date; the previous period is the same
    length just before it. ``today`` (for the staleness check) and ``now`` (the "generated
    at" time) default to the clock. ``by`` splits the cost-change table (``pack --by
    approach,cohort``); by default it is approach × cohort where the data has cohorts.
    """
    chosen = resolve_sites(store, sites) if sites else ()
    data_date = data_as_of(store)
    generated = now or datetime.now()
    period = period or default_period(data_date or generated.date())
    previous = period.before()
    people, feedback_attention = people_section(store, chosen, period, previous, threshold)
    staff = staff_section(store, chosen, period, previous, threshold)
    money, report, money_attention = money_section(store, chosen, period, previous, threshold, by)
    money = with_comparison(money, store, chosen, period, threshold)
    flow, flow_attention = conversations_section(store, chosen, period, previous, data_date)
    fresh = freshness(store)
    stale = stale_attention(fresh, today or generated.date())
    story, story_note = pick_story(store, chosen, period)
    links = page_links(chosen, period)
    attention = [*flow_attention, *feedback_attention, *money_attention]
    if stale:
        attention.append(stale)
    return MeetingSummary(
        sites=chosen,
        period=period,
        previous=previous,
        as_of=data_date,
        generated_at=generated,
        threshold=threshold,
        sections=[replace(s, links=links[s.key]) for s in (people, staff, money, flow)],
        attention=attention,
        story=story,
        story_note=story_note,
        freshness=fresh,
        cost=report,
    )
