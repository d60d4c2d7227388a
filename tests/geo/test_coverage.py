"""The coverage kernel: hand-computed tiny cases, then the real bundled data against brute force."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point, box

from geo._errors import InvalidParameterError
from geo.analysis.coverage import (
    aggregate_coverage,
    coverage_by_theme,
    coverage_of_points,
    coverage_of_polygons,
    nearest_distance_m,
    nearest_source,
)
from geo.analysis.indicators import (
    COVERAGE_INDICATORS,
    ScopeCoverage,
    available_levels,
    coverage_table,
    scope_coverage,
)
from geo.crs import with_projected_xy
from geo.io.atlas import Atlas
from geo.territory import Scope
from geo.themes import THEMES

L93 = "EPSG:2154"
X0, Y0 = 700_000.0, 6_600_000.0
"""A point of Lambert-93 in central France: tiny cases are written as offsets from it."""


def _points(coords: list[tuple[float, float]], zone: str = "metro", **columns: object) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"x_m": [X0 + x for x, _ in coords], "y_m": [Y0 + y for _, y in coords], "zone": zone}
    )
    for name, value in columns.items():
        frame[name] = value
    return frame


def test_nearest_distance_and_position_hand_computed() -> None:
    communes = _points([(0, 0), (3000, 4000)])
    places = _points([(6000, 8000), (0, 5000)])
    distance, position = nearest_source(communes, places)
    # (0,0): 10 000 m to the first place, 5 000 m to the second.
    # (3000,4000): 5 000 m to the first, sqrt(3000² + 1000²) to the second.
    np.testing.assert_allclose(distance, [5000.0, np.hypot(3000, 1000)])
    assert position.tolist() == [1, 1]
    np.testing.assert_allclose(nearest_distance_m(communes, places), distance)


def test_a_place_exactly_at_the_radius_covers() -> None:
    communes = _points([(0, 0)])
    places = _points([(10_000, 0), (0, 10_001)], theme_fabrication=["typologie", ""])
    at_radius = coverage_of_points(communes, places, 10)
    assert at_radius.loc[0, "distance_m"] == 10_000.0
    assert bool(at_radius.loc[0, "covered"])
    assert at_radius.loc[0, "n_within"] == 1  # the one 1 m further is out
    assert not bool(coverage_of_points(communes, places, 9.999).loc[0, "covered"])
    # The one-pass kernel agrees at the boundary.
    by_theme = coverage_by_theme(communes, places, 10, ["fabrication"])
    assert by_theme["tous"].loc[0, "n_within"] == 1
    assert bool(by_theme["fabrication"].loc[0, "covered"])


def test_places_of_another_zone_never_count() -> None:
    # Same metric coordinates, but one is in La Réunion and the other in metropolitan France:
    # each zone has its own CRS, so they are not neighbours.
    communes = _points([(0, 0)], zone="974")
    places = _points([(0, 0), (100, 0)], zone="metro")
    result = coverage_of_points(communes, places, 50, with_nearest=True)
    assert np.isinf(result.loc[0, "distance_m"])
    assert result.loc[0, "n_within"] == 0
    assert not bool(result.loc[0, "covered"])
    assert result.loc[0, "nearest"] == -1
    # Add a place of La Réunion 2 km away: it is found.
    places = pd.concat([places, _points([(0, 2000)], zone="974")], ignore_index=True)
    result = coverage_of_points(communes, places, 5, with_nearest=True)
    assert result.loc[0, "distance_m"] == pytest.approx(2000.0)
    assert result.loc[0, "nearest"] == 2


def test_drom_distances_use_the_local_utm_crs() -> None:
    # Saint-Denis and Saint-Pierre (La Réunion), and Paris / Marseille: projected distances
    # stay within 0.2 % of the geodesic distance.
    geod = Geod(ellps="GRS80")
    cases = {
        "974": ((55.4481, -20.8823), (55.4781, -21.3393)),
        "metro": ((2.3522, 48.8566), (5.3698, 43.2965)),
    }
    for zone, (a, b) in cases.items():
        frame = gpd.GeoDataFrame({"zone": [zone, zone]}, geometry=[Point(a), Point(b)], crs="EPSG:4326")
        projected = with_projected_xy(frame)
        distance = nearest_distance_m(projected.iloc[[0]], projected.iloc[[1]])[0]
        _, _, geodesic = geod.inv(a[0], a[1], b[0], b[1])
        assert distance == pytest.approx(geodesic, rel=2e-3), zone


def test_targets_without_coordinates_are_inf_not_covered() -> None:
    communes = _points([(0, 0), (0, 0)])
    communes.loc[1, ["x_m", "y_m"]] = np.nan
    places = _points([(100, 0)])
    result = coverage_of_points(communes, places, 1, with_nearest=True)
    assert result["covered"].tolist() == [True, False]
    assert np.isinf(result.loc[1, "distance_m"])
    assert result["nearest"].tolist() == [0, -1]
    assert result["n_within"].tolist() == [1, 0]


@pytest.mark.parametrize("radius_km", [0, -5, float("nan"), float("inf")])
def test_invalid_radius_is_refused_in_french(radius_km: float) -> None:
    communes = _points([(0, 0)])
    with pytest.raises(InvalidParameterError, match="strictement positive"):
        coverage_of_points(communes, communes, radius_km)
    with pytest.raises(InvalidParameterError, match="strictement positive"):
        coverage_by_theme(communes, communes.assign(theme_culture=""), radius_km, ["culture"])


def test_coverage_by_theme_hand_computed() -> None:
    communes = _points([(0, 0), (20_000, 0)])
    places = _points(
        [(1000, 0), (20_000, 3000), (20_000, 9000)],
        theme_fabrication=["typologie", "", "mot-clé"],
        theme_culture=["", "", ""],
    )
    result = coverage_by_theme(communes, places, 5, ["fabrication", "culture"])
    assert result["tous"]["distance_m"].tolist() == pytest.approx([1000.0, 3000.0])
    assert result["tous"]["n_within"].tolist() == [1, 1]
    assert result["fabrication"]["distance_m"].tolist() == pytest.approx([1000.0, 9000.0])
    assert result["fabrication"]["covered"].tolist() == [True, False]
    assert np.isinf(result["culture"]["distance_m"]).all()
    assert result["culture"]["n_within"].tolist() == [0, 0]


def _square_polygons(crs: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone": ["metro", "metro"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 10_000, Y0, X0 + 11_000, Y0 + 1000)],
        crs=crs,
    )


def test_polygon_distance_is_zero_inside_and_measured_from_the_edge() -> None:
    polygons = _square_polygons(L93)
    places = pd.DataFrame({"x_m": [X0 + 500, X0 + 1500], "y_m": [Y0 + 500, Y0 + 500], "zone": "metro"})
    result = coverage_of_polygons(polygons, places, 5, with_nearest=True)
    # First square: a place inside. Second square: its west edge is 8 500 m from the second place.
    assert result["distance_m"].tolist() == pytest.approx([0.0, 8500.0])
    assert result["nearest"].tolist() == [0, 1]
    assert result["covered"].tolist() == [True, False]
    # Counting is inclusive at the radius: 8.5 km reaches the second square.
    assert coverage_of_polygons(polygons, places, 8.5)["n_within"].tolist() == [2, 1]
    assert coverage_of_polygons(polygons, places, 8.4)["n_within"].tolist() == [2, 0]


def test_polygons_in_wgs84_are_projected_per_zone() -> None:
    polygons = _square_polygons(L93).to_crs("EPSG:4326")
    places = pd.DataFrame({"x_m": [X0 + 1500], "y_m": [Y0 + 500], "zone": "metro"})
    assert coverage_of_polygons(polygons, places, 1)["distance_m"].iloc[0] == pytest.approx(500.0, abs=0.5)
    other_zone = places.assign(zone="971")
    assert np.isinf(coverage_of_polygons(polygons, other_zone, 1)["distance_m"]).all()


def test_aggregate_coverage_hand_computed() -> None:
    communes = pd.DataFrame(
        {
            "code_insee": ["A1", "A2", "B1"],
            "nom": ["a1", "a2", "b1"],
            "dep": ["01", "01", "02"],
            "nom_dep": ["Un", "Un", "Deux"],
            "population": [1000, 3000, 0],
        }
    )
    coverage = pd.DataFrame({"covered": [True, False, False]})
    places = pd.DataFrame({"code_insee": ["A2", "A2", "B1"]})
    table = aggregate_coverage(communes, coverage, places, "dep")
    assert table.loc["01", "places"] == 2
    assert table.loc["01", "population_covered"] == 1000
    assert table.loc["01", "share_covered"] == pytest.approx(0.25)
    assert table.loc["01", "places_per_100k"] == pytest.approx(2 / 4000 * 100_000)
    assert np.isnan(table.loc["02", "share_covered"])  # no population: no rate
    with pytest.raises(InvalidParameterError, match="`level`"):
        aggregate_coverage(communes, coverage, places, "canton")


def test_coverage_table_adds_uncovered_population_and_weighted_distance() -> None:
    communes = pd.DataFrame(
        {
            "code_insee": ["A1", "A2", "B1"],
            "nom": ["a1", "a2", "b1"],
            "dep": ["01", "01", "02"],
            "nom_dep": ["Un", "Un", "Deux"],
            "population": [1000, 3000, 500],
            "x_m": [0.0, 0.0, np.nan],
        }
    )
    coverage = pd.DataFrame(
        {"distance_m": [2000.0, 6000.0, np.inf], "n_within": [1, 0, 0], "covered": [True, False, False]}
    )
    result = ScopeCoverage(
        Scope(),
        (),
        5.0,
        pd.DataFrame({"code_insee": ["A1"]}),
        communes,
        coverage,
        pd.DataFrame(),
        pd.DataFrame(),
        figures=None,  # type: ignore[arg-type]
    )
    table = coverage_table(result, "dep")
    assert table.loc["01", "population_uncovered"] == 3000
    assert table.loc["01", "mean_distance_m"] == pytest.approx((1000 * 2000 + 3000 * 6000) / 4000)
    assert np.isnan(table.loc["02", "mean_distance_m"])  # only an unlocated commune
    assert set(COVERAGE_INDICATORS) <= set(table.columns)


def test_available_levels_keep_commune_outlines_for_small_scopes() -> None:
    assert available_levels(Scope()) == ("reg", "dep", "epci")
    assert available_levels(Scope("metro", reg="76")) == ("dep", "epci")
    assert available_levels(Scope("metro", reg="76", dep="34")) == ("epci", "commune")
    assert available_levels(Scope("metro", reg="76", dep="34", epci="243400017")) == ("commune",)
    assert available_levels(Scope("974")) == ("epci", "commune")
    for scope in (Scope(), Scope("metro", reg="76"), Scope("974")):
        assert scope.detail_level in available_levels(scope)


def test_indicator_texts_are_french() -> None:
    share = COVERAGE_INDICATORS["share_covered"]
    assert share.text(0.4567) == "45,7\u202f%"
    assert share.title(15) == "Part de la population à moins de 15 km d'un tiers-lieu"
    assert COVERAGE_INDICATORS["mean_distance_m"].text(12_345) == "12,3\u202fkm"
    assert COVERAGE_INDICATORS["population_covered"].text(1234567) == "1\u202f234\u202f567"
    assert COVERAGE_INDICATORS["places_per_100k"].text(float("nan")) == "–"


def _brute_force_nearest(
    targets: gpd.GeoDataFrame, places: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest place by a full distance matrix, from the geometries (not the stored x_m / y_m)."""
    target_xy = np.column_stack([targets.to_crs(L93).geometry.x, targets.to_crs(L93).geometry.y])
    place_xy = np.column_stack([places.to_crs(L93).geometry.x, places.to_crs(L93).geometry.y])
    matrix = np.hypot(
        target_xy[:, None, 0] - place_xy[None, :, 0], target_xy[:, None, 1] - place_xy[None, :, 1]
    )
    return matrix.min(axis=1), matrix.argmin(axis=1)


def test_nearest_place_of_known_communes_matches_brute_force(atlas: Atlas) -> None:
    codes = ["34172", "81004", "75056", "29019", "2A004"]  # Montpellier, Albi, Paris, Brest, Ajaccio
    communes = atlas.communes[atlas.communes["code_insee"].isin(codes)]
    assert len(communes) == len(codes)
    places = atlas.places[atlas.places["zone"] == "metro"]
    expected_distance, expected_position = _brute_force_nearest(communes, places)
    distance, position = nearest_source(communes, places)
    np.testing.assert_allclose(distance, expected_distance, atol=0.01)
    assert (
        places["name"].to_numpy()[position].tolist() == places["name"].to_numpy()[expected_position].tolist()
    )
    # A commune that hosts a geocoded place is at most as far as that place.
    hosted = places[places["location_precision"] == "adresse"].groupby("code_insee").size()
    for code, d in zip(communes["code_insee"], distance, strict=True):
        if code in hosted.index:
            own = places[(places["code_insee"] == code)]
            own_distance, _ = _brute_force_nearest(communes[communes["code_insee"] == code], own)
            assert d <= own_distance[0] + 0.01


def test_national_kernel_matches_brute_force_on_a_sample(atlas: Atlas) -> None:
    communes = atlas.communes[atlas.communes["zone"] == "metro"].dropna(subset=["x_m"])
    sample = communes.sample(300, random_state=1)
    result = coverage_by_theme(atlas.communes, atlas.places, 10, list(THEMES))
    metro_places = atlas.places[atlas.places["zone"] == "metro"]
    for theme in ("tous", "fabrication", "alimentation"):
        subset = metro_places if theme == "tous" else metro_places[metro_places[f"theme_{theme}"] != ""]
        expected, _ = _brute_force_nearest(sample, subset)
        got = result[theme].loc[sample.index, "distance_m"].to_numpy()
        np.testing.assert_allclose(got, expected, atol=0.01, err_msg=theme)
        # The one-pass kernel gives the same counts as one query per theme.
        single = coverage_of_points(communes, subset, 10)
        assert (single["n_within"] == result[theme].loc[communes.index, "n_within"]).all(), theme


def test_drom_communes_are_only_covered_by_places_of_their_island(atlas: Atlas) -> None:
    reunion = atlas.communes[atlas.communes["zone"] == "974"]
    _, position = nearest_source(reunion, atlas.places)
    assert (atlas.places.iloc[position[position >= 0]]["zone"] == "974").all()
    result = scope_coverage(atlas, Scope("974"), (), 10)
    assert result.figures.population == int(reunion["population"].sum())
    assert 0 < result.figures.share_covered <= 1


def test_classes_handle_ties_and_binary_values() -> None:
    from geo.render.maps import classify_values
    from geo.render.style import NO_DATA_COLOR

    # A commune is covered (100 %) or not (0 %): two classes, not one.
    colors, legend = classify_values(pd.Series([0.0, 1.0, 1.0, 0.0, np.nan]), formatter=lambda v: f"{v:.0%}")
    assert [label for _, label in legend] == ["0%", "100%", "sans donnée"]
    assert colors[0] == colors[3] != colors[1] == colors[2]
    assert colors[4] == NO_DATA_COLOR
    # Many zeros: quantile bounds collapse; legend entries never overlap and describe real values.
    values = pd.Series([0] * 60 + list(range(1, 41)), dtype=float)
    for scheme in ("quantiles", "fisher_jenks"):
        colors, legend = classify_values(values, scheme=scheme, k=5, formatter=lambda v: f"{v:g}")
        labels = [label for _, label in legend]
        if scheme == "quantiles":
            assert labels[0] == "0"  # 60 % of zeros: a class of their own
        assert len(set(colors)) == len(legend), scheme
        lows = [float(label.split(" – ")[0]) for label in labels]
        highs = [float(label.split(" – ")[-1]) for label in labels]
        assert all(h < lo for h, lo in zip(highs, lows[1:], strict=False)), scheme
    with pytest.raises(InvalidParameterError, match="`scheme`"):
        classify_values(values, scheme="equal")
    assert classify_values(pd.Series([np.nan, np.inf]))[1] == [(NO_DATA_COLOR, "sans donnée")]
