"""The bundled register of places survives a decision-maker's first questions (real data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz
from scipy.spatial import cKDTree

from geo.io.atlas import Atlas, load_commune_polygons
from geo.io.linkage import name_tokens
from geo.io.placement import (
    VERDICT_INCONSISTENT,
    VERDICTS,
    CommuneLocator,
    commune_locator,
    distance_to_communes_m,
)


@pytest.fixture(scope="module")
def locator(atlas: Atlas) -> CommuneLocator:
    return commune_locator(atlas.communes, load_commune_polygons(), atlas.communes_passage)


def _place(atlas: Atlas, record: str) -> pd.Series:
    holding = atlas.places[atlas.places["source_records"].str.split(";").map(lambda ids: record in ids)]
    assert len(holding) == 1, record
    return holding.iloc[0]


def test_no_two_unmerged_places_close_together_with_near_identical_names(atlas: Atlas) -> None:
    places = atlas.places
    xy = places[["x_m", "y_m"]].to_numpy()
    names = [" ".join(name_tokens(n)) for n in places["name"]]
    found = []
    for zone in places["zone"].unique():
        rows = np.flatnonzero((places["zone"] == zone).to_numpy())
        for i, j in cKDTree(xy[rows]).query_pairs(50.0):
            a, b = rows[i], rows[j]
            if names[a] and fuzz.token_sort_ratio(names[a], names[b]) >= 90:
                found.append((places["place_id"].iat[a], places["place_id"].iat[b]))
    assert found == []


def test_known_duplicates_are_one_place_with_every_source(atlas: Atlas) -> None:
    onzieme = _place(atlas, "cget_2019:1509")
    assert "cget_2019:915" in onzieme["source_records"].split(";")
    fabrique = _place(atlas, "anct_fabriques_2024:fabt-47")  # ELECTROLAB, also in the CGET list
    assert fabrique["sources"] == "cget_2019;anct_fabriques_2024"
    assert fabrique["label"] == "Fabrique de territoire"


def test_places_are_counted_where_their_best_evidence_says(atlas: Atlas) -> None:
    sictiam = _place(atlas, "cget_2019:1460")  # address-level point in Sophia Antipolis, code of Calvados
    assert (sictiam["dep"], sictiam["placement"]) == ("06", VERDICT_INCONSISTENT)
    assert "836 km" in sictiam["placement_note"]
    marie_galante = _place(atlas, "anct_manufactures_2022:manuprox-2-103")  # coded Saint-Louis of La Réunion
    assert marie_galante["dep"] == "971"


def test_no_place_far_from_its_commune_unless_flagged(atlas: Atlas, locator: CommuneLocator) -> None:
    places = atlas.places
    distance = distance_to_communes_m(locator, places["lon"], places["lat"], places["code_insee"])
    far = places[(distance > 2_000) & (places["placement"] != VERDICT_INCONSISTENT)]
    assert far.empty, far[["place_id", "code_insee", "placement_note"]]
    assert set(places["placement"]) <= set(VERDICTS)
    assert (places.loc[places["placement"] == VERDICT_INCONSISTENT, "placement_note"] != "").all()
