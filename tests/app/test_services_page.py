"""AppTest of « Services publics » on the real bundled data: the issue's « done when » questions."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pandas as pd

from geo.analysis.services import double_gaps, france_services_coverage, france_services_gaps
from geo.fmt import fr_number
from geo.io.atlas import Atlas
from geo.territory import Scope
from geo.typologies import CommuneTypes
from tests.app.conftest import open_app

PAGE = "pages/services.py"
RURAL_OCCITANIE = {"reg": "76", "densite": "5,6,7"}


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_france_services_of_rural_pvd_communes_that_could_host_a_tiers_lieu(
    atlas: Atlas, downloads: dict[str, Callable[[], object]]
) -> None:
    at = open_app(PAGE, {**RURAL_OCCITANIE, "commune_programme": "pvd"})
    assert not at.exception
    assert at.selectbox(key="services_programme").value == "pvd"
    scope = Scope("metro", "76", types=CommuneTypes(densite=(5, 6, 7)))
    expected = france_services_gaps(france_services_coverage(atlas, scope, (), 10), programme="pvd")
    table = at.dataframe[0].value
    assert len(table) == len(expected) > 20
    assert table["France services"].tolist() == expected["name"].tolist()
    assert set(table["Programme de la commune"]) <= {"PVD", "ACV, PVD"}
    assert set(table["Densité (INSEE)"]) <= {
        "Bourgs ruraux",
        "Rural à habitat dispersé",
        "Rural à habitat très dispersé",
    }
    assert any("Occitanie (communes rurales)" in c.value for c in at.caption)

    csv = downloads["services_publics_france_services.csv"]().decode("utf-8-sig")
    header = [line for line in csv.splitlines() if line.startswith("# ")]
    assert any("Occitanie (communes rurales)" in line and "10" in line for line in header)
    assert any(line.startswith("# Communes d'accueil : Petites villes de demain") for line in header)
    assert any(line.startswith("# Sources :") and "France services" in line for line in header)
    body = pd.read_csv(io.StringIO(csv), sep=";", decimal=",", comment="#", dtype={"Code INSEE": str})
    assert len(body) == len(expected)
    assert set(body["Code INSEE"]) == set(expected["code_insee"])
    geojson = json.loads(downloads["services_publics_france_services.geojson"]())
    assert len(geojson["features"]) == len(expected)
    sheets = pd.read_excel(io.BytesIO(downloads["services_publics_france_services.xlsx"]()), sheet_name=None)
    assert len(sheets["Données"]) == len(expected)


def test_double_gaps_list_the_rural_communes_far_from_both(atlas: Atlas) -> None:
    at = open_app(PAGE, {"reg": "76", "liste": "double", "rayon_fs": "15"})
    assert not at.exception
    assert at.select_slider(key="services_radius").value == 15
    expected = double_gaps(atlas, Scope("metro", "76"), (), 10, services_radius_km=15)
    metrics = _metrics(at)
    rural = int(((atlas.communes["reg"] == "76") & (atlas.communes["densite_groupe"] == "Rural")).sum())
    assert metrics["Communes rurales loin des deux"] == f"{fr_number(len(expected))} / {fr_number(rural)}"
    table = at.dataframe[0].value
    assert table["Commune"].tolist() == expected["nom"].head(len(table)).tolist()
    assert (table["Distance à la France services la plus proche (km, vol d'oiseau)"] >= 15).all()  # rounded
    assert at.query_params["liste"] == "double"
    assert at.query_params["rayon_fs"] == "15"


def test_a_list_of_one_reads_in_the_singular(atlas: Atlas) -> None:
    """The Cantal has one rural commune far from both at these distances (Le Falgoux)."""
    assert len(double_gaps(atlas, Scope("metro", dep="15"), (), 10, services_radius_km=15)) == 1
    at = open_app(PAGE, {"dep": "15", "liste": "double", "rayon_fs": "15"})
    assert not at.exception
    sentence = next(m.value for m in at.markdown if m.value.startswith("**1**"))
    assert sentence == (
        "**1** commune rurale à plus de 10 km d'un tiers-lieu et de 15 km d'une France services."
    )


def test_programme_hosts_and_the_rural_shortcut() -> None:
    at = open_app(PAGE, {"dep": "12", "liste": "programmes"})
    assert not at.exception
    table = at.dataframe[0].value
    assert {"Commune", "Programme", "France services"} <= set(table.columns)
    assert set(table["Programme"]) <= {"PVD", "ACV", "ACV, PVD"}
    at.button(key="services_rural_only").click().run()
    assert not at.exception
    assert at.multiselect(key="f_densite").value == [5, 6, 7]
    assert at.query_params["densite"] == "5,6,7"
    assert not any(b.key == "services_rural_only" for b in at.button)


def test_the_rural_shortcut_keeps_the_rural_levels_present_overseas() -> None:
    """La Réunion has no commune of the rural levels 6 and 7: the shortcut keeps level 5, rather
    than a selection the sidebar would refuse (and silently empty)."""
    at = open_app(PAGE, {"zone": "974"})
    at.button(key="services_rural_only").click().run()
    assert not at.exception
    assert at.multiselect(key="f_densite").value == [5]
    assert at.query_params["densite"] == "5"


def test_bad_link_values_are_reported_and_defaults_used() -> None:
    at = open_app(PAGE, {"liste": "magique", "commune_programme": "zrr"})
    assert not at.exception
    assert at.radio(key="services_list").value == "france_services"
    assert at.selectbox(key="services_programme").value == "tous"
    assert any("ignorés" in w.value for w in at.warning)


def test_an_empty_list_says_so() -> None:
    # Paris: every France services has a tiers-lieu within 5 km.
    at = open_app(PAGE, {"dep": "75", "rayon": "5"})
    assert not at.exception
    assert any("Aucune France services" in i.value for i in at.info)
    assert not at.dataframe
