"""Layout checks in the browser: texts cut with « … » on key figures, select boxes and their chips."""

from __future__ import annotations

from typing import Any

TRUNCATED_JS = """() => {
  const found = [];
  const roots = document.querySelectorAll(
    '[data-testid="stMetric"], [data-baseweb="select"], [data-baseweb="tag"], [data-testid="stWidgetLabel"]'
  );
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      const style = getComputedStyle(el);
      const clips = style.textOverflow === 'ellipsis' || style.overflowX === 'hidden';
      const text = (el.innerText || '').trim();
      const cut = clips && text && el.scrollWidth > el.clientWidth + 1;
      if (cut) found.push(text.split(String.fromCharCode(10))[0]);
    }
  }
  return [...new Set(found)];
}"""


def truncated_texts(page: Any) -> list[str]:
    """Texts of key figures, select boxes, chips and labels wider than their box (cut on screen)."""
    return list(page.evaluate(TRUNCATED_JS))
