"""Commune typologies: every commune classed, the « types de communes » filter, typed scopes."""

from __future__ import annotations

import pandas as pd
import pytest

from geo._errors import DataValidationError, InvalidParameterError
from geo.io.atlas import Atlas
from geo.territory import Scope, scope_label
from geo.typologies import (
    CENTRALITY_LEVELS,
    DENSITY_GROUPS,
    DENSITY_LEVELS,
    MASSIFS,
    NO_MASSIF,
    RURALITY_CLASSES,
    RURALITY_OUT_OF_SCOPE,
    CommuneTypes,
    typologies_from_tables,
    typology_values,
)


def test_every_commune_is_classed_or_explicitly_out_of_scope(atlas: Atlas) -> None:
    communes = atlas.communes
    assert communes["densite_niveau"].between(1, 7).all()
    assert (communes["densite"] == communes["densite_niveau"].map(DENSITY_LEVELS)).all()
    assert (communes["densite_groupe"] == communes["densite_niveau"].map(DENSITY_GROUPS)).all()
    assert communes["centralite"].isin(CENTRALITY_LEVELS.values()).all()
    assert communes["ruralite"].isin(RURALITY_CLASSES.values()).all()
    assert communes["massif"].isin(MASSIFS.values()).all()
    # Undefined classes are said in words, never left empty.
    overseas = communes["zone"] != "metro"
    assert (communes.loc[overseas, "centralite_niveau"] == 0).all()
    assert (communes.loc[overseas, "ruralite"] == RURALITY_OUT_OF_SCOPE).all()
    assert (communes.loc[~overseas, "centralite_niveau"] > 0).all()
    # SOURCES.md counts.
    assert (communes["massif"] != NO_MASSIF).sum() == 8594
    assert communes["densite_niveau"].value_counts()[6] == 18288


def test_places_carry_the_types_of_their_commune(atlas: Atlas) -> None:
    places = atlas.places
    expected = places["code_insee"].map(atlas.communes.set_index("code_insee")["densite_niveau"])
    assert (places["densite_niveau"] == expected).all()
    assert places["massif"].isin(MASSIFS.values()).all()


def _tables(**overrides: list[str]) -> dict[str, pd.DataFrame]:
    values = {
        "densite": ["Bourgs ruraux", " Petites villes"],
        "centralite": [" Communes non centre", "Centre local d'équipements et de services"],
        "ruralite": [" Les ruralités productives agricoles", "Hors champ : DOM ou commune urbaine"],
        "massif": ["02 - Massif du Jura"],
    } | overrides
    return {
        name: pd.DataFrame({"insee_com": ["01001", "01002"][: len(v)], "lib_com": "x", f"niveau_{column}": v})
        for (name, v), column in zip(
            values.items(), ("densite", "centralite", "ruralite", "montagne"), strict=True
        )
    }


def test_typology_tables_are_joined_with_readable_labels() -> None:
    table = typologies_from_tables(_tables(), pd.Series(["01001", "01002", "01003"]))
    assert table["densite_niveau"].tolist() == [5, 4, 0]
    assert table["centralite"].tolist() == [CENTRALITY_LEVELS[5], CENTRALITY_LEVELS[4], CENTRALITY_LEVELS[0]]
    assert table["ruralite"].tolist()[1:] == [RURALITY_OUT_OF_SCOPE, RURALITY_OUT_OF_SCOPE]
    assert table["massif"].tolist() == ["Massif du Jura", NO_MASSIF, NO_MASSIF]


def test_unknown_typology_values_are_all_reported() -> None:
    tables = _tables(ruralite=["Ruralité inventée"], massif=["99 - Massif de Lune"])
    with pytest.raises(DataValidationError) as raised:
        typologies_from_tables(tables, pd.Series(["01001"]))
    assert len(raised.value.problems) == 2
    assert "Ruralité inventée" in str(raised.value)
    assert "Massif de Lune" in str(raised.value)


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "zone": "metro",
            "reg": ["R1", "R1", "R1", "R2"],
            "dep": ["D1", "D1", "D2", "D3"],
            "epci_siren": "E",
            "densite_niveau": [1, 5, 6, 6],
            "centralite_niveau": [1, 4, 5, 4],
            "ruralite": [RURALITY_OUT_OF_SCOPE, *[RURALITY_CLASSES["productives_agricoles"]] * 3],
            "massif": [NO_MASSIF, NO_MASSIF, MASSIFS["jura"], MASSIFS["jura"]],
        }
    )


def test_commune_types_select_by_every_typology_at_once() -> None:
    frame = _frame()
    assert CommuneTypes().mask(frame).all()
    assert CommuneTypes(densite=(5, 6, 7)).mask(frame).tolist() == [False, True, True, True]
    both = CommuneTypes(densite=(6,), centralite=(4,))
    assert both.mask(frame).tolist() == [False, False, False, True]
    assert CommuneTypes(massif=("jura",), ruralite=("productives_agricoles",)).mask(frame).sum() == 2


def test_commune_types_are_normalised_checked_and_described() -> None:
    assert CommuneTypes(densite=(7, 5, 6, 6)) == CommuneTypes(densite=(5, 6, 7))
    assert hash(CommuneTypes(densite=(7, 5))) == hash(CommuneTypes(densite=(5, 7)))
    assert not CommuneTypes()
    assert CommuneTypes(densite=(5, 6, 7)).describe() == "communes rurales"
    assert CommuneTypes(densite=(6,)).describe() == "communes rurales à habitat dispersé"
    assert CommuneTypes(densite=(2, 3, 4, 6), centralite=(4,)).describe() == (
        "communes de densité intermédiaire, communes rurales à habitat dispersé ; centralité : centres locaux"
    )
    assert CommuneTypes(ruralite=("hors_champ",)).describe() == (
        "ruralité : hors champ : commune urbaine ou DOM"
    )
    with pytest.raises(InvalidParameterError) as raised:
        CommuneTypes(densite=(8,), massif=("lune",))
    assert "`densite`" in str(raised.value)
    assert "`massif`" in str(raised.value)
    with pytest.raises(InvalidParameterError, match="colonnes absentes"):
        CommuneTypes(densite=(1,)).mask(pd.DataFrame({"zone": ["metro"]}))


def test_a_typed_scope_selects_communes_and_says_so(atlas: Atlas) -> None:
    rural = CommuneTypes(densite=(5, 6, 7))
    scope = Scope("metro", "76", types=rural)
    communes = atlas.communes
    selected = communes[scope.mask(communes)]
    assert (selected["densite_groupe"] == "Rural").all()
    assert len(selected) == int(((communes["reg"] == "76") & (communes["densite_groupe"] == "Rural")).sum())
    assert scope.level == "reg"
    assert scope.territory == Scope("metro", "76")
    assert not scope.whole_zone
    assert not Scope("metro", types=rural).whole_zone
    assert Scope("metro").whole_zone
    assert scope_label(scope, communes) == "Occitanie (communes rurales)"
    places = atlas.places[scope.mask(atlas.places)]
    assert places["code_insee"].isin(set(selected["code_insee"])).all()


def test_filter_choices_are_those_present_in_the_zone(atlas: Atlas) -> None:
    metro = typology_values(atlas.communes, "metro")
    assert metro["densite"] == [1, 2, 3, 4, 5, 6, 7]
    assert 0 not in metro["centralite"]
    assert "reunion" not in metro["massif"]
    reunion = typology_values(atlas.communes, "974")
    assert reunion["centralite"] == [0]
    assert reunion["ruralite"] == ["hors_champ"]
    assert reunion["massif"] == ["reunion"]  # all 24 communes are in the massif des Hauts
    assert typology_values(atlas.communes, "971")["massif"] == ["guadeloupe", "hors_massif"]
