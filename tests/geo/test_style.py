"""Every colour is named in :mod:`geo.render.style`; drawing modules and ui/ use the names."""

from __future__ import annotations

import re

import pytest

from geo.render import style
from tests.conftest import ROOT

COLOR_LITERAL = re.compile(
    r"(?<![&\w])#(?:[0-9a-fA-F]{3}){1,2}\b"  # #abc, #aabbcc (not an HTML entity « &#233; »)
    r"|\brgba?\("  # rgb(…), rgba(…)
    r"|[\"'](?:white|black)[\"']|colors\.(?:white|black)\b"  # named, as matplotlib and reportlab take them
)


def test_no_colour_literal_outside_the_style_module() -> None:
    sources = [*sorted((ROOT / "geo").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        if path.name != "style.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if COLOR_LITERAL.search(line)
    ]
    assert not found, "name these colours in geo/render/style.py:\n" + "\n".join(found)


def test_every_theme_and_programme_has_its_own_colour() -> None:
    from geo.analysis.gaps import PROGRAMMES
    from geo.themes import THEMES

    assert set(style.THEME_COLORS) == set(THEMES)
    assert set(style.PROGRAMME_COLORS) == set(PROGRAMMES)
    subjects = [*style.THEME_COLORS.values(), *style.PROGRAMME_COLORS.values(), style.NO_THEME_COLOR]
    assert len(set(subjects)) == len(subjects), "two subjects share a colour"


@pytest.mark.parametrize(
    ("line", "caught"),
    [
        ("color: #333;", True),
        ("border: 1px solid #555555;", True),
        ('"#D55E00"', True),
        ("background:rgba(255,255,255,.92)", True),
        ('foreground="white"', True),
        ("colors.white", True),
        ("« &#233; » entities", False),
        ("issue #12 of the tracker", False),
        ("LEGEND_BACKGROUND", False),
    ],
)
def test_the_colour_check_sees_css_and_named_colours(line: str, caught: bool) -> None:
    assert bool(COLOR_LITERAL.search(line)) is caught
