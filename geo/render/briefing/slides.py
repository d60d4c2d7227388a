"""The pack as a 16:9 PowerPoint deck (python-pptx): the story of
:class:`~geo.render.briefing.content.BriefingContent`, one idea per slide.

The deck is built on a template (:func:`deck_template`: python-pptx's default one, laid out
for 16:9 and set in the Atlas's colours) and uses its real layouts — « Title Slide »,
« Title and Content », « Two Content » — so every slide has a title placeholder that the
outline view, slide sorters and screen readers see. Every run of text is set at 14 pt or
more; long lists continue on further slides (« 2/3 ») rather than shrink; every slide has
speaker notes with its figures, sources and how to read it; each slide shows its sources,
the territory and the date, and its number.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geo.fmt import NNBSP
from geo.render.briefing.content import WORDS, BriefingContent, Finding, PackTable, TableLayout, wrapped_lines
from geo.render.briefing.figures import Picture
from geo.render.briefing.pdf import register_fonts
from geo.render.style import HEADING_COLOR, NOTE_COLOR

SLIDE_WIDTH_IN = 13.333
SLIDE_HEIGHT_IN = 7.5
MIN_FONT_PT = 14.0
"""No text on a slide is smaller: readable from the back of a room."""
TITLE_PT = 30.0
BODY_PT = 20.0
TABLE_PT = 14.0

LAYOUTS = {"title": "Title Slide", "content": "Title and Content", "two": "Two Content"}
"""The template layouts the deck uses, by role."""

Box = tuple[float, float, float, float]
"""Left, top, width, height in inches."""
BODY_BOX: Box = (0.6, 1.45, 12.13, 4.75)
"""Left, top, width, height (inches) of the content area under the title."""
_TITLE_BOX = (0.6, 0.3, 12.13, 1.0)
_SOURCE_TOP_IN = 6.28
_FOOTER_TOP_IN = 6.95
_GAP_IN = 0.3

# Calibri, the template's font, is 0.81 times as wide as DejaVu Sans (0.73 in bold): text is measured
# with DejaVu's metrics, a little widened, so that a table is never cut at the foot of its slide.
_CALIBRI_PER_DEJAVU = {False: 0.84, True: 0.77}
_LINE_SPACING = 1.2
_CELL_MARGIN_IN = 0.1


def _emu(inches: float) -> int:
    return round(inches * 914400)


def _place(shape: Any, box: Box) -> None:
    shape.left, shape.top, shape.width, shape.height = (_emu(v) for v in box)


def _two_boxes(split: float = 0.5) -> tuple[Box, Box]:
    left, top, width, height = BODY_BOX
    first = (width - _GAP_IN) * split
    return (left, top, first, height), (left + first + _GAP_IN, top, width - first - _GAP_IN, height)


def deck_template() -> Any:
    """python-pptx's default template laid out for 16:9 slides, titles in the Atlas's navy.

    Every placeholder of the master and of the layouts is widened from 4:3 to 16:9; those of
    the layouts in :data:`LAYOUTS` are then placed on the deck's grid.
    """
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import PP_PLACEHOLDER
    from pptx.util import Pt

    deck: Any = Presentation()  # python-pptx's typing is partial: its objects are used duck-typed
    ratio = SLIDE_WIDTH_IN / (deck.slide_width / 914400)
    deck.slide_width, deck.slide_height = _emu(SLIDE_WIDTH_IN), _emu(SLIDE_HEIGHT_IN)
    shapes = [*deck.slide_master.placeholders] + [
        p for layout in deck.slide_layouts for p in layout.placeholders
    ]
    geometry = [(shape, shape.left, shape.width) for shape in shapes]
    for shape, left, width in geometry:
        shape.left, shape.width = int(left * ratio), int(width * ratio)
    footer_boxes = {
        PP_PLACEHOLDER.FOOTER: (0.6, _FOOTER_TOP_IN, 10.2, 0.45),
        PP_PLACEHOLDER.SLIDE_NUMBER: (11.0, _FOOTER_TOP_IN, 1.73, 0.45),
        PP_PLACEHOLDER.DATE: (0.6, _FOOTER_TOP_IN, 0.1, 0.45),
    }
    by_name = {layout.name: layout for layout in deck.slide_layouts}
    for role, name in LAYOUTS.items():
        for placeholder in by_name[name].placeholders:
            kind, idx = placeholder.placeholder_format.type, placeholder.placeholder_format.idx
            if kind in footer_boxes:
                _place(placeholder, footer_boxes[kind])
            elif role == "title":
                _place(placeholder, (0.9, 2.0, 11.5, 1.6) if idx == 0 else (0.9, 3.8, 11.5, 2.6))
            elif idx == 0:
                _place(placeholder, _TITLE_BOX)
            elif role == "two":
                _place(placeholder, _two_boxes()[0] if idx == 1 else _two_boxes()[1])
            else:
                _place(placeholder, BODY_BOX)
    title_style = deck.slide_master.element.find(".//{*}titleStyle/{*}lvl1pPr/{*}defRPr")
    if title_style is not None:
        title_style.set("sz", str(int(TITLE_PT * 100)))
        title_style.set("b", "1")
    for placeholder in deck.slide_master.placeholders:
        if placeholder.placeholder_format.type == PP_PLACEHOLDER.TITLE:
            placeholder.text_frame.paragraphs[0].font.color.rgb = RGBColor.from_string(HEADING_COLOR[1:])
            placeholder.text_frame.paragraphs[0].font.size = Pt(TITLE_PT)
    return deck


def _runs(paragraph: Any, parts: Sequence[tuple[str, bool]], size: float, color: str | None) -> None:
    """Write ``parts`` (text, bold) as runs of ``paragraph``, every run with an explicit size."""
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    for text, bold in parts:
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(max(size, MIN_FONT_PT))
        run.font.bold = bold
        if color is not None:
            run.font.color.rgb = RGBColor.from_string(color.lstrip("#"))


def _fill(
    frame: Any,
    paragraphs: Sequence[Sequence[tuple[str, bool]]],
    *,
    size: float,
    color: str | None = None,
    bullets: bool = True,
    space_after_pt: float = 6.0,
) -> None:
    """Replace the text of ``frame`` with ``paragraphs`` (each a list of (text, bold) parts)."""
    from pptx.util import Pt

    frame.clear()
    frame.word_wrap = True
    for index, parts in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        _runs(paragraph, parts, size, color)
        paragraph.space_after = Pt(space_after_pt)
        if not bullets:
            _no_bullet(paragraph)
        paragraph.font.size = Pt(max(size, MIN_FONT_PT))


def _no_bullet(paragraph: Any) -> None:
    from pptx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    properties.set("marL", "0")
    properties.set("indent", "0")
    if properties.find(qn("a:buNone")) is None:
        properties.insert(0, properties.makeelement(qn("a:buNone"), {}))


def _emphasised(finding: Finding) -> list[tuple[str, bool]]:
    """The sentence of ``finding`` with its number in bold."""
    before, found, after = finding.sentence.partition(finding.figure)
    return [(before, False), (found, True), (after, False)] if found else [(finding.sentence, False)]


def _text_width_in(text: str, size: float, *, bold: bool = False) -> float:
    """Width of ``text`` set in Calibri at ``size`` points, in inches (estimated, see above)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    regular, heavy = register_fonts()
    points = stringWidth(text.replace(NNBSP, "\u00a0"), heavy if bold else regular, size)
    return float(points) * _CALIBRI_PER_DEJAVU[bold] / 72


def _measure(text: str, bold: bool) -> float:
    return _text_width_in(text, TABLE_PT, bold=bold)


def _text_lines(text: str, width_in: float, size: float) -> int:
    """Lines a paragraph of ``text`` takes in a box ``width_in`` wide."""
    words = [_text_width_in(word, size) for word in WORDS.findall(text)]
    return wrapped_lines(words, width_in, _text_width_in(" ", size))


def _table_geometry(table: PackTable, width_in: float) -> tuple[list[float], list[float]]:
    """Column widths and row heights (header first), in inches, of ``table`` at :data:`TABLE_PT`."""
    layout = TableLayout.measured(table, _measure, _CELL_MARGIN_IN)
    widths, _fits = table.column_widths(width_in, _measure, padding=_CELL_MARGIN_IN)
    heights = [lines * _LINE_SPACING * TABLE_PT / 72 + 2 * 0.05 for lines in layout.row_lines(widths)]
    return widths, heights


def _balanced(heights: Sequence[float], room: float) -> list[range]:
    """Consecutive ranges of ``heights`` each summing to at most ``room`` (one item at least),
    as few as possible and as even as possible: no slide is left with a lone row."""

    def greedy(limit: float) -> list[range]:
        pages, start, used = [], 0, 0.0
        for index, height in enumerate(heights):
            if index > start and used + height > limit:
                pages.append(range(start, index))
                start, used = index, 0.0
            used += height
        return [*pages, range(start, len(heights))] if len(heights) else []

    pages, limit = greedy(room), room
    while len(pages) > 1:
        tighter = greedy(limit * 0.95)
        if len(tighter) > len(pages):
            break
        pages, limit = tighter, limit * 0.95
    return pages


def table_pages(table: PackTable, *, width_in: float, height_in: float) -> list[range]:
    """Row ranges of ``table`` that fit, under the repeated header, in ``width_in`` × ``height_in``."""
    _widths, heights = _table_geometry(table, width_in)
    return _balanced(heights[1:], height_in - heights[0])


def _add_table(slide: Any, table: PackTable, rows: range, box: Box) -> float:
    """Add the ``rows`` of ``table`` at the top of ``box``; the height they are expected to take."""
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Pt

    left, top, width, _height = box
    widths, heights = _table_geometry(table, width)
    shown = [table.rows[i] for i in rows]
    height = heights[0] + sum(heights[1 + i] for i in rows)
    shape = slide.shapes.add_table(
        len(shown) + 1, len(table.columns), _emu(left), _emu(top), _emu(width), _emu(height)
    )
    grid = shape.table
    for j, column_width in enumerate(widths):
        grid.columns[j].width = _emu(column_width)
    one_line = _LINE_SPACING * TABLE_PT / 72 + 0.1
    for i, cells in enumerate([table.columns, *shown]):
        grid.rows[i].height = _emu(one_line)  # a row grows with its text when shown
        for j, text in enumerate(cells):
            cell = grid.cell(i, j)
            cell.margin_left = cell.margin_right = _emu(_CELL_MARGIN_IN)
            frame = cell.text_frame
            frame.word_wrap = True
            paragraph = frame.paragraphs[0]
            _runs(paragraph, [(text, i == 0)], TABLE_PT, None)
            paragraph.font.size = Pt(TABLE_PT)
            if table.numeric[j]:
                paragraph.alignment = PP_ALIGN.RIGHT
    return height


@dataclass
class _Deck:
    """The deck being built and what every slide repeats."""

    deck: Any
    content: BriefingContent

    def layout(self, role: str) -> Any:
        return next(layout for layout in self.deck.slide_layouts if layout.name == LAYOUTS[role])

    def slide(self, role: str, title: str, *, notes: str, source: str = "") -> Any:
        """A slide of layout ``role`` with its title, notes, source line, footer and number."""
        slide = self.deck.slides.add_slide(self.layout(role))
        _fill(
            slide.shapes.title.text_frame,
            [[(title, True)]],
            size=TITLE_PT if role != "title" else 36,
            color=HEADING_COLOR,
            bullets=False,
        )
        slide.notes_slide.notes_text_frame.text = notes
        if source:
            box = slide.shapes.add_textbox(
                _emu(BODY_BOX[0]), _emu(_SOURCE_TOP_IN), _emu(BODY_BOX[2]), _emu(0.65)
            )
            box.name = "Sources"
            _fill(
                box.text_frame,
                [[(source, False)]],
                size=MIN_FONT_PT,
                color=NOTE_COLOR,
                bullets=False,
                space_after_pt=0,
            )
        self._footer(slide)
        return slide

    def _footer(self, slide: Any) -> None:
        from pptx.enum.shapes import PP_PLACEHOLDER
        from pptx.oxml.ns import qn

        wanted = {PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.SLIDE_NUMBER}
        for placeholder in slide.slide_layout.placeholders:
            kind = placeholder.placeholder_format.type
            if kind not in wanted:
                continue
            slide.shapes.clone_placeholder(placeholder)
            clone = next(s for s in slide.placeholders if s.placeholder_format.type == kind)
            if kind == PP_PLACEHOLDER.FOOTER:
                _fill(
                    clone.text_frame,
                    [[(self.content.footer[0], False)]],
                    size=MIN_FONT_PT,
                    color=NOTE_COLOR,
                    bullets=False,
                    space_after_pt=0,
                )
                continue
            paragraph = clone.text_frame.paragraphs[0]
            field = paragraph._p.makeelement(
                qn("a:fld"), {"id": "{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}", "type": "slidenum"}
            )
            field.append(field.makeelement(qn("a:rPr"), {"lang": "fr-FR", "sz": str(int(MIN_FONT_PT * 100))}))
            text = field.makeelement(qn("a:t"), {})
            text.text = str(len(self.deck.slides))
            field.append(text)
            paragraph._p.append(field)

    def picture(self, slide: Any, picture: Picture, box: Box, *, description: str) -> None:
        """``picture`` centred in ``box`` at the size it was drawn for (never enlarged), with
        ``description`` as its alternative text for screen readers."""
        left, top, width, height = box
        scale = min(1.0, width / picture.width_in, height / picture.height_in)
        w, h = picture.width_in * scale, picture.height_in * scale
        shape = slide.shapes.add_picture(
            io.BytesIO(picture.png),
            _emu(left + (width - w) / 2),
            _emu(top + (height - h) / 2),
            _emu(w),
            _emu(h),
        )
        shape._element.nvPicPr.cNvPr.set("descr", description)


def _body(slide: Any, idx: int) -> Any:
    return next(p for p in slide.placeholders if p.placeholder_format.idx == idx)


def _drop(placeholder: Any) -> Box:
    """Remove an empty content placeholder (a picture or a table takes its place); its box."""
    left, top, width, height = (
        v / 914400 for v in (placeholder.left, placeholder.top, placeholder.width, placeholder.height)
    )
    element = placeholder.element
    element.getparent().remove(element)
    return left, top, width, height


def _numbered(title: str, index: int, total: int) -> str:
    return title if total == 1 else f"{title} ({index}/{total})"


def _table_slides(builder: _Deck, key: str, table: PackTable, *, title: str | None = None) -> None:
    section = builder.content.sections[key]
    heading = title or section.title
    if not table.rows:
        slide = builder.slide("content", heading, notes=section.notes, source=section.source)
        _fill(_body(slide, 1).text_frame, [[(table.empty, False)]], size=BODY_PT, bullets=False)
        return
    left, top, width, height = BODY_BOX
    more_in = 0.45 if table.more else 0.0
    pages = table_pages(table, width_in=width, height_in=height - more_in)
    for number, rows in enumerate(pages, start=1):
        slide = builder.slide(
            "content", _numbered(heading, number, len(pages)), notes=section.notes, source=section.source
        )
        box = _drop(_body(slide, 1))
        used = _add_table(slide, table, rows, box)
        if table.more and number == len(pages):
            note = slide.shapes.add_textbox(_emu(left), _emu(top + used + 0.1), _emu(width), _emu(more_in))
            _fill(note.text_frame, [[(table.more, False)]], size=MIN_FONT_PT, color=NOTE_COLOR, bullets=False)


def _text_pages(lines: Sequence[str], *, width_in: float, height_in: float, size: float) -> list[list[str]]:
    """``lines`` as bullet paragraphs cut into pages that fit ``width_in`` × ``height_in``."""
    heights = [_text_lines(line, width_in - 0.4, size) * _LINE_SPACING * size / 72 + 6 / 72 for line in lines]
    return [[lines[i] for i in page] for page in _balanced(heights, height_in)]


def _bullet_slides(builder: _Deck, key: str, lines: Sequence[str], *, size: float) -> None:
    section = builder.content.sections[key]
    pages = _text_pages(lines, width_in=BODY_BOX[2], height_in=BODY_BOX[3] + 0.5, size=size)
    for number, page in enumerate(pages, start=1):
        slide = builder.slide("content", _numbered(section.title, number, len(pages)), notes=section.notes)
        _fill(_body(slide, 1).text_frame, [[(line, False)] for line in page], size=size)


def _cover(builder: _Deck) -> None:
    content = builder.content
    slide = builder.slide("title", content.title, notes=content.sections["cover"].notes)
    _fill(
        _body(slide, 1).text_frame,
        [
            [(content.subtitle, True)],
            [(f"Dossier préparé le {content.date_text}", False)],
            [("Paramètres : " + content.parameters, False)],
        ],
        size=18,
        color=NOTE_COLOR,
        bullets=False,
    )


def _essentials(builder: _Deck) -> None:
    section = builder.content.sections["essentials"]
    slide = builder.slide("content", section.title, notes=section.notes, source=section.source)
    _fill(
        _body(slide, 1).text_frame,
        [_emphasised(f) for f in builder.content.essentials],
        size=BODY_PT,
        space_after_pt=12,
    )


def _key_figures(builder: _Deck, programmes: Sequence[tuple[str, str]]) -> None:
    section = builder.content.sections["figures"]
    slide = builder.slide("two", section.title, notes=section.notes, source=section.source)
    _fill(
        _body(slide, 1).text_frame,
        [[(value, True), (f"  {label}", False)] for label, value in builder.content.key_figures],
        size=17,
        bullets=False,
        space_after_pt=5,
    )
    _fill(
        _body(slide, 2).text_frame,
        [
            [("Programmes publics", True)],
            *([(f"{name} : ", False), (status, True)] for name, status in programmes),
        ],
        size=17,
        bullets=False,
        space_after_pt=5,
    )


def _picture_slide(builder: _Deck, key: str, picture: Picture, side: Sequence[str] = ()) -> None:
    """A slide with ``picture`` (and ``side`` text on its right, when given)."""
    section = builder.content.sections[key]
    role = "two" if side else "content"
    slide = builder.slide(role, section.title, notes=section.notes, source=section.source)
    description = f"{section.title}. {section.notes}"
    if not side:
        builder.picture(slide, picture, _drop(_body(slide, 1)), description=description)
        return
    left_box, right_box = _two_boxes(picture.width_in / (BODY_BOX[2] - _GAP_IN))
    builder.picture(slide, picture, left_box, description=description)
    _drop(_body(slide, 1))
    text = _body(slide, 2)
    _place(text, right_box)
    _fill(text.text_frame, [[(line, False)] for line in side], size=18, bullets=False, space_after_pt=10)


def _types_slides(builder: _Deck) -> None:
    """The territory by type of commune: the rural figures in words, then the table."""
    section = builder.content.sections["types"]
    slide = builder.slide("content", section.title, notes=section.notes, source=section.source)
    types = builder.content.types
    lines = (
        [[(value, True), (f"  {label}", False)] for value, label in types.figures]
        if types.figures
        else [[(types.summary, False)]]
    )
    _fill(_body(slide, 1).text_frame, lines, size=BODY_PT + 4 if types.figures else BODY_PT, bullets=False)
    if types.figures:
        definition = slide.shapes.add_textbox(
            _emu(BODY_BOX[0]), _emu(BODY_BOX[1] + BODY_BOX[3] - 0.5), _emu(BODY_BOX[2]), _emu(0.5)
        )
        _fill(
            definition.text_frame,
            [[("Rural : définition INSEE 2021 (bourgs ruraux, habitat dispersé ou très dispersé).", False)]],
            size=MIN_FONT_PT,
            color=NOTE_COLOR,
            bullets=False,
        )
    _table_slides(builder, "types", builder.content.types.table, title=f"{section.title} : détail")


def briefing_pptx(content: BriefingContent, pictures: dict[str, Picture]) -> bytes:
    """The pack as a 16:9 deck: title, « L'essentiel », key figures, map, priorities, themes,
    comparisons, similar territories, types of communes, places, method, sources.

    Parameters
    ----------
    content
        :func:`geo.render.briefing.content.briefing_content`.
    pictures
        ``map`` (:data:`BODY_BOX` wide), ``themes`` and ``comparisons`` drawn for slides
        (:data:`geo.render.briefing.figures.SLIDE`).
    """
    builder = _Deck(deck_template(), content)
    _cover(builder)
    _essentials(builder)
    _key_figures(builder, content.programme_status)
    _picture_slide(builder, "map", pictures["map"])
    _table_slides(builder, "priorities", content.priorities)
    themes = content.themes
    _picture_slide(builder, "themes", pictures["themes"], [themes.finding.sentence] if themes.finding else [])
    _table_slides(builder, "themes", themes.table, title=f"{content.sections['themes'].title} : détail")
    comparison = next((f.sentence for f in content.essentials if f.topic == "comparison"), "")
    _picture_slide(builder, "comparisons", pictures["comparisons"], [comparison] if comparison else [])
    _table_slides(
        builder,
        "comparisons",
        content.references,
        title=f"{content.sections['comparisons'].title} : chiffres",
    )
    _table_slides(builder, "similar", content.similar)
    _types_slides(builder)
    _table_slides(builder, "places", content.places)
    _bullet_slides(builder, "method", ["Paramètres : " + content.parameters, *content.method], size=16)
    _bullet_slides(builder, "sources", content.sources, size=MIN_FONT_PT)
    deck = builder.deck
    deck.core_properties.title = content.title
    deck.core_properties.author = "Atlas des tiers-lieux"
    deck.core_properties.subject = content.parameters
    deck.core_properties.language = "fr-FR"
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def slide_picture_sizes() -> dict[str, tuple[float, float]]:
    """Width and height (inches) to draw the deck's pictures for: ``map``, ``themes``, ``comparisons``."""
    _left, _top, width, height = BODY_BOX
    chart_width = math.floor((width - _GAP_IN) * 0.62 * 100) / 100
    return {"map": (width, height), "themes": (chart_width, height), "comparisons": (chart_width, height)}
