"""Cached access to the datasets and results: the one place where caching lives.

Two kinds of cache, one rule: what depends only on the bundled data and on parameters is
computed once per process for every session (``st.cache_resource``, keyed on the data
version and small hashable inputs, bounded, read-only); what derives from a list a user
imported stays in that user's session state (bounded too) and is forgotten with the import.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.analysis.indicators import ScopeCoverage, scope_coverage
from geo.analysis.profile import ProfileBasis, profile_basis
from geo.analysis.thematic import ThemeDistances, theme_distances
from geo.io.atlas import Atlas, data_version, load_atlas, load_commune_polygons
from geo.io.datasets import ManifestEntry, local_data_dir, read_linkage_decisions, read_manifest
from geo.io.placement import CommuneLocator, commune_locator
from geo.io.snapshot import LIBRARIES, load_or_build, load_or_build_kept, stable_key
from geo.render.maps import display_geometries
from geo.territory import Scope, territory_options
from geo.typologies import typology_values

T = TypeVar("T")

VERSION_CHECK_S = 1.0
"""The data files are looked at (path and modification time of each) at most once a second: a page
run asks for the data version some twenty times; a refreshed file is seen within a second."""


@dataclass(frozen=True)
class _VersionCheck:
    at: float = float("-inf")
    folder: Path | None = None
    version: str = ""


_last_check = [_VersionCheck()]


def current_data_version() -> str:
    """:func:`geo.io.atlas.data_version`, read from disk at most every :data:`VERSION_CHECK_S`, and at
    once when the folder of refreshed data is another one (``ATLAS_LOCAL_DATA``)."""
    now, folder = time.monotonic(), local_data_dir()
    check = _last_check[0]
    if now - check.at >= VERSION_CHECK_S or folder != check.folder:
        check = _VersionCheck(now, folder, data_version())
        _last_check[0] = check  # one object: no reader pairs a new time with an old version
    return check.version


IMPORTED_PLACES_KEY = "imported_places"
"""Session-state key of a user's imported places (a :class:`SessionPlaces`)."""


@dataclass(frozen=True)
class SessionPlaces:
    """Places that replace the bundled list for one session, and how to name their source."""

    places: gpd.GeoDataFrame
    source_label: str


@st.cache_resource(show_spinner="Chargement des données…")
def _bundled_atlas(version: str) -> Atlas:
    # A refreshed file gives a new version, hence a new Atlas (and a new snapshot on disk).
    return load_or_build("atlas", version, load_atlas)


@st.cache_resource(show_spinner="Chargement des contours des communes…")
def _commune_polygons(version: str) -> gpd.GeoDataFrame:
    del version
    return load_commune_polygons()


def atlas() -> Atlas:
    """The Atlas of this session: bundled data, or the places a user imported in this session.

    The shared Atlas is read-only (``cache_resource``); an import is kept in this session's
    state only, so it never leaks to other users.
    """
    base = _bundled_atlas(current_data_version())
    imported = st.session_state.get(IMPORTED_PLACES_KEY)
    if imported is None:
        return base
    return _for_this_import(
        "_imported_atlas", lambda: base.with_places(imported.places, imported.source_label)
    )


def has_imported_places() -> bool:
    """Whether this session uses a list it imported (else the bundled or refreshed one)."""
    return st.session_state.get(IMPORTED_PLACES_KEY) is not None


_SESSION_RESULTS_KEY = "_session_results"
_DERIVED_FROM_IMPORT = ("_imported_atlas", "_theme_distances", _SESSION_RESULTS_KEY)


def use_import(imported: SessionPlaces | None) -> None:
    """Make ``imported`` this session's places (``None``: back to the bundled list) and forget
    what was computed from the previous import."""
    for key in _DERIVED_FROM_IMPORT:
        st.session_state.pop(key, None)
    if imported is None:
        st.session_state.pop(IMPORTED_PLACES_KEY, None)
    else:
        st.session_state[IMPORTED_PLACES_KEY] = imported


def _for_this_import(key: str, build: Callable[[], T]) -> T:
    """``build()`` for this session's imported places, kept in its state until the import changes."""
    imported = st.session_state.get(IMPORTED_PLACES_KEY)
    cached = st.session_state.get(key)
    if cached is not None and cached[0] is imported:
        value: T = cached[1]
        return value
    value = build()
    st.session_state[key] = (imported, value)
    return value


@st.cache_resource(show_spinner="Calcul des distances par thème…")
def _bundled_theme_distances(version: str) -> ThemeDistances:
    del version  # only part of the cache key
    return theme_distances(bundled_atlas())


def session_theme_distances() -> ThemeDistances:
    """Distances to the nearest place of each theme for the Atlas of this session.

    Shared by every session for the bundled data (read-only); kept in the session's state
    for a user's imported list, so that it never leaks to other users.
    """
    if st.session_state.get(IMPORTED_PLACES_KEY) is None:
        return _bundled_theme_distances(current_data_version())
    return _for_this_import("_theme_distances", lambda: theme_distances(atlas()))


@st.cache_resource(show_spinner="Préparation des fiches territoires…")
def _profile_basis(version: str) -> ProfileBasis:
    del version  # areas and names depend on the bundled territories, not on places
    return profile_basis(bundled_atlas(), commune_polygons())


def territory_profile_basis() -> ProfileBasis:
    """Search index, areas and densities of every territory (once per data version)."""
    return _profile_basis(current_data_version())


@st.cache_data(show_spinner=False, max_entries=512)
def _territory_choices(level: str, scope: Scope, version: str) -> dict[str, str]:
    del version  # only part of the cache key
    return territory_options(bundled_atlas().communes, level, scope)


def territory_choices(level: str, scope: Scope) -> dict[str, str]:
    """Territories of ``level`` in ``scope`` (code → name), computed once per scope (35 000 communes)."""
    return _territory_choices(level, scope, current_data_version())


@dataclass(frozen=True)
class SessionMemo:
    """The ``max_entries`` latest results of a page's computations, in this session's state only."""

    name: str
    max_entries: int

    def get(self, key: Hashable) -> Any:
        """The value kept for ``key``, or ``None``."""
        return st.session_state.setdefault(self.name, {}).get(key)

    def put(self, key: Hashable, value: object) -> None:
        """Keep ``value`` for ``key``, forgetting the oldest entry when full."""
        memo: dict[Hashable, object] = st.session_state.setdefault(self.name, {})
        while len(memo) >= self.max_entries:
            memo.pop(next(iter(memo)))
        memo[key] = value


def commune_polygons() -> gpd.GeoDataFrame:
    """Commune outlines (loaded on first use only)."""
    return _commune_polygons(current_data_version())


@st.cache_resource(show_spinner="Préparation de l'index des communes…")
def _commune_locator(version: str) -> CommuneLocator:
    del version
    base = bundled_atlas()
    return commune_locator(base.communes, commune_polygons(), base.communes_passage, base.communes_deleguees)


def commune_placement() -> CommuneLocator:
    """The communes under their spatial index, for the importer (shared, read-only)."""
    return _commune_locator(current_data_version())


@st.cache_resource(show_spinner=False)
def display_outlines(level: str, tolerance_deg: float, version: str) -> gpd.GeoDataFrame:
    """Outlines of ``level`` (``regions``, ``departements``, ``epci``) simplified for maps."""
    del version
    base = _bundled_atlas(current_data_version())
    frame = getattr(base, level)
    return display_geometries(frame, tolerance_deg)


def bundled_atlas() -> Atlas:
    """The shared Atlas without this session's import (the base an import is added to)."""
    return _bundled_atlas(current_data_version())


@st.cache_data(show_spinner=False, max_entries=2)
def _linkage_decisions(version: str) -> pd.DataFrame:
    del version
    return read_linkage_decisions()


def linkage_decisions() -> pd.DataFrame:
    """The record-linkage decisions of the places in use (refreshed or bundled)."""
    return _linkage_decisions(current_data_version())


@st.cache_data(show_spinner=False)
def _refresh_manifest(version: str) -> dict[str, ManifestEntry]:
    del version
    return read_manifest()


def refresh_manifest() -> dict[str, ManifestEntry]:
    """What ``make refresh`` wrote to the local data folder (``{}`` when nothing was refreshed)."""
    return _refresh_manifest(current_data_version())


SHARED_RESULTS_MAX = 96
"""Analysis results kept for every session (coverage of a scope, tables, profiles, plans…): the
largest, a national coverage, weighs ~10 MB, most a few hundred kB."""
SHARED_MAPS_MAX = 48
"""Serialised maps kept for every session: at most ~2.5 MB each (the bench checks it)."""
MAPS_KEPT_ON_DISK = 64
"""Serialised maps kept on disk between server starts (``.cache/maps``, the most recently used,
≤ 160 MB): a restarted server sends the maps it served before without building them again."""
_ROOT = Path(__file__).resolve().parents[1]
MAP_SOURCES = (_ROOT / "geo", _ROOT / "ui", _ROOT / "pages", _ROOT / "app.py")
"""The code a map is built by: a change to it makes the maps kept on disk unused."""
MAP_LIBRARIES = (*LIBRARIES, "folium", "branca", "jinja2", "streamlit-folium", "streamlit")
SESSION_RESULTS_MAX = 16
"""Results kept in one session's state for its imported list (maps and analyses together)."""


@st.cache_resource(show_spinner=False, max_entries=SHARED_RESULTS_MAX)
def _shared_results(name: str, inputs: Hashable, version: str, _build: Callable[[], Any]) -> Any:
    del name, inputs, version  # the cache key; ``_build`` is not hashed
    return _build()


@st.cache_resource(show_spinner=False, max_entries=SHARED_MAPS_MAX)
def _shared_maps(name: str, inputs: Hashable, version: str, _build: Callable[[], Any]) -> Any:
    key = stable_key((name, inputs))
    if key is None:
        return _build()
    return load_or_build_kept(
        "maps", key, version, _build, keep=MAPS_KEPT_ON_DISK, sources=MAP_SOURCES, libraries=MAP_LIBRARIES
    )


def shared_result(name: str, inputs: Hashable, build: Callable[[], T]) -> T:
    """``build()``, computed once for every session per data version and ``inputs``.

    ``inputs`` must hold every value ``build`` reads besides the data (sidebar filters, page
    widgets); the value returned is shared, so it is never modified in place. For a session
    that imported its own list, ``build()`` reads that list and its result stays in this
    session's state (:data:`SESSION_RESULTS_MAX` entries), never shared.
    """
    if st.session_state.get(IMPORTED_PLACES_KEY) is None:
        value: T = _shared_results(name, inputs, current_data_version(), build)
        return value
    return _session_result(name, inputs, build)


def shared_map(name: str, inputs: Hashable, build: Callable[[], T]) -> T:
    """A serialised map: like :func:`shared_result`, in a cache of its own (:data:`SHARED_MAPS_MAX`),
    also kept on disk between starts (:data:`MAPS_KEPT_ON_DISK`) when ``inputs`` has a
    :func:`~geo.io.snapshot.stable_key`."""
    if st.session_state.get(IMPORTED_PLACES_KEY) is None:
        value: T = _shared_maps(name, inputs, current_data_version(), build)
        return value
    return _session_result(f"map:{name}", inputs, build)


def _session_result(name: str, inputs: Hashable, build: Callable[[], T]) -> T:
    memo = SessionMemo(_SESSION_RESULTS_KEY, max_entries=SESSION_RESULTS_MAX)
    cached = memo.get((name, inputs))
    if cached is not None:
        value: T = cached
        return value
    value = build()
    memo.put((name, inputs), value)
    return value


def coverage_of_scope(scope: Scope, themes: tuple[str, ...], radius_km: float) -> ScopeCoverage:
    """:func:`geo.analysis.indicators.scope_coverage` of this session's Atlas, computed once (shared)."""
    return shared_result(
        "scope_coverage",
        (scope, themes, radius_km),
        lambda: scope_coverage(atlas(), scope, themes, radius_km),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _type_choices(zone: str, version: str) -> dict[str, list[object]]:
    del version  # only part of the cache key
    return typology_values(bundled_atlas().communes, zone)


def type_choices(zone: str) -> dict[str, list[object]]:
    """Typology → the classes present among the communes of ``zone``, in display order."""
    return _type_choices(zone, current_data_version())
