"""The placement rules (point → commune, INSEE normalisation, consistency verdicts) on tiny geometries."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo._errors import InvalidParameterError
from geo.io.commune_lookup import deps_from_postcode
from geo.io.placement import (
    ACTION_DECLARED,
    ACTION_POINT,
    ACTION_REJECT,
    ACTION_RULE,
    ISSUE_CODE,
    ISSUE_CODES,
    ISSUE_DECLARATION,
    ISSUE_POINT_FAR,
    ISSUE_POINT_NEAR,
    PRECISION_ADDRESS,
    PRECISION_APPROXIMATE,
    PRECISION_COMMUNE,
    VERDICT_CENTROID,
    VERDICT_CONSISTENT,
    VERDICT_CORRECTED,
    VERDICT_INCONSISTENT,
    VERDICT_UNPLACED,
    CommuneLocator,
    choose_locations,
    commune_locator,
    communes_of_points,
    namesake_named_in,
    normalize_insee,
    parse_coordinates,
    place_rows,
    read_coordinates,
)

# Three communes side by side on the Mediterranean coast (sea south of 43.5°), the last one in
# another département; and two namesakes « Saint-Louis » far apart, one near « Grand-Bourg ».
_COMMUNES = pd.DataFrame(
    {
        "code_insee": ["34172", "34001", "12202", "97126", "97125", "97414"],
        "nom": ["Montpellier", "Aniane", "Rodez", "Saint-Louis", "Grand-Bourg", "Saint-Louis"],
        "dep": ["34", "34", "12", "971", "971", "974"],
        "nom_dep": ["Hérault", "Hérault", "Aveyron", "Guadeloupe", "Guadeloupe", "La Réunion"],
        "reg": ["76", "76", "76", "01", "01", "04"],
        "nom_reg": ["Occitanie", "Occitanie", "Occitanie", "Guadeloupe", "Guadeloupe", "La Réunion"],
        "epci_siren": ["243400017", "200017341", "241200187", "249710047", "249710047", "249740077"],
        "zone": ["metro", "metro", "metro", "971", "971", "974"],
        "codes_postaux": ["34000 34070", "34150", "12000", "97134", "97112", "97450"],
    }
)
_OUTLINES = [
    box(3.8, 43.5, 3.95, 43.65),
    box(3.6, 43.5, 3.8, 43.65),
    box(3.95, 43.5, 4.1, 43.65),
    box(-61.34, 15.9, -61.3, 15.96),
    box(-61.3, 15.86, -61.25, 15.92),
    box(55.38, -21.3, 55.45, -21.2),
]


@pytest.fixture(scope="module")
def locator() -> CommuneLocator:
    outlines = gpd.GeoDataFrame({"code_insee": _COMMUNES["code_insee"]}, geometry=_OUTLINES, crs="EPSG:4326")
    points = gpd.GeoDataFrame(_COMMUNES, geometry=[g.centroid for g in _OUTLINES], crs="EPSG:4326")
    passage = pd.DataFrame({"code_ancien": ["34999"], "code_insee_2026": ["34001"]})
    return commune_locator(points, outlines, passage)


def _place(
    locator: CommuneLocator, rows: list[dict[str, object]], *, alternatives: bool = False
) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ("code", "name", "postcode", "dep", "reg", "text"):
        if column not in frame:
            frame[column] = ""
    if "precision" not in frame:
        frame["precision"] = PRECISION_ADDRESS
    return place_rows(
        locator,
        frame["lon"].astype(float),
        frame["lat"].astype(float),
        frame["precision"],
        declared_code=frame["code"],
        declared_name=frame["name"],
        postcode=frame["postcode"],
        declared_dep=frame["dep"],
        declared_reg=frame["reg"],
        text=frame["text"],
        alternatives=alternatives,
    )


def test_normalize_insee_spellings() -> None:
    assert normalize_insee("7319") == "07319"
    assert normalize_insee(7319) == "07319"
    assert normalize_insee("2b050") == "2B050"
    assert normalize_insee(" 75111 ") == "75056"
    assert normalize_insee("69383") == "69123"
    assert normalize_insee("13205.0") == "13055"
    assert normalize_insee("0") == ""
    assert normalize_insee(float("nan")) == ""
    assert normalize_insee("34999", {"34999": "34001"}) == "34001"


def test_postcode_departements() -> None:
    assert deps_from_postcode("7200") == ["07"]
    assert deps_from_postcode("20000") == ["2A", "2B"]
    assert deps_from_postcode("97400") == ["974"]
    assert deps_from_postcode("98000") == []
    assert deps_from_postcode("0") == []


def test_parse_coordinates_decimal_commas_and_degrees() -> None:
    numbers, unreadable = parse_coordinates(pd.Series(["43,61", "3.87°", "1.234,5", "", "abc"]))
    assert numbers.iloc[:3].tolist() == pytest.approx([43.61, 3.87, 1234.5])
    assert unreadable.tolist() == [False, False, False, False, True]


def test_point_in_a_commune_and_snapped_from_the_sea(locator: CommuneLocator) -> None:
    found = communes_of_points(
        locator, pd.Series([3.87, 3.87, 3.87, 10.0]), pd.Series([43.6, 43.495, 43.4, 43.6])
    )
    assert found["code_insee"].tolist() == ["34172", "34172", "", ""]
    assert found["snap_m"].iloc[0] == 0
    assert 400 < found["snap_m"].iloc[1] < 700  # 0.005° of latitude at sea
    assert np.isnan(found["snap_m"].iloc[2])  # 11 km offshore: beyond the snapping distance


def test_consistent_point_and_declared_commune(locator: CommuneLocator) -> None:
    out = _place(locator, [{"lon": 3.87, "lat": 43.6, "precision": PRECISION_ADDRESS, "code": "34172"}])
    assert out.loc[0, "code_insee"] == "34172"
    assert out.loc[0, "placement"] == VERDICT_CONSISTENT
    assert out.loc[0, "placement_note"] == ""


def test_address_point_wins_over_a_declared_commune_far_away(locator: CommuneLocator) -> None:
    out = _place(locator, [{"lon": 4.05, "lat": 43.6, "precision": PRECISION_ADDRESS, "code": "34001"}])
    assert out.loc[0, "code_insee"] == "12202"
    assert out.loc[0, "placement"] == VERDICT_INCONSISTENT
    assert out.loc[0, "placement_distance_m"] > 10_000
    note = out.loc[0, "placement_note"]
    assert "Rodez (12202)" in note
    assert "Aniane (34001)" in note
    assert "adresse retenues" in note


def test_poor_point_in_another_departement_gives_way_to_the_declared_commune(locator: CommuneLocator) -> None:
    out = _place(locator, [{"lon": 4.05, "lat": 43.6, "precision": PRECISION_APPROXIMATE, "code": "34001"}])
    assert out.loc[0, "code_insee"] == "34001"
    assert out.loc[0, "placement"] == VERDICT_INCONSISTENT
    assert out.loc[0, "location_precision"] == PRECISION_COMMUNE
    assert out.loc[0, "lon"] == pytest.approx(3.7)  # moved to the declared commune's point
    assert "commune déclarée retenue" in out.loc[0, "placement_note"]


def test_poor_point_in_the_same_departement_is_kept_but_flagged(locator: CommuneLocator) -> None:
    out = _place(locator, [{"lon": 3.7, "lat": 43.6, "precision": PRECISION_APPROXIMATE, "code": "34172"}])
    assert out.loc[0, "code_insee"] == "34001"
    assert out.loc[0, "placement"] == VERDICT_INCONSISTENT
    assert "point retenu" in out.loc[0, "placement_note"]


def test_point_just_across_a_simplified_border_keeps_its_declared_commune(locator: CommuneLocator) -> None:
    out = _place(locator, [{"lon": 3.801, "lat": 43.6, "precision": PRECISION_ADDRESS, "code": "34001"}])
    assert out.loc[0, "code_insee"] == "34001"
    assert out.loc[0, "placement"] == VERDICT_CONSISTENT
    assert "marge des contours simplifiés" in out.loc[0, "placement_note"]


def test_rows_without_point_are_placed_at_their_commune(locator: CommuneLocator) -> None:
    out = _place(
        locator,
        [
            {"lon": np.nan, "lat": np.nan, "precision": PRECISION_ADDRESS, "code": "75111"},
            {"lon": np.nan, "lat": np.nan, "precision": PRECISION_ADDRESS, "code": "34999"},
            {"lon": np.nan, "lat": np.nan, "precision": PRECISION_ADDRESS, "code": "99999"},
            {"lon": 20.0, "lat": 43.6, "precision": PRECISION_ADDRESS, "code": "12202"},
        ],
    )
    # Paris is not a commune of this miniature: an arrondissement code is still read as Paris.
    assert out.loc[0, "placement"] == VERDICT_UNPLACED
    assert "75056" in out.loc[0, "placement_note"]
    assert out.loc[1, ["code_insee", "placement"]].tolist() == ["34001", VERDICT_CENTROID]
    assert "ancien code INSEE converti" in out.loc[1, "placement_note"]
    assert out.loc[2, "placement"] == VERDICT_UNPLACED
    assert out.loc[3, ["code_insee", "placement"]].tolist() == ["12202", VERDICT_CENTROID]
    assert "hors de toute commune" in out.loc[3, "placement_note"]


def test_postcode_of_another_departement_is_inconsistent(locator: CommuneLocator) -> None:
    out = _place(
        locator,
        [
            {"lon": 3.87, "lat": 43.6, "precision": PRECISION_ADDRESS, "postcode": "12000"},
            {"lon": 3.87, "lat": 43.6, "precision": PRECISION_ADDRESS, "postcode": "34070"},
            {"lon": 3.87, "lat": 43.6, "precision": PRECISION_ADDRESS, "dep": "12"},
        ],
    )
    assert out["placement"].tolist() == [VERDICT_INCONSISTENT, VERDICT_CONSISTENT, VERDICT_INCONSISTENT]
    assert "code postal 12000" in out.loc[0, "placement_note"]
    assert "département déclaré 12" in out.loc[2, "placement_note"]


def test_namesake_named_in_the_text(locator: CommuneLocator) -> None:
    assert namesake_named_in(locator, "97414", "Pôle d'activités de Marie-Galante") is None  # not a context
    assert namesake_named_in(locator, "97414", "Tiers-lieu de Grand-Bourg") == "97126"
    assert namesake_named_in(locator, "97414", "Tiers-lieu de La Réunion") is None  # its own context
    assert namesake_named_in(locator, "34172", "Grand-Bourg") is None  # no namesake
    out = _place(
        locator,
        [
            {
                "lon": 55.41,
                "lat": -21.25,
                "precision": PRECISION_COMMUNE,
                "code": "97414",
                "text": "Lab de Guadeloupe",
            }
        ],
    )
    assert out.loc[0, ["code_insee", "placement"]].tolist() == ["97126", VERDICT_INCONSISTENT]
    assert "commune homonyme Saint-Louis (97126)" in out.loc[0, "placement_note"]
    assert out.loc[0, "lon"] == pytest.approx(-61.32)


def test_degrees_and_minutes_with_a_hemisphere() -> None:
    read = read_coordinates(
        pd.Series(["43°36'N", "1°26'38\"E", "N 43° 36' 12,5\"", "4°5'O", "43.6", "12°75'N"])
    )
    assert read.numbers.iloc[:5].tolist() == pytest.approx(
        [43.6, 1.443889, 43.603472, -4.083333, 43.6], abs=1e-5
    )
    assert read.sexagesimal.tolist() == [True, True, True, True, False, False]
    assert read.unreadable.tolist() == [False, False, False, False, False, True]  # 75 minutes


@pytest.mark.parametrize(
    ("lon", "lat", "code", "fix"),
    [
        (61.32, 15.93, "97126", "signe de la longitude"),  # Guadeloupe with a positive longitude
        (43.6, 3.87, "34172", "latitude et longitude inversées"),
        (55.41, 21.25, "97414", "signe de la latitude"),  # La Réunion in the northern hemisphere
        (15.93, 61.32, "97126", "inversées, signe de la longitude"),
    ],
)
def test_sign_errors_and_swaps_are_corrected_when_they_match_the_declared_commune(
    locator: CommuneLocator, lon: float, lat: float, code: str, fix: str
) -> None:
    out = _place(locator, [{"lon": lon, "lat": lat, "code": code}])
    assert out.loc[0, ["code_insee", "placement"]].tolist() == [code, VERDICT_CORRECTED]
    assert fix in out.loc[0, "placement_note"]
    assert out.loc[0, "location_precision"] == PRECISION_ADDRESS  # the corrected point, not the centroid


def test_a_correction_that_lands_in_another_commune_is_not_kept(locator: CommuneLocator) -> None:
    # -3.87 flipped is Montpellier, but the row declares Rodez: placed at Rodez, not « corrected ».
    out = _place(locator, [{"lon": -3.87, "lat": 43.6, "code": "12202"}])
    assert out.loc[0, ["code_insee", "placement"]].tolist() == ["12202", VERDICT_CENTROID]
    assert "corrigé" not in out.loc[0, "placement_note"]


def test_a_correction_checked_against_the_postcode_or_the_departement(locator: CommuneLocator) -> None:
    out = _place(
        locator,
        [
            {"lon": -3.87, "lat": 43.6, "postcode": "34000"},
            {"lon": -3.87, "lat": 43.6, "dep": "Hérault"},
            {"lon": -3.87, "lat": 43.6, "postcode": "12000"},  # the flip lands in Hérault, not Aveyron
        ],
    )
    assert out["placement"].tolist() == [VERDICT_CORRECTED, VERDICT_CORRECTED, VERDICT_UNPLACED]
    assert out.loc[:1, "code_insee"].tolist() == ["34172", "34172"]


def test_without_declaration_a_point_outside_france_is_corrected_only_by_a_single_candidate(
    locator: CommuneLocator,
) -> None:
    out = _place(locator, [{"lon": -3.87, "lat": 43.6}, {"lon": 3.87, "lat": 43.6}])
    assert out.loc[0, ["code_insee", "placement"]].tolist() == ["34172", VERDICT_CORRECTED]
    assert "aucune commune déclarée pour le confirmer" in out.loc[0, "placement_note"]
    assert out.loc[1, "placement"] == VERDICT_CONSISTENT  # nothing to check it against: kept as is


def test_kinds_of_disagreement_and_their_two_locations(locator: CommuneLocator) -> None:
    rows = [
        {"lon": 3.78, "lat": 43.6, "code": "34172"},  # Aniane, 1.6 km from Montpellier
        {"lon": 3.65, "lat": 43.6, "code": "34172"},  # Aniane, 12 km away
        {"lon": 4.05, "lat": 43.6, "code": "34001", "postcode": "12000"},  # Rodez, as its postcode says
        {"lon": np.nan, "lat": np.nan, "code": "34172", "name": "Rodez", "postcode": "12000"},
        {"lon": 3.87, "lat": 43.6, "code": "34172", "postcode": "12000"},
        {"lon": 3.87, "lat": 43.6, "code": "34172", "reg": "Guadeloupe"},
    ]
    out = _place(locator, rows, alternatives=True)
    assert out["placement_issue"].tolist() == [
        ISSUE_POINT_NEAR,
        ISSUE_POINT_FAR,
        ISSUE_CODE,
        ISSUE_CODES,
        ISSUE_DECLARATION,
        ISSUE_DECLARATION,
    ]
    assert (out["placement"] == VERDICT_INCONSISTENT).all()
    # The point's location and the declared commune, for the user to choose.
    assert out.loc[0, ["point_code_insee", "declared_code_insee"]].tolist() == ["34001", "34172"]
    assert out.loc[2, ["point_code_insee", "declared_code_insee"]].tolist() == ["12202", "34001"]
    assert "code postal est aussi celui de la commune du point" in out.loc[2, "placement_note"]
    # Without a point, the other location is the commune that the name and postcode designate.
    assert out.loc[3, ["code_insee", "point_code_insee", "point_precision"]].tolist() == [
        "34172",
        "12202",
        PRECISION_COMMUNE,
    ]
    assert "le nom « Rodez » et le code postal 12000 désignent Rodez (12202)" in out.loc[3, "placement_note"]
    assert "région déclarée 01" in out.loc[5, "placement_note"]


def test_choices_move_or_reject_the_rows_of_one_kind(locator: CommuneLocator) -> None:
    rows = [
        {"lon": 3.78, "lat": 43.6, "code": "34172"},
        {"lon": 3.65, "lat": 43.6, "code": "34172"},
        {"lon": np.nan, "lat": np.nan, "code": "34172", "name": "Rodez", "postcode": "12000"},
        {"lon": 3.87, "lat": 43.6, "code": "34172"},
    ]
    placed = _place(locator, rows, alternatives=True)
    chosen, rejected = choose_locations(
        placed,
        locator,
        {ISSUE_POINT_NEAR: ACTION_DECLARED, ISSUE_POINT_FAR: ACTION_REJECT, ISSUE_CODES: ACTION_POINT},
    )
    assert chosen["code_insee"].tolist() == ["34172", "34001", "12202", "34172"]
    assert chosen.loc[0, "location_precision"] == PRECISION_COMMUNE
    assert chosen.loc[0, "lon"] == pytest.approx(3.875)  # Montpellier's point
    assert rejected.tolist() == [False, True, False, False]
    assert "choix à l'import : placer au point de la commune déclarée" in chosen.loc[0, "placement_note"]
    assert "adresse retenues" not in chosen.loc[0, "placement_note"]  # the rule's own choice is replaced
    unchanged, none = choose_locations(placed, locator, {ISSUE_POINT_NEAR: ACTION_RULE})
    assert unchanged["code_insee"].tolist() == placed["code_insee"].tolist()
    assert not none.any()
    with pytest.raises(InvalidParameterError, match="point_proche"):
        choose_locations(placed, locator, {ISSUE_POINT_NEAR: "ailleurs"})
    with pytest.raises(InvalidParameterError, match="genres de désaccord"):
        choose_locations(placed, locator, {"inconnu": ACTION_POINT})
