"""What the maps of a profile draw, computed once for the static map and the Leaflet map.

:func:`map_layers` returns the view, the outlines, the access ring, the places, the
numbered priority territories and the labels (main communes, places), each in WGS84, so the
PDF / slide map (:mod:`geo.render.briefing.figures`) and the interactive map
(:mod:`geo.render.briefing.webmap`) show the same things and the same legend; :func:`placed_labels`
keeps the labels that fit a given map size without overlapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InvalidParameterError
from geo.analysis.profile import ProfileBasis, TerritoryProfile
from geo.crs import WGS84, projected_crs_for_zone
from geo.io.placement import PRECISION_ADDRESS
from geo.render.briefing.content import MAX_PRIORITY_ROWS
from geo.render.mapviews import place_colors
from geo.render.style import (
    HOLLOW_LEGEND_COLOR,
    NO_THEME_COLOR,
    PROGRAMME_COLORS,
    RANK_COLOR,
    TERRITORY_COLOR,
    THEME_COLORS,
)
from geo.themes import THEME_SHORT_LABELS, THEMES, without_places

CONTEXT_LEVEL = {"commune": "commune", "epci": "commune", "dep": "epci", "reg": "dep"}
"""Level of the territory → level of the grey outlines drawn around it on maps."""

GAP_LEGEND = {"acv": "Commune ACV", "pvd": "Commune PVD", "qpv": "QPV"}
"""Legend of the priority markers, followed by « sans tiers-lieu » (or the themes' places): short,
it must fit beside a slide map at 14 pt."""
MAX_PLACE_LABELS = 12
"""Places are named on the map when there are at most this many (else the list names them)."""
MAX_COMMUNE_LABELS = 10
_CHAR_EM = 0.62
"""Mean width of a label character, in ems (DejaVu Sans, with a margin)."""
_LABEL_MAX_CHARS = 28
_RING_SIMPLIFY_M = 100.0


@dataclass(frozen=True)
class LegendItem:
    """One entry of a map legend: a symbol actually drawn and what it means."""

    symbol: str
    """``area``, ``dashed``, ``dot``, ``hollow``, ``triangle``, ``square`` or ``rank`` (a number)."""
    color: str
    label: str


@dataclass(frozen=True)
class MapLayers:
    """Everything a profile map draws (geometries in WGS84)."""

    crs: str
    """The zone's metric CRS, in which the static map is drawn."""
    bounds: tuple[float, float, float, float]
    """View in ``crs``: the territory and the ring around it, with a margin."""
    bounds_wgs84: tuple[float, float, float, float]
    context: gpd.GeoSeries
    """Outlines of the neighbouring territories (grey)."""
    outline: gpd.GeoSeries
    """The territory (empty when the data has no outline for it)."""
    ring: gpd.GeoSeries
    """Line at ``radius_km`` from the territory's outline (empty without an outline)."""
    places: gpd.GeoDataFrame
    """``name``, ``color``, ``hollow`` (located approximately: at its commune, or a vague address)."""
    gaps: gpd.GeoDataFrame
    """Priority territories without a place: ``programme``, ``rank``, ``name``, ``commune``,
    ``distance_m``."""
    label_candidates: gpd.GeoDataFrame
    """``text`` and ``kind`` (``rank``, ``commune``, ``place``) in priority order; see
    :func:`placed_labels` for those that fit a given map."""
    legend: tuple[LegendItem, ...]
    """Only what is drawn, in drawing order."""


def territory_outline(basis: ProfileBasis, profile: TerritoryProfile) -> gpd.GeoSeries:
    """Outline of the territory in WGS84 (empty when the data has none, e.g. a new commune)."""
    territory = profile.territory
    outlines = basis.outlines[territory.level]
    if territory.code in outlines.index:
        return gpd.GeoSeries([outlines.loc[territory.code, "geometry"]], crs=WGS84)
    return gpd.GeoSeries([], crs=WGS84)


def _places_gdf(profile: TerritoryProfile) -> gpd.GeoDataFrame:
    places = profile.places
    return gpd.GeoDataFrame(
        {
            "name": places["name"].to_numpy(),
            "color": place_colors(places, profile.themes),
            "hollow": (places["location_precision"] != PRECISION_ADDRESS).to_numpy(),
        },
        geometry=gpd.points_from_xy(places["lon"], places["lat"]),
        crs=WGS84,
    )


def _view_bounds(
    basis: ProfileBasis, outline: gpd.GeoSeries, places: gpd.GeoDataFrame, profile: TerritoryProfile, crs: str
) -> tuple[float, float, float, float]:
    """Metric bounds of the view: the territory and the ring of ``radius_km`` around it.

    A territory without an outline (a commune created after the outlines' vintage) is shown
    by its places, else by its département.
    """
    geometries = list(outline.to_crs(crs)) if len(outline) else []
    if not geometries and len(places):
        geometries = list(places.to_crs(crs).geometry)
    departements = basis.outlines["dep"]
    if not geometries and profile.territory.dep in departements.index:
        dep_outline = departements.loc[[profile.territory.dep], "geometry"]
        geometries = list(gpd.GeoSeries(dep_outline, crs=WGS84).to_crs(crs))
    if not geometries:
        raise InvalidParameterError(f"« {profile.territory.label} » n'a ni contour ni point à cartographier")
    minx, miny, maxx, maxy = shapely.union_all(geometries).bounds
    margin = profile.radius_km * 1000.0
    minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    pad = 0.03 * max(maxx - minx, maxy - miny)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def access_ring(outline: gpd.GeoSeries, radius_km: float, crs: str) -> gpd.GeoSeries:
    """The line at ``radius_km`` around ``outline`` (measured in the metric ``crs``), in WGS84."""
    if not len(outline):
        return gpd.GeoSeries([], crs=WGS84)
    projected = outline.to_crs(crs).simplify(_RING_SIMPLIFY_M)
    ring = projected.buffer(radius_km * 1000.0).boundary.simplify(_RING_SIMPLIFY_M)
    return gpd.GeoSeries(ring, crs=crs).to_crs(WGS84)


def _gaps_gdf(profile: TerritoryProfile) -> gpd.GeoDataFrame:
    """The priority gaps that have a location (the others are listed, not drawn)."""
    gaps = profile.gaps
    gaps = gaps[gaps.geometry.notna() & ~gaps.geometry.is_empty]
    return gpd.GeoDataFrame(
        {
            "programme": gaps["programme"].to_numpy(),
            "rank": gaps["rank"].to_numpy(dtype=int),
            "name": gaps["name"].to_numpy(),
            "commune": gaps["commune"].to_numpy(),
            "distance_m": gaps["distance_m"].to_numpy(dtype=float),
            "nearest_place": gaps["nearest_place"].to_numpy(),
        },
        geometry=gaps.geometry.to_numpy(),
        crs=WGS84,
    )


def _main_communes(
    basis: ProfileBasis, profile: TerritoryProfile, bounds_wgs84: Sequence[float]
) -> gpd.GeoDataFrame:
    """The most populated communes of the view, those of the territory first."""
    minx, miny, maxx, maxy = bounds_wgs84
    outlines = basis.outlines["commune"].cx[minx:maxx, miny:maxy]
    index = basis.index
    keys = "commune:" + outlines.index.to_series()
    rows = index.reindex(keys.to_numpy())
    frame = pd.DataFrame(
        {
            "code": outlines.index.to_numpy(),
            "text": rows["name"].to_numpy(),
            "population": rows["population"].to_numpy(dtype=float),
            "inside": _inside(rows, profile),
        }
    ).dropna(subset=["text"])
    frame = frame.sort_values(["inside", "population"], ascending=[False, False]).head(MAX_COMMUNE_LABELS)
    points = outlines.loc[frame["code"], "geometry"].representative_point()
    return gpd.GeoDataFrame(
        {"text": frame["text"].to_numpy(), "kind": "commune"}, geometry=points.to_numpy(), crs=WGS84
    )


def _inside(rows: pd.DataFrame, profile: TerritoryProfile) -> np.ndarray:
    territory = profile.territory
    column = {"commune": "code", "epci": "epci", "dep": "dep", "reg": "reg"}[territory.level]
    return (rows[column].astype(str) == territory.code).to_numpy()


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_MAX_CHARS else text[: _LABEL_MAX_CHARS - 1].rstrip() + "…"


def _rank_labels(gaps: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """« 2, 3 » at a point shared by several listed priorities (a QPV at its commune's centroid)."""
    listed = gaps[gaps["rank"] <= MAX_PRIORITY_ROWS]
    if listed.empty:
        return gpd.GeoDataFrame({"text": [], "kind": []}, geometry=[], crs=WGS84)
    xy = np.round(shapely.get_coordinates(listed.geometry.to_numpy()), 5)
    grouped = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "rank": listed["rank"].to_numpy()}).groupby(
        ["x", "y"], sort=False
    )["rank"]
    texts = grouped.apply(lambda ranks: ", ".join(str(r) for r in sorted(ranks)))
    first = grouped.min().sort_values()
    coords = np.array(list(first.index))
    return gpd.GeoDataFrame(
        {"text": texts.reindex(first.index).to_numpy(), "kind": "rank"},
        geometry=gpd.points_from_xy(coords[:, 0], coords[:, 1]),
        crs=WGS84,
    )


def placed_labels(
    layers: MapLayers, *, width_in: float, height_in: float, font_pt: float
) -> gpd.GeoDataFrame:
    """The labels of ``layers`` that fit a map of ``width_in`` × ``height_in`` with text at ``font_pt``.

    Candidates are taken in priority order (priority numbers, main communes, places); each
    goes right of its point, else left, above or below, and is dropped when every side would
    overlap a label already placed or leave the view. Priority numbers are always kept.

    Returns
    -------
    GeoDataFrame
        ``text``, ``kind`` and ``side`` (``right``, ``left``, ``above``, ``below`` the point), in WGS84.
    """
    candidates = layers.label_candidates
    minx, miny, maxx, maxy = layers.bounds
    metres_per_pt = max((maxx - minx) / width_in, (maxy - miny) / height_in) / 72.0
    char_m = _CHAR_EM * font_pt * metres_per_pt
    half_height = 0.65 * font_pt * metres_per_pt
    gap_m = 0.45 * font_pt * metres_per_pt
    xy = shapely.get_coordinates(candidates.to_crs(layers.crs).geometry.to_numpy())
    kept: list[int] = []
    sides: list[str] = []
    # The listed priorities' markers are obstacles too: a commune's name must not hide its own.
    listed = layers.gaps[layers.gaps["rank"] <= MAX_PRIORITY_ROWS]
    marker = 0.4 * font_pt * metres_per_pt
    boxes = [
        (x - marker, y - marker, x + marker, y + marker)
        for x, y in shapely.get_coordinates(listed.to_crs(layers.crs).geometry.to_numpy())
    ]
    # So are the scale bar (bottom right) and the north arrow (top right) of the static map.
    span_x, span_y = maxx - minx, maxy - miny
    boxes += [
        (maxx - 0.32 * span_x, miny, maxx, miny + 0.035 * span_y + 2.6 * font_pt * metres_per_pt),
        (maxx - 0.07 * span_x, maxy - 0.16 * span_y, maxx, maxy),
    ]
    for position, (text, kind) in enumerate(zip(candidates["text"], candidates["kind"], strict=True)):
        x, y = xy[position]
        width = char_m * len(str(text))
        options = {
            "right": (x + gap_m, y - half_height, x + gap_m + width, y + half_height),
            "left": (x - gap_m - width, y - half_height, x - gap_m, y + half_height),
            "above": (x - width / 2, y + gap_m, x + width / 2, y + gap_m + 2 * half_height),
            "below": (x - width / 2, y - gap_m - 2 * half_height, x + width / 2, y - gap_m),
        }
        free = [
            side
            for side, box in options.items()
            if box[0] >= minx
            and box[2] <= maxx
            and box[1] >= miny
            and box[3] <= maxy
            and not any(_overlap(box, other) for other in boxes)
        ]
        if free or kind == "rank":
            side = free[0] if free else "right"
            kept.append(position)
            sides.append(side)
            boxes.append(options[side])
    placed = candidates.iloc[kept].reset_index(drop=True)
    placed["side"] = sides
    return placed


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _legend(
    profile: TerritoryProfile, outline: gpd.GeoSeries, places: gpd.GeoDataFrame, gaps: gpd.GeoDataFrame
) -> tuple[LegendItem, ...]:
    items: list[LegendItem] = []
    if len(outline):
        items.append(LegendItem("area", TERRITORY_COLOR, profile.territory.name))
        items.append(LegendItem("dashed", TERRITORY_COLOR, f"À {profile.radius_label} du territoire"))
    colors = set(places["color"])
    items += [
        LegendItem("dot", THEME_COLORS[t], THEME_SHORT_LABELS[t])
        for t in (profile.themes or tuple(THEMES))
        if THEME_COLORS[t] in colors
    ]
    if NO_THEME_COLOR in colors:
        items.append(LegendItem("dot", NO_THEME_COLOR, "Tiers-lieu sans thème"))
    if places["hollow"].any():
        items.append(LegendItem("hollow", HOLLOW_LEGEND_COLOR, "Creux : localisation approximative"))
    items += [
        LegendItem(
            "square" if programme == "qpv" else "triangle",
            PROGRAMME_COLORS[programme],
            f"{label} {without_places(profile.themes)}",
        )
        for programme, label in GAP_LEGEND.items()
        if (gaps["programme"] == programme).any()
    ]
    if (gaps["rank"] <= MAX_PRIORITY_ROWS).any():
        items.append(LegendItem("rank", RANK_COLOR, "N° dans la liste des priorités"))
    return tuple(items)


def map_layers(basis: ProfileBasis, profile: TerritoryProfile) -> MapLayers:
    """The layers, labels and legend of the map of ``profile``.

    Raises
    ------
    InvalidParameterError
        If the territory has neither an outline, nor a place, nor a département outline.
    """
    crs = projected_crs_for_zone(profile.territory.zone)
    outline = territory_outline(basis, profile)
    places = _places_gdf(profile)
    bounds = _view_bounds(basis, outline, places, profile, crs)
    minx, miny, maxx, maxy = gpd.GeoSeries([shapely.box(*bounds)], crs=crs).to_crs(WGS84).total_bounds
    bounds_wgs84 = (float(minx), float(miny), float(maxx), float(maxy))
    context_outlines = basis.outlines[CONTEXT_LEVEL[profile.territory.level]]
    context = context_outlines.cx[minx:maxx, miny:maxy].geometry
    gaps = _gaps_gdf(profile)
    place_labels = gpd.GeoDataFrame(
        {"text": [_short(str(n)) for n in places["name"]], "kind": "place"},
        geometry=places.geometry.to_numpy(),
        crs=WGS84,
    )
    candidates = pd.concat(
        [
            _rank_labels(gaps),
            _main_communes(basis, profile, bounds_wgs84),
            place_labels if len(places) <= MAX_PLACE_LABELS else place_labels.iloc[0:0],
        ],
        ignore_index=True,
    )
    return MapLayers(
        crs=crs,
        bounds=bounds,
        bounds_wgs84=bounds_wgs84,
        context=gpd.GeoSeries(context.to_numpy(), crs=WGS84),
        outline=outline,
        ring=access_ring(outline, profile.radius_km, crs),
        places=places,
        gaps=gaps,
        label_candidates=gpd.GeoDataFrame(candidates, crs=WGS84),
        legend=_legend(profile, outline, places, gaps),
    )
