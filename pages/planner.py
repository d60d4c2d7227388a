"""Simulateur: where would N new tiers-lieux cover the most inhabitants, priority territories first?"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geo._errors import AtlasError
from geo.analysis.planner import (
    CANDIDATE_RULES,
    DEFAULT_CENTRALITY,
    DEFAULT_MIN_POPULATION,
    DEFAULT_TIME_LIMIT_S,
    GREEDY_GUARANTEE,
    MAX_SITES,
    METHOD_CHOICES,
    METHOD_LABELS,
    METHODS,
    CandidateRule,
    NoDemandError,
    PlanResult,
    ScenarioSummary,
    compare_scenarios,
    evaluate_sites,
    plan_expansion,
    planning_problem,
    result_quality,
    scenario_geodataframe,
    scenario_summary,
    sites_table,
)
from geo.fmt import fr_count, fr_number, fr_percent, fr_points, fr_radius
from geo.render.coveragemaps import UNCOVERED_MAP_LIMIT, scenario_map
from geo.typologies import CENTRALITY_LEVELS
from ui.components import caption_sources, download_buttons, export_metadata, metric, show_map
from ui.data import SessionMemo, atlas, data_token, shared_result
from ui.maps import context_outlines
from ui.pages import current_filters, describe, scope_caption
from ui.state import url_backed, url_choice, warn_rejected_params

MODES = {"optimisation": "Optimisation automatique", "manuel": "Et si… (choix manuel des communes)"}
# Extra weight of a priority inhabitant → label (its total weight).
WEIGHTS = {0.0: "×1 (pas de bonus)", 0.5: "×1,5", 1.0: "×2", 2.0: "×3", 4.0: "×5"}
PRIORITY_SHARE_LABEL = "Habitants des territoires prioritaires couverts"
METHOD_SHORT = {"exact": "Exacte", "greedy": "Gloutonne", "manual": "Choix manuel"}
MAX_SCENARIOS = 3
# The what-if list shows the most populous candidates only (a national list would be too heavy).
MAX_MANUAL_OPTIONS = 3000
SCENARIOS_KEY = "planner_scenarios"
memo = SessionMemo("planner_memo", max_entries=6)
SOURCES = ["places", "communes", "acv", "pvd", "qpv", "typologies", "france_services"]
POPULATION_STEPS = (500, 1000, 2000, 3500, 5000, 10_000, 20_000, 50_000)
INTEGER_COLUMNS = (
    "Population de la commune",
    "France services dans la commune",
    "Habitants couverts par ce seul site",
    "Habitants nouvellement couverts",
    "Communes nouvellement couvertes",
    "Habitants de territoires prioritaires nouvellement couverts",
    "Communes ACV atteintes",
    "Communes PVD atteintes",
    "QPV atteints",
)

filters = current_filters()
data = atlas()
scope = filters.scope
radius = fr_radius(filters.radius_km)

st.title("Simulateur d'implantation")
scope_caption(filters)
st.markdown(
    f"Où de nouveaux tiers-lieux couvriraient-ils le plus d'habitants encore à plus de {radius} km "
    "d'un tiers-lieu (thèmes choisis), en donnant plus de poids aux territoires prioritaires ? "
    "Le simulateur résout un **problème de couverture maximale** : il choisit les communes "
    "d'implantation qui ajoutent le plus d'habitants couverts. Territoire, thèmes et distance se "
    "règlent dans le panneau de gauche."
)


def _coverage_metric(label: str, before: float, after: float, help_text: str | None = None) -> None:
    """A share after the scenario, with its gain in points and the share before (none when undefined)."""
    gain = after - before
    delta = None
    if np.isfinite(gain):
        delta = f"{fr_points(gain)} (avant : {fr_percent(before)})"
    st.metric(label, fr_percent(after), delta=delta, help=help_text)


def _save(summary: ScenarioSummary) -> None:
    saved: list[ScenarioSummary] = st.session_state.setdefault(SCENARIOS_KEY, [])
    if len(saved) < MAX_SCENARIOS:
        saved.append(summary)


def _remove(position: int) -> None:
    saved: list[ScenarioSummary] = st.session_state.setdefault(SCENARIOS_KEY, [])
    if 0 <= position < len(saved):
        saved.pop(position)


mode = url_choice(
    st.radio, "Mode", MODES, key="planner_mode", param="sim_mode", default="optimisation", horizontal=True
)
manual = mode == "manuel"
cols = st.columns([3, 2])
rule_kind = url_choice(
    cols[0].selectbox,
    "Communes où un tiers-lieu peut s'implanter",
    CANDIDATE_RULES,
    key="planner_candidates",
    param="sim_candidats",
    default="centres",
    help="Par défaut, les villes et bourgs où l'on vient déjà : centres d'équipements et de services "
    "(centralités ANCT – INRAE) au moins intermédiaires, ou communes ayant une France services, une Petite "
    "ville de demain ou une Action Cœur de Ville.",
)
if rule_kind in ("centres", "centralite"):
    centrality = int(
        url_choice(
            cols[1].selectbox,
            "Niveau d'équipements et de services, au moins",
            {level: CENTRALITY_LEVELS[level] for level in (1, 2, 3, 4)},
            key="planner_centrality",
            param="sim_centralite",
            default=DEFAULT_CENTRALITY,
            parse=int,
        )
    )
    rule = CandidateRule(rule_kind, centrality=centrality)
elif rule_kind == "population":
    min_population = int(
        url_choice(
            cols[1].select_slider,
            "Population minimale de la commune",
            {n: fr_number(n) for n in POPULATION_STEPS},
            key="planner_min_population",
            param="sim_pop_min",
            default=DEFAULT_MIN_POPULATION,
            parse=int,
        )
    )
    rule = CandidateRule(rule_kind, min_population=min_population)
else:
    rule = CandidateRule(rule_kind)
cols = st.columns(3)
weight = float(
    url_choice(
        cols[0].select_slider,
        "Poids d'un habitant de territoire prioritaire",
        WEIGHTS,
        key="planner_weight",
        param="sim_poids",
        default=1.0,
        parse=float,
        help="Territoires prioritaires : communes Action Cœur de Ville, Petites villes de demain ou "
        "comprenant un quartier prioritaire (QPV). Toute la population de la commune est pondérée, "
        "pas seulement celle du quartier.",
    )
)
url_backed("planner_n", "sim_sites", 5, allowed=list(range(1, MAX_SITES + 1)), parse=int)
n_sites = int(
    cols[1].number_input(
        "Nombre de nouveaux tiers-lieux",
        min_value=1,
        max_value=MAX_SITES,
        step=1,
        key="planner_n",
        disabled=manual,
    )
)
method = url_choice(
    cols[2].selectbox,
    "Méthode",
    METHOD_CHOICES,
    key="planner_method",
    param="sim_methode",
    default="auto",
    disabled=manual,
    help="Automatique : exacte si la taille du problème le permet, sinon gloutonne. "
    f"Exacte : optimum prouvé (programmation linéaire en nombres entiers, solveur HiGHS, limité à "
    f"{fr_number(DEFAULT_TIME_LIMIT_S)} s). "
    "Gloutonne : ajoute à chaque étape le site qui couvre le plus de nouveaux habitants ; "
    f"garantie d'atteindre au moins {fr_percent(GREEDY_GUARANTEE, 0)} de l'optimum, et une borne "
    "supérieure est calculée.",
)

warn_rejected_params()

problem_inputs = (scope, filters.themes, filters.radius_km, rule, weight)
problem_key = (data_token(), *problem_inputs)
try:
    with st.spinner("Préparation : habitants non couverts et communes à portée de chaque site candidat…"):
        problem = shared_result(
            "planning_problem",
            problem_inputs,
            lambda: planning_problem(
                data.communes,
                data.places,
                scope,
                themes=filters.themes,
                radius_km=filters.radius_km,
                rule=rule,
                priority_weight=weight,
            ),
        )
except NoDemandError as exc:
    st.info(str(exc))
    st.stop()
except AtlasError as exc:
    st.error(str(exc))
    st.stop()

result: PlanResult | None
if manual:
    candidates = problem.candidates
    labels = dict(
        zip(
            candidates["code_insee"],
            [
                f"{n} ({d}) – {fr_number(p)} hab."
                for n, d, p in zip(
                    candidates["nom"], candidates["dep"], candidates["population"], strict=True
                )
            ],
            strict=True,
        )
    )
    url_backed("planner_manual", "sim_choix", [], allowed=list(labels))
    chosen = list(st.session_state.get("planner_manual", []))
    shown = candidates["code_insee"].head(MAX_MANUAL_OPTIONS).tolist()
    options = shown + [code for code in chosen if code not in set(shown)]
    picked = st.multiselect(
        "Communes où implanter un tiers-lieu (dans l'ordre choisi)",
        options=options,
        format_func=labels.__getitem__,
        key="planner_manual",
        placeholder="Tapez le nom d'une commune…",
        select_all=False,  # Enter must add the commune typed, not every namesake « …-lès-Lavaur »
    )
    if len(candidates) > MAX_MANUAL_OPTIONS:
        st.caption(
            f"Liste limitée aux {fr_number(MAX_MANUAL_OPTIONS)} communes candidates les plus peuplées "
            f"(sur {fr_number(len(candidates))}) : choisissez un territoire plus petit pour accéder à toutes."
        )
    if not picked:
        st.info(
            "Choisissez une ou plusieurs communes candidates : le simulateur affiche le gain de "
            "couverture de chacune, dans l'ordre choisi."
        )
        result = None
    else:
        result = evaluate_sites(problem, list(picked))
else:
    result_key = (problem_key, n_sites, method)
    result = memo.get(("result", result_key))
    if result is None:
        status = st.status(f"Recherche des {fr_number(n_sites)} meilleures implantations…", expanded=False)
        with status:
            st.write(
                f"{fr_number(len(problem.candidates))} communes candidates, "
                f"{fr_number(len(problem.demand))} communes à couvrir."
            )
            if method != "greedy":
                limit = fr_number(DEFAULT_TIME_LIMIT_S)
                st.write(f"Optimisation exacte si la taille le permet (au plus {limit} s).")
            try:
                result = plan_expansion(problem, n_sites, method=method)
            except AtlasError as exc:
                status.update(label="Paramètres à corriger", state="error")
                st.error(str(exc))
                st.stop()
        elapsed = "moins de 0,1" if result.elapsed_s < 0.1 else fr_number(result.elapsed_s, 1)
        status.update(
            label=f"Scénario calculé en {elapsed} s (méthode {METHOD_LABELS[result.method]})",
            state="complete",
        )
        memo.put(("result", result_key), result)

if result is not None:
    parameters = {
        "Territoire, thèmes des tiers-lieux existants, distance": describe(filters),
        "Communes candidates": problem.rule_text,
        "Poids d'un habitant de territoire prioritaire": WEIGHTS[weight],
        "Mode": MODES[mode],
    }
    if not manual:
        parameters["Nombre de nouveaux sites demandés"] = fr_number(n_sites)
        parameters["Méthode demandée"] = METHODS[method]
    export_parameters = {
        **parameters,
        "Méthode utilisée": f"{METHOD_LABELS[result.method]} ({result_quality(result)})",
    }
    if result.upper_bound is not None:
        export_parameters["Borne supérieure de l'optimum (habitants pondérés)"] = fr_number(
            result.upper_bound
        )

    number = st.session_state.get("planner_counter", 0) + 1
    label = f"Scénario {number} — " + (
        "choix manuel" if manual else f"{fr_count(len(result.sites), 'site')}, {METHOD_LABELS[result.method]}"
    )
    summary = scenario_summary(result, label, parameters)
    cols = st.columns(4)
    with cols[0]:
        metric(
            "Habitants nouvellement couverts",
            fr_number(result.new_population),
            help_text=f"Dont {fr_number(summary.priority_new)} en territoires prioritaires ; "
            f"{fr_count(len(result.sites), 'site')}, "
            + fr_count(
                len(result.newly_covered), "commune nouvellement couverte", "communes nouvellement couvertes"
            )
            + ".",
        )
    with cols[1]:
        _coverage_metric(
            f"Population à moins de {radius} km",
            result.share_before,
            result.share_after,
            help_text=f"{fr_number(result.covered_before)} → {fr_number(result.covered_after)} habitants sur "
            f"{fr_number(result.population)} (population municipale 2023).",
        )
    with cols[2]:
        _coverage_metric(
            PRIORITY_SHARE_LABEL,
            summary.priority_share_before,
            summary.priority_share_after,
            help_text="Part des habitants des communes ACV, PVD ou comprenant un QPV qui vivent à moins de "
            f"{radius} km d'un tiers-lieu : une part d'habitants, pas de communes (la page Zones blanches, "
            "elle, compte des communes).",
        )
    with cols[3]:
        metric(
            "Méthode",
            METHOD_SHORT[result.method],
            help_text=f"{METHOD_LABELS[result.method]} : {result_quality(result)}.",
        )

    if result.method == "exact" and result.optimal:
        st.caption(
            "Optimum prouvé par le solveur HiGHS : aucun autre choix de communes candidates ne couvre "
            "davantage d'habitants pondérés."
        )
    elif result.upper_bound is not None:
        st.caption(
            f"Solution {METHOD_LABELS[result.method]} : {result_quality(result)} (borne supérieure prouvée : "
            f"{fr_number(result.upper_bound)} habitants pondérés, contre {fr_number(result.objective)} "
            "atteints). "
            f"La méthode gloutonne garantit toujours au moins {fr_percent(GREEDY_GUARANTEE, 0)} de l'optimum."
        )
    else:
        st.caption(
            "Chaque commune choisie est évaluée après les précédentes : « nouvellement couverts » compte les "
            "habitants qu'elle ajoute, « couverts par ce seul site » ceux qu'elle couvrirait seule."
        )
    if weight > 0 and not manual:
        st.caption(
            f"Valeur optimisée : {fr_number(result.objective)} habitants pondérés (un habitant de territoire "
            f"prioritaire compte {WEIGHTS[weight].split(' ')[0]})."
        )
    if result.note:
        st.info(result.note)
    st.caption(f"**Communes candidates** : {problem.rule_text}.")
    if scope.types:
        st.caption(
            f"Habitants à couvrir : ceux des {scope.types.describe()} du territoire ; les implantations "
            "possibles suivent la règle ci-dessus dans tout le territoire."
        )

    left = result.still_uncovered
    st.subheader("Carte du scénario")
    plan = result
    show_map(
        lambda: scenario_map(problem, plan, outlines=context_outlines(scope), basemap=filters.basemap),
        key="planner_map",
        inputs=(*problem_inputs, filters.basemap, mode, tuple(plan.sites["code_insee"])),
        title=f"Carte des implantations proposées — {describe(filters)}",
        description=f"les {fr_count(len(plan.sites), 'commune proposée', 'communes proposées')}, la distance "
        "couverte autour de chacune, les tiers-lieux existants et les communes qui restent non couvertes. "
        "Les mêmes communes sont dans le tableau « Implantations proposées » sous la carte.",
    )
    left_text = (
        f"{fr_count(len(left), 'commune')} ({fr_count(int(left['population'].sum()), 'habitant')}) "
        f"toujours à plus de {radius} km d'un tiers-lieu après le scénario"
    )
    left_note = (
        f"Petits points violets : les {left_text}."
        if len(left) <= UNCOVERED_MAP_LIMIT
        else f"Les {left_text} sont trop nombreuses pour la carte : choisissez une région pour les voir "
        "(elles sont dans l'export GeoJSON)."
    )
    caption_sources(
        SOURCES,
        note=f"{left_note} Distances à vol d'oiseau entre points représentatifs des communes : une "
        "commune est couverte entière ou pas du tout. QPV rattachés à leur commune ; thèmes par mots-clés "
        "indicatifs.",
    )

    st.subheader("Implantations proposées")
    table = sites_table(result)
    display = table.copy()
    for column in INTEGER_COLUMNS:
        if column in display:
            display[column] = [fr_number(v) for v in display[column]]
    st.dataframe(display, hide_index=True, width="stretch", key="planner_table")
    caption_sources(SOURCES)
    download_buttons(
        table,
        basename="simulateur_tiers_lieux",
        metadata=export_metadata(export_parameters, SOURCES),
        key="planner_export",
        geo=scenario_geodataframe(result),
    )

    saved: list[ScenarioSummary] = st.session_state.setdefault(SCENARIOS_KEY, [])
    already = any(s.parameters == summary.parameters and s.sites == summary.sites for s in saved)

    def _save_and_count() -> None:
        st.session_state["planner_counter"] = number
        _save(summary)

    st.button(
        "Enregistrer ce scénario pour le comparer",
        key="planner_save",
        on_click=_save_and_count,
        disabled=len(saved) >= MAX_SCENARIOS or already,
        help="Jusqu'à trois scénarios, conservés le temps de la session.",
    )
    if already:
        st.caption("Ce scénario est déjà enregistré.")
    elif len(saved) >= MAX_SCENARIOS:
        st.caption("Trois scénarios au plus : retirez-en un ci-dessous pour en enregistrer un autre.")

saved_scenarios: list[ScenarioSummary] = st.session_state.get(SCENARIOS_KEY, [])
if saved_scenarios:
    st.subheader("Comparer les scénarios enregistrés")
    columns = st.columns(len(saved_scenarios))
    for position, (column, scenario) in enumerate(zip(columns, saved_scenarios, strict=True)):
        with column:
            st.markdown(f"**{scenario.label}**")
            metric("Habitants nouvellement couverts", fr_number(scenario.new_population))
            _coverage_metric("Population couverte", scenario.share_before, scenario.share_after)
            _coverage_metric(
                PRIORITY_SHARE_LABEL,
                scenario.priority_share_before,
                scenario.priority_share_after,
            )
            st.caption("Sites : " + (", ".join(scenario.sites) or "aucun"))
            st.button("Retirer", key=f"planner_remove_{position}", on_click=_remove, args=(position,))
    comparison: pd.DataFrame = compare_scenarios(saved_scenarios)
    st.dataframe(comparison, width="stretch", key="planner_comparison")
    caption_sources(SOURCES, note="Chaque scénario garde les paramètres et la liste de lieux de son calcul.")
