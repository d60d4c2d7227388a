"""Zones blanches: ACV / PVD communes and QPV with no tiers-lieu of the selected themes within R km."""

from __future__ import annotations

import folium
import streamlit as st

from geo._errors import AtlasError
from geo.analysis.gaps import (
    EXPORT_COLUMNS,
    PROGRAMME_DATASETS,
    PROGRAMME_SHORT_LABELS,
    PROGRAMMES,
    RANKING_TITLES,
    RANKINGS,
    gap_summary,
    gaps_export_table,
    gaps_from_coverage,
    gaps_population,
    priority_coverage,
    qpv_location_note,
    scope_places,
)
from geo.fmt import fr_count, fr_km, fr_number, fr_percent, fr_radius
from geo.io.commune_points import CRITERION
from geo.render.coveragemaps import gaps_map
from geo.territory import scope_label
from geo.themes import without_places
from ui.components import caption_sources, download_buttons, export_metadata, metric, show_map
from ui.data import atlas, shared_result
from ui.maps import context_outlines
from ui.pages import current_filters, describe, scope_caption, theme_caution
from ui.state import page_section, parse_flag, url_backed, url_choice, warn_rejected_params

# Rows shown before « show all »: formatting thousands of cells the French way costs a rerun ~0.2 s.
TABLE_ROWS = 200


filters = current_filters()
data = atlas()
METHOD_NOTE = (
    "Distance à vol d'oiseau au tiers-lieu le plus proche (y compris hors du périmètre), depuis le "
    f"point représentatif de chaque commune (signalé approximatif : {CRITERION}) ; " + qpv_location_note(data)
)
radius_text = fr_radius(filters.radius_km)
missing = without_places(filters.themes)  # « sans lieu de fabrication »

st.title("Zones blanches")
scope_caption(filters)
st.markdown(
    f"Territoires prioritaires **{missing} à moins de {radius_text} km** "
    "(thèmes et territoire choisis dans le panneau de gauche)."
)

programmes = url_choice(
    st.multiselect,
    "Programmes",
    PROGRAMMES,
    key="gaps_programmes",
    param="programmes",
    default=list(PROGRAMMES),
    placeholder="Choisissez au moins un programme",
)
rank_by = url_choice(
    st.radio,
    "Classer par",
    RANKINGS,
    key="gaps_rank",
    param="classement",
    default="population",
    horizontal=True,
)

warn_rejected_params()

if not programmes:
    st.info("Choisissez au moins un programme (ACV, PVD ou QPV) pour lister ses zones blanches.")
    st.stop()

try:
    coverage = shared_result(
        "priority_coverage",
        (*filters.analysis, tuple(programmes)),
        lambda: priority_coverage(
            data, filters.scope, filters.themes, filters.radius_km, programmes=programmes
        ),
    )
except AtlasError as exc:
    st.error(str(exc))
    st.stop()
if coverage.empty:
    names = ", ".join(PROGRAMMES[p] for p in programmes)
    st.info(
        f"Aucun territoire des programmes choisis ({names}) dans "
        f"{scope_label(filters.scope, data.communes)} : élargissez le territoire ou ajoutez un programme."
    )
    st.stop()

inputs = (*filters.analysis, tuple(programmes), rank_by)
summary = shared_result("gap_summary", inputs, lambda: gap_summary(coverage))
gaps = shared_result("gaps", inputs, lambda: gaps_from_coverage(coverage, rank_by=rank_by))
population = gaps_population(gaps)

cols = st.columns(2)
with cols[0]:
    metric(
        f"Territoires prioritaires {missing} à moins de {radius_text} km",
        f"{fr_number(len(gaps))} / {fr_number(len(coverage))}",
        help_text="Une commune à la fois ACV et PVD compte une fois par programme.",
    )
with cols[1]:
    metric(
        "Habitants de ces communes",
        fr_number(population) if set(programmes) - {"qpv"} else "non disponible",
        help_text="Population municipale 2023 des communes ACV / PVD concernées, chacune comptée une fois "
        "(les QPV n'ont pas de population dans les données intégrées).",
    )
cols = st.columns(len(summary))
for col, (programme, row) in zip(cols, summary.iterrows(), strict=True):
    short = PROGRAMME_SHORT_LABELS[str(programme)]
    population_text = (
        f"{fr_number(row['population_gaps'])} habitants ({fr_percent(row['share_population_gaps'])} de la "
        f"population des communes {short} du périmètre)"
        if programme != "qpv"
        else "population non disponible pour les QPV"
    )
    share_text = f"{fr_percent(row['share_gaps'])} des {short} du périmètre ; {population_text}."
    with col:
        metric(
            f"{row['label']} {missing}",
            f"{fr_number(row['gaps'])} / {fr_number(row['total'])}",
            help_text=share_text,
        )
        st.caption(share_text)
caption_sources(["places", "communes", *(PROGRAMME_DATASETS[p] for p in programmes)], note=METHOD_NOTE)
unlocated = int(summary["unlocated"].sum())
if unlocated:
    st.caption(
        f"{fr_count(unlocated, 'territoire')} sans localisation : ni couverts, ni comptés comme zone blanche."
    )

if gaps.empty:
    st.info(
        f"Aucune zone blanche : tous les territoires prioritaires choisis ont au moins un tiers-lieu "
        f"de ces thèmes à moins de {radius_text} km. Réduisez la distance ou changez de thème pour affiner."
    )
    st.stop()

# Nationally the places would hide the gaps (and double the map's weight): drawn from the région down.
national = filters.scope.level == "zone" and filters.scope.zone == "metro"
st.subheader("Carte des zones blanches")


def _map() -> folium.Map:
    places = scope_places(data, filters.scope, filters.themes)
    return gaps_map(
        gaps,
        places=places.iloc[0:0] if national else places,
        themes=filters.themes,
        outlines=context_outlines(filters.scope),
        zone=filters.scope.zone,
        basemap=filters.basemap,
        places_source=data.places_source,
    )


show_map(
    _map,
    key="gaps_map",
    inputs=(filters, tuple(programmes), rank_by),
    title=f"Carte des zones blanches — {describe(filters)}",
    description=f"les {fr_number(len(gaps))} territoires prioritaires {missing} à moins de la distance "
    "choisie (symboles par programme) et les tiers-lieux du périmètre. Les mêmes territoires sont dans la "
    "liste classée sous la carte.",
)
places_note = (
    "Tiers-lieux non dessinés à l'échelle nationale : choisissez une région pour les voir."
    if national
    else "Petits cercles : tiers-lieux des thèmes choisis situés dans le périmètre."
)
caption_sources(
    ["places", *(PROGRAMME_DATASETS[p] for p in programmes), "departements"],
    note=f"Gros cercles : territoires {missing}. {places_note} "
    "Cercles creux : localisation approximative (QPV au centroïde de leur commune, commune dont le point "
    "représentatif peut être loin des habitants).",
)


@page_section
def _ranked_list() -> None:
    """The ranked list and its downloads: « show all rows » reruns this section only."""
    st.subheader(RANKING_TITLES[rank_by])
    export = shared_result("gaps_export", inputs, lambda: gaps_export_table(gaps))
    table = export.drop(columns=["geometry", EXPORT_COLUMNS["codes_insee"], EXPORT_COLUMNS["nom_dep"]])
    if len(table) > TABLE_ROWS:
        url_backed("gaps_all_rows", "liste_complete", False, allowed=[True, False], parse=parse_flag)
        show_all = st.toggle(f"Afficher les {fr_number(len(table))} lignes", key="gaps_all_rows")
        if not show_all:
            table = table.head(TABLE_ROWS)
            st.caption(
                f"Les {fr_number(TABLE_ROWS)} premières lignes selon le classement choisi ; la liste "
                f"complète ({fr_number(len(export))} territoires) est dans les fichiers à télécharger."
            )
    styled = table.style.format(
        fr_number, subset=[EXPORT_COLUMNS["population"]], na_rep="non disponible"
    ).format(lambda v: fr_km(v * 1000), subset=[EXPORT_COLUMNS["distance_km"]], na_rep="aucun dans la zone")
    st.dataframe(styled, hide_index=True, width="stretch", key="gaps_table")
    metadata = export_metadata(
        {
            "Page": "Zones blanches",
            "Périmètre, thèmes, distance": describe(filters),
            **({"Avertissement": caution} if (caution := theme_caution(filters)) else {}),
            "Programmes": ", ".join(PROGRAMMES[p] for p in programmes),
            "Classement": RANKINGS[rank_by],
            "Méthode": METHOD_NOTE,
        },
        ["places", "communes", *(PROGRAMME_DATASETS[p] for p in programmes)],
    )
    download_buttons(
        export.drop(columns="geometry"),
        basename="zones_blanches",
        metadata=metadata,
        key="gaps_download",
        geo=export,
    )


_ranked_list()
