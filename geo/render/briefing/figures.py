"""The pictures of the pack (static map, comparison and theme charts), drawn for print or for slides.

Each picture is drawn at the size it is shown, with text no smaller than its
:class:`Medium` allows: 9 pt on the A4 page, 14 pt on a 16:9 slide. The PDF places them at
their own size; the deck, at the size of the slide area they were drawn for. Drawn with
matplotlib's object API (``Figure`` + Agg canvas: no display, thread-safe, no pyplot
state); the map is in the zone's metric CRS with a scale bar and a north arrow, and needs
no web tiles.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from geo.analysis.gaps import PROGRAMMES
from geo.analysis.profile import TerritoryProfile, comparison_series
from geo.fmt import NNBSP, fr_number, fr_percent
from geo.render.briefing.mapdata import LegendItem, MapLayers, placed_labels
from geo.render.style import (
    COMPARISON_COLORS,
    CONTEXT_BOUNDARY_COLOR,
    INK_COLOR,
    LABEL_COLOR,
    MARKER_EDGE_COLOR,
    NO_THEME_COLOR,
    PAPER_COLOR,
    PLACE_LABEL_COLOR,
    PROGRAMME_COLORS,
    RANK_COLOR,
    TERRITORY_COLOR,
    TERRITORY_FILL,
    THEME_COLORS,
)
from geo.themes import insufficient_label

# No display on the server: geopandas' plotting imports pyplot, which must pick Agg.
matplotlib.use("Agg")

_LEGEND_SHARE = 0.36
"""Share of a slide map's width kept for the legend beside it."""
_SCALE_STEPS_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
_TICK_CHARS = 38
"""Longest bar label on a slide (twice that in print), in characters."""
_HALO = [patheffects.withStroke(linewidth=2.6, foreground=PAPER_COLOR)]
_LABEL_SIDES = {
    "right": (1, 0, "left", "center"),
    "left": (-1, 0, "right", "center"),
    "above": (0, 1, "center", "bottom"),
    "below": (0, -1, "center", "top"),
}
"""Side of its point → (x, y offset direction, horizontal, vertical alignment) of a label."""


@dataclass(frozen=True)
class Medium:
    """Where a picture is shown: the smallest text it may hold and its resolution."""

    name: str
    font_pt: float
    dpi: int


PRINT = Medium("print", font_pt=9.0, dpi=200)
"""The A4 PDF: text of at least 9 pt once printed."""
SLIDE = Medium("slide", font_pt=14.0, dpi=110)
"""A 16:9 slide of 13.33 × 7.5 inches: text of at least 14 pt, readable from the back of a room."""


@dataclass(frozen=True)
class Picture:
    """A PNG and the size, in inches, at which it was drawn (and must be shown)."""

    png: bytes
    width_in: float
    height_in: float


def _picture(fig: Figure, medium: Medium) -> Picture:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buffer, format="png", dpi=medium.dpi)
    width, height = fig.get_size_inches()
    return Picture(buffer.getvalue(), float(width), float(height))


def _scale_length_km(width_m: float) -> float:
    fitting = [step for step in _SCALE_STEPS_KM if step * 1000.0 <= width_m / 4]
    return fitting[-1] if fitting else _SCALE_STEPS_KM[0]


def _draw_scale_bar(ax: matplotlib.axes.Axes, bounds: Sequence[float], font_pt: float) -> None:
    minx, miny, maxx, maxy = bounds
    length_km = _scale_length_km(maxx - minx)
    length_m = length_km * 1000.0
    height = (maxy - miny) * 0.012
    x0 = maxx - (maxx - minx) * 0.04 - length_m
    y0 = miny + (maxy - miny) * 0.035
    half = length_m / 2
    for start, color in ((x0, INK_COLOR), (x0 + half, PAPER_COLOR)):
        ax.add_patch(
            Rectangle((start, y0), half, height, facecolor=color, edgecolor=INK_COLOR, lw=0.6, zorder=6)
        )
    decimals = 0 if float(length_km).is_integer() else 1
    ax.text(
        x0 + half,
        y0 + height * 1.8,
        f"{fr_number(length_km, decimals)}{NNBSP}km",
        ha="center",
        va="bottom",
        fontsize=font_pt,
        zorder=6,
        path_effects=_HALO,
    )


def _draw_north_arrow(ax: matplotlib.axes.Axes, font_pt: float) -> None:
    ax.annotate(
        "N",
        xy=(0.965, 0.97),
        xytext=(0.965, 0.86),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=font_pt,
        fontweight="bold",
        arrowprops={
            "facecolor": INK_COLOR,
            "edgecolor": INK_COLOR,
            "width": 2.5,
            "headwidth": 8,
            "headlength": 7,
        },
        zorder=7,
    )


def _legend_handle(item: LegendItem) -> Patch | Line2D:
    if item.symbol == "area":
        return Patch(facecolor=TERRITORY_FILL, edgecolor=item.color, linewidth=1.6, label=item.label)
    if item.symbol == "dashed":
        return Line2D([], [], color=item.color, linestyle="--", linewidth=1.2, label=item.label)
    if item.symbol == "rank":
        return Line2D([], [], marker="$1$", linestyle="", markersize=9, color=item.color, label=item.label)
    marker = {"triangle": "^", "square": "s"}.get(item.symbol, "o")
    hollow = item.symbol == "hollow"
    return Line2D(
        [],
        [],
        marker=marker,
        linestyle="",
        markersize=8,
        markerfacecolor="none" if hollow else item.color,
        markeredgecolor=item.color if hollow else (MARKER_EDGE_COLOR if marker == "o" else PAPER_COLOR),
        markeredgewidth=1.4 if hollow else 0.6,
        label=item.label,
    )


def _draw_layers(ax: matplotlib.axes.Axes, layers: MapLayers, medium: Medium) -> None:
    crs = layers.crs
    if len(layers.context):
        layers.context.to_crs(crs).boundary.plot(ax=ax, color=CONTEXT_BOUNDARY_COLOR, linewidth=0.4, zorder=1)
    if len(layers.outline):
        projected = layers.outline.to_crs(crs)
        projected.plot(ax=ax, facecolor=TERRITORY_COLOR, alpha=0.10, edgecolor="none", zorder=2)
        projected.boundary.plot(ax=ax, color=TERRITORY_COLOR, linewidth=1.6, zorder=3)
        layers.ring.to_crs(crs).plot(ax=ax, color=TERRITORY_COLOR, linewidth=1.0, linestyle="--", zorder=3)
    size = 2.6 * medium.font_pt
    places = layers.places.to_crs(crs)
    for hollow in (False, True):
        part = places[places["hollow"] == hollow]
        if part.empty:
            continue
        ax.scatter(
            part.geometry.x,
            part.geometry.y,
            s=size * (1.2 if hollow else 1.0),
            facecolors="none" if hollow else list(part["color"]),
            edgecolors=list(part["color"]) if hollow else MARKER_EDGE_COLOR,
            linewidths=1.4 if hollow else 0.5,
            zorder=5,
        )
    gaps = layers.gaps.to_crs(crs)
    for programme in reversed(
        PROGRAMMES
    ):  # QPV squares under the ACV / PVD triangles they share a point with
        part = gaps[gaps["programme"] == programme]
        if part.empty:
            continue
        ax.scatter(
            part.geometry.x,
            part.geometry.y,
            s=size * 2.0,
            marker="s" if programme == "qpv" else "^",
            c=PROGRAMME_COLORS[programme],
            edgecolors=PAPER_COLOR,
            linewidths=0.8,
            zorder=6,
        )


def _draw_labels(
    ax: matplotlib.axes.Axes, layers: MapLayers, medium: Medium, size_in: tuple[float, float]
) -> None:
    labels = placed_labels(layers, width_in=size_in[0], height_in=size_in[1], font_pt=medium.font_pt)
    labels = labels.to_crs(layers.crs)
    offset = 0.45 * medium.font_pt
    for text, kind, side, point in zip(
        labels["text"], labels["kind"], labels["side"], labels.geometry, strict=True
    ):
        dx, dy, ha, va = _LABEL_SIDES[str(side)]
        ax.annotate(
            str(text),
            (point.x, point.y),
            xytext=(dx * offset, dy * offset),
            textcoords="offset points",
            fontsize=medium.font_pt,
            fontweight="bold" if kind == "rank" else "normal",
            fontstyle="italic" if kind == "place" else "normal",
            color={"rank": RANK_COLOR, "place": PLACE_LABEL_COLOR}.get(str(kind), LABEL_COLOR),
            va=va,
            ha=ha,
            zorder=8,
            path_effects=_HALO,
        )


def static_map(
    layers: MapLayers, medium: Medium, *, width_in: float, max_height_in: float, legend_right: bool
) -> Figure:
    """The map of :func:`geo.render.briefing.mapdata.map_layers` with its legend beside (slides) or under
    (print) the map, a scale bar and a north arrow; every text at ``medium.font_pt`` or more.

    With the legend under it, the figure is as tall as the view needs (at most ``max_height_in``);
    beside it, the figure is ``max_height_in`` tall and as wide as the map and its legend need
    (at most ``width_in``).
    """
    font = medium.font_pt
    handles = [_legend_handle(item) for item in layers.legend]
    minx, miny, maxx, maxy = layers.bounds
    aspect = (maxy - miny) / (maxx - minx)
    if legend_right:
        height_in = max_height_in
        legend_in = _LEGEND_SHARE * width_in
        map_in = min(width_in - legend_in, height_in / aspect)
        width_in = map_in + legend_in
        map_box = (0.0, 0.0, map_in / width_in, 1.0)
        legend_kwargs: dict[str, Any] = {
            "loc": "center left",
            "bbox_to_anchor": (map_box[2] + 0.015, 0.5),
            "ncols": 1,
        }
    else:
        columns = 2
        rows = math.ceil(len(handles) / columns) if handles else 0
        legend_in = rows * 1.75 * font / 72 + 0.15 if rows else 0.0
        height_in = min(max_height_in, width_in * aspect + legend_in)
        map_box = (0.0, legend_in / height_in, 1.0, 1.0 - legend_in / height_in)
        legend_kwargs = {"loc": "lower left", "bbox_to_anchor": (0.0, 0.0), "ncols": columns}
    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_axes(map_box)
    _draw_layers(ax, layers, medium)
    bounds = layers.bounds
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_xlabel("")  # geopandas names the axes after the CRS: nothing to print, nothing hidden
    ax.set_ylabel("")
    _draw_labels(ax, layers, medium, (map_box[2] * width_in, map_box[3] * height_in))
    _draw_scale_bar(ax, bounds, font)
    _draw_north_arrow(ax, font)
    if handles:
        fig.legend(
            handles=handles,
            fontsize=font,
            frameon=False,
            handlelength=1.6,
            borderaxespad=0.2,
            columnspacing=1.2,
            **legend_kwargs,
        )
    return fig


def map_picture(
    layers: MapLayers, medium: Medium, *, width_in: float, max_height_in: float, legend_right: bool
) -> Picture:
    """:func:`static_map` as a PNG."""
    fig = static_map(
        layers, medium, width_in=width_in, max_height_in=max_height_in, legend_right=legend_right
    )
    return _picture(fig, medium)


def _percent_axis(value: float, _position: int) -> str:
    return fr_percent(value, 0)


def _style_axes(ax: matplotlib.axes.Axes, medium: Medium) -> None:
    """No top or right spine; a percentage axis from 0 to 100 % (with room for the value labels),
    graduated every 20 % in print and every 50 % on slides (their text is larger)."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=medium.font_pt)
    ax.set_xlim(0, 1.2)
    ax.set_xticks(np.linspace(0, 1, 6 if medium is PRINT else 3))
    ax.xaxis.set_major_formatter(FuncFormatter(_percent_axis))


def _bar_label(label: str, medium: Medium) -> str:
    """A bar label short enough for one line: a long name is cut (« Saint-Erme-Outre-et-Ra… (commune,
    02) »), its parenthesis kept; the tables give it in full."""
    limit = _TICK_CHARS if medium is SLIDE else 2 * _TICK_CHARS
    if len(label) <= limit:
        return label
    name, bracket, rest = label.partition(" (")
    suffix = bracket + rest if bracket else ""
    return name[: max(8, limit - len(suffix) - 1)].rstrip(" -") + "…" + suffix


def comparison_chart(
    profile: TerritoryProfile, medium: Medium, *, width_in: float, max_height_in: float = 6.0
) -> Figure:
    """Bars: share of population within ``radius_km`` of a tiers-lieu, territory vs references."""
    data = comparison_series(profile).iloc[::-1]
    font = medium.font_pt
    overhead_in = 3.6 * font / 72 + 0.3
    bar_in = min(1.9 * font / 72, (max_height_in - overhead_in) / max(len(data), 1))
    height_in = len(data) * bar_in + overhead_in
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    ax = fig.add_subplot()
    values = data["share_covered"].fillna(0).to_numpy(dtype=float)
    positions = np.arange(len(data))
    ax.barh(positions, values, color=[COMPARISON_COLORS[k] for k in data["kind"]], height=0.7)
    for position, (value, raw) in enumerate(zip(values, data["share_covered"], strict=True)):
        ax.text(value + 0.01, position, fr_percent(raw), va="center", fontsize=font)
    labels = [_bar_label(str(label), medium) for label in data["label"]]
    ax.set_yticks(positions, labels, fontsize=font)
    for tick, kind in zip(ax.get_yticklabels(), data["kind"], strict=True):
        if kind == "territoire":
            tick.set_fontweight("bold")
    ax.set_ylim(-0.6, len(data) - 0.4)
    _style_axes(ax, medium)
    ax.set_xlabel(f"Part de la population\nà moins de {profile.radius_label} d'un tiers-lieu", fontsize=font)
    return fig


def theme_chart(
    rows: pd.DataFrame,
    profile: TerritoryProfile,
    medium: Medium,
    *,
    width_in: float,
    max_height_in: float = 6.0,
) -> Figure:
    """Horizontal bars per theme (``rows`` of :func:`geo.render.briefing.content.theme_section`): share of
    population covered, with the national reference as a black tick; a theme with too few places
    for a finding is grey and says « données insuffisantes (n lieux) »."""
    data = rows.iloc[::-1]
    font = medium.font_pt
    overhead_in = 5.4 * font / 72 + 0.3
    bar_in = min(1.9 * font / 72, (max_height_in - overhead_in) / max(len(data), 1))
    height_in = len(data) * bar_in + overhead_in
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    ax = fig.add_subplot()
    positions = np.arange(len(data))
    values = data["share_covered"].fillna(0).to_numpy(dtype=float)
    sufficient = data["sufficient"].astype(bool).to_numpy()
    colors = [
        THEME_COLORS.get(str(t), TERRITORY_COLOR) if ok else NO_THEME_COLOR
        for t, ok in zip(data.index, sufficient, strict=True)
    ]
    ax.barh(positions, values, color=colors, height=0.7)
    ax.scatter(
        data["reference_share"],
        positions,
        marker="|",
        s=(2.2 * font) ** 2,
        color=MARKER_EDGE_COLOR,
        linewidths=2.4,
        zorder=4,
    )
    for position, (value, raw, reference, ok, count) in enumerate(
        zip(
            values,
            data["share_covered"],
            data["reference_share"],
            sufficient,
            data["reference_places"],
            strict=True,
        )
    ):
        right_of = max(value, float(reference) if np.isfinite(reference) else 0.0)
        text = fr_percent(raw) if ok else f"{fr_percent(raw)} — {insufficient_label(int(count))}"
        ax.text(right_of + 0.015, position, text, va="center", fontsize=font)
    labels = [
        "Tous thèmes" if str(t) == "tous" else str(label)
        for t, label in zip(data.index, data["label"], strict=True)
    ]
    ax.set_yticks(positions, labels, fontsize=font)
    ax.set_ylim(-0.6, len(data) - 0.4)
    _style_axes(ax, medium)
    ax.set_xlabel(
        f"Part de la population à moins de {profile.radius_label}\nd'un lieu du thème "
        f"(trait noir : {profile.reference_label})",
        fontsize=font,
        linespacing=1.4,
    )
    return fig


def chart_picture(fig: Figure, medium: Medium) -> Picture:
    """A chart of this module as a PNG."""
    return _picture(fig, medium)
