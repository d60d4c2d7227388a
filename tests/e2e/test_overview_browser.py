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

pytestmark = pytest.mark.e2e


def test_overview_map_renders_offline_with_markers(app_url, page, atlas) -> None:
    page.page.goto(f"{app_url}/?fond=none")
    wait_for_app(page.page)
    assert count_map_points(page.page) == int((atlas.places["zone"] == "metro").sum())
    wait_for_plotly(page.page)
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_overview_departement_scope_with_ign_basemap(app_url, page) -> None:
    page.page.goto(f"{app_url}/?dep=34&themes=fabrication")
    wait_for_app(page.page)
    frame = map_frame(page.page)
    assert frame.locator(".atlas-legend").count() >= 1
    assert count_map_points(page.page) > 0
    assert_no_exception(page.page)
    # Tiles are the only outside requests, and they were blocked without breaking the map.
    assert non_tile_blocked(page.blocked) == []
