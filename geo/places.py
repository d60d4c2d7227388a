"""One schema for every list of tiers-lieux, and the readers of the raw official formats.

Each reader turns a raw file into *records* (a DataFrame with the columns of
:data:`RECORD_COLUMNS`); :func:`places_from_records` then completes them the same way for
every source — bundled, refreshed or imported by a user: INSEE code by point-in-polygon where
missing, département / région / zone from the commune, themes from the documented rules,
possible duplicates flagged (never dropped).
"""

from __future__ import annotations

import html
import json
import re
from difflib import SequenceMatcher
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.catalog import PLACE_SOURCES
from geo.crs import WGS84, zone_from_dep
from geo.themes import THEMES, derive_themes, normalize_text

RECORD_COLUMNS: tuple[str, ...] = (
    "source",
    "source_id",
    "name",
    "description",
    "label",
    "source_typology",
    "code_insee",
    "lon",
    "lat",
    "location_precision",
    "url",
)
"""Columns a reader must produce; missing text is ``""``, missing coordinates NaN."""

PRECISION_ADDRESS = "adresse"
PRECISION_COMMUNE = "centroide_commune"
PRECISIONS: dict[str, str] = {
    PRECISION_ADDRESS: "adresse (géocodée)",
    PRECISION_COMMUNE: "centroïde de la commune (approximatif)",
}

LABEL_FABRIQUE = "Fabrique de territoire"
LABEL_MANUFACTURE = "Manufacture de proximité"

_MAX_NAME_LENGTH = 120


def _clean_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = html.unescape(str(value)).replace("\r", "")
    return text.strip()


def _normalize_insee(value: object) -> str:
    """INSEE code as a 5-character string, ``""`` when absent or "0"."""
    text = _clean_text(value)
    if text in {"", "0", "nan"}:
        return ""
    if text.isdigit() and len(text) < 5:
        text = text.zfill(5)
    return text.upper()


def records_from_cget(path: Path) -> pd.DataFrame:
    """Records of the CGET 2019 national list (``cget_tierslieux_2019_sans_contacts.csv``)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame(
        {
            "source": "cget_2019",
            "source_id": raw["ID"].map(_clean_text),
            "name": raw["NOM_TL"].map(_clean_text),
            "description": "",
            "label": "",
            "source_typology": raw["TYPO"].map(_clean_text),
            "code_insee": raw["INSEECOM"].map(_normalize_insee),
            "lon": pd.to_numeric(raw["LONG"], errors="coerce"),
            "lat": pd.to_numeric(raw["LAT"], errors="coerce"),
            "location_precision": PRECISION_ADDRESS,
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
                    "code_insee": _normalize_insee(props.get("id_geo")),
                    "lon": float(coords[0]) if len(coords) == 2 else np.nan,
                    "lat": float(coords[1]) if len(coords) == 2 else np.nan,
                    "location_precision": PRECISION_COMMUNE,
                    "url": "",
                }
            )
    return pd.DataFrame(rows, columns=list(RECORD_COLUMNS))


def _insee_by_point_in_polygon(
    lon: pd.Series, lat: pd.Series, commune_polygons: gpd.GeoDataFrame
) -> pd.Series:
    points = gpd.GeoDataFrame(index=lon.index, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    joined = gpd.sjoin(points, commune_polygons[["code_insee", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    return joined["code_insee"].fillna("").astype(str)


def places_from_records(
    records: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    commune_polygons: gpd.GeoDataFrame,
    *,
    vintage: str | None = None,
    licence: str | None = None,
) -> gpd.GeoDataFrame:
    """Complete raw records into the places schema of the catalogue.

    Parameters
    ----------
    records
        Columns of :data:`RECORD_COLUMNS`.
    communes
        The ``communes`` dataset (points, with ``dep``, ``reg``, ``zone``).
    commune_polygons
        The ``communes_polygons`` dataset, to give an INSEE code to points that lack one.
    vintage, licence
        For sources outside :data:`geo.catalog.PLACE_SOURCES` (an import).

    Returns
    -------
    GeoDataFrame in EPSG:4326, one row per place. Places whose INSEE code cannot be found
    keep ``code_insee == ""``; places with no coordinates take their commune's point and
    are flagged ``centroide_commune``; the caller decides what to do with places that have
    neither (see :func:`unlocated_places`).
    """
    places = records.reindex(columns=list(RECORD_COLUMNS)).copy()
    for column in RECORD_COLUMNS:
        if column not in ("lon", "lat"):
            places[column] = places[column].fillna("").astype(str)
    places["lon"] = pd.to_numeric(places["lon"], errors="coerce")
    places["lat"] = pd.to_numeric(places["lat"], errors="coerce")

    known = set(communes["code_insee"])
    has_point = places["lon"].notna() & places["lat"].notna()
    needs_code = ~places["code_insee"].isin(known) & has_point
    if needs_code.any():
        found = _insee_by_point_in_polygon(
            places.loc[needs_code, "lon"], places.loc[needs_code, "lat"], commune_polygons
        )
        places.loc[needs_code, "code_insee"] = found.where(found != "", places.loc[needs_code, "code_insee"])

    by_code = communes.set_index("code_insee")
    missing_point = ~has_point & places["code_insee"].isin(known)
    if missing_point.any():
        centres = by_code.loc[places.loc[missing_point, "code_insee"], "geometry"]
        places.loc[missing_point, "lon"] = centres.x.to_numpy()
        places.loc[missing_point, "lat"] = centres.y.to_numpy()
        places.loc[missing_point, "location_precision"] = PRECISION_COMMUNE

    attrs = by_code.reindex(places["code_insee"])[["dep", "reg", "epci_siren"]]
    for column in ("dep", "reg", "epci_siren"):
        places[column] = attrs[column].fillna("").to_numpy()
    places["zone"] = places["dep"].map(lambda d: zone_from_dep(d) if d else "")

    theme_routes = [
        derive_themes(
            name=row.name, description=row.description, typology=row.source_typology, label=row.label
        )
        for row in places[["name", "description", "source_typology", "label"]].itertuples()
    ]
    for code in THEMES:
        places[f"theme_{code}"] = [routes.get(code, "") for routes in theme_routes]
    places["themes"] = [";".join(t for t in THEMES if t in routes) for routes in theme_routes]

    source_info = [PLACE_SOURCES.get(code) for code in places["source"]]
    places["vintage"] = [s.vintage if s else (vintage or "") for s in source_info]
    places["licence"] = [s.licence if s else (licence or "") for s in source_info]
    places["place_id"] = places["source"] + ":" + places["source_id"]
    places["possible_duplicate_of"] = flag_possible_duplicates(places)

    columns = ["place_id", *[c for c in places.columns if c != "place_id"]]
    return gpd.GeoDataFrame(
        places[columns], geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs=WGS84
    )


def unlocated_places(places: pd.DataFrame) -> pd.Series:
    """Mask of the places with no usable point (no coordinates and no known commune)."""
    return places["lon"].isna() | places["lat"].isna()


def _name_key(name: str) -> str:
    text = normalize_text(name)
    text = re.sub(r"\b(tiers[- ]?lieux?|le|la|les|l|de|du|des|d|et)\b", " ", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def flag_possible_duplicates(places: pd.DataFrame, *, min_similarity: float = 0.8) -> pd.Series:
    """For each place, the ids of places **of another source** that may be the same place.

    Two places are possible duplicates when they are in the same commune and their
    normalised names are similar (:class:`difflib.SequenceMatcher` ratio ≥ ``min_similarity``,
    or one contained in the other). Flagged, never dropped: the user decides.

    Returns
    -------
    Series of « ; »-joined place ids (``""`` when none), aligned on ``places``.
    """
    flags = pd.Series("", index=places.index, dtype=object)
    coded = places[places["code_insee"] != ""]
    # Only communes holding several sources can have flags: skip the others without iterating.
    coded = coded[coded.groupby("code_insee")["source"].transform("nunique") > 1]
    keys = coded["name"].map(_name_key)
    for _, group in coded.groupby("code_insee"):
        for i in group.index:
            matches = []
            for j in group.index:
                if i == j or group.at[i, "source"] == group.at[j, "source"]:
                    continue
                a, b = keys[i], keys[j]
                if not a or not b:
                    continue
                similar = SequenceMatcher(None, a, b).ratio() >= min_similarity
                contained = len(min(a, b, key=len)) >= 5 and (a in b or b in a)
                if similar or contained:
                    matches.append(str(group.at[j, "place_id"]))
            flags[i] = ";".join(matches)
    return flags


def france_services_from_csv(path: Path, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The France services list as points, with commune, département and zone."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = pd.DataFrame(
        {
            "fs_id": raw["id_fs"].map(_clean_text),
            "name": raw["lib_fs"].map(_clean_text),
            "code_insee": raw["insee_com"].map(_normalize_insee),
            "type_fs": raw["type_fs"].map(_clean_text),
            "format_fs": raw["format_fs"].map(_clean_text),
            "lon": pd.to_numeric(raw["longitude"], errors="coerce"),
            "lat": pd.to_numeric(raw["latitude"], errors="coerce"),
        }
    )
    by_code = communes.set_index("code_insee")
    deps = by_code["dep"].reindex(frame["code_insee"]).to_numpy()
    frame["dep"] = np.where(pd.isna(deps), raw["insee_dep"].to_numpy(), deps).astype(str)
    frame["zone"] = frame["dep"].map(zone_from_dep)
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=WGS84)
