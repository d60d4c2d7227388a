"""Recognising an uploaded list: the France Tiers-Lieux census formats, or a column mapping to confirm.

:func:`prepare_import` takes the tables read by :func:`geo.io.upload.read_upload`: census files
(identity file + thematic files, 2023 or 2026 editions) are joined on ``ID_UNIQUE`` and get their
fixed :class:`ColumnMapping`; any other list gets a suggested mapping, from its column names, for
the user to confirm.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from geo._errors import DataValidationError, InvalidParameterError
from geo.fmt import fr_count
from geo.io.tabular import GEOMETRY_LAT, GEOMETRY_LON, RESERVED, RawTable
from geo.io.upload import column_key

FORMAT_CENSUS_2023 = "ftl_2023"
FORMAT_CENSUS_2026 = "ftl_2026"
FORMAT_GENERIC = "generic"
FORMATS: dict[str, str] = {
    FORMAT_CENSUS_2023: "Recensement France Tiers-Lieux 2023",
    FORMAT_CENSUS_2026: "Recensement France Tiers-Lieux 2026",
    FORMAT_GENERIC: "Liste libre (correspondance des colonnes)",
}
"""Recognised file formats → French label."""

CENSUS_TYPOLOGY = "typologie_recensement"
CENSUS_ACTIVITIES = "activites_recensement"
"""Columns built from the census thematic files (answers joined by « ; »)."""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


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
    departement: str | None = None
    region: str | None = None
    typology: tuple[str, ...] = ()
    description: tuple[str, ...] = ()
    url: str | None = None
    identifier: str | None = None

    def columns(self) -> list[str]:
        """Every column the mapping uses."""
        singles = [self.name, self.lon, self.lat, self.code_insee, self.postcode, self.commune]
        singles += [self.departement, self.region, self.url, self.identifier]
        return [c for c in singles if c] + list(self.typology) + list(self.description)

    def can_locate(self) -> bool:
        """Whether rows can be placed: coordinates, an INSEE code, or a commune name."""
        return bool((self.lon and self.lat) or self.code_insee or self.commune)


@dataclass(frozen=True)
class PreparedImport:
    """Files read and recognised, ready for :func:`geo.io.importer.check_import`."""

    frame: pd.DataFrame
    label: str
    """Name of the import (file names), already sanitised for display."""
    file_format: str
    mapping: ColumnMapping
    """The census mapping, or the suggestion for a free list (to be confirmed by the user)."""
    dropped_columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    unit: str = "ligne"
    """What the line numbers count: « ligne » of a table, « objet » of a geographic file."""
    thematic_files: tuple[str, ...] = ()
    """Census thematic files joined to the identity file (empty for a free list)."""

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
        return [c for c in self.frame.columns if c not in RESERVED]


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
    "departement": _words(
        "departement dep dept nom_departement nom_dep libelle_departement code_departement code_dep "
        "departement_tl insee_dep"
    ),
    "region": _words("region reg nom_region libelle_region code_region region_tl insee_reg"),
    "typology": _words(
        "typologie typo type types type_de_lieu type_de_tiers_lieu typologie_du_lieu type_de_structure "
        "categorie categories categorie_de_lieu famille familles thematique thematiques theme themes "
        "activites activite activites_proposees type_act secteur services services_proposes offre "
        "offres nature nature_du_lieu label labels"
    ),
    "description": _words("description descri_cou descriptif presentation resume"),
    "url": _words("site_web site_internet url internet site web website"),
    "identifier": _words("id_unique identifiant id uid id_territoire code"),
}


def suggest_mapping(columns: Iterable[str]) -> ColumnMapping:
    """Guess which column holds what from the column names (accents and case ignored)."""
    by_key: dict[str, str] = {}
    for column in columns:
        by_key.setdefault(column_key(column), column)

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
        departement=first("departement"),
        region=first("region"),
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
        departement=col("DEPARTEMENT_TL") or col("DEPARTEMENT"),
        region=col("REGION_TL") or col("REGION"),
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
        if column in skip or column in RESERVED:
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
    the format (2023 or 2026) and one note per thematic file joined.

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
                f"fichiers d'identité trouvés : {found}"
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
        ignored = fr_count(
            orphans, "ligne sans fiche d'identité ignorée", "lignes sans fiche d'identité ignorées"
        )
        notes.append(
            f"fichier thématique « {theme.filename} » joint sur ID_UNIQUE"
            + (f" ({ignored})" if orphans else "")
        )
    frame[CENSUS_TYPOLOGY] = [";".join(dict.fromkeys(t for t in v.split(";") if t)) for v in typology]
    frame[CENSUS_ACTIVITIES] = [";".join(dict.fromkeys(t for t in v.split(";") if t)) for v in activities]
    return frame, file_format, notes


def prepare_import(tables: Sequence[RawTable]) -> PreparedImport:
    """Recognise the format of one or several files read by :func:`geo.io.upload.read_upload`.

    Census files (identity + thematic files) are joined and get their fixed mapping; any
    other list must come alone and gets a suggested mapping for the user to confirm.

    Raises
    ------
    DataValidationError
        If no file is given, several non-census files are given, census files come with
        another list, or the table has no row.
    """
    if not tables:
        raise DataValidationError("fichier importé", ["aucun fichier"])
    dropped = tuple(dict.fromkeys(c for t in tables for c in t.dropped_columns))
    notes = [f"{t.filename} : {n}" for t in tables for n in t.notes]
    label = " + ".join(t.filename for t in tables)
    thematic: tuple[str, ...] = ()
    formats = [census_format(t.frame) for t in tables]
    if any(f is not None for f in formats):
        others = [t.filename for t, f in zip(tables, formats, strict=True) if f is None]
        if others:
            raise DataValidationError(
                label,
                [
                    "fichiers du recensement et autre liste mêlés : importez à part "
                    + ", ".join(f"« {name} »" for name in others)
                ],
            )
        frame, file_format, census_notes = combine_census(tables)
        mapping = census_mapping(frame, file_format)
        notes += census_notes
        unit = "ligne"
        thematic = tuple(t.filename for t in tables if census_format(t.frame) == "theme")
        if not thematic:
            notes.append(
                "aucun fichier thématique du recensement : les thèmes ne viendront que des noms et "
                "descriptions (indicatif) ; déposez aussi les fichiers « activités » pour des thèmes fiables"
            )
    else:
        if len(tables) > 1:
            raise DataValidationError(
                label,
                ["importez une seule liste à la fois (plusieurs fichiers seulement pour le recensement)"],
            )
        frame = tables[0].frame
        file_format = FORMAT_GENERIC
        mapping = suggest_mapping(c for c in frame.columns if c not in RESERVED)
        unit = tables[0].unit
    if frame.empty:
        raise DataValidationError(label, ["le fichier ne contient aucune ligne de données"])
    return PreparedImport(
        frame, label, file_format, mapping, dropped, tuple(notes), unit=unit, thematic_files=thematic
    )


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
