"""Coverage by type of territory: hand-made sums, and tables that add up to the scope on real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo._errors import InvalidParameterError
from geo.analysis.indicators import scope_coverage
from geo.analysis.typology_coverage import (
    DIMENSIONS,
    commune_types_table,
    coverage_by_type,
    density_groups,
    rural_figures,
    typology_coverage,
    typology_table,
)
from geo.io.atlas import Atlas
from geo.territory import Scope
from geo.typologies import CENTRALITY_LEVELS, DENSITY_LEVELS, MASSIFS, RURALITY_CLASSES, CommuneTypes

RURAL_CLASS = RURALITY_CLASSES["productives_agricoles"]


def _communes() -> pd.DataFrame:
    """A town (level 1), a small town (4), two rural communes (5, 6), one rural without point (7)."""
    rows = [
        ("C1", 1, "Urbain dense", 1, RURALITY_CLASSES["hors_champ"], MASSIFS["hors_massif"], 50_000),
        ("C2", 4, "Intermédiaire", 3, RURALITY_CLASSES["hors_champ"], MASSIFS["hors_massif"], 8_000),
        ("C3", 5, "Rural", 4, RURAL_CLASS, MASSIFS["jura"], 2_000),
        ("C4", 6, "Rural", 5, RURAL_CLASS, MASSIFS["hors_massif"], 500),
        ("C5", 7, "Rural", 5, RURALITY_CLASSES["polarites_mixtes"], MASSIFS["jura"], 100),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "code_insee",
            "densite_niveau",
            "densite_groupe",
            "centralite_niveau",
            "ruralite",
            "massif",
            "population",
        ],
    )
    frame["densite"] = frame["densite_niveau"].map(DENSITY_LEVELS)
    frame["centralite"] = frame["centralite_niveau"].map(CENTRALITY_LEVELS)
    return frame


COVERED = pd.DataFrame({"covered": [True, True, True, False, False]})
PLACES = pd.DataFrame({"code_insee": ["C1", "C1", "C1", "C2", "C3"]})


def test_density_levels_sum_people_and_places_per_class() -> None:
    table = coverage_by_type(_communes(), COVERED, PLACES, "densite").set_index("classe")
    assert table["population"].tolist() == [50_000, 8_000, 2_000, 500, 100]
    assert table.loc["Bourgs ruraux", "places"] == 1
    assert table.loc["Grands centres urbains", "places_per_100k"] == pytest.approx(6.0)
    assert table.loc["Rural à habitat dispersé", "population_uncovered"] == 500
    assert table.loc["Rural à habitat dispersé", "share_covered"] == 0
    assert table.loc["Petites villes", "groupe"] == "Intermédiaire"
    assert table["share_population"].sum() == pytest.approx(1.0)
    groups = density_groups(table.reset_index()).set_index("classe")
    assert groups.loc["Rural", "population"] == 2_600
    assert groups.loc["Rural", "population_covered"] == 2_000
    assert groups.loc["Rural", "communes_uncovered"] == 2
    assert groups.loc["Rural", "places"] == 1


def test_rural_only_typologies_group_the_rural_communes() -> None:
    rurality = coverage_by_type(_communes(), COVERED, PLACES, "ruralite").set_index("classe")
    assert rurality["population"].to_dict() == {RURAL_CLASS: 2_500, RURALITY_CLASSES["polarites_mixtes"]: 100}
    assert rurality["places"].sum() == 1  # the town's places are not in a rural commune
    massif = coverage_by_type(_communes(), COVERED, PLACES, "massif").set_index("classe")
    assert list(massif.index) == [MASSIFS["jura"], MASSIFS["hors_massif"]]  # display order
    assert massif.loc[MASSIFS["jura"], "population"] == 2_100


def test_rural_figures_answer_the_share_of_rural_inhabitants_far_away() -> None:
    rural = rural_figures(_communes(), COVERED, PLACES)
    assert rural.rural_population == 2_600
    assert rural.rural_population_uncovered == 600
    assert rural.share_rural_uncovered == pytest.approx(600 / 2_600)
    assert rural.share_places_rural == pytest.approx(1 / 5)
    assert rural.share_population_rural == pytest.approx(2_600 / 60_600)
    assert "INSEE" in rural.definition


def test_unknown_dimension_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="`dimension`"):
        coverage_by_type(_communes(), COVERED, PLACES, "climat")


SCOPES = [
    Scope("metro"),
    Scope("metro", "76"),
    Scope("metro", dep="50"),
    Scope("973"),
    Scope("metro", epci="200066637"),
    Scope("metro", "84", types=CommuneTypes(densite=(6, 7))),
    Scope("metro", types=CommuneTypes(massif=("alpes",))),
]


@pytest.mark.parametrize("scope", SCOPES, ids=str)
def test_typology_tables_sum_to_the_scope_totals(atlas: Atlas, scope: Scope) -> None:
    result = scope_coverage(atlas, scope, (), 10)
    figures = result.figures
    types = typology_coverage(result)
    rural = result.communes["densite_groupe"] == "Rural"
    rural_population = int(result.communes.loc[rural, "population"].sum())
    for code, spec in DIMENSIONS.items():
        table = types.tables[code]
        if spec.rural_only:
            assert table["population"].sum() == rural_population, code
            assert table["population"].sum() == types.rural.rural_population
            assert table["population_covered"].sum() == types.rural.rural_population_covered
            assert table["places"].sum() == types.rural.rural_places
            assert table["communes"].sum() == types.rural.rural_communes
        else:
            assert table["population"].sum() == figures.population, code
            assert table["population_covered"].sum() == figures.population_covered, code
            assert table["places"].sum() == figures.n_places, code
            assert table["communes"].sum() == figures.communes, code
            assert table["communes_uncovered"].sum() == figures.communes_uncovered, code
    groups = density_groups(types.tables["densite"])
    assert groups["population"].sum() == figures.population
    shown = typology_table(types, "densite", radius_label="10 km").set_index("Type de communes")
    assert shown.loc["Ensemble", "Population 2023"] == figures.population
    assert shown.loc["Ensemble", "Part à moins de 10 km"] == pytest.approx(figures.share_covered)
    if rural_population:
        assert shown.loc["Total rural", "Part à plus de 10 km"] == pytest.approx(
            types.rural.share_rural_uncovered
        )


def test_rural_share_in_occitanie_is_independent_of_the_kernel(atlas: Atlas) -> None:
    """The « done when » figure, recomputed from the geometries with GeoPandas."""
    result = scope_coverage(atlas, Scope("metro", "76"), (), 10)
    rural = typology_coverage(result).rural
    communes = atlas.communes[(atlas.communes["reg"] == "76") & (atlas.communes["densite_groupe"] == "Rural")]
    places = atlas.places[atlas.places["zone"] == "metro"].to_crs("EPSG:2154")
    points = communes[communes.geometry.notna()].to_crs("EPSG:2154")
    x, y = places.geometry.x.to_numpy(), places.geometry.y.to_numpy()
    nearest = np.array([np.hypot(x - p.x, y - p.y).min() for p in points.geometry])
    far = int(points.loc[nearest > 10_000, "population"].sum()) + int(
        communes.loc[communes.geometry.isna(), "population"].sum()
    )
    assert rural.rural_population == int(communes["population"].sum())
    assert rural.rural_population_uncovered == far
    assert 0.4 < rural.share_rural_uncovered < 0.7


def test_a_commune_lists_its_types_and_its_point(atlas: Atlas) -> None:
    table = commune_types_table(atlas.communes, "97311").set_index("Typologie")
    assert table.loc["Point représentatif de la commune", "Classe"].startswith("approximatif : point à 58,8")
    # Not flagged is not « near known addresses » when the commune has none: say what is known.
    point = {
        code: commune_types_table(atlas.communes, code).set_index("Typologie").iloc[-1]["Classe"]
        for code in ("01001", "34172")
    }
    assert point["01001"].startswith("aucune adresse connue ; la commune s'étend à 3,9")
    assert point["34172"].startswith("à 0,0\u202fkm de l'adresse connue la plus proche")
    assert table.loc["Typologie des ruralités", "Classe"] == "commune non rurale"
    with pytest.raises(InvalidParameterError, match="99999"):
        commune_types_table(atlas.communes, "99999")
