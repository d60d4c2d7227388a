"""AppTest of the « Thématiques » page on the real bundled data.

Expected values are computed with ``geo`` on the same data, never typed in by hand.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pandas as pd
import pytest

from geo.analysis.thematic import (
    thematic_gaps,
    theme_distances,
    theme_mix_comparison,
    theme_support,
    under_represented_themes,
)
from geo.io.atlas import Atlas, load_atlas
from geo.territory import Scope
from geo.themes import ALL_PLACES, theme_label
from tests.app.conftest import open_app

PAGE = "pages/themes.py"


@pytest.fixture(scope="module")
def data() -> Atlas:
    return load_atlas()


def _bytes(build: Callable[[], object]) -> bytes:
    data = build()
    assert isinstance(data, bytes)
    return data


def _csv(raw: bytes) -> pd.DataFrame:
    text = raw.decode("utf-8-sig")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return pd.read_csv(io.StringIO(body), sep=";", decimal=",", dtype=str)


def test_page_renders_all_sections_nationally() -> None:
    at = open_app(page=PAGE)
    assert not at.exception
    assert at.title[0].value == "Thématiques"
    subheaders = [s.value for s in at.subheader]
    assert subheaders[0] == "Composition thématique comparée à la France"
    assert subheaders[1] == "Thèmes × territoires, par département"
    assert len(at.get("plotly_chart")) == 3
    captions = " ".join(c.value for c in at.caption)
    assert "indicatifs" in captions
    assert "par la typologie de la source" in captions
    assert "Sources" in captions


def test_region_under_represented_themes_are_shown_and_exported(
    data: Atlas, downloads: dict[str, Callable[[], object]]
) -> None:
    """For a région, the themes under-represented relative to the national mix — only among the
    themes with enough places for a finding — are named, and the export says the same."""
    at = open_app(page=PAGE)
    at.selectbox(key="f_reg").select("53").run()
    assert not at.exception
    comparison = theme_mix_comparison(data, theme_distances(data), Scope("metro", "53"), 10)
    expected_under = under_represented_themes(comparison)
    assert expected_under, "l'exemple suppose au moins un thème sous-représenté en Bretagne"
    warning = next(w.value for w in at.warning if "sous-représentés" in w.value)
    assert "Bretagne" in warning
    for theme in expected_under:
        assert theme_label(theme) in warning
    for theme in set(comparison["theme"]) - set(expected_under):
        assert f"{theme_label(theme)} (indice" not in warning
    mix = _csv(_bytes(downloads["composition-thematique.csv"]))
    scope_rows = mix[mix["Référence"] == "Périmètre"].set_index("Thème")
    assert set(scope_rows.index[scope_rows["Sous-représenté"] == "oui"]) == {
        theme_label(t) for t in expected_under
    }
    thin = comparison[(comparison["reference"] == "scope") & ~comparison["sufficient"]]
    for theme in thin["theme"]:
        assert scope_rows.at[theme_label(theme), "Constat possible"].startswith("données insuffisantes")


def test_thin_themes_give_no_finding_and_say_so(
    data: Atlas, downloads: dict[str, Callable[[], object]]
) -> None:
    """Occitanie holds one food place and no reuse place: no index, no gap list presented as a finding."""
    at = open_app(page=PAGE)
    at.selectbox(key="f_reg").select("76").run()
    assert not at.exception
    support = theme_support(data.places[Scope("metro", "76").mask(data.places)])
    assert not support["alimentation"].sufficient
    assert not support["reemploi"].sufficient
    info = next(i.value for i in at.info if "Pas d'indice" in i.value)
    assert f"Alimentation : {support['alimentation'].verdict}" in info
    assert not any("sous-représentés" in w.value and "Alimentation" in w.value for w in at.warning)
    gap_warning = next(w.value for w in at.warning if "n'est pas un constat" in w.value)
    assert f"Réemploi : {support['reemploi'].verdict}" in gap_warning
    labels = [m.label for m in at.metric]
    assert "Petites villes de demain" not in labels  # no gap count shown as a finding
    raw = _bytes(downloads["ecarts-thematiques-territoires-prioritaires.csv"]).decode("utf-8-sig")
    assert "# Avertissement : Alimentation : données insuffisantes" in raw
    gaps = thematic_gaps(
        data,
        theme_distances(data),
        Scope("metro", "76"),
        10,
        present=("coworking",),
        missing=("alimentation", "reemploi"),
    )
    assert len(_csv(raw.encode())) == len(gaps)


def test_priority_gaps_of_a_theme_with_enough_places_are_listed(
    data: Atlas, downloads: dict[str, Callable[[], object]]
) -> None:
    at = open_app(page=PAGE)
    at.selectbox(key="f_reg").select("76").run()
    at.selectbox(key="themes_present").select(ALL_PLACES).run()
    at.multiselect(key="themes_missing").set_value(["fabrication"]).run()
    assert not at.exception
    scope = Scope("metro", "76")
    gaps = thematic_gaps(
        data, theme_distances(data), scope, 10, present=(ALL_PLACES,), missing=("fabrication",)
    )
    assert len(gaps) > 0
    assert not any("n'est pas un constat" in w.value for w in at.warning)
    table = at.dataframe[-1].value
    assert list(table["Code"]) == list(gaps["code"].head(200))
    exported = _csv(_bytes(downloads["ecarts-thematiques-territoires-prioritaires.csv"]))
    assert len(exported) == len(gaps)
    assert set(exported["Type"]) <= {
        "Action Cœur de Ville",
        "Petites villes de demain",
        "Quartier prioritaire (QPV)",
        "ACV + PVD",
    }
    raw = _bytes(downloads["ecarts-thematiques-territoires-prioritaires.csv"]).decode("utf-8-sig")
    assert "# Périmètre : Occitanie" in raw
    assert "# Thèmes manquants : Fabrication" in raw


def test_changing_gap_themes_updates_table_and_url(data: Atlas) -> None:
    at = open_app(page=PAGE, query={"dep": "34"})
    at.selectbox(key="themes_present").select("fabrication").run()
    at.multiselect(key="themes_missing").set_value(["culture"]).run()
    assert not at.exception
    assert at.query_params["th_present"] == "fabrication"
    assert at.query_params["th_absent"] == "culture"
    gaps = thematic_gaps(
        data,
        theme_distances(data),
        Scope("metro", "76", "34"),
        10,
        present=("fabrication",),
        missing=("culture",),
    )
    if gaps.empty:
        assert any("Aucun territoire prioritaire" in s.value for s in at.success)
    else:
        assert len(at.dataframe[-1].value) == min(len(gaps), 200)


def test_indicator_choice_redraws_the_heat_map_and_goes_into_the_url() -> None:
    # Restoring page widgets from a link is checked in the browser test (AppTest always starts
    # on the default page, whose run rewrites the URL before this page registers its parameters).
    at = open_app(page=PAGE)
    before = at.get("plotly_chart")[1].proto.spec
    at.radio(key="themes_indicator").set_value("share_covered").run()
    assert not at.exception
    assert at.query_params["th_indic"] == "share_covered"
    after = at.get("plotly_chart")[1].proto.spec
    assert before != after
    title = json.loads(after)["layout"]["title"]["text"]
    assert title.startswith("Part de la population à moins de 10 km par thème — France métropolitaine")


def test_empty_missing_selection_is_a_guard_not_an_error() -> None:
    at = open_app(page=PAGE)
    at.multiselect(key="themes_missing").set_value([]).run()
    assert not at.exception
    assert any("au moins un thème manquant" in i.value for i in at.info)


def test_same_theme_present_and_missing_shows_a_french_error() -> None:
    at = open_app(page=PAGE)
    at.multiselect(key="themes_missing").set_value(["coworking"]).run()
    assert not at.exception
    assert any("à la fois présent et manquant" in e.value for e in at.error)


def test_sidebar_theme_filter_restricts_the_themes_shown() -> None:
    at = open_app(page=PAGE, query={"themes": "alimentation,reemploi"})
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Alimentation : tiers-lieux" in labels
    assert "Coworking : tiers-lieux" not in labels


def test_drom_scope(data: Atlas) -> None:
    at = open_app(page=PAGE, query={"zone": "974"})
    assert not at.exception
    n_coworking = int(((data.places["zone"] == "974") & (data.places["theme_coworking"] != "")).sum())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Coworking : tiers-lieux"] == str(n_coworking)
