"""Parsers of the official files: each turns the bytes of one source into the bundled schema, its
refused rows kept with their reason, or says in French how the format changed."""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import shapely

from geo._errors import DataValidationError
from geo.crs import WGS84, ZONES, zone_from_dep
from geo.io.catalog import DATASETS
from geo.io.import_mapping import prepare_import, suggest_mapping
from geo.io.importer import ImportResult, import_places
from geo.io.placement import CommuneLocator, normalize_insee
from geo.io.places import (
    france_services_from_table,
    places_from_records,
    records_from_anct_per_commune,
    split_unlocated,
)
from geo.io.refresh.sources import MAX_DOWNLOAD_BYTES, SOURCES, format_error
from geo.io.upload import read_upload


def qpv_polygons_from_zip(data: bytes) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """QPV 2024 outlines from the official zip (``GEOJSON/QP2024_…_WGS84.geojson``).

    Returns
    -------
    (outlines, rejected)
        Outlines with ``code_qp``, ``lib_qp``, ``dep``, ``zone`` (from ``insee_dep``) and
        ``codes_insee`` (``insee_com``, « ; »-separated); rows outside the six zones rejected.

    Raises
    ------
    SourceFormatError
        If the zip has no GeoJSON or the documented fields are missing.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(m.file_size for m in archive.infolist())
            if total > MAX_DOWNLOAD_BYTES * 4:
                raise format_error("qpv_polygons", ["archive anormalement volumineuse une fois décompressée"])
            members = [
                m
                for m in archive.infolist()
                if PurePosixPath(m.filename).suffix.lower() in (".geojson", ".json")
            ]
            if not members:
                raise format_error("qpv_polygons", ["aucun fichier GeoJSON dans l'archive"])
            members.sort(key=lambda m: ("QP2024" not in m.filename, "WGS84" not in m.filename, m.filename))
            content = archive.read(members[0])
    except zipfile.BadZipFile as exc:
        raise format_error("qpv_polygons", [f"le fichier reçu n'est pas une archive zip ({exc})"]) from exc
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="atlas-refresh-") as tmp:
        path = Path(tmp) / "qpv.geojson"
        path.write_bytes(content)
        try:
            raw = pyogrio.read_dataframe(path)
        except (RuntimeError, ValueError, OSError) as exc:
            raise format_error("qpv_polygons", [f"GeoJSON illisible : {exc}"]) from exc
    required = ("code_qp", "lib_qp", "insee_dep", "insee_com")
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise format_error("qpv_polygons", [f"champs absents : {', '.join(missing)}"])
    if raw.crs is None:
        raw = raw.set_crs(WGS84)
    raw = raw.to_crs(WGS84)
    geometry = shapely.make_valid(raw.geometry.to_numpy())
    deps = raw["insee_dep"].astype(str).str.strip().str.zfill(2)
    codes = [
        ";".join(normalize_insee(c) for c in str(v or "").split(";") if c.strip()) for v in raw["insee_com"]
    ]
    outlines = gpd.GeoDataFrame(
        {
            "code_qp": raw["code_qp"].astype(str).str.strip(),
            "lib_qp": raw["lib_qp"].fillna("").astype(str).str.strip(),
            "dep": deps,
            "zone": deps.map(zone_from_dep),
            "codes_insee": codes,
        },
        geometry=gpd.GeoSeries(geometry, crs=WGS84),
    )
    # make_valid can return collections: keep their polygonal parts only.
    outlines["geometry"] = [_polygonal(g) for g in outlines.geometry]
    bad = ~outlines["zone"].isin(list(ZONES)) | outlines.geometry.isna() | outlines.geometry.is_empty
    rejected = pd.DataFrame(
        {
            "dataset": "qpv_polygons",
            "identifiant": outlines.loc[bad, "code_qp"],
            "nom": outlines.loc[bad, "lib_qp"],
            "raison": "hors des six zones de l'Atlas ou sans contour",
        }
    )
    outlines = outlines[~bad].sort_values("code_qp", ignore_index=True)
    return outlines, rejected


def _polygonal(geometry: object) -> shapely.Geometry | None:
    if not isinstance(geometry, shapely.Geometry) or geometry.is_empty:
        return None
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in ("Polygon", "MultiPolygon") else None


def census_places(
    frames: Mapping[str, bytes], locator: CommuneLocator, *, vintage: str
) -> tuple[ImportResult, str]:
    """Census places (2026 identity if given, else 2023 identity + activities) and its source key."""
    key = "ftl_2026" if "ftl_2026" in frames else "ftl_2023"
    tables = [read_upload(frames[key], SOURCES[key].filename, max_bytes=MAX_DOWNLOAD_BYTES)]
    if key == "ftl_2023" and "ftl_2023_activites" in frames:
        tables.append(
            read_upload(
                frames["ftl_2023_activites"],
                SOURCES["ftl_2023_activites"].filename,
                max_bytes=MAX_DOWNLOAD_BYTES,
            )
        )
    prepared = prepare_import(tables)
    if not prepared.is_census:
        raise format_error(key, ["colonnes ID_UNIQUE, NOM et LATITUDE/LONGITUDE (ou Insee) introuvables"])
    result = import_places(prepared, locator, source=key, vintage=vintage, licence=DATASETS["places"].licence)
    return result, key


def programme_places(
    data: bytes,
    locator: CommuneLocator,
    *,
    source_key: str,
    code: str,
    label: str,
    vintage: str,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Places of an ANCT programme list: the « one feature per commune » GeoJSON, or any table."""
    licence = DATASETS["places"].licence
    head = data[:4096].lstrip()
    if head.startswith(b"{") and b"id_territoire" in data:
        with tempfile.TemporaryDirectory(prefix="atlas-refresh-") as tmp:
            path = Path(tmp) / "programme.geojson"
            path.write_bytes(data)
            try:
                records = records_from_anct_per_commune(path, source=code, label=label)
            except (ValueError, KeyError, TypeError) as exc:
                raise format_error(source_key, [f"GeoJSON illisible : {exc}"]) from exc
        return split_unlocated(places_from_records(records, locator, vintage=vintage, licence=licence))
    suffix = ".json" if head.startswith(b"{") else ".csv"
    if data.startswith(b"PK"):
        suffix = ".xlsx"
    table = read_upload(data, f"{source_key}{suffix}", max_bytes=MAX_DOWNLOAD_BYTES)
    prepared = prepare_import([table])
    mapping = prepared.mapping
    if not mapping.name or not mapping.can_locate():
        raise format_error(
            source_key,
            [
                "ni nom de lieu ni localisation reconnus parmi les colonnes : "
                + ", ".join(prepared.user_columns)
            ],
        )
    result = import_places(prepared, locator, source=code, label=label, vintage=vintage, licence=licence)
    return result.places, rejected_of(result, "places")


def rejected_of(result: ImportResult, name: str) -> pd.DataFrame:
    """The rows an import rejected, as rows of the refresh's ``rejected_rows.csv`` for dataset ``name``."""
    rejected = result.rejected
    column = result.name_column
    names = rejected[column] if column and column in rejected.columns else pd.Series("", index=rejected.index)
    return pd.DataFrame(
        {
            "dataset": name,
            "identifiant": "ligne " + rejected["ligne"].astype(str),
            "nom": names.astype(str),
            "raison": rejected["motif"],
        }
    )


def _find(mapping_guess: str | None, frame: pd.DataFrame, *candidates: str) -> str | None:
    keys = {str(c).strip().lower(): c for c in frame.columns}
    for candidate in candidates:
        if candidate in keys:
            return str(keys[candidate])
    return mapping_guess


def france_services_from_bytes(data: bytes, locator: CommuneLocator) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The France services list (any separator / encoding) as the ``france_services`` dataset,
    with the parser of the data build (:func:`geo.io.places.france_services_from_table`).

    Raises
    ------
    SourceFormatError
        If the identifier, name or coordinates columns cannot be found.
    """
    table = read_upload(data, "france_services.csv", max_bytes=MAX_DOWNLOAD_BYTES).frame
    try:
        return france_services_from_table(table, locator)
    except DataValidationError as exc:
        raise format_error("france_services", exc.problems) from exc


def pvd_from_bytes(data: bytes, communes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Petites villes de demain communes (``code_insee``, ``programme_id``).

    Raises
    ------
    SourceFormatError
        If no INSEE code column can be found.
    """
    suffix = ".xlsx" if data.startswith(b"PK") else ".csv"
    table = read_upload(data, f"pvd{suffix}", max_bytes=MAX_DOWNLOAD_BYTES).frame
    guess = suggest_mapping(table.columns)
    code_column = _find(guess.code_insee, table, "insee_com_2026", "insee_com", "code_insee")
    id_column = _find(None, table, "id_pvd", "programme_id", "id_programme", "id")
    if code_column is None:
        raise format_error(
            "pvd", [f"aucune colonne de code INSEE (colonnes reçues : {', '.join(table.columns)})"]
        )
    frame = pd.DataFrame(
        {
            "code_insee": table[code_column].map(normalize_insee),
            "programme_id": table[id_column].astype(str).str.strip() if id_column else "",
        }
    )
    known = frame["code_insee"].isin(set(communes["code_insee"]))
    name_column = guess.commune
    rejected = pd.DataFrame(
        {
            "dataset": "pvd",
            "identifiant": frame.loc[~known, "code_insee"],
            "nom": table.loc[~known, name_column] if name_column else "",
            "raison": "code commune absent du COG 2026 des six zones de l'Atlas",
        }
    )
    kept = frame[known].drop_duplicates("code_insee").sort_values("code_insee", ignore_index=True)
    if kept.empty:
        raise format_error("pvd", ["aucun code commune reconnu"])
    return kept, rejected
