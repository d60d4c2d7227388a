"""One schema for every list of tiers-lieux, and the readers of the raw official formats.

Each reader turns a raw file into *records* (a DataFrame with the columns of
:data:`RECORD_COLUMNS`); :func:`places_from_records` then completes them the same way for
every source — bundled, refreshed or imported by a user: the commune and the verdict of
:func:`geo.io.placement.place_rows`, département / région / zone from the commune, themes from the
documented rules. Rows that are the same place are merged afterwards by
:func:`geo.io.linkage.link_places`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._errors import DataValidationError
from geo.crs import WGS84, ZONES, zone_from_dep
from geo.io.catalog import PLACE_SOURCES
from geo.io.placement import (
    ALTERNATIVE_COLUMNS,
    PRECISION_ADDRESS,
    PRECISION_APPROXIMATE,
    PRECISION_COMMUNE,
    VERDICT_UNPLACED,
    CommuneLocator,
    choose_locations,
    normalize_insee,
    parse_coordinates,
    place_rows,
)
from geo.themes import THEMES, derive_themes

RECORD_COLUMNS: tuple[str, ...] = (
    "source",
    "source_id",
    "name",
    "description",
    "label",
    "source_typology",
    "code_insee",
    "postcode",
    "commune",
    "departement",
    "region",
    "lon",
    "lat",
    "location_precision",
    "url",
)
"""Columns of a record; missing text is ``""``, missing coordinates NaN. ``code_insee``,
``postcode``, ``commune`` (name), ``departement`` and ``region`` are what the source declares
(a reader may leave the last three out), checked against the point by
:func:`geo.io.placement.place_rows`."""

DECLARATION_COLUMNS = ("postcode", "commune", "departement", "region")
"""Record columns that only serve to check the location: not kept in the places."""

LABEL_FABRIQUE = "Fabrique de territoire"
LABEL_MANUFACTURE = "Manufacture de proximité"

_MAX_NAME_LENGTH = 120

_EMAIL_AT = re.compile(r"@|\s?[\[(]\s?(?:at|arobase)\s?[\])]\s?", flags=re.IGNORECASE)
_EMAIL_LOCAL = re.compile(r"[\w.+-]{1,64}$")
_EMAIL_DOMAIN = re.compile(
    r"[\w-]{1,63}(?:(?:\.|\s?[\[(]\s?(?:dot|point)\s?[\])]\s?)[\w-]{1,63}){1,8}", flags=re.IGNORECASE
)
"""An e-mail address, also written « nom [at] domaine.fr » or « nom (arobase) domaine (point) fr »: found
from its « @ » (or « [at] »), so that a long cell (an embedded image is one long word) costs one pass."""
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{2,3}[\s.-]?(?:\(0\)[\s.-]?)?\d(?:[\s.-]?\d){6,11}"
    r"|0[1-9](?:[\s.-]?\d{2}){4}"
    r")(?!\d)"
)
"""A phone number: French (« 06 12 34 56 78 », « 01.23.45.67.89 ») or international (« +33 (0)6 12 34 56 78 »,
« +262 262 12 34 56 », « 0041 22 123 45 67 »)."""


def scrub_contacts(text: str) -> str:
    """Free text with e-mail addresses and phone numbers masked (personal data, never shown)."""
    return _PHONE_RE.sub("[téléphone retiré]", _mask_emails(text))


def _mask_emails(text: str) -> str:
    parts: list[str] = []
    done = 0
    for at in _EMAIL_AT.finditer(text):
        if at.start() < done:
            continue
        local = _EMAIL_LOCAL.search(text, max(done, at.start() - 64), at.start())
        domain = _EMAIL_DOMAIN.match(text, at.end())
        if local is None or domain is None:
            continue
        parts += [text[done : local.start()], "[courriel retiré]"]
        done = domain.end()
    return "".join(parts) + text[done:] if parts else text


def _clean_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = html.unescape(str(value)).replace("\r", "")
    return text.strip()


_CGET_POOR_SCORE = 0.5
"""CGET 2019 geocoder scores below this are street- or town-level matches (``approximatif``)."""
_CGET_POOR_LEVELS = {"4", "6"}
"""CGET 2019 rows geocoded with a level code (4, 6, 8, 9): 4 and 6 are town- or street-level."""


def _cget_precision(raw: pd.DataFrame) -> pd.Series:
    """``adresse`` or ``approximatif`` from the CGET geocoder's ``PRECISION`` score or level.

    Rows without a score were placed by hand (``PLACE A LA MAIN``) or added after the mission
    with their own coordinates: both count as address-level.
    """
    score = pd.to_numeric(raw["PRECISION"], errors="coerce")
    poor = (score < _CGET_POOR_SCORE) | raw["PRECISION"].str.strip().isin(_CGET_POOR_LEVELS)
    return pd.Series(np.where(poor, PRECISION_APPROXIMATE, PRECISION_ADDRESS), index=raw.index, dtype=object)


def records_from_cget(path: Path) -> pd.DataFrame:
    """Records of the CGET 2019 national list (``cget_tierslieux_2019_sans_contacts.csv``).

    The declared commune is ``INSEECOM`` and ``CP``; ``INSEEDEP`` / ``INSEEREG`` are not used:
    the producer derived them, and they are wrong for the overseas rows (« 2A » for La Réunion).
    """
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "source": "cget_2019",
            "source_id": raw["ID"].map(_clean_text),
            "name": raw["NOM_TL"].map(_clean_text),
            "description": "",
            "label": "",
            "source_typology": raw["TYPO"].map(_clean_text),
            "code_insee": raw["INSEECOM"].map(normalize_insee),
            "postcode": raw["CP"].map(_clean_text),
            "lon": pd.to_numeric(raw["LONG"], errors="coerce"),
            "lat": pd.to_numeric(raw["LAT"], errors="coerce"),
            "location_precision": _cget_precision(raw),
            "url": raw["WEB"].map(_clean_text),
        }
    )


def _split_names(ids: list[str], text: str) -> list[tuple[str, str]]:
    """Pair each place id with (name, description) from a « ; »-joined text.

    When the counts differ (a name holding « ; », or one name for several ids) the whole
    text is kept for every id rather than guessing a split.
    """
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != len(ids):
        parts = [text] * len(ids)
    pairs = []
    for part in parts:
        lines = [line.strip() for line in part.split("\n") if line.strip()]
        name = lines[0] if lines else ""
        if len(name) > _MAX_NAME_LENGTH:
            name = name[: _MAX_NAME_LENGTH - 1].rstrip() + "…"
        description = part if len(lines) > 1 or name != part else ""
        pairs.append((name, description))
    return pairs


def records_from_anct_per_commune(path: Path, *, source: str, label: str) -> pd.DataFrame:
    """Records of an ANCT « one feature per commune » GeoJSON, one row per place.

    ``id_territoire`` holds the place ids joined by "; " and ``lib_territoire`` their names;
    the point is the commune centroid, so every row is flagged ``centroide_commune``.
    A feature with an empty geometry keeps its commune code (the point is then taken
    from the commune by :func:`places_from_records`).
    """
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    rows: list[dict[str, object]] = []
    for feature in collection["features"]:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        coords = geometry.get("coordinates") or [np.nan, np.nan]
        ids = [i.strip() for i in _clean_text(props.get("id_territoire")).split(";") if i.strip()]
        text = _clean_text(props.get("lib_territoire"))
        for place_id, (name, description) in zip(ids, _split_names(ids, text), strict=True):
            rows.append(
                {
                    "source": source,
                    "source_id": place_id,
                    "name": name,
                    "description": description,
                    "label": label,
                    "source_typology": "",
                    "code_insee": normalize_insee(props.get("id_geo")),
                    "postcode": "",
                    "lon": float(coords[0]) if len(coords) == 2 else np.nan,
                    "lat": float(coords[1]) if len(coords) == 2 else np.nan,
                    "location_precision": PRECISION_COMMUNE,
                    "url": "",
                }
            )
    return pd.DataFrame(rows, columns=list(RECORD_COLUMNS))


def places_from_records(
    records: pd.DataFrame,
    locator: CommuneLocator,
    *,
    vintage: str | None = None,
    licence: str | None = None,
    alternatives: bool = False,
) -> gpd.GeoDataFrame:
    """Complete raw records into the places schema of the catalogue.

    Parameters
    ----------
    records
        Columns of :data:`RECORD_COLUMNS`.
    locator
        The communes under their spatial index (:func:`geo.io.placement.commune_locator`).
    vintage, licence
        For sources outside :data:`geo.io.catalog.PLACE_SOURCES` (an import).
    alternatives
        Keep the :data:`geo.io.placement.ALTERNATIVE_COLUMNS` (for :func:`relocate_places`).

    Returns
    -------
    GeoDataFrame in EPSG:4326, one row per record, with the commune, point and verdict of
    :func:`geo.io.placement.place_rows` (``placement``, ``placement_note``,
    ``placement_distance_m``). Records that cannot be placed keep ``code_insee == ""`` and no
    point: the caller decides what to do with them (see :func:`unlocated_places`).
    """
    places = _text_columns(records)
    for column in ("name", "description"):
        places[column] = places[column].map(scrub_contacts)
    placed = place_rows(
        locator,
        places["lon"],
        places["lat"],
        places["location_precision"].replace("", PRECISION_ADDRESS),
        declared_code=places["code_insee"],
        declared_name=places["commune"],
        postcode=places["postcode"],
        declared_dep=places["departement"],
        declared_reg=places["region"],
        text=places["name"] + " " + places["description"],
        alternatives=alternatives,
    )
    for column, values in placed.items():
        places[column] = values
    _add_commune_attributes(places, locator)
    _add_themes(places)
    _add_provenance(places, vintage=vintage, licence=licence)
    columns = ["place_id", *[c for c in places.columns if c not in ("place_id", *DECLARATION_COLUMNS)]]
    return gpd.GeoDataFrame(
        places[columns], geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs=WGS84
    )


def _add_commune_attributes(places: pd.DataFrame, locator: CommuneLocator) -> None:
    """``dep``, ``reg``, ``epci_siren`` and ``zone`` of each place's commune."""
    attrs = locator.communes.reindex(places["code_insee"])[["dep", "reg", "epci_siren"]]
    for column in ("dep", "reg", "epci_siren"):
        places[column] = attrs[column].fillna("").to_numpy()
    places["zone"] = places["dep"].map(lambda d: zone_from_dep(d) if d else "")


def relocate_places(
    places: gpd.GeoDataFrame, locator: CommuneLocator, choices: Mapping[str, str]
) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Places from :func:`places_from_records` (``alternatives=True``) with a user's choice for
    each kind of inconsistent rows applied (:func:`geo.io.placement.choose_locations`).

    Returns
    -------
    (places, rejected)
        The places without the alternative columns, their commune, point and territory as
        chosen; and the mask of the rows the user chose to reject.
    """
    chosen, rejected = choose_locations(
        pd.DataFrame(places.drop(columns=places.geometry.name)), locator, choices
    )
    out = chosen.drop(columns=list(ALTERNATIVE_COLUMNS))
    _add_commune_attributes(out, locator)
    relocated = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=WGS84)
    return relocated[list(places.drop(columns=list(ALTERNATIVE_COLUMNS)).columns)], rejected


def _text_columns(records: pd.DataFrame) -> pd.DataFrame:
    places = records.reindex(columns=list(RECORD_COLUMNS), fill_value="").copy()
    for column in RECORD_COLUMNS:
        if column not in ("lon", "lat"):
            places[column] = places[column].astype(object).fillna("").astype(str)
    places["lon"] = pd.to_numeric(places["lon"], errors="coerce")
    places["lat"] = pd.to_numeric(places["lat"], errors="coerce")
    return places


def _add_themes(places: pd.DataFrame) -> None:
    theme_routes = [
        derive_themes(
            name=row.name, description=row.description, typology=row.source_typology, label=row.label
        )
        for row in places[["name", "description", "source_typology", "label"]].itertuples()
    ]
    for code in THEMES:
        places[f"theme_{code}"] = [routes.get(code, "") for routes in theme_routes]
    places["themes"] = [";".join(t for t in THEMES if t in routes) for routes in theme_routes]


def _add_provenance(places: pd.DataFrame, *, vintage: str | None, licence: str | None) -> None:
    source_info = [PLACE_SOURCES.get(code) for code in places["source"]]
    places["vintage"] = [s.vintage if s else (vintage or "") for s in source_info]
    places["licence"] = [s.licence if s else (licence or "") for s in source_info]
    places["place_id"] = places["source"] + ":" + places["source_id"]
    places["source_records"] = places["place_id"]
    places["sources"] = places["source"]
    places["aliases"] = ""
    places["possible_duplicate_of"] = ""


def unlocated_places(places: pd.DataFrame) -> pd.Series:
    """Mask of the places that cannot be counted: no point, or outside the six zones."""
    return (
        (places["placement"] == VERDICT_UNPLACED)
        | places["lon"].isna()
        | places["lat"].isna()
        | ~places["zone"].isin(list(ZONES))
    )


OUTSIDE_ZONES = "hors des six zones de l'Atlas"
"""Reason of a place refused without a placement note: its point is outside the six zones."""


def split_unlocated(places: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The places that can be counted, and the others as rows of ``rejected_rows.csv`` with their reason
    (the build and the refresh write them there: nothing is dropped silently)."""
    bad = unlocated_places(places)
    notes = places.loc[bad, "placement_note"]
    rejected = pd.DataFrame(
        {
            "dataset": "places",
            "identifiant": places.loc[bad, "place_id"],
            "nom": places.loc[bad, "name"],
            "raison": notes.where(notes != "", OUTSIDE_ZONES),
        }
    )
    return places[~bad], rejected


FRANCE_SERVICES_COLUMNS: dict[str, tuple[str, ...]] = {
    "fs_id": ("id_fs", "id", "identifiant", "id_france_services"),
    "name": ("lib_fs", "nom_fs", "nom", "libelle", "name"),
    "code_insee": ("insee_com", "code_insee", "code_commune", "insee"),
    "postcode": ("code_postal", "cp", "codepostal"),
    "type_fs": ("type_fs", "type"),
    "format_fs": ("format_fs", "format"),
    "lon": ("longitude", "lon", "lng", "x"),
    "lat": ("latitude", "lat", "y"),
}
"""Role → accepted column names (case-insensitive) of a France services list."""


def france_services_from_table(
    table: pd.DataFrame, locator: CommuneLocator
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The ``france_services`` dataset from any France services list read as text columns.

    Used by the data build (the bundled CSV) and the refresh (the current official file):
    columns are found by name (:data:`FRANCE_SERVICES_COLUMNS`), points are placed by
    :func:`geo.io.placement.place_rows` (address-level coordinates), and rows without a usable
    point, outside the six zones or with a missing or repeated identifier are returned apart
    with their reason.

    Raises
    ------
    DataValidationError
        If the identifier, name or coordinate columns are missing.
    """
    columns = _find_columns(table, FRANCE_SERVICES_COLUMNS)
    missing = [role for role in ("fs_id", "name", "lon", "lat") if columns[role] is None]
    if missing:
        problem = f"colonnes introuvables : {', '.join(missing)}"
        received = ", ".join(map(str, table.columns))
        raise DataValidationError("France services", [f"{problem} (colonnes reçues : {received})"])

    def text(role: str) -> pd.Series:
        column = columns[role]
        return table[column].map(_clean_text) if column else pd.Series("", index=table.index)

    lon, _ = parse_coordinates(text("lon"))
    lat, _ = parse_coordinates(text("lat"))
    placed = place_rows(
        locator, lon, lat, PRECISION_ADDRESS, declared_code=text("code_insee"), postcode=text("postcode")
    )
    frame = pd.DataFrame(
        {
            "fs_id": text("fs_id"),
            "name": text("name"),
            "type_fs": text("type_fs"),
            "format_fs": text("format_fs"),
        }
    )
    for column, values in placed.items():
        frame[column] = values
    frame["dep"] = frame["code_insee"].map(locator.communes["dep"]).fillna("")
    frame["zone"] = frame["dep"].map(lambda d: zone_from_dep(d) if d else "")
    return _split_services(frame)


def _find_columns(table: pd.DataFrame, roles: dict[str, tuple[str, ...]]) -> dict[str, str | None]:
    by_key = {str(c).strip().lower(): str(c) for c in table.columns}
    return {role: next((by_key[n] for n in names if n in by_key), None) for role, names in roles.items()}


def _split_services(frame: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    duplicated = frame["fs_id"].duplicated(keep="first") | (frame["fs_id"] == "")
    unplaced = unlocated_places(frame)
    bad = duplicated | unplaced
    reasons = np.where(
        duplicated,
        "identifiant absent ou en double",
        np.where(frame["placement_note"] != "", frame["placement_note"], OUTSIDE_ZONES),
    )
    rejected = pd.DataFrame(
        {
            "dataset": "france_services",
            "identifiant": frame.loc[bad, "fs_id"],
            "nom": frame.loc[bad, "name"],
            "raison": reasons[bad.to_numpy()],
        }
    )
    kept = frame[~bad].reset_index(drop=True)
    services = gpd.GeoDataFrame(kept, geometry=gpd.points_from_xy(kept["lon"], kept["lat"]), crs=WGS84)
    return services, rejected.reset_index(drop=True)
