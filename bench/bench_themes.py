"""Thématiques benchmarks: page rerun after a theme change, the geo steps behind it, and the
measured precision / recall of the keyword rules on the labelled sample (tests/fixtures/themes)."""

from __future__ import annotations

import itertools

from bench.common import Row, apptest_rerun_ms, median_seconds
from data.build import read_labelled_places
from geo.analysis.thematic import thematic_gaps, theme_distances, theme_indicators, theme_mix_comparison
from geo.fmt import fr_percent
from geo.io.atlas import load_atlas
from geo.territory import Scope
from geo.themes import THEME_SHORT_LABELS, keyword_rule_quality

PAGE = "pages/themes.py"
TARGET_MS = 250.0


def _alternate(key: str, values: list[object], kind: str):
    cycle = itertools.cycle(values)

    def change(at: object) -> None:
        widget = getattr(at, kind)(key=key)
        widget.set_value(next(cycle))

    return change


def _geo_rows() -> list[Row]:
    atlas = load_atlas()
    distances_s = median_seconds(lambda: theme_distances(atlas), repeat=3)
    distances = theme_distances(atlas)
    rows = [
        Row("Distances par thème (communes + QPV, une fois par liste de lieux)", 1000 * distances_s, "ms")
    ]
    for label, scope, level in (
        ("France métropolitaine", Scope(), "dep"),
        ("Occitanie", Scope("metro", "76"), "epci"),
    ):
        seconds = median_seconds(
            lambda s=scope, lv=level: (
                theme_indicators(atlas, distances, s, 10, level=lv),
                theme_mix_comparison(atlas, distances, s, 10),
                thematic_gaps(
                    atlas, distances, s, 10, present=("coworking",), missing=("alimentation", "reemploi")
                ),
            )
        )
        rows.append(Row(f"Indicateurs + mix + écarts thématiques — {label}", 1000 * seconds, "ms"))
    return rows


def _keyword_quality_rows() -> list[Row]:
    quality = keyword_rule_quality(read_labelled_places())
    return [
        Row(
            f"Mots-clés « {THEME_SHORT_LABELS[theme]} » : précision ({row['lieux du thème']} lieux du thème)",
            100 * row["précision"],
            "%",
            note=f"rappel {fr_percent(row['rappel'], 0)}, F1 {fr_percent(row['F1'], 0)}",
        )
        for theme, row in quality.iterrows()
    ]


def rows() -> list[Row]:
    """Rerun of the page after changing a theme (sidebar filter, then the gap's missing themes)."""
    sidebar = apptest_rerun_ms(
        PAGE,
        _alternate("f_themes", [["alimentation", "reemploi"], ["coworking"], []], "multiselect"),
        query={"reg": "76"},
    )
    missing = apptest_rerun_ms(
        PAGE,
        _alternate(
            "themes_missing",
            [["alimentation"], ["reemploi", "culture"], ["alimentation", "reemploi"]],
            "multiselect",
        ),
        query={"reg": "76"},
    )
    national = apptest_rerun_ms(
        PAGE,
        _alternate("f_themes", [["fabrication"], ["coworking", "culture"], []], "multiselect"),
    )
    return [
        Row(
            "Thématiques : relance après changement de thèmes (Occitanie, médiane)", sidebar, "ms", TARGET_MS
        ),
        Row("Thématiques : relance après changement de thème manquant (Occitanie)", missing, "ms", TARGET_MS),
        Row("Thématiques : relance après changement de thèmes (France métro.)", national, "ms", TARGET_MS),
        *_geo_rows(),
        *_keyword_quality_rows(),
    ]
