"""AppTest of the « types de communes » filter and the « par type de territoire » sections."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import pytest

from geo.analysis.indicators import scope_coverage
from geo.analysis.typology_coverage import typology_coverage
from geo.fmt import fr_number, fr_percent
from geo.io.atlas import Atlas
from geo.territory import Scope
from geo.typologies import CommuneTypes
from tests.app.conftest import open_app
from ui.after_map import MAP_DRAWN_KEY

SCOPE_PAGES = ["pages/overview.py", "pages/gaps.py", "pages/themes.py", "pages/profile.py"]
"""Scope pages without a typed test of their own (Couverture, Services publics and the Simulateur
have one, below and in their files)."""


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", SCOPE_PAGES)
def test_every_scope_page_takes_the_typology_filter_from_the_link(page: str) -> None:
    at = open_app(page, {"dep": "15", "densite": "6,7", "centralite": "5"})
    assert not at.exception
    assert at.multiselect(key="f_densite").value == [6, 7]
    assert at.multiselect(key="f_centralite").value == [5]
    assert at.query_params["densite"] == "6,7"
    if page != "pages/profile.py":
        assert any("Cantal (15) (communes rurales à habitat dispersé" in c.value for c in at.caption), page
    else:
        assert any("ne s'applique pas à la fiche" in c.value for c in at.caption)


def test_overview_figures_follow_the_filter(atlas: Atlas) -> None:
    at = open_app("pages/overview.py", {"reg": "53", "densite": "5,6,7"})
    assert not at.exception
    scope = Scope("metro", "53", types=CommuneTypes(densite=(5, 6, 7)))
    rural_places = atlas.places[scope.mask(atlas.places)]
    communes = atlas.communes[(atlas.communes["reg"] == "53") & (atlas.communes["densite_groupe"] == "Rural")]
    assert rural_places["code_insee"].isin(set(communes["code_insee"])).all()
    metrics = _metrics(at)
    assert metrics["Tiers-lieux dans le périmètre"] == fr_number(len(rural_places))
    assert metrics["Tiers-lieux situés en commune rurale"] == fr_percent(1.0)
    # Choosing other types in the sidebar reruns the page with them, and the link follows.
    at.multiselect(key="f_densite").set_value([1]).run()
    assert not at.exception
    assert at.query_params["densite"] == "1"
    assert _metrics(at)["Tiers-lieux situés en commune rurale"] == fr_percent(0.0)  # big towns only
    at.multiselect(key="f_densite").set_value([]).run()
    assert "densite" not in at.query_params


def test_overview_shows_the_rural_share_beside_its_definition(atlas: Atlas) -> None:
    at = open_app("pages/overview.py", {"reg": "76"})
    assert not at.exception
    rural = typology_coverage(scope_coverage(atlas, Scope("metro", "76"), (), 10)).rural
    metrics = _metrics(at)
    assert metrics["Habitants ruraux à plus de 10 km d'un tiers-lieu"] == fr_percent(
        rural.share_rural_uncovered
    )
    assert metrics["Tiers-lieux situés en commune rurale"] == fr_percent(rural.share_places_rural)
    assert any(c.value.startswith("Rural : communes rurales au sens de l'INSEE") for c in at.caption)
    density = next(d.value for d in at.dataframe if "Type de communes" in d.value.columns)
    assert density["Type de communes"].tolist()[-4:] == [
        "Total urbain dense",
        "Total intermédiaire",
        "Total rural",
        "Ensemble",
    ]


def test_a_section_held_back_under_the_map_keeps_its_part_of_the_link() -> None:
    """Couverture opened from a link: « par type de territoire » waits for the map, and its
    typology stays in the link until it is drawn, then is used."""
    at = open_app("pages/coverage.py", {"reg": "27", "typologie": "massif"}, map_drawn=False)
    assert not at.exception
    assert "cov_typology" not in [s.key for s in at.selectbox]
    assert at.query_params["typologie"] == "massif"
    at.session_state[MAP_DRAWN_KEY] = True  # what the map's frame reports once painted
    at.run()
    assert not at.exception
    assert at.selectbox(key="cov_typology").value == "massif"
    assert at.query_params["typologie"] == "massif"


def test_coverage_page_exports_the_rural_answer(
    atlas: Atlas, downloads: dict[str, Callable[[], object]]
) -> None:
    at = open_app("pages/coverage.py", {"reg": "27"})
    assert not at.exception
    at.selectbox(key="cov_typology").set_value("massif").run()
    assert not at.exception
    assert at.query_params["typologie"] == "massif"
    table = next(d.value for d in at.dataframe if "Type de communes" in d.value.columns)
    assert table["Type de communes"].iloc[-1] == "Ensemble des communes rurales"
    assert "Massif du Jura" in set(table["Type de communes"])
    rural = typology_coverage(scope_coverage(atlas, Scope("metro", "27"), (), 10)).rural
    assert table["Population 2023"].iloc[-1] == rural.rural_population
    assert table["Population 2023"].iloc[:-1].sum() == rural.rural_population
    csv = downloads["couverture_par_type_massif.csv"]().decode("utf-8-sig")
    header = [line for line in csv.splitlines() if line.startswith("# ")]
    assert any(
        line.startswith("# Définition du rural : communes rurales au sens de l'INSEE") for line in header
    )
    assert any(
        line.startswith("# Habitants ruraux à plus de la distance")
        and fr_number(rural.rural_population_uncovered) in line
        for line in header
    )
    body = pd.read_csv(io.StringIO(csv), sep=";", decimal=",", comment="#")
    assert int(body["Population 2023"].iloc[-1]) == rural.rural_population


def test_profile_shows_its_types(atlas: Atlas) -> None:
    at = open_app("pages/profile.py", {"territoire": "dep:23"})
    assert not at.exception
    assert "Habitants ruraux à plus de 10 km d'un tiers-lieu" in _metrics(at)
    assert any("Type de communes" in d.value.columns for d in at.dataframe)
    commune = open_app("pages/profile.py", {"territoire": "commune:97304"})
    assert not commune.exception
    types = next(d.value for d in commune.table if "Typologie" in d.value.columns)
    point = types.set_index("Typologie").loc["Point représentatif de la commune", "Classe"]
    assert "28,2" in point


def test_unknown_typology_values_in_a_link_are_reported() -> None:
    at = open_app(None, {"densite": "9", "massif": "lune"})  # the default page: one run
    assert not at.exception
    assert at.multiselect(key="f_densite").value == []
    assert any("densite=9" in w.value and "massif=lune" in w.value for w in at.warning)


def test_a_selection_with_no_commune_says_what_to_do() -> None:
    at = open_app("pages/coverage.py", {"dep": "48", "densite": "1"})  # no big city in Lozère
    assert not at.exception
    assert any("Aucune commune de ces types" in i.value for i in at.info)
