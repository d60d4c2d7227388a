"""Streamed reading of an Excel workbook (.xlsx, .xlsm): rows as they come, never the whole sheet.

The workbook is a zip of XML parts. Every part is decompressed chunk by chunk against the byte
budget of :class:`geo.io.tabular.ByteBudget` and the sheet is parsed row by row (lxml pull
parser, entities not resolved, no network), so a workbook bomb — a sheet of millions of rows,
rows of 16 384 cells, a member lying about its size — is refused once the limits of
:mod:`geo.io.tabular` are reached, within seconds and a few megabytes. Only the first sheet that
holds data is read; dates are written in ISO form, numbers without a spurious « .0 ».
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from lxml import etree

from geo._errors import DataValidationError
from geo.fmt import fr_count, fr_number
from geo.io.tabular import (
    CHUNK_BYTES,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    ByteBudget,
    RawTable,
    TableBuilder,
    check_archive,
    read_member,
)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)})
_METADATA_SHEETS = frozenset({"paramètres et sources", "parametres et sources", "métadonnées", "metadonnees"})
"""Second sheets of the Atlas's own exports: never data."""

MAX_SCANNED_ROWS = 2 * MAX_ROWS
MAX_SCANNED_CELLS = MAX_CELLS
"""Row and cell elements parsed at most, empty ones included (a sheet of formatted empty cells)."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def _broken(filename: str) -> DataValidationError:
    return DataValidationError(
        filename, ["lecture du classeur Excel impossible : fichier endommagé ou format non pris en charge"]
    )


def read_xlsx(data: bytes, filename: str) -> RawTable:
    """The first sheet holding data of an XLSX workbook, as text columns.

    Raises
    ------
    DataValidationError
        If the workbook is damaged, too large once decompressed, has too many rows, columns or
        cells, or holds no data (French message).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _broken(filename) from exc
    try:
        with archive:
            return _read_workbook(archive, filename, ByteBudget(filename, len(data)))
    except DataValidationError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, etree.LxmlError) as exc:
        raise _broken(filename) from exc


class _Workbook:
    """The parts of one workbook that rows need: shared strings, date styles, date system."""

    def __init__(self, archive: zipfile.ZipFile, filename: str, budget: ByteBudget) -> None:
        members = {m.filename: m for m in check_archive(archive, filename, budget.limit)}
        self.archive, self.members, self.budget, self.filename = archive, members, budget, filename
        book_path = self._target_of("_rels/.rels", "officeDocument", "xl/workbook.xml")
        book = self._xml(book_path)
        rels = f"{PurePosixPath(book_path).parent}/_rels/{PurePosixPath(book_path).name}.rels"
        targets = self._relations(rels, PurePosixPath(book_path).parent)
        self.sheets = [
            (str(sheet.get("name", "")), targets.get(str(sheet.get(f"{_REL}id", "")), ""))
            for sheet in book.iter(f"{_MAIN}sheet")
        ]
        properties = book.find(f"{_MAIN}workbookPr")
        self.epoch = (
            datetime(1904, 1, 1)
            if properties is not None and properties.get("date1904") in ("1", "true")
            else datetime(1899, 12, 30)
        )
        by_type = {kind: path for path, kind in self._types(rels, PurePosixPath(book_path).parent).items()}
        self.shared = self._shared_strings(by_type.get("sharedStrings", ""))
        self.date_styles = self._date_styles(by_type.get("styles", ""))

    def _member(self, path: str) -> zipfile.ZipInfo | None:
        return self.members.get(path.lstrip("/"))

    def _xml(self, path: str) -> etree._Element:
        member = self._member(path)
        if member is None:
            raise KeyError(path)
        return etree.fromstring(read_member(self.archive, member, self.budget), _parser())

    def _target_of(self, rels: str, kind: str, default: str) -> str:
        for path, found in self._types(rels, PurePosixPath("")).items():
            if found == kind:
                return path
        return default

    def _types(self, rels: str, base: PurePosixPath) -> dict[str, str]:
        if self._member(rels) is None:
            return {}
        out = {}
        for relation in self._xml(rels).iter(f"{_PACKAGE_REL}Relationship"):
            target = str(relation.get("Target", ""))
            path = target.lstrip("/") if target.startswith("/") else str(base / target)
            out[path] = str(relation.get("Type", "")).rsplit("/", 1)[-1]
        return out

    def _relations(self, rels: str, base: PurePosixPath) -> dict[str, str]:
        if self._member(rels) is None:
            return {}
        out = {}
        for relation in self._xml(rels).iter(f"{_PACKAGE_REL}Relationship"):
            target = str(relation.get("Target", ""))
            out[str(relation.get("Id", ""))] = (
                target.lstrip("/") if target.startswith("/") else str(base / target)
            )
        return out

    def stream(self, path: str, tag: str) -> Iterator[etree._Element]:
        """The ``tag`` elements of part ``path``, parsed as the bytes are decompressed; each is
        cleared once the caller moves on."""
        member = self._member(path)
        if member is None:
            raise KeyError(path)
        parser = etree.XMLPullParser(
            events=("end",), tag=f"{_MAIN}{tag}", resolve_entities=False, no_network=True, huge_tree=False
        )
        with self.archive.open(member) as handle:
            while chunk := handle.read(CHUNK_BYTES):
                self.budget.spend(len(chunk))
                parser.feed(chunk)
                for _, element in parser.read_events():
                    yield element
                    element.clear()
                    parent = element.getparent()
                    while parent is not None and element.getprevious() is not None:
                        del parent[0]
        parser.close()

    def _shared_strings(self, path: str) -> list[str]:
        if not path or self._member(path) is None:
            return []
        strings: list[str] = []
        for item in self.stream(path, "si"):
            strings.append(_text_of(item))
            if len(strings) > MAX_CELLS:
                raise DataValidationError(
                    self.filename, [f"plus de {fr_number(MAX_CELLS)} textes différents"]
                )
        return strings

    def _date_styles(self, path: str) -> frozenset[int]:
        if not path or self._member(path) is None:
            return frozenset()
        styles = self._xml(path)
        custom = {
            int(fmt.get("numFmtId", "0")): _is_date_format(str(fmt.get("formatCode", "")))
            for fmt in styles.iter(f"{_MAIN}numFmt")
        }
        cell_formats = styles.find(f"{_MAIN}cellXfs")
        if cell_formats is None:
            return frozenset()
        dates = set()
        for position, xf in enumerate(cell_formats.iter(f"{_MAIN}xf")):
            number_format = int(xf.get("numFmtId", "0"))
            if custom.get(number_format, number_format in _BUILTIN_DATE_FORMATS):
                dates.add(position)
        return frozenset(dates)


def _is_date_format(code: str) -> bool:
    """Whether an Excel number format shows a date or a time (« dd/mm/yyyy », « [h]:mm »)."""
    plain = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return bool(re.search(r"[dmyhs]", plain, flags=re.IGNORECASE)) and "general" not in plain.lower()


def _text_of(item: etree._Element) -> str:
    """Text of a shared or inline string (rich-text runs joined, phonetic hints left out)."""
    parts = []
    for child in item:
        if child.tag == f"{_MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{_MAIN}r":
            parts.extend(t.text or "" for t in child.iter(f"{_MAIN}t"))
    return "".join(parts)


def _column_index(reference: str) -> int:
    """0-based column of a cell reference (« B12 » → 1, « AA3 » → 26)."""
    index = 0
    for letter in reference:
        if not letter.isalpha():
            break
        index = index * 26 + (ord(letter.upper()) - 64)
    return index - 1


def _read_workbook(archive: zipfile.ZipFile, filename: str, budget: ByteBudget) -> RawTable:
    book = _Workbook(archive, filename, budget)
    data_sheets = [(n, p) for n, p in book.sheets if n.strip().lower() not in _METADATA_SHEETS]
    for position, (name, path) in enumerate(data_sheets):
        builder = _sheet_rows(book, path, filename)
        if builder is None:
            continue
        notes = [f"feuille « {name} » utilisée"]
        others = len(data_sheets) - position - 1
        if others:
            notes.append(
                fr_count(others, "autre feuille non lue", "autres feuilles non lues")
                + (" : importez-les séparément" if others > 1 else " : importez-la séparément")
            )
        if len(data_sheets) < len(book.sheets):
            notes.append("feuille des paramètres et sources d'un export de l'Atlas ignorée")
        return RawTable(filename, builder.frame(), notes=tuple(notes))
    raise DataValidationError(filename, ["le classeur ne contient aucune feuille remplie"])


_CELL = f"{_MAIN}c"
_VALUE = f"{_MAIN}v"
_INLINE = f"{_MAIN}is"


def _sheet_rows(book: _Workbook, path: str, filename: str) -> TableBuilder | None:
    """The rows of one sheet (``None`` when it holds no data)."""
    builder: TableBuilder | None = None
    scanned_rows = scanned_cells = 0
    for row in book.stream(path, "row"):
        scanned_rows += 1
        scanned_cells += len(row)
        if scanned_rows > MAX_SCANNED_ROWS or scanned_cells > MAX_SCANNED_CELLS:
            raise DataValidationError(
                filename,
                [
                    f"feuille trop grande (plus de {fr_number(MAX_ROWS)} lignes "
                    f"ou {fr_number(MAX_CELLS)} cellules)"
                ],
            )
        values = _row_values(book, row, filename)
        if not values:
            continue
        if builder is None:
            builder = TableBuilder(filename, values)
            continue
        if len(values) > builder.width:
            builder.widen(len(values))
        builder.add(values, row.get("r") or scanned_rows)
    return builder


def _row_values(book: _Workbook, row: etree._Element, filename: str) -> list[object]:
    """The values of a row's cells at their columns, trailing empty cells left out.

    A cell reference without a column (« 1 ») or beyond :data:`MAX_COLUMNS` (« ZZZZZZ1 ») is
    refused before anything is allocated for it."""
    values: list[object] = []
    for position, cell in enumerate(row):
        if cell.tag != _CELL or not len(cell):  # a formatted empty cell has no value element
            continue
        value = _cell_value(book, cell)
        if value == "":
            continue
        reference = cell.get("r")
        column = _column_index(reference) if reference else position
        if not 0 <= column < MAX_COLUMNS:
            raise DataValidationError(
                filename,
                [
                    f"cellule « {str(reference)[:20]} » hors des colonnes possibles "
                    f"(au plus {fr_number(MAX_COLUMNS)}) : classeur endommagé"
                ],
            )
        if column >= len(values):
            values.extend([""] * (column + 1 - len(values)))
        values[column] = value
    return values


def _cell_value(book: _Workbook, cell: etree._Element) -> object:
    """A cell's value: text, number, ISO date (from a date-formatted number), or ``""``."""
    kind = cell.get("t", "n")
    raw = ""
    for child in cell:
        if child.tag == _VALUE:
            raw = child.text or ""
        elif child.tag == _INLINE:
            return _text_of(child)
    if not raw or kind == "e":
        return ""
    if kind == "n":
        return _number(book, cell, raw)
    return _TYPED.get(kind, lambda _, text: text)(book, raw)


def _shared(book: _Workbook, raw: str) -> str:
    index = int(raw)
    return book.shared[index] if 0 <= index < len(book.shared) else ""


_TYPED: dict[str, Callable[[_Workbook, str], object]] = {
    "s": _shared,
    "b": lambda _, raw: "1" if raw.strip() in ("1", "true") else "0",
}
"""Cell types (``t``) other than numbers: shared string, boolean; the rest is kept as written."""


def _number(book: _Workbook, cell: etree._Element, raw: str) -> object:
    number = float(raw)
    style = cell.get("s")
    if style is not None and int(style) in book.date_styles and 0 <= number < 2_958_466:
        return book.epoch + timedelta(days=number)
    return number
