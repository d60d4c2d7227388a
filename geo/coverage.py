"""Coverage kernel: distance from territories to the nearest tiers-lieu, and who is covered.

Distances are Euclidean, in metres, in the projected CRS of each zone (Lambert-93 for
metropolitan France, local UTM for each DROM): a commune of La Réunion is only ever
compared with places of La Réunion. Commune distances are measured from each commune's
*representative point* (a point guaranteed to lie inside its polygon), not from its
town hall nor from where its inhabitants live.
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geo._errors import InvalidParameterError
from geo.crs import ZONES, projected_crs_for_zone
from geo.territory import LEVEL_KEYS, LEVEL_NAMES

X, Y = "x_m", "y_m"


def with_projected_xy(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of ``frame`` (points, with a ``zone`` column) with ``x_m`` / ``y_m`` columns.

    Each row is projected into its zone's CRS; rows without geometry or zone get NaN.
    Done once at load time so that every later distance is plain numpy.
    """
    out = frame.copy()
    out[X] = np.nan
    out[Y] = np.nan
    for zone in ZONES:
        rows = (out["zone"] == zone) & out.geometry.notna() & ~out.geometry.is_empty
        if not rows.any():
            continue
        projected = out.loc[rows, out.geometry.name].to_crs(projected_crs_for_zone(zone))
        if (projected.geom_type != "Point").any():
            projected = projected.representative_point()
        out.loc[rows, X] = projected.x.to_numpy()
        out.loc[rows, Y] = projected.y.to_numpy()
    return out


def _check_radius(radius_km: float) -> None:
    if not np.isfinite(radius_km) or radius_km <= 0:
        raise InvalidParameterError(f"La distance doit être strictement positive (reçu : {radius_km} km).")


def nearest_distance_m(targets: pd.DataFrame, sources: pd.DataFrame) -> np.ndarray:
    """Distance in metres from each target to the nearest source of the same zone.

    Parameters
    ----------
    targets, sources
        Frames with ``zone``, ``x_m`` and ``y_m`` (see :func:`with_projected_xy`).

    Returns
    -------
    Array aligned on ``targets``; ``inf`` where the zone has no source or the target has
    no coordinates.
    """
    distances = np.full(len(targets), np.inf)
    target_zone = targets["zone"].to_numpy()
    source_zone = sources["zone"].to_numpy()
    target_xy = targets[[X, Y]].to_numpy()
    source_xy = sources[[X, Y]].to_numpy()
    for zone in ZONES:
        src = source_xy[(source_zone == zone) & ~np.isnan(source_xy).any(axis=1)]
        rows = np.flatnonzero((target_zone == zone) & ~np.isnan(target_xy).any(axis=1))
        if len(src) == 0 or len(rows) == 0:
            continue
        found, _ = cKDTree(src).query(target_xy[rows], k=1)
        distances[rows] = found
    return distances


def count_within(targets: pd.DataFrame, sources: pd.DataFrame, radius_km: float) -> np.ndarray:
    """Number of sources of the same zone within ``radius_km`` (inclusive) of each target."""
    _check_radius(radius_km)
    counts = np.zeros(len(targets), dtype=np.int64)
    target_zone = targets["zone"].to_numpy()
    source_zone = sources["zone"].to_numpy()
    target_xy = targets[[X, Y]].to_numpy()
    source_xy = sources[[X, Y]].to_numpy()
    for zone in ZONES:
        src = source_xy[(source_zone == zone) & ~np.isnan(source_xy).any(axis=1)]
        rows = np.flatnonzero((target_zone == zone) & ~np.isnan(target_xy).any(axis=1))
        if len(src) == 0 or len(rows) == 0:
            continue
        counts[rows] = cKDTree(src).query_ball_point(
            target_xy[rows], r=radius_km * 1000.0, return_length=True
        )
    return counts


def polygon_distance_m(polygons: gpd.GeoDataFrame, sources: pd.DataFrame) -> np.ndarray:
    """Distance in metres from each polygon (0 inside) to the nearest source of its zone.

    ``polygons`` needs a ``zone`` column; it is projected zone by zone. Used for QPV
    outlines when that layer is present.
    """
    distances = np.full(len(polygons), np.inf)
    source_zone = sources["zone"].to_numpy()
    for zone in ZONES:
        rows = np.flatnonzero((polygons["zone"] == zone).to_numpy())
        src = sources[(source_zone == zone) & sources[X].notna().to_numpy()]
        if len(rows) == 0 or len(src) == 0:
            continue
        shapes = polygons.iloc[rows].geometry.to_crs(projected_crs_for_zone(zone)).to_numpy()
        points = shapely.points(src[[X, Y]].to_numpy())
        tree = shapely.STRtree(points)
        (left, _), found = tree.query_nearest(shapes, return_distance=True, all_matches=False)
        distances[rows[left]] = found
    return distances


def coverage_of_points(
    targets: pd.DataFrame,
    places: pd.DataFrame,
    radius_km: float,
) -> pd.DataFrame:
    """Coverage of each target (commune, QPV, France services...) by ``places`` within ``radius_km``.

    Parameters
    ----------
    targets
        Points with ``zone``, ``x_m``, ``y_m`` (communes: their representative point).
    places
        The places to measure against (already filtered by theme), with ``zone``, ``x_m``, ``y_m``.
        Places outside the scope count: a commune at a border is covered by a place across it.
    radius_km
        Coverage distance (inclusive: a place exactly at ``radius_km`` covers).

    Returns
    -------
    DataFrame indexed like ``targets`` with ``distance_m`` (inf when none in the zone),
    ``n_within`` and ``covered`` (bool).
    """
    _check_radius(radius_km)
    distance = nearest_distance_m(targets, places)
    return pd.DataFrame(
        {
            "distance_m": distance,
            "n_within": count_within(targets, places, radius_km),
            "covered": distance <= radius_km * 1000.0,
        },
        index=targets.index,
    )


def coverage_by_theme(
    communes: pd.DataFrame, places: pd.DataFrame, radius_km: float, themes: Iterable[str]
) -> dict[str, pd.DataFrame]:
    """:func:`coverage_of_points` for all places (key ``"tous"``) and for each theme."""
    result = {"tous": coverage_of_points(communes, places, radius_km)}
    for theme in themes:
        subset = places[places[f"theme_{theme}"] != ""]
        result[theme] = coverage_of_points(communes, subset, radius_km)
    return result


def aggregate_coverage(
    communes: pd.DataFrame,
    coverage: pd.DataFrame,
    places_in_scope: pd.DataFrame,
    level: str,
) -> pd.DataFrame:
    """Coverage figures per territory of ``level`` (``reg``, ``dep``, ``epci``, ``commune``).

    Parameters
    ----------
    communes
        Communes of the scope (with ``population`` and the level codes / names).
    coverage
        Output of :func:`coverage_of_points` for those communes.
    places_in_scope
        Places located in the scope, with ``code_insee`` (counted in their territory).
    level
        One of :data:`geo.territory.LEVEL_KEYS`.

    Returns
    -------
    DataFrame indexed by territory code: ``nom``, ``population``, ``places``,
    ``places_per_100k``, ``population_covered``, ``share_covered`` (0–1),
    ``communes``, ``communes_covered``. Territories with no population get NaN rates.
    """
    if level not in LEVEL_KEYS:
        raise InvalidParameterError(f"`level` vaut « {level} » mais doit être l'un de {list(LEVEL_KEYS)}")
    key, name = LEVEL_KEYS[level], LEVEL_NAMES[level]
    frame = pd.DataFrame(
        {
            "code": communes[key].to_numpy(),
            "nom": communes[name].to_numpy(),
            "population": communes["population"].to_numpy(dtype=float),
            "covered": coverage["covered"].to_numpy(),
        }
    )
    frame["population_covered"] = frame["population"] * frame["covered"]
    grouped = frame.groupby("code", sort=True).agg(
        nom=("nom", "first"),
        population=("population", "sum"),
        population_covered=("population_covered", "sum"),
        communes=("covered", "size"),
        communes_covered=("covered", "sum"),
    )
    commune_to_code = pd.Series(communes[key].to_numpy(), index=communes["code_insee"].to_numpy())
    place_codes = commune_to_code.reindex(places_in_scope["code_insee"].to_numpy())
    grouped["places"] = place_codes.value_counts().reindex(grouped.index).fillna(0).astype(int)
    with np.errstate(divide="ignore", invalid="ignore"):
        population = grouped["population"].where(grouped["population"] > 0)
        grouped["places_per_100k"] = grouped["places"] / population * 100_000
        grouped["share_covered"] = grouped["population_covered"] / population
    grouped.index.name = "code"
    return grouped[
        [
            "nom",
            "population",
            "places",
            "places_per_100k",
            "population_covered",
            "share_covered",
            "communes",
            "communes_covered",
        ]
    ]
