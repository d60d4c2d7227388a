"""Record linkage on hand-made pairs: what is merged, what is kept apart, what a merge keeps."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.io.linkage import (
    DECISION_APART,
    DECISION_MERGED,
    DECISION_REVIEW,
    duplicate_flags,
    link_places,
    name_tokens,
)
from geo.io.placement import PRECISION_ADDRESS, PRECISION_COMMUNE

_METRES_PER_DEGREE = 111_000.0


def _place(
    place_id: str, name: str, *, x_m: float = 0.0, code: str = "34172", **values: object
) -> dict[str, object]:
    source, _, source_id = place_id.partition(":")
    row: dict[str, object] = {
        "place_id": place_id,
        "source": source,
        "source_id": source_id,
        "name": name,
        "description": "",
        "label": "",
        "source_typology": "",
        "code_insee": code,
        "zone": "metro",
        "x_m": 700_000.0 + x_m,
        "y_m": 6_280_000.0,
        "location_precision": PRECISION_ADDRESS,
        "url": "",
        "vintage": "2019",
        "licence": "Etalab",
        **{
            f"theme_{t}": ""
            for t in ("fabrication", "coworking", "alimentation", "reemploi", "culture", "numerique")
        },
    }
    row.update(values)
    return row


def _link(
    rows: list[dict[str, object]], exceptions: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    places = pd.DataFrame(rows)
    return link_places(places, pd.Series("Montpellier", index=places.index), exceptions=exceptions)


def _decision(decisions: pd.DataFrame, a: str, b: str) -> str:
    pair = decisions[
        ((decisions["place_id_a"] == a) & (decisions["place_id_b"] == b))
        | ((decisions["place_id_a"] == b) & (decisions["place_id_b"] == a))
    ]
    return str(pair["decision"].iloc[0]) if len(pair) else ""


def test_name_tokens_drop_accents_articles_generic_words_and_legal_forms() -> None:
    assert name_tokens("Espace de coworking La Tribu") == ("tribu",)
    assert name_tokens("ONZIÈME LIEU") == name_tokens("Onzième Lieu") == ("onzieme",)
    assert name_tokens("Tiers-lieu Le 21") == ("21",)
    assert name_tokens("LE HANGAR 0") == name_tokens("Le Hangar Zéro", digits=True)
    assert name_tokens("Les Copeaux Numériques SCOP ARL") == ("copeaux", "numeriques")
    assert name_tokens("Espace de coworking", generic=True) == ("espace", "coworking")


def test_same_place_listed_twice_is_merged_with_every_record_and_theme() -> None:
    merged, decisions = _link(
        [
            _place(
                "cget_2019:915", "Onzième Lieu", theme_coworking="typologie", url="http://onzieme-lieu.com"
            ),
            _place("cget_2019:1509", "ONZIEME LIEU", x_m=6, theme_culture="mot-clé"),
            _place(
                "anct_fabriques_2024:fabt-1",
                "Onzième lieu",
                x_m=2_000,
                location_precision=PRECISION_COMMUNE,
                label="Fabrique de territoire",
                vintage="janvier 2024",
                theme_coworking="mot-clé",
            ),
        ]
    )
    assert len(merged) == 1
    place = merged.iloc[0]
    assert place["place_id"] == "cget_2019:915"  # the most precise record leads
    assert set(place["source_records"].split(";")) == {
        "cget_2019:915",
        "cget_2019:1509",
        "anct_fabriques_2024:fabt-1",
    }
    assert place["sources"] == "cget_2019;anct_fabriques_2024"
    assert place["aliases"] == "ONZIEME LIEU ; Onzième lieu"
    assert place["label"] == "Fabrique de territoire"
    assert place["theme_coworking"] == "typologie"  # the most reliable route wins
    assert place["theme_culture"] == "mot-clé"
    assert place["themes"] == "coworking;culture"
    assert place["url"] == "http://onzieme-lieu.com"
    assert _decision(decisions, "cget_2019:915", "cget_2019:1509") == DECISION_MERGED


def test_similar_names_of_different_places_are_kept_apart() -> None:
    merged, decisions = _link(
        [
            _place("cget_2019:1", "La Cordée Valmy"),
            _place("cget_2019:2", "La Cordée Jean Macé", x_m=300),
            _place("cget_2019:3", "La Tribu", x_m=20),
            _place("cget_2019:4", "La Manufacture Distribuée", x_m=30),
        ]
    )
    assert len(merged) == 4
    assert _decision(decisions, "cget_2019:1", "cget_2019:2") in ("", DECISION_REVIEW)
    assert _decision(decisions, "cget_2019:3", "cget_2019:4") == DECISION_APART  # same spot, other names
    assert (merged["possible_duplicate_of"] == "").sum() >= 2


def test_same_name_in_two_towns_or_two_sites_of_a_network() -> None:
    merged, decisions = _link(
        [
            _place("cget_2019:1", "Yelloworking"),
            _place("cget_2019:2", "Yelloworking", x_m=600),
            _place("cget_2019:3", "Yelloworking", x_m=40_000, code="30189"),
        ]
    )
    assert len(merged) == 3
    assert _decision(decisions, "cget_2019:1", "cget_2019:2") == DECISION_REVIEW  # 600 m: two sites?
    assert _decision(decisions, "cget_2019:1", "cget_2019:3") == ""  # 40 km: never a candidate
    flagged = merged.set_index("place_id")["possible_duplicate_of"]
    assert flagged["cget_2019:1"] == "cget_2019:2"
    assert flagged["cget_2019:3"] == ""


def test_generic_names_are_not_merged_on_the_commune_name_alone() -> None:
    merged, decisions = _link(
        [
            _place("cget_2019:1", "Coworking Montpellier"),
            _place("cget_2019:2", "Fablab Montpellier", x_m=120),
        ]
    )
    assert len(merged) == 2
    assert _decision(decisions, "cget_2019:1", "cget_2019:2") == DECISION_REVIEW


def test_one_name_inside_the_other_at_the_same_spot_is_merged() -> None:
    merged, _ = _link(
        [
            _place("cget_2019:1", "Chez Basile"),
            _place("cget_2019:2", "Chez Basile // agriculture urbaine & coworking", x_m=8),
            _place("cget_2019:3", "The Camp", x_m=5_000, code="13001"),
            _place("cget_2019:4", "ICI thecamp", x_m=5_000, code="13001"),
        ]
    )
    assert len(merged) == 2


def test_reviewed_exceptions_override_the_rules() -> None:
    rows = [_place("cget_2019:1", "Yelloworking"), _place("cget_2019:2", "Yelloworking", x_m=600)]
    exceptions = pd.DataFrame(
        {
            "place_id_a": ["cget_2019:2"],
            "place_id_b": ["cget_2019:1"],
            "decision": [DECISION_MERGED],
            "motif": ["même"],
        }
    )
    merged, decisions = _link(rows, exceptions)
    assert len(merged) == 1
    assert decisions.loc[0, "regle"] == "exception"
    assert decisions.loc[0, "motif"] == "décision relue : même"


def test_duplicate_flags_for_an_import_only_look_at_its_rows() -> None:
    places = pd.DataFrame(
        [
            _place("cget_2019:1", "La Halle"),
            _place("cget_2019:2", "La Halle", x_m=10),
            _place("import:L2", "LA HALLE", x_m=5),
            _place("import:L3", "Autre lieu", x_m=3_000),
        ]
    )
    flags = duplicate_flags(
        places, pd.Series("Montpellier", index=places.index), among=places["source"] == "import"
    )
    assert flags.tolist()[2] == "cget_2019:1;cget_2019:2"
    assert flags.tolist()[3] == ""
    assert flags.tolist()[0] == "import:L2"  # the bundled pair itself is not re-examined


@pytest.mark.parametrize(
    ("first", "second"), [("Le Cent Sept", "Le Centsept"), ("Platforme C", "Plateforme C")]
)
def test_spelling_variants_at_the_same_address_are_merged(first: str, second: str) -> None:
    merged, _ = _link([_place("cget_2019:1", first), _place("cget_2019:2", second, x_m=10)])
    assert len(merged) == 1
