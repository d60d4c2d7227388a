"""The « Thématiques » page in a real headless Chromium, with the network cut off."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import TIMEOUT_MS, assert_no_exception, non_tile_blocked, wait_for_app, wait_for_plotly

pytestmark = pytest.mark.e2e


def test_region_link_restores_page_widgets_and_draws_charts(app_url, page) -> None:
    browser = page.page
    # A deep link on a server that has never run app.py first shows « Page not found » (pages
    # are known after st.navigation's first run): open the home page first.
    browser.goto(app_url)
    browser.locator('[data-testid="stMain"] h1').first.wait_for(timeout=TIMEOUT_MS)
    browser.goto(f"{app_url}/thematiques?reg=76&th_indic=share_covered&th_present=tous&th_absent=reemploi")
    wait_for_app(browser)
    wait_for_plotly(browser)
    assert_no_exception(browser)
    main = browser.locator('[data-testid="stMain"]')
    assert "Thématiques" in main.locator("h1").first.inner_text()
    # The page's own widgets come from the link.
    checked = main.locator('[data-testid="stRadio"] label:has(input:checked)').first
    assert "Part de la population" in checked.inner_text()
    assert "Réemploi" in main.locator('[data-testid="stMultiSelect"]').first.inner_text()
    # Under-represented themes of the région are named.
    alert = main.locator('[data-testid="stAlertContentWarning"]').first
    assert "sous-représentés en Occitanie" in alert.inner_text()
    # Heat-map title says indicator, distance, scope and vintage.
    titles = browser.locator(".js-plotly-plot .gtitle").all_text_contents()
    assert any("Part de la population à moins de 10 km" in t and "Occitanie" in t for t in titles), titles
    # Each chart offers a PNG download from its toolbar.
    assert browser.locator('[data-testid="stDialog"]').count() == 0, browser.locator(
        '[data-testid="stDialog"]'
    ).all_inner_texts()
    browser.locator(".js-plotly-plot").first.hover()
    assert browser.locator('.js-plotly-plot .modebar-btn[data-title*="png" i]').count() >= 2
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_gap_list_downloads_as_csv(app_url, page, tmp_path) -> None:
    browser = page.page
    browser.goto(app_url)
    browser.locator('[data-testid="stMain"] h1').first.wait_for(timeout=TIMEOUT_MS)
    browser.goto(f"{app_url}/thematiques?reg=76")
    wait_for_app(browser)
    wait_for_plotly(browser)
    buttons = browser.locator('[data-testid="stDownloadButton"] button', has_text="Télécharger (CSV)")
    buttons.nth(2).wait_for(timeout=TIMEOUT_MS)
    assert buttons.count() == 3
    with browser.expect_download(timeout=TIMEOUT_MS) as info:
        buttons.last.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert info.value.suggested_filename == "ecarts-thematiques-territoires-prioritaires.csv"
    text = path.read_text(encoding="utf-8-sig")
    assert "# Périmètre : Occitanie" in text
    assert "# Thèmes manquants : Alimentation, Réemploi" in text
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    assert header.startswith("Rang;Nom;Type;Code")
    assert len([line for line in text.splitlines() if not line.startswith("#")]) > 1
    assert_no_exception(browser)
