"""Fiche territoire: profile of a commune, EPCI, département or région, briefing pack, presentation mode."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo._errors import AtlasError
from geo.analysis.profile import (
    DENSITY_NOTE,
    TerritoryProfile,
    gaps_table,
    key_figure_items,
    places_table,
    programmes_table,
    references_table,
    similar_table,
    territory_profile,
    theme_table,
)
from geo.analysis.typology_coverage import DIMENSIONS
from geo.render.briefing import (
    BriefingPack,
    briefing_pack,
    essentials,
    pack_subtitle,
    parameters_text,
    profile_map,
)
from geo.render.charts import comparison_chart, theme_chart
from geo.search import TerritorySearchError, resolve_territory, territory_by_key
from geo.themes import without_places
from ui.components import caption_sources, metric, show_chart, show_map
from ui.data import atlas, has_imported_places, shared_result, territory_profile_basis
from ui.pages import approximate_points_note, current_filters
from ui.state import url_backed
from ui.typology import rural_metrics, typology_chart_and_table

SOURCES = ["places", "communes", "acv", "pvd", "qpv", "france_services", "zrr"]
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stSidebarNav"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { max-width: 100% !important; padding: 1.5rem 3rem; }
[data-testid="stMetricValue"] { font-size: 3.2rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
h1 { font-size: 3rem !important; }
[data-testid="stMarkdownContainer"] li { font-size: 1.35rem; }
</style>
"""

filters = current_filters()
data = atlas()


basis = territory_profile_basis()


def _profile(key: str) -> TerritoryProfile:
    """The profile of ``key`` for the sidebar's themes and distance (computed once, shared)."""
    return shared_result(
        "territory_profile",
        (key, filters.themes, filters.radius_km),
        lambda: territory_profile(
            data,
            basis,
            territory_by_key(basis.index, key),
            themes=filters.themes,
            radius_km=filters.radius_km,
        ),
    )


def _pick(key: str) -> None:
    st.session_state["profile_territory"] = key
    st.session_state["profile_search_problem"] = None
    st.session_state["profile_search"] = ""


def _on_search() -> None:
    query = st.session_state.get("profile_search", "")
    if not query.strip():
        st.session_state["profile_search_problem"] = None
        return
    try:
        territory = resolve_territory(basis.index, query)
    except TerritorySearchError as exc:
        st.session_state["profile_search_problem"] = (str(exc), [(c.key, c.label) for c in exc.candidates])
        return
    except AtlasError as exc:
        st.session_state["profile_search_problem"] = (str(exc), [])
        return
    _pick(territory.key)


def _suggestion_buttons(candidates: list[tuple[str, str]], prefix: str) -> None:
    if not candidates:
        return
    columns = st.columns(min(4, len(candidates)))
    for index, (key, label) in enumerate(candidates):
        columns[index % len(columns)].button(
            label, key=f"{prefix}_{index}", on_click=_pick, args=(key,), width="stretch"
        )


def _pack_getter(profile: TerritoryProfile) -> Callable[[], BriefingPack]:
    """Build the pack on the first click only (then reuse it for the other buttons of this run)."""
    memo: dict[str, BriefingPack] = {}

    def get() -> BriefingPack:
        if "pack" not in memo:
            memo["pack"] = briefing_pack(basis, profile)
        return memo["pack"]

    return get


def _table(frame: pd.DataFrame, key: str) -> None:
    st.dataframe(frame, hide_index=True, width="stretch", key=key)


def _text_table(frame: pd.DataFrame) -> None:
    """A short table of sentences: every cell wraps and reads whole (a data grid would cut them)."""
    st.table(frame, hide_index=True, border="horizontal")


def _set_presentation(on: bool) -> None:
    # In this session: an imported list stays in use (a new tab would start a session without it).
    st.session_state["profile_presentation"] = "1" if on else ""


url_backed("profile_territory", "territoire", "")
url_backed("profile_presentation", "presentation", "", allowed=["", "1"])
presentation = st.session_state["profile_presentation"] == "1"
if presentation:
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    st.button(
        "Quitter le mode présentation",
        key="profile_exit_presentation",
        on_click=_set_presentation,
        args=(False,),
        icon=":material/close_fullscreen:",
    )
else:
    st.title("Fiche territoire")
    st.text_input(
        "Rechercher une commune, un EPCI, un département ou une région (nom ou code)",
        key="profile_search",
        placeholder="Ex. : Saint-Étienne, 42218, Hérault, 34, Métropole du Grand Paris, 200054781…",
        on_change=_on_search,
        help="Accents, tirets et majuscules sont ignorés ; les codes INSEE (communes, départements, "
        "régions) et SIREN (EPCI) sont acceptés.",
    )
    problem = st.session_state.get("profile_search_problem")
    if problem:
        st.warning(problem[0])
        _suggestion_buttons(problem[1], "profile_suggestion")
        # The sheet of the territory shown before the search would read as the answer: none until a pick.
        st.stop()

key = st.session_state["profile_territory"]
if not key and filters.scope.level != "zone":
    scope = filters.scope
    key = {"epci": f"epci:{scope.epci}", "dep": f"dep:{scope.dep}", "reg": f"reg:{scope.reg}"}[scope.level]
if not key:
    st.info(
        "Recherchez un territoire ci-dessus, ou choisissez une région, un département ou un EPCI dans le "
        "panneau de gauche."
    )
    st.stop()

try:
    profile = _profile(key)
except TerritorySearchError as exc:
    st.error(str(exc))
    _suggestion_buttons([(c.key, c.label) for c in exc.candidates], "profile_url_suggestion")
    st.stop()
except AtlasError as exc:
    st.error(str(exc))
    st.stop()

territory = profile.territory
approximations = (
    "Distances à vol d'oiseau depuis le point représentatif de chaque commune ; Fabriques et Manufactures "
    f"situées au centroïde de leur commune (approximatif) ; {profile.qpv_note} ; thèmes par mots-clés "
    "indicatifs."
)
figures = profile.figures
if presentation:
    st.title(territory.name)
    st.markdown(
        f"#### {pack_subtitle(profile)} — tiers-lieux : {profile.themes_label}, {profile.radius_label}"
    )
    st.caption(
        f"Liste de tiers-lieux importée dans cette session : {profile.places_source}."
        if has_imported_places()
        else f"Données intégrées à l'Atlas ({profile.places_source}) : aucune liste importée dans cette "
        "session."
    )
else:
    st.header(territory.name)
    st.caption(f"{pack_subtitle(profile)} · {parameters_text(profile)}")
    st.button(
        "Mode présentation (plein écran, sans commandes)",
        key="profile_enter_presentation",
        on_click=_set_presentation,
        args=(True,),
        icon=":material/open_in_full:",
        help="Pour projeter cette fiche : mêmes chiffres, en grand, avec la liste de tiers-lieux de "
        "cette session (import compris). L'adresse de la page reste partageable.",
    )

st.subheader("L'essentiel")
st.markdown("\n".join(f"- {finding.sentence}" for finding in essentials(profile)))

items = key_figure_items(profile)
per_row = 3
for start in range(0, len(items), per_row):
    columns = st.columns(per_row)
    for column, (label, value, help_text) in zip(columns, items[start : start + per_row], strict=False):
        with column:
            metric(label, value, help_text=None if presentation else (help_text or None))
caption_sources(SOURCES, note=approximations)
if figures.communes_approximate and not presentation:
    st.caption(approximate_points_note(figures))
if figures.n_places == 0 and profile.n_around == 0:
    st.info(
        f"Aucun tiers-lieu ({profile.themes_label}) dans ce territoire ni à moins de {profile.radius_label} "
        "de ses limites."
    )

st.subheader("Programmes publics")
_text_table(programmes_table(profile))

st.subheader("Type de territoire")
if filters.scope.types and not presentation:
    st.caption(
        "Le filtre « Types de communes » du panneau de gauche ne s'applique pas à la fiche : elle décrit "
        "tout le territoire, et sa répartition par type ci-dessous."
    )
if profile.commune_types is not None:
    _text_table(profile.commune_types)
    caption_sources(["typologies", "commune_points"])
elif profile.typology is not None:
    rural_metrics(profile.typology.rural, profile.radius_km)
    type_source = (
        f"{profile.places_source} ; INSEE, grille communale de densité et population municipale 2023"
    )
    profile_inputs = ("territory_profile", key, filters.themes, filters.radius_km)
    typology_chart_and_table(
        profile.typology,
        "densite",
        inputs=profile_inputs,
        where=territory.name,
        source=type_source,
        key="profile_types",
    )
    if not presentation:
        with st.expander("Par niveau d'équipements et de services, ruralité et massif"):
            for code in ("centralite", "ruralite", "massif"):
                st.markdown(f"**{DIMENSIONS[code].label}**")
                typology_chart_and_table(
                    profile.typology,
                    code,
                    inputs=profile_inputs,
                    where=territory.name,
                    source=type_source,
                    key=f"profile_types_{code}",
                    chart=False,
                )

missing = without_places(profile.themes)  # « sans lieu de fabrication »
st.subheader(f"Carte : le territoire et {profile.radius_label} alentour")
show_map(
    lambda: profile_map(basis, profile, basemap=filters.basemap),
    key="profile_map",
    inputs=(territory.key, filters.themes, filters.radius_km, filters.basemap),
    title=f"Carte de {profile.territory.name} et des tiers-lieux à moins de {profile.radius_label}",
    description=f"le contour du territoire, la limite de {profile.radius_label} autour (tirets), les "
    f"tiers-lieux (points colorés par thème) et les territoires prioritaires {missing} (numéros). Les mêmes "
    "lieux et priorités sont dans les listes de la fiche.",
    height=620 if presentation else 520,
)
caption_sources(
    ["places", "communes_polygons", "acv", "pvd", "qpv"],
    note="Cercles creux : lieux situés au centroïde de leur commune (approximatif). "
    f"Tirets : {profile.radius_label} autour du territoire. Numéros : rang dans la liste des priorités.",
)

st.subheader(
    f"Priorités : ACV, PVD et QPV {without_places(profile.themes)} à moins de {profile.radius_label}"
)
if len(profile.gaps):
    _table(gaps_table(profile), "profile_gaps")
else:
    st.success(f"Aucune commune ACV ou PVD ni aucun QPV du territoire n'est {missing} à cette distance.")
caption_sources(["acv", "pvd", "qpv"], note=profile.qpv_note + ".")

chart_source = f"{profile.places_source} ; INSEE, population municipale 2023"
st.subheader("Couverture par thème (indicatif)")
show_chart(theme_chart(profile, source=chart_source), key="profile_themes_chart")
if not presentation:
    _table(theme_table(profile), "profile_theme_table")
caption_sources(
    ["places", "communes"], note="Thèmes issus de la typologie, du label ou de mots-clés (indicatif)."
)

st.subheader("Comparaisons")
show_chart(comparison_chart(profile, source=chart_source), key="profile_comparison")
_table(references_table(profile), "profile_references")
st.caption(f"Territoires similaires — critères : {profile.similar_criteria}. {DENSITY_NOTE}")
if len(profile.similar):
    _table(similar_table(profile), "profile_similar")
else:
    st.info("Aucun territoire similaire selon ces critères.")

if not presentation:
    st.subheader("Tiers-lieux dans le territoire et alentour")
    if len(profile.places):
        _table(places_table(profile), "profile_places")
    else:
        st.info("Aucun tiers-lieu de ces thèmes dans le territoire ni alentour.")
    caption_sources(["places"], note="Distance au contour du territoire (0 à l'intérieur).")

    st.subheader("Dossier de présentation")
    st.markdown(
        "Un clic : PDF (6 pages au plus), diaporama PowerPoint (avec notes de l'orateur) et carte "
        "interactive autonome (HTML, lisible hors ligne), qui ouvrent sur « L'essentiel » : les mêmes "
        "chiffres que cette page, les mêmes listes dans les trois formats, les sources et la méthode."
    )
    get_pack = _pack_getter(profile)
    stem = f"fiche-territoire-{territory.level}-{territory.code}"
    downloads = (
        ("Dossier complet (ZIP)", lambda: get_pack().zip_bytes(), ".zip", "application/zip", "zip"),
        ("PDF", lambda: get_pack().pdf, ".pdf", "application/pdf", "pdf"),
        (
            "PowerPoint",
            lambda: get_pack().pptx,
            ".pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        ("Carte interactive (HTML)", lambda: get_pack().html, "-carte.html", "text/html", "html"),
    )
    for column, (label, content, suffix, mime, kind) in zip(st.columns(4), downloads, strict=True):
        column.download_button(
            label,
            content,
            file_name=f"{stem}{suffix}",
            mime=mime,
            key=f"profile_pack_{kind}",
            on_click="ignore",
            type="primary" if kind == "zip" else "secondary",
        )
else:
    st.caption(f"Sources et méthode : {parameters_text(profile)} {approximations}")
