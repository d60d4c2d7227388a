"""Every page of app.py, in its default state and filtered, opens offline in Chromium with no
exception, in French, and with no axe-core violation of RGAA 4.1 / WCAG 2.1 AA."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT
from tests.e2e.axe import axe_violations
from tests.e2e.helpers import assert_no_exception, non_tile_blocked, wait_for_app
from tests.e2e.layout import truncated_texts

pytestmark = pytest.mark.e2e

# Each page in its default state, then in a filtered state a user reaches in one or two clicks.
STATES = [
    ("vue-d-ensemble", ""),
    ("vue-d-ensemble", "reg=76&themes=fabrication&rayon=15"),
    ("couverture", ""),
    ("couverture", "dep=34&themes=coworking"),
    ("zones-blanches", ""),
    ("zones-blanches", "reg=76&themes=fabrication&rayon=15"),
    ("services-publics", ""),
    ("services-publics", "reg=76&densite=5,6,7&commune_programme=pvd"),
    ("thematiques", ""),
    ("thematiques", "reg=53"),
    ("fiche-territoire", ""),
    ("fiche-territoire", "territoire=commune:34172"),
    ("simulateur", ""),
    ("simulateur", "dep=34"),
    ("donnees", ""),
    ("a-propos", ""),
    ("accessibilite", ""),
]


URL_PATHS = re.findall(r'url_path="([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))


def test_every_page_is_checked() -> None:
    assert "vue-d-ensemble" in URL_PATHS
    assert set(URL_PATHS) <= {url_path for url_path, _ in STATES}


def _wait_for_frames(page) -> None:
    """Let maps (iframes) and charts finish drawing before axe looks at them."""
    page.wait_for_timeout(500)
    for frame in page.frames[1:]:
        frame.wait_for_load_state("load")
    page.wait_for_timeout(1_500)


@pytest.mark.parametrize(("url_path", "query"), STATES)
def test_page_has_no_wcag_violation(app_url, page, url_path, query) -> None:
    page.page.goto(f"{app_url}/{url_path}?fond=none&{query}")
    wait_for_app(page.page)
    page.page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for(timeout=60_000)
    _wait_for_frames(page.page)
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []
    page.page.wait_for_function("() => document.documentElement.lang === 'fr'", timeout=10_000)
    # Every frame (maps) has a French title from its page, not the component's name (RGAA 2.1).
    titled = "[...document.querySelectorAll('iframe')].every(f => f.title && !f.title.includes('streamlit'))"
    page.page.wait_for_function(f"() => {titled}", timeout=10_000)
    assert axe_violations(page.page) == []
    assert truncated_texts(page.page) == []


WIDE_PAGES = [
    ("zones-blanches", ""),
    ("simulateur", "dep=34"),
    ("couverture", "reg=76"),
    ("vue-d-ensemble", ""),
]


@pytest.mark.parametrize("width", [1280, 1920])
@pytest.mark.parametrize(("url_path", "query"), WIDE_PAGES)
def test_no_text_is_cut_at_common_screen_widths(app_url, page, width, url_path, query) -> None:
    page.page.set_viewport_size({"width": width, "height": 1000})
    page.page.goto(f"{app_url}/{url_path}?fond=none&{query}")
    wait_for_app(page.page)
    page.page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for(timeout=60_000)
    page.page.wait_for_timeout(1_000)
    assert truncated_texts(page.page) == []
