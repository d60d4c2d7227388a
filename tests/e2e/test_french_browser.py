"""Streamlit's own texts are French in the browser (pages themselves: test_accessibility_browser)."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import wait_for_app

pytestmark = pytest.mark.e2e


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
