"""AppTest of « Couverture » on the real bundled data."""

from __future__ import annotations

import json
from collections.abc import Callable

import geopandas as gpd
import numpy as np
from streamlit.testing.v1 import AppTest

from geo.fmt import fr_number, fr_percent
from geo.io.atlas import Atlas
from tests.app.conftest import map_script, open_app

PAGE = "pages/coverage.py"
L93 = "EPSG:2154"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_national_view_has_map_table_and_figures(
    atlas: Atlas, downloads: dict[str, Callable[[], object]]
) -> None:
    at = open_app(PAGE)
    assert not at.exception
    assert at.title[0].value == "Couverture"
    metro = atlas.communes[atlas.communes["zone"] == "metro"]
    metrics = _metrics(at)
    metro_places = atlas.places[atlas.places["zone"] == "metro"]
    assert metrics["Tiers-lieux dans le périmètre"] == fr_number(len(metro_places))
    # One row per département of metropolitan France, sortable numbers (not text).
    table = at.dataframe[0].value
    assert len(table) == metro["dep"].nunique()
    assert table["Tiers-lieux"].sum() == len(metro_places)
    assert table["Population 2023"].sum() == metro["population"].sum()
    assert np.issubdtype(table["Part couverte"].dtype, np.floating)
    script = map_script(at)
    assert "Tiers-lieux / 100 000 hab." in script  # the choropleth legend
    assert any("point représentatif" in c.value for c in at.caption)
    assert any(c.value.startswith("Sources :") for c in at.caption)
    assert {"couverture_dep.csv", "couverture_dep.xlsx", "couverture_dep.geojson"} <= set(downloads)
    geojson = json.loads(downloads["couverture_dep.geojson"]())
    assert len(geojson["features"]) == len(table)
    assert geojson["metadata"]["Échelle"] == "Département"


def test_share_covered_matches_an_independent_computation(atlas: Atlas) -> None:
    at = open_app(PAGE, {"dep": "34", "themes": "fabrication", "rayon": "15"})
    assert not at.exception
    communes = atlas.communes[(atlas.communes["dep"] == "34") & atlas.communes.geometry.notna()]
    places = atlas.places[(atlas.places["zone"] == "metro") & (atlas.places["theme_fabrication"] != "")]
    a = gpd.GeoSeries(communes.geometry, crs=atlas.communes.crs).to_crs(L93)
    b = gpd.GeoSeries(places.geometry, crs=atlas.places.crs).to_crs(L93)
    dx = a.x.to_numpy()[:, None] - b.x.to_numpy()[None, :]
    dy = a.y.to_numpy()[:, None] - b.y.to_numpy()[None, :]
    covered = np.sqrt(dx**2 + dy**2).min(axis=1) <= 15_000
    population = atlas.communes.loc[atlas.communes["dep"] == "34", "population"].sum()
    share = communes.loc[covered, "population"].sum() / population
    assert _metrics(at)["Population à moins de 15 km d'un tiers-lieu"] == fr_percent(share)
    # A commune without a point counts as farther than the distance, as in the table below.
    n_communes = int((atlas.communes["dep"] == "34").sum())
    assert _metrics(at)["Communes sans lieu de fabrication à moins de 15 km"] == (
        f"{fr_number(n_communes - int(covered.sum()))} / {fr_number(n_communes)}"
    )
    uncovered_population = population - communes.loc[covered, "population"].sum()
    assert _metrics(at)["Habitants à plus de 15 km"] == fr_number(int(uncovered_population))


def test_controls_go_to_the_url_and_survive_other_changes(atlas: Atlas) -> None:
    at = open_app(PAGE, {"dep": "34"})
    assert at.selectbox(key="cov_level").options == ["EPCI", "Commune"]
    at.selectbox(key="cov_indicator").set_value("share_covered").run()
    at.selectbox(key="cov_level").set_value("commune").run()
    at.selectbox(key="cov_scheme").set_value("fisher_jenks").run()
    at.multiselect(key="cov_layers").set_value(["pvd", "france_services"]).run()
    assert not at.exception
    params = at.query_params
    assert params["indicateur"] == "share_covered"
    assert params["niveau"] == "commune"
    assert params["classes"] == "fisher_jenks"
    assert params["couches"] == "pvd,france_services"
    # Commune outlines at département scope: one row per commune of the Hérault.
    assert len(at.dataframe[0].value) == int((atlas.communes["dep"] == "34").sum())
    script = map_script(at)
    assert "France services" in script
    assert "Communes Petites villes de demain" in script
    # A radius change keeps every page control.
    at.select_slider(key="f_radius").set_value(20).run()
    assert not at.exception
    assert at.selectbox(key="cov_indicator").value == "share_covered"
    assert at.selectbox(key="cov_level").value == "commune"
    assert at.selectbox(key="cov_scheme").value == "fisher_jenks"
    assert at.multiselect(key="cov_layers").value == ["pvd", "france_services"]
    assert "20 km" in at.selectbox(key="cov_indicator").format_func("share_covered")


def test_link_restores_the_view() -> None:
    at = open_app(
        PAGE,
        {
            "reg": "76",
            "indicateur": "population_uncovered",
            "niveau": "epci",
            "classes": "fisher_jenks",
            "couches": "qpv",
        },
    )
    assert not at.exception
    assert at.selectbox(key="cov_indicator").value == "population_uncovered"
    assert at.selectbox(key="cov_level").value == "epci"
    assert at.selectbox(key="cov_scheme").value == "fisher_jenks"
    assert at.multiselect(key="cov_layers").value == ["qpv"]
    script = map_script(at)
    assert "Quartiers prioritaires (QPV)" in script
    assert "centro" in script  # QPV are hollow markers: approximate location


def test_commune_level_is_refused_for_a_national_link() -> None:
    # Commune outlines are only drawn for a département or smaller.
    at = open_app(PAGE, {"niveau": "commune"})
    assert not at.exception
    assert at.selectbox(key="cov_level").value == "dep"
    assert "Commune" not in at.selectbox(key="cov_level").options
    assert any("niveau=commune" in w.value for w in at.warning)


def test_empty_overlay_is_explained(atlas: Atlas) -> None:
    communes = atlas.communes
    dep = sorted(
        set(communes.loc[communes["zone"] == "metro", "dep"]) - set(communes.loc[communes["acv"], "dep"])
    )[0]
    at = open_app(PAGE, {"dep": dep, "couches": "acv"})
    assert not at.exception
    assert any("Communes Action Cœur de Ville" in i.value for i in at.info)


def test_overseas_zone_offers_commune_outlines(atlas: Atlas) -> None:
    at = open_app(PAGE, {"zone": "974", "niveau": "commune"})
    assert not at.exception
    assert at.selectbox(key="cov_level").value == "commune"
    assert len(at.dataframe[0].value) == int((atlas.communes["zone"] == "974").sum())
