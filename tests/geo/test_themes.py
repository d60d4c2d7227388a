"""Theme rules checked on real names of the bundled places (data/places.parquet).

Every name below is looked up in the bundled data first, so that a test cannot pass on a
name that is not really there; the expected themes are those a reader would give the place.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from data.build import PLACE_FILES, read_labelled_places
from geo._errors import InvalidParameterError
from geo.io.atlas import Atlas
from geo.themes import (
    KEYWORD_RULES,
    QUALITY_COLUMNS,
    ROUTE_KEYWORD,
    ROUTE_PROGRAMME,
    ROUTE_TYPOLOGY,
    ROUTES,
    THEMES,
    derive_themes,
    keyword_rule_quality,
    normalize_text,
    route_counts,
    theme_mask,
    themes_from_keywords,
    themes_from_typology,
)
from tests.conftest import SHARED_DATA


def _place(atlas: Atlas, name: str) -> pd.Series:
    aliases = atlas.places["aliases"].str.split(" ; ")
    rows = atlas.places[(atlas.places["name"] == name) | aliases.map(lambda names: name in names)]
    assert len(rows) >= 1, f"« {name} » n'est pas dans les données intégrées"
    return rows.iloc[0]


def _bundled_themes(atlas: Atlas, name: str) -> set[str]:
    row = _place(atlas, name)
    return {t for t in THEMES if row[f"theme_{t}"]}


POSITIVES: list[tuple[str, str]] = [
    ("Tiers-lieu Nourricier du Boulonnais", "alimentation"),
    ("TIERS-LIEU PAYSAN DE LA MARTINIÈRE", "alimentation"),
    ("La Ferme de Chassagne", "alimentation"),
    ("Heko Farm", "alimentation"),
    ("Association agroécologique de Carbouey", "alimentation"),
    ("COURT CIRCUIT, LE BUFFET DE LA GARE", "alimentation"),
    ("VERGERS URBAINS", "alimentation"),
    ("FOODLAB", "alimentation"),
    ("La REcyclerie", "reemploi"),
    ("Village Emmaüs Lescar-Pau", "reemploi"),
    ("Manufacture du Réemploi", "reemploi"),
    ("PRECIOUS PLASTIC TOURAINE VAL DE LOIRE", "reemploi"),
    ("MANUFACTURE DE MODE CIRCULAIRE PLATEAU FERTILE", "reemploi"),
    ("La Trockette café-atelier", "reemploi"),
    ("Fablab Loches", "fabrication"),
    ("BIGOUDEN MAKERS sas - BIGS association Loi 1901 (en constitution)", "fabrication"),
    ("ELECTROLAB", "fabrication"),
    ("SCIC PINGPONG COWORK", "coworking"),
    ("Be-Coworking", "coworking"),
    ("Friche Lamartine", "culture"),
    ("Gare au théâtre", "culture"),
    ("Le Plus Petit Cirque du Monde", "culture"),
    ("Le Numéripôle", "numerique"),
    ("Association SOLIDARNUM", "numerique"),
    ("Cybercoin", "numerique"),
]

NEGATIVES: list[tuple[str, str]] = [
    # Anticafé is a coworking café chain, not a food place.
    ("Anticafé", "alimentation"),
    ("Anticafé Bordeaux", "alimentation"),
    # « La Cantine » is a network of digital coworking spaces.
    ("La Cantine", "alimentation"),
    ("La Cantine Toulouse", "alimentation"),
    ("La Cantine Numérique Rennaise", "alimentation"),
    # ETIC centres are offices for social enterprises: "Ateliers" is not a workshop here.
    ("LES ATELIERS - un centre ETIC", "fabrication"),
    # « fermé » (closed) is not « ferme » (farm).
    ("L'atelier du 9 (Actuellement fermé)", "alimentation"),
    # A coworking named after a public garden.
    ("Jardin public", "alimentation"),
    # A coworking in a place called « Le Verger ».
    ("Start-way Arcueil Le Verger", "alimentation"),
    # « Repaire » (den) is not « repair ».
    ("Le Repaire des 1000", "reemploi"),
    ("Le Repaire du Vieux-Port", "reemploi"),
    # A digital place named after a brewery, another after a cheese dairy, another after a pot.
    ("LA BRASSERIE DU DIGITAL", "alimentation"),
    ("FRUITIERE NUMERIQUE", "alimentation"),
    ("La COcotte numérique", "alimentation"),
    # A bicycle manufacture is production, not reuse.
    ("Manufacture Occitane du Cycle", "reemploi"),
    # « Arts Codés »: « codes » is not the word « code ».
    ("Arts Codés", "numerique"),
]


@pytest.mark.parametrize(("name", "theme"), POSITIVES)
def test_real_names_get_their_theme(atlas: Atlas, name: str, theme: str) -> None:
    row = _place(atlas, name)
    derived = derive_themes(
        name=row["name"], description=row["description"], typology=row["source_typology"], label=row["label"]
    )
    assert theme in derived
    assert theme in _bundled_themes(atlas, name), "données intégrées à reconstruire (python -m data.build)"


@pytest.mark.parametrize(("name", "theme"), NEGATIVES)
def test_tricky_real_names_do_not_get_the_theme(atlas: Atlas, name: str, theme: str) -> None:
    row = _place(atlas, name)
    derived = derive_themes(
        name=row["name"], description=row["description"], typology=row["source_typology"], label=row["label"]
    )
    assert theme not in derived
    assert theme not in _bundled_themes(atlas, name)


def test_closed_farm_is_still_a_farm() -> None:
    # An exclusion blanks its phrase only: a real farm that mentions a closure keeps its theme.
    assert "alimentation" in themes_from_keywords("Ferme du Temple (actuellement fermée le lundi)")
    assert "alimentation" not in themes_from_keywords("Le Hangar (actuellement fermé)")
    assert "alimentation" not in themes_from_keywords("Coupure d'alimentation électrique")


def test_the_bundled_themes_match_the_current_rules(atlas: Atlas) -> None:
    # The data build stores the routes: they must be those the rules give today.
    # A merged place holds the union of its records' themes: only its own record's are checked.
    places = atlas.places
    for row in places.itertuples():
        derived = derive_themes(
            name=row.name, description=row.description, typology=row.source_typology, label=row.label
        )
        stored = {t: getattr(row, f"theme_{t}") for t in THEMES if getattr(row, f"theme_{t}")}
        if ";" in row.source_records:
            assert set(derived) <= set(stored), row.name
        else:
            assert stored == derived, row.name


def test_precedence_typology_over_programme_over_keyword() -> None:
    both = derive_themes(
        name="Fablab de la vallée",
        typology="Tiers lieux à dominante fablab",
        label="Manufacture de proximité",
    )
    assert both == {"fabrication": ROUTE_TYPOLOGY}
    programme = derive_themes(name="Fablab de la vallée", label="Manufacture de proximité")
    assert programme == {"fabrication": ROUTE_PROGRAMME}
    keyword = derive_themes(name="Fablab de la vallée", label="Fabrique de territoire")
    assert keyword == {"fabrication": ROUTE_KEYWORD}


def test_a_place_can_carry_several_themes_by_different_routes(atlas: Atlas) -> None:
    row = _place(atlas, "Food Factory")
    assert row["theme_coworking"] == ROUTE_TYPOLOGY
    assert row["theme_alimentation"] == ROUTE_KEYWORD
    many = atlas.places[(atlas.places[[f"theme_{t}" for t in THEMES]] != "").sum(axis=1) >= 2]
    assert len(many) > 0


def test_real_typologies_map_to_themes(atlas: Atlas) -> None:
    typologies = set(atlas.places["source_typology"]) - {""}
    assert typologies, "aucune typologie dans les données"
    for typology in typologies:
        assert themes_from_typology(typology), typology
    assert themes_from_typology("Tiers lieux à dominante coworking") == ["coworking"]
    assert themes_from_typology("Fablab; Tiers-lieux nourriciers") == ["fabrication", "alimentation"]


def test_manufactures_are_fabrication_by_programme(atlas: Atlas) -> None:
    manufactures = atlas.places[atlas.places["label"] == "Manufacture de proximité"]
    assert len(manufactures) > 0
    assert (manufactures["theme_fabrication"] != "").all()
    assert set(manufactures["theme_fabrication"]) <= {ROUTE_PROGRAMME, ROUTE_TYPOLOGY}


def test_route_counts_add_up(atlas: Atlas) -> None:
    counts = route_counts(atlas.places)
    assert list(counts.index) == list(THEMES)
    assert (counts[list(ROUTES)].sum(axis=1) == counts["total"]).all()
    for theme in THEMES:
        assert counts.loc[theme, "total"] == int(theme_mask(atlas.places, [theme]).sum())
    # Food and reuse only come from keyword rules in the bundled sources.
    assert counts.loc["alimentation", ROUTE_KEYWORD] == counts.loc["alimentation", "total"] > 0


def test_normalize_text_and_rule_patterns_are_accent_free() -> None:
    assert normalize_text("Théâtre  Œuvre\nÉcole") == "theatre oeuvre ecole"
    assert normalize_text(None) == ""
    for rule in KEYWORD_RULES:
        assert rule.theme in THEMES
        for pattern in (*rule.patterns, *rule.exclusions):
            assert pattern.isascii(), pattern
            assert pattern == pattern.lower(), pattern


def test_street_names_are_no_evidence() -> None:
    assert themes_from_keywords("Coworking, 12 rue des Arts") == ["coworking"]
    assert themes_from_keywords("Le Hangar, chemin de la Ferme") == []
    assert themes_from_keywords("Boulevard du Théâtre") == []
    # A venue named after a quay is not a street: « Quai des Arts » stays cultural.
    assert themes_from_keywords("Association Quai des Arts") == ["culture"]


def test_culture_and_digital_vocabulary() -> None:
    assert themes_from_keywords("Micro-Folie de Sevran") == ["culture", "numerique"]
    assert themes_from_keywords("Maison Folie Moulins") == ["culture"]
    assert themes_from_keywords("Résidence d'artistes et centre d’art contemporain") == ["culture"]
    assert themes_from_keywords("La Condition publique EPCC") == ["culture"]
    assert themes_from_keywords("Espace public numérique de Barenton") == ["numerique"]
    assert themes_from_keywords("Consortium Fabrique Numérqiue") == ["numerique"]
    # Centres socioculturels are social centres, « métiers d'art » crafts, a lone « art » a brand.
    assert themes_from_keywords("Centre socio-culturel Le Kiosque") == []
    assert themes_from_keywords("Manufacture des Métiers d’Art") == ["fabrication"]
    assert themes_from_keywords("Art Prestige") == []
    assert themes_from_keywords("Cultures maraîchères bio") == ["alimentation"]
    assert themes_from_keywords("Le Numéro Cinq") == []
    assert themes_from_keywords("Point information jeunesse, voir notre site web") == []
    assert themes_from_keywords("Club d'arts martiaux") == []


def test_workspace_words_and_their_false_friends() -> None:
    for name in ("Yelloworking", "Télécentre de Figeac", "FrenchWork", "Oh Happy Desk", "Nice Cowo"):
        assert themes_from_keywords(name) == ["coworking"], name
    for name in ("Le Patchwork", "Soirée networking", "Hackathon du territoire"):
        assert themes_from_keywords(name) == [], name
    assert themes_from_keywords("Workshop couture") == ["fabrication"]


def test_keyword_rule_quality_counts_on_a_tiny_table() -> None:
    labelled = pd.DataFrame(
        {
            "name": ["Fablab du Lac", "Ferme des Ânes", "La Ruche", "Le Hangar"],
            "description": ["", "", "atelier bois partagé", ""],
            **{t: [0, 0, 0, 0] for t in THEMES},
        }
    )
    labelled["fabrication"] = [1, 0, 1, 1]
    labelled["alimentation"] = [0, 1, 0, 0]
    labelled["culture"] = [0, 0, 0, 1]
    quality = keyword_rule_quality(labelled)
    assert list(quality.columns) == list(QUALITY_COLUMNS)
    assert list(quality.index) == list(THEMES)
    fab = quality.loc["fabrication"]
    assert (fab["lieux du thème"], fab["détectés"], fab["vrais positifs"]) == (3, 2, 2)
    assert fab["précision"] == 1.0
    assert fab["rappel"] == pytest.approx(2 / 3)
    assert fab["F1"] == pytest.approx(0.8)
    assert quality.loc["alimentation", "F1"] == 1.0
    # Nothing detected: precision undefined, recall and F1 zero; nothing at all: all undefined.
    assert math.isnan(quality.loc["culture", "précision"])
    assert quality.loc["culture", "rappel"] == 0.0
    assert quality.loc["culture", "F1"] == 0.0
    assert quality.loc["reemploi"].drop("Thème").iloc[3:].isna().all()


def test_keyword_rule_quality_lists_every_problem() -> None:
    labelled = pd.DataFrame({"name": ["Fablab"], **{t: [0] for t in THEMES if t != "culture"}})
    labelled["numerique"] = [2]
    with pytest.raises(InvalidParameterError) as error:
        keyword_rule_quality(labelled)
    assert "« culture » absente" in str(error.value)
    assert "« numerique » doit valoir 0 ou 1" in str(error.value)


# Floors (precision, recall) of the keyword rules on the labelled sample, measured values rounded
# down. Recall is lowest where places are known by their proper name only: 18 of the 20 culture
# misses (Le Lieu Unique, Mains d'Œuvres…), 5 of the 6 food misses and 16 of the 26 digital misses
# are labelled from knowledge of the place (`knowledge` column), which no keyword can reach.
KEYWORD_FLOORS: dict[str, tuple[float, float]] = {
    "fabrication": (0.95, 0.80),
    "coworking": (0.95, 0.90),
    "alimentation": (0.95, 0.75),
    "reemploi": (0.95, 0.80),
    "culture": (0.95, 0.60),
    "numerique": (0.95, 0.75),
}


@pytest.fixture(scope="module")
def labelled() -> pd.DataFrame:
    return read_labelled_places()


def test_labelled_sample_is_large_and_covers_every_theme(labelled: pd.DataFrame) -> None:
    assert len(labelled) >= 150
    assert labelled["place_id"].is_unique
    for theme in THEMES:
        assert labelled[theme].sum() >= 15, theme
    for row in labelled[labelled["knowledge"] != ""].itertuples():
        for theme in row.knowledge.split(";"):
            assert getattr(row, theme) == 1, (row.place_id, theme)


def test_keyword_rules_meet_their_floors_on_the_labelled_sample(labelled: pd.DataFrame) -> None:
    quality = keyword_rule_quality(labelled)
    for theme, (precision, recall) in KEYWORD_FLOORS.items():
        assert quality.loc[theme, "précision"] >= precision, quality.loc[theme]
        assert quality.loc[theme, "rappel"] >= recall, quality.loc[theme]


def test_every_keyword_hit_of_the_bundled_places_is_labelled(atlas: Atlas, labelled: pd.DataFrame) -> None:
    # The sample holds every place the rules give a theme, so its precision is that of the
    # bundled data; a rule change that finds new places must label them.
    labelled_ids = set(labelled["place_id"])
    places = atlas.places
    texts = places["name"].fillna("") + " " + places["description"].fillna("")
    hits = places.loc[[bool(themes_from_keywords(t)) for t in texts], ["place_id", "name", "source_records"]]
    # A merged place is labelled through any of its source records.
    labelled_place = hits["source_records"].str.split(";").map(lambda ids: not labelled_ids.isdisjoint(ids))
    unlabelled = hits.loc[~labelled_place, ["place_id", "name"]]
    assert unlabelled.empty, f"à étiqueter dans tests/fixtures/themes : {unlabelled.values.tolist()}"


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED_DATA / "SOURCES.md").exists(), reason="../shared/data absent (clone seul)")
def test_labelled_places_are_real_source_records(labelled: pd.DataFrame) -> None:
    cget = pd.read_csv(SHARED_DATA / PLACE_FILES["cget_2019"], dtype=str)
    names = {"cget_2019": "\n".join(cget["NOM_TL"].fillna(""))}
    for source in ("anct_fabriques_2024", "anct_manufactures_2022"):
        features = json.loads((SHARED_DATA / PLACE_FILES[source]).read_text(encoding="utf-8"))["features"]
        names[source] = "\n".join(f["properties"]["lib_territoire"] or "" for f in features)
    for row in labelled.itertuples():
        # Long names are cut with « … » by the build; one e-mail address was removed from a name.
        name = row.name.split(" [adresse retirée]")[0].rstrip("…")
        assert name in names[row.source], row.place_id
