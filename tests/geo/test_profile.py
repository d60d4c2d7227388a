"""Territory profile on the real bundled data: figures, programmes, places, gaps, references, similars."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geo._errors import InvalidParameterError
from geo.analysis.coverage import nearest_distance_m
from geo.analysis.gaps import priority_gaps
from geo.analysis.indicators import scope_coverage
from geo.analysis.profile import (
    UNKNOWN_DENSITY,
    ProfileBasis,
    density_class,
    key_figure_items,
    profile_basis,
    similar_territories,
    territory_figures,
    territory_profile,
)
from geo.io.atlas import load_commune_polygons
from geo.search import territory_by_key
from geo.territory import Scope
from geo.themes import theme_mask

PVD_COMMUNE = "commune:89418"  # Tonnerre (Yonne), Petites villes de demain


@pytest.fixture(scope="module")
def basis(atlas) -> ProfileBasis:
    return profile_basis(atlas, load_commune_polygons())


@pytest.fixture(scope="module")
def quiet_key(atlas) -> str:
    """A commune with no programme, no France services, and no food place within 20 km."""
    communes = atlas.communes
    food = atlas.places[theme_mask(atlas.places, ["alimentation"])]
    distance = nearest_distance_m(communes, food)
    with_fs = set(atlas.france_services["code_insee"])
    candidates = communes[
        ~communes["acv"]
        & ~communes["pvd"]
        & (communes["n_qpv"] == 0)
        & (communes["zrr"] == "non classée")
        & ~communes["code_insee"].isin(with_fs)
        & (distance > 20_000)
        & np.isfinite(distance)
        & (communes["population"] > 100)
    ]
    return "commune:" + str(candidates.sort_values("code_insee")["code_insee"].iloc[0])


def test_density_classes() -> None:
    assert density_class(10) == "très peu dense"
    assert density_class(30) == "peu dense"
    assert density_class(500) == "densité intermédiaire"
    assert density_class(20_000) == "dense"
    assert density_class(float("nan")) == UNKNOWN_DENSITY


def test_basis_areas_and_densities(basis: ProfileBasis) -> None:
    table = basis.territories
    assert set(table["level"]) == {"commune", "epci", "dep", "reg"}
    # Paris: about 105 km² and 20 000 inhabitants per km² (simplified outlines: a few % off).
    paris = table.loc["commune:75056"]
    assert 95 < paris["area_km2"] < 115
    assert paris["density_class"] == "dense"
    # Areas of the départements add up to their région's (same simplified coverage, ± 2 %).
    occitanie = table.loc["reg:76", "area_km2"]
    deps = table[
        (table["level"] == "dep")
        & table["code"].isin(["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"])
    ]
    assert deps["area_km2"].sum() == pytest.approx(occitanie, rel=0.02)
    assert table.loc["dep:34", "programmes"] == "ACV + PVD + QPV"


@pytest.mark.parametrize("key", ["dep:34", "reg:76", "epci:200054781"])
def test_figures_of_scopes_are_those_of_scope_coverage(atlas, basis, key: str) -> None:
    territory = territory_by_key(basis.index, key)
    expected = scope_coverage(atlas, territory.scope, ("coworking",), 10.0).figures
    assert territory_figures(atlas, territory, ("coworking",), 10.0) == expected


def test_commune_figures_add_up_to_their_epci(atlas, basis) -> None:
    epci = territory_by_key(basis.index, "epci:200039642")  # CC Le Tonnerrois en Bourgogne
    epci_figures = territory_figures(atlas, epci, (), 10.0)
    codes = atlas.communes.loc[atlas.communes["epci_siren"] == epci.code, "code_insee"]
    parts = [territory_figures(atlas, territory_by_key(basis.index, f"commune:{c}"), (), 10.0) for c in codes]
    for field in ("population", "population_covered", "n_places", "pvd_total", "pvd_covered", "acv_total"):
        assert sum(getattr(p, field) for p in parts) == getattr(epci_figures, field), field


def test_pvd_commune_profile(atlas, basis) -> None:
    profile = territory_profile(atlas, basis, territory_by_key(basis.index, PVD_COMMUNE), radius_km=10)
    programmes = {p.code: p for p in profile.programmes}
    assert programmes["pvd"].present
    assert programmes["pvd"].text == "Oui"
    assert not programmes["acv"].present
    assert programmes["zrr"].historical
    assert "1er juillet 2024" in programmes["zrr"].note
    assert profile.figures.pvd_total == 1
    assert profile.n_communes == 1
    # Places: those located in Tonnerre at distance 0, the others within 10 km of its outline.
    inside = profile.places[profile.places["inside"]]
    assert (inside["distance_m"] == 0).all()
    assert (inside["code_insee"] == "89418").all()
    assert len(inside) == profile.figures.n_places
    assert (profile.places.loc[~profile.places["inside"], "distance_m"] <= 10_000).all()
    assert list(profile.references["role"][:4]) == ["territoire", "dep", "reg", "national"]
    assert profile.references["label"].iloc[3] == "France métropolitaine"
    assert profile.theme_coverage.index[0] == "tous"
    assert profile.theme_coverage.loc["tous", "share_covered"] == pytest.approx(profile.figures.share_covered)


def test_similar_territories_follow_their_criteria(atlas, basis) -> None:
    territory = territory_by_key(basis.index, PVD_COMMUNE)
    rows, criteria = similar_territories(basis, territory)
    own = basis.territories.loc[territory.key]
    assert 3 <= len(rows) <= 8
    assert territory.key not in rows.index
    assert (rows["level"] == "commune").all()
    assert (rows["density_class"] == own["density_class"]).all()
    assert rows["population"].between(own["population"] / 2, own["population"] * 2).all()
    assert "mêmes programmes (PVD)" in criteria
    assert (rows["programmes"] == "PVD").all()
    profile = territory_profile(atlas, basis, territory, radius_km=10)
    assert list(profile.similar["key"]) == list(rows.index)
    assert profile.similar["share_covered"].between(0, 1).all()
    # The reference is the similar territories taken together (a median of communes covered or not
    # would be 0 or 100 %), and they are all metropolitan like the territory.
    pooled = profile.references.set_index("role").loc["similaires"]
    population = profile.similar["population"].sum()
    covered = (profile.similar["population"] * profile.similar["share_covered"]).sum()
    assert pooled["share_covered"] == pytest.approx(covered / population)
    assert pooled["population"] == population
    assert (basis.territories.loc[list(rows.index), "zone"] == "metro").all()
    assert "en France métropolitaine" in criteria


def test_overseas_territories_are_compared_with_overseas_ones(basis) -> None:
    territory = territory_by_key(basis.index, "commune:97120")  # Pointe-à-Pitre
    rows, criteria = similar_territories(basis, territory)
    assert (basis.territories.loc[list(rows.index), "zone"] != "metro").all()
    assert "outre-mer" in criteria


def test_a_rate_on_few_places_is_cautioned(atlas, basis) -> None:
    profile = territory_profile(atlas, basis, territory_by_key(basis.index, PVD_COMMUNE), radius_km=10)
    items = {label: help_text for label, _, help_text in key_figure_items(profile)}
    assert profile.figures.n_places == 1
    assert "à lire avec prudence" in items["Tiers-lieux pour 100 000 habitants"]


def test_gaps_are_those_of_the_gaps_module(atlas, basis) -> None:
    territory = territory_by_key(basis.index, "dep:34")
    profile = territory_profile(atlas, basis, territory, themes=("fabrication",), radius_km=10)
    expected = priority_gaps(atlas, Scope("metro", "76", "34"), ("fabrication",), 10)
    assert sorted(zip(profile.gaps["programme"], profile.gaps["code"], strict=True)) == sorted(
        zip(expected["programme"], expected["code"], strict=True)
    )
    assert profile.gaps["distance_m"].is_monotonic_decreasing
    assert (profile.gaps["distance_m"] > 10_000).all()


def test_territory_without_place_nor_programme_still_has_a_full_profile(atlas, basis, quiet_key) -> None:
    territory = territory_by_key(basis.index, quiet_key)
    profile = territory_profile(atlas, basis, territory, themes=("alimentation",), radius_km=5)
    assert profile.figures.population > 0
    assert profile.figures.n_places == 0
    assert profile.places.empty
    assert profile.gaps.empty
    assert not any(p.present for p in profile.programmes)
    assert [p.text for p in profile.programmes] == ["Non", "Non", "Aucun", "Aucune", "Non classée"]
    assert profile.figures.share_covered == 0
    items = {label: value for label, value, _ in key_figure_items(profile)}
    assert items["Tiers-lieux dans le territoire"] == "0"
    assert items["Population à moins de 5\u202fkm d'un tiers-lieu"] == "0,0\u202f%"
    assert len(profile.references) >= 4
    assert len(profile.similar) >= 3


def test_drom_reference_is_france_as_a_whole(atlas, basis) -> None:
    profile = territory_profile(atlas, basis, territory_by_key(basis.index, "dep:974"), radius_km=10)
    national = profile.references.set_index("role").loc["national"]
    assert national["label"] == "France entière (métropole et DROM)"
    assert national["population"] == int(atlas.communes["population"].sum())
    assert "reg" not in set(profile.references["role"])  # a DROM is its own région


def test_invalid_parameters(atlas, basis) -> None:
    territory = territory_by_key(basis.index, PVD_COMMUNE)
    with pytest.raises(InvalidParameterError, match="radius_km"):
        territory_profile(atlas, basis, territory, radius_km=0)
    with pytest.raises(InvalidParameterError, match="themes"):
        territory_profile(atlas, basis, territory, themes=("sport",))
    assert math.isfinite(territory_profile(atlas, basis, territory, radius_km=2.5).radius_km)
