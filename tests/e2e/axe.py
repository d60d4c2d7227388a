"""axe-core in the browser: inject it into every frame of a page and list the WCAG 2.1 AA violations.

axe-core comes with the ``axe-playwright-python`` package (requirements-dev.txt): nothing is
fetched from a CDN at test time.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import axe_playwright_python

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""The RGAA 4.1 baseline: WCAG 2.1 levels A and AA."""


@cache
def axe_source() -> str:
    """The axe-core script shipped by the package."""
    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """WCAG 2.1 A/AA violations of ``page``, same-origin iframes included (axe runs in each frame).

    Each violation is reduced to its rule id, impact, help text and the first targets, so that a
    failing assertion says what to fix.
    """
    for frame in page.frames:
        if not frame.is_detached():
            frame.evaluate(axe_source())
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags}, iframes: true, resultTypes: ['violations']
        })""",
        list(WCAG_TAGS),
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"][:3]],
            "summary": v["nodes"][0].get("failureSummary", "") if v["nodes"] else "",
        }
        for v in result["violations"]
    ]


def frames_checked(page: Any) -> int:
    """Number of frames axe can look into (to show that maps' iframes were checked)."""
    return sum(1 for frame in page.frames if not frame.is_detached())
