"""RGAA 4.1 / WCAG 2.1 AA: every page, in its default state and filtered, has no axe-core violation."""

from __future__ import annotations

import pytest

from tests.e2e.axe import axe_violations
from tests.e2e.helpers import assert_no_exception, wait_for_app

pytestmark = pytest.mark.e2e

# Each page in its default state, then in a filtered state a user reaches in one or two clicks.
STATES = [
    ("vue-d-ensemble", ""),
    ("vue-d-ensemble", "reg=76&themes=fabrication&rayon=15"),
    ("couverture", ""),
    ("couverture", "dep=34&themes=coworking"),
    ("zones-blanches", ""),
    ("zones-blanches", "reg=76&themes=fabrication&rayon=15"),
    ("thematiques", ""),
    ("thematiques", "reg=53"),
    ("fiche-territoire", ""),
    ("fiche-territoire", "territoire=commune:34172"),
    ("simulateur", ""),
    ("simulateur", "dep=34"),
    ("donnees", ""),
    ("a-propos", ""),
]


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
    page.page.wait_for_function("() => document.documentElement.lang === 'fr'", timeout=10_000)
    assert axe_violations(page.page) == []
