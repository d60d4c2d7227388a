"""Keyboard use (RGAA 12 and 10.7): Tab reaches the filters and the page's controls, with a visible focus."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import map_frame, wait_for_app, watch_the_first_map_report

pytestmark = pytest.mark.e2e

FOCUSED_JS = """() => {
  let el = document.activeElement;
  if (!el || el === document.body) return null;
  const outer = el;
  // A map is a frame: the focus is on the map inside it, which draws the ring.
  if (el.tagName === 'IFRAME' && el.contentDocument && el.contentDocument.activeElement) {
    el = el.contentDocument.activeElement;
  }
  const style = el.ownerDocument.defaultView.getComputedStyle(el);
  const label = outer.getAttribute('aria-label') || outer.innerText || outer.title || el.tagName;
  const box = outer.closest('[data-testid]');
  return {
    label: label.trim().slice(0, 60),
    where: outer.closest('[data-testid="stSidebar"]') ? 'sidebar' : 'main',
    testid: box ? box.dataset.testid : '',
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
  };
}"""


def test_tab_goes_through_the_filters_then_the_page_with_a_visible_focus(app_url, page) -> None:
    settled = watch_the_first_map_report(page.page)
    page.page.goto(f"{app_url}/zones-blanches?fond=none")
    wait_for_app(page.page)
    page.page.locator('[data-testid="stMainBlockContainer"] h1').first.wait_for(timeout=60_000)
    # The whole page first (under load the sidebar and the page's controls arrive one by one).
    page.page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').wait_for(timeout=60_000)
    page.page.locator('[data-testid="stMain"] [data-testid="stRadio"]').first.wait_for(timeout=60_000)
    map_frame(page.page)
    # And the run the drawn map starts: while the page redraws, Tab may land on the cells of the
    # table's text fallback instead of its grid.
    settled()
    page.page.wait_for_function(
        "() => (document.querySelector('[data-testid=\"stSkipToContent\"]') || {}).innerText"
        " === 'Aller au contenu principal'",
        timeout=10_000,
    )
    seen = []
    for _ in range(60):
        page.page.keyboard.press("Tab")
        focused = page.page.evaluate(FOCUSED_JS)
        if focused:
            seen.append(focused)
    labels = " | ".join(f"{f['where']}:{f['testid']}:{f['label']}" for f in seen)
    assert seen[0]["label"] == "Aller au contenu principal", labels  # Streamlit's skip link, in French
    seen = seen[1:]
    assert any(f["where"] == "sidebar" for f in seen), labels
    assert any(f["where"] == "main" and f["testid"].startswith(("stMultiSelect", "stRadio")) for f in seen), (
        labels
    )
    # The sidebar comes before the page's own controls, as on screen.
    first_main = next(i for i, f in enumerate(seen) if f["where"] == "main" and f["testid"] != "stSidebar")
    assert any(f["where"] == "sidebar" for f in seen[:first_main])
    invisible = [f["label"] for f in seen if not (f["outline"] or f["shadow"])]
    assert invisible == [], invisible
    # What a screen reader announces on the way is French too (Streamlit's toolbars and heading links).
    english = {"Link to heading", "Show/hide columns", "Download as CSV", "Search", "Fullscreen"}
    assert english.isdisjoint(f["label"] for f in seen), labels
