"""Assertions shared by the browser tests."""

from __future__ import annotations

from typing import Any

TIMEOUT_MS = 60_000

COUNT_POINTS_JS = """() => {
    if (typeof map_div === 'undefined') { return -1; }
    let n = 0;
    map_div.eachLayer(layer => {
        if (layer.feature && layer.feature.geometry && layer.feature.geometry.type === 'Point') { n++; }
    });
    return n;
}"""


def wait_for_app(page: Any) -> None:
    """Wait until Streamlit has finished running the script (no « Running » status)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stMain\"]')",
        timeout=TIMEOUT_MS,
    )


def assert_no_exception(page: Any) -> None:
    """No Streamlit exception box on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def map_frame(page: Any, index: int = 0) -> Any:
    """The Leaflet map inside the ``index``-th streamlit-folium iframe, once drawn."""
    iframe = page.locator('iframe[title="streamlit_folium.st_folium"]').nth(index)
    iframe.wait_for(timeout=TIMEOUT_MS)
    frame = iframe.content_frame
    frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    return frame


def count_map_points(page: Any, index: int = 0) -> int:
    """Number of point features drawn on the ``index``-th map (canvas markers included)."""
    map_frame(page, index)
    handle = page.locator('iframe[title="streamlit_folium.st_folium"]').nth(index).element_handle()
    frame = handle.content_frame()
    frame.wait_for_function(COUNT_POINTS_JS.replace("return n;", "return n > 0;"), timeout=TIMEOUT_MS)
    return int(frame.evaluate(COUNT_POINTS_JS))


def wait_for_plotly(page: Any) -> None:
    """At least one Plotly chart has drawn its SVG."""
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=TIMEOUT_MS)


def non_tile_blocked(blocked: list[str]) -> list[str]:
    """Blocked outside requests other than basemap tiles (the only allowed network use)."""
    return [url for url in blocked if "data.geopf.fr" not in url]
