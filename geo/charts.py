"""Plotly figures in one French style: colour-blind-safe colours, French numbers, honest titles."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from geo.fmt import fr_percent
from geo.themes import THEME_SHORT_LABELS

THEME_COLORS: dict[str, str] = {
    "fabrication": "#E69F00",
    "coworking": "#56B4E9",
    "alimentation": "#009E73",
    "reemploi": "#D55E00",
    "culture": "#CC79A7",
    "numerique": "#0072B2",
}
"""Okabe–Ito colours, distinguishable with the common colour-vision deficiencies."""
NO_THEME_COLOR = "#7F7F7F"
ACCENT = "#0072B2"

FONT = "Marianne, Arial, sans-serif"


def french_layout(fig: go.Figure, *, title: str, source: str, height: int = 420) -> go.Figure:
    """Apply the Atlas style: French separators, title, and the source line under the plot."""
    fig.update_layout(
        separators=", ",  # decimal comma, space as thousands separator
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        font={"family": FONT, "size": 12},
        height=height,
        margin={"l": 10, "r": 10, "t": 60, "b": 70},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.18},
    )
    fig.add_annotation(
        text=f"Source : {source}",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.2,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 10, "color": "#555555"},
    )
    fig.update_xaxes(gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(gridcolor="#eeeeee", zeroline=False)
    return fig


def coverage_bar_chart(
    table: pd.DataFrame,
    *,
    reference_share: float | None,
    reference_label: str,
    title: str,
    source: str,
    max_rows: int = 25,
) -> go.Figure:
    """Horizontal bars of the share of population covered per territory, with a reference line.

    ``table`` comes from :func:`geo.coverage.aggregate_coverage`; the territories with the
    lowest shares come first (they are the ones to act on), at most ``max_rows`` of them.
    """
    data = table.dropna(subset=["share_covered"]).sort_values("share_covered").head(max_rows)
    data = data.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=data["share_covered"],
            y=data["nom"],
            orientation="h",
            marker_color=ACCENT,
            customdata=data[["population", "places"]].to_numpy(),
            hovertemplate="%{y}<br>%{x:.1%} de la population couverte"
            "<br>%{customdata[0]:,.0f} habitants, %{customdata[1]} tiers-lieux<extra></extra>",
        )
    )
    if reference_share is not None and pd.notna(reference_share):
        fig.add_vline(
            x=reference_share,
            line_dash="dash",
            line_color="#333333",
            annotation_text=f"{reference_label} : {fr_percent(reference_share)}",
            annotation_position="top",
        )
    fig.update_xaxes(tickformat=".0%", range=[0, 1.02], title="Part de la population couverte")
    fig.update_yaxes(title=None, automargin=True)
    return french_layout(fig, title=title, source=source, height=max(320, 22 * len(data) + 140))


def theme_label(code: str) -> str:
    """Short French label of a theme code (``"tous"`` → « Tous thèmes »)."""
    return "Tous thèmes" if code == "tous" else THEME_SHORT_LABELS.get(code, code)
