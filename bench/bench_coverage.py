"""Coverage and zones blanches: national kernel, page reruns after a radius change, map payloads,
each next to its naive variant (a Python loop per commune, every commune outline on the map)."""

from __future__ import annotations

import itertools
import statistics
import time

import numpy as np
import pandas as pd

from bench.common import Row, map_payload_bytes, median_seconds
from geo.analysis.coverage import coverage_by_theme
from geo.analysis.gaps import priority_coverage
from geo.analysis.indicators import coverage_table, scope_coverage
from geo.fmt import fr_number
from geo.io.atlas import Atlas, load_atlas, load_commune_polygons
from geo.render.mapviews import add_places, indicator_map
from geo.territory import Scope
from geo.themes import THEMES

MB = 1024 * 1024
KERNEL_TARGET_MS = 100.0
RERUN_TARGET_MS = 250.0
PAYLOAD_TARGET_MB = 2.5
COVERAGE_PAGE = "pages/coverage.py"
GAPS_PAGE = "pages/gaps.py"


def _naive_kernel(atlas: Atlas, radius_km: float) -> dict[str, np.ndarray]:
    """Nearest distance per commune and set of places, one commune at a time (numpy per commune)."""
    communes = atlas.communes
    places = atlas.places
    sets = {"tous": places} | {t: places[places[f"theme_{t}"] != ""] for t in THEMES}
    result = {}
    for name, subset in sets.items():
        by_zone = {
            zone: group[["x_m", "y_m"]].to_numpy() for zone, group in subset.groupby("zone") if len(group)
        }
        distances = np.full(len(communes), np.inf)
        counts = np.zeros(len(communes), dtype=int)
        for i, (zone, x, y) in enumerate(
            zip(communes["zone"], communes["x_m"], communes["y_m"], strict=True)
        ):
            xy = by_zone.get(zone)
            if xy is None or np.isnan(x):
                continue
            d = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
            distances[i] = d.min()
            counts[i] = int((d <= radius_km * 1000).sum())
        result[name] = distances
    return result


def _kernel_rows(atlas: Atlas) -> list[Row]:
    kernel_s = median_seconds(
        lambda: coverage_by_theme(atlas.communes, atlas.places, 10, list(THEMES)), repeat=9
    )
    start = time.perf_counter()
    naive = _naive_kernel(atlas, 10)
    naive_s = time.perf_counter() - start
    fast = coverage_by_theme(atlas.communes, atlas.places, 10, list(THEMES))
    for name, distances in naive.items():
        np.testing.assert_allclose(fast[name]["distance_m"].to_numpy(), distances, atol=1e-6)
    n_communes, n_places = len(atlas.communes), len(atlas.places)
    scope_s = median_seconds(lambda: scope_coverage(atlas, Scope(), (), 10), repeat=7)
    gaps_s = median_seconds(lambda: priority_coverage(atlas, Scope(), (), 10), repeat=7)
    return [
        Row(
            f"Noyau national ({fr_number(n_communes)} communes × {fr_number(n_places)} lieux × 7 ensembles)",
            1000 * kernel_s,
            "ms",
            KERNEL_TARGET_MS,
            "cKDTree par zone, paires à moins de R calculées une fois",
        ),
        Row(
            "  variante naïve : boucle Python par commune",
            1000 * naive_s,
            "ms",
            note=f"× {naive_s / kernel_s:,.0f} plus lent, mêmes distances".replace(",", "\u202f"),
        ),
        Row("Couverture d'un périmètre national (scope_coverage)", 1000 * scope_s, "ms"),
        Row("Territoires prioritaires nationaux (ACV + PVD + QPV)", 1000 * gaps_s, "ms"),
    ]


def _open(page: str, query: dict[str, str]) -> object:
    from tests.app.conftest import open_app

    at = open_app(page, query, timeout=300)
    assert not at.exception, at.exception
    return at


def _rerun_ms(page: str, query: dict[str, str], *, repeat: int = 7) -> tuple[float, float]:
    """Median wall and CPU time (ms) of an AppTest rerun of ``page`` after a radius change (15 / 10 km).

    CPU time (of the whole process, script thread included) is given because the machine
    is shared: it shows the work done, the wall time what a user waits.
    """
    at = _open(page, query)
    radii = itertools.cycle([15, 10])
    walls, cpus = [], []
    for index in range(repeat + 1):
        at.select_slider(key="f_radius").set_value(next(radii))
        start, start_cpu = time.perf_counter(), time.process_time()
        at.run()
        if index:  # the first rerun is not timed
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - start_cpu)
        assert not at.exception, at.exception
    return 1000 * statistics.median(walls), 1000 * statistics.median(cpus)


def _payload_bytes(page: str, query: dict[str, str]) -> int:
    """Bytes of the map component the page sends to the browser (streamlit-folium arguments)."""
    at = _open(page, query)
    components = at.get("component_instance")
    return sum(len(c.proto.json_args.encode()) for c in components)


PAGE_CASES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("Couverture, France métropolitaine (départements)", COVERAGE_PAGE, {"fond": "none"}),
    (
        "Couverture, France métropolitaine, 4 couches",
        COVERAGE_PAGE,
        {"fond": "none", "couches": "acv,pvd,qpv,france_services"},
    ),
    ("Couverture, Hérault (communes)", COVERAGE_PAGE, {"fond": "none", "dep": "34", "niveau": "commune"}),
    ("Zones blanches, France métropolitaine", GAPS_PAGE, {"fond": "none"}),
    (
        "Zones blanches, Occitanie, fabrication, 15 km",
        GAPS_PAGE,
        {"fond": "none", "reg": "76", "themes": "fabrication"},
    ),
    ("Zones blanches, Hérault", GAPS_PAGE, {"fond": "none", "dep": "34"}),
)


def _page_rows() -> list[Row]:
    wall, cpu = _rerun_ms("pages/overview.py", {"fond": "none"})
    rows = [
        Row(
            "Référence : relance de la Vue d'ensemble après changement de distance",
            wall,
            "ms",
            note=f"CPU {cpu:.0f} ms ; même machine, même charge",
        )
    ]
    for label, page, query in PAGE_CASES:
        wall, cpu = _rerun_ms(page, query)
        rows.append(
            Row(
                f"Relance après changement de distance — {label}",
                wall,
                "ms",
                RERUN_TARGET_MS,
                f"CPU {cpu:.0f} ms",
            )
        )
    for label, page, query in PAGE_CASES:
        national = "France métropolitaine" in label
        rows.append(
            Row(
                f"Poids de la carte — {label}",
                _payload_bytes(page, query) / MB,
                "Mo",
                PAYLOAD_TARGET_MB if national else None,
            )
        )
    return rows


def _naive_map_rows(atlas: Atlas) -> list[Row]:
    """All commune outlines of France on one map (what the page refuses to do nationally)."""
    start = time.perf_counter()
    polygons = load_commune_polygons()
    metro = polygons[
        polygons["code_insee"].isin(atlas.communes.loc[atlas.communes["zone"] == "metro", "code_insee"])
    ]
    result = scope_coverage(atlas, Scope(), (), 10)
    table = coverage_table(result, "commune")
    values = table.reindex(metro["code_insee"])
    m = indicator_map(
        metro.rename(columns={"code_insee": "code"}).reset_index(drop=True),
        pd.Series(values["share_covered"].to_numpy()),
        title="Population couverte (%)",
        formatter=str,
        tooltip={"Commune": values["nom"].tolist(), "Part couverte": values["share_covered"].tolist()},
        outlines=metro.iloc[0:0],
        zone="metro",
        basemap="none",
    )
    add_places(m, result.places, (), source_label="")
    size = map_payload_bytes(m)
    seconds = time.perf_counter() - start
    return [
        Row(
            "  variante naïve : carte nationale de toutes les communes",
            size / MB,
            "Mo",
            note=f"{fr_number(len(metro))} contours ; construite et sérialisée en {seconds:,.1f} s".replace(
                ".", ","
            ),
        )
    ]


def rows() -> list[Row]:
    """Every measure of this topic (run with ``python -m bench.run coverage``)."""
    atlas = load_atlas()
    result = _kernel_rows(atlas)
    result += _page_rows()
    result += _naive_map_rows(atlas)
    return result


if __name__ == "__main__":
    from bench.run import print_table

    print_table(rows())
