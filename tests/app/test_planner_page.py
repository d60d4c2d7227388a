"""AppTest of the « Simulateur » page on the real bundled data."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.analysis.coverage import coverage_of_points
from geo.analysis.planner import plan_expansion
from geo.io.atlas import load_atlas
from geo.territory import Scope
from tests.app.conftest import open_app

PAGE = "pages/planner.py"


def _table(at: AppTest, column: str = "Code INSEE"):
    """The first dataframe holding ``column`` (the proposed sites)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _comparison(at: AppTest):
    return next(d.value for d in at.dataframe if "Habitants nouvellement couverts" in d.value.index)


def _percent(text: str) -> float:
    return float(text.rstrip("\u202f%").replace(",", "."))


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_departement_scenario_is_exact_and_shown() -> None:
    at = open_app(page=PAGE, query={"dep": "34", "sim_sites": "4"})
    assert not at.exception
    assert at.title[0].value == "Simulateur d'implantation"
    metrics = _metrics(at)
    assert metrics["Méthode"] == "Exacte"
    population = next(m for m in at.metric if m.label == "Population à moins de 10 km")
    before = population.delta.split("avant : ")[1].rstrip(")")
    assert _percent(population.value) > _percent(before)
    assert population.delta.startswith("+")
    table = _table(at)
    assert len(table) == 4
    assert table["Code INSEE"].str.startswith("34").all()
    assert any("Optimum prouvé" in c.value for c in at.caption)
    assert any("Sources" in c.value for c in at.caption)
    # URL carries the page's parameters.
    assert at.query_params["sim_sites"] == "4"
    assert at.query_params["sim_methode"] == "auto"


def test_newly_covered_matches_an_independent_recomputation() -> None:
    at = open_app(page=PAGE, query={"dep": "34", "sim_sites": "3", "sim_poids": "0.0"})
    assert not at.exception
    table = _table(at)
    new_population = int(_metrics(at)["Habitants nouvellement couverts"].replace("\u202f", ""))
    atlas = load_atlas()
    communes = atlas.communes[Scope("metro", dep="34").mask(atlas.communes)]
    places = atlas.places[atlas.places["zone"] == "metro"][["zone", "x_m", "y_m"]]
    sites = atlas.communes[atlas.communes["code_insee"].isin(table["Code INSEE"])][["zone", "x_m", "y_m"]]
    before = coverage_of_points(communes, places, 10)["covered"].to_numpy()
    after = coverage_of_points(communes, pd.concat([places, sites]), 10)["covered"].to_numpy()
    expected = int(communes.loc[after, "population"].sum() - communes.loc[before, "population"].sum())
    assert new_population == expected


def test_parameters_change_the_result_and_scenarios_compare() -> None:
    at = open_app(page=PAGE, query={"dep": "34", "sim_sites": "2"})
    at.button(key="planner_save").click().run()
    assert not at.exception
    at.number_input(key="planner_n").set_value(5).run()
    assert len(_table(at)) == 5
    assert at.query_params["sim_sites"] == "5"
    at.button(key="planner_save").click().run()
    comparison = _comparison(at)
    assert comparison.shape[1] == 2
    assert "Habitants nouvellement couverts" in comparison.index
    first, second = (int(v.replace("\u202f", "")) for v in comparison.loc["Habitants nouvellement couverts"])
    assert second > first
    # The same scenario cannot be saved twice.
    assert at.button(key="planner_save").disabled
    at.button(key="planner_remove_0").click().run()
    assert _comparison(at).shape[1] == 1


def test_at_most_three_scenarios() -> None:
    at = open_app(page=PAGE, query={"dep": "34", "sim_sites": "1"})
    for n in (1, 2, 3):
        at.number_input(key="planner_n").set_value(n).run()
        at.button(key="planner_save").click().run()
    at.number_input(key="planner_n").set_value(4).run()
    assert at.button(key="planner_save").disabled
    assert any("Trois scénarios au plus" in c.value for c in at.caption)
    assert _comparison(at).shape[1] == 3


def test_what_if_mode_shows_the_gain_of_each_commune() -> None:
    at = open_app(page=PAGE, query={"dep": "34", "sim_mode": "manuel"})
    assert not at.exception
    assert any("Choisissez une ou plusieurs communes" in i.value for i in at.info)
    at.multiselect(key="planner_manual").select("34142").select("34003").run()
    assert not at.exception
    table = _table(at)
    assert table["Code INSEE"].tolist() == ["34142", "34003"]
    assert "Habitants couverts par ce seul site" in table
    assert _metrics(at)["Méthode"] == "Choix manuel"
    assert at.query_params["sim_choix"] == "34142,34003"
    # Nothing is optimised by hand: no « Valeur optimisée », and a gain in French points.
    assert not any("Valeur optimisée" in c.value for c in at.caption)
    population = next(m for m in at.metric if m.label == "Population à moins de 10 km")
    gain = float(population.delta.split(" ")[0].lstrip("+").replace(",", "."))
    assert population.delta.split(" ")[1] == ("point" if gain < 2 else "points")
    priority = next(m for m in at.metric if m.label == "Habitants des territoires prioritaires couverts")
    assert "pas de communes" in priority.help


def test_what_if_selection_restored_from_the_url() -> None:
    at = open_app(page=PAGE, query={"dep": "34", "sim_mode": "manuel", "sim_choix": "34142"})
    assert not at.exception
    assert at.multiselect(key="planner_manual").value == ["34142"]
    assert _table(at)["Code INSEE"].tolist() == ["34142"]


def test_a_narrower_rule_keeps_the_communes_still_candidates() -> None:
    """Agde (29 939 inhabitants) stays chosen when candidates must have 10 000 inhabitants; Lodève
    (7 251) goes, instead of the whole choice being wiped."""
    at = open_app(page=PAGE, query={"dep": "34", "sim_mode": "manuel", "sim_choix": "34142,34003"})
    assert at.multiselect(key="planner_manual").value == ["34142", "34003"]
    at.selectbox(key="planner_candidates").set_value("population").run()
    at.select_slider(key="planner_min_population").set_value(10_000).run()
    assert not at.exception
    assert at.multiselect(key="planner_manual").value == ["34003"]


def test_a_threshold_comes_back_as_left_when_its_rule_is_chosen_again() -> None:
    at = open_app(page=PAGE, query={"dep": "34", "sim_centralite": "3"})
    assert at.selectbox(key="planner_centrality").value == 3
    at.selectbox(key="planner_candidates").set_value("population").run()
    at.select_slider(key="planner_min_population").set_value(10_000).run()
    at.selectbox(key="planner_candidates").set_value("centres").run()
    assert not at.exception
    assert at.selectbox(key="planner_centrality").value == 3
    assert at.query_params["sim_centralite"] == "3"
    at.selectbox(key="planner_candidates").set_value("population").run()
    assert at.select_slider(key="planner_min_population").value == 10_000


def test_a_scenario_opened_by_several_sessions_is_solved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A link sent to a council: the second session reuses the first one's plan."""
    import ui.planner

    calls = []

    def counted(*args, **kwargs):
        calls.append(args[1])
        return plan_expansion(*args, **kwargs)

    monkeypatch.setattr(ui.planner, "plan_expansion", counted)
    link = {"dep": "12", "sim_sites": "2", "sim_poids": "0.5"}
    first = open_app(page=PAGE, query=link)
    solved = len(calls)  # 1, or 0 if an earlier test of this process solved the same scenario
    second = open_app(page=PAGE, query=link)
    assert not first.exception
    assert not second.exception
    assert solved <= 1
    assert len(calls) == solved
    assert _table(first)["Code INSEE"].tolist() == _table(second)["Code INSEE"].tolist()
    assert any(s.label.startswith("Scénario calculé en") for s in second.status)


def test_too_many_sites_for_the_candidates_is_a_french_error() -> None:
    at = open_app(page=PAGE, query={"dep": "34", "sim_candidats": "qpv", "sim_sites": "50"})
    assert not at.exception
    assert any("il n'y a que" in e.value and "candidate" in e.value for e in at.error)


def test_everything_covered_is_an_information_not_an_error() -> None:
    at = open_app(page=PAGE, query={"dep": "75", "rayon": "50"})
    assert not at.exception
    assert any("déjà à moins de 50 km" in i.value for i in at.info)
    assert not at.error


def test_national_scope_with_every_commune_a_candidate_uses_the_greedy_method() -> None:
    at = open_app(page=PAGE, query={"sim_sites": "20", "sim_candidats": "communes"})
    assert not at.exception
    assert _metrics(at)["Méthode"] == "Gloutonne"
    assert any("trop grand" in i.value for i in at.info)
    assert len(_table(at)) == 20


def test_default_candidates_are_centres_and_the_rule_is_shown_and_exported(downloads) -> None:
    at = open_app(page=PAGE, query={"dep": "50", "sim_sites": "5"})
    assert not at.exception
    assert at.selectbox(key="planner_candidates").value == "centres"
    assert at.query_params["sim_candidats"] == "centres"
    assert at.query_params["sim_centralite"] == "3"
    table = _table(at)
    assert "Cherbourg-en-Cotentin" in set(table["Commune d'implantation"])
    assert set(table["Niveau d'équipements et de services"]) <= {
        "Centre majeur d'équipements et de services",
        "Centre structurant d'équipements et de services",
        "Centre intermédiaire d'équipements et de services",
    }
    rule = next(c.value for c in at.caption if c.value.startswith("**Communes candidates**"))
    assert "Centre intermédiaire" in rule
    assert "France services" in rule
    assert "sur 445" in rule
    assert any("toujours à plus de 10 km" in c.value for c in at.caption)
    csv = downloads["simulateur_tiers_lieux.csv"]().decode("utf-8-sig")
    assert any(line.startswith("# Communes candidates : communes de niveau") for line in csv.splitlines())
    # Another rule: by population, kept in the link and used at once.
    at.selectbox(key="planner_candidates").set_value("population").run()
    at.select_slider(key="planner_min_population").set_value(10_000).run()
    assert not at.exception
    assert at.query_params["sim_pop_min"] == "10000"
    populations = _table(at)["Population de la commune"]
    assert (populations >= 10_000).all()
    assert any("au moins 10" in c.value for c in at.caption if c.value.startswith("**Communes"))


def test_a_typed_scope_covers_its_communes_only() -> None:
    at = open_app(page=PAGE, query={"dep": "50", "densite": "6,7", "sim_sites": "3"})
    assert not at.exception
    assert any("Habitants à couvrir" in c.value and "habitat" in c.value for c in at.caption)
    assert len(_table(at)) == 3
