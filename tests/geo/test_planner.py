"""Expansion planner: solvers on tiny instances, the greedy guarantee, and the real data."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from geo._errors import InvalidParameterError
from geo.analysis.coverage import coverage_of_points
from geo.analysis.planner import (
    GREEDY_GUARANTEE,
    CandidateRule,
    NoDemandError,
    candidate_labels,
    compare_scenarios,
    coverage_matrix,
    evaluate_sites,
    exact_max_coverage,
    greedy_max_coverage,
    method_note,
    plan_expansion,
    planning_problem,
    scenario_geodataframe,
    scenario_label,
    scenario_summary,
    sites_table,
    solve_max_coverage,
)
from geo.fmt import fr_number
from geo.render.coveragemaps import scenario_map
from geo.render.maps import localize_assets
from geo.territory import Scope
from geo.themes import THEMES

# Demand points 0..5 (unit weights); candidate 0 covers the middle {0, 1, 2, 3},
# candidates 1 and 2 the two halves {0, 1, 4} and {2, 3, 5}. With two sites the greedy
# method takes the middle first (4) and reaches 5; the optimum (the two halves) is 6.
TRAP = sparse.csc_array(
    np.array(
        [
            [1, 1, 0],
            [1, 1, 0],
            [1, 0, 1],
            [1, 0, 1],
            [0, 1, 0],
            [0, 0, 1],
        ],
        dtype=bool,
    )
)
TRAP_WEIGHTS = np.ones(6)
ANY = CandidateRule("communes")


def brute_force_optimum(matrix: np.ndarray, weights: np.ndarray, n_sites: int) -> float:
    """Best covered weight over every subset of ``n_sites`` columns (tiny instances only)."""
    best = 0.0
    for subset in itertools.combinations(range(matrix.shape[1]), min(n_sites, matrix.shape[1])):
        covered = matrix[:, list(subset)].any(axis=1)
        best = max(best, float(weights[covered].sum()))
    return best


def test_exact_finds_the_known_optimum_the_greedy_misses() -> None:
    exact = exact_max_coverage(TRAP, TRAP_WEIGHTS, 2)
    assert exact.method == "exact"
    assert exact.optimal
    assert exact.objective == 6
    assert sorted(exact.selected) == [1, 2]
    assert exact.upper_bound == exact.objective
    assert sum(exact.gains) == exact.objective

    greedy = greedy_max_coverage(TRAP, TRAP_WEIGHTS, 2)
    assert greedy.method == "greedy"
    assert greedy.selected == (0, 1)
    assert greedy.gains == (4.0, 1.0)
    assert greedy.objective == 5
    assert not greedy.optimal
    # The reported bound is valid (≥ the true optimum) and the guarantee holds.
    assert greedy.upper_bound >= 6
    assert greedy.objective >= GREEDY_GUARANTEE * exact.objective


def test_greedy_is_optimal_on_disjoint_sites_and_says_so() -> None:
    matrix = sparse.csc_array(np.eye(4, dtype=bool))
    weights = np.array([10.0, 40.0, 20.0, 30.0])
    greedy = greedy_max_coverage(matrix, weights, 2)
    assert greedy.selected == (1, 3)
    assert greedy.objective == 70
    assert greedy.optimal
    assert greedy.upper_bound == 70


def test_weights_change_the_choice() -> None:
    # Same geometry as TRAP, but the points only candidate 0 reaches weigh much more.
    weights = np.array([1.0, 1.0, 1.0, 1.0, 0.1, 0.1])
    exact = exact_max_coverage(TRAP, weights, 1)
    assert exact.selected == (0,)
    assert exact.objective == pytest.approx(4.0)


def test_fewer_sites_when_they_suffice() -> None:
    matrix = sparse.csc_array(np.array([[1, 1, 0], [1, 0, 1]], dtype=bool))
    for method in ("exact", "greedy"):
        solution = solve_max_coverage(matrix, np.array([3.0, 4.0]), 3, method=method)
        assert solution.selected == (0,)
        assert solution.objective == 7
        assert solution.optimal


@pytest.mark.parametrize(
    ("n_sites", "message"),
    [(0, "≥ 1"), (4, "il n'y a que 3"), (1.5, "entier")],
)
def test_bad_number_of_sites_is_reported_in_french(n_sites: object, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        greedy_max_coverage(TRAP, TRAP_WEIGHTS, n_sites)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=message):
        exact_max_coverage(TRAP, TRAP_WEIGHTS, n_sites)  # type: ignore[arg-type]


def test_bad_method_and_weights_are_reported() -> None:
    with pytest.raises(InvalidParameterError, match="`method`"):
        solve_max_coverage(TRAP, TRAP_WEIGHTS, 1, method="magique")
    with pytest.raises(InvalidParameterError, match="`weights`"):
        solve_max_coverage(TRAP, -TRAP_WEIGHTS, 1)
    with pytest.raises(InvalidParameterError, match="`weights`"):
        solve_max_coverage(TRAP, TRAP_WEIGHTS[:3], 1)


@st.composite
def instances(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    n_rows = draw(st.integers(1, 12))
    n_cols = draw(st.integers(1, 7))
    cells = draw(st.lists(st.booleans(), min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    weights = draw(st.lists(st.integers(0, 50), min_size=n_rows, max_size=n_rows))
    n_sites = draw(st.integers(1, n_cols))
    return np.array(cells, dtype=bool).reshape(n_rows, n_cols), np.array(weights, dtype=float), n_sites


@settings(max_examples=150, deadline=None)
@given(instances())
def test_exact_matches_brute_force_and_greedy_keeps_its_guarantee(
    instance: tuple[np.ndarray, np.ndarray, int],
) -> None:
    dense, weights, n_sites = instance
    optimum = brute_force_optimum(dense, weights, n_sites)
    matrix = sparse.csc_array(dense)
    exact = exact_max_coverage(matrix, weights, n_sites)
    greedy = greedy_max_coverage(matrix, weights, n_sites)
    assert exact.optimal
    assert exact.objective == pytest.approx(optimum)
    assert exact.upper_bound == pytest.approx(optimum)
    assert len(exact.selected) <= n_sites
    assert float(weights[dense[:, list(exact.selected)].any(axis=1)].sum()) == pytest.approx(optimum)
    assert greedy.objective >= GREEDY_GUARANTEE * optimum - 1e-9
    assert greedy.upper_bound >= optimum - 1e-9
    assert greedy.objective <= optimum + 1e-9
    assert sum(greedy.gains) == pytest.approx(greedy.objective)


def test_greedy_guarantee_on_larger_seeded_instances() -> None:
    rng = np.random.default_rng(20240611)
    for _ in range(12):
        points = rng.uniform(0, 100, size=(300, 2))
        sites = rng.uniform(0, 100, size=(60, 2))
        distance = np.hypot(*(points[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
        matrix = sparse.csc_array(distance <= rng.uniform(8, 20))
        weights = rng.integers(0, 1000, size=300).astype(float)
        n_sites = int(rng.integers(2, 9))
        exact = exact_max_coverage(matrix, weights, n_sites, time_limit_s=30)
        greedy = greedy_max_coverage(matrix, weights, n_sites)
        assert exact.optimal
        assert greedy.objective >= GREEDY_GUARANTEE * exact.objective
        assert greedy.objective <= exact.objective + 1e-6
        assert greedy.upper_bound >= exact.objective - 1e-6


def test_exact_stopped_by_its_time_limit_still_reports_a_valid_bound() -> None:
    rng = np.random.default_rng(7)
    points = rng.uniform(0, 100, size=(3000, 2))
    distance = np.hypot(*(points[:, None, :] - points[None, :1500, :]).transpose(2, 0, 1))
    matrix = sparse.csc_array(distance <= 9)
    weights = rng.integers(1, 1000, size=3000).astype(float)
    solution = exact_max_coverage(matrix, weights, 25, time_limit_s=0.05)
    greedy = greedy_max_coverage(matrix, weights, 25)
    assert solution.objective >= greedy.objective
    assert solution.upper_bound >= solution.objective
    assert solution.upper_bound <= greedy.upper_bound
    if not solution.optimal:
        assert "s" in solution.note


def test_coverage_matrix_matches_pairwise_distances_inclusive() -> None:
    rng = np.random.default_rng(3)
    demand = rng.integers(0, 50_000, size=(400, 2)).astype(float)  # whole metres: exact distances
    sites = np.vstack([rng.uniform(0, 50_000, size=(4500, 2)), demand[:1] + np.array([5_000.0, 0.0])])
    matrix = coverage_matrix(demand, sites, 5_000.0)
    distance = np.hypot(*(demand[:, None, :] - sites[None, :, :]).transpose(2, 0, 1))
    assert matrix.shape == (400, 4501)
    assert np.array_equal(matrix.toarray(), distance <= 5_000.0)
    # A site exactly at the radius covers (the kernel's convention).
    assert matrix[0, 4500]


# --- planning problems on tiny in-memory communes -------------------------------------


def tiny_communes() -> gpd.GeoDataFrame:
    """Five communes on a line, 10 km apart (x in metres), in one département."""
    frame = pd.DataFrame(
        {
            "code_insee": ["99001", "99002", "99003", "99004", "99005"],
            "nom": ["Aval", "Bourg", "Centre", "Dune", "Est"],
            "dep": "99",
            "nom_dep": "Test",
            "reg": "99",
            "nom_reg": "Test",
            "epci_siren": "200000001",
            "epci_nom": "CC Test",
            "zone": "metro",
            "population": [1000, 200, 5000, 300, 4000],
            "acv": [False, False, True, False, False],
            "pvd": [False, True, False, False, False],
            "n_qpv": [0, 0, 2, 0, 0],
            "x_m": [0.0, 10_000.0, 20_000.0, 30_000.0, 40_000.0],
            "y_m": 0.0,
        }
    )
    lon = 2.0 + frame["x_m"] / 80_000
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, [46.0] * 5), crs="EPSG:4326")


def tiny_places() -> pd.DataFrame:
    """One existing place at Aval (covers Aval only at 5 km)."""
    frame = pd.DataFrame(
        {"name": ["Lieu d'Aval"], "zone": ["metro"], "x_m": [0.0], "y_m": [0.0], "code_insee": ["99001"]}
    )
    for theme in THEMES:
        frame[f"theme_{theme}"] = ""
    frame["theme_fabrication"] = "typologie"
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy([2.0], [46.0]), crs="EPSG:4326")


def test_planning_problem_counts_only_newly_covered_demand() -> None:
    problem = planning_problem(tiny_communes(), tiny_places(), Scope("metro"), radius_km=5, rule=ANY)
    assert problem.covered_before == 1000
    assert problem.demand["code_insee"].tolist() == ["99002", "99003", "99004", "99005"]
    # Candidates: every located commune, most populous first.
    assert problem.candidates["code_insee"].tolist()[:2] == ["99003", "99005"]
    assert problem.matrix.shape == (4, 5)
    result = plan_expansion(problem, 2, method="exact")
    assert result.optimal
    assert set(result.sites["code_insee"]) == {"99003", "99005"}
    assert result.new_population == 9000
    assert result.covered_after == 10_000
    assert result.sites["new_population"].sum() == result.new_population


def test_priority_weight_moves_the_site_to_the_priority_commune() -> None:
    communes = tiny_communes()
    communes.loc[communes["code_insee"] == "99003", "population"] = 3000  # ACV + QPV
    plain = plan_expansion(
        planning_problem(communes, tiny_places(), Scope("metro"), radius_km=5, rule=ANY), 1
    )
    assert plain.sites["code_insee"].tolist() == ["99005"]
    weighted = plan_expansion(
        planning_problem(communes, tiny_places(), Scope("metro"), radius_km=5, priority_weight=1.0, rule=ANY),
        1,
    )
    assert weighted.sites["code_insee"].tolist() == ["99003"]
    assert weighted.objective == 6000
    assert weighted.priority_covered_after - weighted.priority_covered_before == 3000
    assert "ACV : Centre" in weighted.sites["priority_reached"].iloc[0]


def test_radius_reaches_neighbours_and_what_if_reports_each_gain() -> None:
    problem = planning_problem(tiny_communes(), tiny_places(), Scope("metro"), radius_km=10, rule=ANY)
    # Bourg (10 km from Aval's place) is already covered at 10 km.
    assert "99002" not in problem.demand["code_insee"].tolist()
    result = evaluate_sites(problem, ["99004", "99003"])
    assert result.method == "manual"
    assert result.upper_bound is None
    # Dune covers Centre, itself and Est; Centre then adds nothing new.
    assert result.sites["new_population"].tolist() == [9300, 0]
    assert result.sites["alone_population"].tolist() == [9300, 5300]
    assert "Habitants couverts par ce seul site" in sites_table(result)
    with pytest.raises(InvalidParameterError, match="99999"):
        evaluate_sites(problem, ["99999"])
    with pytest.raises(InvalidParameterError, match="au moins une"):
        evaluate_sites(problem, [])


def test_scenario_texts_say_how_good_the_choice_is() -> None:
    problem = planning_problem(tiny_communes(), tiny_places(), Scope("metro"), radius_km=5, rule=ANY)
    exact = plan_expansion(problem, 2, method="exact")
    greedy = plan_expansion(problem, 2, method="greedy")
    manual = evaluate_sites(problem, ["99004"])
    assert method_note(exact).startswith("Optimum prouvé par le solveur HiGHS")
    assert greedy.upper_bound is not None
    assert method_note(greedy).startswith("Solution gloutonne : ")
    assert f"borne supérieure prouvée : {fr_number(greedy.upper_bound)} habitants" in method_note(greedy)
    assert method_note(manual).startswith("Chaque commune choisie est évaluée après les précédentes")
    assert scenario_label(2, exact) == "Scénario 2 — 2 sites, exacte (HiGHS)"
    assert scenario_label(3, manual) == "Scénario 3 — choix manuel"
    labels = candidate_labels(problem.candidates)
    assert labels["99003"] == "Centre (99) – 5\u202f000 hab."
    assert list(labels) == problem.candidates["code_insee"].tolist()


def test_candidate_sets() -> None:
    programmes = planning_problem(
        tiny_communes(), tiny_places(), Scope("metro"), radius_km=5, rule=CandidateRule("programmes")
    )
    assert set(programmes.candidates["code_insee"]) == {"99002", "99003"}
    qpv = planning_problem(
        tiny_communes(), tiny_places(), Scope("metro"), radius_km=5, rule=CandidateRule("qpv")
    )
    assert qpv.candidates["code_insee"].tolist() == ["99003"]
    with pytest.raises(InvalidParameterError, match="il n'y a que 1"):
        plan_expansion(qpv, 2)


def test_bad_inputs_give_french_messages() -> None:
    communes, places = tiny_communes(), tiny_places()
    with pytest.raises(InvalidParameterError, match="strictement positive"):
        planning_problem(communes, places, Scope("metro"), radius_km=0, rule=ANY)
    with pytest.raises(InvalidParameterError, match="`kind`"):
        CandidateRule("toutes")
    with pytest.raises(InvalidParameterError, match=r"`min_population`.*`centrality`"):
        CandidateRule("population", min_population=-1, centrality=5)
    with pytest.raises(InvalidParameterError, match=r"colonnes absentes.*centralite_niveau"):
        planning_problem(communes, places, Scope("metro"), radius_km=5)  # default rule, no typologies
    with pytest.raises(InvalidParameterError, match="`priority_weight`"):
        planning_problem(communes, places, Scope("metro"), radius_km=5, priority_weight=-1, rule=ANY)
    with pytest.raises(NoDemandError, match="Aucun habitant"):
        planning_problem(communes, places, Scope("metro", dep="98"), radius_km=5, rule=ANY)
    with pytest.raises(NoDemandError, match="déjà à moins de 50 km"):
        planning_problem(communes, places, Scope("metro"), radius_km=50, rule=ANY)
    no_qpv = communes.assign(n_qpv=0)
    with pytest.raises(InvalidParameterError, match="Aucune commune candidate"):
        planning_problem(no_qpv, places, Scope("metro"), radius_km=5, rule=CandidateRule("qpv"))
    problem = planning_problem(communes, places, Scope("metro"), radius_km=5, rule=ANY)
    with pytest.raises(InvalidParameterError, match="Vous demandez 6 nouveaux sites"):
        plan_expansion(problem, 6)


# --- the real bundled data --------------------------------------------------------------


def independent_covered_population(problem, result) -> int:
    """Recompute coverage with the kernel: existing places + proposed sites."""
    points = pd.concat(
        [problem.existing[["zone", "x_m", "y_m"]], result.sites[["zone", "x_m", "y_m"]]], ignore_index=True
    )
    coverage = coverage_of_points(problem.communes, points, problem.radius_km)
    return int(problem.communes.loc[coverage["covered"].to_numpy(), "population"].sum())


def test_departement_exact_matches_the_coverage_kernel(atlas) -> None:
    problem = planning_problem(atlas.communes, atlas.places, Scope("metro", dep="34"), radius_km=10)
    result = plan_expansion(problem, 5)
    assert result.method == "exact"
    assert result.optimal
    assert len(result.sites) == 5
    assert result.covered_after == independent_covered_population(problem, result)
    assert result.covered_before == int(
        problem.communes.loc[
            coverage_of_points(problem.communes, problem.existing, 10)["covered"].to_numpy(), "population"
        ].sum()
    )
    assert result.sites["new_population"].sum() == result.new_population
    assert result.newly_covered["population"].sum() == result.new_population
    assert result.sites["code_insee"].str.startswith("34").all()


def test_national_greedy_matches_the_coverage_kernel(atlas) -> None:
    problem = planning_problem(atlas.communes, atlas.places, Scope("metro"), radius_km=10, rule=ANY)
    result = plan_expansion(problem, 20, method="auto")
    assert result.method == "greedy"
    assert "trop grand" in result.note
    assert len(result.sites) == 20
    assert result.covered_after == independent_covered_population(problem, result)
    assert result.upper_bound is not None
    assert result.upper_bound >= result.objective
    assert result.ratio_to_bound is not None
    assert result.ratio_to_bound >= GREEDY_GUARANTEE
    forced = plan_expansion(problem, 20, method="exact")
    assert forced.method == "greedy"
    assert "bien trop grand" in forced.note
    assert forced.objective == result.objective


def test_national_default_candidates_are_few_enough_for_the_exact_method(atlas) -> None:
    problem = planning_problem(atlas.communes, atlas.places, Scope("metro"), radius_km=10)
    assert len(problem.candidates) < 0.2 * len(atlas.communes)
    result = plan_expansion(problem, 20)
    assert result.method == "exact"
    assert result.optimal
    assert result.covered_after == independent_covered_population(problem, result)
    greedy = plan_expansion(problem, 20, method="greedy")
    assert GREEDY_GUARANTEE * result.objective <= greedy.objective <= result.objective


def test_exact_beats_or_equals_greedy_and_priority_weight_favours_priorities(atlas) -> None:
    scope = Scope("metro", dep="34")
    plain = planning_problem(atlas.communes, atlas.places, scope, radius_km=10, themes=("fabrication",))
    exact = plan_expansion(plain, 4, method="exact")
    greedy = plan_expansion(plain, 4, method="greedy")
    assert exact.objective >= greedy.objective
    assert greedy.upper_bound is not None
    assert greedy.upper_bound >= exact.objective
    weighted = planning_problem(
        atlas.communes, atlas.places, scope, radius_km=10, themes=("fabrication",), priority_weight=4.0
    )
    favoured = plan_expansion(weighted, 4, method="exact")
    assert favoured.optimal
    priority_new = favoured.priority_covered_after - favoured.priority_covered_before
    assert priority_new >= exact.priority_covered_after - exact.priority_covered_before
    assert favoured.covered_after == independent_covered_population(weighted, favoured)


def test_drom_scope_uses_its_own_places(atlas) -> None:
    problem = planning_problem(atlas.communes, atlas.places, Scope("974"), radius_km=5)
    assert set(problem.existing["zone"]) == {"974"}
    result = plan_expansion(problem, 2)
    assert set(result.sites["dep"]) == {"974"}
    assert result.covered_after == independent_covered_population(problem, result)


def test_exports_map_and_comparison(atlas) -> None:
    problem = planning_problem(atlas.communes, atlas.places, Scope("metro", dep="34"), radius_km=10)
    result = plan_expansion(problem, 3)
    layer = scenario_geodataframe(result)
    assert (layer["role"] == "site proposé").sum() == 3
    assert (layer["role"] == "commune nouvellement couverte").sum() == len(result.newly_covered)
    assert layer.crs is not None
    table = sites_table(result)
    assert table["Habitants nouvellement couverts"].sum() == result.new_population
    m = scenario_map(problem, result, outlines=atlas.departements[atlas.departements["dep"] == "34"])
    localize_assets(m)
    html = m.get_root().render()
    assert "Site propos" in html  # accents are JSON-escaped in the page
    assert "Commune nouvellement couverte" in html
    assert html.count("L.circle(") == 3
    assert html.count('"Point"') >= 3 + len(result.newly_covered) + len(result.still_uncovered)
    assert "Commune toujours non couverte" in html
    summary = scenario_summary(result, "Scénario A", {"Distance": "10 km"})
    other = scenario_summary(plan_expansion(problem, 1), "Scénario B", {"Distance": "10 km"})
    comparison = compare_scenarios([summary, other])
    assert list(comparison.columns) == ["Scénario A", "Scénario B"]
    assert comparison.loc["Distance", "Scénario B"] == "10 km"
    assert "optimum prouvé" in comparison.loc["Méthode", "Scénario A"]


def test_too_many_uncovered_communes_are_left_off_the_map(atlas, monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.render.coveragemaps

    problem = planning_problem(atlas.communes, atlas.places, Scope("metro", dep="34"), radius_km=10)
    result = plan_expansion(problem, 1)
    monkeypatch.setattr(geo.render.coveragemaps, "UNCOVERED_MAP_LIMIT", len(result.still_uncovered) - 1)
    html = scenario_map(problem, result, outlines=atlas.departements.iloc[0:0]).get_root().render()
    assert "Commune toujours non couverte" not in html
    assert "toujours" not in html


# --- which communes may host a site -------------------------------------------------------


def typed_tiny_communes() -> gpd.GeoDataFrame:
    """:func:`tiny_communes` with centralités and France services: Aval is a local centre, Bourg
    (PVD) and Dune are not centres, Centre (ACV) is a structuring centre, Est an intermediate
    one; Dune hosts a France services."""
    return tiny_communes().assign(
        centralite_niveau=[4, 5, 2, 5, 3],
        n_france_services=[0, 0, 0, 1, 0],
    )


def test_default_rule_keeps_centres_and_public_service_hosts_only() -> None:
    problem = planning_problem(typed_tiny_communes(), tiny_places(), Scope("metro"), radius_km=5)
    assert problem.rule == CandidateRule("centres", centrality=3)
    # Aval (local centre, nothing else) is below the rule; Bourg (PVD) and Dune (France services) are in.
    assert set(problem.candidates["code_insee"]) == {"99002", "99003", "99004", "99005"}
    assert problem.territory_communes == 5
    assert "Centre intermédiaire" in problem.rule.describe()
    assert problem.rule_text.endswith("4 communes candidates sur 5")
    down_to_local = planning_problem(
        typed_tiny_communes(), tiny_places(), Scope("metro"), radius_km=5, rule=CandidateRule(centrality=4)
    )
    assert "99001" in set(down_to_local.candidates["code_insee"])


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (CandidateRule("population", min_population=1000), {"99001", "99003", "99005"}),
        (CandidateRule("centralite", centrality=3), {"99003", "99005"}),
        (CandidateRule("centralite", centrality=2), {"99003"}),
        (CandidateRule("programmes"), {"99002", "99003"}),
        (CandidateRule("communes"), {"99001", "99002", "99003", "99004", "99005"}),
    ],
)
def test_each_rule_selects_its_communes(rule: CandidateRule, expected: set[str]) -> None:
    problem = planning_problem(typed_tiny_communes(), tiny_places(), Scope("metro"), radius_km=5, rule=rule)
    assert set(problem.candidates["code_insee"]) == expected
    result = plan_expansion(problem, 1)
    assert set(result.sites["code_insee"]) <= expected


def test_still_uncovered_communes_complete_the_population() -> None:
    problem = planning_problem(tiny_communes(), tiny_places(), Scope("metro"), radius_km=5, rule=ANY)
    result = plan_expansion(problem, 1)
    assert result.sites["code_insee"].tolist() == ["99003"]  # at 5 km a site covers its own commune
    assert set(result.still_uncovered["code_insee"]) == {"99002", "99004", "99005"}
    assert result.covered_after + int(result.still_uncovered["population"].sum()) == problem.population
    layer = scenario_geodataframe(result)
    assert (layer["role"] == "commune toujours non couverte").sum() == 3


def test_manche_default_proposals_are_service_centres_not_villages(atlas) -> None:
    """The issue's case: every commune a candidate gave Brix, Précey, Héauville… not Cherbourg."""
    scope = Scope("metro", dep="50")
    problem = planning_problem(atlas.communes, atlas.places, scope, radius_km=10, priority_weight=1.0)
    result = plan_expansion(problem, 5)
    assert result.method == "exact"
    assert result.optimal
    sites = atlas.communes.set_index("code_insee").loc[result.sites["code_insee"]]
    assert CandidateRule().mask(sites).all()  # no site below the rule
    assert "Cherbourg-en-Cotentin" in set(result.sites["nom"])
    assert (sites["centralite_niveau"].between(1, 3)).all()
    assert sites["population"].min() >= 2000
    assert result.covered_after == independent_covered_population(problem, result)
    anywhere = plan_expansion(
        planning_problem(atlas.communes, atlas.places, scope, radius_km=10, priority_weight=1.0, rule=ANY), 5
    )
    assert "Cherbourg-en-Cotentin" not in set(anywhere.sites["nom"])
    assert anywhere.sites["population"].min() < 1000  # what the rule is for


def test_typed_scope_covers_its_communes_from_sites_anywhere_in_the_territory(atlas) -> None:
    from geo.typologies import CommuneTypes

    scope = Scope("metro", dep="50", types=CommuneTypes(densite=(6, 7)))
    problem = planning_problem(atlas.communes, atlas.places, scope, radius_km=10)
    assert set(problem.demand["densite_niveau"]) <= {6, 7}
    assert set(problem.communes["densite_niveau"]) <= {6, 7}
    assert problem.candidates["densite_niveau"].min() < 6  # towns may host the sites
    assert problem.territory_communes == int(
        (atlas.communes["dep"] == "50").sum()
        - atlas.communes.loc[atlas.communes["dep"] == "50", "x_m"].isna().sum()
    )
    result = plan_expansion(problem, 3)
    assert result.covered_after == independent_covered_population(problem, result)
