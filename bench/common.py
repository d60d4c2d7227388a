"""Shared tools of the benchmark scripts: timing, AppTest reruns, payload sizes, a result row."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Row:
    """One benchmark line: what, measured value, unit, target (or comparison) and verdict."""

    name: str
    value: float
    unit: str
    target: float | None = None
    note: str = ""
    higher_is_better: bool = False
    """The target is a minimum (a throughput), not a maximum."""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        if self.higher_is_better:
            return "OK" if self.value >= self.target else "INSUFFISANT"
        return "OK" if self.value <= self.target else "DÉPASSÉ"


def median_seconds(function: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``function`` over ``repeat`` runs, after ``warmup`` untimed runs."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def apptest_rerun_ms(
    page: str | None,
    change: Callable[[object], object],
    *,
    repeat: int = 5,
    query: dict[str, str] | None = None,
) -> float:
    """Median time (ms) of an AppTest rerun of ``page`` after ``change(at)`` alters a widget.

    ``change`` receives the AppTest and must alter one widget (alternating values so that
    every rerun really recomputes); the first, cold run is not timed.
    """
    from tests.app.conftest import open_app

    at = open_app(page, query, timeout=300)
    times = []
    for index in range(repeat + 1):
        change_result = change(at)
        del change_result
        start = time.perf_counter()
        at.run()
        if index:
            times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return 1000 * statistics.median(times)


def map_payload_bytes(m: object) -> int:
    """Bytes the browser receives for a folium map through streamlit-folium (script + header + html)."""
    import folium
    from streamlit_folium import _get_header, _get_html, generate_leaflet_string

    from geo.render.maps import localize_assets

    assert isinstance(m, folium.Map)
    localize_assets(m)
    m.render()
    script = generate_leaflet_string(m)
    return len(script.encode()) + len(_get_header(m).encode()) + len(_get_html(m).encode())
