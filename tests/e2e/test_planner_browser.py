"""The « Simulateur » page in a real headless Chromium, with the network cut off."""

from __future__ import annotations

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


def _wait_for_metric(page, value: str) -> None:
    page.locator('[data-testid="stMetricValue"]', has_text=value).first.wait_for(timeout=TIMEOUT_MS)


def _open(page, app_url: str, query: str) -> None:
    """Open the app, then the page (a deep link as the very first request shows « Page not found »)."""
    page.goto(app_url)
    page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=TIMEOUT_MS)
    page.goto(f"{app_url}/simulateur?{query}")
    wait_for_app(page)


def test_optimised_scenario_map_table_and_export(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "fond=none&dep=34&sim_sites=3")
    _wait_for_metric(browser, "Exacte")
    browser.get_by_role("heading", name="Implantations proposées").wait_for(timeout=TIMEOUT_MS)
    frame = map_frame(browser)
    legend = frame.locator(".atlas-legend").first.inner_text()
    assert "site proposé" in legend
    assert "commune nouvellement couverte" in legend
    # Existing places + 3 proposed sites + the communes they newly cover.
    assert count_map_points(browser) > 3
    assert browser.locator('[data-testid="stDataFrame"]').count() >= 1

    with browser.expect_download(timeout=TIMEOUT_MS) as download_info:
        browser.get_by_role("button", name="Télécharger (CSV)").click()
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "# Nombre de nouveaux sites demandés : 3" in content
    assert "Habitants nouvellement couverts" in content
    assert_no_exception(browser)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_saving_scenarios_shows_them_side_by_side(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "fond=none&dep=34&sim_sites=2")
    save = browser.get_by_role("button", name="Enregistrer ce scénario pour le comparer")
    save.click()
    browser.get_by_text("Comparer les scénarios enregistrés").wait_for(timeout=TIMEOUT_MS)
    assert browser.get_by_role("button", name="Retirer").count() == 1
    assert save.is_disabled()
    assert_no_exception(browser)
    assert page.errors == []


def test_what_if_from_a_shared_link(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "fond=none&dep=34&sim_mode=manuel&sim_choix=34142,34003")
    _wait_for_metric(browser, "Choix manuel")
    browser.get_by_role("heading", name="Implantations proposées").wait_for(timeout=TIMEOUT_MS)
    assert count_map_points(browser) >= 2
    assert_no_exception(browser)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_enter_in_the_what_if_picker_adds_the_commune_typed_only(app_url, page) -> None:
    """Typing « Lavaur » then Enter adds Lavaur, not the five « …-lès-Lavaur » villages too."""
    browser = page.page
    _open(browser, app_url, "fond=none&dep=81&sim_mode=manuel&sim_candidats=communes")
    picker = browser.locator('[data-testid="stMultiSelect"]').filter(has_text="Communes où implanter")
    picker.locator("input").click()
    browser.keyboard.type("Lavaur")
    options = browser.locator('[role="option"]')
    options.first.wait_for(timeout=TIMEOUT_MS)
    assert not any(o.startswith(("Select", "Sélectionner")) for o in options.all_inner_texts())
    browser.keyboard.press("Enter")
    wait_for_app(browser)
    browser.wait_for_url("**sim_choix=81140**", timeout=TIMEOUT_MS)
    tags = picker.locator('[data-testid="stMultiSelectTagsContainer"]').filter(has_text="hab.")
    assert tags.inner_text().strip() == "Lavaur (81) – 10\u202f965 hab."
    assert_no_exception(browser)
