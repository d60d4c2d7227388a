"""The overview in a real headless Chromium, with the network cut off."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import (
    assert_no_exception,
    count_map_points,
    map_frame,
    non_tile_blocked,
    wait_for_app,
    wait_for_plotly,
)
from ui.after_map import CHART_AFTER_MAP, REST_AFTER_MAP, WAIT_AT_MOST_S

pytestmark = pytest.mark.e2e


def test_overview_map_renders_offline_with_markers(app_url, page, atlas) -> None:
    page.page.goto(f"{app_url}/?fond=none")
    wait_for_app(page.page)
    assert count_map_points(page.page) == int((atlas.places["zone"] == "metro").sum())
    wait_for_plotly(page.page)
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_what_the_map_frame_loads_is_fetched_ahead(app_url, page) -> None:
    page.page.goto(f"{app_url}/?fond=none")
    page.page.locator("link[data-atlas-ahead]").first.wait_for(state="attached")
    hints = page.page.eval_on_selector_all(
        "link[data-atlas-ahead]", "links => links.map(link => [link.rel, link.href])"
    )
    assert sorted(rel for rel, _ in hints) == ["modulepreload", *["prefetch"] * 4]
    assert any(href.endswith("/app/static/vendor/leaflet/leaflet.js") for _, href in hints)
    for _, href in hints:  # each one the frame then finds in the cache, none missing
        assert page.page.request.get(href).status == 200, href


def test_what_is_under_the_map_comes_once_it_is_painted(app_url, page) -> None:
    """A new visitor's page holds its tables and charts back until its map is drawn, then shows
    them all; the next page shows its charts at once."""
    sent: list = []
    page.page.on(
        "websocket",
        lambda socket: socket.on("framesent", lambda frame: sent.append(frame)),  # noqa: PLW0108 (Playwright needs a Python function)
    )
    page.page.goto(f"{app_url}/?fond=none")
    map_frame(page.page).locator(".atlas-legend").first.wait_for()
    wait_for_plotly(page.page)
    page.page.get_by_text(REST_AFTER_MAP).first.wait_for(state="detached")
    page.page.locator(".stPlotlyChart").nth(1).wait_for()  # both charts: one run, streamed
    assert page.page.locator(".stPlotlyChart").count() == 2
    assert page.page.locator('[data-testid="stDataFrame"]').count() >= 1
    page.page.wait_for_timeout(1000 * (WAIT_AT_MOST_S + 1))
    assert len(sent) == 2  # the page, then the map's « drawn » once: no timer left, no loop
    page.page.get_by_role("link", name="Couverture").first.click()
    wait_for_plotly(page.page)
    wait_for_app(page.page)
    # Held back on the first page only.
    assert page.page.get_by_text(CHART_AFTER_MAP).count() == 0
    assert page.page.get_by_text(REST_AFTER_MAP).count() == 0
    assert len(sent) == 3
    assert_no_exception(page.page)
    assert page.errors == []


def test_what_is_under_a_map_that_never_draws_comes_all_the_same(app_url, page) -> None:
    """A map frame that fails (here Leaflet never arrives) does not hide the tables and charts."""
    page.page.route("**/leaflet.js", lambda route: route.abort())
    page.page.goto(f"{app_url}/?fond=none")
    page.page.get_by_text(REST_AFTER_MAP).first.wait_for()
    held = page.page.get_by_text(REST_AFTER_MAP).first
    held.wait_for(state="detached", timeout=1000 * (WAIT_AT_MOST_S + 10))
    wait_for_plotly(page.page)
    page.page.locator(".stPlotlyChart").nth(1).wait_for()  # both charts: one run, streamed
    assert page.page.locator(".stPlotlyChart").count() == 2
    assert page.page.locator('[data-testid="stDataFrame"]').count() >= 1
    assert_no_exception(page.page)


def test_overview_departement_scope_with_ign_basemap(app_url, page) -> None:
    page.page.goto(f"{app_url}/?dep=34&themes=fabrication")
    wait_for_app(page.page)
    frame = map_frame(page.page)
    assert frame.locator(".atlas-legend").count() >= 1
    assert count_map_points(page.page) > 0
    assert_no_exception(page.page)
    # Tiles are the only outside requests, and they were blocked without breaking the map.
    assert non_tile_blocked(page.blocked) == []
