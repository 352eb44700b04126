"""The meeting pack: the Making it Happen summary as a PDF that directors can circulate.

Built on the server with no browser and no network: fpdf2 writes the document and
vl-convert (a self-contained Vega engine) turns the charts' Vega-Lite specs into pictures.
The font is DejaVu Sans, bundled in ``evaluation/meeting/fonts`` with its licence, so "£", "–"
and "≥" print the same on every machine and the text stays searchable and readable by a
screen reader.

The pack holds nothing the meeting view does not: every figure, table and chart comes from
one ``evaluation.meeting.summary.MeetingSummary``, whose figures come from the same functions as
the pages and the reports, and whose small groups are already hidden. Free text (site
names, the story) is written as plain text — fpdf2 reads no markup unless asked to.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from pathlib import Path
from threading import Lock
from typing import Any

import vl_convert as vlc
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from evaluation.core.vocabulary import USUAL_PRACTICE
from evaluation.measures.suppression import fewer_than
from evaluation.meeting.model import Figure, Section, Table
from evaluation.meeting.summary import MeetingSummary
from evaluation.present.stories import heading

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
CHART_SCALE = 2  # pixels per CSS pixel in the chart pictures: sharp when printed
CHART_WIDTH_MM = 150
INK = (33, 37, 41)
GREY = (96, 103, 110)
ACCENT = (0, 94, 165)
HEADING_FILL = (231, 238, 246)

_fonts_registered = False
_fonts_lock = Lock()


def _register_chart_fonts() -> None:
    """Let vl-convert draw chart text in the bundled font (once per process)."""
    global _fonts_registered
    with _fonts_lock:
        if not _fonts_registered:
            vlc.register_font_directory(str(FONT_DIR))
            _fonts_registered = True


def chart_png(spec: dict[str, Any]) -> bytes:
    """A chart's Vega-Lite spec as a PNG, drawn by vl-convert with no browser and no network."""
    _register_chart_fonts()
    return bytes(vlc.vegalite_to_png(spec, scale=CHART_SCALE))


class _Pack(FPDF):
    """A4 pages with a running header (after the cover) and 'Page n of N' in the footer."""

    def __init__(self, running_title: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.running_title = running_title
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_text_color(*INK)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.running_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(3)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(*INK)

    # --- building blocks ---------------------------------------------------------------

    def heading(self, text: str, size: float = 16) -> None:
        self.set_font(FONT, "B", size)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(*INK)
        self.ln(2)

    def paragraph(self, text: str, size: float = 10, grey: bool = False) -> None:
        self.set_font(FONT, "", size)
        if grey:
            self.set_text_color(*GREY)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.set_text_color(*INK)
        self.ln(1.5)

    def pairs(self, rows: Sequence[tuple[str, str]], size: float = 11) -> None:
        """Label and value lines, as on the cover."""
        for label, value in rows:
            self.set_font(FONT, "B", size)
            self.cell(42, size * 0.55, label)
            self.set_font(FONT, "", size)
            self.multi_cell(0, size * 0.55, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
            self.ln(1)

    def grid(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        size: float = 8.5,
        widths: Sequence[float] | None = None,
        label_columns: int = 1,
    ) -> None:
        """A table with a shaded heading row, repeated when it runs onto a new page.

        The first ``label_columns`` hold names and sit left; figures sit right.
        """
        self.set_font(FONT, "", size)
        heading = FontFace(emphasis="BOLD", fill_color=HEADING_FILL)
        align = ["LEFT" if i < label_columns else "RIGHT" for i in range(len(columns))]
        with self.table(
            col_widths=widths,
            headings_style=heading,
            line_height=size * 0.5,
            text_align=align,
            padding=1.2,
            borders_layout="HORIZONTAL_LINES",
            repeat_headings=1,
        ) as table:
            table.row(list(columns))
            for row in rows:
                table.row([str(cell) for cell in row])
        self.ln(3)

    def story_block(self, title: str, heading: str, story: str, note: str) -> None:
        self.set_font(FONT, "B", 11)
        self.multi_cell(0, 6, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.paragraph(heading, size=9, grey=True)
        self.paragraph(story, size=10)
        self.paragraph(note, size=8.5, grey=True)


def _figure_rows(figures: Sequence[Figure]) -> tuple[list[str], list[list[str]]]:
    usual_label = next((f.usual_label for f in figures if f.usual), USUAL_PRACTICE)
    columns = ["Figure", "This period", "Previous period", "Change", usual_label.capitalize()]
    rows = [
        [
            f"{f.label}\n{f.base}" if f.base else f.label,
            f.value,
            f.previous or "none",
            f"{f.change} ({f.tone})" if f.tone else (f.change or "not comparable"),
            f.usual or "not compared",
        ]
        for f in figures
    ]
    return columns, rows


def _section(pdf: _Pack, section: Section, summary: MeetingSummary) -> None:
    pdf.add_page()
    pdf.heading(section.title, 18)
    pdf.paragraph(section.intro, size=10, grey=True)
    if section.figures:
        columns, rows = _figure_rows(section.figures)
        pdf.grid(columns, rows, size=9, widths=(62, 26, 26, 28, 32))
    for note in section.notes:
        pdf.paragraph(note, size=9)
    for index, table in enumerate(section.tables):
        _table(pdf, table)
        if index == 0 and section.chart is not None:
            _chart(pdf, section)
    if not section.tables and section.chart is not None:
        _chart(pdf, section)
    if section.key == "people":
        if pdf.get_y() > pdf.h * 0.7:
            pdf.add_page()
        pdf.heading("A story of difference", 13)
        if summary.story is None:
            pdf.paragraph(summary.story_note, size=10)
        else:
            pdf.story_block(
                summary.story.title,
                heading(summary.story),
                summary.story.story,
                f"{summary.story_note} Shared with the teller's consent.",
            )


def _chart(pdf: _Pack, section: Section) -> None:
    picture = chart_png(section.chart)
    width_px, height_px = struct.unpack(">II", picture[16:24])  # the PNG header's size
    width = CHART_WIDTH_MM
    height = width * height_px / width_px
    usable = pdf.h - pdf.t_margin - pdf.b_margin - 20  # room for the running header
    if height > usable:  # a chart of many sites: shrink it to one page
        width, height = width * usable / height, usable
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(picture), w=width, h=height, alt_text=section.chart_text)
    pdf.ln(2)
    if section.chart_text:
        pdf.paragraph(f"The chart in words: {section.chart_text}", size=8.5, grey=True)


def _table(pdf: _Pack, table: Table) -> None:
    if pdf.get_y() > pdf.h * 0.75:
        pdf.add_page()
    pdf.heading(table.title, 11)
    if not table.rows:
        pdf.paragraph("Nothing to show for this period.", size=9)
        return
    labels = table.label_columns
    first = 75.0 if len(table.columns) <= 4 else 34.0
    label_widths = [first] + [26.0] * (labels - 1)
    rest = (pdf.epw - sum(label_widths)) / (len(table.columns) - labels)
    widths = [*label_widths, *[rest] * (len(table.columns) - labels)]
    pdf.grid(table.columns, table.rows, size=7.5, widths=widths, label_columns=labels)
    if table.caption:
        pdf.paragraph(table.caption, size=8, grey=True)


def _cover(pdf: _Pack, summary: MeetingSummary) -> None:
    pdf.add_page()
    pdf.ln(18)
    pdf.set_font(FONT, "B", 28)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, 13, "Making it Happen", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "", 14)
    pdf.multi_cell(
        0,
        7,
        "Meeting pack: what people and families, staff and the money and resources tell us",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
        align="L",
    )
    pdf.ln(8)
    as_of = f"{summary.as_of:%d/%m/%Y}" if summary.as_of else "no conversations imported yet"
    pdf.pairs(
        [
            ("Sites", summary.sites_text),
            ("Period", summary.period.describe()),
            ("Compared with", f"{summary.previous.describe()} (the period before)"),
            ("Data as of", as_of),
            ("Generated at", f"{summary.generated_at:%d/%m/%Y %H:%M}"),
            (
                "Small numbers",
                f"a group of {fewer_than(summary.threshold)} responses shows "
                f"'{fewer_than(summary.threshold)}' and no figures, and totals add up the "
                "groups on show; a column of "
                f"{fewer_than(summary.threshold)} requests shows counts but no rate or average",
            ),
        ]
    )
    pdf.ln(6)
    pdf.heading("What needs attention", 15)
    if not summary.attention:
        pdf.paragraph("Nothing is flagged for this period.", size=11)
    for item in summary.attention:
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(0, 6, f"• {item.title}", new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        pdf.set_x(pdf.l_margin + 4)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(0, 5, item.detail, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        pdf.ln(2)


def _appendix(pdf: _Pack, summary: MeetingSummary) -> None:
    pdf.add_page()
    pdf.heading("Checking these figures", 15)
    pdf.paragraph(
        "Every figure in this pack comes from the same functions as the dashboard's pages and "
        "its reports. These commands print them (add --db and the path of the store if it is "
        "not the default one):",
        size=10,
    )
    for section in summary.sections:
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(0, 6, section.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        for command in section.commands:
            pdf.paragraph(command, size=8.5)
        pdf.ln(1)


def build_pack(summary: MeetingSummary) -> bytes:
    """The meeting pack for one summary, as PDF bytes."""
    return render(summary)[0]


def render(summary: MeetingSummary) -> tuple[bytes, int]:
    """The meeting pack as PDF bytes, and how many pages it has."""
    sites = summary.sites_text if len(summary.sites_text) <= 60 else f"{len(summary.sites)} sites"
    running = f"Making it Happen · {sites} · {summary.period.describe()}"
    pdf = _Pack(running)
    pdf.set_title(f"Making it Happen meeting pack, {summary.period.describe()}")
    pdf.set_author("Three Conversations evaluation dashboard")
    pdf.set_creation_date(summary.generated_at.astimezone())
    pdf.set_lang("en-GB")
    _cover(pdf, summary)
    for section in summary.sections:
        _section(pdf, section, summary)
    _appendix(pdf, summary)
    return bytes(pdf.output()), pdf.pages_count
