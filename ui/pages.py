"""Helpers every page starts with."""

from __future__ import annotations

import streamlit as st

from geo.analysis.indicators import KeyFigures, unlocated_note
from geo.analysis.thematic import SUPPORT_RULE, theme_support
from geo.fmt import NNBSP, fr_count, fr_radius
from geo.io.commune_points import CRITERION
from geo.territory import scope_label
from geo.themes import THEME_SHORT_LABELS
from ui.data import atlas
from ui.state import Filters


def current_filters() -> Filters:
    """The sidebar selection made by ``app.py`` in this run."""
    filters = st.session_state.get("filters")
    if not isinstance(filters, Filters):
        st.error("Les filtres ne sont pas initialisés : ouvrez l'application depuis sa page d'accueil.")
        st.stop()
    return filters


def theme_caution(filters: Filters) -> str:
    """French warning when a selected theme has too few places in the scope for a finding, else ``""``.

    Figures stay exact for the list held, but say more about the list than about the territory.
    """
    if not filters.themes:
        return ""
    places = atlas().places
    support = theme_support(places[filters.scope.mask(places)], filters.themes)
    thin = [s for s in support.values() if not s.sufficient]
    if not thin:
        return ""
    listing = " ; ".join(f"{THEME_SHORT_LABELS[s.theme]} : {s.verdict}" for s in thin)
    return (
        f"Thème aux données insuffisantes dans ce périmètre — {listing}. Les chiffres décrivent la liste "
        f"intégrée, pas le territoire : un constat demande {SUPPORT_RULE.describe()}."
    )


def scope_caption(filters: Filters) -> None:
    """The page's scope line (« Occitanie · thèmes : Fabrication · 10 km ») and its theme caution."""
    st.caption(describe(filters))
    caution = theme_caution(filters)
    if caution:
        st.warning(caution)


def approximate_points_note(figures: KeyFigures) -> str:
    """« 3 communes (12 000 habitants) ont un point approximatif… », for a scope's captions."""
    several = figures.communes_approximate > 1
    return (
        f"{fr_count(figures.communes_approximate, 'commune')} du périmètre "
        f"({fr_count(figures.population_approximate, 'habitant')}) "
        f"{'ont' if several else 'a'} un point représentatif peut-être éloigné de "
        f"{'leurs' if several else 'ses'} habitants ({CRITERION}) : "
        f"{'leurs distances sont approximatives' if several else 'ses distances sont approximatives'}. "
        "Détail : « À propos des données »."
    )


def scope_notes(figures: KeyFigures) -> None:
    """What the key figures of a scope rest on: no place of the themes inside it, communes without
    outline, communes whose point may be far from their inhabitants."""
    if figures.n_places == 0:
        st.info(
            "Aucun tiers-lieu de ces thèmes n'est situé dans ce périmètre ; la couverture tient compte "
            "des tiers-lieux des territoires voisins."
        )
    if figures.communes_unlocated:
        st.caption(unlocated_note(figures.communes_unlocated))
    if figures.communes_approximate:
        st.caption(approximate_points_note(figures))


def empty_scope_message(filters: Filters) -> str:
    """What to do when the sidebar selects no commune (« choisissez un autre territoire… »)."""
    if filters.scope.types:
        return (
            "Aucune commune de ces types dans ce territoire : élargissez les « Types de communes » ou "
            "choisissez un autre territoire dans le panneau de gauche."
        )
    return "Aucune commune dans ce périmètre : choisissez un autre territoire dans le panneau de gauche."


def describe(filters: Filters) -> str:
    """« Occitanie · thèmes : Fabrication · 10 km » for titles and exports."""
    themes = ", ".join(THEME_SHORT_LABELS[t] for t in filters.themes) or "tous thèmes"
    radius = fr_radius(filters.radius_km)
    return f"{scope_label(filters.scope, atlas().communes)} · {themes} · {radius}{NNBSP}km"
