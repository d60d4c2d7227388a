"""Territory outlines for a scope's maps, at the right simplification for its scale."""

from __future__ import annotations

import geopandas as gpd

from geo.territory import Scope
from ui.data import commune_polygons, current_data_version, display_outlines

TOLERANCE_DEG = {"dep": 0.01, "reg": 0.01, "epci": 0.003, "commune": 0.0}
"""Display simplification per level (≈ 1 km for départements nationally, ≈ 300 m for EPCI)."""

_LEVEL_TABLES = {"reg": ("regions", "reg"), "dep": ("departements", "dep"), "epci": ("epci", "epci_siren")}


def areas_for(level: str, codes: list[str]) -> gpd.GeoDataFrame:
    """Display outlines of the territories ``codes`` of ``level``, with a ``code`` column."""
    if level == "commune":
        polygons = commune_polygons()
        areas = polygons[polygons["code_insee"].isin(codes)].rename(columns={"code_insee": "code"})
        return areas.reset_index(drop=True)
    table, key = _LEVEL_TABLES[level]
    outlines = display_outlines(table, TOLERANCE_DEG[level], current_data_version())
    areas = outlines[outlines[key].isin(codes)][[key, "geometry"]].rename(columns={key: "code"})
    return areas.reset_index(drop=True)


def context_outlines(scope: Scope, *, areas_level: str | None = None) -> gpd.GeoDataFrame:
    """Light département outlines of the scope's zone: the map stays readable without tiles.

    None when the map's own areas (``areas_level``) are régions or départements: its choropleth
    draws these borders already, and a second copy would only weigh on the map sent.
    """
    deps = display_outlines("departements", TOLERANCE_DEG["dep"], current_data_version())
    if areas_level in ("reg", "dep"):
        return deps.iloc[0:0][["dep", "geometry"]]
    selected = deps[deps["zone"] == scope.zone]
    if scope.reg:
        selected = selected[selected["reg"] == scope.reg]
    return selected[["dep", "geometry"]]
