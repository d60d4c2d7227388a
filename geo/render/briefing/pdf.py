"""The pack as an A4 PDF (reportlab): the story of :class:`~geo.render.briefing.content.BriefingContent`.

Layout rules a printed brief needs: headings stay with what follows them (``keepWithNext``),
long tables continue on the next page under a repeated header row, words are never cut
(lines break between words, or after a hyphen already in the word, and columns are sized so
that every word fits), pictures are placed at the size they were drawn for (so their text is
9 pt or more), and every page carries the territory, the date, the parameters and
« page n / N » in its footer.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib

from geo.fmt import NNBSP
from geo.render.briefing.content import BriefingContent, Finding, PackTable
from geo.render.briefing.figures import Picture
from geo.render.style import (
    ACCENT,
    HEADING_COLOR,
    KEY_FIGURES_FILL,
    NOTE_COLOR,
    PAPER_COLOR,
    RULE_COLOR,
    TABLE_HEADER_FILL,
)

PAGE_MARGIN_CM = 1.6
CELL_PADDING_PT = 3.0
UNSPLIT_ROWS = 8


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (shipped with matplotlib) with reportlab: accents and narrow spaces.

    Returns the names of the regular and bold faces.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font_dir = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(font_dir / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(font_dir / "DejaVuSans-Bold.ttf")))
    addMapping("DejaVuSans", 0, 0, "DejaVuSans")
    addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
    addMapping("DejaVuSans", 0, 1, "DejaVuSans")
    addMapping("DejaVuSans", 1, 1, "DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


def _xml(text: object) -> str:
    """Escape text for reportlab's mini-markup.

    Reportlab breaks lines at U+202F (the French thousands separator of :mod:`geo.fmt`)
    but not at U+00A0: « 1 230 289 » is printed with no-break spaces so it never wraps.
    """
    return html.escape(_printed("" if text is None else str(text)), quote=False)


def _printed(text: str) -> str:
    """``text`` with the spaces that must not break as U+00A0 (see :func:`_xml`)."""
    return text.replace(NNBSP, "\u00a0")


class _Styles:
    """The paragraph styles of the document (sizes in points)."""

    def __init__(self) -> None:
        from reportlab.lib import colors
        from reportlab.lib.enums import TA_RIGHT
        from reportlab.lib.styles import ParagraphStyle

        regular, bold = register_fonts()
        self.regular, self.bold = regular, bold
        words = {"splitLongWords": 0, "embeddedHyphenation": 1}
        self.body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, **words)
        self.small = ParagraphStyle(
            "small", parent=self.body, fontSize=8, leading=10.2, textColor=colors.HexColor(NOTE_COLOR)
        )
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=10.4)
        self.cell_right = ParagraphStyle("cell_right", parent=self.cell, alignment=TA_RIGHT)
        self.header = ParagraphStyle("header", parent=self.cell, fontName=bold)
        self.header_right = ParagraphStyle("header_right", parent=self.header, alignment=TA_RIGHT)
        self.title = ParagraphStyle(
            "title",
            parent=self.body,
            fontName=bold,
            fontSize=21,
            leading=25,
            textColor=colors.HexColor(HEADING_COLOR),
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=self.body,
            fontName=bold,
            fontSize=13,
            leading=16,
            spaceBefore=10,
            spaceAfter=4,
            textColor=colors.HexColor(HEADING_COLOR),
            keepWithNext=1,
        )
        self.subheading = ParagraphStyle(
            "subheading", parent=self.heading, fontSize=10.5, leading=13, spaceBefore=6, spaceAfter=2
        )
        self.figure = ParagraphStyle(
            "figure",
            parent=self.body,
            fontName=bold,
            fontSize=15,
            leading=18,
            textColor=colors.HexColor(ACCENT),
            alignment=TA_RIGHT,
        )

    def heading_for(self, text: str) -> Any:
        from reportlab.platypus import Paragraph

        return Paragraph(_xml(text), self.heading)


def _table(table: PackTable, width: float, styles: _Styles) -> Any:
    """A reportlab table of ``table``: header repeated on every page, no word cut."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, Table, TableStyle

    def measure(text: str, bold: bool) -> float:
        font = styles.bold if bold else styles.regular
        return float(stringWidth(_printed(text), font, styles.cell.fontSize)) + 0.5

    widths, fits = table.column_widths(width, measure, padding=CELL_PADDING_PT)

    def style(base: ParagraphStyle) -> ParagraphStyle:
        # A word wider than the page can only be cut: better than overflowing its cell.
        return base if fits else ParagraphStyle(base.name + "_cut", parent=base, splitLongWords=1)

    header = [
        Paragraph(_xml(name), style(styles.header_right if right else styles.header))
        for name, right in zip(table.columns, table.numeric, strict=True)
    ]
    body = [
        [
            Paragraph(_xml(value), style(styles.cell_right if right else styles.cell))
            for value, right in zip(row, table.numeric, strict=True)
        ]
        for row in table.rows
    ]
    result = Table([header, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(TABLE_HEADER_FILL)),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor(RULE_COLOR)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_PT),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return result


def _table_block(table: PackTable, width: float, styles: _Styles) -> list[Any]:
    """The table, or its « empty » sentence, then the sentence on the rows left out.

    A table of at most :data:`UNSPLIT_ROWS` rows is kept on one page: cut, it would leave a
    row or two under a header.
    """
    from reportlab.platypus import KeepTogether, Paragraph

    if not table.rows:
        return [Paragraph(_xml(table.empty), styles.body)]
    block = [_table(table, width, styles)]
    if table.more:
        block.append(Paragraph(_xml(table.more), styles.small))
    return [KeepTogether(block)] if len(table.rows) <= UNSPLIT_ROWS else block


def _picture(picture: Picture) -> Any:
    """The picture at the size it was drawn for (its text keeps its size in points)."""
    from reportlab.lib.units import inch
    from reportlab.platypus import Image

    return Image(io.BytesIO(picture.png), width=picture.width_in * inch, height=picture.height_in * inch)


def _essentials(findings: Sequence[Finding], width: float, styles: _Styles) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    rows = [
        [Paragraph(_xml(f.figure), styles.figure), Paragraph(_xml(f.sentence), styles.body)] for f in findings
    ]
    table = Table(rows, colWidths=[0.2 * width, 0.8 * width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(KEY_FIGURES_FILL)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.5, colors.HexColor(PAPER_COLOR)),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (1, 0), (1, -1), 10),
            ]
        )
    )
    return table


def _key_figures(items: Sequence[tuple[str, str]], width: float, styles: _Styles) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    pairs = [
        [Paragraph(_xml(label), styles.cell), Paragraph(f"<b>{_xml(value)}</b>", styles.cell_right)]
        for label, value in items
    ]
    if len(pairs) % 2:
        pairs.append([Paragraph("", styles.cell), Paragraph("", styles.cell)])
    grid = [pairs[i] + pairs[i + 1] for i in range(0, len(pairs), 2)]
    table = Table(grid, colWidths=[0.33 * width, 0.15 * width, 0.37 * width, 0.15 * width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor(RULE_COLOR)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (2, 0), (2, -1), 12),
            ]
        )
    )
    return table


def _bullets(lines: Sequence[str], style: Any) -> list[Any]:
    from reportlab.platypus import Paragraph

    return [Paragraph(_xml(line), style, bulletText="•") for line in lines]


def _opening(content: BriefingContent, width: float, styles: _Styles) -> list[Any]:
    """Title, date and parameters, « L'essentiel », key figures and programmes: the first page."""
    from reportlab.platypus import Paragraph

    essentials = content.sections["essentials"]
    return [
        Paragraph(_xml(content.title), styles.title),
        Paragraph(_xml(f"{content.subtitle} · dossier préparé le {content.date_text}"), styles.body),
        Paragraph(_xml("Paramètres : " + content.parameters), styles.small),
        styles.heading_for(essentials.title),
        _essentials(content.essentials, width, styles),
        Paragraph(_xml(essentials.source), styles.small),
        styles.heading_for("Chiffres clés"),
        _key_figures(content.key_figures, width, styles),
        styles.heading_for("Programmes publics"),
        *_table_block(content.programmes, width, styles),
    ]


def _section(
    content: BriefingContent,
    key: str,
    styles: _Styles,
    *body: Any,
    note: str = "",
) -> list[Any]:
    """The heading of section ``key``, its ``body``, then its source line (and ``note``)."""
    from reportlab.platypus import Paragraph

    section = content.sections[key]
    return [styles.heading_for(section.title), *body, Paragraph(_xml(section.source + note), styles.small)]


def _method(content: BriefingContent, styles: _Styles) -> Any:
    """Parameters, method and sources, kept on one page."""
    from reportlab.platypus import KeepTogether, Paragraph

    sections = content.sections
    return KeepTogether(
        [
            styles.heading_for("Méthode et sources"),
            Paragraph(_xml("Paramètres : " + content.parameters), styles.small),
            Paragraph(_xml(sections["method"].title), styles.subheading),
            *_bullets(content.method, styles.small),
            Paragraph(_xml(sections["sources"].title), styles.subheading),
            *_bullets(content.sources, styles.small),
        ]
    )


def _story(
    content: BriefingContent, pictures: dict[str, Picture], width: float, styles: _Styles
) -> list[Any]:
    """The flowables of the document, in the order of the story."""
    from reportlab.platypus import Paragraph, Spacer

    similar = content.sections["similar"]
    return [
        *_opening(content, width, styles),
        *_section(
            content,
            "map",
            styles,
            _picture(pictures["map"]),
            Paragraph(_xml(" ".join(content.map_reading)), styles.small),
        ),
        *_section(content, "priorities", styles, *_table_block(content.priorities, width, styles)),
        *_section(
            content,
            "themes",
            styles,
            _picture(pictures["themes"]),
            Spacer(1, 4),
            *_table_block(content.themes.table, width, styles),
            note=". Thèmes : typologie de la source, label du programme ou mots-clés sur les noms "
            "(indicatif).",
        ),
        *_section(
            content,
            "comparisons",
            styles,
            _picture(pictures["comparisons"]),
            Spacer(1, 4),
            *_table_block(content.references, width, styles),
        ),
        Paragraph(_xml(similar.title), styles.subheading),
        Paragraph(_xml(f"Critères : {content.similar_criteria}."), styles.small),
        *_table_block(content.similar, width, styles),
        *_section(
            content,
            "types",
            styles,
            Paragraph(_xml(content.types.summary), styles.body),
            Spacer(1, 4),
            *_table_block(content.types.table, width, styles),
        ),
        *_section(content, "places", styles, *_table_block(content.places, width, styles)),
        _method(content, styles),
    ]


def _footer_canvas(content: BriefingContent, styles: _Styles) -> type:
    """A canvas class that writes the footer, with « page n / N », once the page count is known."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas

    left, right = PAGE_MARGIN_CM * cm, A4[0] - PAGE_MARGIN_CM * cm
    first_line, second_line = content.footer

    class FooterCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802  (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setStrokeColor(colors.HexColor(RULE_COLOR))
            self.setLineWidth(0.5)
            self.line(left, 1.45 * cm, right, 1.45 * cm)
            self.setFont(styles.regular, 7.5)
            self.setFillColor(colors.HexColor(NOTE_COLOR))
            self.drawString(left, 1.05 * cm, first_line)
            self.drawString(left, 0.68 * cm, second_line)
            self.drawRightString(right, 1.05 * cm, f"page {self._pageNumber} / {total}")
            self.restoreState()

    return FooterCanvas


def briefing_pdf(content: BriefingContent, pictures: dict[str, Picture]) -> bytes:
    """The pack as an A4 PDF: « L'essentiel », map, priorities, themes, comparisons, types of
    communes, places, method.

    Parameters
    ----------
    content
        :func:`geo.render.briefing.content.briefing_content`.
    pictures
        ``map``, ``themes`` and ``comparisons`` drawn for print (:data:`geo.render.briefing.figures.PRINT`)
        at most as wide as the text (:func:`text_width_in`).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    styles = _Styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=PAGE_MARGIN_CM * cm,
        rightMargin=PAGE_MARGIN_CM * cm,
        topMargin=1.4 * cm,
        bottomMargin=1.9 * cm,
        title=content.title,
        author="Atlas des tiers-lieux",
        subject=content.parameters,
    )
    document.build(
        _story(content, pictures, document.width, styles), canvasmaker=_footer_canvas(content, styles)
    )
    return buffer.getvalue()


def text_width_in() -> float:
    """Width of the text on the A4 page, in inches: the widest a picture of the PDF may be."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm, inch

    return float((A4[0] - 2 * PAGE_MARGIN_CM * cm) / inch)
