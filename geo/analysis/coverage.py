"""Coverage kernel: distance from territories to the nearest tiers-lieu, and who is covered.

Distances are Euclidean, in metres, in the projected CRS of each zone (Lambert-93 for
metropolitan France, local UTM for each DROM): a commune of La Réunion is only ever
compared with places of La Réunion. Commune distances are measured from each commune's
*representative point* (a point guaranteed to lie inside its polygon), not from its
town hall nor from where its inhabitants live.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geo._errors import InvalidParameterError
from geo._validate import check_choice
from geo.crs import ZONES, X, Y, projected_crs_for_zone
from geo.territory import LEVEL_KEYS, LEVEL_NAMES


def check_radius(radius_km: float) -> None:
    """Raise :class:`InvalidParameterError` (French message) unless ``radius_km`` is a positive distance."""
    if not np.isfinite(radius_km) or radius_km <= 0:
        raise InvalidParameterError(
            f"La distance d'accès doit être strictement positive (reçu : {radius_km} km)."
        )


def _xy(frame: pd.DataFrame) -> np.ndarray:
    """``x_m`` / ``y_m`` as an (n, 2) float array (column access: no frame copy)."""
    return np.column_stack((frame[X].to_numpy(dtype=float), frame[Y].to_numpy(dtype=float)))


def _zone_rows(frame: pd.DataFrame, xy: np.ndarray) -> dict[str, np.ndarray]:
    """Zone → positions of the rows of ``frame`` in that zone that have coordinates."""
    located = ~np.isnan(xy).any(axis=1)
    codes, uniques = pd.factorize(frame["zone"])  # one pass over the strings, then integer compares
    rows = {zone: np.empty(0, dtype=np.int64) for zone in ZONES}
    for code, zone in enumerate(uniques):
        if zone in rows:
            rows[zone] = np.flatnonzero((codes == code) & located)
    return rows


def _point_zones(
    targets: pd.DataFrame, sources: pd.DataFrame
) -> Iterator[tuple[np.ndarray, np.ndarray, cKDTree, np.ndarray]]:
    """For each zone with located targets and sources: target rows, source rows, a k-d tree
    of those sources and the targets' projected coordinates."""
    target_xy, source_xy = _xy(targets), _xy(sources)
    target_rows, source_rows = _zone_rows(targets, target_xy), _zone_rows(sources, source_xy)
    for zone in ZONES:
        src, rows = source_rows[zone], target_rows[zone]
        if len(src) == 0 or len(rows) == 0:
            continue
        yield rows, src, cKDTree(source_xy[src]), target_xy[rows]


def nearest_source(targets: pd.DataFrame, sources: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Distance in metres to, and position of, the nearest source of the same zone.

    Parameters
    ----------
    targets, sources
        Frames with ``zone``, ``x_m`` and ``y_m`` (see :func:`geo.crs.with_projected_xy`).

    Returns
    -------
    (distance_m, position): two arrays aligned on ``targets``. ``position`` is the
    *positional* index of the nearest row of ``sources`` (use ``sources.iloc``), ``-1``
    where the zone has no source or the target has no coordinates (distance ``inf``).
    """
    distances = np.full(len(targets), np.inf)
    positions = np.full(len(targets), -1, dtype=np.int64)
    for rows, src, tree, xy in _point_zones(targets, sources):
        found, index = tree.query(xy, k=1)
        distances[rows] = found
        positions[rows] = src[index]
    return distances, positions


def nearest_distance_m(targets: pd.DataFrame, sources: pd.DataFrame) -> np.ndarray:
    """Distance in metres from each target to the nearest source of the same zone.

    Parameters
    ----------
    targets, sources
        Frames with ``zone``, ``x_m`` and ``y_m`` (see :func:`geo.crs.with_projected_xy`).

    Returns
    -------
    Array aligned on ``targets``; ``inf`` where the zone has no source or the target has
    no coordinates.
    """
    return nearest_source(targets, sources)[0]


def _polygon_zones(
    polygons: gpd.GeoDataFrame, sources: pd.DataFrame
) -> Iterator[tuple[np.ndarray, np.ndarray, shapely.STRtree, np.ndarray]]:
    """For each zone with polygons and sources: polygon rows, source rows, a tree of those
    sources (projected points) and the polygons projected in the zone's CRS."""
    source_xy = _xy(sources)
    source_rows = _zone_rows(sources, source_xy)
    for zone in ZONES:
        rows = np.flatnonzero((polygons["zone"] == zone).to_numpy())
        src = source_rows[zone]
        if len(rows) == 0 or len(src) == 0:
            continue
        shapes = polygons.iloc[rows].geometry.to_crs(projected_crs_for_zone(zone)).to_numpy()
        yield rows, src, shapely.STRtree(shapely.points(source_xy[src])), shapes


def _coverage_frame(
    distance: np.ndarray,
    nearest: np.ndarray,
    within: np.ndarray,
    radius_km: float,
    index: pd.Index,
    *,
    with_nearest: bool,
) -> pd.DataFrame:
    result = pd.DataFrame(
        {"distance_m": distance, "n_within": within, "covered": distance <= radius_km * 1000.0},
        index=index,
    )
    if with_nearest:
        result["nearest"] = nearest
    return result


def coverage_of_polygons(
    polygons: gpd.GeoDataFrame, places: pd.DataFrame, radius_km: float, *, with_nearest: bool = False
) -> pd.DataFrame:
    """:func:`coverage_of_points` for polygons (e.g. QPV outlines): distance 0 inside.

    Returns
    -------
    DataFrame indexed like ``polygons`` with ``distance_m``, ``n_within``, ``covered``
    (and ``nearest``, the position in ``places`` of the nearest one, ``-1`` if none,
    when ``with_nearest``).
    """
    check_radius(radius_km)
    distance = np.full(len(polygons), np.inf)
    nearest = np.full(len(polygons), -1, dtype=np.int64)
    within = np.zeros(len(polygons), dtype=np.int64)
    for rows, src, tree, shapes in _polygon_zones(polygons, places):  # projected once per zone
        (left, right), found = tree.query_nearest(shapes, return_distance=True, all_matches=False)
        distance[rows[left]] = found
        nearest[rows[left]] = src[right]
        inside, _ = tree.query(shapes, predicate="dwithin", distance=radius_km * 1000.0)
        within[rows] = np.bincount(inside, minlength=len(rows))
    return _coverage_frame(distance, nearest, within, radius_km, polygons.index, with_nearest=with_nearest)


def coverage_of_points(
    targets: pd.DataFrame,
    places: pd.DataFrame,
    radius_km: float,
    *,
    with_nearest: bool = False,
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
    with_nearest
        Also return ``nearest``: the position (``places.iloc``) of the nearest place, ``-1`` if none.

    Returns
    -------
    DataFrame indexed like ``targets`` with ``distance_m`` (inf when none in the zone),
    ``n_within`` and ``covered`` (bool).

    Raises
    ------
    InvalidParameterError
        If ``radius_km`` is not a positive number.
    """
    check_radius(radius_km)
    distance = np.full(len(targets), np.inf)
    nearest = np.full(len(targets), -1, dtype=np.int64)
    within = np.zeros(len(targets), dtype=np.int64)
    for rows, src, tree, xy in _point_zones(targets, places):  # one tree per zone for both queries
        found, index = tree.query(xy, k=1)
        distance[rows] = found
        nearest[rows] = src[index]
        within[rows] = tree.query_ball_point(xy, r=radius_km * 1000.0, return_length=True)
    return _coverage_frame(distance, nearest, within, radius_km, targets.index, with_nearest=with_nearest)


def coverage_by_theme(
    communes: pd.DataFrame, places: pd.DataFrame, radius_km: float, themes: Iterable[str]
) -> dict[str, pd.DataFrame]:
    """:func:`coverage_of_points` for all places (key ``"tous"``) and for each theme, in one pass.

    The national kernel: per zone, the commune points and the places are indexed once and
    the pairs closer than ``radius_km`` found once (``cKDTree.sparse_distance_matrix``);
    each theme then only filters those pairs for its counts and queries its own (small)
    tree for the nearest distance. Same results as calling :func:`coverage_of_points` per
    theme, about three times faster.

    Parameters
    ----------
    communes
        Targets with ``zone``, ``x_m``, ``y_m``.
    places
        All places, with ``zone``, ``x_m``, ``y_m`` and the ``theme_<code>`` route columns.
    radius_km
        Coverage distance, inclusive.
    themes
        Theme codes (see :data:`geo.themes.THEMES`).

    Returns
    -------
    ``{"tous": frame, theme: frame, ...}``, each frame as in :func:`coverage_of_points`.
    """
    check_radius(radius_km)
    radius_m = radius_km * 1000.0
    masks = {"tous": np.ones(len(places), dtype=bool)}
    for theme in themes:
        masks[theme] = (places[f"theme_{theme}"] != "").to_numpy()
    distances = {name: np.full(len(communes), np.inf) for name in masks}
    counts = {name: np.zeros(len(communes), dtype=np.int64) for name in masks}
    for rows, src, tree, xy in _point_zones(communes, places):
        pairs = tree.sparse_distance_matrix(cKDTree(xy), radius_m, output_type="ndarray")
        for name, mask in masks.items():
            selected = mask[src]
            if not selected.any():
                continue
            found, _ = cKDTree(tree.data[selected]).query(xy, k=1)
            distances[name][rows] = found
            counts[name][rows] = np.bincount(pairs["j"][selected[pairs["i"]]], minlength=len(rows))
    return {
        name: pd.DataFrame(
            {
                "distance_m": distances[name],
                "n_within": counts[name],
                "covered": distances[name] <= radius_m,
            },
            index=communes.index,
        )
        for name in masks
    }


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
    check_choice(level, LEVEL_KEYS, "level")
    key, name = LEVEL_KEYS[level], LEVEL_NAMES[level]
    # One factorisation of the territory codes, then numpy sums: no pandas group-by per column.
    codes, uniques = pd.factorize(communes[key], sort=True)
    keep = codes >= 0
    codes = codes[keep]
    n_codes = len(uniques)
    population_all = communes["population"].to_numpy(dtype=float)[keep]
    covered = coverage["covered"].to_numpy(dtype=bool)[keep]
    _, first = np.unique(codes, return_index=True)
    grouped = pd.DataFrame(
        {
            "nom": communes[name].iloc[np.flatnonzero(keep)[first]].to_numpy(),
            "population": np.bincount(codes, weights=population_all, minlength=n_codes),
            "population_covered": np.bincount(codes, weights=population_all * covered, minlength=n_codes),
            "communes": np.bincount(codes, minlength=n_codes),
            "communes_covered": np.bincount(codes, weights=covered, minlength=n_codes).astype(np.int64),
        },
        index=pd.Index(uniques, name="code"),
    )
    commune_to_code = pd.Series(communes[key].to_numpy(), index=pd.Index(communes["code_insee"]))
    place_codes = commune_to_code.reindex(pd.Index(places_in_scope["code_insee"]))
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
