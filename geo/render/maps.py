"""Folium maps that stay light and work offline.

- Front-end assets (Leaflet, jQuery, plugins) are served by the app itself from the XStatic
  pip packages: :func:`localize_assets` rewrites every CDN link of a map, and refuses a map
  that would still need one.
- Points are one GeoJSON layer drawn on a canvas (``prefer_canvas``), not one DOM marker
  each; polygons are simplified for the scale and their coordinates rounded; features carry
  only what their tooltip shows, HTML-escaped.
"""

from __future__ import annotations

import html
import json
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence

import branca
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Template

from geo._errors import InvalidParameterError
from geo._validate import check_choice
from geo.crs import WGS84, ZONES
from geo.render.style import (
    AREA_EDGE_COLOR,
    BACKGROUND_COLOR,
    FOCUS_COLOR,
    HIGHLIGHT_COLOR,
    LABEL_COLOR,
    LEGEND_BACKGROUND,
    MARKER_EDGE_COLOR,
    NO_DATA_COLOR,
    OUTLINE_COLOR,
    PLACE_LABEL_COLOR,
    RANK_COLOR,
    SEQUENTIAL_PALETTE,
    SWATCH_EDGE_COLOR,
)

VENDOR_FILES: dict[str, tuple[str, str]] = {
    "leaflet": ("leaflet", "leaflet.js"),
    "leaflet_css": ("leaflet", "leaflet.css"),
    "jquery": ("jquery", "jquery.min.js"),
    "markerclusterjs": ("leaflet_markercluster", "leaflet.markercluster.js"),
    "markerclustercss": ("leaflet_markercluster", "MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet_markercluster", "MarkerCluster.Default.css"),
}
"""Folium asset name → (XStatic package under ``xstatic.pkg``, file in its ``BASE_DIR``)."""

UNUSED_ASSETS = frozenset(
    {
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)
"""Folium defaults the Atlas never uses (Bootstrap popups, Font Awesome icons): not loaded."""

VENDOR_URL = "/app/static/vendor"
"""Where Streamlit's static file serving exposes ``static/vendor``."""

BASEMAPS: dict[str, str] = {
    "ign_plan": "Plan IGN (Géoplateforme, en ligne)",
    "none": "Aucun fond de carte (hors ligne)",
}

IGN_PLAN_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
    "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
IGN_ATTRIBUTION = '&copy; <a href="https://www.ign.fr/">IGN</a> – Géoplateforme'

COORD_DECIMALS = 4
"""≈ 10 m: more than enough at the scales shown, and a third of the bytes."""


def _walk(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def localize_assets(m: folium.Map, *, base_url: str = VENDOR_URL) -> folium.Map:
    """Point every JS/CSS asset of ``m`` and its children to the app's own static files.

    Raises
    ------
    InvalidParameterError
        If an element needs an asset that is neither vendored nor known to be unused:
        better to fail in tests than to show a blank map offline.
    """
    for element in _walk(m):
        for attribute in ("default_js", "default_css"):
            assets = getattr(element, attribute, None)
            if not assets:
                continue
            local: list[tuple[str, str]] = []
            for name, _url in assets:
                if name in UNUSED_ASSETS:
                    continue
                if name not in VENDOR_FILES:
                    raise InvalidParameterError(
                        f"ressource front-end « {name} » non disponible hors ligne ; "
                        "ajoutez-la à VENDOR_FILES"
                    )
                package, filename = VENDOR_FILES[name]
                local.append((name, f"{base_url}/{package}/{filename}"))
            setattr(element, attribute, local)
    return m


def base_map(
    *,
    zone: str = "metro",
    bounds: Sequence[float] | None = None,
    basemap: str = "ign_plan",
    height: int = 560,
) -> folium.Map:
    """An empty Leaflet map of ``zone`` (or fitted to ``bounds``: minx, miny, maxx, maxy).

    ``basemap="none"`` gives a map with no tiles at all, readable offline thanks to the
    outline layer the caller adds (see :func:`add_outline_layer`).
    """
    check_choice(basemap, BASEMAPS, "basemap")
    info = ZONES[zone]
    location, zoom = [info.center_lat, info.center_lon], float(info.zoom)
    if bounds is not None and np.all(np.isfinite(bounds)):
        location, zoom = view_for_bounds(bounds, height_px=height)
    m = folium.Map(
        location=location,
        zoom_start=zoom,  # type: ignore[arg-type]  # Leaflet takes fractional zooms (zoomSnap)
        tiles=None,
        prefer_canvas=True,
        zoom_snap=ZOOM_SNAP,
        height=height,
    )
    _MapBasics().add_to(m)
    if basemap == "ign_plan":
        folium.TileLayer(IGN_PLAN_URL, attr=IGN_ATTRIBUTION, name="Plan IGN", max_zoom=18).add_to(m)
    return m


ZOOM_SNAP = 0.25
"""Zoom levels are multiples of this (Leaflet ``zoomSnap``): a view fills its frame better."""
FIT_SHARE = 0.9
"""Share of the free width and height that a fitted view may fill (a margin)."""
MAP_WIDTH_PX = 820
"""Usual width of a map in the app's main column (1280–1440 px wide screens)."""
LEGEND_WIDTH_PX = 230
"""Width kept clear of data on the right of a fitted view: the legends stand there."""
POINTS_MIN_SPAN_KM = 30.0
"""A map fitted to a list of points shows at least this much around them (:func:`padded_bounds`):
one point — a list of one — with its surroundings, not alone at street level."""


def _mercator_y(lat: float) -> float:
    lat = float(np.clip(lat, -85.0, 85.0))
    return float(np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)))


def zoom_for_bounds(bounds: Sequence[float], *, width_px: int = MAP_WIDTH_PX, height_px: int = 560) -> float:
    """Largest web-mercator zoom (a multiple of :data:`ZOOM_SNAP`) at which ``bounds`` fills
    at most :data:`FIT_SHARE` of a ``width_px`` × ``height_px`` area.

    Computed here rather than with Leaflet's ``fitBounds``, which runs before the map's
    iframe has its final size and then zooms out too far.
    """
    minx, miny, maxx, maxy = bounds
    span_x = max(maxx - minx, 1e-3) / 360.0
    span_y = max(_mercator_y(maxy) - _mercator_y(miny), 1e-5) / (2 * np.pi)
    fit = np.log2(FIT_SHARE * min(width_px / (256 * span_x), height_px / (256 * span_y)))
    return float(np.clip(np.floor(fit / ZOOM_SNAP) * ZOOM_SNAP, 3, 15))


def padded_bounds(bounds: Sequence[float], min_span_km: float = POINTS_MIN_SPAN_KM) -> tuple[float, ...]:
    """``bounds`` (minx, miny, maxx, maxy in degrees) widened about their centre to at least
    ``min_span_km`` in each direction (unchanged where they are wider already)."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    half_lat = min_span_km / 2 / 111.32
    half_lon = half_lat / max(np.cos(np.radians((miny + maxy) / 2)), 0.1)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    return (
        min(minx, cx - half_lon),
        min(miny, cy - half_lat),
        max(maxx, cx + half_lon),
        max(maxy, cy + half_lat),
    )


def view_for_bounds(
    bounds: Sequence[float], *, width_px: int = MAP_WIDTH_PX, height_px: int = 560
) -> tuple[list[float], float]:
    """Centre ``[lat, lon]`` and zoom showing ``bounds`` left of the legends.

    The legends stand in the bottom-right corner: ``bounds`` is fitted to the map minus
    :data:`LEGEND_WIDTH_PX` on the right, and the centre moved east so that the data sits in
    the free part (as far as the map's width allows).
    """
    minx, miny, maxx, maxy = bounds
    zoom = zoom_for_bounds(bounds, width_px=width_px - LEGEND_WIDTH_PX, height_px=height_px)
    px_per_degree = 256 * 2**zoom / 360.0
    data_px = (maxx - minx) * px_per_degree
    shift_px = max(0.0, min(LEGEND_WIDTH_PX, width_px - data_px) / 2)
    mid_y = (_mercator_y(miny) + _mercator_y(maxy)) / 2
    center_lat = float(np.degrees(2 * np.arctan(np.exp(mid_y)) - np.pi / 2))
    return [center_lat, (minx + maxx) / 2 + shift_px / px_per_degree], zoom


def display_geometries(frame: gpd.GeoDataFrame, tolerance_deg: float) -> gpd.GeoDataFrame:
    """Outlines simplified for display with shared borders kept identical, coordinates rounded.

    ``frame`` must be a coverage (polygons that do not overlap, e.g. départements).
    """
    out = frame.to_crs(WGS84) if frame.crs != WGS84 else frame.copy()
    geoms = out.geometry.to_numpy()
    if tolerance_deg > 0:
        geoms = shapely.coverage_simplify(geoms, tolerance_deg)
    geoms = shapely.set_precision(geoms, 10.0**-COORD_DECIMALS)
    out = out.set_geometry(geoms)
    return out[~out.geometry.is_empty]


def escaped(values: Iterable[object]) -> list[str]:
    """HTML-escape text coming from data before it reaches a tooltip or popup."""
    return [
        html.escape("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)) for v in values
    ]


def _feature_collection(frame: gpd.GeoDataFrame, properties: dict[str, Sequence[object]]) -> str:
    geoms = shapely.to_geojson(frame.geometry.to_numpy())
    names = list(properties)
    columns = [properties[n] for n in names]
    features = [
        '{"type":"Feature","properties":'
        + json.dumps({n: c[index] for n, c in zip(names, columns, strict=True)}, ensure_ascii=False)
        + ',"geometry":'
        + geometry
        + "}"
        for index, geometry in enumerate(geoms)
    ]
    # Values are HTML-escaped already; this also keeps "</script>" out of the inline script.
    return ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}").replace("</", "<\\/")


class _Rendered(branca.element.Element):
    """Text already rendered, added to the page as is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: object) -> str:
        del kwargs  # nothing left to render
        return self._text


class _DataElement(branca.element.MacroElement):
    """A ``MacroElement`` whose rendered macros are inserted as plain text.

    branca wraps each rendered macro in ``Element(text)``, which compiles the text as a
    Jinja template: with data inside, that is slow (the whole GeoJSON is lexed on every
    rerun) and unsafe (a place named ``{{ … }}`` would be evaluated, one named ``{% …``
    would break the map).
    """

    def render(self, **kwargs: object) -> str:
        figure = self.get_root()
        assert isinstance(figure, branca.element.Figure), "element not attached to a map"
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Rendered(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


class _MapBasics(branca.element.MacroElement):
    """Leaflet's scale bar in kilometres only (folium's ``control_scale`` adds miles too), and a
    visible focus on the map when it is reached with the keyboard (RGAA 10.7)."""

    _template = Template(
        """{% macro header(this, kwargs) %}
        <style>.leaflet-container:focus, .leaflet-container:focus-visible {
            outline: 3px solid {{ this.focus_color }}; outline-offset: -3px; }</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self.focus_color = FOCUS_COLOR


class _FeatureLayer(_DataElement):
    """One ``L.geoJson`` layer styled from its features' properties, in JavaScript.

    Folium's ``GeoJson`` evaluates a Python style function per feature and parses and
    re-serialises the data; for thousands of features that dominates a rerun. Here the
    GeoJSON string is inserted as is, points become canvas circle markers, and tooltips
    are built from properties that were HTML-escaped in Python.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
            {%- if this.kind == "points" %}
            pointToLayer: function (feature, latlng) {
                var p = feature.properties;
                return L.circleMarker(latlng, {
                    radius: {{ this.radius }}, color: p._h ? p._c : {{ this.edge_color|tojson }},
                    weight: p._h ? 2 : 0.6,
                    fillColor: p._c, fillOpacity: p._h ? 0.15 : 0.9
                });
            },
            {%- else %}
            style: function (feature) {
                var style = {{ this.style|tojson }};
                if (feature.properties._fill) { style.fillColor = feature.properties._fill; }
                return style;
            },
            {%- endif %}
            interactive: {{ this.interactive|tojson }},
            onEachFeature: function (feature, layer) {
                {%- if this.aliases %}
                var p = feature.properties, aliases = {{ this.aliases|tojson }}, rows = "";
                for (var i = 0; i < aliases.length; i++) {
                    rows += "<tr><th style='text-align:left;padding-right:8px'>" + aliases[i]
                        + "</th><td>" + p["t" + i] + "</td></tr>";
                }
                layer.bindTooltip("<table>" + rows + "</table>", {sticky: true});
                {%- endif %}
                {%- if this.kind == "areas" %}
                layer.on("mouseover", function () {
                    layer.setStyle({weight: 2, color: {{ this.highlight_color|tojson }}});
                });
                layer.on("mouseout", function () { {{ this.get_name() }}.resetStyle(layer); });
                {%- endif %}
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(
        self,
        data: str,
        *,
        kind: str,
        name: str,
        aliases: Sequence[str] = (),
        style: dict[str, object] | None = None,
        radius: float = 4.0,
        interactive: bool = True,
    ) -> None:
        super().__init__()
        self._name = "FeatureLayer"
        self.edge_color = MARKER_EDGE_COLOR
        self.highlight_color = HIGHLIGHT_COLOR
        self.layer_name = name
        self.data = data
        self.kind = kind
        self.aliases = list(aliases)
        self.style = style or {}
        self.radius = radius
        self.interactive = interactive


def _tooltip_properties(
    tooltip: dict[str, Sequence[object]],
) -> tuple[dict[str, Sequence[object]], list[str]]:
    properties: dict[str, Sequence[object]] = {}
    aliases = []
    for position, (label, values) in enumerate(tooltip.items()):
        properties[f"t{position}"] = escaped(values)
        aliases.append(html.escape(label))
    return properties, aliases


def add_outline_layer(
    m: folium.Map,
    outlines: gpd.GeoDataFrame,
    *,
    name: str = "Contours",
    color: str = OUTLINE_COLOR,
    weight: float = 0.8,
    dash_array: str | None = None,
    fill_opacity: float = 0.0,
) -> None:
    """Outlines with no interaction: by default thin and grey, the base layer that keeps maps
    readable offline; ``dash_array`` (« 8 6 ») draws them dashed, ``fill_opacity`` tints them."""
    style: dict[str, object] = {"color": color, "weight": weight, "fill": fill_opacity > 0}
    if fill_opacity > 0:
        style.update(fillColor=color, fillOpacity=fill_opacity)
    if dash_array:
        style["dashArray"] = dash_array
    _FeatureLayer(
        _feature_collection(outlines, {}),
        kind="outlines",
        name=name,
        style=style,
        interactive=False,
    ).add_to(m)


def add_choropleth(
    m: folium.Map,
    areas: gpd.GeoDataFrame,
    *,
    colors: Sequence[str],
    tooltip: dict[str, Sequence[object]],
    name: str,
) -> None:
    """Filled polygons, one colour each (``colors`` aligned on ``areas``), with a tooltip table.

    ``tooltip`` maps a French label to the values shown (escaped here).
    """
    properties, aliases = _tooltip_properties(tooltip)
    properties["_fill"] = list(colors)
    _FeatureLayer(
        _feature_collection(areas, properties),
        kind="areas",
        name=name,
        aliases=aliases,
        style={"color": AREA_EDGE_COLOR, "weight": 0.5, "fillOpacity": 0.75},
    ).add_to(m)


def add_points_layer(
    m: folium.Map,
    points: gpd.GeoDataFrame,
    *,
    colors: Sequence[str],
    tooltip: dict[str, Sequence[object]],
    name: str,
    radius: float = 4.0,
    dashed: Sequence[bool] | None = None,
) -> None:
    """Points as canvas circle markers in a single GeoJSON layer.

    ``dashed`` marks approximate locations (commune centroids) with a hollow marker.
    """
    properties, aliases = _tooltip_properties(tooltip)
    properties["_c"] = list(colors)
    properties["_h"] = [bool(v) for v in (dashed if dashed is not None else [False] * len(points))]
    rounded = points.set_geometry(shapely.set_precision(points.geometry.to_numpy(), 10.0**-COORD_DECIMALS))
    _FeatureLayer(
        _feature_collection(rounded, properties), kind="points", name=name, aliases=aliases, radius=radius
    ).add_to(m)


class _Legend(_DataElement):
    """A Leaflet control holding a small HTML legend (no external asset)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "atlas-legend");
                div.style.cssText = "background:{{ this.background }};padding:6px 8px;"
                    + "font:12px sans-serif;line-height:18px;border-radius:4px;max-width:260px";
                div.innerHTML = {{ this.content|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, content: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.content = content
        self.background = LEGEND_BACKGROUND


LEGEND_SYMBOLS = ("square", "dot", "hollow", "area", "line", "dashed", "triangle", "rank")
"""Symbols a legend entry can show (see :func:`add_symbol_legend`)."""


def _swatch(symbol: str, color: str) -> str:
    """The HTML symbol of a legend entry (``color`` is escaped here)."""
    color = html.escape(color)
    box = "display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-1px;"
    if symbol in ("line", "dashed"):
        style = "solid" if symbol == "line" else "dashed"
        line = f"height:0;width:18px;border-top:2px {style} {color};vertical-align:3px"
        return f'<span style="{box}{line}"></span>'
    if symbol == "triangle":
        return (
            f'<span style="{box}width:0;height:0;border-left:7px solid transparent;'
            f'border-right:7px solid transparent;border-bottom:12px solid {color}"></span>'
        )
    if symbol == "rank":
        return f'<span style="{box}color:{color};font-weight:bold;text-align:center">1</span>'
    fill = {"hollow": "transparent", "area": color + "22"}.get(symbol, color)
    border = {"hollow": f"2px solid {color}", "area": f"2px solid {color}"}.get(
        symbol, f"1px solid {SWATCH_EDGE_COLOR}"
    )
    shape = "border-radius:50%;" if symbol in ("dot", "hollow") else ""
    return f'<span style="{box}{shape}background:{fill};border:{border};box-sizing:border-box"></span>'


def add_symbol_legend(m: folium.Map, title: str, entries: Sequence[tuple[str, str, str]]) -> None:
    """Add a legend whose ``entries`` are (symbol of :data:`LEGEND_SYMBOLS`, colour, label).

    Raises
    ------
    InvalidParameterError
        If a symbol is not one of :data:`LEGEND_SYMBOLS`.
    """
    unknown = sorted({symbol for symbol, _color, _label in entries} - set(LEGEND_SYMBOLS))
    if unknown:
        raise InvalidParameterError(
            f"`entries` contient les symboles {unknown} mais doit utiliser {list(LEGEND_SYMBOLS)}"
        )
    rows = "".join(
        f"<div>{_swatch(symbol, color)}{html.escape(label)}</div>" for symbol, color, label in entries
    )
    _Legend(f"<b>{html.escape(title)}</b>{rows}").add_to(m)


def add_legend(
    m: folium.Map, title: str, entries: Sequence[tuple[str, str]], *, hollow: bool = False
) -> None:
    """Add a legend: ``entries`` are (colour, label) pairs (round swatches when ``hollow``)."""
    add_symbol_legend(m, title, [("dot" if hollow else "square", color, label) for color, label in entries])


class _Labels(_DataElement):
    """Text labels at points (one small DOM element each: keep them few), not interactive."""

    _template = Template(
        """{% macro header(this, kwargs) %}
        <style>
        .atlas-label span { position: absolute; white-space: nowrap; font: 12px sans-serif;
            color: {{ this.label_color }}; pointer-events: none;
            text-shadow: 0 0 3px {{ this.halo }}, 0 0 3px {{ this.halo }}, 0 0 2px {{ this.halo }}; }
        .atlas-label-rank span { font-weight: bold; color: {{ this.rank_color }}; }
        .atlas-label-place span { font-style: italic; color: {{ this.place_label_color }}; }
        .atlas-label-right span { transform: translate(7px, -50%); }
        .atlas-label-left span { transform: translate(calc(-100% - 7px), -50%); }
        .atlas-label-above span { transform: translate(-50%, calc(-100% - 5px)); }
        .atlas-label-below span { transform: translate(-50%, 5px); }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var group = L.layerGroup();
            {{ this.data }}.forEach(function (d) {
                L.marker([d[1], d[0]], {
                    icon: L.divIcon({className: "atlas-label atlas-label-" + d[3] + " atlas-label-" + d[4],
                                     html: "<span>" + d[2] + "</span>", iconSize: null}),
                    interactive: false, keyboard: false
                }).addTo(group);
            });
            group.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, data: str) -> None:
        super().__init__()
        self._name = "Labels"
        self.data = data
        self.rank_color = RANK_COLOR
        self.label_color = LABEL_COLOR
        self.place_label_color = PLACE_LABEL_COLOR
        self.halo = BACKGROUND_COLOR


def add_labels(m: folium.Map, labels: gpd.GeoDataFrame) -> None:
    """Add ``labels`` (points with ``text``, ``kind`` and ``side`` of the point) as map text.

    ``kind`` styles the label (``rank``: bold, ``place``: italic); ``side`` is ``right``,
    ``left``, ``above`` or ``below``. Texts are HTML-escaped here.
    """
    xy = np.round(shapely.get_coordinates(labels.to_crs(WGS84).geometry.to_numpy()), COORD_DECIMALS)
    rows = [
        [float(x), float(y), text, html.escape(str(kind)), html.escape(str(side))]
        for (x, y), text, kind, side in zip(
            xy, escaped(labels["text"]), labels["kind"], labels["side"], strict=True
        )
    ]
    _Labels(json.dumps(rows, ensure_ascii=False).replace("</", "<\\/")).add_to(m)


def class_colors(n_classes: int) -> list[str]:
    """``n_classes`` colours from :data:`SEQUENTIAL_PALETTE`.

    Four classes or more spread over the whole palette; two or three stay on its light half
    so that the points drawn on top of a choropleth remain visible.
    """
    if n_classes <= 0:
        return []
    last = len(SEQUENTIAL_PALETTE) - 1
    top = last if n_classes >= 4 else min(last, 2 * (n_classes - 1))
    picks = np.linspace(0, top, n_classes).round().astype(int)
    return [SEQUENTIAL_PALETTE[i] for i in picks]


def bounds_of(frame: pd.DataFrame) -> tuple[float, float, float, float]:
    """Bounds (minx, miny, maxx, maxy) of a GeoDataFrame in WGS84."""
    gdf = frame if isinstance(frame, gpd.GeoDataFrame) else gpd.GeoDataFrame(frame)
    minx, miny, maxx, maxy = gdf.to_crs(WGS84).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


SCHEMES: dict[str, str] = {"quantiles": "Quantiles", "fisher_jenks": "Seuils naturels (Fisher-Jenks)"}


def classify_values(
    values: pd.Series,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    formatter: Callable[[float], str] = str,
) -> tuple[list[str], list[tuple[str, str]]]:
    """Class colours of ``values`` and their legend entries, robust to tied values.

    Quantile bounds are the ``1/k … 1`` quantiles of the values (what
    ``mapclassify.Quantiles`` computes, done with numpy to spare the app mapclassify's
    one-second import on every cold start); Fisher-Jenks natural breaks come from
    ``mapclassify.FisherJenks``. Duplicate bounds are merged, a variable with at most ``k``
    distinct values gets one class per value (a commune is 0 % or 100 % covered), and each
    legend entry gives the smallest and largest value actually in its class, so entries
    never overlap. NaN / inf get :data:`NO_DATA_COLOR` and a « sans donnée » entry.

    Raises
    ------
    InvalidParameterError
        If ``scheme`` is not one of :data:`SCHEMES`.
    """
    check_choice(scheme, SCHEMES, "scheme")
    numbers = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan).to_numpy(dtype=float)
    valid = ~np.isnan(numbers)
    present = numbers[valid]
    distinct = np.unique(present)
    if len(distinct) == 0:
        return [NO_DATA_COLOR] * len(numbers), [(NO_DATA_COLOR, "sans donnée")]
    if len(distinct) <= k:
        bins = distinct
    elif scheme == "quantiles":
        bins = np.unique(np.quantile(present, np.linspace(0, 1, k + 1)[1:]))
    else:
        import mapclassify  # only for Fisher-Jenks: a heavy import (matplotlib, scikit-learn)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # mapclassify warns when ties lower k
            bins = np.unique(np.asarray(mapclassify.FisherJenks(present, k=k).bins, dtype=float))
    classes = np.searchsorted(bins, present, side="left")
    used = np.unique(classes)
    palette = class_colors(len(used))
    color_of = {int(c): palette[i] for i, c in enumerate(used)}
    colors = np.full(len(numbers), NO_DATA_COLOR, dtype=object)
    colors[valid] = [color_of[int(c)] for c in classes]
    legend = []
    for c in used:
        members = present[classes == c]
        low, high = float(members.min()), float(members.max())
        label = formatter(low) if low == high else f"{formatter(low)} – {formatter(high)}"
        legend.append((color_of[int(c)], label))
    if not valid.all():
        legend.append((NO_DATA_COLOR, "sans donnée"))
    return colors.tolist(), legend
