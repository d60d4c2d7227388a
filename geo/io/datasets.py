"""The datasets on disk: read (bundled or refreshed copy), validated against the catalogue, returned
with a CRS; written back the same way (:func:`write_dataset`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TypedDict

import geopandas as gpd
import pandas as pd
import shapely

from geo._errors import DataValidationError
from geo.crs import WGS84
from geo.fmt import fr_count
from geo.io.catalog import BUNDLED_DIR, Dataset, dataset

LOCAL_DIR_ENV = "ATLAS_LOCAL_DATA"
"""Environment variable naming the folder of refreshed data that is preferred when present."""

DEFAULT_LOCAL_DIR = BUNDLED_DIR / "local"

FRANCE_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "metro": (-5.3, 41.3, 9.7, 51.2),
    "971": (-61.9, 15.8, -60.9, 16.6),
    "972": (-61.3, 14.3, -60.7, 15.0),
    "973": (-54.7, 2.0, -51.5, 6.0),
    "974": (55.2, -21.5, 55.9, -20.8),
    "976": (44.9, -13.1, 45.4, -12.5),
}
"""Bounding boxes (lon min, lat min, lon max, lat max) of each zone, in WGS84."""


def local_data_dir() -> Path:
    """Folder where ``make refresh`` writes newer official data (preferred when a file exists)."""
    return Path(os.environ.get(LOCAL_DIR_ENV, DEFAULT_LOCAL_DIR))


MANIFEST = "refresh.json"
"""File of the local data folder recording what ``make refresh`` wrote and when."""


class ManifestEntry(TypedDict):
    """What one refresh wrote for a dataset."""

    date: str
    rows: int
    rejected: int
    sources: dict[str, str]


def read_manifest(out_dir: Path | None = None) -> dict[str, ManifestEntry]:
    """What the last refreshes wrote: ``{dataset: {"date", "rows", "rejected", "sources"}}`` ({} if none)."""
    path = (out_dir or local_data_dir()) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    # A hand-edited or damaged file must not break a page: keep well-formed values only.
    entries: dict[str, ManifestEntry] = {}
    for name, info in data.items():
        if not isinstance(info, dict):
            continue
        sources = info.get("sources")
        entries[str(name)] = ManifestEntry(
            date=str(info.get("date", "date inconnue")),
            rows=_count(info.get("rows")),
            rejected=_count(info.get("rejected")),
            sources={str(k): str(v) for k, v in sources.items()} if isinstance(sources, dict) else {},
        )
    return entries


def _count(value: object) -> int:
    try:
        return max(int(str(value)), 0)
    except ValueError:
        return 0


def refreshed_on(name: str) -> str | None:
    """Date (« 02/11/2026 ») of the refreshed copy of dataset ``name`` in use, ``None`` if bundled."""
    entry = dataset(name)
    if dataset_path(name) != local_data_dir() / entry.filename:
        return None
    info = read_manifest().get(name)
    return info["date"] if info else "date inconnue"


def dataset_path(name: str, *, data_dir: Path | None = None) -> Path:
    """Path of dataset ``name``: ``data_dir`` if given, else the refreshed copy, else the bundled one."""
    entry = dataset(name)
    if data_dir is not None:
        return Path(data_dir) / entry.filename
    refreshed = local_data_dir() / entry.filename
    return refreshed if refreshed.exists() else BUNDLED_DIR / entry.filename


def in_france(lon: pd.Series, lat: pd.Series) -> pd.Series:
    """Boolean mask of the coordinates inside one of the zones of :data:`FRANCE_BOUNDS`."""
    inside = pd.Series(False, index=lon.index)
    for xmin, ymin, xmax, ymax in FRANCE_BOUNDS.values():
        inside |= lon.between(xmin, xmax) & lat.between(ymin, ymax)
    return inside


def _dtype_problem(series: pd.Series, kind: str) -> bool:
    if kind == "number":
        return not pd.api.types.is_numeric_dtype(series)
    if kind == "bool":
        return not pd.api.types.is_bool_dtype(series)
    return not (pd.api.types.is_string_dtype(series) or series.dtype == object)


def validation_problems(frame: pd.DataFrame, entry: Dataset) -> list[str]:
    """Every problem of ``frame`` against the catalogue ``entry``, as French sentences.

    Checks the columns, their types, the key (present, unique), and for geographic
    datasets the CRS, null / empty / invalid geometries, geometry types and, for points,
    coordinates outside France.
    """
    problems = [*_column_problems(frame, entry), *_key_problems(frame, entry)]
    if entry.geometry is not None:
        problems += _geometry_problems(frame, entry, entry.geometry)
    return problems


def _column_problems(frame: pd.DataFrame, entry: Dataset) -> list[str]:
    problems: list[str] = []
    missing = [c for c in entry.required_columns if c not in frame.columns]
    if missing:
        problems.append(f"colonnes manquantes : {', '.join(missing)}")
    for column, kind in entry.dtypes.items():
        if column in frame.columns and _dtype_problem(frame[column], kind):
            problems.append(f"la colonne « {column} » n'est pas de type {kind} ({frame[column].dtype})")
    return problems


def _key_problems(frame: pd.DataFrame, entry: Dataset) -> list[str]:
    if entry.key not in frame.columns:
        return []
    problems: list[str] = []
    keys = frame[entry.key]
    if keys.isna().any():
        problems.append(f"{fr_count(int(keys.isna().sum()), 'ligne')} sans identifiant « {entry.key} »")
    duplicated = keys[keys.duplicated() & keys.notna()].unique().tolist()
    if duplicated:
        shown = ", ".join(map(str, duplicated[:5]))
        problems.append(f"{fr_count(len(duplicated), 'identifiant')} « {entry.key} » en double : {shown}")
    return problems


def _geometry_problems(frame: pd.DataFrame, entry: Dataset, expected: str) -> list[str]:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
        return ["pas de colonne de géométrie"]
    problems: list[str] = []
    if frame.crs is None:
        problems.append("système de coordonnées (CRS) absent")
    geoms = frame.geometry
    null = geoms.isna() | geoms.is_empty
    if null.any() and not entry.missing_geometry_allowed:
        problems.append(fr_count(int(null.sum()), "géométrie nulle ou vide", "géométries nulles ou vides"))
    present = geoms[~null]
    invalid = ~shapely.is_valid(present.values)
    if invalid.any():
        problems.append(fr_count(int(invalid.sum()), "géométrie invalide", "géométries invalides"))
    families = present.geom_type.str.replace("Multi", "", regex=False).unique().tolist()
    wrong = [f for f in families if f != expected]
    if wrong:
        problems.append(f"types de géométrie inattendus : {', '.join(wrong)} (attendu : {expected})")
    if expected == "Point" and frame.crs is not None:
        problems += _outside_france_problems(present[present.geom_type == "Point"])
    return problems


def _outside_france_problems(points: gpd.GeoSeries) -> list[str]:
    if not len(points):
        return []
    points = points.to_crs(WGS84) if points.crs != WGS84 else points
    outside = ~in_france(pd.Series(points.x), pd.Series(points.y))
    return [f"{fr_count(int(outside.sum()), 'point')} hors de France"] if outside.any() else []


LINKAGE_EXCEPTIONS = "linkage_exceptions.csv"
"""Reviewed record-linkage decisions (bundled ``data/``), applied by the build and the refresh."""
LINKAGE_DECISIONS = "linkage_decisions.csv"
"""Every record-linkage decision of the bundled places, written by the build."""


def read_linkage_exceptions(folder: Path | None = None) -> pd.DataFrame:
    """The reviewed linkage exceptions (empty when the file is absent)."""
    path = (folder or BUNDLED_DIR) / LINKAGE_EXCEPTIONS
    if not path.exists():
        return pd.DataFrame(columns=["place_id_a", "place_id_b", "decision", "motif"])
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_linkage_decisions(folder: Path | None = None) -> pd.DataFrame:
    """The linkage decisions of the places in use (refreshed copy first, else bundled; empty if none)."""
    candidates = [folder] if folder else [local_data_dir(), BUNDLED_DIR]
    for candidate in candidates:
        path = candidate / LINKAGE_DECISIONS
        if path.exists():
            return pd.read_csv(path, dtype={"place_id_a": str, "place_id_b": str}, keep_default_na=False)
    return pd.DataFrame(columns=["decision"])


def validate(frame: pd.DataFrame, name: str) -> None:
    """Raise :class:`DataValidationError` listing every problem of ``frame`` against dataset ``name``."""
    entry = dataset(name)
    problems = validation_problems(frame, entry)
    if problems:
        raise DataValidationError(entry.title, problems)


def write_dataset(frame: pd.DataFrame, name: str, out_dir: Path) -> Path:
    """Validate ``frame`` against dataset ``name``, then write it to ``out_dir`` as (Geo)Parquet.

    Written atomically (a reader never sees half a file), zstd-compressed, without the covering
    bounding-box column. Returns the path written.
    """
    validate(frame, name)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / dataset(name).filename
    tmp = target.with_suffix(".tmp")
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(tmp, index=False, compression="zstd", write_covering_bbox=False)
    else:
        frame.to_parquet(tmp, index=False, compression="zstd")
    os.replace(tmp, target)
    return target


def read_dataset(name: str, *, data_dir: Path | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read dataset ``name`` from GeoParquet / Parquet, validate it, and return it.

    Parameters
    ----------
    name
        A key of :data:`geo.io.catalog.DATASETS`.
    data_dir
        Folder to read from; by default the refreshed data folder when it holds the file,
        else the bundled ``data/``.

    Returns
    -------
    GeoDataFrame (EPSG:4326) for geographic datasets, DataFrame for plain tables.

    Raises
    ------
    DataValidationError
        If the file is missing, unreadable or fails validation (all problems listed).
    """
    entry = dataset(name)
    path = dataset_path(name, data_dir=data_dir)
    if not path.exists():
        raise DataValidationError(entry.title, [f"fichier introuvable : {path}"])
    try:
        frame = gpd.read_parquet(path) if entry.geometry else pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise DataValidationError(entry.title, [f"lecture impossible de {path.name} : {exc}"]) from exc
    validate(frame, name)
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs != WGS84:
        frame = frame.to_crs(WGS84)
    return frame
