"""Scopes, French formatting, and the offline / escaped map helpers."""

from __future__ import annotations

import json
import re

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo._errors import InvalidParameterError
from geo.crs import projected_crs_for_zone, zone_from_dep
from geo.fmt import fr_km, fr_number, fr_percent, fr_points, fr_radius
from geo.render.maps import (
    LEGEND_WIDTH_PX,
    POINTS_MIN_SPAN_KM,
    add_labels,
    add_legend,
    add_outline_layer,
    add_points_layer,
    add_symbol_legend,
    base_map,
    classify_values,
    display_geometries,
    localize_assets,
    padded_bounds,
    view_for_bounds,
    zoom_for_bounds,
)
from geo.render.mapviews import add_places
from geo.territory import Scope, territory_options
from geo.themes import THEMES


def test_zones_and_crs() -> None:
    assert zone_from_dep("2A") == "metro"
    assert zone_from_dep("974") == "974"
    assert zone_from_dep("978") == ""
    assert projected_crs_for_zone("metro") == "EPSG:2154"
    assert projected_crs_for_zone("976") == "EPSG:4471"
    with pytest.raises(InvalidParameterError, match="zone"):
        projected_crs_for_zone("975")


def test_scope_mask_and_levels() -> None:
    frame = pd.DataFrame(
        {
            "zone": ["metro", "metro", "974"],
            "reg": ["76", "11", "04"],
            "dep": ["34", "75", "974"],
            "epci_siren": ["e1", "e2", "e3"],
        }
    )
    assert Scope("metro", "76").mask(frame).tolist() == [True, False, False]
    assert Scope("metro").detail_level == "dep"
    assert Scope("974").detail_level == "epci"
    assert Scope("metro", "76", "34", "e1").detail_level == "commune"
    with pytest.raises(InvalidParameterError):
        Scope("mars")


def test_territory_options_cascade(atlas) -> None:
    regs = territory_options(atlas.communes, "reg", Scope("metro"))
    assert regs["76"] == "Occitanie"
    assert "04" not in regs
    deps = territory_options(atlas.communes, "dep", Scope("metro", "76"))
    assert deps["34"] == "34 – Hérault"
    assert "75" not in deps


def test_french_formatting() -> None:
    assert fr_number(1234567.891, 2) == "1\u202f234\u202f567,89"
    assert fr_number(float("nan")) == "–"
    assert fr_percent(0.1234) == "12,3\u202f%"
    assert fr_km(12345) == "12,3\u202fkm"
    assert fr_km(float("inf")) == "aucun"
    assert (fr_radius(10), fr_radius(2.5)) == ("10", "2,5")
    # Percentage points: the singular under 2, on the rounded figure.
    assert (fr_points(0.008), fr_points(0.0196), fr_points(0.025)) == (
        "+0,8 point",
        "+2,0 points",
        "+2,5 points",
    )


def test_localize_assets_leaves_no_cdn_link() -> None:
    m = base_map(basemap="none")
    folium.plugins.MarkerCluster().add_to(m)
    localize_assets(m)
    html = m.get_root().render()
    assert "cdn" not in html
    assert "code.jquery.com" not in html
    assert "bootstrap" not in html
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "/app/static/vendor/leaflet_markercluster/leaflet.markercluster.js" in html


def test_unknown_plugin_asset_is_refused() -> None:
    m = base_map(basemap="none")
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(InvalidParameterError, match="hors ligne"):
        localize_assets(m)


def test_tooltips_escape_hostile_names() -> None:
    m = base_map(basemap="none")
    points = gpd.GeoDataFrame(geometry=[Point(2.35, 48.85)], crs="EPSG:4326")
    add_points_layer(m, points, colors=["#000"], tooltip={"Nom": ["<img src=x onerror=alert(1)>"]}, name="x")
    html = m.get_root().render()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_template_syntax_in_data_stays_text() -> None:
    # Names come from imported files: never evaluated as Jinja, never breaking the map.
    names = ["{{ 7*7 }}", "Atelier {% if x", "{# note"]
    m = base_map(basemap="none")
    points = gpd.GeoDataFrame(geometry=[Point(2.35, 48.85)] * 3, crs="EPSG:4326")
    add_points_layer(m, points, colors=["#000"] * 3, tooltip={"Nom": names}, name="x")
    add_legend(m, "{{ 6*7 }}", [("#000", "{% raw %}")])
    html = m.get_root().render()
    for text in [*names, "{{ 6*7 }}", "{% raw %}"]:
        assert text in html


def test_labels_and_symbol_legends_escape_their_text() -> None:
    m = base_map(basemap="none")
    labels = gpd.GeoDataFrame(
        {"text": ["<b>Atelier</b> {{ 7*7 }}"], "kind": ["place"], "side": ["left"]},
        geometry=[Point(2.35, 48.85)],
        crs="EPSG:4326",
    )
    add_labels(m, labels)
    add_symbol_legend(m, "Légende", [("dashed", "#0072B2", "À 10 km <du> territoire")])
    html = m.get_root().render()
    assert "<b>Atelier</b>" not in html
    assert "&lt;b&gt;Atelier&lt;/b&gt; {{ 7*7 }}" in html
    assert "atlas-label-place" in html
    legend = json.loads(re.search(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', html).group(1))
    assert "À 10 km &lt;du&gt; territoire" in legend
    assert "dashed #0072B2" in legend
    with pytest.raises(InvalidParameterError, match="star"):
        add_symbol_legend(m, "x", [("star", "#000", "x")])


def test_dashed_outline_layer_carries_its_style() -> None:
    m = base_map(basemap="none")
    add_outline_layer(
        m, gpd.GeoDataFrame(geometry=[box(2, 48, 3, 49).boundary], crs="EPSG:4326"), dash_array="8 6"
    )
    assert '"dashArray": "8 6"' in m.get_root().render()


def test_places_legend_lists_only_the_themes_drawn() -> None:
    places = gpd.GeoDataFrame(
        {
            "name": ["Fablab"],
            "location_precision": ["adresse"],
            "source": ["cget_2019"],
            **{f"theme_{t}": ["type" if t == "fabrication" else ""] for t in THEMES},
        },
        geometry=[Point(2.35, 48.85)],
        crs="EPSG:4326",
    )
    m = base_map(basemap="none")
    add_places(m, places, (), source_label="test")
    html = m.get_root().render()
    assert "Fabrication" in html
    for absent in ("Coworking", "Alimentation", "sans thème", "cercle creux"):
        assert absent not in html


def test_display_geometries_round_and_keep_shared_borders() -> None:
    frame = gpd.GeoDataFrame(geometry=[box(0, 0, 1.000049, 1), box(1.000049, 0, 2, 1)], crs="EPSG:4326")
    out = display_geometries(frame, 0.01)
    assert out.geometry.iloc[0].intersection(out.geometry.iloc[1]).length == pytest.approx(1.0)
    assert out.total_bounds[2] == pytest.approx(2.0)


def test_classify_values_handles_ties_and_missing() -> None:
    colors, legend = classify_values(pd.Series([1.0, 1.0, 2.0, float("nan")]), k=5)
    assert len(colors) == 4
    assert legend[-1][1] == "sans donnée"
    assert colors[3] == legend[-1][0]
    with pytest.raises(InvalidParameterError, match="scheme"):
        classify_values(pd.Series([1.0]), scheme="au hasard")


def test_zoom_for_bounds() -> None:
    # Mainland France and Corsica fill 90 % of 560 px at zoom 5.66, snapped down to a quarter.
    assert zoom_for_bounds((-5.2, 41.3, 9.6, 51.1), width_px=590) == 5.5
    assert zoom_for_bounds((3.8, 43.55, 3.95, 43.65)) >= 11


def test_a_point_is_framed_with_its_surroundings() -> None:
    point = (2.70, 45.17, 2.70, 45.17)
    minx, miny, maxx, maxy = padded_bounds(point)
    assert (maxy - miny) * 111.32 == pytest.approx(POINTS_MIN_SPAN_KM)
    assert (maxx - minx) * 111.32 * np.cos(np.radians(45.17)) == pytest.approx(POINTS_MIN_SPAN_KM)
    assert zoom_for_bounds(point) == 15  # alone, a point would be shown at street level
    assert zoom_for_bounds(padded_bounds(point)) <= 11
    wide = (3.0, 43.0, 4.0, 44.0)
    assert padded_bounds(wide) == wide


def test_fitted_view_keeps_the_data_left_of_the_legends() -> None:
    bounds = (-5.2, 41.3, 9.6, 51.1)
    (lat, lon), zoom = view_for_bounds(bounds, width_px=820, height_px=560)
    assert zoom == 5.5
    px_per_degree = 256 * 2**zoom / 360
    left_px = 410 - (lon - bounds[0]) * px_per_degree
    right_px = 410 + (bounds[2] - lon) * px_per_degree
    assert left_px >= 0
    assert right_px <= 820 - LEGEND_WIDTH_PX
    # Centred on the web-mercator midpoint, north of the mean latitude (46.2).
    assert 46.3 < lat < 46.5


def test_french_styler_writes_numbers_the_french_way_and_keeps_them_numbers() -> None:
    from geo.fmt import fr_percent, french_styler

    table = pd.DataFrame(
        {"nom": ["Sète"], "habitants": [44558], "densité": [1835.25], "part": [0.4567], "acv": [True]}
    )
    styler = french_styler(table, {"part": fr_percent})
    html = styler.to_html()
    assert ">44\u202f558<" in html
    assert ">1\u202f835,2<" in html
    assert ">45,7\u202f%<" in html
    assert ">True<" in html
    assert styler.data["habitants"].dtype.kind == "i"  # still sortable by value
    assert ">–<" in french_styler(pd.DataFrame({"x": [float("nan")]})).to_html()
