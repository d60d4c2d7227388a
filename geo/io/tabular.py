"""What every reader of a user's file shares: the table it yields, the limits, and the cell text.

Readers (:mod:`geo.io.upload`, :mod:`geo.io.spreadsheet`, :mod:`geo.io.geofile`) stream rows into a
:class:`TableBuilder`, which enforces :data:`MAX_ROWS`, :data:`MAX_COLUMNS` and :data:`MAX_CELLS`
as the rows arrive — a hostile file is refused after reading at most that much, never after
loading it whole — and remembers the line (or feature) number of each row and what was wrong with
it, so that one bad row is rejected with its reason instead of the whole file.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import IO, Any

import numpy as np
import pandas as pd

from geo._errors import DataValidationError
from geo.fmt import fr_number

MB = 1024 * 1024
"""One « Mo » as Streamlit counts it (``server.maxUploadSize``)."""

MAX_UPLOAD_BYTES = 20 * MB
"""Largest accepted file (same limit as ``server.maxUploadSize`` in ``.streamlit/config.toml``)."""

MAX_ROWS = 100_000
"""Rows read at most (the national census has about 3 000 places; France services about 2 800)."""
MAX_COLUMNS = 2_000
MAX_CELLS = 2_000_000
"""Rows × columns read at most: bounds the memory and time of a file of millions of tiny cells."""

MAX_UNCOMPRESSED_BYTES = 200 * MB
"""Largest total size of the members of a zip (zipped Shapefile, XLSX), counted while
decompressing: a member that lies about its size is stopped there."""

MAX_COMPRESSION_RATIO = 100
"""Largest ratio of decompressed to compressed bytes of a zip (beyond a floor of
:data:`RATIO_FLOOR_BYTES`): real workbooks and Shapefiles stay far below."""

RATIO_FLOOR_BYTES = 10 * MB

MAX_ZIP_MEMBERS = 2_000

PROBLEM = "_atlas_probleme"
"""Reserved column: a problem found while reading the row (malformed line, broken feature...)."""
LINE = "_atlas_ligne"
"""Reserved column: the line of the file where the row starts (number of the feature, for a
geographic file)."""
GEOMETRY_PROBLEM = "_atlas_geometrie"
"""Reserved column: why a feature's geometry could not be read (the row may still be placed
by its commune)."""
GEOMETRY_LON = "geometrie_lon"
GEOMETRY_LAT = "geometrie_lat"
"""Columns holding the point of each feature of a geographic file (WGS84)."""
RESERVED = (PROBLEM, LINE, GEOMETRY_PROBLEM)


@dataclass(frozen=True)
class RawTable:
    """One file read as text columns (``""`` for empty cells), personal columns already dropped.

    ``frame`` always has the :data:`LINE` column, and the :data:`PROBLEM` /
    :data:`GEOMETRY_PROBLEM` columns when some row had one.
    """

    filename: str
    frame: pd.DataFrame
    dropped_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    unit: str = "ligne"
    """What :data:`LINE` counts: « ligne » of a text file or sheet, « objet » of a geographic file."""


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Invisible control characters: never meaningful in a list, and refused by Excel exports."""

_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def _unescape(text: str) -> str:
    """HTML entities written out (« &amp; », « &#233; ») — only complete ones, so that
    « Art&copie » stays as it is."""
    if "&" not in text:
        return text
    import html

    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def cell_text(value: object) -> str:
    """A cell as clean text: numbers without a spurious « .0 », dates in ISO form, HTML
    entities written out, control characters replaced by spaces, Unicode NFC, no outer spaces."""
    if isinstance(value, str) and value.isascii() and value.isprintable() and "&" not in value:
        return value.strip()  # the common case, without the regular expressions
    return _CONTROL_CHARACTERS.sub(" ", _unescape(_raw_cell_text(value))).strip()


def _number_text(value: float) -> str:
    if not np.isfinite(value):
        return ""
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))


def _datetime_text(value: datetime) -> str:
    return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")


_TEXT_OF: tuple[tuple[type | tuple[type, ...], Callable[[Any], str]], ...] = (
    (str, str),
    ((bool, np.bool_), lambda v: "1" if v else "0"),
    ((float, np.floating), _number_text),
    (datetime, _datetime_text),
    (date, lambda v: v.isoformat()),
    (bytes, lambda v: v.decode("utf-8", errors="replace")),
)


def _raw_cell_text(value: object) -> str:
    if value is None:
        return ""
    for kinds, convert in _TEXT_OF:
        if isinstance(value, kinds):
            return unicodedata.normalize("NFC", convert(value)).strip()
    try:
        missing = bool(pd.isna(value))
    except (TypeError, ValueError):
        missing = False
    return "" if missing else unicodedata.normalize("NFC", str(value)).strip()


def unique_names(names: Iterable[object]) -> list[str]:
    """Column names as unique strings, in linear time: an empty name becomes « colonne_N »,
    a repeated one « nom_2 », « nom_3 »…"""
    out: list[str] = []
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    for position, name in enumerate(names):
        base = cell_text(name) or f"colonne_{position + 1}"
        candidate = base
        while candidate in taken:
            suffix = next_suffix.get(base, 2)
            next_suffix[base] = suffix + 1
            candidate = f"{base}_{suffix}"
        taken.add(candidate)
        out.append(candidate)
    return out


class TableBuilder:
    """Rows of one file as they are read, with their line numbers and problems, within the limits.

    Parameters
    ----------
    filename
        For the messages.
    header
        The column names (cleaned and made unique).
    unit
        « ligne » or « objet », for the messages.
    """

    def __init__(self, filename: str, header: Sequence[object], *, unit: str = "ligne") -> None:
        if len(header) > MAX_COLUMNS:
            raise DataValidationError(
                filename,
                [f"trop de colonnes ({fr_number(len(header))} ; maximum {fr_number(MAX_COLUMNS)})"],
            )
        self.filename = filename
        self.unit = unit
        self.columns = unique_names(header)
        self.width = len(self.columns)
        self._cells: list[list[str]] = [[] for _ in self.columns]
        self.lines: list[str] = []
        self.problems: list[str] = []
        self.geometry_problems: list[str] = []
        self._shared: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self.lines)

    def add(
        self, cells: Sequence[object], line: object, *, problem: str = "", geometry_problem: str = ""
    ) -> None:
        """Add one row (cells beyond the header are dropped: say so in ``problem``).

        Raises
        ------
        DataValidationError
            When the file goes past :data:`MAX_ROWS` or :data:`MAX_CELLS`.
        """
        if len(self.lines) >= MAX_ROWS:
            raise DataValidationError(
                self.filename, [f"trop de lignes (plus de {fr_number(MAX_ROWS)}) : découpez le fichier"]
            )
        if (len(self.lines) + 1) * max(self.width, 1) > MAX_CELLS:
            raise DataValidationError(
                self.filename,
                [
                    f"fichier trop grand : plus de {fr_number(MAX_CELLS)} cellules "
                    f"({fr_number(len(self.lines))} lignes de {fr_number(self.width)} colonnes) : découpez-le"
                ],
            )
        shared = self._shared
        for position, column in enumerate(self._cells):
            text = cell_text(cells[position]) if position < len(cells) else ""
            column.append(shared.setdefault(text, text))  # one object per distinct text
        self.lines.append(str(line))
        self.problems.append(problem)
        self.geometry_problems.append(geometry_problem)

    def widen(self, width: int) -> None:
        """Add unnamed columns (« colonne_N ») up to ``width`` (a sheet with cells beyond its header)."""
        if width > MAX_COLUMNS:
            raise DataValidationError(
                self.filename, [f"trop de colonnes ({fr_number(width)} ; maximum {fr_number(MAX_COLUMNS)})"]
            )
        self.columns = unique_names([*self.columns, *([""] * (width - self.width))])
        self._cells += [[""] * len(self.lines) for _ in range(width - self.width)]
        self.width = width

    def frame(self) -> pd.DataFrame:
        """The rows read, as text columns, with the reserved columns."""
        data: dict[str, list[str]] = dict(zip(self.columns, self._cells, strict=True))
        data[LINE] = self.lines
        if any(self.problems):
            data[PROBLEM] = self.problems
        if any(self.geometry_problems):
            data[GEOMETRY_PROBLEM] = self.geometry_problems
        return pd.DataFrame(data, index=pd.RangeIndex(len(self.lines)), dtype=object)


def check_archive(archive: zipfile.ZipFile, filename: str, limit: int) -> list[zipfile.ZipInfo]:
    """The members of a zip, refused when too many, compressed in an unusual way, or declared
    larger than ``limit`` bytes (:func:`uncompressed_limit`) in total; the real sizes are
    counted while decompressing, by :func:`read_member`."""
    members = archive.infolist()
    unusual = {m.compress_type for m in members} - {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
    if unusual:
        raise DataValidationError(
            filename,
            ["méthode de compression non prise en charge : recompressez l'archive au format zip usuel"],
        )
    if len(members) > MAX_ZIP_MEMBERS:
        raise DataValidationError(filename, [f"archive de plus de {fr_number(MAX_ZIP_MEMBERS)} fichiers"])
    declared = sum(m.file_size for m in members)
    if declared > limit:
        raise _too_inflated(filename, declared, limit)
    return members


def uncompressed_limit(compressed_bytes: int) -> int:
    """Bytes a zip of ``compressed_bytes`` may decompress to."""
    return min(MAX_UNCOMPRESSED_BYTES, max(RATIO_FLOOR_BYTES, MAX_COMPRESSION_RATIO * compressed_bytes))


def _too_inflated(filename: str, size: int, limit: int) -> DataValidationError:
    return DataValidationError(
        filename,
        [
            f"archive trop volumineuse une fois décompressée (plus de {fr_number(size / MB, 1)} Mo, "
            f"maximum {fr_number(limit / MB, 1)} Mo pour ce fichier) : archive piégée ou trop compressée"
        ],
    )


class ByteBudget:
    """A running count of the bytes decompressed from one archive, against its limit."""

    def __init__(self, filename: str, compressed_bytes: int) -> None:
        self.filename = filename
        self.limit = uncompressed_limit(compressed_bytes)
        self.used = 0

    def spend(self, size: int) -> None:
        """Count ``size`` more bytes; raise once past the limit."""
        self.used += size
        if self.used > self.limit:
            raise _too_inflated(self.filename, self.used, self.limit)


CHUNK_BYTES = 1 << 20


def read_member(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: ByteBudget, *, sink: IO[bytes] | None = None
) -> bytes:
    """Decompress one member chunk by chunk, counting every byte against ``budget`` (whatever
    its header says); the bytes go to ``sink`` when given (a file), else are returned."""
    parts: list[bytes] = []
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                budget.spend(len(chunk))
                if sink is None:
                    parts.append(chunk)
                else:
                    sink.write(chunk)
    except zipfile.BadZipFile as exc:  # Python stops at the declared size, then the CRC fails
        raise DataValidationError(
            budget.filename,
            [
                f"fichier « {PurePosixPath(member.filename).name[:60]} » de l'archive endommagé ou falsifié "
                "(sa taille ou son contenu ne correspondent pas à ce que l'archive déclare)"
            ],
        ) from exc
    return b"".join(parts)
