"""Territory search: forgiving names, codes, keys, ranked suggestions for unknown or ambiguous queries."""

from __future__ import annotations

import pandas as pd
import pytest

from geo._errors import InvalidParameterError, UnknownTerritoryError
from geo.search import (
    TerritorySearchError,
    resolve_territory,
    search_key,
    search_territories,
    territory_by_key,
    territory_index,
)


def _communes() -> pd.DataFrame:
    rows = [
        (
            "42218",
            "Saint-Étienne",
            "42",
            "Loire",
            "84",
            "Auvergne-Rhône-Alpes",
            "244200770",
            "Saint-Étienne Métropole",
            173_000,
        ),
        (
            "76575",
            "Saint-Étienne-du-Rouvray",
            "76",
            "Seine-Maritime",
            "28",
            "Normandie",
            "200023414",
            "Métropole Rouen Normandie",
            28_000,
        ),
        (
            "05135",
            "Sainte-Colombe",
            "05",
            "Hautes-Alpes",
            "93",
            "Provence-Alpes-Côte d'Azur",
            "200068500",
            "CC du Sisteronais-Buëch",
            50,
        ),
        (
            "17319",
            "Sainte-Colombe",
            "17",
            "Charente-Maritime",
            "75",
            "Nouvelle-Aquitaine",
            "200041614",
            "CC de Haute-Saintonge",
            60,
        ),
        ("11069", "Carcassonne", "11", "Aude", "76", "Occitanie", "200035715", "Carcassonne Agglo", 46_000),
        ("2A004", "Ajaccio", "2A", "Corse-du-Sud", "94", "Corse", "200066749", "CA du Pays Ajaccien", 76_000),
        (
            "77288",
            "Meaux",
            "77",
            "Seine-et-Marne",
            "11",
            "Île-de-France",
            "200072130",
            "CA du Pays de Meaux",
            56_000,
        ),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "code_insee",
            "nom",
            "dep",
            "nom_dep",
            "reg",
            "nom_reg",
            "epci_siren",
            "epci_nom",
            "population",
        ],
    )
    frame["zone"] = "metro"
    return frame


@pytest.fixture(scope="module")
def index() -> pd.DataFrame:
    return territory_index(_communes())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("SAINT-ÉTIENNE", "saint etienne"),
        ("St-Etienne", "saint etienne"),
        ("Ste  Colombe", "sainte colombe"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Œuilly", "oeuilly"),
        ("", ""),
    ],
)
def test_search_key_ignores_case_accents_hyphens_and_abbreviations(text: str, expected: str) -> None:
    assert search_key(text) == expected


def test_index_has_every_level_with_summed_population(index: pd.DataFrame) -> None:
    assert set(index["level"]) == {"commune", "epci", "dep", "reg"}
    assert len(index[index["level"] == "commune"]) == 7
    # Two Sainte-Colombe of different départements and régions; one EPCI each.
    assert index.loc["dep:42", "population"] == 173_000
    assert index.loc["commune:2A004", "label"] == "Ajaccio (commune, 2A)"
    assert index.loc["dep:11", "label"] == "Aude (département 11)"
    assert index.loc["reg:11", "label"] == "Île-de-France (région)"


@pytest.mark.parametrize("query", ["saint etienne", "Saint-Etienne", "ST ÉTIENNE", "saint-étienne", "42218"])
def test_names_and_codes_resolve_to_saint_etienne(index: pd.DataFrame, query: str) -> None:
    territory = resolve_territory(index, query)
    assert territory.key == "commune:42218"
    assert territory.name == "Saint-Étienne"
    assert territory.dep == "42"


def test_keys_codes_and_levels(index: pd.DataFrame) -> None:
    assert resolve_territory(index, "commune:2a004").code == "2A004"
    assert resolve_territory(index, "2a004").key == "commune:2A004"
    assert resolve_territory(index, "Loire").key == "dep:42"
    assert resolve_territory(index, "200035715").key == "epci:200035715"
    assert resolve_territory(index, "Carcassonne", level="epci").key == "epci:200035715"
    # A unique prefix is enough.
    assert resolve_territory(index, "saint etienne du").key == "commune:76575"


def test_ambiguous_name_lists_every_candidate(index: pd.DataFrame) -> None:
    with pytest.raises(TerritorySearchError) as caught:
        resolve_territory(index, "sainte colombe")
    error = caught.value
    assert isinstance(error, UnknownTerritoryError)
    assert error.ambiguous
    assert {c.key for c in error.candidates} == {"commune:05135", "commune:17319"}
    assert "Plusieurs territoires" in str(error)
    assert "Sainte-Colombe (commune, 05)" in str(error)


def test_code_shared_by_a_departement_and_a_region_is_ambiguous(index: pd.DataFrame) -> None:
    with pytest.raises(TerritorySearchError) as caught:
        resolve_territory(index, "11")
    assert {c.key for c in caught.value.candidates} == {"dep:11", "reg:11"}
    assert resolve_territory(index, "dep:11").name == "Aude"


def test_misspelt_name_gets_ranked_suggestions(index: pd.DataFrame) -> None:
    with pytest.raises(TerritorySearchError) as caught:
        resolve_territory(index, "Carcasone")
    error = caught.value
    assert not error.ambiguous
    assert error.candidates[0].name == "Carcassonne"
    assert "Vouliez-vous dire" in str(error)
    assert error.suggestions[0] == error.candidates[0].label


def test_unknown_name_without_anything_close(index: pd.DataFrame) -> None:
    with pytest.raises(TerritorySearchError) as caught:
        resolve_territory(index, "xyzzy")
    assert caught.value.candidates == []
    assert "Territoire inconnu" in str(caught.value)


def test_bad_arguments(index: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="Saisissez"):
        resolve_territory(index, "   ")
    with pytest.raises(InvalidParameterError, match="`level`"):
        search_territories(index, "Meaux", level="canton")
    with pytest.raises(InvalidParameterError, match="`limit`"):
        search_territories(index, "Meaux", limit=0)
    with pytest.raises(InvalidParameterError, match="colonnes"):
        territory_index(_communes().drop(columns="epci_nom"))


def test_search_ranks_exact_before_prefix_before_words(index: pd.DataFrame) -> None:
    found = search_territories(index, "saint etienne")
    assert found.index[0] == "commune:42218"
    assert found["score"].is_monotonic_decreasing
    assert set(found.index) >= {"epci:244200770", "commune:76575"}


def test_territory_by_key_and_scope(index: pd.DataFrame) -> None:
    epci = territory_by_key(index, "epci:200023414")
    assert epci.scope.epci == "200023414"
    assert epci.scope.dep is None  # an EPCI may span départements
    commune = territory_by_key(index, "commune:42218")
    assert (commune.scope.dep, commune.scope.epci) == ("42", "244200770")
    with pytest.raises(TerritorySearchError):
        territory_by_key(index, "commune:99999")


def test_real_data_examples(atlas) -> None:
    index = territory_index(atlas.communes)
    assert resolve_territory(index, "saint etienne").key == "commune:42218"
    assert resolve_territory(index, "herault").key == "dep:34"
    with pytest.raises(TerritorySearchError) as caught:
        resolve_territory(index, "Paris")
    assert {c.level for c in caught.value.candidates} == {"commune", "dep"}
