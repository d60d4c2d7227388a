"""Cached access to the datasets: the one place where caching lives."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import streamlit as st

from geo.atlas import Atlas, data_version, load_atlas, load_commune_polygons
from geo.io import read_manifest
from geo.maps import display_geometries

IMPORTED_PLACES_KEY = "imported_places"
"""Session-state key of a user's imported places (a :class:`SessionPlaces`)."""


@dataclass(frozen=True)
class SessionPlaces:
    """Places that replace the bundled list for one session, and how to name their source."""

    places: gpd.GeoDataFrame
    source_label: str


@st.cache_resource(show_spinner="Chargement des données…")
def _bundled_atlas(version: str) -> Atlas:
    del version  # only part of the cache key: a refreshed file gives a new Atlas
    return load_atlas()


@st.cache_resource(show_spinner="Chargement des contours des communes…")
def _commune_polygons(version: str) -> gpd.GeoDataFrame:
    del version
    return load_commune_polygons()


def atlas() -> Atlas:
    """The Atlas of this session: bundled data, or the places a user imported in this session.

    The shared Atlas is read-only (``cache_resource``); an import is kept in this session's
    state only, so it never leaks to other users.
    """
    base = _bundled_atlas(data_version())
    imported = st.session_state.get(IMPORTED_PLACES_KEY)
    if imported is None:
        return base
    cached = st.session_state.get("_imported_atlas")
    if cached is not None and cached[0] is imported:
        return cached[1]
    session_atlas = base.with_places(imported.places, imported.source_label)
    st.session_state["_imported_atlas"] = (imported, session_atlas)
    return session_atlas


def commune_polygons() -> gpd.GeoDataFrame:
    """Commune outlines (loaded on first use only)."""
    return _commune_polygons(data_version())


@st.cache_resource(show_spinner=False)
def display_outlines(level: str, tolerance_deg: float, version: str) -> gpd.GeoDataFrame:
    """Outlines of ``level`` (``regions``, ``departements``, ``epci``) simplified for maps."""
    del version
    base = _bundled_atlas(data_version())
    frame = getattr(base, level)
    return display_geometries(frame, tolerance_deg)


def bundled_atlas() -> Atlas:
    """The shared Atlas without this session's import (the base an import is added to)."""
    return _bundled_atlas(data_version())


@st.cache_data(show_spinner=False)
def _refresh_manifest(version: str) -> dict[str, dict[str, object]]:
    del version
    return read_manifest()


def refresh_manifest() -> dict[str, dict[str, object]]:
    """What ``make refresh`` wrote to the local data folder (``{}`` when nothing was refreshed)."""
    return _refresh_manifest(data_version())
