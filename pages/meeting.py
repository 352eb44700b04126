"""Making it Happen: one screen for the weekly meeting, and the pack to take away.

Figures: ``meeting.summary.summarise`` (kept: everyone at the meeting opens the same view,
computed once per version of the data) — the same figures the evidence pages and the reports
give, small groups already hidden — shown by ``ui.meeting``: first a headline per type of
evidence (``meeting.headlines``), then one section at a time, chosen like a tab (only the
chosen one is drawn), each linking to its page on the same sites and period. The pack is
drawn by ``meeting.pack`` only when asked for.
"""

from dataclasses import replace
from datetime import date, datetime

import streamlit as st

from evaluation.measures.suppression import configured_threshold
from evaluation.meeting import summary as meeting
from evaluation.meeting.headlines import headlines
from evaluation.meeting.model import Period, default_period
from evaluation.present.formats import uk_date
from evaluation.store.figures import cached
from ui import components, filters
from ui import meeting as blocks
from ui.session import current_store, permissions

st.title("Making it Happen")
store = current_store()
site_names = cached(store, meeting.all_sites)
if not site_names:
    components.nothing_yet(
        "There is nothing in the store yet. Import conversations, feedback, staff and stories "
        "files on the Upload data page to see the meeting view."
    )
as_of = cached(store, meeting.data_as_of)
usual = default_period(as_of or date.today())
shown = filters.view(
    {"site": site_names},
    "meeting",
    fields=("sites",),
    period=("From", "To"),
    default=(usual.start, usual.end),
    one_row=True,
    spare=True,
)
large = shown.spare.toggle(
    "Large text", value=True, key="meeting_large", help="Tables, charts and text for a projector"
)
blocks.style(large)
chosen = shown.selection
if not chosen.date_from or not chosen.date_to or chosen.date_to < chosen.date_from:
    st.warning("Choose a period whose end is on or after its start.")
    st.stop()
period = Period(chosen.date_from, chosen.date_to)
# Today is part of the key (for the staleness check); the time it was drawn is this run's.
summary = replace(
    cached(
        store,
        meeting.summarise,
        list(chosen.sites),
        period,
        threshold=configured_threshold(),
        today=date.today(),
    ),
    generated_at=datetime.now(),
)
blocks.headlines(headlines(summary.sections))
about, pack = st.columns([3, 2], vertical_alignment="center")
about.text(
    f"Sites: {summary.sites_text}. Period: {summary.period.describe()}, compared with "
    f"{summary.previous.describe()}"
    + (f". Data as of {uk_date(summary.as_of)}." if summary.as_of else ".")
)


def pack_bytes() -> bytes:
    """Drawn only when the button is pressed (fpdf2 and vl-convert load then, not before)."""
    from evaluation.meeting.pack import build_pack

    return build_pack(summary)


if permissions().may_download_pack:
    pack.download_button(
        "Download the meeting pack (PDF)",
        data=pack_bytes,
        file_name=summary.pack_name,
        mime="application/pdf",
        on_click="ignore",
        type="primary",
        icon=":material/picture_as_pdf:",
    )
blocks.evidence(summary, large)
