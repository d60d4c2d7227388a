"""Plotly figures in one French style: colour-blind-safe colours, French numbers, honest titles."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo._validate import check_choice
from geo.analysis.profile import TerritoryProfile, comparison_series
from geo.fmt import fr_count, fr_number, fr_percent
from geo.render.style import (
    ACCENT,
    BACKGROUND_COLOR,
    COMPARISON_COLORS,
    DENSITY_GROUP_COLORS,
    GRID_COLOR,
    NO_THEME_COLOR,
    NOTE_COLOR,
    REFERENCE_COLORS,
    REFERENCE_LINE_COLOR,
    SEQUENTIAL_SCALE,
    THEME_COLORS,
)
from geo.themes import insufficient_label, theme_label

FONT = "Marianne, Arial, sans-serif"


TITLE_LINE_CHARS = 90
"""Characters per line of a chart title (15 px bold) before it wraps: Plotly never wraps a title."""
SOURCE_LINE_CHARS = 140
"""Characters per line of the source line (11 px)."""


def _wrapped(text: str, width: int) -> tuple[str, int]:
    """``text`` with ``<br>`` between lines of at most ``width`` characters, and its number of lines."""
    lines = textwrap.wrap(text, width) or [""]
    return "<br>".join(lines), len(lines)


def french_layout(fig: go.Figure, *, title: str, source: str, height: int = 420) -> go.Figure:
    """Apply the Atlas style: French separators, title, and the source line under the plot.

    Long titles and source lines wrap (Plotly would cut them at the figure's edge); the
    margins grow with their number of lines, so the plot keeps its height."""
    title_text, title_lines = _wrapped(title, TITLE_LINE_CHARS)
    source_text, source_lines = _wrapped(f"Source : {source}", SOURCE_LINE_CHARS)
    extra = 20 * (title_lines - 1) + 14 * (source_lines - 1)
    fig.update_layout(
        separators=", ",  # decimal comma, space as thousands separator
        title={"text": title_text, "x": 0, "xanchor": "left", "font": {"size": 15}},
        font={"family": FONT, "size": 12},
        height=height + extra,
        margin={"l": 10, "r": 10, "t": 90 + 20 * (title_lines - 1), "b": 100 + 14 * (source_lines - 1)},
        plot_bgcolor=BACKGROUND_COLOR,
        # The legend sits above the plot, the source line below the axis title: they never meet.
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
    )
    fig.add_annotation(
        text=source_text,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-72,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 11, "color": NOTE_COLOR},
    )
    fig.update_xaxes(gridcolor=GRID_COLOR, zeroline=False)
    fig.update_yaxes(gridcolor=GRID_COLOR, zeroline=False)
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

    ``table`` comes from :func:`geo.analysis.coverage.aggregate_coverage`; the territories with the
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
            line_color=REFERENCE_LINE_COLOR,
            annotation_text=f"{reference_label} : {fr_percent(reference_share)}",
            annotation_position="top",
        )
    fig.update_xaxes(tickformat=".0%", range=[0, 1.02], title="Part de la population couverte")
    fig.update_yaxes(title=None, automargin=True)
    return french_layout(fig, title=title, source=source, height=max(320, 22 * len(data) + 140))


"""Perceptually uniform, colour-blind-safe sequential scale for heat maps."""

HEATMAP_FORMATS: dict[str, tuple[str, str]] = {
    "places": ("%{z:,.0f}", "Tiers-lieux"),
    "places_per_100k": ("%{z:,.1f}", "Pour 100 000 hab."),
    "share_covered": ("%{z:.0%}", "Part de la population couverte"),
    "mix_share": ("%{z:.0%}", "Part des tiers-lieux du territoire"),
}
"""Heat-map value column → (plotly number format, colour-bar title)."""


def image_download_config(filename: str) -> dict[str, object]:
    """``config`` for ``st.plotly_chart``: the modebar camera button saves a PNG named ``filename``."""
    return {
        "displaylogo": False,
        "locale": "fr",
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


PERCENT_VALUES = ("share_covered", "mix_share")
"""Heat-map values that are shares (0–1), shown as percentages."""


def _thin_themes(table: pd.DataFrame) -> dict[str, int]:
    """Themes of ``table`` without enough places in the scope for a finding → their places."""
    if "sufficient" not in table.columns:
        return {}
    support = table.drop_duplicates("theme")
    thin = support[~support["sufficient"].astype(bool)]
    return dict(zip(thin["theme"], thin["scope_theme_places"].astype(int), strict=True))


def theme_heatmap(
    table: pd.DataFrame,
    *,
    value: str,
    title: str,
    source: str,
    max_rows: int = 40,
) -> go.Figure:
    """Heat map theme × territory of one indicator of :func:`geo.analysis.thematic.theme_indicators`.

    At most ``max_rows`` territories are drawn (the most populated ones, then sorted by
    name); the caller says so and exports the full table. A theme without enough places in the
    scope (``sufficient`` false) gets an empty column reading « données insuffisantes (n lieux) ».
    """
    check_choice(value, HEATMAP_FORMATS, "value")
    number_format, colorbar_title = HEATMAP_FORMATS[value]
    themes = list(dict.fromkeys(table["theme"]))
    territories = (
        table.drop_duplicates("code")
        .sort_values("population", ascending=False)
        .head(max_rows)
        .sort_values("nom")
    )
    wide = table.pivot_table(index="code", columns="theme", values=value, aggfunc="first", dropna=False)
    wide = wide.reindex(index=territories["code"], columns=themes)
    labels = [theme_label(t) for t in themes]
    thin = _thin_themes(table)
    for theme in thin:
        wide[theme] = np.nan  # no colour where the theme gives no finding
    fig = go.Figure(
        go.Heatmap(
            z=wide.to_numpy(dtype=float),
            x=labels,
            y=territories["nom"].tolist(),
            colorscale=SEQUENTIAL_SCALE,
            texttemplate=number_format,
            hovertemplate=f"%{{y}}<br>%{{x}} : {number_format}<extra></extra>",
            colorbar={"title": {"text": colorbar_title, "side": "right"}, "tickformat": ".0%"}
            if value in PERCENT_VALUES
            else {"title": {"text": colorbar_title, "side": "right"}},
            xgap=1,
            ygap=1,
        )
    )
    for theme, places in thin.items():
        fig.add_annotation(
            x=theme_label(theme),
            y=0.5,
            yref="paper",
            text=insufficient_label(places),
            textangle=-90,
            showarrow=False,
            font={"size": 13, "color": NOTE_COLOR},
        )
    fig.update_xaxes(side="top", title=None)
    fig.update_yaxes(autorange="reversed", title=None, automargin=True)
    return french_layout(fig, title=title, source=source, height=max(360, 24 * len(territories) + 170))


def theme_mix_chart(comparison: pd.DataFrame, *, title: str, source: str) -> go.Figure:
    """Grouped bars: share of places carrying each theme, scope beside its région and France.

    ``comparison`` comes from :func:`geo.analysis.thematic.theme_mix_comparison`; the scope's bars are
    labelled with their index versus the national mix (100 = as in France).
    """
    fig = go.Figure()
    for reference, color in REFERENCE_COLORS.items():
        rows = comparison[comparison["reference"] == reference]
        if rows.empty:
            continue
        name = str(rows["territoire"].iloc[0])
        text = (
            [
                insufficient_label(int(n))
                if not ok
                else ("indice –" if pd.isna(i) else f"indice {i:.0f}" + (" ▼" if low else ""))
                for i, low, ok, n in zip(
                    rows["index_vs_national"],
                    rows["under_represented"],
                    rows["sufficient"],
                    rows["places"],
                    strict=True,
                )
            ]
            if reference == "scope"
            else None
        )
        fig.add_trace(
            go.Bar(
                x=rows["mix_share"],
                y=[theme_label(t) for t in rows["theme"]],
                orientation="h",
                name=name,
                marker_color=color,
                text=text,
                textposition="outside",
                customdata=rows[["places", "places_all_themes"]].to_numpy(),
                hovertemplate=f"{name}<br>%{{y}} : %{{x:.1%}} des tiers-lieux"
                "<br>%{customdata[0]:,.0f} sur %{customdata[1]:,.0f}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group", legend={"traceorder": "normal"})
    widest = float(comparison["mix_share"].max()) if len(comparison) else 0.0
    fig.update_xaxes(
        tickformat=".0%",
        title="Part des tiers-lieux portant le thème (un lieu peut en avoir plusieurs)",
        # Room on the right for the longest label written after a bar (« données insuffisantes… »).
        range=[0, max(widest, 0.01) * 1.3],
    )
    fig.update_yaxes(autorange="reversed", title=None, automargin=True)
    n_themes = comparison["theme"].nunique()
    return french_layout(fig, title=title, source=source, height=max(360, 70 * n_themes + 160))


def theme_treemap(
    table: pd.DataFrame, *, root: str, title: str, source: str, max_territories: int = 30
) -> go.Figure:
    """Treemap territory → theme of place counts (one tile per theme label a place carries).

    ``table`` comes from :func:`geo.analysis.thematic.theme_indicators`; the ``max_territories``
    territories with the most places are drawn.
    """
    data = table[table["places"] > 0]
    totals = data.groupby("code")["places"].sum().sort_values(ascending=False).head(max_territories)
    data = data[data["code"].isin(totals.index)]
    names = data.drop_duplicates("code").set_index("code")["nom"]
    ids = [root] + [f"{root}/{c}" for c in totals.index]
    labels = [root] + [str(names[c]) for c in totals.index]
    parents = [""] + [root] * len(totals)
    values = [float(totals.sum())] + [float(v) for v in totals]
    colors = [BACKGROUND_COLOR] + [GRID_COLOR] * len(totals)
    for row in data.itertuples():
        ids.append(f"{root}/{row.code}/{row.theme}")
        labels.append(theme_label(str(row.theme)))
        parents.append(f"{root}/{row.code}")
        values.append(float(row.places))
        colors.append(THEME_COLORS.get(str(row.theme), NO_THEME_COLOR))
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            marker={"colors": colors},
            texttemplate="%{label}<br>%{value:,.0f}",
            hovertemplate="%{label}<br>%{value:,.0f} tiers-lieux<extra></extra>",
        )
    )
    return french_layout(fig, title=title, source=source, height=520)


def figure_table(fig: go.Figure, *, max_rows: int = 200) -> pd.DataFrame:
    """The values a figure draws, as a table: the text alternative of a chart (RGAA 1.x).

    Bars give one row per bar (series, category, value); a heat map one row per cell with a
    value; a treemap one row per tile. Values stay numbers; shares keep their 0–1 scale and are
    formatted by :func:`figure_summary` and the caller.
    """
    rows: list[dict[str, object]] = []
    for trace in fig.data:
        name = trace.name or ""
        if isinstance(trace, go.Bar):
            horizontal = trace.orientation == "h"
            categories = trace.y if horizontal else trace.x
            values = trace.x if horizontal else trace.y
            rows += [
                {"Série": name, "Catégorie": str(c), "Valeur": float(v)}
                for c, v in zip(categories, values, strict=False)
                if v is not None and np.isfinite(float(v))
            ]
        elif isinstance(trace, go.Heatmap):
            for y, line in zip(trace.y, trace.z, strict=False):
                rows += [
                    {"Série": str(y), "Catégorie": str(x).split("<br>")[0], "Valeur": float(v)}
                    for x, v in zip(trace.x, line, strict=False)
                    if v is not None and np.isfinite(float(v))
                ]
        elif isinstance(trace, go.Treemap):
            rows += [
                {"Série": str(parent).split("/")[-1], "Catégorie": str(label), "Valeur": float(v)}
                for label, parent, v in zip(trace.labels, trace.parents, trace.values, strict=False)
                if parent
            ]
    return pd.DataFrame(rows, columns=["Série", "Catégorie", "Valeur"]).head(max_rows)


def figure_is_share(fig: go.Figure) -> bool:
    """Whether the figure's values are shares (an axis or colour bar formatted as a percentage)."""
    layout = fig.layout
    formats = [layout.xaxis.tickformat, layout.yaxis.tickformat]
    bars = [trace.colorbar for trace in fig.data if hasattr(trace, "colorbar")]
    formats += [getattr(bar, "tickformat", None) for bar in bars]
    return any(f and "%" in str(f) for f in formats)


def _value_text(value: float, *, share: bool) -> str:
    if share:
        return fr_percent(value)
    return fr_number(value, 0 if float(value).is_integer() else 1)


def figure_summary(fig: go.Figure) -> str:
    """A French sentence with the extremes the figure draws (« de 25,4 % (Aisne) à 53,0 % (Haute-Loire) »);
    one clause per series when its series are in different units (a share beside a rate)."""
    table = figure_table(fig, max_rows=100_000)
    if table.empty:
        return "Le graphique ne contient aucune valeur."
    share = _share_by_series(fig)
    if len({share(series) for series in table["Série"]}) == 1:
        return _extremes(table, share=share(table["Série"].iloc[0])) + "."
    clauses = [
        f"{series} : {_extremes(rows, share=share(series), name_series=False)}"
        for series, rows in table.groupby("Série", sort=False)
    ]
    return " ; ".join(clauses) + "."


def _extremes(table: pd.DataFrame, *, share: bool, name_series: bool = True) -> str:
    low = table.loc[table["Valeur"].idxmin()]
    high = table.loc[table["Valeur"].idxmax()]
    where = _where if name_series else (lambda row: str(row["Catégorie"]))
    return (
        f"{fr_number(len(table))} valeurs, de {_value_text(low['Valeur'], share=share)} ({where(low)}) à "
        f"{_value_text(high['Valeur'], share=share)} ({where(high)})"
    )


def figure_table_text(fig: go.Figure) -> pd.DataFrame:
    """:func:`figure_table` with its values written the French way (shares as percentages)."""
    table = figure_table(fig)
    share = _share_by_series(fig)
    values = [_value_text(v, share=share(s)) for s, v in zip(table["Série"], table["Valeur"], strict=True)]
    return table.assign(Valeur=values)


def _share_by_series(fig: go.Figure) -> Callable[[str], bool]:
    """Whether a series of :func:`figure_table` holds shares: for bars, whether the axis they are
    measured on is formatted as a percentage (a figure of two panels can put a share beside a
    rate); for any other series, the whole figure's :func:`figure_is_share`."""
    whole = figure_is_share(fig)
    share: dict[str, bool] = {}
    for trace in fig.data:
        axis = None
        if isinstance(trace, go.Bar):
            axis = (trace.xaxis or "x") if trace.orientation == "h" else (trace.yaxis or "y")
        if axis is None:
            share[trace.name or ""] = whole
            continue
        layout_axis = fig.layout[f"{axis[0]}axis{axis[1:]}"]
        share[trace.name or ""] = bool(layout_axis.tickformat and "%" in str(layout_axis.tickformat))
    return lambda series: share.get(series, whole)


def _where(row: pd.Series) -> str:
    return ", ".join(part for part in (row["Catégorie"], row["Série"]) if part)


def typology_chart(table: pd.DataFrame, *, radius_label: str, title: str, source: str) -> go.Figure:
    """Two bar panels per class of a typology: share of inhabitants within the distance, and places
    per 100 000 inhabitants.

    ``table`` comes from :func:`geo.analysis.typology_coverage.coverage_by_type`; density levels are
    coloured by their INSEE group (urbain dense, intermédiaire, rural), other classes in one colour.
    """
    from plotly.subplots import make_subplots

    data = table.iloc[::-1]
    colors = [DENSITY_GROUP_COLORS.get(str(g), ACCENT) for g in data["groupe"]]
    panels = (
        f"Part des habitants à moins de {radius_label} d'un tiers-lieu",
        "Tiers-lieux pour 100 000 hab.",
    )
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=panels,
    )
    customdata = np.column_stack(
        [
            [fr_count(round(v), "habitant") for v in data["population"]],
            [fr_count(round(v), "tiers-lieu", "tiers-lieux") for v in data["places"]],
            [fr_count(round(v), "commune") for v in data["communes"]],
            [fr_percent(v) for v in data["share_covered"]],
        ]
    )
    bars = (
        (
            "share_covered",
            [fr_percent(v) for v in data["share_covered"]],
            "%{customdata[3]} des habitants couverts<br>%{customdata[0]}, %{customdata[2]}",
        ),
        (
            "places_per_100k",
            [fr_number(v, 1) for v in data["places_per_100k"]],
            "%{x:.1f} tiers-lieux pour 100 000 hab.<br>%{customdata[1]}",
        ),
    )
    for col, (column, texts, hover) in enumerate(bars, start=1):
        fig.add_trace(
            go.Bar(
                name=panels[col - 1],  # the series of its text alternative (figure_table)
                x=data[column],
                y=data["classe"],
                orientation="h",
                marker_color=colors,
                text=texts,
                textposition="outside",
                customdata=customdata,
                hovertemplate=f"%{{y}}<br>{hover}<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=col,
        )
    for group, color in DENSITY_GROUP_COLORS.items():
        if group in set(data["groupe"]):
            fig.add_trace(go.Bar(x=[None], y=[None], marker_color=color, name=group, showlegend=True))
    top = float(np.nanmax(data["places_per_100k"].to_numpy(dtype=float), initial=0.0))
    fig.update_xaxes(tickformat=".0%", range=[0, 1.18], row=1, col=1)
    fig.update_xaxes(range=[0, max(1.0, top) * 1.25], row=1, col=2)
    fig.update_yaxes(title=None, automargin=True)
    fig.update_annotations(font_size=12)
    figure = french_layout(fig, title=title, source=source, height=max(300, 34 * len(data) + 190))
    # Top right, beside the title: at the bottom the legend would cover the source line.
    figure.update_layout(
        legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.15, "yanchor": "bottom"}
    )
    return figure


def comparison_chart(profile: TerritoryProfile, *, source: str) -> go.Figure:
    """Plotly bars: share of population covered, territory vs references vs similar territories."""
    data = comparison_series(profile).iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=data["share_covered"],
            y=data["label"],
            orientation="h",
            marker_color=[COMPARISON_COLORS[k] for k in data["kind"]],
            text=[fr_percent(v) for v in data["share_covered"]],
            textposition="outside",
            hovertemplate="%{y}<br>%{x:.1%} de la population couverte<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat=".0%", range=[0, 1.15], title="Part de la population couverte")
    fig.update_yaxes(title=None, automargin=True)
    title = f"Population à moins de {profile.radius_label} d'un tiers-lieu : comparaisons"
    return french_layout(fig, title=title, source=source, height=max(320, 30 * len(data) + 150))


def theme_chart(profile: TerritoryProfile, *, source: str) -> go.Figure:
    """Plotly bars: share of population covered per theme, with the national reference as markers."""
    cov = profile.theme_coverage
    colors = [THEME_COLORS.get(str(t), ACCENT) for t in cov.index]
    fig = go.Figure(
        [
            go.Bar(
                x=cov["label"],
                y=cov["share_covered"],
                marker_color=colors,
                name=profile.territory.name,
                text=[fr_percent(v) for v in cov["share_covered"]],
                textposition="outside",
            ),
            go.Scatter(
                x=cov["label"],
                y=cov["reference_share"],
                mode="markers",
                marker={
                    "symbol": "line-ew-open",
                    "size": 26,
                    "line": {"width": 3, "color": REFERENCE_LINE_COLOR},
                },
                name=profile.reference_label,
            ),
        ]
    )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.15], title="Part de la population couverte")
    title = f"Population à moins de {profile.radius_label} d'un tiers-lieu, par thème (indicatif)"
    return french_layout(fig, title=title, source=source, height=420)
