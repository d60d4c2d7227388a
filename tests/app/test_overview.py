"""AppTest of the shell and the overview page on the real bundled data."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
import streamlit_folium

import geo.render.mapviews
from tests.app.conftest import map_script, open_app
from tests.conftest import ROOT
from ui.after_map import CHART_AFTER_MAP, MAP_DRAWN_KEY, REST_AFTER_MAP
from ui.assets import map_frame_assets
from ui.data import _shared_maps


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_national_figures() -> None:
    at = open_app()
    assert not at.exception
    metrics = _metrics(at)
    # 1,976 source rows in metropolitan France, 66 of them duplicates merged (data/linkage_decisions.csv).
    assert metrics["Tiers-lieux dans le périmètre"] == "1\u202f910"
    assert metrics["Communes Action Cœur de Ville couvertes"].endswith("/ 228")
    assert at.title[0].value == "Vue d'ensemble"
    assert any("Sources" in c.value for c in at.caption)


def test_map_sends_each_border_once() -> None:
    # Nationally the choropleth draws the départements: no second, outline-only copy of them
    # (features without properties). In a région, its départements outline the EPCI.
    outline_only = '"properties":{},"geometry":{"type":"'
    assert map_script(open_app()).count(outline_only) == 0
    assert map_script(open_app(query={"reg": "76"})).count(outline_only) == 13


def test_a_restarted_server_sends_the_map_it_served_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATLAS_CACHE_DIR", str(tmp_path))
    _shared_maps.clear()
    served = map_script(open_app(query={"reg": "84"}))
    assert len(list((tmp_path / "maps").glob("*.pickle"))) == 1

    def not_built_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("map built again")

    _shared_maps.clear()  # what a restart forgets
    monkeypatch.setattr(geo.render.mapviews, "indicator_map", not_built_again)
    at = open_app(query={"reg": "84"})
    assert not at.exception
    assert map_script(at) == served


def test_what_the_first_map_frame_loads_is_named_after_installed_files() -> None:
    # Streamlit's component chunk and streamlit-folium's script carry a digest in their names.
    assets = map_frame_assets()
    assert (Path(st.__file__).parent / "static" / str(assets["module"])).is_file()
    files = assets["files"]
    component = Path(streamlit_folium.__file__).parent / "frontend" / "build"
    assert (component / files[0].removeprefix("component/ui.assets.map_frame/")).is_file()
    assert all((ROOT / "static" / f.removeprefix("app/static/")).is_file() for f in files[1:])
    assert any("__atlasMapFrameAssets" in html.proto.body for html in open_app().get("html"))


def test_region_selection_narrows_scope_and_updates_url() -> None:
    at = open_app()
    at.selectbox(key="f_reg").select("76").run()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["Tiers-lieux dans le périmètre"] == "214"  # 226 rows, 12 duplicates merged
    assert at.query_params["reg"] == "76"
    assert "Occitanie" in at.caption[0].value


def test_query_params_restore_the_view() -> None:
    at = open_app(query={"zone": "metro", "dep": "34", "themes": "fabrication", "rayon": "15"})
    assert not at.exception
    assert at.selectbox(key="f_dep").value == "34"
    assert at.multiselect(key="f_themes").value == ["fabrication"]
    assert at.select_slider(key="f_radius").value == 15
    assert "Hérault (34)" in at.caption[0].value


def test_unknown_query_values_are_reported_not_fatal() -> None:
    at = open_app(query={"zone": "atlantide", "rayon": "7"})
    assert not at.exception
    assert at.selectbox(key="f_zone").value == "metro"
    assert any("ignorés" in w.value for w in at.warning)


def test_scope_without_places_shows_a_message() -> None:
    # Mayotte has no food place in the bundled lists.
    at = open_app(query={"zone": "976", "themes": "alimentation"})
    assert not at.exception
    assert _metrics(at)["Tiers-lieux dans le périmètre"] == "0"
    assert any("Aucun tiers-lieu" in i.value for i in at.info)


def test_changing_one_control_keeps_the_others() -> None:
    at = open_app(query={"themes": "coworking", "rayon": "20"})
    at.selectbox(key="f_reg").select("53").run()
    assert at.multiselect(key="f_themes").value == ["coworking"]
    assert at.select_slider(key="f_radius").value == 20


def test_drom_zone() -> None:
    at = open_app(query={"zone": "974"})
    assert not at.exception
    # 11 rows: Runfablab and Solidarnum are one place, a Manufacture of Marie-Galante was coded in La Réunion.
    assert _metrics(at)["Tiers-lieux dans le périmètre"] == "9"


def test_a_departement_outside_the_region_is_explained() -> None:
    at = open_app(query={"reg": "76", "dep": "75"})
    assert not at.exception
    warning = next(w.value for w in at.warning if "ignorés" in w.value)
    assert "dep=75 (hors de la région choisie)" in warning
    assert "inconnue" not in warning


def test_the_link_holds_the_shared_filters_and_the_page_own_widgets_only() -> None:
    at = open_app(page="pages/coverage.py", query={"reg": "76"})
    assert not at.exception
    assert "niveau" in at.query_params or "indicateur" in at.query_params
    at.switch_page("pages/gaps.py").run()
    assert not at.exception
    assert at.query_params["reg"] == "76"
    for coverage_param in ("indicateur", "niveau", "classes"):
        assert coverage_param not in at.query_params


def test_what_is_under_the_map_waits_for_it_to_be_drawn() -> None:
    """The first page a visitor opens shows its map before its tables and the chart library."""
    at = open_app(map_drawn=False)
    assert not at.exception
    assert not at.get("plotly_chart")
    assert [c.value for c in at.caption if c.value == REST_AFTER_MAP] == [REST_AFTER_MAP]
    assert len(at.metric) == 6  # the key figures above the map are there
    assert not at.dataframe
    at.session_state[MAP_DRAWN_KEY] = True  # what the map's frame reports once painted
    at.run()
    assert len(at.get("plotly_chart")) == 2  # the coverage chart and the chart by type of territory
    assert any(c.value.startswith("En bref :") for c in at.caption)  # with their text alternative
    assert at.dataframe
    assert not [c for c in at.caption if c.value in (REST_AFTER_MAP, CHART_AFTER_MAP)]
