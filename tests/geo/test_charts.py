"""The text alternative of charts: the table of what a figure draws and its one-sentence summary."""

from __future__ import annotations

import plotly.graph_objects as go

from geo.render.charts import figure_summary, figure_table, figure_table_text


def test_bars_become_rows_and_shares_read_as_percentages() -> None:
    fig = go.Figure(
        go.Bar(x=[0.254, 0.53, None], y=["Aisne", "Haute-Loire", "Vide"], orientation="h", name="Part")
    )
    fig.update_xaxes(tickformat=".0%")
    table = figure_table(fig)
    assert table["Catégorie"].tolist() == ["Aisne", "Haute-Loire"]
    assert figure_table_text(fig)["Valeur"].tolist() == ["25,4\u202f%", "53,0\u202f%"]
    assert figure_summary(fig) == "2 valeurs, de 25,4\u202f% (Aisne, Part) à 53,0\u202f% (Haute-Loire, Part)."


def test_heat_map_cells_and_counts() -> None:
    fig = go.Figure(
        go.Heatmap(z=[[1.0, None], [3.5, 12.0]], x=["Fabrication", "Alimentation<br>x"], y=["A", "B"])
    )
    table = figure_table(fig)
    assert len(table) == 3
    assert set(table["Catégorie"]) == {"Fabrication", "Alimentation"}
    assert figure_summary(fig) == "3 valeurs, de 1 (Fabrication, A) à 12 (Alimentation, B)."


def test_empty_figure_says_so() -> None:
    assert figure_summary(go.Figure()) == "Le graphique ne contient aucune valeur."


def test_a_share_beside_a_rate_keeps_each_unit() -> None:
    """Two panels (the chart by type of territory): the rate per 100 000 is not read as a percentage."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, shared_yaxes=True)
    classes = ["Rural", "Urbain"]
    fig.add_trace(go.Bar(x=[0.307, 1.0], y=classes, orientation="h", name="Part couverte"), row=1, col=1)
    fig.add_trace(go.Bar(x=[0.0, 5.9], y=classes, orientation="h", name="Pour 100 000 hab."), row=1, col=2)
    fig.update_xaxes(tickformat=".0%", row=1, col=1)
    assert figure_table_text(fig)["Valeur"].tolist() == ["30,7\u202f%", "100,0\u202f%", "0", "5,9"]
    assert figure_summary(fig) == (
        "Part couverte : 2 valeurs, de 30,7\u202f% (Rural) à 100,0\u202f% (Urbain) ; "
        "Pour 100 000 hab. : 2 valeurs, de 0 (Rural) à 5,9 (Urbain)."
    )
