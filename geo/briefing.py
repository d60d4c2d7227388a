"""Briefing pack of a territory, made on the server: PDF, PowerPoint deck and an offline HTML map.

Everything is drawn from one :class:`geo.profile.TerritoryProfile`, the object the « Fiche
territoire » page shows, so the pack and the page print the same figures. Images are
drawn with matplotlib's object API (``Figure`` + Agg canvas: no display, thread-safe, no
pyplot state); the static map is in the zone's metric CRS, with a legend, a scale bar and
a north arrow, and needs no web tiles. The interactive map is a standalone HTML file with
Leaflet and jQuery inlined from the XStatic packages: it opens without network access.
"""

from __future__ import annotations

import html
import importlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from geo._errors import InvalidParameterError
from geo.catalog import DATASETS
from geo.charts import NO_THEME_COLOR, THEME_COLORS
from geo.crs import WGS84, projected_crs_for_zone
from geo.fmt import NNBSP, fr_km, fr_number, fr_percent
from geo.gaps import PROGRAMME_COLORS, PROGRAMMES
from geo.maps import (
    VENDOR_FILES,
    add_legend,
    add_outline_layer,
    add_points_layer,
    base_map,
    display_geometries,
    localize_assets,
)
from geo.mapviews import add_places, place_colors
from geo.placement import PRECISION_ADDRESS
from geo.profile import (
    COMPARISON_COLORS,
    ProfileBasis,
    TerritoryProfile,
    comparison_series,
    gaps_table,
    key_figure_items,
    method_lines,
    places_table,
    programmes_table,
    references_table,
    similar_table,
    sources_lines,
    theme_table,
)
from geo.themes import THEME_SHORT_LABELS, THEMES

OUTLINES_CREDIT = f"{DATASETS['communes_polygons'].producer} ({DATASETS['communes_polygons'].vintage})"
"""« IGN ADMIN EXPRESS 2018 recodé COG 2026 (contours 2018, codes 2026) »: the outlines drawn."""

# No display on the server: geopandas' plotting imports pyplot, which must pick Agg.
matplotlib.use("Agg")

CONTEXT_LEVEL = {"commune": "commune", "epci": "commune", "dep": "epci", "reg": "dep"}
"""Level of the territory → level of the grey outlines drawn around it on maps."""

TERRITORY_COLOR = "#0072B2"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
MAX_GAP_ROWS = 15
MAX_PLACE_ROWS = 20
MAX_SLIDE_ROWS = 12
_INLINE = "atlas-inline-asset"
_SCALE_STEPS_KM = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)


def french_date(day: date) -> str:
    """« 26 novembre 2026 » (« 1er » for the first of the month)."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def pack_title(profile: TerritoryProfile) -> str:
    """Title of every document of the pack: « Fiche territoire : Tonnerre »."""
    return f"Fiche territoire : {profile.territory.name}"


def pack_subtitle(profile: TerritoryProfile) -> str:
    """« Commune · Yonne (89) » style line under the title."""
    territory = profile.territory
    parts = [territory.level_label]
    if territory.level in ("commune", "epci") and territory.dep:
        parts.append(f"département {territory.dep}")
    parts.append(f"{fr_number(profile.n_communes)} commune{'s' if profile.n_communes > 1 else ''}")
    return " · ".join(parts)


def parameters_text(profile: TerritoryProfile) -> str:
    """The parameters of the pack in one French sentence."""
    return (
        f"Tiers-lieux : {profile.themes_label} ; distance d'accès : {profile.radius_label} à vol d'oiseau ; "
        f"liste utilisée : {profile.places_source}."
    )


def basename_for(profile: TerritoryProfile, day: date) -> str:
    """File name stem of the pack: ``fiche-territoire-commune-89418-2026-11-26``."""
    return f"fiche-territoire-{profile.territory.level}-{profile.territory.code}-{day.isoformat()}"


# --------------------------------------------------------------------------- images


def _png(fig: Figure, *, dpi: int) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(fig)
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _territory_outline(basis: ProfileBasis, profile: TerritoryProfile) -> gpd.GeoSeries:
    """Outline of the territory in WGS84 (empty when the data has none, e.g. a new commune)."""
    territory = profile.territory
    outlines = basis.outlines[territory.level]
    if territory.code in outlines.index:
        return gpd.GeoSeries([outlines.loc[territory.code, "geometry"]], crs=WGS84)
    return gpd.GeoSeries([], crs=WGS84)


def _view_bounds(
    basis: ProfileBasis, outline: gpd.GeoSeries, profile: TerritoryProfile, crs: str
) -> tuple[float, float, float, float]:
    """Metric bounds of the view: the territory and the ring of ``radius_km`` around it.

    A territory without an outline (a commune created after the outlines' vintage) is shown
    by its places, else by its département.
    """
    points = _places_gdf(profile).to_crs(crs)
    geometries = list(outline.to_crs(crs)) if len(outline) else []
    if not geometries and len(points):
        geometries = list(points.geometry)
    departements = basis.outlines["dep"]
    if not geometries and profile.territory.dep in departements.index:
        dep_outline = departements.loc[[profile.territory.dep], "geometry"]
        geometries = list(gpd.GeoSeries(dep_outline, crs=WGS84).to_crs(crs))
    if not geometries:
        raise InvalidParameterError(f"« {profile.territory.label} » n'a ni contour ni point à cartographier")
    union = shapely.union_all(geometries)
    minx, miny, maxx, maxy = union.buffer(profile.radius_km * 1000.0).bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _places_gdf(profile: TerritoryProfile) -> gpd.GeoDataFrame:
    places = profile.places
    return gpd.GeoDataFrame(places, geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs=WGS84)


def _context(
    basis: ProfileBasis, profile: TerritoryProfile, bounds_wgs84: Sequence[float]
) -> gpd.GeoDataFrame:
    level = CONTEXT_LEVEL[profile.territory.level]
    outlines = basis.outlines[level]
    minx, miny, maxx, maxy = bounds_wgs84
    return outlines.cx[minx:maxx, miny:maxy]


def _scale_length_km(width_m: float) -> float:
    fitting = [step for step in _SCALE_STEPS_KM if step * 1000.0 <= width_m / 4]
    return fitting[-1] if fitting else _SCALE_STEPS_KM[0]


def _draw_scale_bar(ax: matplotlib.axes.Axes, bounds: Sequence[float]) -> None:
    minx, miny, maxx, maxy = bounds
    length_km = _scale_length_km(maxx - minx)
    length_m = length_km * 1000.0
    height = (maxy - miny) * 0.012
    x0 = maxx - (maxx - minx) * 0.04 - length_m
    y0 = miny + (maxy - miny) * 0.04
    half = length_m / 2
    ax.add_patch(Rectangle((x0, y0), half, height, facecolor="black", edgecolor="black", lw=0.6, zorder=6))
    ax.add_patch(
        Rectangle((x0 + half, y0), half, height, facecolor="white", edgecolor="black", lw=0.6, zorder=6)
    )
    decimals = 0 if float(length_km).is_integer() else 1
    ax.text(
        x0 + half,
        y0 + height * 1.8,
        f"{fr_number(length_km, decimals)}{NNBSP}km",
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=6,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1},
    )


def _draw_north_arrow(ax: matplotlib.axes.Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.955, 0.95),
        xytext=(0.955, 0.84),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 3, "headwidth": 9, "headlength": 8},
        zorder=7,
    )


def static_map_png(
    basis: ProfileBasis,
    profile: TerritoryProfile,
    *,
    width_in: float = 7.2,
    height_in: float = 5.0,
    dpi: int = 150,
) -> bytes:
    """PNG map of the territory, its surroundings, its tiers-lieux and its priority gaps.

    Drawn in the zone's metric CRS (Lambert-93, or the DROM's UTM), with the outlines of
    the neighbouring territories, the ring at ``radius_km`` around the territory, a legend,
    a scale bar and a north arrow. No web tiles: it draws offline.
    """
    crs = projected_crs_for_zone(profile.territory.zone)
    outline = _territory_outline(basis, profile)
    bounds = _view_bounds(basis, outline, profile, crs)
    bounds_wgs84 = gpd.GeoSeries([shapely.box(*bounds)], crs=crs).to_crs(WGS84).total_bounds
    fig = Figure(figsize=(width_in, height_in))
    ax = fig.add_axes((0.0, 0.06, 1.0, 0.94))
    context = _context(basis, profile, bounds_wgs84)
    if len(context):
        context.to_crs(crs).boundary.plot(ax=ax, color="#9a9a9a", linewidth=0.4, zorder=1)
    handles: list[Patch | Line2D] = []
    if len(outline):
        projected = outline.to_crs(crs)
        projected.plot(ax=ax, facecolor=TERRITORY_COLOR, alpha=0.10, edgecolor="none", zorder=2)
        projected.boundary.plot(ax=ax, color=TERRITORY_COLOR, linewidth=1.6, zorder=3)
        gpd.GeoSeries(projected.buffer(profile.radius_km * 1000.0).boundary, crs=crs).plot(
            ax=ax, color=TERRITORY_COLOR, linewidth=0.9, linestyle="--", zorder=3
        )
        handles.append(Patch(facecolor="#d9e8f3", edgecolor=TERRITORY_COLOR, label=profile.territory.name))
        handles.append(
            Line2D(
                [], [], color=TERRITORY_COLOR, linestyle="--", label=f"À {profile.radius_label} du territoire"
            )
        )
    places = _places_gdf(profile)
    if len(places):
        projected_places = places.to_crs(crs)
        colors = place_colors(places, profile.themes)
        exact = (places["location_precision"] == PRECISION_ADDRESS).to_numpy()
        xy = np.column_stack([projected_places.geometry.x, projected_places.geometry.y])
        color_array = np.array(colors, dtype=object)
        if exact.any():
            ax.scatter(
                xy[exact, 0],
                xy[exact, 1],
                s=22,
                c=list(color_array[exact]),
                edgecolors="#222222",
                linewidths=0.5,
                zorder=5,
            )
        if (~exact).any():
            ax.scatter(
                xy[~exact, 0],
                xy[~exact, 1],
                s=26,
                facecolors="none",
                edgecolors=list(color_array[~exact]),
                linewidths=1.4,
                zorder=5,
            )
        shown = [t for t in (profile.themes or tuple(THEMES)) if THEME_COLORS[t] in set(colors)]
        handles += [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor=THEME_COLORS[t],
                markeredgecolor="#222222",
                label=THEME_SHORT_LABELS[t],
            )
            for t in shown
        ]
        if NO_THEME_COLOR in set(colors):
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor=NO_THEME_COLOR,
                    markeredgecolor="#222222",
                    label="Tiers-lieu non classé",
                )
            )
        if (~exact).any():
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markerfacecolor="none",
                    markeredgecolor="#444444",
                    label="Cercle creux : centroïde de commune",
                )
            )
    gaps = profile.gaps
    if len(gaps):
        projected_gaps = gpd.GeoSeries(gaps.geometry, crs=WGS84).to_crs(crs)
        for programme in PROGRAMMES:
            rows = (gaps["programme"] == programme).to_numpy()
            if not rows.any():
                continue
            marker = "s" if programme == "qpv" else "^"
            ax.scatter(
                projected_gaps.x[rows],
                projected_gaps.y[rows],
                s=46,
                marker=marker,
                c=PROGRAMME_COLORS[programme],
                edgecolors="white",
                linewidths=0.8,
                zorder=6,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=marker,
                    linestyle="",
                    markerfacecolor=PROGRAMME_COLORS[programme],
                    markeredgecolor="white",
                    label=f"{PROGRAMMES[programme]} sans tiers-lieu",
                )
            )
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect("equal")
    ax.set_axis_off()
    _draw_scale_bar(ax, bounds)
    _draw_north_arrow(ax)
    if handles:
        ax.legend(handles=handles, loc="upper left", fontsize=6.5, framealpha=0.92, borderpad=0.6)
    fig.text(
        0.01,
        0.015,
        f"Sources : {profile.places_source} ; contours {OUTLINES_CREDIT} ; "
        "ACV, PVD, QPV : ANCT. Projection métrique de la zone ; pas de fond de carte.",
        fontsize=5.8,
        color="#555555",
    )
    return _png(fig, dpi=dpi)


def _percent_axis(value: float, _position: int) -> str:
    return fr_percent(value, 0)


def _finish_chart(fig: Figure, ax: matplotlib.axes.Axes, *, title: str, note: str) -> None:
    """Common style of the pack's charts: no top/right spines, a title and a source line."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle(title, x=0.02, ha="left", fontsize=9, fontweight="bold")
    fig.text(0.02, 0.02, note, fontsize=6, color="#555555")


def comparison_chart_png(profile: TerritoryProfile, *, dpi: int = 150) -> bytes:
    """Bars: share of population within ``radius_km`` of a tiers-lieu, territory vs references."""
    data = comparison_series(profile).iloc[::-1]
    fig = Figure(figsize=(6.4, max(2.4, 0.32 * len(data) + 1.2)))
    ax = fig.add_axes((0.42, 0.16, 0.54, 0.72))
    values = data["share_covered"].fillna(0).to_numpy(dtype=float)
    ax.barh(range(len(data)), values, color=[COMPARISON_COLORS[k] for k in data["kind"]])
    for position, (value, raw) in enumerate(zip(values, data["share_covered"], strict=True)):
        ax.text(value + 0.01, position, fr_percent(raw), va="center", fontsize=7)
    ax.set_yticks(range(len(data)), [str(label) for label in data["label"]], fontsize=7)
    ax.set_xlim(0, 1.18)
    ax.xaxis.set_major_formatter(FuncFormatter(_percent_axis))
    ax.tick_params(axis="x", labelsize=7)
    _finish_chart(
        fig,
        ax,
        title=f"Population à moins de {profile.radius_label} d'un tiers-lieu",
        note=f"Sources : {profile.places_source} ; INSEE, population 2023",
    )
    return _png(fig, dpi=dpi)


def theme_chart_png(profile: TerritoryProfile, *, dpi: int = 150) -> bytes:
    """Bars per theme: share of population covered, with the national reference as a tick."""
    coverage = profile.theme_coverage
    fig = Figure(figsize=(6.4, 3.0))
    ax = fig.add_axes((0.09, 0.22, 0.89, 0.64))
    positions = np.arange(len(coverage))
    values = coverage["share_covered"].fillna(0).to_numpy(dtype=float)
    ax.bar(positions, values, color=[THEME_COLORS.get(str(t), TERRITORY_COLOR) for t in coverage.index])
    ax.scatter(
        positions,
        coverage["reference_share"],
        marker="_",
        s=420,
        color="#333333",
        linewidths=2.2,
        label=profile.reference_label,
        zorder=4,
    )
    for position, (value, raw) in enumerate(zip(values, coverage["share_covered"], strict=True)):
        ax.text(position, value + 0.03, fr_percent(raw, 0), ha="center", fontsize=7)
    ax.set_xticks(positions, [str(label) for label in coverage["label"]], fontsize=7)
    ax.set_ylim(0, 1.15)
    ax.yaxis.set_major_formatter(FuncFormatter(_percent_axis))
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(fontsize=7, loc="upper right", frameon=False)
    _finish_chart(
        fig,
        ax,
        title=f"Population à moins de {profile.radius_label} d'un tiers-lieu, par thème (indicatif)",
        note=f"Thèmes indicatifs (typologie, label, mots-clés). Sources : {profile.places_source} ; INSEE",
    )
    return _png(fig, dpi=dpi)


@dataclass(frozen=True)
class PackImages:
    """The pictures shared by the PDF and the deck (PNG bytes)."""

    map_png: bytes
    comparison_png: bytes
    themes_png: bytes


def pack_images(basis: ProfileBasis, profile: TerritoryProfile) -> PackImages:
    """Draw the static map and the two charts once for both documents."""
    return PackImages(
        map_png=static_map_png(basis, profile),
        comparison_png=comparison_chart_png(profile),
        themes_png=theme_chart_png(profile),
    )


# --------------------------------------------------------------------------- PDF


@lru_cache(maxsize=1)
def _pdf_fonts() -> tuple[str, str]:
    """Register DejaVu Sans (shipped with matplotlib) with reportlab: accents and narrow spaces."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    font_dir = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(font_dir / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(font_dir / "DejaVuSans-Bold.ttf")))
    addMapping("DejaVuSans", 0, 0, "DejaVuSans")
    addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
    addMapping("DejaVuSans", 0, 1, "DejaVuSans")
    addMapping("DejaVuSans", 1, 1, "DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


def _xml(text: object) -> str:
    """Escape text for reportlab's mini-markup.

    Reportlab breaks lines at U+202F (the French thousands separator of :mod:`geo.fmt`)
    but not at U+00A0: « 1 230 289 » is printed with no-break spaces so it never wraps.
    """
    escaped = html.escape("" if text is None else str(text), quote=False)
    return escaped.replace(NNBSP, "\u00a0")


def _truncated(table: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, int]:
    return table.head(limit), max(0, len(table) - limit)


def briefing_pdf(profile: TerritoryProfile, images: PackImages, *, generated_on: date) -> bytes:
    """The pack as an A4 PDF of two to four pages.

    Title, date, scope and parameters; key figures; programmes; static map; comparison and
    theme charts; references and similar territories; priority gaps and tiers-lieux (the
    longest lists are cut, with the number left out); sources, vintages and method.
    """
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = _pdf_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=11)
    small = ParagraphStyle(
        "small", parent=body, fontSize=7, leading=8.6, textColor=colors.HexColor("#444444")
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=7.2, leading=8.6)
    cell_bold = ParagraphStyle("cell_bold", parent=cell, fontName=bold)
    title_style = ParagraphStyle(
        "title", parent=body, fontName=bold, fontSize=17, leading=21, textColor=colors.HexColor("#0b3d66")
    )
    heading = ParagraphStyle(
        "heading",
        parent=body,
        fontName=bold,
        fontSize=11,
        leading=14,
        spaceBefore=7,
        spaceAfter=3,
        textColor=colors.HexColor("#0b3d66"),
    )
    width = A4[0] - 3.2 * cm

    def table(frame: pd.DataFrame, col_widths: Sequence[float] | None = None) -> Table:
        rows = [[Paragraph(_xml(c), cell_bold) for c in frame.columns]]
        rows += [[Paragraph(_xml(v), cell) for v in row] for row in frame.itertuples(index=False)]
        result = Table(rows, colWidths=col_widths, repeatRows=1, hAlign="LEFT")
        result.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8c8c8")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        return result

    def image(data: bytes, target_width: float) -> Image:
        picture = Image(io.BytesIO(data))
        ratio = picture.imageHeight / picture.imageWidth
        picture.drawWidth, picture.drawHeight = target_width, target_width * ratio
        return picture

    story: list[object] = [
        Paragraph(_xml(pack_title(profile)), title_style),
        Paragraph(_xml(f"{pack_subtitle(profile)} · dossier préparé le {french_date(generated_on)}"), body),
        Paragraph(_xml("Paramètres : " + parameters_text(profile)), small),
        Paragraph("Chiffres clés", heading),
    ]
    items = key_figure_items(profile)
    pairs = [
        [Paragraph(_xml(label), cell), Paragraph(f"<b>{_xml(value)}</b>", cell)] for label, value, _ in items
    ]
    if len(pairs) % 2:
        pairs.append([Paragraph("", cell), Paragraph("", cell)])
    grid = [pairs[i] + pairs[i + 1] for i in range(0, len(pairs), 2)]
    figures_table = Table(
        grid, colWidths=[0.32 * width, 0.18 * width, 0.32 * width, 0.18 * width], hAlign="LEFT"
    )
    figures_table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8c8c8"))]))
    story.append(figures_table)
    story.append(Paragraph("Programmes publics", heading))
    story.append(table(programmes_table(profile), [0.3 * width, 0.36 * width, 0.34 * width]))
    story.append(
        KeepTogether(
            [
                Paragraph("Carte", heading),
                image(images.map_png, width * 0.92),
                Paragraph(
                    _xml(
                        "Territoire, anneau à la distance d'accès, tiers-lieux (cercles creux : situés au "
                        "centroïde de leur commune, approximatif) et priorités sans tiers-lieu à moins de "
                        f"{profile.radius_label}."
                    ),
                    small,
                ),
            ]
        )
    )
    charts = Table(
        [[image(images.comparison_png, width * 0.49), image(images.themes_png, width * 0.49)]],
        colWidths=[width * 0.5, width * 0.5],
        hAlign="LEFT",
    )
    story += [Paragraph("Comparaisons", heading), charts, Spacer(1, 4), table(references_table(profile))]
    story.append(Paragraph(_xml(f"Territoires similaires — critères : {profile.similar_criteria}."), small))
    if len(profile.similar):
        story.append(table(similar_table(profile)))
    else:
        story.append(Paragraph("Aucun territoire similaire selon ces critères.", body))
    story += [Paragraph("Couverture par thème (indicatif)", heading), table(theme_table(profile))]
    gaps, gaps_left = _truncated(gaps_table(profile), MAX_GAP_ROWS)
    story.append(
        Paragraph(
            f"Priorités : ACV, PVD et QPV sans tiers-lieu à moins de {_xml(profile.radius_label)}", heading
        )
    )
    if len(gaps):
        story.append(table(gaps))
        if gaps_left:
            story.append(
                Paragraph(f"… et {fr_number(gaps_left)} autres (voir la page « Fiche territoire »).", small)
            )
    else:
        story.append(
            Paragraph(
                "Aucune commune ACV ou PVD ni aucun QPV du territoire n'est sans tiers-lieu à cette "
                "distance.",
                body,
            )
        )
    places, places_left = _truncated(places_table(profile), MAX_PLACE_ROWS)
    story.append(Paragraph("Tiers-lieux dans le territoire et alentour", heading))
    if len(places):
        story.append(
            table(places, [0.25 * width, 0.14 * width, 0.2 * width, 0.1 * width, 0.13 * width, 0.18 * width])
        )
        if places_left:
            story.append(Paragraph(f"… et {fr_number(places_left)} autres.", small))
    else:
        story.append(
            Paragraph(
                f"Aucun tiers-lieu ({_xml(profile.themes_label)}) dans le territoire ni à moins de "
                f"{_xml(profile.radius_label)} de ses limites.",
                body,
            )
        )
    story.append(Paragraph("Sources, millésimes et méthode", heading))
    story += [Paragraph("• " + _xml(line), small) for line in sources_lines(profile)]
    story.append(Spacer(1, 3))
    story += [Paragraph("• " + _xml(line), small) for line in method_lines(profile)]

    footer = f"Atlas des tiers-lieux · {pack_title(profile)} · {french_date(generated_on)}"

    def on_page(canvas: object, doc: object) -> None:
        canvas.saveState()  # type: ignore[attr-defined]
        canvas.setFont(regular, 7)  # type: ignore[attr-defined]
        canvas.setFillColor(colors.HexColor("#666666"))  # type: ignore[attr-defined]
        canvas.drawString(1.6 * cm, 1.0 * cm, footer)  # type: ignore[attr-defined]
        canvas.drawRightString(A4[0] - 1.6 * cm, 1.0 * cm, f"page {doc.page}")  # type: ignore[attr-defined]
        canvas.restoreState()  # type: ignore[attr-defined]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.6 * cm,
        rightMargin=1.6 * cm,
        topMargin=1.4 * cm,
        bottomMargin=1.6 * cm,
        title=pack_title(profile),
        author="Atlas des tiers-lieux",
        subject=parameters_text(profile),
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PowerPoint


def briefing_pptx(profile: TerritoryProfile, images: PackImages, *, generated_on: date) -> bytes:
    """The pack as a 16:9 PowerPoint deck (python-pptx), one idea per slide."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]
    navy = RGBColor(0x0B, 0x3D, 0x66)
    grey = RGBColor(0x55, 0x55, 0x55)

    def text_box(
        slide: Any,
        box: tuple[float, float, float, float],
        lines: Sequence[str],
        *,
        size: float = 14,
        bold: bool = False,
        color: RGBColor | None = None,
    ) -> None:
        left, top, width, height = box
        shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = shape.text_frame
        frame.word_wrap = True
        for index, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.font.size = Pt(size)
            paragraph.font.bold = bold
            if color is not None:
                paragraph.font.color.rgb = color

    def new_slide(title: str, source: str | None = None) -> Any:
        slide = deck.slides.add_slide(blank)
        text_box(slide, (0.5, 0.3, 12.3, 0.8), [title], size=26, bold=True, color=navy)
        if source:
            text_box(slide, (0.5, 6.85, 12.3, 0.5), [source], size=9, color=grey)
        return slide

    def picture(
        slide: Any,
        data: bytes,
        left: float,
        top: float,
        *,
        width: float | None = None,
        height: float | None = None,
    ) -> None:
        slide.shapes.add_picture(
            io.BytesIO(data),
            Inches(left),
            Inches(top),
            width=Inches(width) if width else None,
            height=Inches(height) if height else None,
        )

    def table(
        slide: Any, frame: pd.DataFrame, left: float, top: float, width: float, *, size: float = 10
    ) -> None:
        rows, cols = len(frame) + 1, len(frame.columns)
        shape = slide.shapes.add_table(
            rows,
            cols,
            Inches(left),
            Inches(top),
            Inches(width),
            Inches(0.3 * rows),
        )
        grid = shape.table
        for j, column in enumerate(frame.columns):
            grid.columns[j].width = Emu(int(Inches(width) / cols))
            grid.cell(0, j).text = str(column)
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, value in enumerate(row):
                grid.cell(i, j).text = "" if value is None else str(value)
        for i in range(rows):
            for j in range(cols):
                for paragraph in grid.cell(i, j).text_frame.paragraphs:
                    paragraph.font.size = Pt(size)

    def long_table(slide: Any, frame: pd.DataFrame, empty: str, *, size: float) -> None:
        """A full-width table of at most MAX_SLIDE_ROWS rows (« … et N autres »), or ``empty``."""
        shown, left_out = _truncated(frame, MAX_SLIDE_ROWS)
        if not len(shown):
            text_box(slide, (0.5, 1.3, 12.3, 1.0), [empty], size=16)
            return
        table(slide, shown, 0.5, 1.2, 12.3, size=size)
        if left_out:
            more = f"… et {fr_number(left_out)} autres."
            text_box(slide, (0.5, 6.3, 12.3, 0.5), [more], size=11, color=grey)

    sources_short = (
        f"Sources : {profile.places_source} ; INSEE, population 2023 ; ANCT (ACV, PVD, QPV, France services)"
    )

    slide = deck.slides.add_slide(blank)
    text_box(slide, (0.8, 2.0, 11.7, 1.2), [pack_title(profile)], size=40, bold=True, color=navy)
    text_box(
        slide,
        (0.8, 3.3, 11.7, 2.5),
        [
            pack_subtitle(profile),
            f"Dossier préparé le {french_date(generated_on)}",
            "Paramètres : " + parameters_text(profile),
            "Atlas des tiers-lieux — données publiques (Licence Ouverte / Etalab 2.0)",
        ],
        size=16,
        color=grey,
    )

    slide = new_slide("Chiffres clés", sources_short)
    items = key_figure_items(profile)
    for index, (label, value, _) in enumerate(items):
        row, col = divmod(index, 3)
        left, top = 0.5 + col * 4.2, 1.3 + row * 1.25
        text_box(slide, (left, top, 4.0, 0.6), [value], size=26, bold=True, color=navy)
        text_box(slide, (left, top + 0.55, 4.0, 0.6), [label], size=12, color=grey)
    rows_used = (len(items) + 2) // 3
    programme_lines = [
        f"{p.label}{' (historique)' if p.historical else ''} : {p.text}" for p in profile.programmes
    ]
    text_box(
        slide, (0.5, 1.4 + rows_used * 1.25, 12.3, 2.0), ["Programmes publics", *programme_lines], size=12
    )

    slide = new_slide(f"Carte : {profile.territory.name} et {profile.radius_label} alentour", sources_short)
    picture(slide, images.map_png, 0.5, 1.1, height=5.7)
    text_box(
        slide,
        (9.0, 1.3, 3.9, 5.0),
        [
            "Contour bleu : le territoire ; tirets : distance d'accès.",
            "Points : tiers-lieux colorés par thème ; cercles creux : situés au centroïde de leur commune "
            "(approximatif).",
            "Triangles et carrés : communes ACV / PVD et QPV sans tiers-lieu à cette distance.",
            f"Pas de fond de carte : contours {OUTLINES_CREDIT}.",
        ],
        size=12,
    )

    slide = new_slide("Comparaisons", sources_short)
    picture(slide, images.comparison_png, 0.4, 1.1, width=6.4)
    table(slide, references_table(profile), 7.0, 1.2, 5.9, size=9)
    text_box(
        slide,
        (7.0, 4.6, 5.9, 1.5),
        [f"Territoires similaires — critères : {profile.similar_criteria}."],
        size=11,
        color=grey,
    )

    slide = new_slide("Territoires similaires", sources_short)
    if len(profile.similar):
        table(slide, similar_table(profile), 0.5, 1.2, 12.3, size=10)
    else:
        text_box(slide, (0.5, 1.3, 12.3, 1.0), ["Aucun territoire similaire selon ces critères."], size=14)
    text_box(slide, (0.5, 5.9, 12.3, 0.8), [f"Critères : {profile.similar_criteria}."], size=11, color=grey)

    slide = new_slide(
        "Couverture par thème (indicatif)",
        "Thèmes : typologie de la source, label du programme ou "
        "mots-clés sur les noms (indicatif). " + sources_short,
    )
    picture(slide, images.themes_png, 0.5, 1.1, width=7.6)
    table(slide, theme_table(profile), 8.3, 1.2, 4.6, size=9)

    slide = new_slide(
        f"Priorités : ACV, PVD et QPV sans tiers-lieu à moins de {profile.radius_label}",
        f"{sources_short}. {profile.qpv_note}.",
    )
    long_table(
        slide,
        gaps_table(profile),
        "Aucune commune ACV ou PVD ni aucun QPV du territoire n'est sans tiers-lieu à cette distance.",
        size=10,
    )

    slide = new_slide("Tiers-lieux dans le territoire et alentour", sources_short)
    long_table(
        slide,
        places_table(profile),
        f"Aucun tiers-lieu ({profile.themes_label}) dans le territoire ni à "
        f"moins de {profile.radius_label} de ses limites.",
        size=9,
    )

    slide = new_slide("Sources, millésimes et méthode")
    text_box(slide, (0.5, 1.1, 6.1, 5.8), ["Sources et millésimes", *sources_lines(profile)], size=10)
    text_box(slide, (6.8, 1.1, 6.1, 5.8), ["Méthode et limites", *method_lines(profile)], size=10)

    deck.core_properties.title = pack_title(profile)
    deck.core_properties.author = "Atlas des tiers-lieux"
    deck.core_properties.subject = parameters_text(profile)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- interactive map


def profile_map(basis: ProfileBasis, profile: TerritoryProfile, *, basemap: str = "none") -> folium.Map:
    """Leaflet map of the profile: neighbours' outlines, the territory, its tiers-lieux and gaps."""
    crs = projected_crs_for_zone(profile.territory.zone)
    outline = _territory_outline(basis, profile)
    bounds = _view_bounds(basis, outline, profile, crs)
    bounds_wgs84 = gpd.GeoSeries([shapely.box(*bounds)], crs=crs).to_crs(WGS84).total_bounds
    m = base_map(zone=profile.territory.zone, bounds=tuple(bounds_wgs84), basemap=basemap)
    tolerance = 0.0 if profile.territory.level in ("commune", "epci") else 0.003
    context = _context(basis, profile, bounds_wgs84)
    if len(context):
        add_outline_layer(m, display_geometries(gpd.GeoDataFrame(geometry=context.geometry), tolerance))
    if len(outline):
        territory = display_geometries(gpd.GeoDataFrame(geometry=outline), tolerance)
        folium.GeoJson(
            territory.__geo_interface__,
            name=profile.territory.name,
            style_function=lambda _feature: {
                "color": TERRITORY_COLOR,
                "weight": 3,
                "fillColor": TERRITORY_COLOR,
                "fillOpacity": 0.08,
            },
            interactive=False,
        ).add_to(m)
    if len(profile.places):
        add_places(m, _places_gdf(profile), profile.themes, source_label=profile.places_source)
    gaps = profile.gaps
    if len(gaps):
        add_points_layer(
            m,
            gpd.GeoDataFrame(gaps, geometry=gaps.geometry, crs=WGS84),
            colors=[PROGRAMME_COLORS[p] for p in gaps["programme"]],
            tooltip={
                "Priorité sans tiers-lieu": [PROGRAMMES[p] for p in gaps["programme"]],
                "Nom": gaps["name"].tolist(),
                "Commune(s)": gaps["commune"].tolist(),
                "Tiers-lieu le plus proche": [fr_km(d) for d in gaps["distance_m"]],
            },
            name="Priorités sans tiers-lieu",
            radius=7.0,
        )
        present = [p for p in PROGRAMMES if (gaps["programme"] == p).any()]
        add_legend(
            m,
            f"Sans tiers-lieu à moins de {profile.radius_label}",
            [(PROGRAMME_COLORS[p], PROGRAMMES[p]) for p in present],
        )
    return m


def _vendor_text(package: str, filename: str) -> str:
    module = importlib.import_module(f"xstatic.pkg.{package}")
    return (Path(module.BASE_DIR) / filename).read_text(encoding="utf-8")


def standalone_map_html(m: folium.Map, *, title: str, caption: str) -> bytes:
    """The map as one self-contained HTML file: Leaflet, jQuery and CSS inlined, no CDN.

    Raises
    ------
    InvalidParameterError
        If the page would still load a script or a stylesheet from the network.
    """
    localize_assets(m, base_url=_INLINE)
    page = m.get_root().render()
    known = {
        f"{_INLINE}/{package}/{filename}": (package, filename) for package, filename in VENDOR_FILES.values()
    }

    def script(match: re.Match[str]) -> str:
        package, filename = known[match.group(1)]
        return "<script>" + _vendor_text(package, filename).replace("</script", "<\\/script") + "</script>"

    def style(match: re.Match[str]) -> str:
        package, filename = known[match.group(1)]
        return "<style>" + _vendor_text(package, filename) + "</style>"

    page = re.sub(rf'<script src="({re.escape(_INLINE)}/[^"]+)"></script>', script, page)
    page = re.sub(rf'<link rel="stylesheet" href="({re.escape(_INLINE)}/[^"]+)"\s*/>', style, page)
    remote = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?!data:)([^"]+)"', page)
    if remote:
        raise InvalidParameterError(f"la carte autonome chargerait encore des ressources externes : {remote}")
    head = (
        f"<title>{html.escape(title)}</title>"
        "<style>html,body{margin:0;height:100%;font-family:sans-serif}"
        ".folium-map{height:calc(100vh - 48px)!important}"
        ".atlas-caption{font-size:12px;color:#444;padding:6px 10px;height:36px;overflow:auto}</style>"
    )
    page = page.replace("<head>", "<head>" + head, 1)
    page = page.replace("</body>", f'<div class="atlas-caption">{html.escape(caption)}</div></body>', 1)
    return page.encode("utf-8")


# --------------------------------------------------------------------------- pack


@dataclass(frozen=True)
class BriefingPack:
    """The three documents of a briefing pack and their common file name stem."""

    basename: str
    pdf: bytes
    pptx: bytes
    html: bytes

    def zip_bytes(self) -> bytes:
        """The three files in one ZIP archive (the « one click » download)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{self.basename}.pdf", self.pdf)
            archive.writestr(f"{self.basename}.pptx", self.pptx)
            archive.writestr(f"{self.basename}-carte.html", self.html)
        return buffer.getvalue()


def briefing_pack(
    basis: ProfileBasis, profile: TerritoryProfile, *, generated_on: date | None = None
) -> BriefingPack:
    """Make the PDF, the PowerPoint deck and the standalone HTML map of ``profile``.

    Parameters
    ----------
    basis
        :func:`geo.profile.profile_basis` (outlines for the maps).
    profile
        :func:`geo.profile.territory_profile`: the same object the page shows.
    generated_on
        Date printed on the documents (today by default).
    """
    day = generated_on or date.today()
    images = pack_images(basis, profile)
    caption = (
        f"{pack_title(profile)} — {parameters_text(profile)} Cercles creux : lieux situés au centroïde "
        "de leur commune (approximatif) ; thèmes par mots-clés indicatifs. "
        f"Contours {OUTLINES_CREDIT} ; "
        f"ACV, PVD, QPV : ANCT. Carte produite le {french_date(day)} par l'Atlas des tiers-lieux."
    )
    return BriefingPack(
        basename=basename_for(profile, day),
        pdf=briefing_pdf(profile, images, generated_on=day),
        pptx=briefing_pptx(profile, images, generated_on=day),
        html=standalone_map_html(profile_map(basis, profile), title=pack_title(profile), caption=caption),
    )
