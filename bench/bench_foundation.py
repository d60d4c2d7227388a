"""Foundation benchmarks: dataset load times, overview rerun, map payload vs a naive map, cold start."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from typing import Any
from unittest import mock

import folium

from bench.common import ROOT, Row, apptest_rerun_ms, map_payload_bytes, median_seconds
from geo.analysis.indicators import scope_coverage, territory_table
from geo.fmt import fr_number
from geo.io.atlas import load_atlas, load_commune_polygons
from geo.io.catalog import DATASETS
from geo.io.datasets import read_dataset
from geo.io.snapshot import CACHE_DIR_ENV
from geo.render.maps import display_geometries
from geo.render.mapviews import add_places, indicator_map
from geo.territory import Scope
from tests.e2e.helpers import CHROMIUM, FOLIUM_FRAME, TIMEOUT_MS, launch_chromium, streamlit_server

MB = 1024 * 1024


def _load_rows() -> list[Row]:
    rows = []
    for name in DATASETS:
        if not (ROOT / "data" / DATASETS[name].filename).exists():
            continue
        seconds = median_seconds(lambda n=name: read_dataset(n), repeat=3)
        rows.append(Row(f"Chargement « {name} »", 1000 * seconds, "ms"))
    seconds = median_seconds(load_atlas, repeat=3)
    rows.append(Row("Chargement de l'Atlas complet (validé, projeté)", 1000 * seconds, "ms"))
    return rows


def _national_map() -> folium.Map:
    atlas = load_atlas()
    result = scope_coverage(atlas, Scope(), (), 10)
    table = territory_table(result, "dep")
    areas = display_geometries(atlas.departements, 0.01).rename(columns={"dep": "code"})
    values = table.reindex(areas["code"])
    m = indicator_map(
        areas,
        values["places_per_100k"].reset_index(drop=True),
        title="Tiers-lieux / 100 000 hab.",
        formatter=str,
        tooltip={"Département": values["nom"].tolist(), "Tiers-lieux": values["places"].tolist()},
        outlines=areas.iloc[0:0],
        zone="metro",
        basemap="ign_plan",
    )
    add_places(m, result.places, (), source_label="")
    return m


def _naive_map() -> folium.Map:
    atlas = load_atlas()
    m = folium.Map(location=[46.6, 2.4], zoom_start=6)
    folium.GeoJson(load_commune_polygons().to_json()).add_to(m)
    for row in atlas.places.itertuples():
        folium.Marker([row.lat, row.lon], tooltip=row.name).add_to(m)
    return m


COLD_STARTS = 5
"""Server starts timed for the cold start's median (the machine's speed varies between them)."""


def _cold_start_seconds() -> tuple[float, float]:
    """Seconds from `make run` to the first map painted, in an already open headless Chromium
    (offline, no request intercepted) that opens the page as soon as the server answers its health
    check; then to the map and its legend seen by Playwright.

    The first time is when the map's frame tells the server that it has painted the map (the
    message its script sends after the next frame is drawn, :data:`ui.components.MAP_FRAME_SCRIPT`).
    The second comes later: the server then sends what the page held back under the map, and
    while the browser draws it, Playwright's checks inside the frame wait their turn.
    """
    from playwright.sync_api import sync_playwright

    painted: list[float] = []

    def on_websocket(websocket: Any) -> None:
        def on_sent(payload: str | bytes) -> None:
            if not painted and b'{"drawn"' in (payload if isinstance(payload, bytes) else payload.encode()):
                painted.append(time.perf_counter())

        websocket.on("framesent", on_sent)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, offline=True)
        page = browser.new_page()
        page.on("websocket", on_websocket)
        start = time.perf_counter()
        with streamlit_server(page_served=False) as url:
            page.goto(f"{url}/?fond=none")
            frame = page.frame_locator(FOLIUM_FRAME)
            frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
            frame.locator(".atlas-legend").first.wait_for(timeout=TIMEOUT_MS)
            seen = time.perf_counter() - start
        browser.close()
    if not painted:
        raise RuntimeError("the map's frame never said it had painted the map")
    return painted[0] - start, seen


def rows() -> list[Row]:
    result = _load_rows()
    state = {"radius": 10}

    def change_radius(at: object) -> None:
        state["radius"] = 15 if state["radius"] == 10 else 10
        at.select_slider(key="f_radius").set_value(state["radius"])  # type: ignore[attr-defined]

    result.append(
        Row(
            "Vue d'ensemble : rerun après changement de distance (médiane)",
            apptest_rerun_ms(None, change_radius),
            "ms",
            250,
        )
    )
    national = map_payload_bytes(_national_map()) / MB
    naive = map_payload_bytes(_naive_map()) / MB
    result.append(Row("Carte nationale : taille envoyée au navigateur", national, "Mo", 2.5))
    result.append(
        Row(
            "Carte naïve (1 Marker par lieu + toutes les communes)",
            naive,
            "Mo",
            note=f"× {naive / national:.0f} par rapport à la carte de l'Atlas",
        )
    )
    result.extend(_cold_start_rows())
    return result


def _cold_start_rows() -> list[Row]:
    """A restart (what ``.cache`` keeps from the previous start is read), then a first start."""
    if not CHROMIUM.exists():
        return []
    _cold_start_seconds()  # writes what a restart reads, if this code has not yet
    starts = [_cold_start_seconds() for _ in range(COLD_STARTS)]
    with tempfile.TemporaryDirectory() as empty, mock.patch.dict(os.environ, {CACHE_DIR_ENV: empty}):
        first, first_seen = _cold_start_seconds()
    seen = statistics.median(s for _, s in starts)
    return [
        Row(
            f"Démarrage à froid jusqu'à la carte dessinée (Chromium, médiane de {COLD_STARTS})",
            statistics.median(p for p, _ in starts),
            "s",
            3.0,
            note="redémarrage : Atlas validé et cartes gardés par le démarrage précédent (.cache) ; "
            "navigateur déjà ouvert ; serveur, script et carte sur les mêmes 2 cœurs ; cible du "
            f"ticket 17 : 4 s ; carte et légende vues par Playwright : {fr_number(seen, 2)} s",
        ),
        Row(
            "Premier démarrage, rien de gardé sur disque (Chromium)",
            first,
            "s",
            note="après une mise à jour du code, des bibliothèques ou des données ; "
            f"vue par Playwright : {fr_number(first_seen, 2)} s",
        ),
    ]
