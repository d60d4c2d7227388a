"""Figures of the real bundled data against SOURCES.md and internal consistency."""

from __future__ import annotations

import pandas as pd

from geo.atlas import Atlas


def test_place_counts_per_source_match_sources_md(atlas: Atlas) -> None:
    counts = atlas.places["source"].value_counts()
    # SOURCES.md: 1,512 CGET rows; 382 Fabriques places (one, Saint-Martin 97801, is outside the
    # six zones and listed in rejected_rows.csv); 111 Manufactures places.
    assert counts["cget_2019"] == 1512
    assert counts["anct_fabriques_2024"] == 381
    assert counts["anct_manufactures_2022"] == 111


def test_cget_typologies(atlas: Atlas) -> None:
    cget = atlas.places[atlas.places["source"] == "cget_2019"]
    assert (cget["theme_coworking"] == "typologie").sum() == 1118
    assert (cget["theme_fabrication"] == "typologie").sum() == 345


def test_every_manufacture_is_a_fabrication_place(atlas: Atlas) -> None:
    manufactures = atlas.places[atlas.places["source"] == "anct_manufactures_2022"]
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
