"""How far each commune's point may be from where its inhabitants live.

Every distance of the Atlas starts from a commune's *representative point*: a point inside
its outline (shapely ``representative_point``), not its town hall nor its main village —
no documented source of chef-lieu or town-hall coordinates is bundled. For most communes
the point lies near the village; for a few large ones it can lie far in the forest or the
mountain (Saint-Laurent-du-Maroni's point is 59 km from its France services).

This module measures that, commune by commune, against the only address-level evidence
bundled — the France services at a fixed address and the tiers-lieux geocoded at their
address, placed in that commune — and flags the points that are *approximate*:

- with evidence: the nearest address of the commune is more than
  :data:`EVIDENCE_LIMIT_M` (5 km, half the default access distance) from the point;
- without evidence: the commune (the part of its outline holding the point) stretches more
  than :data:`EXTENT_LIMIT_M` (10 km, the default access distance) from the point, so its
  inhabitants may live that far from it and nothing says they do not.

The figures of a flagged commune (distance to a tiers-lieu, covered or not) are kept, and
said to be approximate on screen and in exports. The checks are computed by the build
(``commune_points`` dataset) and joined to the communes by :func:`with_point_checks`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import ZONES, X, Y, projected_crs_for_zone, with_projected_xy
from geo.fmt import fr_km

EVIDENCE_LIMIT_M = 5_000.0
"""A point farther than this from every known address of its commune is approximate."""

EXTENT_LIMIT_M = 10_000.0
"""Without a known address, a commune stretching farther than this from its point is approximate."""

MOBILE_FORMATS = frozenset({"Bus_équivalent", "Itinérante"})
"""France services formats whose address is a base, not where the service is given."""

POINT_COLUMNS = (
    "point_evidence_count",
    "point_evidence_m",
    "point_evidence_name",
    "point_extent_m",
    "point_approximate",
    "point_note",
)
"""Columns of the ``commune_points`` dataset (with ``code_insee``), joined to the communes."""

CRITERION = (
    "point représentatif à plus de 5 km de toute adresse connue de la commune (France services, "
    "tiers-lieu géocodé à l'adresse) ou, sans adresse connue, commune qui s'étend à plus de 10 km "
    "de son point"
)
"""The criterion in French, for captions, exports and the « À propos » page."""


def address_evidence(france_services: pd.DataFrame, places: pd.DataFrame) -> gpd.GeoDataFrame:
    """Address-level points that tell where a commune's life is: one row per point.

    France services at a fixed address (not a bus or an itinerant service) and tiers-lieux
    geocoded at their address, both consistent with the commune they are counted in.

    Returns
    -------
    GeoDataFrame (EPSG:4326) with ``code_insee``, ``zone``, ``name`` (the France services' own
    name, « tiers-lieu « … » » for a place) and the point.
    """
    services = france_services[
        ~france_services["format_fs"].isin(MOBILE_FORMATS)
        & (france_services["placement"] == "coherent")
        & france_services.geometry.notna()
    ]
    located = places[
        (places["location_precision"] == "adresse")
        & (places["placement"] == "coherent")
        & places.geometry.notna()
    ]
    frames = [
        gpd.GeoDataFrame(
            {
                "code_insee": frame["code_insee"].to_numpy(),
                "zone": frame["zone"].to_numpy(),
                "name": names,
            },
            geometry=frame.geometry.to_numpy(),
            crs=frame.crs,
        )
        for frame, names in (
            (services, services["name"].tolist()),
            (located, [f"tiers-lieu « {name} »" for name in located["name"]]),
        )
    ]
    evidence = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(evidence, geometry="geometry", crs=frames[0].crs)


def commune_point_checks(
    communes: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame, evidence: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Measure how far each commune's point may be from its inhabitants, and flag approximate points.

    Parameters
    ----------
    communes
        Commune points (``code_insee``, ``zone``, point geometry, may be missing).
    polygons
        Commune outlines (``code_insee``, polygons).
    evidence
        :func:`address_evidence`.

    Returns
    -------
    DataFrame with ``code_insee`` and :data:`POINT_COLUMNS`, one row per commune:
    ``point_evidence_count`` (known addresses in the commune), ``point_evidence_m`` (distance
    from the point to the nearest, NaN when none), ``point_evidence_name``, ``point_extent_m``
    (farthest distance from the point to the outline part holding it, NaN without outline),
    ``point_approximate`` and ``point_note`` (French, empty when not approximate).
    """
    located = with_projected_xy(communes[["code_insee", "zone", communes.geometry.name]])
    checks = pd.DataFrame({"code_insee": located["code_insee"].to_numpy()})
    checks = checks.join(_nearest_evidence(located, evidence))
    checks["point_extent_m"] = _extent_m(located, polygons)
    checks["point_approximate"], checks["point_note"] = _verdicts(checks)
    return checks[["code_insee", *POINT_COLUMNS]]


def _nearest_evidence(communes: pd.DataFrame, evidence: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per commune (positional): how many addresses it holds and the nearest one to its point."""
    projected = with_projected_xy(evidence)
    own = communes.set_index("code_insee")[[X, Y]]
    projected = projected[projected["code_insee"].isin(own.index)]
    home = own.loc[projected["code_insee"]].to_numpy()
    projected["distance_m"] = np.hypot(
        projected[X].to_numpy() - home[:, 0], projected[Y].to_numpy() - home[:, 1]
    )
    by_commune = projected.groupby("code_insee")
    nearest = projected.loc[by_commune["distance_m"].idxmin().dropna()].set_index("code_insee")
    codes = pd.Index(communes["code_insee"])
    return pd.DataFrame(
        {
            "point_evidence_count": by_commune.size().reindex(codes).fillna(0).astype("int64").to_numpy(),
            "point_evidence_m": nearest["distance_m"].reindex(codes).to_numpy(dtype=float),
            "point_evidence_name": nearest["name"].reindex(codes).fillna("").to_numpy(dtype=object),
        }
    )


def _extent_m(communes: pd.DataFrame, polygons: gpd.GeoDataFrame) -> np.ndarray:
    """Farthest distance (m) from each commune's point to the part of its outline holding it.

    Only the part holding the point counts: a coastal commune's islets (Chausey for
    Granville, Le Grand Connétable for Cayenne) say nothing about where its inhabitants live.
    """
    extent = np.full(len(communes), np.nan)
    outlines = polygons.set_index("code_insee").geometry
    for zone in ZONES:
        rows = np.flatnonzero(
            (communes["zone"] == zone).to_numpy()
            & communes[X].notna().to_numpy()
            & communes["code_insee"].isin(outlines.index).to_numpy()
        )
        if len(rows) == 0:
            continue
        codes = communes["code_insee"].to_numpy()[rows]
        shapes = gpd.GeoSeries(outlines.loc[codes].to_numpy(), crs=polygons.crs)
        shapes = shapes.to_crs(projected_crs_for_zone(zone))
        points = shapely.points(communes[[X, Y]].to_numpy()[rows])
        parts = shapes.explode(index_parts=True)
        owner = parts.index.get_level_values(0).to_numpy()
        holds = shapely.dwithin(parts.to_numpy(), points[owner], 1.0)
        farthest = shapely.hausdorff_distance(points[owner[holds]], parts.to_numpy()[holds])
        per_commune = pd.Series(farthest).groupby(owner[holds]).max()
        extent[rows[per_commune.index.to_numpy()]] = per_commune.to_numpy()
    return extent


def _verdicts(checks: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    evidence = checks["point_evidence_m"].to_numpy(dtype=float)
    extent = checks["point_extent_m"].to_numpy(dtype=float)
    has_evidence = ~np.isnan(evidence)
    far = has_evidence & (evidence > EVIDENCE_LIMIT_M)
    wide = ~has_evidence & (np.nan_to_num(extent) > EXTENT_LIMIT_M)
    notes = [
        f"point à {fr_km(e)} de l'adresse connue la plus proche dans la commune ({name})"
        if is_far
        else f"commune étendue sans adresse connue : son territoire s'étend jusqu'à {fr_km(x)} de son point"
        if is_wide
        else ""
        for is_far, is_wide, e, x, name in zip(
            far, wide, evidence, extent, checks["point_evidence_name"], strict=True
        )
    ]
    return far | wide, notes


def with_point_checks(communes: pd.DataFrame, checks: pd.DataFrame) -> pd.DataFrame:
    """``communes`` with the :data:`POINT_COLUMNS` of ``checks`` (a commune without a check —
    no point — is not flagged: it has no distance at all)."""
    out = communes.drop(columns=[c for c in POINT_COLUMNS if c in communes.columns])
    out = out.join(checks.set_index("code_insee")[list(POINT_COLUMNS)], on="code_insee")
    out["point_approximate"] = out["point_approximate"].fillna(False).astype(bool)
    out["point_note"] = out["point_note"].fillna("")
    out["point_evidence_name"] = out["point_evidence_name"].fillna("")
    out["point_evidence_count"] = out["point_evidence_count"].fillna(0).astype("int64")
    return out


def point_offsets_summary(communes: pd.DataFrame) -> dict[str, float]:
    """How far the points are from the known addresses, for the « À propos » page and README.

    Returns
    -------
    ``communes`` (with a known address), ``median_m``, ``p90_m``, ``p99_m``, ``max_m``,
    ``over_limit`` (beyond :data:`EVIDENCE_LIMIT_M`), ``wide`` (flagged by their extent) and
    ``approximate`` (all flagged), ``population_approximate``.
    """
    measured = communes["point_evidence_m"].dropna().to_numpy(dtype=float)
    flagged = communes["point_approximate"].to_numpy(dtype=bool)
    quantiles = np.quantile(measured, [0.5, 0.9, 0.99]) if len(measured) else [np.nan] * 3
    return {
        "communes": float(len(measured)),
        "median_m": float(quantiles[0]),
        "p90_m": float(quantiles[1]),
        "p99_m": float(quantiles[2]),
        "max_m": float(measured.max()) if len(measured) else float("nan"),
        "over_limit": float((measured > EVIDENCE_LIMIT_M).sum()),
        "wide": float((flagged & communes["point_evidence_m"].isna().to_numpy()).sum()),
        "approximate": float(flagged.sum()),
        "population_approximate": float(communes.loc[flagged, "population"].sum()),
    }


def approximate_points_table(communes: pd.DataFrame) -> pd.DataFrame:
    """The communes flagged « point approximatif », farthest from a known address first, with French
    headers (distances in km to 0.1), for the screen and its exports."""
    flagged = communes[communes["point_approximate"]].sort_values(
        ["point_evidence_m", "point_extent_m"], ascending=False
    )
    return pd.DataFrame(
        {
            "Commune": flagged["nom"],
            "Code INSEE": flagged["code_insee"],
            "Département": flagged["nom_dep"],
            "Population 2023": flagged["population"],
            "Distance à l'adresse connue la plus proche (km)": (flagged["point_evidence_m"] / 1000).round(1),
            "Adresse connue la plus proche": flagged["point_evidence_name"],
            "Étendue depuis le point (km)": (flagged["point_extent_m"] / 1000).round(1),
            "Pourquoi": flagged["point_note"],
        }
    )
