"""The interactive map of a profile (Leaflet): on the « Fiche territoire » page and as the pack's
self-contained HTML file.

Both draw :func:`geo.render.briefing.mapdata.map_layers`: the neighbours' outlines, the territory,
the access ring, the places, the numbered priority territories and the labels, with one
legend of what is drawn. The standalone file inlines Leaflet and jQuery from the XStatic
packages and adds a title, the date, the parameters, « L'essentiel », the priority list, the
rural figures and the sources around the map: it opens without network access.
"""

from __future__ import annotations

import html
import importlib
import re
import string
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np

from geo._errors import InvalidParameterError
from geo.analysis.gaps import PROGRAMMES
from geo.analysis.profile import ProfileBasis, TerritoryProfile
from geo.crs import WGS84
from geo.fmt import fr_km, fr_number
from geo.render.briefing.content import BriefingContent
from geo.render.briefing.mapdata import MapLayers, map_layers, placed_labels
from geo.render.maps import (
    LEGEND_WIDTH_PX,
    MAP_WIDTH_PX,
    VENDOR_FILES,
    add_labels,
    add_outline_layer,
    add_points_layer,
    add_symbol_legend,
    base_map,
    display_geometries,
    localize_assets,
)
from geo.render.mapviews import add_places
from geo.render.style import (
    BACKGROUND_COLOR,
    HEADING_COLOR,
    PANEL_BORDER_COLOR,
    PROGRAMME_COLORS,
    SECONDARY_TEXT_COLOR,
    TERRITORY_COLOR,
    TEXT_COLOR,
)

WEB_LABEL_PT = 12.0
"""Size of the map labels on screen (CSS pixels, taken as points to fit them)."""
_WEB_SYMBOLS = {"triangle": "dot", "square": "dot"}
"""Leaflet draws the priority territories as (larger) circles: their legend says so."""
_INLINE = "atlas-inline-asset"
_MAP_HEIGHT_PX = 560


def _outlines(series: gpd.GeoSeries, tolerance: float) -> gpd.GeoDataFrame:
    return display_geometries(gpd.GeoDataFrame(geometry=series.to_numpy(), crs=WGS84), tolerance)


def _add_gaps(m: folium.Map, layers: MapLayers) -> None:
    gaps = layers.gaps
    if gaps.empty:
        return
    add_points_layer(
        m,
        gaps,
        colors=[PROGRAMME_COLORS[p] for p in gaps["programme"]],
        tooltip={
            "N°": [fr_number(r) for r in gaps["rank"]],
            "Priorité sans tiers-lieu": [PROGRAMMES[p] for p in gaps["programme"]],
            "Nom": gaps["name"].tolist(),
            "Commune(s)": gaps["commune"].tolist(),
            "Tiers-lieu le plus proche": [
                f"{name} ({fr_km(d)})" if np.isfinite(d) else "aucun dans la zone"
                for name, d in zip(gaps["nearest_place"], gaps["distance_m"], strict=True)
            ],
        },
        name="Priorités sans tiers-lieu",
        radius=7.0,
    )


def _places_frame(profile: TerritoryProfile) -> gpd.GeoDataFrame:
    places = profile.places
    return gpd.GeoDataFrame(places, geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs=WGS84)


def profile_map(
    basis: ProfileBasis, profile: TerritoryProfile, *, basemap: str = "none", layers: MapLayers | None = None
) -> folium.Map:
    """Leaflet map of the profile: neighbours' outlines, the territory and the ring at its access
    distance, its tiers-lieux, its numbered priority gaps, labels and one legend of what is drawn.

    ``layers`` (:func:`geo.render.briefing.mapdata.map_layers` of the same profile) spares computing them
    again when the caller has them.
    """
    layers = layers or map_layers(basis, profile)
    m = base_map(
        zone=profile.territory.zone, bounds=layers.bounds_wgs84, basemap=basemap, height=_MAP_HEIGHT_PX
    )
    tolerance = 0.0 if profile.territory.level in ("commune", "epci") else 0.003
    if len(layers.context):
        add_outline_layer(m, _outlines(layers.context, tolerance))
    if len(layers.outline):
        add_outline_layer(
            m,
            _outlines(layers.outline, tolerance),
            name=profile.territory.name,
            color=TERRITORY_COLOR,
            weight=3,
            fill_opacity=0.08,
        )
        add_outline_layer(
            m,
            _outlines(layers.ring, 0.0),
            name=f"À {profile.radius_label} du territoire",
            color=TERRITORY_COLOR,
            weight=2,
            dash_array="8 6",
        )
    add_places(m, _places_frame(profile), profile.themes, source_label=profile.places_source, legend=False)
    _add_gaps(m, layers)
    labels = placed_labels(
        layers,
        width_in=(MAP_WIDTH_PX - LEGEND_WIDTH_PX) / 72,
        height_in=_MAP_HEIGHT_PX / 72,
        font_pt=WEB_LABEL_PT,
    )
    if len(labels):
        add_labels(m, labels)
    if layers.legend:
        entries = [
            (_WEB_SYMBOLS.get(item.symbol, item.symbol), item.color, item.label) for item in layers.legend
        ]
        add_symbol_legend(m, "Légende", entries)
    return m


def _vendor_text(package: str, filename: str) -> str:
    module = importlib.import_module(f"xstatic.pkg.{package}")
    return (Path(module.BASE_DIR) / filename).read_text(encoding="utf-8")


def _inline_assets(m: folium.Map) -> str:
    """The rendered page of ``m`` with Leaflet, jQuery and their CSS inlined.

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
    return page


_PAGE_CSS = string.Template("""
html, body { margin: 0; height: 100%; font-family: sans-serif; color: $text; }
body { display: grid; grid-template-columns: minmax(0, 1fr) 360px;
       grid-template-rows: auto minmax(0, 1fr) auto; height: 100vh; }
.atlas-header { grid-column: 1 / 3; grid-row: 1; padding: 8px 14px; border-bottom: 1px solid $border; }
.atlas-header h1 { margin: 0; font-size: 22px; color: $heading; }
.atlas-header p { margin: 2px 0 0; font-size: 13px; color: $secondary; }
.folium-map { grid-column: 1; grid-row: 2; height: 100% !important; }
.leaflet-container { background: $background !important; }
.atlas-panel { grid-column: 2; grid-row: 2; overflow: auto; padding: 6px 14px; font-size: 13px;
               line-height: 1.4; border-left: 1px solid $border; }
.atlas-panel h2 { font-size: 15px; color: $heading; margin: 10px 0 4px; }
.atlas-panel ol, .atlas-panel ul { padding-left: 20px; margin: 0; }
.atlas-panel li { margin-bottom: 4px; }
.atlas-footer { grid-column: 1 / 3; grid-row: 3; font-size: 11px; color: $secondary; padding: 5px 14px;
                border-top: 1px solid $border; max-height: 64px; overflow: auto; }
""").substitute(
    text=TEXT_COLOR,
    secondary=SECONDARY_TEXT_COLOR,
    heading=HEADING_COLOR,
    border=PANEL_BORDER_COLOR,
    background=BACKGROUND_COLOR,
)
"""The standalone page's layout, in the colours of :mod:`geo.render.style`."""


def _panel(content: BriefingContent) -> str:
    essentials = "".join(f"<li>{html.escape(f.sentence)}</li>" for f in content.essentials)
    priorities = content.priorities
    if priorities.rows:
        items = "".join(
            f'<li value="{html.escape(number)}">{html.escape(name)} — {html.escape(programme)}'
            + (f", {html.escape(population)} hab." if population != "n. d." else "")
            + f" ; plus proche : {html.escape(nearest)}</li>"
            for number, name, programme, population, nearest in priorities.rows
        )
        listing = f"<ol>{items}</ol>" + (f"<p>{html.escape(priorities.more)}</p>" if priorities.more else "")
    else:
        listing = f"<p>{html.escape(priorities.empty)}</p>"
    reading = "".join(f"<li>{html.escape(line)}</li>" for line in content.map_reading)
    return (
        '<aside class="atlas-panel">'
        f"<h2>{html.escape(content.sections['essentials'].title)}</h2><ul>{essentials}</ul>"
        f"<h2>{html.escape(content.sections['priorities'].title)}</h2>{listing}"
        f"<h2>{html.escape(content.sections['types'].title)}</h2><p>{html.escape(content.types.summary)}</p>"
        f"<h2>Lecture de la carte</h2><ul>{reading}</ul>"
        "</aside>"
    )


def standalone_map_html(
    m: folium.Map, content: BriefingContent, *, bounds: tuple[float, float, float, float]
) -> bytes:
    """The map as one self-contained HTML page: title, date, parameters, the map fitted to
    ``bounds`` (WGS84), « L'essentiel », the priority list, the rural figures and the sources;
    Leaflet, jQuery and CSS inlined, no CDN.

    Raises
    ------
    InvalidParameterError
        If the page would still load a script or a stylesheet from the network.
    """
    page = _inline_assets(m)
    head = f"<title>{html.escape(content.title)}</title><style>{_PAGE_CSS}</style>"
    header = (
        '<header class="atlas-header">'
        f"<h1>{html.escape(content.title)}</h1>"
        f"<p>{html.escape(content.subtitle)} · carte produite le {html.escape(content.date_text)} par "
        "l'Atlas des tiers-lieux</p>"
        f"<p>Paramètres : {html.escape(content.parameters)}</p>"
        "</header>"
    )
    footer = f'<footer class="atlas-footer">Sources : {html.escape(" ; ".join(content.sources))}</footer>'
    minx, miny, maxx, maxy = bounds
    # The page has its final size once loaded (unlike an app's iframe): fit the view to it, at once
    # (an animated zoom would be caught half-way by a screenshot or a print).
    corners = f"[[{miny}, {minx}], [{maxy}, {maxx}]]"
    fit = f"<script>{m.get_name()}.fitBounds({corners}, {{animate: false}});</script>"
    page = page.replace("<head>", "<head>" + head, 1)
    page = re.sub(r"<body>", "<body>" + header, page, count=1)
    page = page.replace("</body>", _panel(content) + footer + "</body>", 1)
    return (page.replace("</html>", fit + "</html>", 1) if "</html>" in page else page + fit).encode("utf-8")
