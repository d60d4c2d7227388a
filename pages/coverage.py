"""Couverture: choropleth of a coverage indicator, places by theme, programme overlays, territory table."""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st

from geo._errors import AtlasError
from geo.analysis.gaps import qpv_location_short
from geo.analysis.indicators import (
    COVERAGE_INDICATORS,
    available_levels,
    coverage_table,
    territory_display,
)
from geo.analysis.typology_coverage import DIMENSIONS, typology_coverage
from geo.fmt import fr_number, fr_percent, fr_radius
from geo.io.commune_points import CRITERION
from geo.render.coveragemaps import OVERLAY_DATASETS, OVERLAYS, add_overlays, overlay_points
from geo.render.maps import SCHEMES
from geo.render.mapviews import add_places, indicator_map
from geo.territory import LEVELS, level_noun, scope_label
from geo.themes import without_places
from ui.after_map import below_first_map
from ui.components import caption_sources, download_buttons, export_metadata, metric, show_map
from ui.data import atlas, coverage_of_scope, shared_result
from ui.maps import areas_for, context_outlines
from ui.pages import (
    current_filters,
    describe,
    empty_scope_message,
    scope_caption,
    scope_notes,
    theme_caution,
)
from ui.state import page_section, url_choice, warn_rejected_params
from ui.typology import TYPOLOGY_SOURCES, rural_metrics, typology_chart_and_table

LEVEL_SOURCES = {"reg": "regions", "dep": "departements", "epci": "epci", "commune": "communes_polygons"}
DISTANCE_NOTE = (
    "Distances à vol d'oiseau depuis le point représentatif de chaque commune (un point situé "
    "à l'intérieur de la commune, pas forcément son centre-bourg) ; les tiers-lieux des territoires "
    "voisins comptent."
)

filters = current_filters()
data = atlas()
radius_text = fr_radius(filters.radius_km)

st.title("Couverture")
scope_caption(filters)

try:
    result = coverage_of_scope(*filters.analysis)
except AtlasError as exc:
    st.error(str(exc))
    st.stop()
figures = result.figures
if figures.population == 0:
    st.info(empty_scope_message(filters))
    st.stop()

cols = st.columns(4)
with cols[0]:
    metric("Tiers-lieux dans le périmètre", fr_number(figures.n_places))
with cols[1]:
    metric(
        f"Population à moins de {radius_text} km d'un tiers-lieu",
        fr_percent(figures.share_covered),
        help_text=f"{fr_number(figures.population_covered)} habitants sur {fr_number(figures.population)} "
        "(population municipale 2023).",
    )
with cols[2]:
    metric(
        f"Communes {without_places(filters.themes)} à moins de {radius_text} km",
        f"{fr_number(figures.communes_uncovered)} / {fr_number(figures.communes)}",
    )
with cols[3]:
    metric(f"Habitants à plus de {radius_text} km", fr_number(figures.population_uncovered))


def _map_choices() -> tuple[str, str, str, list[str]]:
    """The indicator, the level of territories, the classes and the overlays of the map."""
    columns = st.columns([3, 2, 2, 3])
    indicator_code = url_choice(
        columns[0].selectbox,
        "Indicateur",
        {code: indicator.title(filters.radius_km) for code, indicator in COVERAGE_INDICATORS.items()},
        key="cov_indicator",
        param="indicateur",
        default="places_per_100k",
    )
    level = url_choice(
        columns[1].selectbox,
        "Échelle",
        {code: LEVELS[code] for code in available_levels(filters.scope)},
        key="cov_level",
        param="niveau",
        default=filters.scope.detail_level,
        help="Les contours des communes ne sont proposés qu'à l'échelle d'un département ou moins.",
    )
    scheme = url_choice(
        columns[2].selectbox,
        "Classes de la carte",
        SCHEMES,
        key="cov_scheme",
        param="classes",
        default="quantiles",
    )
    overlays = url_choice(
        columns[3].multiselect,
        "Couches à superposer",
        OVERLAYS,
        key="cov_layers",
        param="couches",
        default=[],
        placeholder="Aucune",
    )
    warn_rejected_params()
    return indicator_code, level, scheme, list(overlays)


def _coverage_map(
    table: pd.DataFrame, indicator_code: str, level: str, scheme: str, overlays: list[str]
) -> None:
    """The indicator by territory, the places by theme and the overlays, with the map's sources."""
    indicator = COVERAGE_INDICATORS[indicator_code]
    title = indicator.title(filters.radius_km)

    def _map() -> folium.Map:
        areas = areas_for(level, table.index.tolist())
        values = table.reindex(areas["code"])
        m = indicator_map(
            areas,
            values[indicator_code].reset_index(drop=True),
            title=indicator.short_label,
            formatter=indicator.text,
            tooltip={
                LEVELS[level]: values["nom"].tolist(),
                title: [indicator.text(v) for v in values[indicator_code]],
                "Tiers-lieux": [fr_number(v) for v in values["places"]],
                f"Population à moins de {radius_text} km": [fr_percent(v) for v in values["share_covered"]],
            },
            outlines=context_outlines(filters.scope, areas_level=level),
            zone=filters.scope.zone,
            basemap=filters.basemap,
            scheme=scheme,
        )
        add_places(m, result.places, filters.themes, source_label=data.places_source)
        add_overlays(m, data, filters.scope, overlays)
        return m

    show_map(
        _map,
        key="cov_map",
        inputs=(filters, indicator_code, level, scheme, tuple(overlays)),
        title=f"Carte : {title.lower()} par {level_noun(level)} — {describe(filters)}",
        description=f"{title.lower()} de chaque {level_noun(level)} (couleurs, légende à droite), les "
        "tiers-lieux (points colorés par thème) et les calques choisis. Les mêmes chiffres sont dans le "
        f"tableau « Territoires » sous la carte.",
    )
    caption_sources(
        ["places", "communes", LEVEL_SOURCES[level], *(OVERLAY_DATASETS[o] for o in overlays)],
        note=f"{DISTANCE_NOTE} Cercles creux : lieux situés au centroïde de leur commune (approximatif) ; "
        f"{qpv_location_short(data)}. Classes : {SCHEMES[scheme].lower()}.",
    )
    empty_overlays = [OVERLAYS[o] for o in overlays if overlay_points(data, filters.scope, o).empty]
    if empty_overlays:
        st.info("Aucun élément dans ce périmètre pour : " + ", ".join(empty_overlays) + ".")


def _territory_table(table: pd.DataFrame, level: str, title: str) -> None:
    """The figures of every territory of the map, sortable, and their exports (GeoJSON with outlines)."""
    st.subheader(f"Territoires ({level_noun(level)})")
    st.caption("Cliquez sur un en-tête de colonne pour trier.")
    shown, styled = territory_display(table, level, filters.radius_km)
    st.dataframe(styled, hide_index=True, width="stretch", key="cov_table")
    export = shown.copy()
    export["Distance moyenne"] = (table["mean_distance_m"].to_numpy() / 1000).round(2)
    export = export.rename(columns={"Distance moyenne": "Distance moyenne (km, pondérée par la population)"})
    areas = areas_for(level, table.index.tolist())
    geo_export = areas.merge(export, left_on="code", right_on="Code").drop(columns="code")
    metadata = export_metadata(
        {
            "Page": "Couverture",
            "Périmètre, thèmes, distance": describe(filters),
            **({"Avertissement": caution} if (caution := theme_caution(filters)) else {}),
            "Échelle": LEVELS[level],
            "Indicateur de la carte": title,
            "Méthode": DISTANCE_NOTE,
            "Points approximatifs": f"« Communes au point approximatif » : {CRITERION}",
        },
        ["places", "communes", LEVEL_SOURCES[level], "commune_points"],
    )
    download_buttons(
        export, basename=f"couverture_{level}", metadata=metadata, key="cov_download", geo=geo_export
    )


@page_section
def _map_and_table() -> None:
    """The page's own widgets, its map and its table: a change here reruns this section only."""
    indicator_code, level, scheme, overlays = _map_choices()
    table = shared_result("coverage_table", (*filters.analysis, level), lambda: coverage_table(result, level))
    title = COVERAGE_INDICATORS[indicator_code].title(filters.radius_km)
    st.subheader(f"{title}, par {level_noun(level)}")
    _coverage_map(table, indicator_code, level, scheme, overlays)
    scope_notes(figures)
    _territory_table(table, level, title)


_map_and_table()


@page_section
def _by_type_of_territory() -> None:
    """Coverage by type of territory, with its typology selector: a change reruns this section only."""
    st.subheader("Par type de territoire")
    types = shared_result("typology_coverage", filters.analysis, lambda: typology_coverage(result))
    rural_metrics(types.rural, filters.radius_km)
    dimension = url_choice(
        st.selectbox,
        "Typologie",
        {code: spec.label for code, spec in DIMENSIONS.items()},
        key="cov_typology",
        param="typologie",
        default="densite",
        help="Chaque commune compte entière dans sa classe. Ruralités et massifs : communes rurales "
        "seulement.",
    )
    warn_rejected_params()
    type_table = typology_chart_and_table(
        types,
        dimension,
        inputs=("typology_coverage", filters.analysis),
        where=scope_label(filters.scope, data.communes),
        source=f"{data.places_source} ; {DIMENSIONS[dimension].source} ; INSEE, population municipale 2023",
        key="cov_types",
    )
    download_buttons(
        type_table,
        basename=f"couverture_par_type_{dimension}",
        metadata=export_metadata(
            {
                "Page": "Couverture — par type de territoire",
                "Périmètre, thèmes, distance": describe(filters),
                **({"Avertissement": caution} if (caution := theme_caution(filters)) else {}),
                "Typologie": DIMENSIONS[dimension].label,
                "Définition du rural": types.rural.definition,
                "Habitants ruraux à plus de la distance": (
                    f"{fr_number(types.rural.rural_population_uncovered)} sur "
                    f"{fr_number(types.rural.rural_population)} "
                    f"({fr_percent(types.rural.share_rural_uncovered)})"
                ),
                "Tiers-lieux situés en commune rurale": (
                    f"{fr_number(types.rural.rural_places)} sur {fr_number(types.rural.places)} "
                    f"({fr_percent(types.rural.share_places_rural)})"
                ),
                "Méthode": DISTANCE_NOTE,
            },
            TYPOLOGY_SOURCES,
        ),
        key="cov_types_download",
    )


below_first_map(_by_type_of_territory)
