"""« Thématiques » helpers: cached per-theme distances (once per places table), light export buttons."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from geo.atlas import Atlas, data_version
from geo.export import csv_bytes, xlsx_bytes
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


def export_buttons(table: pd.DataFrame, *, basename: str, metadata: Mapping[str, str], key: str) -> None:
    """CSV and Excel buttons like :func:`ui.components.download_buttons`, the Excel file built on click.

    Writing an Excel workbook takes ~0,1 s for a thousand rows: deferring it keeps the page
    rerun fast; the CSV (cheap) is built at once.
    """
    columns = st.columns(2)
    columns[0].download_button(
        "Télécharger (CSV)",
        csv_bytes(table, metadata),
        file_name=f"{basename}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        on_click="ignore",
    )
    columns[1].download_button(
        "Télécharger (Excel)",
        lambda: xlsx_bytes(table, metadata),
        file_name=f"{basename}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )
