"""Which commune a name designates, on the real COG 2026 communes, postcodes and former communes."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.io.atlas import Atlas, load_commune_polygons
from geo.io.catalog import DATASETS
from geo.io.commune_lookup import commune_from_name, departement_of_text, region_of_text
from geo.io.datasets import read_dataset
from geo.io.placement import CommuneLocator, commune_locator


@pytest.fixture(scope="module")
def locator(atlas: Atlas) -> CommuneLocator:
    return commune_locator(
        atlas.communes, load_commune_polygons(), atlas.communes_passage, atlas.communes_deleguees
    )


@pytest.mark.parametrize(
    ("name", "postcode", "code", "how"),
    [
        ("FOUGEROLLES", "70220", "70245", "ancienne commune"),  # not Fougerolles in the Indre
        ("Morez", "39400", "39368", "ancienne commune"),  # now Hauts de Bienne
        ("Louhans", "71500", "71263", "nom partiel"),  # Louhans-Châteaurenaud, not Montagny-près-Louhans
        ("Montpelier", "34000", "34172", "nom approché"),
        ("ST-ETIENNE", "42000", "42218", "le nom « ST-ETIENNE » et le code postal 42000"),
        ("Paris 11e", "75011", "75056", "code postal 75011"),
        ("Mans (Le)", "72000", "72181", "code postal 72000"),
        ("Saint-Denis", "97400", "97411", "code postal 97400"),
    ],
)
def test_names_are_read_within_their_postcode(
    locator: CommuneLocator, name: str, postcode: str, code: str, how: str
) -> None:
    match = commune_from_name(locator, name, postcode)
    assert match.code == code, match.how
    assert how in match.how


def test_homonyms_in_two_departements(locator: CommuneLocator) -> None:
    assert commune_from_name(locator, "Fougerolles", "36230").code == "36078"  # the Indre one
    assert commune_from_name(locator, "Fougerolles", "", "70").code == "70245"
    nowhere = commune_from_name(locator, "Fougerolles", "44000")
    assert not nowhere
    assert "absente du code postal 44000" in nowhere.how
    assert "Fougerolles (36078)" in nowhere.how
    assert commune_from_name(locator, "Fougerolles").code == "36078"  # the only current commune of that name
    ambiguous = commune_from_name(locator, "Saint-Martin")
    assert not ambiguous
    assert "ambiguë" in ambiguous.how


def test_names_that_are_not_communes(locator: CommuneLocator) -> None:
    assert (
        commune_from_name(locator, "Atlantide", "99999").how
        == "commune « Atlantide » introuvable dans le code postal 99999"
    )
    assert commune_from_name(locator, "", "34000").how == "code postal seul, sans nom de commune"
    assert not commune_from_name(locator, "Ars", "71500")  # too short to be part of a longer name


def test_departements_and_regions_written_in_any_common_way(locator: CommuneLocator) -> None:
    spellings = [
        "34",
        "Hérault",
        "34 - Hérault",
        "HERAULT",
        "2a",
        "Corse-du-Sud",
        "974",
        "La Réunion",
        "Atlantide",
    ]
    assert [departement_of_text(locator, s) for s in spellings] == [
        "34",
        "34",
        "34",
        "34",
        "2A",
        "2A",
        "974",
        "974",
        "",
    ]
    assert [
        region_of_text(locator, s)
        for s in ["76", "Occitanie", "84 - Auvergne-Rhône-Alpes", "Normandie", "Mars"]
    ] == [
        "76",
        "76",
        "84",
        "28",
        "",
    ]


def test_former_communes_dataset_is_catalogued_and_joins_the_cog() -> None:
    former = read_dataset("communes_deleguees")
    communes = read_dataset("communes")
    assert DATASETS["communes_deleguees"].built_by == "data.build_former_names"
    assert len(former) > 2_000
    assert set(former["code_insee_2026"]) <= set(communes["code_insee"])
    assert set(former["type"]) == {"déléguée", "associée"}
    morez = former[former["nom"] == "Morez"]
    assert morez["code_insee_2026"].tolist() == ["39368"]
    # Names equal to their commune's are left out: they add nothing to the lookup.
    merged = former.merge(
        pd.DataFrame(communes)[["code_insee", "nom"]], left_on="code_insee_2026", right_on="code_insee"
    )
    assert not (merged["nom_x"] == merged["nom_y"]).any()
