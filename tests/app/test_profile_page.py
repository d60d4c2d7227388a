"""AppTest of the « Fiche territoire » page: search, URL, presentation mode, same figures as the pack."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from geo.analysis.profile import key_figure_items, profile_basis, territory_profile
from geo.io.atlas import load_atlas, load_commune_polygons
from geo.render.briefing import briefing_pack, essentials
from geo.search import territory_by_key
from tests.app.conftest import open_app
from tests.conftest import ROOT

PAGE = "pages/profile.py"
IMPORTS = ROOT / "tests" / "fixtures" / "import"
SPACES = re.compile(r"[\s\u202f\u00a0]+")


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_figures_are_the_pack_figures() -> None:
    at = open_app(PAGE, {"territoire": "commune:89418", "themes": "coworking", "rayon": "20"})
    assert not at.exception
    assert at.header[0].value == "Tonnerre"
    shown = _metrics(at)
    atlas = load_atlas()
    basis = profile_basis(atlas, load_commune_polygons())
    profile = territory_profile(
        atlas, basis, territory_by_key(basis.index, "commune:89418"), themes=("coworking",), radius_km=20
    )
    expected = {label: value for label, value, _ in key_figure_items(profile)}
    assert shown == expected
    assert shown["Population (2023)"] == "4\u202f261"
    pdf = PdfReader(io.BytesIO(briefing_pack(basis, profile).pdf))
    text = SPACES.sub(" ", "\n".join(page.extract_text() for page in pdf.pages))
    for value in shown.values():
        assert SPACES.sub(" ", value) in text
    assert any("Sources" in c.value for c in at.caption)


def test_search_by_name_without_accents_updates_the_url() -> None:
    at = open_app(PAGE)
    assert any("Recherchez" in i.value for i in at.info)
    at.text_input(key="profile_search").input("saint etienne").run()
    assert not at.exception
    assert at.header[0].value == "Saint-Étienne"
    assert at.query_params["territoire"] == "commune:42218"
    assert "Population (2023)" in _metrics(at)


def test_ambiguous_name_offers_suggestions() -> None:
    at = open_app(PAGE)
    at.text_input(key="profile_search").input("Sainte Colombe").run()
    assert not at.exception
    assert any("Plusieurs territoires" in w.value for w in at.warning)
    suggestion = at.button(key="profile_suggestion_0")
    assert suggestion.label.startswith("Sainte-Colombe (commune, ")
    suggestion.click().run()
    assert at.header[0].value == "Sainte-Colombe"
    assert not at.warning


def test_unknown_territory_in_the_url_is_an_error_message() -> None:
    at = open_app(PAGE, {"territoire": "commune:99999"})
    assert not at.exception
    assert any("Territoire inconnu" in e.value for e in at.error)


def test_misspelt_search_suggests_close_names() -> None:
    at = open_app(PAGE)
    at.text_input(key="profile_search").input("Montpelier").run()
    assert any("Vouliez-vous dire" in w.value for w in at.warning)
    assert at.button(key="profile_suggestion_0").label == "Montpellier (commune, 34)"


def test_presentation_mode_hides_the_controls_and_has_a_way_back() -> None:
    at = open_app(PAGE, {"territoire": "dep:34", "presentation": "1"})
    assert not at.exception
    assert at.title[0].value == "Hérault"
    assert len(at.text_input) == 0
    # The sidebar (and its « communes rurales » shortcut) is hidden: only the way back is offered.
    assert [b.key for b in at.main.button] == ["profile_exit_presentation"]
    assert at.button(key="profile_exit_presentation").label == "Quitter le mode présentation"
    assert any('[data-testid="stSidebar"]' in m.value for m in at.markdown)
    assert _metrics(at)["Tiers-lieux dans le territoire"] == "41"  # 42 rows: « Sète en commun » listed twice
    assert at.query_params["presentation"] == "1"
    assert any("aucune liste importée dans cette session" in c.value for c in at.caption)
    at.button(key="profile_exit_presentation").click().run()
    assert not at.exception
    assert at.header[0].value == "Hérault"
    assert len(at.text_input(key="profile_search").value) == 0
    assert "presentation" not in at.query_params
    assert not any('[data-testid="stSidebar"]' in m.value for m in at.markdown)


def test_presentation_mode_keeps_the_list_imported_in_the_session() -> None:
    at = open_app("pages/data.py")
    upload = (
        "reseau_occitanie_cp1252.csv",
        (IMPORTS / "reseau_occitanie_cp1252.csv").read_bytes(),
        "text/csv",
    )
    at.file_uploader(key="data_upload").set_value([upload]).run()
    at.radio(key="data_mode").set_value("Remplacer la liste intégrée").run()  # the default adds to it
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    at.switch_page(PAGE).run()
    at.text_input(key="profile_search").input("Hérault").run()
    assert at.header[0].value == "Hérault"
    imported = _metrics(at)["Tiers-lieux dans le territoire"]
    assert imported != "41"  # the import replaced the bundled list
    at.button(key="profile_enter_presentation").click().run()
    assert not at.exception
    assert at.title[0].value == "Hérault"
    assert at.query_params["presentation"] == "1"
    assert _metrics(at)["Tiers-lieux dans le territoire"] == imported
    assert any("importée dans cette session : Import : reseau_occitanie" in c.value for c in at.caption)


def test_page_opens_on_the_essentials_of_the_pack() -> None:
    at = open_app(PAGE, {"territoire": "commune:89418"})
    assert not at.exception
    assert at.subheader[0].value == "L'essentiel"
    atlas = load_atlas()
    basis = profile_basis(atlas, load_commune_polygons())
    profile = territory_profile(atlas, basis, territory_by_key(basis.index, "commune:89418"))
    shown = " ".join(m.value for m in at.markdown)
    for finding in essentials(profile):
        assert finding.sentence in shown
    assert any("Tirets : 10\u202fkm autour du territoire" in c.value for c in at.caption)


def test_sidebar_scope_is_the_default_territory() -> None:
    at = open_app(PAGE, {"dep": "34"})
    assert not at.exception
    assert at.header[0].value == "Hérault"


def test_territory_without_place_nor_programme() -> None:
    at = open_app(PAGE, {"territoire": "commune:01001", "themes": "alimentation", "rayon": "1"})
    assert not at.exception
    assert _metrics(at)["Tiers-lieux dans le territoire"] == "0"
    assert any("Aucun tiers-lieu" in i.value for i in at.info)


def test_commune_without_outline_gets_a_profile_and_a_map() -> None:
    at = open_app(PAGE, {"territoire": "commune:14666", "themes": "alimentation", "rayon": "1"})
    assert not at.exception
    assert at.header[0].value == "Sannerville"
    assert _metrics(at)["Densité"] == "inconnue"
    assert len(at.get("component_instance")) == 1  # the map


def test_an_ambiguous_search_does_not_leave_the_previous_sheet_on_screen() -> None:
    at = open_app(PAGE, {"territoire": "dep:34"})
    assert at.metric
    at.text_input(key="profile_search").input("Saint-Louis").run()
    assert not at.exception
    assert any(w.value for w in at.warning)
    assert not at.metric  # no figures of the previous territory (Hérault) under the suggestions
    at.button(key="profile_suggestion_0").click().run()
    assert not at.exception
    assert at.metric
