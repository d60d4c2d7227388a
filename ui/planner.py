"""Sections of the « Simulateur » page: its parameters, the scenario's figures, map and table, and the
saved scenarios it compares (pages/planner.py calls them in order)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
    PlanningProblem,
    PlanResult,
    ScenarioSummary,
    candidate_labels,
    compare_scenarios,
    evaluate_sites,
    plan_expansion,
    result_quality,
    scenario_geodataframe,
    sites_table,
)
from geo.fmt import fr_count, fr_number, fr_percent, fr_points, fr_radius, french_styler
from geo.render.coveragemaps import UNCOVERED_MAP_LIMIT, scenario_map
from geo.typologies import CENTRALITY_LEVELS
from ui.components import caption_sources, download_buttons, export_metadata, metric, show_map
from ui.data import shared_result
from ui.maps import context_outlines
from ui.pages import describe
from ui.state import Filters, url_backed, url_choice

MODES = {"optimisation": "Optimisation automatique", "manuel": "Et si… (choix manuel des communes)"}
WEIGHTS = {0.0: "×1 (pas de bonus)", 0.5: "×1,5", 1.0: "×2", 2.0: "×3", 4.0: "×5"}
"""Extra weight of a priority inhabitant → label (its total weight)."""
PRIORITY_SHARE_LABEL = "Habitants des territoires prioritaires couverts"
METHOD_SHORT = {"exact": "Exacte", "greedy": "Gloutonne", "manual": "Choix manuel"}
MAX_SCENARIOS = 3
MAX_MANUAL_OPTIONS = 3000
"""The what-if list shows the most populous candidates only (a national list would be too heavy)."""
SCENARIOS_KEY = "planner_scenarios"
SOURCES = ["places", "communes", "acv", "pvd", "qpv", "typologies", "france_services"]
POPULATION_STEPS = (500, 1000, 2000, 3500, 5000, 10_000, 20_000, 50_000)


@dataclass(frozen=True)
class PlannerChoice:
    """What the user asked for, read from the page's widgets."""

    mode: str
    rule: CandidateRule
    weight: float
    n_sites: int
    method: str

    @property
    def manual(self) -> bool:
        return self.mode == "manuel"


def planner_choice() -> PlannerChoice:
    """The mode, candidate rule, priority weight, number of sites and method widgets."""
    mode = url_choice(
        st.radio, "Mode", MODES, key="planner_mode", param="sim_mode", default="optimisation", horizontal=True
    )
    rule = _candidate_rule()
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
            disabled=mode == "manuel",
        )
    )
    method = url_choice(
        cols[2].selectbox,
        "Méthode",
        METHOD_CHOICES,
        key="planner_method",
        param="sim_methode",
        default="auto",
        disabled=mode == "manuel",
        help="Automatique : exacte si la taille du problème le permet, sinon gloutonne. "
        f"Exacte : optimum prouvé (programmation linéaire en nombres entiers, solveur HiGHS, limité à "
        f"{fr_number(DEFAULT_TIME_LIMIT_S)} s). "
        "Gloutonne : ajoute à chaque étape le site qui couvre le plus de nouveaux habitants ; "
        f"garantie d'atteindre au moins {fr_percent(GREEDY_GUARANTEE, 0)} de l'optimum, et une borne "
        "supérieure est calculée.",
    )
    return PlannerChoice(mode, rule, weight, n_sites, method)


def _candidate_rule() -> CandidateRule:
    """The candidate rule and, beside it, its threshold (a centrality level or a population)."""
    cols = st.columns([3, 2])
    kind = url_choice(
        cols[0].selectbox,
        "Communes où un tiers-lieu peut s'implanter",
        CANDIDATE_RULES,
        key="planner_candidates",
        param="sim_candidats",
        default="centres",
        help="Par défaut, les villes et bourgs où l'on vient déjà : centres d'équipements et de services "
        "(centralités ANCT – INRAE) au moins intermédiaires, ou communes ayant une France services, une "
        "Petite ville de demain ou une Action Cœur de Ville.",
    )
    if kind in ("centres", "centralite"):
        centrality = url_choice(
            cols[1].selectbox,
            "Niveau d'équipements et de services, au moins",
            {level: CENTRALITY_LEVELS[level] for level in (1, 2, 3, 4)},
            key="planner_centrality",
            param="sim_centralite",
            default=DEFAULT_CENTRALITY,
            parse=int,
        )
        return CandidateRule(kind, centrality=int(centrality))
    if kind == "population":
        min_population = url_choice(
            cols[1].select_slider,
            "Population minimale de la commune",
            {n: fr_number(n) for n in POPULATION_STEPS},
            key="planner_min_population",
            param="sim_pop_min",
            default=DEFAULT_MIN_POPULATION,
            parse=int,
        )
        return CandidateRule(kind, min_population=int(min_population))
    return CandidateRule(kind)


def manual_result(problem: PlanningProblem) -> PlanResult | None:
    """The communes picked by hand, evaluated in the order picked (``None`` before any pick)."""
    candidates = problem.candidates
    labels = candidate_labels(candidates)
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
        return None
    return evaluate_sites(problem, list(picked))


def optimised_result(
    problem: PlanningProblem, problem_inputs: tuple[object, ...], choice: PlannerChoice
) -> PlanResult:
    """The best ``choice.n_sites`` sites, computed once for every session (a link sent to a council
    is solved once); ``problem_inputs`` are the inputs of the shared ``problem``."""
    status = st.status(f"Recherche des {fr_number(choice.n_sites)} meilleures implantations…", expanded=False)
    with status:
        st.write(
            f"{fr_number(len(problem.candidates))} communes candidates, "
            f"{fr_number(len(problem.demand))} communes à couvrir."
        )
        if choice.method != "greedy":
            st.write(
                f"Optimisation exacte si la taille le permet (au plus {fr_number(DEFAULT_TIME_LIMIT_S)} s)."
            )
        try:
            result = shared_result(
                "plan_expansion",
                (*problem_inputs, choice.n_sites, choice.method),
                lambda: plan_expansion(problem, choice.n_sites, method=choice.method),
            )
        except AtlasError as exc:
            status.update(label="Paramètres à corriger", state="error")
            st.error(str(exc))
            st.stop()
    elapsed = "moins de 0,1" if result.elapsed_s < 0.1 else fr_number(result.elapsed_s, 1)
    status.update(
        label=f"Scénario calculé en {elapsed} s (méthode {METHOD_LABELS[result.method]})", state="complete"
    )
    return result


def scenario_parameters(
    filters: Filters, problem: PlanningProblem, choice: PlannerChoice, result: PlanResult
) -> tuple[dict[str, str], dict[str, str]]:
    """The scenario's parameters in French, as saved with it, and as written in its exports."""
    parameters = {
        "Territoire, thèmes des tiers-lieux existants, distance": describe(filters),
        "Communes candidates": problem.rule_text,
        "Poids d'un habitant de territoire prioritaire": WEIGHTS[choice.weight],
        "Mode": MODES[choice.mode],
    }
    if not choice.manual:
        parameters["Nombre de nouveaux sites demandés"] = fr_number(choice.n_sites)
        parameters["Méthode demandée"] = METHODS[choice.method]
    exported = {
        **parameters,
        "Méthode utilisée": f"{METHOD_LABELS[result.method]} ({result_quality(result)})",
    }
    if result.upper_bound is not None:
        exported["Borne supérieure de l'optimum (habitants pondérés)"] = fr_number(result.upper_bound)
    return parameters, exported


def coverage_metric(label: str, before: float, after: float, help_text: str | None = None) -> None:
    """A share after the scenario, with its gain in points and the share before (none when undefined)."""
    gain = after - before
    delta = f"{fr_points(gain)} (avant : {fr_percent(before)})" if np.isfinite(gain) else None
    st.metric(label, fr_percent(after), delta=delta, help=help_text)


def result_metrics(result: PlanResult, summary: ScenarioSummary, radius_km: float) -> None:
    """New inhabitants covered, shares before → after (all and priority), the method."""
    radius = fr_radius(radius_km)
    communes = fr_count(
        len(result.newly_covered), "commune nouvellement couverte", "communes nouvellement couvertes"
    )
    cols = st.columns(4)
    with cols[0]:
        metric(
            "Habitants nouvellement couverts",
            fr_number(result.new_population),
            help_text=f"Dont {fr_number(summary.priority_new)} en territoires prioritaires ; "
            f"{fr_count(len(result.sites), 'site')}, {communes}.",
        )
    with cols[1]:
        coverage_metric(
            f"Population à moins de {radius} km",
            result.share_before,
            result.share_after,
            help_text=f"{fr_number(result.covered_before)} → {fr_number(result.covered_after)} habitants sur "
            f"{fr_number(result.population)} (population municipale 2023).",
        )
    with cols[2]:
        coverage_metric(
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


def scenario_map_section(
    filters: Filters, problem: PlanningProblem, result: PlanResult, inputs: tuple[object, ...]
) -> None:
    """The map of the proposed sites, and what it leaves uncovered."""
    radius = fr_radius(filters.radius_km)
    st.subheader("Carte du scénario")
    show_map(
        lambda: scenario_map(
            problem, result, outlines=context_outlines(filters.scope), basemap=filters.basemap
        ),
        key="planner_map",
        inputs=(*inputs, filters.basemap, tuple(result.sites["code_insee"])),
        title=f"Carte des implantations proposées — {describe(filters)}",
        description=f"les {fr_count(len(result.sites), 'commune proposée', 'communes proposées')}, la "
        "distance couverte autour de chacune, les tiers-lieux existants et les communes qui restent non "
        "couvertes. Les mêmes communes sont dans le tableau « Implantations proposées » sous la carte.",
    )
    left = result.still_uncovered
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


def sites_section(result: PlanResult, export_parameters: dict[str, str]) -> None:
    """The proposed sites, whole numbers French-formatted, and their exports (GeoJSON included)."""
    st.subheader("Implantations proposées")
    table = sites_table(result)
    st.dataframe(french_styler(table), hide_index=True, width="stretch", key="planner_table")
    caption_sources(SOURCES)
    download_buttons(
        table,
        basename="simulateur_tiers_lieux",
        metadata=export_metadata(export_parameters, SOURCES),
        key="planner_export",
        geo=scenario_geodataframe(result),
    )


def saved_scenarios() -> list[ScenarioSummary]:
    """The scenarios saved in this session (at most :data:`MAX_SCENARIOS`)."""
    saved: list[ScenarioSummary] = st.session_state.setdefault(SCENARIOS_KEY, [])
    return saved


def next_scenario_number() -> int:
    """The number the scenario shown will get if saved."""
    return int(st.session_state.get("planner_counter", 0)) + 1


def _save(summary: ScenarioSummary, number: int) -> None:
    saved = saved_scenarios()
    if len(saved) < MAX_SCENARIOS:
        st.session_state["planner_counter"] = number
        saved.append(summary)


def _remove(position: int) -> None:
    saved = saved_scenarios()
    if 0 <= position < len(saved):
        saved.pop(position)


def save_button(summary: ScenarioSummary, number: int) -> None:
    """Save the scenario shown for the comparison (disabled when saved already or when full)."""
    saved = saved_scenarios()
    already = any(s.parameters == summary.parameters and s.sites == summary.sites for s in saved)
    st.button(
        "Enregistrer ce scénario pour le comparer",
        key="planner_save",
        on_click=_save,
        args=(summary, number),
        disabled=len(saved) >= MAX_SCENARIOS or already,
        help="Jusqu'à trois scénarios, conservés le temps de la session.",
    )
    if already:
        st.caption("Ce scénario est déjà enregistré.")
    elif len(saved) >= MAX_SCENARIOS:
        st.caption("Trois scénarios au plus : retirez-en un ci-dessous pour en enregistrer un autre.")


def comparison_section() -> None:
    """The saved scenarios side by side, each with its button to remove it."""
    saved = saved_scenarios()
    if not saved:
        return
    st.subheader("Comparer les scénarios enregistrés")
    for position, (column, scenario) in enumerate(zip(st.columns(len(saved)), saved, strict=True)):
        with column:
            st.markdown(f"**{scenario.label}**")
            metric("Habitants nouvellement couverts", fr_number(scenario.new_population))
            coverage_metric("Population couverte", scenario.share_before, scenario.share_after)
            coverage_metric(
                PRIORITY_SHARE_LABEL, scenario.priority_share_before, scenario.priority_share_after
            )
            st.caption("Sites : " + (", ".join(scenario.sites) or "aucun"))
            st.button("Retirer", key=f"planner_remove_{position}", on_click=_remove, args=(position,))
    st.dataframe(compare_scenarios(saved), width="stretch", key="planner_comparison")
    caption_sources(SOURCES, note="Chaque scénario garde les paramètres et la liste de lieux de son calcul.")
