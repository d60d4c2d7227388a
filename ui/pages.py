"""Helpers every page starts with."""

from __future__ import annotations

import streamlit as st

from geo.fmt import NNBSP, fr_radius
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


def describe(filters: Filters) -> str:
    """« Occitanie · thèmes : Fabrication · 10 km » for titles and exports."""
    themes = ", ".join(THEME_SHORT_LABELS[t] for t in filters.themes) or "tous thèmes"
    radius = fr_radius(filters.radius_km)
    return f"{scope_label(filters.scope, atlas().communes)} · {themes} · {radius}{NNBSP}km"
