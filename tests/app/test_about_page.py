"""AppTest of « À propos des données »: generated from the catalogue and the theme rules."""

from __future__ import annotations

from geo.fmt import fr_number
from geo.io.catalog import DATASETS, PLACE_SOURCES
from geo.themes import KEYWORD_RULES, ROUTES, route_counts, theme_rules_table
from tests.app.conftest import open_app

PAGE = "pages/about.py"


def test_every_dataset_with_producer_licence_and_vintage() -> None:
    at = open_app(page=PAGE)
    assert not at.exception
    assert at.title[0].value == "À propos des données"
    datasets = at.table[0].value
    assert len(datasets) == len(DATASETS)
    for entry in DATASETS.values():
        row = datasets[datasets["Jeu de données"] == entry.title].iloc[0]
        assert row["Producteur"] == entry.producer
        assert row["Licence"] == entry.licence
        assert row["Millésime"] == entry.vintage
    sources = at.table[1].value
    assert set(sources["Source"]) == {s.title for s in PLACE_SOURCES.values()}


def test_route_counts_and_rules_come_from_the_code(atlas) -> None:
    at = open_app(page=PAGE)
    counts = route_counts(atlas.places)
    shown = at.dataframe[0].value.set_index("Thème")
    for theme, row in counts.iterrows():
        label = row["Thème"]
        assert shown.loc[label, "Total des lieux du thème"] == fr_number(int(row["total"])), theme
        for route, description in ROUTES.items():
            assert shown.loc[label, description.capitalize()] == fr_number(int(row[route]))
    rules = at.dataframe[1].value
    assert len(rules) == len(theme_rules_table())
    keyword_rules = rules[rules["Voie"] == ROUTES["mot-clé"]]
    assert len(keyword_rules) == len(KEYWORD_RULES)
    assert any("repair\\b" in text for text in keyword_rules["Règle"])


def test_approximations_are_stated() -> None:
    at = open_app(page=PAGE)
    text = " ".join(m.value for m in at.markdown)
    for phrase in (
        "centroïde de leur commune",
        "QPV au centroïde",
        "indicatif",
        "vol d'oiseau",
        "point représentatif",
    ):
        assert phrase in text, phrase
