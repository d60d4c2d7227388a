"""The « Fiche territoire » in a real headless Chromium: profile, pack download, presentation, offline map."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from pypdf import PdfReader

from tests.e2e.helpers import (
    TIMEOUT_MS,
    assert_no_exception,
    count_map_points,
    non_tile_blocked,
    wait_for_app,
    wait_for_plotly,
)

pytestmark = pytest.mark.e2e
ENTER = re.compile(r"^Mode présentation")


def _open(browser, app_url: str, path: str) -> None:
    """Open the app, then the deep link.

    Streamlit may greet the first deep link of a browser session with a « Page not found »
    dialog although it then runs the requested page (the page list is only known once
    ``app.py`` has run): close it, it makes the page inert.
    """
    browser.goto(app_url)
    wait_for_app(browser)
    browser.goto(f"{app_url}/{path}")
    wait_for_app(browser)
    for _ in range(40):
        dialog = browser.get_by_role("dialog")
        if dialog.count() and "Page not found" in dialog.first.inner_text():
            browser.keyboard.press("Escape")
        elif browser.locator('[data-testid="stMetric"]').count() and not browser.evaluate(
            "() => document.getElementById('root').inert"
        ):
            return
        browser.wait_for_timeout(500)


def test_profile_renders_and_the_pack_downloads(app_url, page, tmp_path) -> None:
    browser = page.page
    _open(browser, app_url, "fiche-territoire?territoire=commune:89418&fond=none")
    browser.get_by_role("heading", name="Tonnerre").first.wait_for(timeout=TIMEOUT_MS)
    assert count_map_points(browser) >= 1
    wait_for_plotly(browser)
    assert_no_exception(browser)
    button = browser.get_by_role("button", name="Dossier complet (ZIP)")
    button.scroll_into_view_if_needed()
    with browser.expect_download(timeout=TIMEOUT_MS) as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "fiche-territoire-commune-89418.zip"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert sorted(n.rsplit(".", 1)[1] for n in names) == ["html", "pdf", "pptx"]
        pdf_name = next(n for n in names if n.endswith(".pdf"))
        reader = PdfReader(io.BytesIO(archive.read(pdf_name)))
        assert 3 <= len(reader.pages) <= 6
        first = reader.pages[0].extract_text()
        assert "Fiche territoire : Tonnerre" in first
        assert "L'essentiel" in first
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_presentation_mode_hides_sidebar_and_widgets(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "fiche-territoire?territoire=dep:34&presentation=1&fond=none")
    browser.get_by_role("heading", name="Hérault").first.wait_for(timeout=TIMEOUT_MS)
    browser.locator('[data-testid="stMetric"]').first.wait_for(timeout=TIMEOUT_MS)
    assert not browser.locator('[data-testid="stSidebar"]').is_visible()
    assert browser.locator('[data-testid="stTextInput"]').count() == 0
    assert browser.locator('[data-testid="stDownloadButton"]').count() == 0
    assert browser.locator('[data-testid="stMetric"]').count() >= 6
    assert_no_exception(browser)


def test_presentation_mode_opens_and_closes_in_the_same_tab(app_url, page) -> None:
    browser = page.page
    _open(browser, app_url, "fiche-territoire?territoire=commune:89418&fond=none")
    browser.get_by_role("heading", name="Tonnerre").first.wait_for(timeout=TIMEOUT_MS)
    browser.get_by_role("button", name=ENTER).click()
    leave = browser.get_by_role("button", name="Quitter le mode présentation")
    leave.wait_for(timeout=TIMEOUT_MS)
    assert leave.is_visible()
    browser.wait_for_function("() => location.search.includes('presentation=1')", timeout=TIMEOUT_MS)
    browser.locator('[data-testid="stSidebar"]').wait_for(state="hidden", timeout=TIMEOUT_MS)
    assert len(browser.context.pages) == 1  # no new tab, hence no new session without the import
    leave.click()
    leave.wait_for(state="detached", timeout=TIMEOUT_MS)
    browser.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=TIMEOUT_MS)
    browser.get_by_role("button", name=ENTER).wait_for(timeout=TIMEOUT_MS)
    browser.wait_for_function("() => !location.search.includes('presentation')", timeout=TIMEOUT_MS)
    assert_no_exception(browser)
    assert page.errors == []


def test_standalone_html_map_works_without_network(app_url, page) -> None:
    del app_url  # the app is not used: the file must work on its own
    from geo.analysis.profile import profile_basis, territory_profile
    from geo.io.atlas import load_atlas, load_commune_polygons
    from geo.render.briefing import briefing_pack
    from geo.search import territory_by_key

    atlas = load_atlas()
    basis = profile_basis(atlas, load_commune_polygons())
    profile = territory_profile(atlas, basis, territory_by_key(basis.index, "dep:34"), radius_km=10)
    html = briefing_pack(basis, profile).html.decode("utf-8")
    browser = page.page
    browser.set_content(html, wait_until="load")
    browser.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    points = browser.evaluate(
        """() => { let n = 0;
            for (const key of Object.keys(window).filter(k => k.startsWith('map_'))) {
                const value = window[key];
                if (value instanceof L.Map) { value.eachLayer(l => {
                    if (l.feature && l.feature.geometry.type === 'Point') { n++; } }); }
            }
            return n; }"""
    )
    assert points >= len(profile.places)
    dashed = browser.evaluate(
        """() => { let n = 0;
            for (const key of Object.keys(window).filter(k => k.startsWith('map_'))) {
                const value = window[key];
                if (value instanceof L.Map) { value.eachLayer(l => {
                    if (l.options && l.options.dashArray === '8 6') { n++; } }); }
            }
            return n; }"""
    )
    assert dashed >= 1  # the access ring
    legend = browser.locator(".atlas-legend").first.inner_text()
    assert "À 10\u202fkm du territoire" in legend
    assert browser.locator(".atlas-label").count() >= 1
    assert browser.get_by_role("heading", name="Fiche territoire : Hérault").is_visible()
    assert "L'essentiel" in browser.locator(".atlas-panel").inner_text()
    assert "Sources" in browser.locator(".atlas-footer").inner_text()
    assert page.blocked == []
    assert page.errors == []
