"""Vue d'ensemble: key figures, density map and coverage chart of the selected scope."""

from __future__ import annotations

import folium
import streamlit as st

from geo.analysis.gaps import qpv_location_short
from geo.analysis.indicators import territory_display, territory_table
from geo.analysis.typology_coverage import typology_coverage
from geo.fmt import fr_number, fr_percent, fr_radius
from geo.render.charts import coverage_bar_chart
from geo.render.mapviews import add_places, indicator_map
from geo.territory import LEVELS, level_noun, scope_label
from ui.after_map import below_first_map
from ui.components import caption_sources, metric, show_chart, show_map
from ui.data import atlas, coverage_of_scope, shared_result
from ui.maps import areas_for, context_outlines
from ui.pages import current_filters, describe, empty_scope_message, scope_caption, scope_notes
from ui.typology import rural_metrics, typology_chart_and_table

CHART_ROWS = 25
LEAST_COVERED = {
    "reg": "régions les moins couvertes",
    "dep": "départements les moins couverts",
    "epci": "EPCI les moins couverts",
    "commune": "communes les moins couvertes",
}

filters = current_filters()
data = atlas()
result = coverage_of_scope(*filters.analysis)
figures = result.figures
radius = fr_radius(filters.radius_km)

st.title("Vue d'ensemble")
scope_caption(filters)

if figures.population == 0:
    st.info(empty_scope_message(filters))
    st.stop()

cols = st.columns(3)
with cols[0]:
    metric("Tiers-lieux dans le périmètre", fr_number(figures.n_places))
with cols[1]:
    metric("Tiers-lieux pour 100 000 habitants", fr_number(figures.places_per_100k, 1))
with cols[2]:
    metric(
        f"Population à moins de {radius} km d'un tiers-lieu",
        fr_percent(figures.share_covered),
        help_text=f"{fr_number(figures.population_covered)} habitants sur {fr_number(figures.population)} "
        "(population municipale 2023), distance à vol d'oiseau depuis le point représentatif "
        "de chaque commune.",
    )
cols = st.columns(3)
with cols[0]:
    metric(
        "Communes Action Cœur de Ville couvertes",
        f"{fr_number(figures.acv_covered)} / {fr_number(figures.acv_total)}",
    )
with cols[1]:
    metric(
        "Communes Petites villes de demain couvertes",
        f"{fr_number(figures.pvd_covered)} / {fr_number(figures.pvd_total)}",
    )
with cols[2]:
    metric(
        "Quartiers prioritaires (QPV) couverts",
        f"{fr_number(figures.qpv_covered)} / {fr_number(figures.qpv_total)}",
        help_text=qpv_location_short(data) + ".",
    )
caption_sources(
    ["places", "communes", "acv", "pvd", "qpv"],
    note=f"Thèmes par mots-clés indicatifs ; lieux labellisés situés au centroïde de leur commune ; "
    f"{qpv_location_short(data)}.",
)
scope_notes(figures)

level = filters.scope.detail_level
table = shared_result("territory_table", (*filters.analysis, level), lambda: territory_table(result, level))
st.subheader(f"Tiers-lieux pour 100 000 habitants, par {level_noun(level)}")


def _map() -> folium.Map:
    areas = areas_for(level, table.index.tolist())
    values = table.reindex(areas["code"])
    m = indicator_map(
        areas,
        values["places_per_100k"].reset_index(drop=True),
        title="Tiers-lieux / 100 000 hab.",
        formatter=lambda v: fr_number(v, 1),
        tooltip={
            LEVELS[level]: values["nom"].tolist(),
            "Tiers-lieux": [fr_number(v) for v in values["places"]],
            "Pour 100 000 hab.": [fr_number(v, 1) for v in values["places_per_100k"]],
            f"Population à moins de {radius} km": [fr_percent(v) for v in values["share_covered"]],
        },
        outlines=context_outlines(filters.scope, areas_level=level),
        zone=filters.scope.zone,
        basemap=filters.basemap,
    )
    add_places(m, result.places, filters.themes, source_label=data.places_source)
    return m


show_map(
    _map,
    key="overview_map",
    inputs=filters,
    title=f"Carte : tiers-lieux pour 100 000 habitants par {level_noun(level)} — {describe(filters)}",
    description=f"la densité de tiers-lieux de chaque {level_noun(level)} (couleurs, légende à droite) "
    f"et les {fr_number(figures.n_places)} tiers-lieux du périmètre (points colorés par thème). Les mêmes "
    f"chiffres sont dans le tableau « Chiffres par {level_noun(level)} » sous la carte.",
)
caption_sources(
    ["places", "communes", "departements"],
    note="Cercles creux : lieux situés au centroïde de leur commune (approximatif).",
)


def _below_map() -> None:
    """The map's table, the coverage chart and the figures by type of territory."""
    with st.expander(f"Chiffres par {level_noun(level)} (tableau de la carte)"):
        st.dataframe(
            territory_display(table, level, filters.radius_km)[1], hide_index=True, key="overview_table"
        )

    shown = (
        f" — les {CHART_ROWS} {LEAST_COVERED[level]} sur {fr_number(len(table))}"
        if len(table) > CHART_ROWS
        else ""
    )
    fig = shared_result(
        "overview_chart",
        filters.analysis,
        lambda: coverage_bar_chart(
            table,
            reference_share=figures.share_covered,
            reference_label="Ensemble du périmètre",
            title=f"Part de la population à moins de {radius} km d'un tiers-lieu{shown} "
            f"— {describe(filters)}",
            source=f"{data.places_source} ; INSEE, population municipale 2023",
            max_rows=CHART_ROWS,
        ),
    )
    show_chart(fig, key="overview_chart")

    st.subheader("Par type de territoire")
    types = shared_result("typology_coverage", filters.analysis, lambda: typology_coverage(result))
    rural_metrics(types.rural, filters.radius_km)
    typology_chart_and_table(
        types,
        "densite",
        inputs=("typology_coverage", filters.analysis),
        where=scope_label(filters.scope, data.communes),
        source=f"{data.places_source} ; INSEE, grille communale de densité et population municipale 2023",
        key="overview_types",
    )
    st.caption("Centralités, ruralités et massifs, et les fichiers à télécharger : page « Couverture ».")


below_first_map(_below_map)
