"""How far each commune's point may be from its inhabitants: tiny outlines, then the real bundled data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import MultiPolygon, Point, box

from geo.crs import WGS84
from geo.io.atlas import Atlas
from geo.io.commune_points import (
    EVIDENCE_LIMIT_M,
    address_evidence,
    approximate_points_table,
    commune_point_checks,
    point_offsets_summary,
)

L93 = "EPSG:2154"
X0, Y0 = 700_000.0, 6_600_000.0


def _wgs84(geometries: list[object]) -> gpd.GeoSeries:
    return gpd.GeoSeries(geometries, crs=L93).to_crs(WGS84)


def _case() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Four communes (points in Lambert-93 metres):

    - A: 4 km square, a France services 1 km from the point → fine;
    - B: 30 km wide, its only address 12 km from the point → approximate (evidence);
    - C: 30 km wide, no address → approximate (extent);
    - D: 4 km square plus an islet 40 km away, no address → fine (the islet does not count).
    """
    outlines = [
        box(X0, Y0, X0 + 4000, Y0 + 4000),
        box(X0 + 10_000, Y0, X0 + 40_000, Y0 + 4000),
        box(X0 + 50_000, Y0, X0 + 80_000, Y0 + 4000),
        MultiPolygon(
            [box(X0, Y0 + 10_000, X0 + 4000, Y0 + 14_000), box(X0, Y0 + 50_000, X0 + 500, Y0 + 50_500)]
        ),
    ]
    points = [
        Point(X0 + 2000, Y0 + 2000),
        Point(X0 + 12_000, Y0 + 2000),
        Point(X0 + 52_000, Y0 + 2000),
        Point(X0 + 2000, Y0 + 12_000),
    ]
    codes = ["A", "B", "C", "D"]
    communes = gpd.GeoDataFrame(
        {"code_insee": codes, "zone": "metro"}, geometry=_wgs84(points).to_numpy(), crs=WGS84
    )
    polygons = gpd.GeoDataFrame({"code_insee": codes}, geometry=_wgs84(outlines).to_numpy(), crs=WGS84)
    services = gpd.GeoDataFrame(
        {
            "name": ["France services d'A", "France services de B", "Bus France services de C"],
            "code_insee": ["A", "B", "C"],
            "zone": "metro",
            "format_fs": ["Fixe", "Fixe", "Bus_équivalent"],
            "placement": "coherent",
        },
        geometry=_wgs84(
            [Point(X0 + 3000, Y0 + 2000), Point(X0 + 24_000, Y0 + 2000), Point(X0 + 52_100, Y0 + 2000)]
        ).to_numpy(),
        crs=WGS84,
    )
    places = gpd.GeoDataFrame(
        {
            "name": ["Fablab imprécis de C", "Coworking de D, mal placé"],
            "code_insee": ["C", "D"],
            "zone": "metro",
            "location_precision": ["approximatif", "adresse"],
            "placement": ["coherent", "incoherent"],
        },
        geometry=_wgs84([Point(X0 + 52_000, Y0 + 2100), Point(X0 + 2000, Y0 + 12_100)]).to_numpy(),
        crs=WGS84,
    )
    return communes, polygons, address_evidence(services, places)


def test_points_are_checked_against_addresses_then_against_their_extent() -> None:
    communes, polygons, evidence = _case()
    # A bus's base, an imprecise geocoding and an inconsistent placement are not evidence.
    assert evidence["name"].tolist() == ["France services d'A", "France services de B"]
    checks = commune_point_checks(communes, polygons, evidence).set_index("code_insee")
    assert checks.loc["A", "point_evidence_m"] == pytest.approx(1000, abs=1)
    assert checks.loc["A", "point_evidence_count"] == 1
    assert not checks.loc["A", "point_approximate"]
    assert checks.loc["A", "point_note"] == ""
    assert checks.loc["B", "point_evidence_m"] == pytest.approx(12_000, abs=1)
    assert checks.loc["B", "point_approximate"]
    assert "12,0" in checks.loc["B", "point_note"]
    assert "France services de B" in checks.loc["B", "point_note"]
    assert np.isnan(checks.loc["C", "point_evidence_m"])
    assert checks.loc["C", "point_extent_m"] == pytest.approx(np.hypot(28_000, 2000), rel=1e-3)
    assert checks.loc["C", "point_approximate"]
    assert "étendue" in checks.loc["C", "point_note"]
    assert checks.loc["D", "point_extent_m"] == pytest.approx(np.hypot(2000, 2000), rel=1e-3)
    assert not checks.loc["D", "point_approximate"]


def test_a_commune_without_point_is_checked_but_never_flagged() -> None:
    communes, polygons, evidence = _case()
    communes.loc[3, "geometry"] = None
    checks = commune_point_checks(communes, polygons, evidence).set_index("code_insee")
    assert np.isnan(checks.loc["D", "point_extent_m"])
    assert not checks.loc["D", "point_approximate"]


def test_real_points_far_from_their_town_are_flagged(atlas: Atlas) -> None:
    communes = atlas.communes.set_index("code_insee")
    # The examples: Saint-Laurent-du-Maroni's point is ~60 km from the town, Kourou's ~29 km.
    assert communes.loc["97311", "point_evidence_m"] == pytest.approx(58_780, abs=100)
    assert communes.loc["97304", "point_evidence_m"] == pytest.approx(28_215, abs=100)
    assert communes.loc[["97311", "97304", "97353"], "point_approximate"].all()
    # Cayenne's islet, Granville's Chausey and Marseille's size do not make their points approximate.
    assert not communes.loc[["97302", "50218", "13055", "75056"], "point_approximate"].any()
    located = communes[communes["x_m"].notna()]
    assert located["point_extent_m"].notna().all()
    summary = point_offsets_summary(atlas.communes)
    assert summary["communes"] > 2500
    assert summary["median_m"] < 2000
    assert summary["max_m"] > 60_000
    assert 100 < summary["approximate"] < 300
    assert summary["over_limit"] == int((communes["point_evidence_m"] > EVIDENCE_LIMIT_M).sum())


def test_scope_figures_count_the_approximate_points(atlas: Atlas) -> None:
    from geo.analysis.indicators import scope_coverage
    from geo.territory import Scope

    figures = scope_coverage(atlas, Scope("973"), (), 10).figures
    guyane = atlas.communes[atlas.communes["dep"] == "973"]
    assert figures.communes_approximate == int(guyane["point_approximate"].sum()) > 5
    assert figures.population_approximate == int(guyane.loc[guyane["point_approximate"], "population"].sum())


def test_the_table_of_approximate_points_lists_every_flagged_commune_farthest_first(atlas: Atlas) -> None:
    table = approximate_points_table(atlas.communes)
    assert len(table) == int(atlas.communes["point_approximate"].sum())
    distances = table["Distance à l'adresse connue la plus proche (km)"].dropna()
    assert distances.is_monotonic_decreasing
    assert table.iloc[0]["Commune"] == "Mana"  # 70,6 km from its France services
