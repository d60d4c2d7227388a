"""Import of a user's list of tiers-lieux: read any common file, map its columns, check every row.

The pipeline has three steps, each usable on its own:

1. :func:`read_upload` turns the bytes of one file (CSV with any separator and common
   encoding, XLSX, GeoJSON, GeoPackage, zipped Shapefile) into a :class:`RawTable` of text
   columns, personal contact columns (e-mail, phone...) dropped on the spot;
2. :func:`prepare_import` recognises the France Tiers-Lieux census formats (2023 and 2026,
   thematic files joined on ``ID_UNIQUE``) or suggests a :class:`ColumnMapping` for any
   other list;
3. :func:`import_places` checks coordinates (inside France, lat/lon swapped, decimal comma,
   Lambert-93), places rows without coordinates at their commune (INSEE code, or postcode +
   commune name), flags them, derives themes with the same rules as the bundled data
   (:func:`geo.places.places_from_records`) and returns a report in which every input row
   is either accepted (possibly placed approximately) or rejected with its reason.

Nothing here evaluates user content (no pickle, no eval); sizes are limited before reading.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo._errors import DataValidationError, InvalidParameterError
from geo.crs import WGS84
from geo.fmt import fr_number
from geo.io import in_france, validate
from geo.linkage import duplicate_flags
from geo.placement import (
    PRECISION_ADDRESS,
    VERDICT_CENTROID,
    VERDICT_UNPLACED,
    CommuneLocator,
    commune_key,
    dep_of_code,
    deps_from_postcode,
    normalize_insee,
    parse_coordinates,
)
from geo.places import RECORD_COLUMNS, places_from_records, scrub_contacts
from geo.themes import normalize_text

MB = 1024 * 1024
"""One « Mo » as Streamlit counts it (``server.maxUploadSize``)."""
MAX_UPLOAD_BYTES = 20 * MB
"""Largest accepted file (same limit as ``server.maxUploadSize`` in ``.streamlit/config.toml``)."""

MAX_UNCOMPRESSED_BYTES = 200 * MB
"""Largest total size of the members of a zip (zipped Shapefile, XLSX): guards against zip bombs."""

MAX_ROWS = 200_000
MAX_ZIP_MEMBERS = 2_000

IMPORT_SOURCE = "import"
"""``source`` code of imported places (the map shows the import's name for them)."""

STATUS_ACCEPTED = "accepté"
STATUS_APPROXIMATE = "placé approximativement"
STATUS_REJECTED = "rejeté"

FORMAT_CENSUS_2023 = "ftl_2023"
FORMAT_CENSUS_2026 = "ftl_2026"
FORMAT_GENERIC = "generic"
FORMATS: dict[str, str] = {
    FORMAT_CENSUS_2023: "Recensement France Tiers-Lieux 2023",
    FORMAT_CENSUS_2026: "Recensement France Tiers-Lieux 2026",
    FORMAT_GENERIC: "Liste libre (correspondance des colonnes)",
}
"""Recognised file formats → French label."""

CENSUS_LICENCE = "Licence Ouverte / Etalab 2.0"
GEOMETRY_LON = "geometrie_lon"
GEOMETRY_LAT = "geometrie_lat"
"""Columns holding the point of each feature of a geographic file (WGS84)."""

CENSUS_TYPOLOGY = "typologie_recensement"
CENSUS_ACTIVITIES = "activites_recensement"
"""Columns built from the census thematic files (answers joined by « ; »)."""

_PROBLEM = "_atlas_probleme"
"""Reserved column: a problem found while reading the row (malformed line...)."""
_LINE = "_atlas_ligne"
"""Reserved column: the line of the file where the row starts (CSV)."""
_RESERVED = (_PROBLEM, _LINE)

_TABULAR = {".csv", ".txt", ".tsv"}
_EXCEL = {".xlsx", ".xlsm"}
_GEOGRAPHIC = {".geojson", ".json", ".gpkg"}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SUPPORTED_EXTENSIONS = _words("csv txt tsv xlsx xlsm geojson json gpkg zip")
UPLOAD_EXTENSIONS = (*SUPPORTED_EXTENSIONS, "xls", "ods")
"""What the upload widget takes: old .xls and .ods then get a French explanation, not a refusal."""

_PERSONAL_TOKENS = frozenset(
    _words(
        "mail email emails mails courriel courriels tel telephone telephones phone portable mobile gsm fax "
        "contact contacts prenom"
    )
)

# Census 2023 activity flags (TYPE_ACT_<code> = 0/1) → the census family label they stand for.
_CENSUS_FLAG_FAMILIES: tuple[tuple[str, str], ...] = (
    ("COWO", "Bureaux partagés / Coworking"),
    ("BUREAU", "Bureaux partagés / Coworking"),
    ("FAB", "Fablab / Makerspace / Hackerspace"),
    ("CULT", "Tiers-lieux culturels"),
    ("NOURR", "Tiers-lieux nourriciers"),
    ("AGRI", "Tiers-lieux nourriciers"),
    ("ALIM", "Tiers-lieux nourriciers"),
    ("CUIS", "Cuisines partagées / Foodlab"),
    ("ARTIS", "Ateliers artisanaux partagés"),
    ("LIVING", "Living Labs"),
    ("NUMER", "Numérique"),
    ("RECYC", "Ressourcerie / Recyclerie"),
    ("REEMP", "Ressourcerie / Recyclerie"),
    ("RESSOURC", "Ressourcerie / Recyclerie"),
)


@dataclass(frozen=True)
class RawTable:
    """One file read as text columns (``""`` for empty cells), personal columns already dropped."""

    filename: str
    frame: pd.DataFrame
    dropped_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    first_line: int = 2
    """Line (or feature) number of the first row, for the report (2 below a header line)."""


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file holds what. ``None`` / empty tuple when the file has no such column.

    ``lon`` / ``lat`` may hold WGS84 degrees (decimal point or comma) or Lambert-93 metres
    (x / y), detected from the values.
    """

    name: str | None = None
    lon: str | None = None
    lat: str | None = None
    code_insee: str | None = None
    postcode: str | None = None
    commune: str | None = None
    typology: tuple[str, ...] = ()
    description: tuple[str, ...] = ()
    url: str | None = None
    identifier: str | None = None

    def columns(self) -> list[str]:
        """Every column the mapping uses."""
        singles = [self.name, self.lon, self.lat, self.code_insee, self.postcode, self.commune]
        singles += [self.url, self.identifier]
        return [c for c in singles if c] + list(self.typology) + list(self.description)

    def can_locate(self) -> bool:
        """Whether rows can be placed: coordinates, an INSEE code, or a commune name."""
        return bool((self.lon and self.lat) or self.code_insee or self.commune)


@dataclass(frozen=True)
class PreparedImport:
    """Files read and recognised, ready for :func:`import_places`."""

    frame: pd.DataFrame
    label: str
    """Name of the import (file names), already sanitised for display."""
    file_format: str
    mapping: ColumnMapping
    """The census mapping, or the suggestion for a free list (to be confirmed by the user)."""
    dropped_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    first_line: int = 2

    @property
    def format_label(self) -> str:
        """French name of the recognised format."""
        return FORMATS[self.file_format]

    @property
    def is_census(self) -> bool:
        """Whether the file is a France Tiers-Lieux census file (mapping fixed, no help needed)."""
        return self.file_format != FORMAT_GENERIC

    @property
    def user_columns(self) -> list[str]:
        """Columns the user can map (reserved columns excluded)."""
        return [c for c in self.frame.columns if c not in _RESERVED]


@dataclass(frozen=True)
class ImportResult:
    """Places in the catalogue schema plus a per-row report (every input row, with its status)."""

    places: gpd.GeoDataFrame
    report: pd.DataFrame
    n_input: int
    n_accepted: int
    """Rows kept, exact or approximate (``n_accepted + n_rejected == n_input``)."""
    n_approximate: int
    """Among the kept rows, those placed at their commune's point."""
    n_rejected: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    name_column: str | None = None
    """Column of the report holding the place names."""

    @property
    def rejected(self) -> pd.DataFrame:
        """Report rows of the rejected input rows, with their reason."""
        return self.report[self.report["statut"] == STATUS_REJECTED]

    def summary(self) -> str:
        """One French sentence with the three counts."""
        return (
            f"{fr_number(self.n_input)} ligne(s) lue(s) : {fr_number(self.n_accepted)} acceptée(s) "
            f"dont {fr_number(self.n_approximate)} placée(s) approximativement (centroïde de la commune), "
            f"{fr_number(self.n_rejected)} rejetée(s)."
        )


# --------------------------------------------------------------------------------------------
# Reading files


def safe_filename(filename: str) -> str:
    """A file name safe to show as text (no path, no markup characters, at most 80 characters)."""
    base = PurePosixPath(str(filename).replace("\\", "/")).name
    cleaned = re.sub(r"[^\w .()+-]", "_", base, flags=re.UNICODE).strip() or "fichier"
    return cleaned[:80]


def _column_key(name: object) -> str:
    """Normalised column name: accent-free, lower case, words joined by ``_``."""
    return re.sub(r"[^a-z0-9]+", "_", normalize_text(str(name))).strip("_")


def is_personal_column(name: object) -> bool:
    """Whether a column holds personal contact data (e-mail, phone, contact person)."""
    key = _column_key(name)
    tokens = set(key.split("_"))
    if tokens & _PERSONAL_TOKENS:
        return True
    return key.startswith(("mail", "email", "e_mail", "courriel", "telephone", "tel_", "num_tel"))


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Invisible control characters: never meaningful in a list, and refused by Excel exports."""


def _cell_text(value: object) -> str:
    return _CONTROL_CHARACTERS.sub(" ", _raw_cell_text(value)).strip()


def _raw_cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return unicodedata.normalize("NFC", str(value)).strip()


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, ``""`` for missing cells, unique string column names."""
    names: list[str] = []
    for position, column in enumerate(frame.columns):
        name = _cell_text(column) or f"colonne_{position + 1}"
        while name in names:
            name += "_bis"
        names.append(name)
    return pd.DataFrame(
        {name: [_cell_text(v) for v in frame.iloc[:, i].tolist()] for i, name in enumerate(names)},
        index=pd.RangeIndex(len(frame)),
        dtype=object,
    )


def _drop_personal(frame: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    personal = [c for c in frame.columns if is_personal_column(c)]
    return frame.drop(columns=personal), tuple(personal)


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the name of its encoding (UTF-8 with or without BOM, UTF-16, Windows-1252, Latin-1)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 (avec BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise DataValidationError("fichier importé", ["le fichier semble binaire : ce n'est pas un CSV"])
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


def _sniff_separator(text: str) -> str:
    """The separator among ``;``, ``,``, tab and ``|`` that splits the first lines most consistently."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
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
        consistent = sum(1 for w in widths if w == header)
        score = (consistent, header)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _read_csv(data: bytes, filename: str) -> RawTable:
    text, encoding = _decode(data)
    if not text.strip():
        raise DataValidationError(filename, ["le fichier est vide"])
    separator = _sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[str] = []
    problems: list[str] = []
    try:
        for fields in reader:
            if not fields or (len(fields) == 1 and not fields[0].strip() and header is not None):
                continue  # blank line
            if header is None:
                header = fields
                continue
            problem = ""
            if len(fields) > len(header):
                extra = [f for f in fields[len(header) :] if f.strip()]
                if extra:
                    problem = (
                        f"ligne mal formée : {len(fields)} champs au lieu de {len(header)} "
                        f"(« {separator.join(fields)[:80]} »)"
                    )
            row = fields[: len(header)]
            rows.append(row + [""] * (len(header) - len(row)))
            lines.append(str(reader.line_num))
            problems.append(problem)
    except csv.Error as exc:
        raise DataValidationError(
            filename,
            [f"lecture du CSV impossible à la ligne {reader.line_num} (caractère nul ou champ démesuré)"],
        ) from exc
    if header is None:
        raise DataValidationError(filename, ["le fichier est vide"])
    frame = _text_frame(pd.DataFrame(rows, columns=pd.Index(range(len(header)))).set_axis(header, axis=1))
    frame[_LINE] = lines
    n_bad = sum(1 for p in problems if p)
    if n_bad:
        frame[_PROBLEM] = problems
    named = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}
    notes = [f"CSV lu avec l'encodage {encoding}, séparateur « {named[separator]} »"]
    if n_bad:
        notes.append(f"{fr_number(n_bad)} ligne(s) mal formée(s) (trop de champs), rejetée(s)")
    return RawTable(filename, frame, notes=tuple(notes))


def _check_zip(archive: zipfile.ZipFile, filename: str) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise DataValidationError(filename, [f"archive de plus de {fr_number(MAX_ZIP_MEMBERS)} fichiers"])
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise DataValidationError(
            filename,
            [
                f"archive trop volumineuse une fois décompressée ({fr_number(total / MB, 1)} Mo, "
                f"maximum {fr_number(MAX_UNCOMPRESSED_BYTES / MB)} Mo)"
            ],
        )
    return members


def _read_excel(data: bytes, filename: str) -> RawTable:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_zip(archive, filename)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, engine="openpyxl")
    except DataValidationError:
        raise
    except Exception as exc:  # any parser failure on a user's file (zip, XML, styles…)
        raise DataValidationError(
            filename,
            ["lecture du classeur Excel impossible : fichier endommagé ou format non pris en charge"],
        ) from exc
    filled = [(name, frame) for name, frame in sheets.items() if len(frame.columns)]
    if not filled:
        raise DataValidationError(filename, ["le classeur ne contient aucune feuille remplie"])
    sheet, frame = filled[0]
    notes = [f"feuille « {sheet} » utilisée"]
    if len(filled) > 1:
        notes.append(f"{len(filled) - 1} autre(s) feuille(s) ignorée(s) : importez-les séparément")
    return RawTable(filename, _text_frame(frame), notes=tuple(notes))


def _points_of(frame: gpd.GeoDataFrame) -> tuple[list[str], list[str], list[str]]:
    """Longitude / latitude text of each feature (WGS84) and notes on the conversion."""
    notes = []
    geoms = frame.geometry
    if frame.crs is not None and frame.crs != WGS84:
        notes.append(f"coordonnées converties de {frame.crs.to_string()} en WGS84")
        geoms = geoms.to_crs(WGS84)
    present = geoms.notna() & ~geoms.is_empty
    if (present & (geoms.geom_type != "Point")).any():
        notes.append("géométries non ponctuelles : point représentatif de chaque objet")
    points = geoms.where(~present, geoms[present].representative_point())
    lon = [f"{p.x:.7f}" if p is not None and not p.is_empty else "" for p in points]
    lat = [f"{p.y:.7f}" if p is not None and not p.is_empty else "" for p in points]
    return lon, lat, notes


def _read_geographic(path: Path, filename: str, *, layer: str | None = None) -> RawTable:
    import pyogrio

    notes: list[str] = []
    try:
        layers = pyogrio.list_layers(path)
        if layer is None and len(layers) > 1:
            notes.append(f"couche « {layers[0][0]} » utilisée ({len(layers) - 1} autre(s) ignorée(s))")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = pyogrio.read_dataframe(path, layer=layer if layer else layers[0][0])
    except Exception as exc:  # any GDAL / driver failure on a user's file
        raise DataValidationError(
            filename, ["lecture du fichier géographique impossible : fichier endommagé ou format non reconnu"]
        ) from exc
    if not isinstance(frame, gpd.GeoDataFrame):  # a table without geometry (e.g. GeoPackage attributes)
        return RawTable(filename, _text_frame(pd.DataFrame(frame)), notes=tuple(notes), first_line=1)
    table = _text_frame(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    if frame.geometry.notna().any():
        try:
            lon, lat, point_notes = _points_of(frame)
        except (ValueError, RuntimeError, shapely.errors.GEOSException) as exc:
            raise DataValidationError(filename, ["géométries illisibles"]) from exc
        table[GEOMETRY_LON] = lon
        table[GEOMETRY_LAT] = lat
        notes += point_notes
    return RawTable(filename, table, notes=tuple(notes), first_line=1)


def _read_zip(data: bytes, filename: str) -> RawTable:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in _check_zip(archive, filename) if not m.is_dir()]
            names = [PurePosixPath(m.filename) for m in members]
            shapefiles = [n for n in names if n.suffix.lower() == ".shp" and not n.name.startswith(".")]
            if shapefiles:
                target = shapefiles[0]
                with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
                    stem = target.with_suffix("")
                    for member, name in zip(members, names, strict=True):
                        if name.with_suffix("") == stem:
                            # Only the base name is used: no path from the archive reaches the disk.
                            (Path(tmp) / f"couche{name.suffix.lower()}").write_bytes(archive.read(member))
                    table = _read_geographic(Path(tmp) / "couche.shp", filename)
                notes = list(table.notes)
                if len(shapefiles) > 1:
                    notes.append(
                        f"Shapefile « {target.name} » utilisé ({len(shapefiles) - 1} autre(s) ignoré(s))"
                    )
                return replace(table, notes=tuple(notes))
            readable = [
                (m, n)
                for m, n in zip(members, names, strict=True)
                if n.suffix.lower() in _TABULAR | _EXCEL | _GEOGRAPHIC and not n.name.startswith(".")
            ]
            if not readable:
                raise DataValidationError(
                    filename,
                    ["l'archive ne contient ni Shapefile (.shp), ni CSV, XLSX, GeoJSON ou GeoPackage"],
                )
            member, name = readable[0]
            inner = archive.read(member)
    except DataValidationError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        raise DataValidationError(filename, ["archive zip illisible ou endommagée"]) from exc
    if len(inner) > MAX_UPLOAD_BYTES:
        raise DataValidationError(filename, ["le fichier contenu dans l'archive dépasse la taille maximale"])
    table = read_upload(inner, name.name)
    return replace(table, filename=filename, notes=(f"fichier « {name.name} » de l'archive", *table.notes))


def read_upload(data: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES) -> RawTable:
    """Read one uploaded file into text columns, dropping personal contact columns.

    Parameters
    ----------
    data
        The file's bytes (at most :data:`MAX_UPLOAD_BYTES`).
    filename
        Its name; the extension chooses the reader (``.csv``, ``.txt``, ``.tsv``, ``.xlsx``,
        ``.geojson``, ``.json``, ``.gpkg``, ``.zip`` holding a Shapefile or one of these).
    max_bytes
        Size limit (the upload limit by default; larger for the official files of a refresh).

    Returns
    -------
    RawTable
        Text columns (``""`` for empty cells); geographic files get :data:`GEOMETRY_LON` /
        :data:`GEOMETRY_LAT` columns in WGS84.

    Raises
    ------
    DataValidationError
        If the file is too large, empty, of an unknown type or unreadable (French message).
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
    suffix = PurePosixPath(shown).suffix.lower()
    data = bytes(data)
    if suffix in _TABULAR:
        table = _read_csv(data, shown)
    elif suffix in _EXCEL:
        table = _read_excel(data, shown)
    elif suffix == ".zip":
        table = _read_zip(data, shown)
    elif suffix in _GEOGRAPHIC:
        with tempfile.TemporaryDirectory(prefix="atlas-import-") as tmp:
            path = Path(tmp) / f"fichier{suffix}"
            path.write_bytes(data)
            table = _read_geographic(path, shown)
    elif suffix in {".xls", ".ods"}:
        raise DataValidationError(
            shown, ["format non pris en charge : enregistrez le tableau en .xlsx ou en .csv"]
        )
    else:
        raise DataValidationError(
            shown,
            [
                f"type de fichier « {suffix or 'sans extension'} » non pris en charge "
                f"(acceptés : {', '.join(SUPPORTED_EXTENSIONS)})"
            ],
        )
    if len(table.frame) > MAX_ROWS:
        raise DataValidationError(
            shown, [f"trop de lignes ({fr_number(len(table.frame))} ; maximum {fr_number(MAX_ROWS)})"]
        )
    frame, dropped = _drop_personal(table.frame)
    return replace(table, filename=shown, frame=frame, dropped_columns=(*table.dropped_columns, *dropped))


# --------------------------------------------------------------------------------------------
# Recognising formats and suggesting a mapping


_SUGGESTIONS: dict[str, tuple[str, ...]] = {
    "name": _words(
        "nom name nom_tl nom_du_lieu nom_lieu nom_tiers_lieu nom_du_tiers_lieu "
        "nom_tiers_lieux nom_structure nom_de_la_structure libelle lib lib_territoire "
        "titre title denomination raison_sociale lieu tiers_lieu structure"
    ),
    "lon": (
        GEOMETRY_LON,
        *_words(
            "longitude lon lng long x_wgs84 longitude_wgs84 lon_wgs84 coord_lon geo_lon x "
            "coord_x coordonnee_x x_l93 x_lambert93 x_lambert_93"
        ),
    ),
    "lat": (
        GEOMETRY_LAT,
        *_words(
            "latitude lat y_wgs84 latitude_wgs84 lat_wgs84 coord_lat geo_lat y coord_y "
            "coordonnee_y y_l93 y_lambert93 y_lambert_93"
        ),
    ),
    "code_insee": _words(
        "insee code_insee insee_com inseecom code_insee_commune codgeo code_commune "
        "code_commune_insee com_insee insee_commune depcom id_geo cog code_com"
    ),
    "postcode": _words("code_postal cp codpost codepostal postcode code_post cpostal zip"),
    "commune": _words(
        "commune ville nom_commune nomcom libelle_commune lib_com lib_geo city localite cominit"
    ),
    "typology": _words(
        "typologie typo type types type_de_lieu type_de_tiers_lieu categorie categories "
        "famille familles thematique thematiques theme themes activites activite type_act "
        "secteur"
    ),
    "description": _words("description descri_cou descriptif presentation resume"),
    "url": _words("site_web site_internet url internet site web website"),
    "identifier": _words("id_unique identifiant id uid id_territoire code"),
}


def suggest_mapping(columns: Iterable[str]) -> ColumnMapping:
    """Guess which column holds what from the column names (accents and case ignored)."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(_column_key(column), column)

    def first(role: str) -> str | None:
        return next((by_key[k] for k in _SUGGESTIONS[role] if k in by_key), None)

    name = first("name")
    if name is None:
        name = next(
            (
                c
                for k, c in by_key.items()
                if k.startswith("nom") and not re.search("commune|ville|dep|reg", k)
            ),
            None,
        )
    typology = first("typology")
    description = first("description")
    return ColumnMapping(
        name=name,
        lon=first("lon"),
        lat=first("lat"),
        code_insee=first("code_insee"),
        postcode=first("postcode"),
        commune=first("commune"),
        typology=(typology,) if typology else (),
        description=(description,) if description else (),
        url=first("url"),
        identifier=first("identifier"),
    )


def _upper_columns(frame: pd.DataFrame) -> dict[str, str]:
    return {str(c).strip().upper(): c for c in frame.columns}


def census_format(frame: pd.DataFrame) -> str | None:
    """``ftl_2026`` / ``ftl_2023`` for a census identity file, ``"theme"`` for a thematic file, else None."""
    upper = _upper_columns(frame)
    if "ID_UNIQUE" not in upper:
        return None
    if {"NOM", "LATITUDE", "LONGITUDE"} <= set(upper):
        return FORMAT_CENSUS_2026
    if {"NOM", "INSEE"} <= set(upper):
        return FORMAT_CENSUS_2023
    return "theme"


def census_mapping(frame: pd.DataFrame, file_format: str) -> ColumnMapping:
    """The fixed mapping of a census identity file (after :func:`combine_census`)."""
    upper = _upper_columns(frame)

    def col(name: str) -> str | None:
        return upper.get(name)

    description = tuple(c for c in (col("DESCRI_COU"), CENSUS_ACTIVITIES) if c and c in frame.columns)
    return ColumnMapping(
        name=col("NOM"),
        lon=col("LONGITUDE") if file_format == FORMAT_CENSUS_2026 else None,
        lat=col("LATITUDE") if file_format == FORMAT_CENSUS_2026 else None,
        code_insee=col("INSEE"),
        postcode=col("CODPOST"),
        commune=col("VILLE"),
        typology=(CENSUS_TYPOLOGY,) if CENSUS_TYPOLOGY in frame.columns else (),
        description=description,
        url=col("INTERNET"),
        identifier=col("ID_UNIQUE"),
    )


def _is_flag_column(values: pd.Series) -> bool:
    present = values[values != ""]
    return bool(len(present)) and bool(present.isin(["0", "1", "0.0", "1.0"]).all())


def _census_answers(theme: pd.DataFrame, id_column: str) -> tuple[pd.Series, pd.Series]:
    """Per ``ID_UNIQUE``: typology tokens (answers + family flags) and readable answers, « ; »-joined."""
    skip = {id_column, *(c for c in theme.columns if str(c).strip().upper() in {"NOM", "ID_UNIQUE"})}
    readable: list[str] = []
    flags: list[str] = []
    for column in theme.columns:
        if column in skip or column in _RESERVED:
            continue
        (flags if _is_flag_column(theme[column]) else readable).append(column)
    answers: list[list[str]] = [[] for _ in range(len(theme))]
    typology: list[list[str]] = [[] for _ in range(len(theme))]
    for column in readable:
        for position, cell in enumerate(theme[column].tolist()):
            parts = [p.strip() for p in re.split(r"[;|\n]", cell) if p.strip()]
            answers[position] += parts
            typology[position] += parts
    for column in flags:
        upper = str(column).upper()
        label = str(column)
        if upper.startswith("TYPE_ACT_"):
            label = next((f for code, f in _CENSUS_FLAG_FAMILIES if code in upper[9:]), "")
        elif re.fullmatch(r"[A-Z0-9_]+", str(column)):
            label = ""  # a coded question (OFFRE_NUM_FABR...), not an answer label
        if not label:
            continue
        for position, cell in enumerate(theme[column].tolist()):
            if cell in {"1", "1.0"}:
                typology[position].append(label)
    ids = theme[id_column].tolist()
    typo = pd.Series([";".join(dict.fromkeys(t)) for t in typology], index=ids, dtype=object)
    acts = pd.Series([";".join(dict.fromkeys(a)) for a in answers], index=ids, dtype=object)
    return typo, acts


def combine_census(tables: Sequence[RawTable]) -> tuple[pd.DataFrame, str, list[str]]:
    """Join census thematic files to the identity file on ``ID_UNIQUE``.

    Returns
    -------
    The identity rows with :data:`CENSUS_TYPOLOGY` and :data:`CENSUS_ACTIVITIES` columns,
    the format (2023 or 2026) and notes.

    Raises
    ------
    DataValidationError
        If there is not exactly one identity file among ``tables``.
    """
    identities = [t for t in tables if census_format(t.frame) in (FORMAT_CENSUS_2023, FORMAT_CENSUS_2026)]
    themes = [t for t in tables if census_format(t.frame) == "theme"]
    if len(identities) != 1:
        found = ", ".join(t.filename for t in identities) or "aucun"
        raise DataValidationError(
            "recensement France Tiers-Lieux",
            [
                "importez exactement un fichier « fiche identité » (colonnes ID_UNIQUE, NOM, et Insee ou "
                "LATITUDE/LONGITUDE) avec ses fichiers thématiques ; "
                f"fichier(s) d'identité trouvé(s) : {found}"
            ],
        )
    identity = identities[0]
    file_format = census_format(identity.frame) or FORMAT_CENSUS_2026
    frame = identity.frame.copy()
    id_column = _upper_columns(frame)["ID_UNIQUE"]
    keys = frame[id_column]
    typology = pd.Series("", index=frame.index, dtype=object)
    activities = pd.Series("", index=frame.index, dtype=object)
    notes = []
    for theme in themes:
        theme_id = _upper_columns(theme.frame)["ID_UNIQUE"]
        typo, acts = _census_answers(theme.frame, theme_id)
        typo = typo.groupby(level=0).agg(";".join)
        acts = acts.groupby(level=0).agg(";".join)
        matched = keys.map(typo).fillna("")
        typology = (typology + ";" + matched).str.strip(";")
        activities = (activities + ";" + keys.map(acts).fillna("")).str.strip(";")
        orphans = int((~theme.frame[theme_id].isin(set(keys))).sum())
        notes.append(
            f"fichier thématique « {theme.filename} » joint sur ID_UNIQUE"
            + (f" ({fr_number(orphans)} ligne(s) sans fiche d'identité ignorée(s))" if orphans else "")
        )
    frame[CENSUS_TYPOLOGY] = [";".join(dict.fromkeys(t for t in v.split(";") if t)) for v in typology]
    frame[CENSUS_ACTIVITIES] = [";".join(dict.fromkeys(t for t in v.split(";") if t)) for v in activities]
    return frame, file_format, notes


def prepare_import(tables: Sequence[RawTable]) -> PreparedImport:
    """Recognise the format of one or several files read by :func:`read_upload`.

    Census files (identity + thematic files) are joined and get their fixed mapping; any
    other list must come alone and gets a suggested mapping for the user to confirm.

    Raises
    ------
    DataValidationError
        If no file is given, several non-census files are given, or the table has no row.
    """
    if not tables:
        raise DataValidationError("fichier importé", ["aucun fichier"])
    dropped = tuple(dict.fromkeys(c for t in tables for c in t.dropped_columns))
    notes = [f"{t.filename} : {n}" for t in tables for n in t.notes]
    label = " + ".join(t.filename for t in tables)
    if any(census_format(t.frame) is not None for t in tables):
        frame, file_format, census_notes = combine_census(tables)
        mapping = census_mapping(frame, file_format)
        notes += census_notes
        first_line = next(t.first_line for t in tables if census_format(t.frame) == file_format)
    else:
        if len(tables) > 1:
            raise DataValidationError(
                label,
                ["importez une seule liste à la fois (plusieurs fichiers seulement pour le recensement)"],
            )
        frame = tables[0].frame
        file_format = FORMAT_GENERIC
        mapping = suggest_mapping(c for c in frame.columns if c not in _RESERVED)
        first_line = tables[0].first_line
    if frame.empty:
        raise DataValidationError(label, ["le fichier ne contient aucune ligne de données"])
    return PreparedImport(frame, label, file_format, mapping, dropped, tuple(notes), first_line)


def check_mapping(mapping: ColumnMapping, columns: Iterable[str]) -> None:
    """Raise :class:`InvalidParameterError` if ``mapping`` cannot be used on ``columns``.

    A name column and a way to locate rows (coordinates, INSEE code or commune) are needed,
    and every mapped column must exist.
    """
    available = set(columns)
    problems = []
    if not mapping.name:
        problems.append("choisissez la colonne du nom du lieu")
    if not mapping.can_locate():
        problems.append(
            "choisissez des coordonnées (longitude et latitude, ou x et y en Lambert-93), "
            "un code INSEE ou une commune (avec son code postal)"
        )
    if bool(mapping.lon) != bool(mapping.lat):
        problems.append("choisissez à la fois la colonne de longitude (x) et celle de latitude (y)")
    unknown = [c for c in mapping.columns() if c not in available and c not in (CENSUS_TYPOLOGY,)]
    if unknown:
        problems.append(f"colonnes absentes du fichier : {', '.join(unknown)}")
    if problems:
        raise InvalidParameterError("Correspondance des colonnes incomplète : " + " ; ".join(problems) + ".")


# --------------------------------------------------------------------------------------------
# Coordinates


@lru_cache(maxsize=1)
def _lambert93_to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:2154", WGS84, always_xy=True)


COORD_OK = "ok"
COORD_SWAPPED = "inversees"
COORD_LAMBERT = "lambert93"
COORD_MISSING = "absentes"
COORD_UNREADABLE = "illisibles"
COORD_OUTSIDE = "hors_france"


def check_coordinates(lon: pd.Series, lat: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Fix what can be fixed in coordinates and say what was found for each row.

    Tries, in order: WGS84 inside France; latitude and longitude swapped; Lambert-93 x / y
    (also swapped). ``(0, 0)`` counts as missing.

    Returns
    -------
    (lon, lat, status)
        WGS84 degrees (NaN unless usable) and one of ``ok``, ``inversees``, ``lambert93``,
        ``absentes``, ``hors_france`` per row.
    """
    lon = pd.to_numeric(lon, errors="coerce").astype(float)
    lat = pd.to_numeric(lat, errors="coerce").astype(float)
    status = pd.Series(COORD_OUTSIDE, index=lon.index, dtype=object)
    missing = lon.isna() | lat.isna() | ((lon == 0) & (lat == 0))
    status[missing] = COORD_MISSING
    out_lon = pd.Series(np.nan, index=lon.index)
    out_lat = pd.Series(np.nan, index=lon.index)

    ok = ~missing & in_france(lon, lat)
    out_lon[ok], out_lat[ok] = lon[ok], lat[ok]
    status[ok] = COORD_OK

    swapped = ~missing & ~ok & in_france(lat, lon)
    out_lon[swapped], out_lat[swapped] = lat[swapped], lon[swapped]
    status[swapped] = COORD_SWAPPED

    rest = ~missing & ~ok & ~swapped
    large = rest & ((lon.abs() > 1000) | (lat.abs() > 1000))
    if large.any():
        transformer = _lambert93_to_wgs84()
        for x_values, y_values in ((lon, lat), (lat, lon)):
            todo = large & (status == COORD_OUTSIDE)
            if not todo.any():
                break
            plausible = todo & x_values.between(0, 1_400_000) & y_values.between(6_000_000, 7_200_000)
            if not plausible.any():
                continue
            x_deg, y_deg = transformer.transform(
                x_values[plausible].to_numpy(), y_values[plausible].to_numpy()
            )
            lon_deg = pd.Series(x_deg, index=x_values[plausible].index)
            lat_deg = pd.Series(y_deg, index=x_values[plausible].index)
            inside = in_france(lon_deg, lat_deg)
            good = inside[inside].index
            out_lon[good], out_lat[good] = lon_deg[good], lat_deg[good]
            status[good] = COORD_LAMBERT
    return out_lon, out_lat, status


# --------------------------------------------------------------------------------------------
# Communes


def code_from_name(
    locator: CommuneLocator, postcode: str, commune: str, dep_hint: str = ""
) -> tuple[str, str]:
    """(code, how) of the commune named ``commune``; ``("", reason)`` when not found.

    The name is looked up among the communes the postcode serves (COG postcodes), then in the
    postcode's département (or ``dep_hint``); anywhere in France only when no département is
    known. A name found only in another département than the postcode's is not accepted.
    """
    if not commune_key(commune):
        return "", "code postal seul, sans nom de commune"
    named = locator.communes_named(commune)
    deps = deps_from_postcode(postcode) or ([dep_hint] if dep_hint else [])
    served = set(locator.communes_of_postcode(postcode))
    attempts = (
        ([c for c in named if c in served], "code postal et commune"),
        (
            [c for c in named if dep_of_code(c) in deps],
            "code postal et commune" if postcode else "département et commune",
        ),
        (named if not deps else [], "nom de commune (unique en France)"),
    )
    for found, how in attempts:
        if len(found) == 1:
            return found[0], how
    if deps and named:
        elsewhere = ", ".join(locator.label(c) for c in named[:3])
        return (
            "",
            f"commune « {commune} » absente du département du code postal {postcode} ({elsewhere} ailleurs)",
        )
    if named:
        return "", f"commune « {commune} » ambiguë (plusieurs communes de ce nom) sans code postal valable"
    return "", f"commune « {commune} » introuvable"


# --------------------------------------------------------------------------------------------
# Import


def _joined(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Non-empty cells of ``columns`` joined by « — », row by row."""
    out = pd.Series("", index=frame.index, dtype=object)
    for column in columns:
        values = frame[column].astype(object).fillna("").astype(str).str.strip()
        both = (out != "") & (values != "")
        out = (out + np.where(both, " — ", "") + values).astype(object)
    return out


def _column(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if not column:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).fillna("").astype(str).str.strip()


def import_places(
    prepared: PreparedImport,
    locator: CommuneLocator,
    *,
    mapping: ColumnMapping | None = None,
    source: str = IMPORT_SOURCE,
    label: str = "",
    vintage: str | None = None,
    licence: str | None = None,
) -> ImportResult:
    """Check every row of an import and turn the usable ones into places.

    Parameters
    ----------
    prepared
        From :func:`prepare_import`.
    locator
        The communes under their spatial index (:func:`geo.placement.commune_locator`): the same
        placement rules as the bundled data.
    mapping
        Column mapping confirmed by the user; by default ``prepared.mapping``.
    source
        ``source`` code of the places (``"import"`` for a user's file).
    label
        Programme label given to every place (``"Fabrique de territoire"``...), if any.
    vintage, licence
        Written on every place; by default the census edition or « fichier importé le … ».

    Returns
    -------
    ImportResult
        ``places`` in the catalogue's places schema, and ``report`` with one row per input row
        (``ligne``, ``statut``, ``motif``, then the file's columns): nothing is dropped silently.

    Raises
    ------
    InvalidParameterError
        If the mapping lacks a name column or any way to locate rows.
    """
    mapping = mapping or prepared.mapping
    frame = prepared.frame.reset_index(drop=True)
    check_mapping(mapping, frame.columns)
    names = _column(frame, mapping.name).map(scrub_contacts)
    refused = _refusals(frame, names)
    lon, lat, coord_notes, cause = _coordinates(frame, mapping)
    declared, how = _declared_communes(frame, mapping, locator)
    lines = (
        frame[_LINE].astype(str)
        if _LINE in frame.columns
        else pd.Series(np.arange(len(frame)) + prepared.first_line, index=frame.index).astype(str)
    )
    records = _records(
        frame, mapping, names, lines, declared=declared, lon=lon, lat=lat, source=source, label=label
    )
    vintage, licence = _provenance(prepared, vintage, licence)
    places = places_from_records(records[refused == ""], locator, vintage=vintage, licence=licence)
    places.index = records.index[refused == ""]
    status, reason = _statuses(places, refused, coord_notes, cause, how)
    places = places[status.reindex(places.index) != STATUS_REJECTED]
    validate(places, "places")
    report = pd.concat(
        [
            pd.DataFrame({"ligne": lines, "statut": status, "motif": reason}, index=frame.index),
            frame.drop(columns=list(_RESERVED), errors="ignore"),
        ],
        axis=1,
    )
    notes = list(prepared.notes)
    if prepared.dropped_columns:
        notes.append(
            "colonnes de données personnelles supprimées à l'import : " + ", ".join(prepared.dropped_columns)
        )
    n_rejected = int((status == STATUS_REJECTED).sum())
    return ImportResult(
        places=places.reset_index(drop=True),
        report=report.reset_index(drop=True),
        n_input=len(frame),
        n_accepted=len(frame) - n_rejected,
        n_approximate=int((status == STATUS_APPROXIMATE).sum()),
        n_rejected=n_rejected,
        notes=tuple(notes),
        name_column=mapping.name,
    )


def _refusals(frame: pd.DataFrame, names: pd.Series) -> pd.Series:
    """Why a row is refused before it is placed (malformed line, empty row, no name), ``""`` if not."""
    problem = _column(frame, _PROBLEM if _PROBLEM in frame.columns else None)
    content = frame.drop(columns=list(_RESERVED), errors="ignore").astype(str)
    row_empty = (content.apply(lambda c: c.str.strip()) == "").all(axis=1)
    refused = pd.Series("", index=frame.index, dtype=object)
    refused[names == ""] = "nom du lieu absent"
    refused[row_empty] = "ligne vide"
    refused[problem != ""] = problem[problem != ""]
    return refused


_CAUSES = {
    COORD_MISSING: "sans coordonnées",
    COORD_UNREADABLE: "coordonnées illisibles",
    COORD_OUTSIDE: "coordonnées hors de France",
}


def _coordinates(
    frame: pd.DataFrame, mapping: ColumnMapping
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Usable WGS84 points (NaN when not usable), a note on what was corrected, and why a row
    has no usable point (``""`` when it has one)."""
    index = frame.index
    if mapping.lon and mapping.lat:
        lon_raw, lon_bad = parse_coordinates(_column(frame, mapping.lon))
        lat_raw, lat_bad = parse_coordinates(_column(frame, mapping.lat))
        lon, lat, status = check_coordinates(lon_raw, lat_raw)
        status[lon_bad | lat_bad] = COORD_UNREADABLE
    else:
        lon = pd.Series(np.nan, index=index)
        lat = pd.Series(np.nan, index=index)
        status = pd.Series(COORD_MISSING, index=index, dtype=object)
    usable = status.isin([COORD_OK, COORD_SWAPPED, COORD_LAMBERT])
    notes = status.map(
        {
            COORD_SWAPPED: "latitude et longitude inversées (corrigé)",
            COORD_LAMBERT: "coordonnées Lambert-93 converties en WGS84",
        }
    ).fillna("")
    return lon.where(usable), lat.where(usable), notes.astype(object), status.map(_CAUSES).fillna("")


def _declared_communes(
    frame: pd.DataFrame, mapping: ColumnMapping, locator: CommuneLocator
) -> tuple[pd.Series, pd.Series]:
    """The commune each row declares (INSEE code, else postcode + name), and how it was found."""
    raw = _column(frame, mapping.code_insee)
    codes = raw.map(lambda value: normalize_insee(value, locator.passage))
    postcodes = _column(frame, mapping.postcode)
    names = _column(frame, mapping.commune)
    how = pd.Series("code INSEE", index=frame.index, dtype=object)
    how[codes == ""] = "ni code INSEE ni commune"
    unknown_codes = (codes != "") & ~codes.map(locator.known)
    how[unknown_codes] = "code INSEE « " + codes[unknown_codes] + " » inconnu (COG 2026)"
    lookup = ~codes.map(locator.known) & ((names != "") | (postcodes != ""))
    for label in frame.index[lookup.to_numpy()]:
        unknown = codes[label]
        found, found_how = code_from_name(
            locator, postcodes[label], names[label], dep_of_code(unknown) if unknown else ""
        )
        codes[label] = found or unknown
        if found or not unknown:
            how[label] = found_how
    return codes, how


def _records(
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    names: pd.Series,
    lines: pd.Series,
    *,
    declared: pd.Series,
    lon: pd.Series,
    lat: pd.Series,
    source: str,
    label: str,
) -> pd.DataFrame:
    identifiers = _column(frame, mapping.identifier)
    use_ids = bool(mapping.identifier) and identifiers.ne("").all() and identifiers.is_unique
    typology = _joined(frame, mapping.typology)
    description = _joined(frame, mapping.description).map(scrub_contacts)
    described = description.where(typology == "", (description + " — Type : " + typology).str.strip(" —"))
    return pd.DataFrame(
        {
            "source": source,
            "source_id": identifiers if use_ids else "L" + lines,
            "name": names.str.slice(0, 200),
            "description": described.str.slice(0, 2000),
            "label": label,
            "source_typology": typology,
            "code_insee": declared,
            "postcode": _column(frame, mapping.postcode),
            "lon": lon,
            "lat": lat,
            "location_precision": PRECISION_ADDRESS,
            "url": _column(frame, mapping.url).str.slice(0, 300),
        },
        index=frame.index,
    )[list(RECORD_COLUMNS)]


def _provenance(prepared: PreparedImport, vintage: str | None, licence: str | None) -> tuple[str, str]:
    if vintage is None:
        vintage = (
            f"{FORMATS[prepared.file_format]} (import)"
            if prepared.is_census
            else f"fichier importé le {date.today():%d/%m/%Y}"
        )
    if licence is None:
        licence = CENSUS_LICENCE if prepared.is_census else "non précisée (fichier importé)"
    return vintage, licence


def _statuses(
    places: pd.DataFrame, refused: pd.Series, coord_notes: pd.Series, cause: pd.Series, how: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Status and reason of every input row from the placement verdicts."""
    verdict = places["placement"].reindex(refused.index).fillna(VERDICT_UNPLACED)
    refused_rows = refused != ""
    placed = (verdict != VERDICT_UNPLACED) & ~refused_rows
    centroid = (verdict == VERDICT_CENTROID) & ~refused_rows
    status = pd.Series(
        np.select([placed & ~centroid, centroid], [STATUS_ACCEPTED, STATUS_APPROXIMATE], STATUS_REJECTED),
        index=refused.index,
        dtype=object,
    )
    note = places["placement_note"].reindex(refused.index).fillna("")
    code = places["code_insee"].reindex(refused.index).fillna("")
    exact = (coord_notes + " ; " + note).str.strip(" ;")
    approximate = cause + " : placé au point de la commune " + code + " (" + how + ")"
    unplaced = (
        cause.replace("", "coordonnées hors de toute commune française")
        + " et commune non reconnue ("
        + how
        + ")"
    )
    reason = pd.Series(
        np.select([refused_rows, centroid, placed], [refused, approximate, exact], unplaced),
        index=refused.index,
        dtype=object,
    )
    return status, reason


def combined_places(
    bundled: gpd.GeoDataFrame, imported: gpd.GeoDataFrame, commune_names: pd.Series
) -> gpd.GeoDataFrame:
    """The bundled places plus an import, possible duplicates flagged (never dropped).

    The rules of the bundled register (:mod:`geo.linkage`) find the pairs, inside the import
    and between the import and the register, that would be merged or reviewed: each such row
    names the other in ``possible_duplicate_of``. The register's own flags are kept.

    Parameters
    ----------
    commune_names
        Commune name by INSEE code (``communes.set_index("code_insee")["nom"]``).
    """
    columns = [c for c in imported.columns if c in bundled.columns]
    both = pd.concat([bundled[columns], imported[columns]], ignore_index=True)
    from_import = pd.Series(np.arange(len(both)) >= len(bundled))
    flags = duplicate_flags(both, both["code_insee"].map(commune_names).fillna(""), among=from_import)
    both["possible_duplicate_of"] = [
        ";".join(filter(None, dict.fromkeys([*str(old).split(";"), *new.split(";")])))
        for old, new in zip(both["possible_duplicate_of"], flags, strict=True)
    ]
    return gpd.GeoDataFrame(both, geometry=imported.geometry.name, crs=WGS84)
