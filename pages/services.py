"""Services publics: France services that could host a tiers-lieu, and rural communes far from both."""

from __future__ import annotations

import folium
import streamlit as st

from geo._errors import AtlasError
from geo.analysis.gaps import scope_places
from geo.analysis.services import (
    HOST_PHRASES,
    HOST_PROGRAMMES,
    METHOD_NOTE,
    SERVICE_LISTS,
    SERVICE_RANKINGS,
    double_gap_candidates,
    double_gaps,
    france_services_coverage,
    france_services_gaps,
    programme_hosts,
    scope_france_services,
    services_export_table,
    services_summary,
)
from geo.fmt import fr_km, fr_number, fr_percent, fr_radius
from geo.render.coveragemaps import services_map
from geo.typologies import RURAL_DEFINITION
from ui.components import caption_sources, download_buttons, export_metadata, metric, show_map
from ui.data import atlas, shared_result
from ui.maps import context_outlines
from ui.pages import current_filters, describe, scope_caption, theme_caution
from ui.state import (
    RADIUS_CHOICES,
    page_section,
    parse_flag,
    select_rural_communes,
    url_backed,
    url_choice,
    warn_rejected_params,
)

TABLE_ROWS = 200
SOURCES = ["france_services", "places", "communes", "typologies", "pvd", "acv"]
DEFAULT_SERVICES_RADIUS_KM = 10


filters = current_filters()
data = atlas()
radius = fr_radius(filters.radius_km)

st.title("Services publics")
scope_caption(filters)
st.markdown(
    "France services et tiers-lieux côte à côte : quelles **France services** pourraient accueillir un "
    f"tiers-lieu (aucun à moins de {radius} km), quelles **communes rurales** sont loin des deux, quelles "
    "**Petites villes de demain** et **Action Cœur de Ville** ont une France services mais pas de tiers-lieu."
)

columns = st.columns([3, 2])
kind = url_choice(
    columns[0].radio, "Liste", SERVICE_LISTS, key="services_list", param="liste", default="france_services"
)
url_backed(
    "services_radius",
    "rayon_fs",
    DEFAULT_SERVICES_RADIUS_KM,
    allowed=list(RADIUS_CHOICES),
    parse=int,
)
services_radius = float(
    columns[1].select_slider(
        "Distance à la France services la plus proche (km, à vol d'oiseau)",
        options=list(RADIUS_CHOICES),
        key="services_radius",
        help="Pour les doubles zones blanches : une commune rurale en est une quand aucun tiers-lieu n'est "
        "à moins de la distance du panneau de gauche et aucune France services à moins de celle-ci.",
    )
)
columns = st.columns([2, 3])
programme = url_choice(
    columns[0].selectbox,
    "Communes d'accueil des France services",
    HOST_PROGRAMMES,
    key="services_programme",
    param="commune_programme",
    default="tous",
    disabled=kind != "france_services",
)
rank_by = url_choice(
    columns[1].radio,
    "Classer les France services par",
    SERVICE_RANKINGS,
    key="services_rank",
    param="classement_fs",
    default="population",
    disabled=kind != "france_services",
)
warn_rejected_params()
if not filters.scope.types.densite:
    st.button(
        "Ne garder que les communes rurales",
        key="services_rural_only",
        on_click=select_rural_communes,
        args=(filters.scope.zone,),
        help=f"Règle le filtre « Types de communes » du panneau de gauche. Rural : {RURAL_DEFINITION}.",
    )

both = (*filters.analysis, services_radius)
try:
    services = shared_result(
        "france_services_coverage",
        filters.analysis,
        lambda: france_services_coverage(data, filters.scope, filters.themes, filters.radius_km),
    )
    rural = shared_result(
        "double_gap_candidates",
        both,
        lambda: double_gap_candidates(
            data, filters.scope, filters.themes, filters.radius_km, services_radius_km=services_radius
        ),
    )
    doubles = shared_result(
        "double_gaps",
        both,
        lambda: double_gaps(
            data, filters.scope, filters.themes, filters.radius_km, services_radius_km=services_radius
        ),
    )
except AtlasError as exc:
    st.error(str(exc))
    st.stop()
gaps = shared_result(
    "france_services_gaps",
    (*filters.analysis, programme, rank_by),
    lambda: france_services_gaps(services, programme=programme, rank_by=rank_by),
)
hosts = shared_result("programme_hosts", filters.analysis, lambda: programme_hosts(services))

summary = services_summary(services, rural, doubles)
cols = st.columns(3)
with cols[0]:
    metric(
        f"France services sans tiers-lieu à moins de {radius} km",
        f"{fr_number(summary.services_without_place)} / {fr_number(summary.services)}",
        help_text="Structures France services du périmètre (toutes communes d'accueil) dont l'adresse est à "
        f"plus de {radius} km de tout tiers-lieu des thèmes choisis.",
    )
with cols[1]:
    metric(
        "Communes rurales loin des deux",
        f"{fr_number(summary.double_gap_communes)} / {fr_number(summary.rural_communes)}",
        help_text=f"{fr_number(summary.double_gap_population)} habitants "
        f"({fr_percent(summary.double_gap_share)} des habitants des communes rurales du périmètre) "
        f"à plus de {radius} km d'un tiers-lieu et de {fr_radius(services_radius)} km d'une France services.",
    )
with cols[2]:
    metric(
        "Communes PVD / ACV avec France services, sans tiers-lieu",
        fr_number(len(hosts)),
        help_text=f"Communes Petites villes de demain ou Action Cœur de Ville ayant au moins une France "
        f"services, dont aucune n'a de tiers-lieu à moins de {radius} km.",
    )
caption_sources(SOURCES, note=METHOD_NOTE)

rows = {"france_services": gaps, "double": doubles, "programmes": hosts}[kind]
if rows.empty:
    st.info(
        {
            "france_services": "Aucune France services de ces communes sans tiers-lieu à moins de "
            f"{radius} km.",
            "double": "Aucune commune rurale loin à la fois d'un tiers-lieu et d'une France services "
            "à ces distances.",
            "programmes": "Aucune commune PVD ou ACV ayant une France services sans tiers-lieu à proximité.",
        }[kind]
    )
    st.stop()

# Nationally the places would hide the list (and double the map's weight): drawn from the région down.
national = filters.scope.level == "zone" and filters.scope.zone == "metro"
st.subheader(SERVICE_LISTS[kind])
one = len(rows) < 2  # French: 0 and 1 take the singular
listed = {
    "france_services": f"France services {HOST_PHRASES[programme]} sans tiers-lieu à moins de {radius} km",
    "double": ("commune rurale" if one else "communes rurales")
    + f" à plus de {radius} km d'un tiers-lieu et de {fr_radius(services_radius)} km d'une France services",
    "programmes": ("commune Petite ville de demain" if one else "communes Petites villes de demain")
    + f" ou Action Cœur de Ville dont aucune France services n'a de tiers-lieu à moins de {radius} km",
}[kind]
order = (
    ""
    if one
    else f", classées par {SERVICE_RANKINGS[rank_by].split(' (')[0].lower()}"
    if kind == "france_services"
    else ", les plus peuplées d'abord"
)
st.markdown(f"**{fr_number(len(rows))}** {listed}{order}.")


def _map() -> folium.Map:
    places = scope_places(data, filters.scope.territory, filters.themes)
    context = scope_france_services(data, filters.scope)
    return services_map(
        kind,
        rows,
        places=places.iloc[0:0] if national else places,
        services=context.iloc[0:0] if national else context,
        themes=filters.themes,
        outlines=context_outlines(filters.scope),
        zone=filters.scope.zone,
        basemap=filters.basemap,
        places_source=data.places_source,
    )


show_map(
    _map,
    key="services_map",
    inputs=(filters, kind, services_radius, programme, rank_by),
    title=f"Carte : {SERVICE_LISTS[kind][:1].lower()}{SERVICE_LISTS[kind][1:]} — {describe(filters)}",
    description=f"{'la' if len(rows) == 1 else 'les'} {fr_number(len(rows))} {listed}"
    + ("" if national else ", et les tiers-lieux du territoire")
    + ". Les mêmes lignes sont dans la liste classée sous la carte.",
)
caption_sources(
    ["france_services", "places", "departements"],
    note="Gros cercles : la liste choisie ; cercles creux : localisation approximative. "
    + (
        "Tiers-lieux et France services non dessinés à l'échelle nationale : choisissez une région."
        if national
        else "Petits cercles : tiers-lieux des thèmes choisis du territoire."
    ),
)


@page_section
def _ranked_list() -> None:
    """The ranked list and its downloads: « show all rows » reruns this section only."""
    export = shared_result(
        "services_export",
        (*both, kind, programme, rank_by),
        lambda: services_export_table(kind, rows),
    )
    table = export.drop(columns="geometry")
    if len(table) > TABLE_ROWS:
        url_backed("services_all_rows", "liste_complete_fs", False, allowed=[True, False], parse=parse_flag)
        if not st.toggle(f"Afficher les {fr_number(len(table))} lignes", key="services_all_rows"):
            table = table.head(TABLE_ROWS)
            st.caption(
                f"Les {fr_number(TABLE_ROWS)} premières lignes du classement ; la liste complète "
                f"({fr_number(len(export))} lignes) est dans les fichiers à télécharger."
            )
    integers = [c for c in table.columns if c.startswith(("Population", "Habitants", "France services dans"))]
    styled = table.style.format(fr_number, subset=integers, na_rep="–")
    for column in (c for c in table.columns if c.startswith("Distance")):
        nothing = "aucune dans la zone" if "France services" in column else "aucun dans la zone"
        styled = styled.format(lambda v: fr_km(v * 1000), subset=[column], na_rep=nothing)
    st.dataframe(styled, hide_index=True, width="stretch", key="services_table")
    parameters = {
        "Page": "Services publics",
        "Liste": SERVICE_LISTS[kind],
        "Périmètre, thèmes, distance": describe(filters),
        **({"Avertissement": caution} if (caution := theme_caution(filters)) else {}),
        "Méthode": METHOD_NOTE,
    }
    if kind == "france_services":
        parameters["Communes d'accueil"] = HOST_PROGRAMMES[programme]
        parameters["Classement"] = SERVICE_RANKINGS[rank_by]
    if kind == "double":
        parameters["Distance à une France services"] = f"{fr_radius(services_radius)} km"
        parameters["Définition du rural"] = RURAL_DEFINITION
    download_buttons(
        export.drop(columns="geometry"),
        basename=f"services_publics_{kind}",
        metadata=export_metadata(parameters, SOURCES),
        key="services_download",
        geo=export,
    )


_ranked_list()
