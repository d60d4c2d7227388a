"""Map compositions shared by the pages: territories coloured by an indicator, places on top."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.io.catalog import sources_label
from geo.io.placement import PRECISION_ADDRESS, PRECISIONS
from geo.render.maps import (
    add_choropleth,
    add_legend,
    add_outline_layer,
    add_points_layer,
    base_map,
    classify_values,
)
from geo.render.style import HOLLOW_FILL, NO_THEME_COLOR, THEME_COLORS
from geo.themes import THEME_SHORT_LABELS, THEMES, themes_text


def place_colors(places: pd.DataFrame, themes: Sequence[str]) -> list[str]:
    """Colour of each place: its first theme among ``themes`` (or among all themes), grey if none."""
    colors = np.full(len(places), NO_THEME_COLOR, dtype=object)
    for theme in reversed(list(themes) or list(THEMES)):
        colors[(places[f"theme_{theme}"] != "").to_numpy()] = THEME_COLORS[theme]
    return colors.tolist()


def add_places(
    m: folium.Map,
    places: gpd.GeoDataFrame,
    themes: Sequence[str],
    *,
    source_label: str,
    legend: bool = True,
) -> None:
    """The places as one canvas layer, coloured by theme, hollow when located at a commune centroid.

    The legend (unless ``legend`` is false, for a map that draws its own) lists only the themes
    drawn, and the hollow marker only when one is drawn.
    """
    if places.empty:
        return
    colors = place_colors(places, themes)
    hollow = (places["location_precision"] != PRECISION_ADDRESS).tolist()
    add_points_layer(
        m,
        places,
        colors=colors,
        dashed=hollow,
        tooltip={
            "Tiers-lieu": places["name"].tolist(),
            "Thèmes": themes_text(places),
            "Localisation": places["location_precision"].map(PRECISIONS).fillna("").tolist(),
            "Source": [sources_label(s, other=source_label) for s in places.get("sources", places["source"])],
        },
        name="Tiers-lieux",
    )
    if not legend:
        return
    drawn = set(colors)
    entries = [
        (THEME_COLORS[t], THEME_SHORT_LABELS[t])
        for t in list(themes) or list(THEMES)
        if THEME_COLORS[t] in drawn
    ]
    if NO_THEME_COLOR in drawn:
        entries.append((NO_THEME_COLOR, "sans thème"))
    if any(hollow):
        entries.append((HOLLOW_FILL, "cercle creux : centroïde de commune"))
    add_legend(m, "Tiers-lieux", entries, hollow=True)


def indicator_map(
    areas: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    title: str,
    formatter: Callable[[float], str],
    tooltip: dict[str, Sequence[object]],
    outlines: gpd.GeoDataFrame,
    zone: str,
    basemap: str,
    scheme: str = "quantiles",
    k: int = 5,
) -> folium.Map:
    """Choropleth of ``values`` (aligned on ``areas``) over light outlines, fitted to ``areas``."""
    bounds = tuple(areas.total_bounds) if len(areas) else None
    m = base_map(zone=zone, bounds=bounds, basemap=basemap)
    add_outline_layer(m, outlines)
    if len(areas):
        colors, legend = classify_values(values, scheme=scheme, k=k, formatter=formatter)
        add_choropleth(m, areas, colors=colors, tooltip=tooltip, name=title)
        add_legend(m, title, legend)
    return m
