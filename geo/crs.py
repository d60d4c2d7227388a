"""Zones of France, the projected CRS in which distances are computed for each, and the
projected coordinates every distance is measured from."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._validate import check_choice

WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Zone:
    """A geographically separate part of France, with its metric CRS."""

    code: str
    label: str
    epsg: int
    center_lat: float
    center_lon: float
    zoom: int


ZONES: dict[str, Zone] = {
    "metro": Zone("metro", "France métropolitaine", 2154, 46.6, 2.4, 6),
    "971": Zone("971", "Guadeloupe", 5490, 16.2, -61.55, 9),
    "972": Zone("972", "Martinique", 5490, 14.65, -61.0, 10),
    "973": Zone("973", "Guyane", 2972, 4.0, -53.0, 7),
    "974": Zone("974", "La Réunion", 2975, -21.13, 55.53, 10),
    "976": Zone("976", "Mayotte", 4471, -12.82, 45.15, 11),
}
"""Lambert-93 for metropolitan France (Corsica included), the local UTM CRS of each DROM:
RGAF09 / UTM 20N (Antilles), RGFG95 / UTM 22N (Guyane), RGR92 / UTM 40S (Réunion),
RGM04 / UTM 38S (Mayotte)."""


def zone_from_dep(dep: str) -> str:
    """Return the zone code of a département code (``"971"`` → ``"971"``, ``"2A"`` → ``"metro"``).

    Overseas collectivities outside the six zones (``"975"``, ``"977"``, ``"978"``, ``"98x"``)
    and empty codes give ``""``.
    """
    if dep in ZONES:
        return dep
    if not dep or dep.startswith(("97", "98")):
        return ""
    return "metro"


def projected_crs_for_zone(zone: str) -> str:
    """Return the metric CRS (``"EPSG:n"``) used for distances in ``zone``.

    Raises
    ------
    InvalidParameterError
        If ``zone`` is not one of :data:`ZONES`.
    """
    check_choice(zone, sorted(ZONES), "zone")
    return f"EPSG:{ZONES[zone].epsg}"


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


def km_rounded(distance_m: pd.Series, decimals: int = 1) -> pd.Series:
    """Distances in metres as kilometres rounded to ``decimals``, for exports: an infinite
    distance (nothing within reach) becomes NaN, an empty cell."""
    values = distance_m.astype(float) / 1000
    return values.where(np.isfinite(values)).round(decimals)
