"""Every colour is named in :mod:`geo.render.style`; drawing modules use the names."""

from __future__ import annotations

import re

from geo.render import style
from tests.conftest import ROOT

HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}\b(?!;)")


def test_no_colour_literal_outside_the_style_module() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "geo").rglob("*.py"))
        if path.name != "style.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HEX_COLOR.search(line)
    ]
    assert not found, "name these colours in geo/render/style.py:\n" + "\n".join(found)


def test_every_theme_and_programme_has_its_own_colour() -> None:
    from geo.analysis.gaps import PROGRAMMES
    from geo.themes import THEMES

    assert set(style.THEME_COLORS) == set(THEMES)
    assert set(style.PROGRAMME_COLORS) == set(PROGRAMMES)
    subjects = [*style.THEME_COLORS.values(), *style.PROGRAMME_COLORS.values(), style.NO_THEME_COLOR]
    assert len(set(subjects)) == len(subjects), "two subjects share a colour"
