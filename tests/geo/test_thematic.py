"""Thematic indicators on a tiny hand-made territory, then consistency checks on the bundled data."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo._errors import InvalidParameterError
from geo.analysis.coverage import aggregate_coverage, coverage_of_points
from geo.analysis.thematic import (
    BOTH_PROGRAMMES,
    PRIORITY_KINDS,
    SUPPORT_RULE,
    SupportRule,
    comparison_for_export,
    gap_summary,
    gap_themes_warning,
    gaps_for_export,
    indicators_for_export,
    route_note,
    thematic_gaps,
    theme_distances,
    theme_indicators,
    theme_mix_comparison,
    theme_support,
    under_represented_themes,
)
from geo.fmt import french_styler
from geo.io.atlas import Atlas
from geo.io.export import csv_bytes
from geo.territory import Scope
from geo.themes import ALL_PLACES, THEMES, theme_mask
from geo.typologies import RURAL_LEVELS, CommuneTypes

EMPTY = gpd.GeoDataFrame({"geometry": []}, geometry="geometry", crs="EPSG:4326")


def _commune(code: str, x_km: float, population: int, *, dep: str, reg: str, acv=False, pvd=False) -> dict:
    return {
        "code_insee": code,
        "nom": f"Commune {code}",
        "dep": dep,
        "nom_dep": f"Dép {dep}",
        "reg": reg,
        "nom_reg": f"Région {reg}",
        "epci_siren": f"e{dep}",
        "epci_nom": f"EPCI {dep}",
        "zone": "metro",
        "population": population,
        "acv": acv,
        "pvd": pvd,
        "x_m": x_km * 1000.0,
        "y_m": 0.0,
    }


def _place(place_id: str, x_km: float, commune: dict, **themes: str) -> dict:
    row = {
        "place_id": place_id,
        "name": place_id,
        "code_insee": commune["code_insee"],
        "dep": commune["dep"],
        "reg": commune["reg"],
        "epci_siren": commune["epci_siren"],
        "zone": "metro",
        "x_m": x_km * 1000.0,
        "y_m": 0.0,
    }
    for theme in THEMES:
        row[f"theme_{theme}"] = themes.get(theme, "")
    return row


@pytest.fixture
def tiny() -> Atlas:
    """Two régions on a line: région R1 (deps 01, 02) and région R2 (dep 03).

    Coworkings at km 0 and km 100, a food place at km 0, a reuse place at km 200.
    """
    c = [
        _commune("01001", 0, 1000, dep="01", reg="R1", acv=True),
        _commune("01002", 5, 3000, dep="01", reg="R1", pvd=True),
        _commune("02001", 100, 2000, dep="02", reg="R1", acv=True, pvd=True),
        _commune("03001", 200, 4000, dep="03", reg="R2", pvd=True),
    ]
    communes = gpd.GeoDataFrame(
        pd.DataFrame(c), geometry=gpd.points_from_xy([0] * 4, [0] * 4), crs="EPSG:4326"
    )
    places = pd.DataFrame(
        [
            _place("cw1", 0, c[0], coworking="typologie", alimentation="mot-clé"),
            _place("cw2", 100, c[2], coworking="typologie"),
            _place("fab", 101, c[2], fabrication="programme"),
            _place("re", 200, c[3], reemploi="mot-clé"),
        ]
    )
    places = gpd.GeoDataFrame(places, geometry=gpd.points_from_xy([0] * 4, [0] * 4), crs="EPSG:4326")
    qpv = gpd.GeoDataFrame(
        {
            "code_qp": ["QN1"],
            "lib_qp": ["Quartier gare"],
            "lib_com": ["Commune 02001"],
            "dep": ["02"],
            "zone": ["metro"],
            "codes_insee": ["02001"],
            "location_precision": ["centroide commune"],
            "x_m": [100_000.0],
            "y_m": [0.0],
        },
        geometry=gpd.points_from_xy([0], [0]),
        crs="EPSG:4326",
    )
    empty = pd.DataFrame()
    return Atlas(
        places=places,
        communes=communes,
        epci=EMPTY,
        departements=EMPTY,
        regions=EMPTY,
        acv=empty,
        pvd=empty,
        zrr=empty,
        qpv=qpv,
        france_services=EMPTY,
    )


def test_distances_per_theme(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    assert list(d.communes.columns) == [ALL_PLACES, *THEMES]
    assert d.communes.loc[1, "coworking"] == pytest.approx(5000.0)
    assert d.communes.loc[3, "coworking"] == pytest.approx(100_000.0)
    assert np.isinf(d.communes.loc[0, "culture"])  # no culture place anywhere
    assert d.qpv.loc[0, "fabrication"] == pytest.approx(1000.0)


def test_indicators_by_departement(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    table = theme_indicators(
        tiny, d, Scope("metro", "R1"), 10, level="dep", themes=("coworking", "alimentation")
    )
    cw = table[table["theme"] == "coworking"].set_index("code")
    assert list(cw.index) == ["01", "02"]
    assert cw.loc["01", "places"] == 1
    assert cw.loc["01", "population"] == 4000
    assert cw.loc["01", "places_per_100k"] == pytest.approx(25.0)
    assert cw.loc["01", "share_covered"] == pytest.approx(1.0)
    assert cw.loc["02", "mix_share"] == pytest.approx(0.5)  # 1 coworking among 2 places
    food = table[table["theme"] == "alimentation"].set_index("code")
    assert food.loc["02", "share_covered"] == 0.0
    assert food.loc["01", "share_covered"] == pytest.approx(1.0)


def test_radius_is_inclusive_and_changes_coverage(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    at_5 = theme_indicators(tiny, d, Scope("metro", "R1"), 5, level="commune", themes=("coworking",))
    at_4 = theme_indicators(tiny, d, Scope("metro", "R1"), 4, level="commune", themes=("coworking",))
    assert at_5.set_index("code").loc["01002", "share_covered"] == 1.0
    assert at_4.set_index("code").loc["01002", "share_covered"] == 0.0


def test_mix_comparison_flags_missing_themes(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    # Four places are far too few for a finding: the index logic is checked without a threshold.
    comparison = theme_mix_comparison(tiny, d, Scope("metro", "R1", "01"), 10, rule=SupportRule(0, 0.0))
    assert set(comparison["reference"]) == {"scope", "region", "national"}
    scope = comparison[comparison["reference"] == "scope"].set_index("theme")
    national = comparison[comparison["reference"] == "national"].set_index("theme")
    # Dep 01 holds one place (coworking + food); France 4 places, 2 coworkings, 1 food, 1 reuse.
    assert national.loc["coworking", "mix_share"] == pytest.approx(0.5)
    assert scope.loc["coworking", "index_vs_national"] == pytest.approx(200.0)
    assert scope.loc["alimentation", "index_vs_national"] == pytest.approx(400.0)
    assert scope.loc["reemploi", "index_vs_national"] == 0.0
    assert scope.loc["reemploi", "expected_places"] == pytest.approx(0.25)
    assert under_represented_themes(comparison) == ["fabrication", "reemploi"]
    # Culture is absent everywhere: no national share, no flag.
    assert not scope.loc["culture", "under_represented"]


def test_too_few_places_give_no_finding(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    comparison = theme_mix_comparison(tiny, d, Scope("metro", "R1", "01"), 10)
    assert not comparison["sufficient"].any()
    assert under_represented_themes(comparison) == []
    export = comparison_for_export(comparison, radius_km=10).set_index(["Référence", "Thème"])
    assert export.loc[("Périmètre", "Réemploi"), "Constat possible"] == "données insuffisantes (0 lieu)"
    assert (
        export.loc[("France entière", "Coworking"), "Constat possible"] == "données insuffisantes (2 lieux)"
    )
    assert export["Indice vs mix national (100 = France)"].isna().all()
    table = theme_indicators(tiny, d, Scope("metro", "R1"), 10, level="dep")
    assert not table["sufficient"].any()
    assert (
        indicators_for_export(table, level="dep", radius_km=10)["Thème dans le périmètre"]
        != "lieux suffisants"
    ).all()


def test_theme_support_counts_places_and_routes(tiny: Atlas) -> None:
    support = theme_support(tiny.places)
    assert support["coworking"].places == 2
    assert support["coworking"].by_route["typologie"] == 2
    assert support["alimentation"].by_route["mot-clé"] == 1
    assert support["coworking"].verdict == "données insuffisantes (2 lieux)"
    assert theme_support(tiny.places, rule=SupportRule(2, 0.5))["coworking"].sufficient
    assert not theme_support(tiny.places, rule=SupportRule(2, 0.6))["coworking"].sufficient
    assert (
        SUPPORT_RULE.describe()
        == "au moins 10 lieux du thème dans le territoire et au moins 3\u202f% de ses tiers-lieux"
    )


def test_gap_list_on_thin_themes_says_it_is_no_finding(tiny: Atlas) -> None:
    support = theme_support(tiny.places)
    warning = gap_themes_warning(support, (ALL_PLACES, "coworking", "alimentation"))
    assert warning == (
        "Coworking : données insuffisantes (2 lieux) dans le périmètre ; "
        "Alimentation : données insuffisantes (1 lieu) dans le périmètre. "
        f"Cette liste n'est pas un constat : il faut {SUPPORT_RULE.describe()}."
    )
    assert gap_themes_warning(support, (ALL_PLACES,)) == ""
    assert gap_themes_warning(theme_support(tiny.places, rule=SupportRule(1, 0.0)), ("coworking",)) == ""


def test_region_reference_is_dropped_when_scope_is_the_region(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    comparison = theme_mix_comparison(tiny, d, Scope("metro", "R2"), 10)
    assert set(comparison["reference"]) == {"scope", "national"}
    assert comparison.loc[comparison["reference"] == "scope", "territoire"].iloc[0] == "Région R2"


def test_thematic_gaps_coworking_without_food_or_reuse(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    gaps = thematic_gaps(
        tiny, d, Scope("metro"), 10, present=("coworking",), missing=("alimentation", "reemploi")
    )
    # 01001 and 01002 have the food place within 10 km; 03001 has no coworking within 10 km.
    assert set(gaps["code"]) == {"02001", "QN1"}
    commune = gaps.set_index("code").loc["02001"]
    assert commune["kind"] == BOTH_PROGRAMMES
    assert commune["distance_alimentation_m"] == pytest.approx(100_000.0)
    assert commune["distance_missing_m"] == pytest.approx(100_000.0)
    assert list(gaps["rang"]) == [1, 2]
    # Same distance to the nearest missing place: the populated commune ranks before the QPV.
    assert gaps.iloc[0]["code"] == "02001"
    assert gap_summary(gaps) == {"acv": 1, "pvd": 1, "qpv": 1}


def test_thematic_gaps_modes_and_kinds(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    scope = Scope("metro")
    any_missing = thematic_gaps(
        tiny, d, scope, 10, present=(ALL_PLACES,), missing=("alimentation", "reemploi"), how="any"
    )
    # Every priority territory lacks at least one of the two within 10 km.
    assert set(any_missing["code"]) == {"01001", "01002", "02001", "03001", "QN1"}
    only_qpv = thematic_gaps(tiny, d, scope, 10, present=(), missing=("culture",), kinds=("qpv",))
    assert list(only_qpv["code"]) == ["QN1"]
    assert np.isinf(only_qpv["distance_missing_m"].iloc[0])
    assert set(PRIORITY_KINDS) == {"acv", "pvd", "qpv"}


def test_thematic_gaps_scope_filters_qpv(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    gaps = thematic_gaps(tiny, d, Scope("metro", "R2"), 10, present=(), missing=("culture",))
    assert list(gaps["code"]) == ["03001"]


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"present": ("coworking",), "missing": ()}, "missing"),
        ({"present": ("coworking",), "missing": ("coworking",)}, "à la fois"),
        ({"present": ("bar",), "missing": ("culture",)}, "present"),
        ({"present": (), "missing": ("culture",), "how": "some"}, "how"),
        ({"present": (), "missing": ("culture",), "kinds": ("zrr",)}, "kinds"),
    ],
)
def test_thematic_gaps_rejects_bad_input(tiny: Atlas, kwargs: dict, word: str) -> None:
    d = theme_distances(tiny)
    with pytest.raises(InvalidParameterError, match=word):
        thematic_gaps(tiny, d, Scope("metro"), 10, **kwargs)


def test_indicators_reject_bad_input(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    with pytest.raises(InvalidParameterError, match="level"):
        theme_indicators(tiny, d, Scope("metro"), 10, level="canton")
    with pytest.raises(InvalidParameterError, match="strictement positive"):
        theme_indicators(tiny, d, Scope("metro"), 0, level="dep")
    with pytest.raises(InvalidParameterError, match="themes"):
        theme_mix_comparison(tiny, d, Scope("metro"), 10, themes=("fooding",))


def test_exports_are_french_and_complete(tiny: Atlas) -> None:
    d = theme_distances(tiny)
    table = theme_indicators(tiny, d, Scope("metro"), 10, level="dep")
    exported = indicators_for_export(table, level="dep", radius_km=10)
    assert len(exported) == 3 * len(THEMES)
    assert "Part de la population à moins de 10 km (%)" in exported.columns
    gaps = thematic_gaps(tiny, d, Scope("metro"), 10, present=("coworking",), missing=("alimentation",))
    gaps_table = gaps_for_export(gaps, present=("coworking",), missing=("alimentation",))
    assert gaps_table["Distance au plus proche : Alimentation (km)"].iloc[0] == pytest.approx(100.0)
    text = csv_bytes(gaps_table, {"Périmètre": "test"}).decode("utf-8-sig")
    assert "Quartier gare" in text
    assert "100,0" in text
    shown = french_styler(
        comparison_for_export(theme_mix_comparison(tiny, d, Scope("metro"), 10), radius_km=10)
    ).to_html()
    assert "France entière" in shown
    assert re.search(r">\d+,\d<", shown), "per 100 000 inhabitants written with a decimal comma"


def test_route_note_counts_each_route(tiny: Atlas) -> None:
    note = route_note(tiny.places, ("coworking", "alimentation", "culture"))
    assert "Coworking 2 (2 par la typologie de la source)" in note
    assert "Alimentation 1 (1 par mots-clés (indicatif))" in note
    assert "Culture 0" in note
    assert "indicatifs" in note


def test_real_data_matches_the_coverage_kernel(atlas: Atlas) -> None:
    """Per-theme figures equal the general kernel run on the theme's places (Occitanie, 15 km)."""
    d = theme_distances(atlas)
    scope = Scope("metro", "76")
    table = theme_indicators(atlas, d, scope, 15, level="dep", themes=("fabrication", "alimentation"))
    communes = atlas.communes[scope.mask(atlas.communes)]
    for theme in ("fabrication", "alimentation"):
        zone_places = atlas.places[(atlas.places["zone"] == "metro") & theme_mask(atlas.places, [theme])]
        coverage = coverage_of_points(communes, zone_places, 15)
        expected = aggregate_coverage(communes, coverage, zone_places[scope.mask(zone_places)], "dep")
        got = table[table["theme"] == theme].set_index("code")
        assert list(got.index) == list(expected.index)
        np.testing.assert_allclose(got["share_covered"], expected["share_covered"])
        np.testing.assert_array_equal(got["places"], expected["places"])


def test_a_typed_scope_is_compared_with_the_same_types_in_its_region_and_in_france(atlas: Atlas) -> None:
    rural = CommuneTypes(densite=RURAL_LEVELS)
    comparison = theme_mix_comparison(
        atlas, theme_distances(atlas), Scope("metro", dep="34", types=rural), 10
    )
    rows = comparison.drop_duplicates("reference").set_index("reference")
    in_france = rural.mask(atlas.places)
    assert rows.loc["national", "places_all_themes"] == in_france.sum() < len(atlas.places)
    assert rows.loc["national", "territoire"] == f"France entière ({rural.describe()})"
    in_region = in_france & (atlas.places["reg"] == "76")
    assert rows.loc["region", "places_all_themes"] == in_region.sum()
    assert (
        rows.loc["national", "population"]
        == atlas.communes.loc[rural.mask(atlas.communes), "population"].sum()
    )


def test_real_data_region_mix_and_gaps(atlas: Atlas) -> None:
    d = theme_distances(atlas)
    scope = Scope("metro", "76")
    comparison = theme_mix_comparison(atlas, d, scope, 10)
    national = comparison[comparison["reference"] == "national"]
    assert national["places_all_themes"].iloc[0] == len(atlas.places)
    scope_rows = comparison[comparison["reference"] == "scope"].set_index("theme")
    for theme in under_represented_themes(comparison):
        assert scope_rows.loc[theme, "mix_share"] < 0.8 * national.set_index("theme").loc[theme, "mix_share"]
    gaps = thematic_gaps(atlas, d, scope, 10, present=("coworking",), missing=("alimentation", "reemploi"))
    assert len(gaps) > 0
    assert (gaps["distance_present_m"] <= 10_000).all()
    assert (gaps["distance_alimentation_m"] > 10_000).all()
    assert (gaps["distance_reemploi_m"] > 10_000).all()
    assert gaps["distance_missing_m"].is_monotonic_decreasing
    communes = atlas.communes.set_index("code_insee")
    commune_rows = gaps[gaps["kind"] != PRIORITY_KINDS["qpv"]]
    assert (communes.loc[commune_rows["code"], "reg"] == "76").all()
    assert (communes.loc[commune_rows["code"], "acv"] | communes.loc[commune_rows["code"], "pvd"]).all()
