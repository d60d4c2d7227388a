"""Import of a user's list of tiers-lieux: every row checked, shown before it counts, and accounted for.

The pipeline, each step usable on its own:

1. :func:`geo.io.upload.read_upload` — the bytes of one file → text columns (rows, not files, fail);
2. :func:`geo.io.import_mapping.prepare_import` — census formats recognised, or a column mapping
   suggested for the user to confirm;
3. :func:`check_import` — every row read and placed by the shared placement rules
   (:mod:`geo.io.placement`: every declared location checked, sign errors and swaps tried), themes
   derived, each row given one of five **verdicts** (:data:`IMPORT_VERDICTS`): exact, corrected,
   placed at its commune, inconsistent, rejected;
4. :meth:`ImportCheck.result` — the user's choice for each kind of inconsistent rows applied
   (use the point, use the declared commune, reject), duplicates flagged with the register's
   record-linkage rules, and a report with one row per input row.

:func:`import_places` runs 3 and 4 with the placement rules' own choices (the refresh, scripts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.crs import WGS84
from geo.fmt import fr_count, fr_number, fr_percent
from geo.io.catalog import ETALAB
from geo.io.datasets import validate
from geo.io.import_mapping import (
    FORMATS,
    ColumnMapping,
    PreparedImport,
    check_mapping,
)
from geo.io.linkage import duplicate_flags
from geo.io.placement import (
    ISSUE_ACTIONS,
    ISSUES,
    PRECISION_ADDRESS,
    PRECISIONS,
    VERDICT_CENTROID,
    VERDICT_CORRECTED,
    VERDICT_INCONSISTENT,
    VERDICT_UNPLACED,
    CommuneLocator,
    read_coordinates,
)
from geo.io.places import RECORD_COLUMNS, places_from_records, relocate_places, scrub_contacts
from geo.io.tabular import GEOMETRY_PROBLEM, LINE, PROBLEM, RESERVED
from geo.themes import ROUTE_TYPOLOGY, THEME_SHORT_LABELS, THEMES, themes_from_keywords, themes_from_typology

IMPORT_SOURCE = "import"
"""``source`` code of imported places (the map shows the import's name for them)."""


IMPORT_EXACT = "exact"
IMPORT_CORRECTED = "corrige"
IMPORT_CENTROID = "commune"
IMPORT_INCONSISTENT = "incoherent"
IMPORT_REJECTED = "rejete"
IMPORT_VERDICTS: dict[str, str] = {
    IMPORT_EXACT: "exacte",
    IMPORT_CORRECTED: "corrigée",
    IMPORT_CENTROID: "placée à la commune",
    IMPORT_INCONSISTENT: "incohérente",
    IMPORT_REJECTED: "rejetée",
}
"""Verdict of an imported row (« ligne … ») → French label. Every input row has exactly one."""

IMPORT_VERDICT_PLURALS: dict[str, str] = {
    IMPORT_EXACT: "exactes",
    IMPORT_CORRECTED: "corrigées",
    IMPORT_CENTROID: "placées à la commune",
    IMPORT_INCONSISTENT: "incohérentes",
    IMPORT_REJECTED: "rejetées",
}

IMPORT_VERDICT_HELP: dict[str, str] = {
    IMPORT_EXACT: "le point concorde avec la commune, le code postal et le département déclarés",
    IMPORT_CORRECTED: "point corrigé (signe inversé, latitude et longitude interverties) : la correction "
    "le fait concorder avec la commune déclarée",
    IMPORT_CENTROID: "sans coordonnées utilisables : placée au point représentatif de sa commune "
    "(approximatif)",
    IMPORT_INCONSISTENT: "le point et la commune déclarée (ou le code INSEE et le code postal) se "
    "contredisent : à vous de choisir",
    IMPORT_REJECTED: "nom absent, ligne mal formée, ni point ni commune reconnue",
}

STATUS_IMPORTED = "importé"
STATUS_REJECTED = "rejeté"

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2_000
MAX_URL_LENGTH = 300

THEME_WARNING_SHARE = 0.5
"""Share of imported places without any theme above which the user is warned."""

REPORT_COLUMNS = (
    "ligne",
    "verdict",
    "suite donnée",
    "désaccord",
    "motif",
    "commune retenue",
    "code INSEE retenu",
    "longitude retenue",
    "latitude retenue",
    "localisation",
    "thèmes",
    "doublon possible de",
)
"""The columns the report puts before the file's own columns."""

_TYPOLOGY_SEPARATORS = re.compile(r"\s*(?:[;|\n]|,\s)\s*")


def typology_values(text: str) -> list[str]:
    """The values of a typology cell (« Coworking ; Fablab », « Café, atelier »); « / » is kept
    (« Bureaux partagés / Coworking » is one census family)."""
    return [v for v in (part.strip() for part in _TYPOLOGY_SEPARATORS.split(text or "")) if v]


@lru_cache(maxsize=4096)
def suggested_themes(value: str) -> tuple[str, ...]:
    """Themes a typology value suggests: a known family of the census or the CGET, else the
    keyword rules on the value itself."""
    return tuple(dict.fromkeys([*themes_from_typology(value), *themes_from_keywords(value)]))


def typology_table(prepared: PreparedImport, mapping: ColumnMapping, *, limit: int = 40) -> pd.DataFrame:
    """The most frequent values of the typology columns, with the rows holding each and the
    themes the rules suggest — what the user maps to themes for a free list.

    Returns
    -------
    DataFrame with ``valeur``, ``lignes`` and one boolean column per theme code.
    """
    text = _joined(prepared.frame, [c for c in mapping.typology if c in prepared.frame.columns], ";")
    counts = text.map(typology_values).explode().dropna().value_counts()
    top = counts.head(limit)
    table = pd.DataFrame({"valeur": top.index.astype(str), "lignes": top.to_numpy()})
    for theme in THEMES:
        table[theme] = [theme in suggested_themes(v) for v in table["valeur"]]
    return table


# --------------------------------------------------------------------------------------------
# Checking every row


@dataclass(frozen=True)
class ImportCheck:
    """Every row of an import read and placed, before the user's choices (see :func:`check_import`)."""

    frame: pd.DataFrame
    """The file's rows (text columns, reserved columns included)."""
    placed: gpd.GeoDataFrame
    """Places of the rows not refused, with the placement alternatives, indexed like ``frame``."""
    refused: pd.Series
    """Why a row was refused before being placed (``""`` when it was not)."""
    reading_notes: pd.Series
    """What reading the row found (coordinates converted, text truncated...)."""
    locator: CommuneLocator
    mapping: ColumnMapping
    label: str
    notes: tuple[str, ...]
    unit: str = "ligne"
    is_census: bool = False
    thematic_files: tuple[str, ...] = ()

    @cached_property
    def issues(self) -> dict[str, int]:
        """Kinds of disagreement of the inconsistent rows (:data:`geo.io.placement.ISSUES`) → rows."""
        inconsistent = self.placed[self.placed["placement"] == VERDICT_INCONSISTENT]
        counts = inconsistent["placement_issue"].value_counts()
        return {issue: int(counts[issue]) for issue in ISSUES if issue in counts.index}

    @cached_property
    def verdicts(self) -> pd.Series:
        """The :data:`IMPORT_VERDICTS` code of every input row (before choices: they keep it)."""
        placement = self.placed["placement"].reindex(self.frame.index).fillna(VERDICT_UNPLACED)
        codes = pd.Series(IMPORT_EXACT, index=self.frame.index, dtype=object)
        codes[placement == VERDICT_CORRECTED] = IMPORT_CORRECTED
        codes[placement == VERDICT_CENTROID] = IMPORT_CENTROID
        codes[placement == VERDICT_INCONSISTENT] = IMPORT_INCONSISTENT
        codes[(placement == VERDICT_UNPLACED) | (self.refused != "")] = IMPORT_REJECTED
        return codes

    def result(
        self, choices: Mapping[str, str] | None = None, *, register: gpd.GeoDataFrame | None = None
    ) -> ImportResult:
        """The import with ``choices`` applied to the inconsistent rows.

        Parameters
        ----------
        choices
            Kind of disagreement → action (:data:`geo.io.placement.ISSUE_ACTIONS`); a kind left
            out keeps the placement rules' choice.
        register
            The places the import is added to (the bundled list): duplicates are also looked
            for there, and :attr:`ImportResult.combined` holds both.
        """
        relocated, rejected_by_choice = relocate_places(self.placed, self.locator, choices or {})
        kept = relocated["placement"].ne(VERDICT_UNPLACED) & ~rejected_by_choice
        places = relocated[kept]
        validate(places, "places")
        combined = None
        if register is not None:
            combined = combined_places(register, places, self.locator)
            flagged = combined.iloc[len(register) :]
            places = flagged.set_axis(places.index)
        else:
            everything = pd.Series(True, index=places.index)
            flags = duplicate_flags(places, _commune_names(places, self.locator), among=everything)
            places = places.assign(possible_duplicate_of=flags)
        outcome = _outcomes(self, rejected_by_choice, choices or {})
        return ImportResult(
            places=places.reset_index(drop=True),
            combined=combined,
            report=_report(self, relocated, places, outcome),
            verdict_counts={v: int((self.verdicts == v).sum()) for v in IMPORT_VERDICTS},
            n_input=len(self.frame),
            n_rejected_by_choice=int(rejected_by_choice.sum()),
            notes=self.notes,
            name_column=self.mapping.name,
            unit=self.unit,
            theme_warning=_theme_warning(self, places),
        )


def check_import(
    prepared: PreparedImport,
    locator: CommuneLocator,
    *,
    mapping: ColumnMapping | None = None,
    typology_themes: Mapping[str, Sequence[str]] | None = None,
    source: str = IMPORT_SOURCE,
    label: str = "",
    vintage: str | None = None,
    licence: str | None = None,
) -> ImportCheck:
    """Read and place every row of an import, with the same rules as the bundled data.

    Parameters
    ----------
    prepared
        From :func:`geo.io.import_mapping.prepare_import`.
    locator
        The communes under their spatial index (:func:`geo.io.placement.commune_locator`).
    mapping
        Column mapping confirmed by the user; by default ``prepared.mapping``.
    typology_themes
        Typology value → theme codes, as confirmed by the user (:func:`typology_table`); by
        default the themes each value suggests (:func:`suggested_themes`).
    source
        ``source`` code of the places (``"import"`` for a user's file).
    label
        Programme label given to every place (``"Fabrique de territoire"``...), if any.
    vintage, licence
        Written on every place; by default the census edition or « fichier importé le … ».

    Raises
    ------
    InvalidParameterError
        If the mapping lacks a name column or any way to locate rows.
    """
    mapping = mapping or prepared.mapping
    frame = prepared.frame.reset_index(drop=True)
    check_mapping(mapping, frame.columns)
    names = _column(frame, mapping.name).map(scrub_contacts)
    lon, lat, coordinate_notes = _coordinates(frame, mapping)
    records, text_notes = _records(frame, mapping, names, lon=lon, lat=lat, source=source, label=label)
    refused = _refusals(frame, names)
    vintage, licence = _provenance(prepared, vintage, licence)
    usable = refused == ""
    # Typology themes come from the value mapping below, which the user may have changed.
    without_typology = records[usable].assign(source_typology="")
    placed = places_from_records(
        without_typology, locator, vintage=vintage, licence=licence, alternatives=True
    )
    placed.index = records.index[usable.to_numpy()]
    placed["source_typology"] = records.loc[usable, "source_typology"]
    _typology_route(placed, placed["source_typology"], typology_themes)
    notes = list(prepared.notes)
    if prepared.dropped_columns:
        notes.append(
            "colonnes de données personnelles supprimées à la lecture : "
            + ", ".join(prepared.dropped_columns)
        )
    return ImportCheck(
        frame=frame,
        placed=placed,
        refused=refused,
        reading_notes=_join_notes(coordinate_notes, text_notes),
        locator=locator,
        mapping=mapping,
        label=prepared.label,
        notes=tuple(notes),
        unit=prepared.unit,
        is_census=prepared.is_census,
        thematic_files=prepared.thematic_files,
    )


def import_places(
    prepared: PreparedImport,
    locator: CommuneLocator,
    *,
    mapping: ColumnMapping | None = None,
    choices: Mapping[str, str] | None = None,
    source: str = IMPORT_SOURCE,
    label: str = "",
    vintage: str | None = None,
    licence: str | None = None,
) -> ImportResult:
    """:func:`check_import` then :meth:`ImportCheck.result`: an import in one call (the refresh,
    scripts). ``choices`` default to the placement rules' own."""
    check = check_import(
        prepared, locator, mapping=mapping, source=source, label=label, vintage=vintage, licence=licence
    )
    return check.result(choices)


def _column(frame: pd.DataFrame, column: str | None) -> pd.Series:
    if not column:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).fillna("").astype(str).str.strip()


def _joined(frame: pd.DataFrame, columns: Sequence[str], separator: str = " — ") -> pd.Series:
    """Non-empty cells of ``columns`` joined by ``separator``, row by row."""
    out = pd.Series("", index=frame.index, dtype=object)
    for column in columns:
        values = _column(frame, column)
        both = (out != "") & (values != "")
        out = (out + np.where(both, separator, "") + values).astype(object)
    return out


def _join_notes(*parts: pd.Series) -> pd.Series:
    """The non-empty notes of each row, joined by « ; »."""
    out = parts[0].astype(object)
    for part in parts[1:]:
        out = pd.Series(
            np.where(out == "", part, np.where(part == "", out, out + " ; " + part)),
            index=out.index,
            dtype=object,
        )
    return out


def _refusals(frame: pd.DataFrame, names: pd.Series) -> pd.Series:
    """Why a row is refused before it is placed (malformed line, empty row, no name), ``""`` if not."""
    problem = _column(frame, PROBLEM if PROBLEM in frame.columns else None)
    content = frame.drop(columns=list(RESERVED), errors="ignore")
    row_empty = content.eq("").all(axis=1) if len(content.columns) else pd.Series(True, index=frame.index)
    refused = pd.Series("", index=frame.index, dtype=object)
    refused[names == ""] = "nom du lieu absent"
    refused[row_empty] = "ligne vide"
    refused[problem != ""] = problem[problem != ""]
    return refused


# --------------------------------------------------------------------------------------------
# Coordinates


@lru_cache(maxsize=1)
def _lambert93_to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:2154", WGS84, always_xy=True)


def _coordinates(frame: pd.DataFrame, mapping: ColumnMapping) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Degrees as given (NaN when absent or unreadable; Lambert-93 metres converted), and a note on
    what reading them found. Sign errors and swaps are left to the placement rules, which try
    them against the declared commune."""
    index = frame.index
    notes = pd.Series("", index=index, dtype=object)
    if GEOMETRY_PROBLEM in frame.columns:
        notes = _column(frame, GEOMETRY_PROBLEM)
    if not (mapping.lon and mapping.lat):
        return pd.Series(np.nan, index=index), pd.Series(np.nan, index=index), notes
    lon_text, lat_text = _column(frame, mapping.lon), _column(frame, mapping.lat)
    lon_read, lat_read = read_coordinates(lon_text), read_coordinates(lat_text)
    lon, lat = lon_read.numbers.copy(), lat_read.numbers.copy()
    unreadable = lon_read.unreadable | lat_read.unreadable
    described = (
        "longitude « " + lon_text.str.slice(0, 30) + " », latitude « " + lat_text.str.slice(0, 30) + " »"
    )
    notes = _add(notes, unreadable, "coordonnées illisibles (" + described + ")")
    lon[unreadable], lat[unreadable] = np.nan, np.nan
    sexagesimal = (lon_read.sexagesimal | lat_read.sexagesimal) & ~unreadable
    notes = _add(notes, sexagesimal, "coordonnées en degrés et minutes converties en degrés décimaux")
    zero = (lon == 0) & (lat == 0)
    notes = _add(notes, zero, "coordonnées (0, 0) : considérées comme absentes")
    lon[zero], lat[zero] = np.nan, np.nan
    metres = (lon.abs() > 1_000) | (lat.abs() > 1_000)
    if metres.any():
        lon_m, lat_m, converted = _from_lambert93(lon[metres], lat[metres])
        lon[metres], lat[metres] = lon_m, lat_m
        notes = _add(
            notes, converted.reindex(index, fill_value=False), "coordonnées Lambert-93 converties en WGS84"
        )
        notes = _add(
            notes,
            metres & ~converted.reindex(index, fill_value=False),
            "coordonnées en mètres hors de la France métropolitaine (Lambert-93 attendu)",
        )
    return lon, lat, notes


def _from_lambert93(x: pd.Series, y: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Lambert-93 x / y (also swapped) → WGS84 degrees; NaN and not ``converted`` when neither fits."""
    lon = pd.Series(np.nan, index=x.index)
    lat = pd.Series(np.nan, index=x.index)
    converted = pd.Series(False, index=x.index)
    transformer = _lambert93_to_wgs84()
    for xs, ys in ((x, y), (y, x)):
        plausible = ~converted & xs.between(0, 1_400_000) & ys.between(6_000_000, 7_200_000)
        if plausible.any():
            lon_deg, lat_deg = transformer.transform(xs[plausible].to_numpy(), ys[plausible].to_numpy())
            lon[plausible], lat[plausible] = lon_deg, lat_deg
            converted |= plausible
    return lon, lat, converted


def _add(notes: pd.Series, mask: pd.Series, text: pd.Series | str) -> pd.Series:
    values = text if isinstance(text, pd.Series) else pd.Series(text, index=notes.index)
    joined = notes.where(notes == "", notes + " ; ") + values
    return notes.where(~mask, joined)


# --------------------------------------------------------------------------------------------
# Records


_EMBEDDED = re.compile(r"data:[\w/+.-]{1,100};base64,[A-Za-z0-9+/=\s]*")
_TAGS = re.compile(r"<[^<>]*>")


def _plain_text(text: str) -> str:
    """Free text without embedded images, HTML tags and repeated spaces."""
    if "<" in text or "data:" in text:
        text = _TAGS.sub(" ", _EMBEDDED.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()


def _truncated(values: pd.Series, limit: int, what: str) -> tuple[pd.Series, pd.Series]:
    """``values`` cut to ``limit`` characters (with « … »), and a note where they were."""
    long = values.str.len() > limit
    cut = values.where(~long, values.str.slice(0, limit - 1).str.rstrip() + "…")
    note = pd.Series("", index=values.index, dtype=object)
    if long.any():
        received = values[long].str.len().map(fr_number).astype(object)
        note[long] = f"{what} à {fr_number(limit)} caractères (" + received + " reçus)"
    return cut, note


def _records(
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    names: pd.Series,
    *,
    lon: pd.Series,
    lat: pd.Series,
    source: str,
    label: str,
) -> tuple[pd.DataFrame, pd.Series]:
    """The records of :data:`geo.io.places.RECORD_COLUMNS`, and notes on text cut to size."""
    lines = _column(frame, LINE)
    identifiers = _column(frame, mapping.identifier).str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    use_ids = bool(mapping.identifier) and identifiers.ne("").all() and identifiers.is_unique
    typology = _joined(frame, mapping.typology, " ; ")
    description = _joined(frame, mapping.description).map(_plain_text).map(scrub_contacts)
    # Names keep any « < » they hold (shown escaped, never interpreted); descriptions lose their markup.
    name, name_note = _truncated(names.str.replace(r"\s+", " ", regex=True), MAX_NAME_LENGTH, "nom tronqué")
    described, description_note = _truncated(description, MAX_DESCRIPTION_LENGTH, "description tronquée")
    url, url_note = _truncated(_column(frame, mapping.url), MAX_URL_LENGTH, "adresse du site tronquée")
    records = pd.DataFrame(
        {
            "source": source,
            "source_id": identifiers if use_ids else "L" + lines,
            "name": name,
            "description": described,
            "label": label,
            "source_typology": typology,
            "code_insee": _column(frame, mapping.code_insee),
            "postcode": _column(frame, mapping.postcode),
            "commune": _column(frame, mapping.commune),
            "departement": _column(frame, mapping.departement),
            "region": _column(frame, mapping.region),
            "lon": lon,
            "lat": lat,
            "location_precision": PRECISION_ADDRESS,
            "url": url,
        },
        index=frame.index,
    )[list(RECORD_COLUMNS)]
    return records, _join_notes(name_note, description_note, url_note)


def _typology_route(
    places: pd.DataFrame, typology: pd.Series, value_themes: Mapping[str, Sequence[str]] | None
) -> None:
    """Themes from the typology values — mapped by the user, or as the rules suggest them
    (:func:`suggested_themes`) — with the « typologie » route, which takes precedence."""
    chosen: dict[str, Sequence[str]] = dict(value_themes) if value_themes is not None else {}
    themes_of_cell = typology.map(
        lambda text: {t for v in typology_values(text) for t in chosen.get(v, suggested_themes(v))}
    )
    for theme in THEMES:
        places.loc[themes_of_cell.map(lambda found, theme=theme: theme in found), f"theme_{theme}"] = (
            ROUTE_TYPOLOGY
        )
    carried = places[[f"theme_{t}" for t in THEMES]].ne("").to_numpy()
    places["themes"] = [";".join(t for t, on in zip(THEMES, row, strict=True) if on) for row in carried]


def _provenance(prepared: PreparedImport, vintage: str | None, licence: str | None) -> tuple[str, str]:
    if vintage is None:
        vintage = (
            f"{FORMATS[prepared.file_format]} (import)"
            if prepared.is_census
            else f"fichier importé le {date.today():%d/%m/%Y}"
        )
    if licence is None:
        licence = ETALAB if prepared.is_census else "non précisée (fichier importé)"
    return vintage, licence


# --------------------------------------------------------------------------------------------
# Result


@dataclass(frozen=True)
class ImportResult:
    """An import with the user's choices applied: the places, and a report of every input row."""

    places: gpd.GeoDataFrame
    """The imported places (catalogue schema), duplicates flagged in ``possible_duplicate_of``."""
    combined: gpd.GeoDataFrame | None
    """The register plus the import, when a register was given (see :func:`combined_places`)."""
    report: pd.DataFrame
    """One row per input row: :data:`REPORT_COLUMNS`, then the file's columns."""
    verdict_counts: dict[str, int]
    """:data:`IMPORT_VERDICTS` code → rows; they add up to :attr:`n_input`."""
    n_input: int
    n_rejected_by_choice: int = 0
    """Inconsistent rows the user chose to reject."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    name_column: str | None = None
    unit: str = "ligne"
    theme_warning: str | None = None
    """French warning when most places have no theme (or census thematic files are missing)."""

    @property
    def n_imported(self) -> int:
        """Places imported (every verdict but « rejeté », minus the rows rejected by choice)."""
        return len(self.places)

    @property
    def rejected(self) -> pd.DataFrame:
        """Report rows of the rows not imported, with their reason."""
        return self.report[self.report["suite donnée"].str.startswith(STATUS_REJECTED)]

    @property
    def doubtful(self) -> pd.DataFrame:
        """Report rows whose verdict is not « exact »: what the user should look at."""
        return self.report[self.report["verdict"] != IMPORT_VERDICTS[IMPORT_EXACT]]

    @property
    def duplicates(self) -> tuple[int, int]:
        """Imported places flagged as a possible duplicate (of another row of the import, of a place
        of the register): counts of imported places only."""
        flags = self.places["possible_duplicate_of"].fillna("").astype(str).str.split(";")
        imported = set(self.places["place_id"])
        in_file = flags.map(lambda ids: any(i in imported for i in ids))
        in_register = flags.map(lambda ids: any(i and i not in imported for i in ids))
        return int(in_file.sum()), int(in_register.sum())

    def summary(self) -> str:
        """One French sentence with the counts by verdict and what was imported."""
        counts = self.verdict_counts
        parts = [fr_count(counts[v], IMPORT_VERDICTS[v], IMPORT_VERDICT_PLURALS[v]) for v in IMPORT_VERDICTS]
        text = fr_count(self.n_input, "ligne lue", "lignes lues") + " : " + ", ".join(parts)
        text += " ; " + fr_count(self.n_imported, "lieu importé", "lieux importés")
        if self.n_rejected_by_choice:
            text += " (" + fr_count(
                self.n_rejected_by_choice, "ligne incohérente écartée", "lignes incohérentes écartées"
            )
            text += " par votre choix)"
        return text + "."


def _commune_names(places: pd.DataFrame, locator: CommuneLocator) -> pd.Series:
    return places["code_insee"].map(locator.communes["nom"]).fillna("")


def combined_places(
    register: gpd.GeoDataFrame, imported: gpd.GeoDataFrame, locator: CommuneLocator
) -> gpd.GeoDataFrame:
    """The register's places plus an import, possible duplicates flagged (never dropped).

    The rules of the bundled register (:mod:`geo.io.linkage`) find the pairs, inside the import
    and between the import and the register, that would be merged or reviewed: each such row
    names the other in ``possible_duplicate_of``. The register's own flags are kept.
    """
    register = register.drop(columns=["x_m", "y_m"], errors="ignore")
    columns = [c for c in imported.columns if c in register.columns]
    both = pd.concat([register[columns], imported[columns]], ignore_index=True)
    from_import = pd.Series(np.arange(len(both)) >= len(register))
    flags = duplicate_flags(both, _commune_names(both, locator), among=from_import)
    both["possible_duplicate_of"] = [
        ";".join(filter(None, dict.fromkeys([*str(old).split(";"), *new.split(";")])))
        for old, new in zip(both["possible_duplicate_of"].fillna(""), flags, strict=True)
    ]
    return gpd.GeoDataFrame(both, geometry=imported.geometry.name, crs=WGS84)


def _outcomes(check: ImportCheck, rejected_by_choice: pd.Series, choices: Mapping[str, str]) -> pd.Series:
    """« suite donnée » of every input row."""
    verdicts = check.verdicts
    outcome = verdicts.map(
        {
            IMPORT_EXACT: STATUS_IMPORTED,
            IMPORT_CORRECTED: f"{STATUS_IMPORTED} avec le point corrigé",
            IMPORT_CENTROID: f"{STATUS_IMPORTED} au point de la commune",
            IMPORT_INCONSISTENT: f"{STATUS_IMPORTED} selon les règles de l'Atlas",
            IMPORT_REJECTED: STATUS_REJECTED,
        }
    ).astype(object)
    issue = check.placed["placement_issue"].reindex(verdicts.index).fillna("")
    for kind, action in choices.items():
        label = ISSUE_ACTIONS.get(kind, {}).get(action)
        rows = (verdicts == IMPORT_INCONSISTENT) & (issue == kind)
        if label:
            outcome[rows] = f"{STATUS_IMPORTED} : {label}"
    chosen_out = rejected_by_choice.reindex(verdicts.index, fill_value=False)
    outcome[chosen_out] = f"{STATUS_REJECTED} (votre choix)"
    return outcome


def _report(
    check: ImportCheck, relocated: pd.DataFrame, places: pd.DataFrame, outcome: pd.Series
) -> pd.DataFrame:
    index = check.frame.index
    here = relocated.reindex(index)
    placed_note = here["placement_note"].fillna("").astype(str)
    motif = check.refused.where(check.refused != "", placed_note)
    motif = _join_notes(check.reading_notes, motif)
    rejected = outcome.str.startswith(STATUS_REJECTED)
    code = here["code_insee"].fillna("").astype(str).where(~rejected, "")
    names = code.map(check.locator.communes["nom"]).fillna("")
    themes = (
        here["themes"]
        .astype(object)
        .fillna("")
        .astype(str)
        .map(lambda t: ", ".join(THEME_SHORT_LABELS[c] for c in t.split(";") if c))
    )
    flags = places["possible_duplicate_of"].reindex(index).fillna("").astype(str)
    issue = check.placed["placement_issue"].reindex(index).fillna("").astype(str)
    report = pd.DataFrame(
        {
            "ligne": check.frame[LINE].astype(str),
            "verdict": check.verdicts.map(IMPORT_VERDICTS),
            "suite donnée": outcome,
            "désaccord": issue.where(check.verdicts == IMPORT_INCONSISTENT, "").map(
                lambda i: ISSUES.get(i, "")
            ),
            "motif": motif,
            "commune retenue": names,
            "code INSEE retenu": code,
            "longitude retenue": here["lon"].where(~rejected).round(6),
            "latitude retenue": here["lat"].where(~rejected).round(6),
            "localisation": here["location_precision"]
            .map(lambda c: PRECISIONS.get(c, ""))
            .where(~rejected, ""),
            "thèmes": themes.where(~rejected, ""),
            "doublon possible de": flags,
        },
        index=index,
    )[list(REPORT_COLUMNS)]
    original = check.frame.drop(columns=list(RESERVED), errors="ignore")
    protected = {check.mapping.identifier, check.mapping.lon, check.mapping.lat, check.mapping.code_insee}
    free_text = [c for c in original.columns if c not in protected]
    original = original.assign(**{c: original[c].map(scrub_contacts) for c in free_text})
    clash = [c for c in original.columns if c in report.columns]
    original = original.rename(columns={c: f"{c} (fichier)" for c in clash})
    return pd.concat([report, original], axis=1).reset_index(drop=True)


def _theme_warning(check: ImportCheck, places: pd.DataFrame) -> str | None:
    if check.is_census and not check.thematic_files:
        return (
            "Les fichiers thématiques du recensement n'ont pas été déposés : les thèmes ne viennent que des "
            "mots-clés des noms et descriptions (indicatif). Déposez aussi les fichiers « activités » du "
            "recensement avec la fiche identité."
        )
    if not len(places):
        return None
    without = int((places["themes"].fillna("") == "").sum())
    if without / len(places) <= THEME_WARNING_SHARE:
        return None
    share = fr_percent(without / len(places))
    if not check.mapping.typology:
        return (
            f"{share} des lieux importés n'ont aucun thème : choisissez la colonne qui décrit le type de "
            "lieu (typologie, catégorie, services) pour que leurs valeurs donnent des thèmes."
        )
    return (
        f"{share} des lieux importés n'ont aucun thème : associez les valeurs de la typologie aux thèmes "
        "dans le tableau « Thèmes de la typologie »."
    )
