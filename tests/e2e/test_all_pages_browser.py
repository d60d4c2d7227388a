"""Every page registered in app.py opens in Chromium, offline, with no exception."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.e2e.helpers import assert_no_exception, non_tile_blocked, wait_for_app

pytestmark = pytest.mark.e2e

URL_PATHS = re.findall(r'url_path="([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))


def test_app_registers_pages() -> None:
    assert "vue-d-ensemble" in URL_PATHS
    assert len(URL_PATHS) >= 3


@pytest.mark.parametrize("url_path", URL_PATHS)
def test_page_opens_offline_without_error(app_url, page, url_path) -> None:
    page.page.goto(f"{app_url}/{url_path}?fond=none&dep=34")
    wait_for_app(page.page)
    page.page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for(timeout=60_000)
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []
    page.page.wait_for_function("() => document.documentElement.lang === 'fr'", timeout=10_000)


def test_streamlit_texts_are_french(app_url, page) -> None:
    page.page.goto(f"{app_url}/donnees")
    wait_for_app(page.page)
    uploader = page.page.locator('[data-testid="stFileUploaderDropzone"]')
    uploader.wait_for(timeout=60_000)
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stFileUploaderDropzone\"]').innerText.includes('Mo')",
        timeout=10_000,
    )
    text = uploader.inner_text()
    assert "20 Mo au plus par fichier" in text
    for english in ("MB", "Browse files", "Upload", "Drag and drop"):
        assert english not in text
