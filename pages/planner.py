"""Simulateur: where would N new tiers-lieux cover the most inhabitants, priority territories first?"""

from __future__ import annotations

import streamlit as st

from geo._errors import AtlasError
from geo.analysis.planner import (
    NoDemandError,
    PlanResult,
    method_note,
    planning_problem,
    scenario_label,
    scenario_summary,
)
from geo.fmt import fr_number, fr_radius
from ui.data import atlas, shared_result
from ui.pages import current_filters, scope_caption
from ui.planner import (
    WEIGHTS,
    comparison_section,
    manual_result,
    next_scenario_number,
    optimised_result,
    planner_choice,
    result_metrics,
    save_button,
    scenario_map_section,
    scenario_parameters,
    sites_section,
)
from ui.state import warn_rejected_params

filters = current_filters()
data = atlas()
scope = filters.scope

st.title("Simulateur d'implantation")
scope_caption(filters)
st.markdown(
    f"Où de nouveaux tiers-lieux couvriraient-ils le plus d'habitants encore à plus de "
    f"{fr_radius(filters.radius_km)} km d'un tiers-lieu (thèmes choisis), en donnant plus de poids aux "
    "territoires prioritaires ? Le simulateur résout un **problème de couverture maximale** : il choisit "
    "les communes d'implantation qui ajoutent le plus d'habitants couverts. Territoire, thèmes et distance "
    "se règlent dans le panneau de gauche."
)

choice = planner_choice()
warn_rejected_params()

problem_inputs = (scope, filters.themes, filters.radius_km, choice.rule, choice.weight)
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
                rule=choice.rule,
                priority_weight=choice.weight,
            ),
        )
except NoDemandError as exc:
    st.info(str(exc))
    st.stop()
except AtlasError as exc:
    st.error(str(exc))
    st.stop()

result: PlanResult | None = (
    manual_result(problem) if choice.manual else optimised_result(problem, problem_inputs, choice)
)

if result is not None:
    parameters, export_parameters = scenario_parameters(filters, problem, choice, result)
    number = next_scenario_number()
    summary = scenario_summary(result, scenario_label(number, result), parameters)
    result_metrics(result, summary, filters.radius_km)
    st.caption(method_note(result))
    if choice.weight > 0 and not choice.manual:
        st.caption(
            f"Valeur optimisée : {fr_number(result.objective)} habitants pondérés (un habitant de territoire "
            f"prioritaire compte {WEIGHTS[choice.weight].split(' ')[0]})."
        )
    if result.note:
        st.info(result.note)
    st.caption(f"**Communes candidates** : {problem.rule_text}.")
    if scope.types:
        st.caption(
            f"Habitants à couvrir : ceux des {scope.types.describe()} du territoire ; les implantations "
            "possibles suivent la règle ci-dessus dans tout le territoire."
        )
    scenario_map_section(filters, problem, result, (*problem_inputs, choice.mode))
    sites_section(result, export_parameters)
    save_button(summary, number)

comparison_section()
