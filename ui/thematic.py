"""« Thématiques » helper: per-theme distances, cached once per places table."""

from __future__ import annotations

import streamlit as st

from geo.atlas import Atlas, data_version
from geo.thematic import ThemeDistances, theme_distances
from ui.data import IMPORTED_PLACES_KEY, atlas

_SESSION_KEY = "_theme_distances"


@st.cache_resource(show_spinner="Calcul des distances par thème…")
def _bundled_theme_distances(version: str, _data: Atlas) -> ThemeDistances:
    del version  # only part of the cache key
    return theme_distances(_data)


def cached_theme_distances() -> ThemeDistances:
    """Distances to the nearest place of each theme for the Atlas of this session.

    Shared by every session for the bundled data (read-only); kept in the session's state
    for a user's imported list, so that it never leaks to other users.
    """
    data = atlas()
    imported = st.session_state.get(IMPORTED_PLACES_KEY)
    if imported is None:
        return _bundled_theme_distances(data_version(), data)
    cached = st.session_state.get(_SESSION_KEY)
    if cached is not None and cached[0] is imported:
        distances: ThemeDistances = cached[1]
        return distances
    distances = theme_distances(data)
    st.session_state[_SESSION_KEY] = (imported, distances)
    return distances
