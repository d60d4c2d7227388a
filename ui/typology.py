"""« Par type de territoire »: the rural figures and the typology tables, as every scope page shows them."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from geo.analysis.typology_coverage import (
    DIMENSIONS,
    SHARE_HEADERS,
    RuralFigures,
    TypologyCoverage,
    typology_table,
)
from geo.fmt import fr_count, fr_number, fr_percent, fr_radius
from geo.render.charts import typology_chart
from geo.render.style import TOTAL_ROW_FILL
from geo.typologies import RURAL_DEFINITION
from ui.components import caption_sources, metric, show_chart
from ui.data import shared_result

TYPOLOGY_SOURCES = ["typologies", "places", "communes"]


def radius_label(radius_km: float) -> str:
    """« 10 km », as the pages write the distance in their labels."""
    return f"{fr_radius(radius_km)} km"


def rural_metrics(rural: RuralFigures, radius_km: float) -> None:
    """Three key figures: places in rural communes, rural inhabitants, rural inhabitants far away."""
    radius = radius_label(radius_km)
    cols = st.columns(3)
    with cols[0]:
        metric(
            "Tiers-lieux situés en commune rurale",
            fr_percent(rural.share_places_rural),
            help_text=f"{fr_number(rural.rural_places)} tiers-lieux sur {fr_number(rural.places)} "
            "situés dans le périmètre.",
        )
    with cols[1]:
        metric(
            "Habitants vivant en commune rurale",
            fr_percent(rural.share_population_rural),
            help_text=f"{fr_number(rural.rural_population)} habitants sur {fr_number(rural.population)} ; "
            f"{fr_number(rural.rural_communes)} communes rurales sur {fr_number(rural.communes)}.",
        )
    with cols[2]:
        metric(
            f"Habitants ruraux à plus de {radius} d'un tiers-lieu",
            fr_percent(rural.share_rural_uncovered),
            help_text=f"{fr_number(rural.rural_population_uncovered)} habitants de communes rurales sur "
            f"{fr_number(rural.rural_population)}, dans "
            f"{fr_count(rural.rural_communes_uncovered, 'commune')}.",
        )
    st.caption(f"Rural : {RURAL_DEFINITION} — la définition des panoramas nationaux (INSEE, ANCT).")


def formatted(table: pd.DataFrame) -> pd.io.formats.style.Styler:
    """A :func:`geo.analysis.typology_coverage.typology_table` with French numbers, for ``st.dataframe``."""
    formats: dict[str, Callable[[float], str]] = {}
    for column in table.columns:
        if column.startswith(SHARE_HEADERS):
            formats[column] = fr_percent
        elif column == "Tiers-lieux pour 100 000 hab.":
            formats[column] = lambda v: fr_number(v, 1)
        elif pd.api.types.is_numeric_dtype(table[column]):
            formats[column] = fr_number
    totals = table.iloc[:, 0].astype(str).str.startswith(("Total ", "Ensemble"))

    def shade(row: pd.Series) -> list[str]:
        return [f"background-color: {TOTAL_ROW_FILL}" if totals[row.name] else ""] * len(row)

    return table.style.format(formats).apply(shade, axis=1)


def typology_chart_and_table(
    coverage: TypologyCoverage,
    dimension: str,
    *,
    inputs: Hashable,
    where: str,
    source: str,
    key: str,
    chart: bool = True,
) -> pd.DataFrame:
    """The chart and the table of one typology for a scope; returns the table (for an export).

    ``inputs`` names ``coverage`` (what it was computed from, as given to
    :func:`ui.data.shared_result`): the table and the chart are built once per ``inputs`` and
    ``dimension``, then shared (neither is modified here).
    """
    spec = DIMENSIONS[dimension]
    table, figure = shared_result(
        "typology_view",
        (inputs, dimension, where, source, chart),
        lambda: _typology_view(coverage, dimension, where=where, source=source, chart=chart),
    )
    if coverage.tables[dimension].empty:
        st.info("Aucune commune rurale dans ce périmètre." if spec.rural_only else "Aucune commune.")
        return table
    if figure is not None:
        show_chart(figure, key=f"{key}_chart")
    height = 35 * (len(table) + 1) + 3  # every row, « Ensemble » included, without scrolling
    st.dataframe(formatted(table), hide_index=True, width="stretch", height=height, key=f"{key}_table")
    caption_sources(
        TYPOLOGY_SOURCES,
        note=f"Typologie : {spec.source}. Une commune entière compte dans sa classe ; distances à vol "
        "d'oiseau depuis le point représentatif de chaque commune.",
    )
    return table


def _typology_view(
    coverage: TypologyCoverage, dimension: str, *, where: str, source: str, chart: bool
) -> tuple[pd.DataFrame, go.Figure | None]:
    """The table of one typology, and its chart when ``chart`` (none for an empty typology)."""
    radius = radius_label(coverage.radius_km)
    table = typology_table(coverage, dimension, radius_label=radius)
    if not chart or coverage.tables[dimension].empty:
        return table, None
    figure = typology_chart(
        coverage.tables[dimension],
        radius_label=radius,
        title=f"{DIMENSIONS[dimension].label} — {where}",
        source=source,
    )
    return table, figure
