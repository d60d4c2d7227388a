"""Figures of the real bundled data against SOURCES.md and internal consistency."""

from __future__ import annotations

import pandas as pd

from geo.io.atlas import Atlas
from geo.io.catalog import BUNDLED_DIR
from geo.io.datasets import read_dataset, read_linkage_decisions
from geo.io.linkage import DECISION_MERGED, DECISION_REVIEW


def test_place_counts_per_source_match_sources_md(atlas: Atlas) -> None:
    # Every source record is kept, alone or inside a merged place.
    records = atlas.places["source_records"].str.split(";").explode()
    counts = records.str.split(":").str[0].value_counts()
    # SOURCES.md: 1,512 CGET rows; 382 Fabriques places (one, Saint-Martin 97801, is outside the
    # six zones and listed in rejected_rows.csv); 111 Manufactures places.
    assert counts["cget_2019"] == 1512
    assert counts["anct_fabriques_2024"] == 381
    assert counts["anct_manufactures_2022"] == 111
    assert records.is_unique


def test_merged_places_match_the_decisions_file() -> None:
    decisions = read_linkage_decisions(BUNDLED_DIR)
    places = read_dataset("places", data_dir=BUNDLED_DIR)
    merged_pairs = decisions[decisions["decision"] == DECISION_MERGED]
    records = places["source_records"].str.split(";")
    # Each group of n records was merged through at least n - 1 pairs.
    assert len(merged_pairs) >= int((records.str.len() - 1).sum()) > 50
    assert not (decisions["decision"] == DECISION_REVIEW).any(), (
        "paires à vérifier : compléter les exceptions"
    )
    together = {frozenset(r) for r in records if len(r) > 1}
    for a, b in zip(merged_pairs["place_id_a"], merged_pairs["place_id_b"], strict=True):
        assert any({a, b} <= group for group in together), (a, b)


def test_cget_typologies(atlas: Atlas) -> None:
    # 1,118 coworking and 345 fablab rows in the raw list; a place merging two of them counts once.
    holds_cget = atlas.places["sources"].str.contains("cget_2019")
    cget = atlas.places[holds_cget]
    assert 1_100 <= (cget["theme_coworking"] == "typologie").sum() <= 1118
    assert 340 <= (cget["theme_fabrication"] == "typologie").sum() <= 345


def test_every_manufacture_is_a_fabrication_place(atlas: Atlas) -> None:
    manufactures = atlas.places[atlas.places["sources"].str.contains("anct_manufactures_2022")]
    assert (manufactures["theme_fabrication"] != "").all()


def test_commune_populations_sum_to_departement_populations(atlas: Atlas) -> None:
    by_dep = atlas.communes.groupby("dep")["population"].sum()
    deps = atlas.departements.set_index("dep")["population"]
    assert len(deps) == 101
    pd.testing.assert_series_equal(
        by_dep.reindex(deps.index).astype("int64"), deps.astype("int64"), check_names=False
    )


def test_programme_counts(atlas: Atlas) -> None:
    assert atlas.communes["acv"].sum() == 244
    assert atlas.communes["pvd"].sum() == 1606
    assert len(atlas.qpv) == 1493
    assert len(atlas.france_services) == 2843


def test_insee_codes_are_strings(atlas: Atlas) -> None:
    assert atlas.communes["code_insee"].str.len().eq(5).all()
    assert "2A004" in set(atlas.communes["code_insee"])
    assert atlas.places["code_insee"].map(type).eq(str).all()
