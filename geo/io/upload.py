"""Reading a user's file: any common format in, text columns out, rows — not files — failing.

:func:`read_upload` takes the bytes of one file (CSV with any separator and common encoding,
XLSX, GeoJSON or JSON, GeoPackage, zipped Shapefile or zipped table) and returns a
:class:`geo.io.tabular.RawTable` of text columns, personal contact columns (e-mail, phone...)
dropped on the spot. A malformed line, an unclosed quote or a broken feature becomes one row
with its reason and line number; only a file that cannot be parsed at all is refused. The cost
is bounded whatever the file holds (see :mod:`geo.io.tabular`): cells of any size up to the upload
limit, no quadratic step, archives decompressed against a running byte count.

Nothing here evaluates user content (no pickle, no eval).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Literal

from geo._errors import DataValidationError, InvalidParameterError
from geo.fmt import fr_count, fr_number
from geo.io.geofile import read_geojson, read_layer
from geo.io.spreadsheet import read_xlsx
from geo.io.tabular import (
    MAX_UPLOAD_BYTES,
    MAX_ZIP_MEMBERS,
    MB,
    ByteBudget,
    RawTable,
    TableBuilder,
    check_archive,
    read_member,
)
from geo.themes import normalize_text

_TABULAR = {".csv", ".txt", ".tsv"}
_EXCEL = {".xlsx", ".xlsm"}
_JSON = {".geojson", ".json"}
_LAYERS = {".gpkg"}

SUPPORTED_EXTENSIONS = ("csv", "txt", "tsv", "xlsx", "xlsm", "geojson", "json", "gpkg", "zip")

_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
"""Bytes that plain text never holds (tab, line feed and carriage return excepted)."""

_FIELD_LIMIT = 2**31 - 1
"""The csv module refuses fields over 128 KiB by default: a cell may be as large as the file."""

MAX_QUOTE_RECOVERIES = 50
"""Unclosed quotes recovered line by line; past this the rest of the file is read without quoting."""

_PERSONAL_TOKENS = frozenset(
    [
        "mail",
        "email",
        "emails",
        "mails",
        "courriel",
        "courriels",
        "tel",
        "telephone",
        "telephones",
        "phone",
        "portable",
        "mobile",
        "gsm",
        "fax",
        "contact",
        "contacts",
        "prenom",
    ]
)


def safe_filename(filename: str) -> str:
    """A file name safe to show as text (no path, no markup characters, at most 80 characters)."""
    base = PurePosixPath(str(filename).replace("\\", "/")).name
    cleaned = re.sub(r"[^\w .()+-]", "_", base, flags=re.UNICODE).strip() or "fichier"
    return cleaned[:80]


def column_key(name: object) -> str:
    """Normalised column name: accent-free, lower case, words joined by ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", normalize_text(str(name))).strip("_")


def is_personal_column(name: object) -> bool:
    """Whether a column holds personal contact data (e-mail, phone, contact person)."""
    key = column_key(name)
    tokens = set(key.split("_"))
    if tokens & _PERSONAL_TOKENS:
        return True
    return key.startswith(("mail", "email", "e_mail", "courriel", "telephone", "tel_", "num_tel"))


def read_upload(data: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES) -> RawTable:
    """Read one uploaded file into text columns, dropping personal contact columns.

    Parameters
    ----------
    data
        The file's bytes (at most ``max_bytes``).
    filename
        Its name; the extension chooses the reader (``.csv``, ``.txt``, ``.tsv``, ``.xlsx``,
        ``.geojson``, ``.json``, ``.gpkg``, ``.zip`` holding a Shapefile or one of these) — a
        file whose content says otherwise (a workbook saved as ``.csv``) is read as what it is.
    max_bytes
        Size limit (the upload limit by default; larger for the official files of a refresh).

    Returns
    -------
    RawTable
        Text columns (``""`` for empty cells) and the reserved columns of
        :mod:`geo.io.tabular`; geographic files get ``geometrie_lon`` / ``geometrie_lat`` in WGS84.

    Raises
    ------
    DataValidationError
        If the file is too large, empty, of an unknown type or cannot be parsed at all (French
        message).
    """
    shown = safe_filename(filename)
    if not isinstance(data, bytes | bytearray):
        raise InvalidParameterError("`data` doit être le contenu du fichier (bytes)")
    if len(data) > max_bytes:
        raise DataValidationError(
            shown,
            [
                f"fichier trop volumineux ({fr_number(len(data) / MB, 1)} Mo ; "
                f"maximum {fr_number(max_bytes / MB)} Mo)"
            ],
        )
    if not data:
        raise DataValidationError(shown, ["le fichier est vide"])
    table = _read_by_kind(bytes(data), shown, max_bytes=max_bytes)
    personal = [c for c in table.frame.columns if is_personal_column(c)]
    return replace(
        table,
        filename=shown,
        frame=table.frame.drop(columns=personal),
        dropped_columns=(*table.dropped_columns, *personal),
    )


def _read_by_kind(data: bytes, filename: str, *, max_bytes: int) -> RawTable:
    suffix = PurePosixPath(filename).suffix.lower()
    kind = _kind_of_content(data, suffix) or suffix
    note: tuple[str, ...] = ()
    if kind != suffix and suffix in _TABULAR | _EXCEL | _JSON | _LAYERS | {".zip"}:
        note = (f"contenu reconnu comme {_KIND_LABELS[kind]} malgré l'extension « {suffix} »",)
    if kind in _TABULAR:
        table = _read_csv(data, filename)
    elif kind in _EXCEL:
        table = read_xlsx(data, filename)
    elif kind == ".zip":
        table = _read_zip(data, filename, max_bytes=max_bytes)
    elif kind in _JSON:
        table = read_geojson(data, filename)
    elif kind in _LAYERS:
        with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
            path = Path(tmp) / f"fichier{kind}"
            path.write_bytes(data)
            table = read_layer(path, filename)
    elif suffix in {".xls", ".ods"}:
        raise DataValidationError(
            filename, ["format non pris en charge : enregistrez le tableau en .xlsx ou en .csv"]
        )
    else:
        raise DataValidationError(
            filename,
            [
                f"type de fichier « {suffix or 'sans extension'} » non pris en charge "
                f"(acceptés : {', '.join(SUPPORTED_EXTENSIONS)})"
            ],
        )
    return replace(table, notes=(*note, *table.notes))


_KIND_LABELS = {
    ".csv": "CSV",
    ".xlsx": "classeur Excel (.xlsx)",
    ".zip": "archive zip",
    ".gpkg": "GeoPackage",
}


def _kind_of_content(data: bytes, suffix: str) -> str | None:
    """What the first bytes say the file is, when they are unambiguous."""
    if data.startswith(b"PK\x03\x04"):
        if suffix in _EXCEL or suffix == ".zip":
            return suffix
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist()[:MAX_ZIP_MEMBERS])
        except (zipfile.BadZipFile, OSError, ValueError):
            return ".zip"
        return ".xlsx" if "xl/workbook.xml" in names else ".zip"
    if data.startswith(b"SQLite format 3\x00"):
        return ".gpkg"
    return None


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """Text and the name of its encoding: UTF-8 (with or without BOM), UTF-16 (with or without
    BOM), Windows-1252, Latin-1. Refused when the bytes are not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 (avec BOM)"
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(codec, errors="replace"), "UTF-16"
    utf16 = _utf16_without_bom(data[:4096])
    if utf16:
        try:
            return data.decode(utf16), "UTF-16 (sans BOM)"
        except UnicodeDecodeError:
            pass
    sample = data[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls > len(sample) // 20:  # a few stray NUL characters are text; an image or a program is not
        raise DataValidationError(filename, ["le fichier semble binaire : ce n'est pas un tableau CSV"])
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le`` / ``utf-16-be`` when one byte in two is zero (ASCII text in UTF-16)."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zeros, odd_zeros = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zeros > 0.3 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.3 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def _sniff_separator(text: str) -> str:
    """The separator among ``;``, ``,``, tab and ``|`` that splits the first lines most consistently."""
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (-1, -1)
    for candidate in (";", ",", "\t", "|"):
        try:
            rows = list(csv.reader(lines, delimiter=candidate))
        except csv.Error:
            continue
        widths = [len(r) for r in rows]
        header = widths[0]
        if header < 2:
            continue
        score = (sum(1 for w in widths if w == header), header)
        if score > best_score:
            best, best_score = candidate, score
    return best


class _Records:
    """The records of a CSV text with the physical lines each one spans, lines pushed back on demand."""

    def __init__(self, text: str, separator: str) -> None:
        self.stream = io.StringIO(text, newline="")
        self.separator = separator
        self.number = 0
        self.pending: deque[tuple[int, str]] = deque()
        self.consumed: list[tuple[int, str]] = []
        self.quoting: Literal[0, 1, 2, 3] = csv.QUOTE_MINIMAL
        self.reader = self._new_reader()

    def _lines(self) -> Iterator[str]:
        while True:
            if self.pending:
                item = self.pending.popleft()
            else:
                line = self.stream.readline()
                if not line:
                    return
                self.number += 1
                item = (self.number, line)
            self.consumed.append(item)
            yield item[1]

    def _new_reader(self) -> Iterator[list[str]]:
        return csv.reader(self._lines(), delimiter=self.separator, quoting=self.quoting)

    def push_back(self, lines: list[tuple[int, str]], *, quoting: Literal[0, 1, 2, 3] | None = None) -> None:
        """Read ``lines`` again (with another quoting rule when given)."""
        self.pending.extendleft(reversed(lines))
        if quoting is not None:
            self.quoting = quoting
        self.reader = self._new_reader()

    def __iter__(self) -> Iterator[tuple[list[str] | None, list[tuple[int, str]], str]]:
        while True:
            self.consumed = []
            try:
                fields = next(self.reader)
            except StopIteration:
                if not self.pending:
                    return
                self.reader = self._new_reader()
                continue
            except csv.Error as exc:
                yield None, self.consumed, str(exc)
                continue
            yield fields, self.consumed, ""


def _swallowed_lines(
    fields: list[str], lines: list[tuple[int, str]], width: int, separator: str
) -> list[tuple[int, str]]:
    """The lines an unclosed quote swallowed into one record: the lines after its first that,
    read alone, each have the header's width (``[]`` when the record is a real multi-line one)."""
    if len(lines) < 2 or len(fields) == width:
        return []
    inner = lines[1:]
    exact = sum(1 for _, line in inner if len(next(csv.reader([line], delimiter=separator), [])) == width)
    return inner if exact and exact * 2 >= len(inner) else []


def _read_csv(data: bytes, filename: str) -> RawTable:
    text, encoding = _decode(data, filename)
    if not text.strip():
        raise DataValidationError(filename, ["le fichier est vide"])
    csv.field_size_limit(_FIELD_LIMIT)
    separator = _sniff_separator(text)
    records = _Records(text, separator)
    builder: TableBuilder | None = None
    recovered = 0
    for fields, lines, error in records:
        first = lines[0][0] if lines else records.number
        if builder is None:
            if fields is None:
                raise DataValidationError(filename, [f"ligne d'en-tête illisible ({error})"])
            if any(f.strip() for f in fields):
                builder = TableBuilder(filename, fields)
            continue
        if fields is None:
            builder.add([], first, problem=f"ligne illisible ({error})")
            continue
        if not any(f.strip() for f in fields):
            continue  # blank line
        swallowed = _swallowed_lines(fields, lines, builder.width, separator)
        if swallowed:
            recovered += 1
            quoting: Literal[0, 1, 2, 3] | None = (
                csv.QUOTE_NONE if recovered >= MAX_QUOTE_RECOVERIES else None
            )
            records.push_back(swallowed, quoting=quoting)
            builder.add(
                [],
                first,
                problem="guillemet ouvert et jamais refermé : ligne mal formée (« "
                + lines[0][1][:80].strip()
                + " »)",
            )
            continue
        builder.add(fields[: builder.width], first, problem=_extra_fields(fields, builder.width, separator))
    if builder is None:
        raise DataValidationError(filename, ["le fichier est vide"])
    return RawTable(filename, builder.frame(), notes=tuple(_csv_notes(builder, encoding, separator, records)))


def _extra_fields(fields: list[str], width: int, separator: str) -> str:
    extra = [f for f in fields[width:] if f.strip()]
    if not extra:
        return ""
    shown = separator.join(fields[: width + 3])[:80]
    return f"ligne mal formée : {fr_number(len(fields))} champs au lieu de {fr_number(width)} (« {shown} »)"


def _csv_notes(builder: TableBuilder, encoding: str, separator: str, records: _Records) -> list[str]:
    named = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}
    notes = [f"CSV lu avec l'encodage {encoding}, séparateur « {named[separator]} »"]
    bad = sum(1 for p in builder.problems if p)
    if bad:
        notes.append(
            fr_count(bad, "ligne mal formée, rejetée", "lignes mal formées, rejetées") + " avec leur motif"
        )
    if records.quoting == csv.QUOTE_NONE:
        notes.append(
            "trop de guillemets non refermés : la fin du fichier est lue sans tenir compte des guillemets"
        )
    return notes


def _read_zip(data: bytes, filename: str, *, max_bytes: int) -> RawTable:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            budget = ByteBudget(filename, len(data))
            members = [m for m in check_archive(archive, filename, budget.limit) if not m.is_dir()]
            names = [PurePosixPath(m.filename) for m in members]
            visible = [
                (m, n) for m, n in zip(members, names, strict=True) if not n.name.startswith((".", "__"))
            ]
            shapefiles = [n for _, n in visible if n.suffix.lower() == ".shp"]
            if shapefiles:
                return _read_zipped_shapefile(archive, visible, shapefiles, filename, budget)
            readable = [(m, n) for m, n in visible if n.suffix.lower() in _TABULAR | _EXCEL | _JSON | _LAYERS]
            if not readable:
                raise DataValidationError(
                    filename,
                    ["l'archive ne contient ni Shapefile (.shp), ni CSV, XLSX, GeoJSON ou GeoPackage"],
                )
            member, name = readable[0]
            if member.file_size > max_bytes:
                raise DataValidationError(
                    filename, ["le fichier contenu dans l'archive dépasse la taille maximale"]
                )
            inner = read_member(archive, member, budget)
    except DataValidationError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        raise DataValidationError(filename, ["archive zip illisible ou endommagée"]) from exc
    if len(inner) > max_bytes:
        raise DataValidationError(filename, ["le fichier contenu dans l'archive dépasse la taille maximale"])
    table = _read_by_kind(inner, safe_filename(name.name), max_bytes=max_bytes)
    others = len(readable) - 1
    notes = (
        f"fichier « {name.name} » de l'archive",
        *((fr_count(others, "autre fichier ignoré", "autres fichiers ignorés"),) if others else ()),
    )
    return replace(table, filename=filename, notes=(*notes, *table.notes))


def _read_zipped_shapefile(
    archive: zipfile.ZipFile,
    visible: list[tuple[zipfile.ZipInfo, PurePosixPath]],
    shapefiles: list[PurePosixPath],
    filename: str,
    budget: ByteBudget,
) -> RawTable:
    target = shapefiles[0]
    stem = target.with_suffix("")
    with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
        for member, name in visible:
            if name.with_suffix("") == stem:
                # Only the base name is used: no path from the archive reaches the disk.
                with open(Path(tmp) / f"couche{name.suffix.lower()}", "wb") as sink:
                    read_member(archive, member, budget, sink=sink)
        table = read_layer(Path(tmp) / "couche.shp", filename)
    notes = list(table.notes)
    if len(shapefiles) > 1:
        ignored = fr_count(len(shapefiles) - 1, "autre ignoré", "autres ignorés")
        notes.append(f"Shapefile « {target.name} » utilisé ({ignored})")
    return replace(table, notes=tuple(notes))
