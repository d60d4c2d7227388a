"""The rural and public-service lens in a real headless Chromium, with the network cut off."""

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
    wait_for_plotly,
)

pytestmark = pytest.mark.e2e


def _open(page, app_url: str, path: str) -> None:
    """Open the app, then the page (a deep link as the very first request shows « Page not found »)."""
    page.goto(app_url)
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=TIMEOUT_MS)
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)


def _legends(frame) -> str:
    return "\n".join(frame.locator(".atlas-legend").all_inner_texts())


def _clean(page) -> None:
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_france_services_of_rural_pvd_communes_map_table_and_export(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "services-publics?fond=none&reg=76&densite=5,6,7&commune_programme=pvd")
    browser.get_by_text("Services publics").first.wait_for(timeout=TIMEOUT_MS)
    frame = map_frame(browser)
    assert "France services sans tiers-lieu" in _legends(frame)
    assert count_map_points(browser) > 20
    # The sidebar shows the selected types.
    assert "Rural à habitat dispersé" in browser.locator('[data-testid="stSidebar"]').inner_text()
    with browser.expect_download(timeout=TIMEOUT_MS) as info:
        browser.get_by_role("button", name="Télécharger (CSV)").click()
    text = info.value.path().read_text(encoding="utf-8-sig")
    assert "# Communes d'accueil : Petites villes de demain (PVD)" in text
    assert "Occitanie (communes rurales)" in text
    body = pd.read_csv(io.StringIO(text), sep=";", decimal=",", comment="#")
    assert len(body) > 20
    assert (body["Programme de la commune"].str.contains("PVD")).all()
    _clean(page)


def test_double_gaps_are_drawn_with_the_france_services(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "services-publics?fond=none&dep=48&liste=double&rayon_fs=10")
    frame = map_frame(browser)
    assert "commune rurale loin des deux" in _legends(frame)
    assert count_map_points(browser) > 0
    assert browser.locator('[data-testid="stDataFrame"]').count() == 1
    _clean(page)


def test_coverage_by_type_of_territory_chart(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "couverture?fond=none&reg=27&typologie=centralite")
    browser.get_by_text("Par type de territoire").wait_for(timeout=TIMEOUT_MS)
    wait_for_plotly(browser)
    chart = browser.locator(".js-plotly-plot").filter(has_text="Centre majeur")
    chart.first.wait_for(timeout=TIMEOUT_MS)
    assert "Tiers-lieux pour 100 000 hab." in chart.first.inner_text()
    _clean(page)


def test_planner_map_shows_the_communes_left_uncovered(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "simulateur?fond=none&dep=50&sim_sites=5")
    browser.get_by_role("heading", name="Implantations proposées").wait_for(timeout=TIMEOUT_MS)
    frame = map_frame(browser)
    assert "commune toujours à plus de 10 km" in _legends(frame)
    assert count_map_points(browser) > 50
    with browser.expect_download(timeout=TIMEOUT_MS) as info:
        browser.get_by_role("button", name="Télécharger (CSV)").click()
    text = info.value.path().read_text(encoding="utf-8-sig")
    assert "# Communes candidates : communes de niveau « Centre intermédiaire" in text
    body = pd.read_csv(io.StringIO(text), sep=";", decimal=",", comment="#")
    assert "Cherbourg-en-Cotentin" in set(body["Commune d'implantation"])
    _clean(page)
