"""« Couverture » and « Zones blanches » in a real headless Chromium, with the network cut off."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.e2e.helpers import (
    TIMEOUT_MS,
    assert_no_exception,
    count_map_points,
    map_frame,
    non_tile_blocked,
    wait_for_app,
)

pytestmark = pytest.mark.e2e


def test_coverage_page_renders_its_map_with_overlays(app_url, page) -> None:
    page.page.goto(f"{app_url}/couverture?fond=none&dep=34&couches=pvd,france_services&niveau=commune")
    wait_for_app(page.page)
    frame = map_frame(page.page)
    assert frame.locator(".atlas-legend").count() >= 2  # choropleth + places (+ overlays)
    assert "France services" in frame.locator("body").inner_text()
    assert count_map_points(page.page) > 0
    # Territories; by type of territory: the chart's values (folded) and the table, which come
    # once the map is drawn (a run of that section only: Streamlit shows no status for it).
    tables = page.page.locator('[data-testid="stDataFrame"]')
    tables.nth(2).wait_for(timeout=TIMEOUT_MS)
    assert tables.count() == 3
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_gap_list_renders_and_downloads(app_url, page) -> None:
    page.page.goto(f"{app_url}/zones-blanches?fond=none&reg=76&themes=fabrication&rayon=15&programmes=pvd")
    wait_for_app(page.page)
    frame = map_frame(page.page)
    assert "Zones blanches" in frame.locator(".atlas-legend").first.inner_text()
    assert count_map_points(page.page) > 0
    metric = page.page.locator('[data-testid="stMetric"]').filter(
        has_text="Petites villes de demain sans lieu de fabrication"
    )
    value = metric.locator('[data-testid="stMetricValue"]').inner_text()
    n_gaps = int(value.split("/")[0].replace("\u202f", "").strip())
    assert n_gaps > 0
    with page.page.expect_download(timeout=TIMEOUT_MS) as info:
        page.page.get_by_role("button", name="Télécharger (CSV)").click()
    download = info.value
    assert download.suggested_filename == "zones_blanches.csv"
    text = download.path().read_text(encoding="utf-8-sig")
    assert "# Programmes : Petites villes de demain" in text
    assert "# Sources :" in text
    body = pd.read_csv(io.StringIO(text), sep=";", decimal=",", comment="#")
    assert len(body) == n_gaps
    assert (body["Programme"] == "Petites villes de demain").all()
    assert (body["Distance au tiers-lieu le plus proche (km, vol d'oiseau)"] >= 15).all()  # rounded to 0.1 km
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []
