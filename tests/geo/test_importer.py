"""Importer: every row accounted for, every doubtful point shown before it counts (real-format fixtures)."""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo._errors import AtlasError, DataValidationError, InvalidParameterError
from geo.io.atlas import Atlas, load_commune_polygons
from geo.io.export import csv_with_metadata_zip, xlsx_bytes
from geo.io.import_mapping import (
    FORMAT_CENSUS_2023,
    FORMAT_CENSUS_2026,
    FORMAT_GENERIC,
    ColumnMapping,
    PreparedImport,
    prepare_import,
    suggest_mapping,
)
from geo.io.importer import (
    IMPORT_CENTROID,
    IMPORT_CORRECTED,
    IMPORT_EXACT,
    IMPORT_INCONSISTENT,
    IMPORT_REJECTED,
    IMPORT_VERDICTS,
    ImportCheck,
    ImportResult,
    check_import,
    import_places,
    typology_table,
)
from geo.io.placement import (
    ACTION_DECLARED,
    ACTION_POINT,
    ACTION_REJECT,
    ISSUE_ACTIONS,
    ISSUE_CODES,
    ISSUE_POINT_FAR,
    ISSUE_POINT_NEAR,
    CommuneLocator,
    commune_locator,
)
from geo.io.upload import read_upload
from tests.conftest import ROOT
from tests.fixtures import hostile

FIXTURES = ROOT / "tests" / "fixtures" / "import"


@pytest.fixture(scope="module")
def locator(atlas: Atlas) -> CommuneLocator:
    return commune_locator(
        atlas.communes, load_commune_polygons(), atlas.communes_passage, atlas.communes_deleguees
    )


def _read(*names: str) -> PreparedImport:
    return prepare_import([read_upload((FIXTURES / n).read_bytes(), n) for n in names])


def _bytes(data: bytes, name: str = "liste.csv") -> PreparedImport:
    return prepare_import([read_upload(data, name)])


def _assert_accounted(result: ImportResult) -> None:
    """Every input row is in the report once, with one verdict; the counts add up; nothing silent."""
    report = result.report
    assert len(report) == result.n_input
    assert sum(result.verdict_counts.values()) == result.n_input
    assert report["verdict"].value_counts().to_dict() == {
        IMPORT_VERDICTS[v]: n for v, n in result.verdict_counts.items() if n
    }
    rejected = result.verdict_counts[IMPORT_REJECTED]
    assert result.n_imported == result.n_input - rejected - result.n_rejected_by_choice
    assert len(result.rejected) == rejected + result.n_rejected_by_choice
    assert (result.rejected["motif"] != "").all()
    doubtful = report["verdict"] != IMPORT_VERDICTS[IMPORT_EXACT]
    assert (report.loc[doubtful, "motif"] != "").all()  # every non-exact row says why
    assert result.places["place_id"].is_unique


def _by(result: ImportResult, column: str) -> pd.DataFrame:
    return result.report.set_index(column)


# ---------------------------------------------------------------------------- census formats


def test_census_2026_identity_and_thematic_file(locator: CommuneLocator) -> None:
    prepared = _read("bdftl-2026-01-fiche-identite.csv", "bdftl-2026-02-activites.csv")
    assert prepared.file_format == FORMAT_CENSUS_2026
    assert prepared.mapping.lat == "LATITUDE"
    assert prepared.mapping.postcode == "CODPOST"
    assert set(prepared.dropped_columns) == {"EMAIL", "TELEPHONE", "Mail"}
    assert any("1 ligne sans fiche d'identité" in n for n in prepared.notes)
    result = import_places(prepared, locator)
    _assert_accounted(result)
    assert result.verdict_counts == {
        IMPORT_EXACT: 3,
        IMPORT_CORRECTED: 1,
        IMPORT_CENTROID: 4,
        IMPORT_INCONSISTENT: 0,
        IMPORT_REJECTED: 1,
    }
    report = _by(result, "NOM")
    places = result.places.set_index("name")
    assert places.at["La Fabrique du Coin", "code_insee"] == "34172"  # decimal comma read as is
    assert places.at["La Fabrique du Coin", "location_precision"] == "adresse"
    # Swapped latitude / longitude: a correction that matches the declared Toulouse.
    assert report.at["Ferme partagée des Minimes", "verdict"] == "corrigée"
    assert "latitude et longitude inversées" in report.at["Ferme partagée des Minimes", "motif"]
    assert places.at["Ferme partagée des Minimes", "code_insee"] == "31555"
    # No coordinates: placed at the commune of postcode + name.
    assert places.at["Coworking des Lilas", "code_insee"] == "35238"
    assert places.at["Coworking des Lilas", "location_precision"] == "centroide_commune"
    assert report.at["Coworking des Lilas", "verdict"] == "placée à la commune"
    assert (
        "trouvée par le nom « Rennes » et le code postal 35000" in report.at["Coworking des Lilas", "motif"]
    )
    assert places.at["Le Quai des Savoirs", "code_insee"] == "42218"  # « St-Etienne »
    assert places.at["Le Hangar", "code_insee"] == "2A004"  # 20000 → Corse-du-Sud
    assert places.at["Cuisine partagée de la Roquette", "code_insee"] == "75056"  # « Paris 11e »
    assert places.at["Tiers-lieu péi", "zone"] == "974"
    assert report.at["Lieu fantôme", "suite donnée"] == "rejeté"
    assert "Atlantide" in report.at["Lieu fantôme", "motif"]
    # Themes: census family labels from the thematic file are a « typologie » route.
    assert places.at["Coworking des Lilas", "theme_coworking"] == "typologie"
    assert places.at["La Fabrique du Coin", "theme_fabrication"] == "typologie"
    assert places.at["Ferme partagée des Minimes", "theme_alimentation"] == "typologie"
    assert places["vintage"].str.contains("2026").all()
    assert set(result.places["place_id"]) >= {"import:TL-0001", "import:TL-0008"}
    assert result.theme_warning is None


def test_census_identity_file_without_its_thematic_files_is_warned(locator: CommuneLocator) -> None:
    result = import_places(_read("bdftl-2026-01-fiche-identite.csv"), locator)
    assert result.theme_warning is not None
    assert "fichiers thématiques du recensement" in result.theme_warning


def test_census_2023_insee_codes_that_contradict_their_postcode(locator: CommuneLocator) -> None:
    prepared = _read("bdftl-2023-04-activites.csv", "bdftl-2023-01-fiche-identite.csv")
    assert prepared.file_format == FORMAT_CENSUS_2023
    check = check_import(prepared, locator)
    # « Tiers-lieu du Vivarais »: INSEE 07319 (Le Teil) but « Saint-Privat 07200 »; « Le Bastion »:
    # 2B050 (Calvi) but « Bastia 20200 ». Nothing settles it: the user chooses.
    assert check.issues == {ISSUE_CODES: 2}
    by_rule = _by(check.result(), "NOM")
    assert by_rule.at["Tiers-lieu du Vivarais", "verdict"] == "incohérente"
    assert "Saint-Privat (07289)" in by_rule.at["Tiers-lieu du Vivarais", "motif"]
    assert by_rule.at["Tiers-lieu du Vivarais", "code INSEE retenu"] == "07319"  # the rule keeps the code
    chosen = check.result({ISSUE_CODES: ACTION_POINT})
    _assert_accounted(chosen)
    places = chosen.places.set_index("name")
    assert places.at["Tiers-lieu du Vivarais", "code_insee"] == "07289"
    assert places.at["Le Bastion", "code_insee"] == "2B033"
    assert _by(chosen, "NOM").at["Le Bastion", "suite donnée"] == "importé : commune du nom ou du code postal"
    rejected = check.result({ISSUE_CODES: ACTION_REJECT})
    _assert_accounted(rejected)
    assert rejected.n_rejected_by_choice == 2
    assert "Le Bastion" not in set(rejected.places["name"])
    assert places.at["Fablab de Lannion", "theme_numerique"] == "typologie"  # TYPE_ACT_NUMER = 1
    assert "99001" in _by(chosen, "NOM").at["Code inconnu", "motif"]


def test_several_free_lists_at_once_are_refused() -> None:
    tables = [read_upload(b"nom;insee\nA;34172\n", f"l{i}.csv") for i in range(2)]
    with pytest.raises(DataValidationError, match="une seule liste"):
        prepare_import(tables)


def test_census_files_with_another_list_are_refused_naming_it() -> None:
    with pytest.raises(DataValidationError, match=r"importez à part « reseau_points_douteux\.csv »"):
        _read("bdftl-2026-01-fiche-identite.csv", "reseau_points_douteux.csv")


def test_only_thematic_census_file_is_refused() -> None:
    table = read_upload((FIXTURES / "bdftl-2026-02-activites.csv").read_bytes(), "x.csv")
    with pytest.raises(DataValidationError, match="fiche identité"):
        prepare_import([table])


# ---------------------------------------------------------------------------- doubtful points


def test_a_network_list_with_swapped_sign_flipped_and_misplaced_points(locator: CommuneLocator) -> None:
    check = check_import(_read("reseau_points_douteux.csv"), locator)
    assert check.issues == {ISSUE_POINT_NEAR: 1, ISSUE_POINT_FAR: 1, "declaration_isolee": 1}
    result = check.result()
    _assert_accounted(result)
    report = _by(result, "Identifiant")
    # Loire-Atlantique with a longitude sign error: 229 km away in the Indre, corrected to Nantes.
    assert report.at["BFC-04", "verdict"] == "corrigée"
    assert report.at["BFC-04", "code INSEE retenu"] == "44109"
    assert "signe de la longitude inversé" in report.at["BFC-04", "motif"]
    assert report.at["BFC-07", "code INSEE retenu"] == "21231"  # Dijon, latitude and longitude swapped
    # A Saône-et-Loire address geocoded in the Hauts-de-Seine: shown, never silently counted.
    assert report.at["BFC-03", "verdict"] == "incohérente"
    assert report.at["BFC-03", "désaccord"].startswith("Point loin")
    assert "335 km de la commune déclarée Louhans-Châteaurenaud (71263)" in report.at["BFC-03", "motif"]
    # Merged communes and homonyms read in the postcode's département.
    assert report.at["BFC-05", "code INSEE retenu"] == "39368"  # Morez → Hauts de Bienne
    assert report.at["BFC-06", "code INSEE retenu"] == "70245"  # FOUGEROLLES 70220, not the Indre's
    assert report.at["BFC-01", "code INSEE retenu"] == "71263"  # « Louhans » → Louhans-Châteaurenaud
    assert report.at["BFC-11", "verdict"] == "rejetée"
    # With the user's choice, the misplaced address counts in its declared commune.
    chosen = check.result({ISSUE_POINT_FAR: ACTION_DECLARED, ISSUE_POINT_NEAR: ACTION_POINT})
    _assert_accounted(chosen)
    places = chosen.places.set_index("source_id")
    assert places.at["BFC-03", "dep"] == "71"
    assert places.at["BFC-03", "location_precision"] == "centroide_commune"
    assert places.at["BFC-08", "code_insee"] == "21166"  # Chenôve, where the point is
    assert (
        _by(chosen, "Identifiant").at["BFC-03", "suite donnée"]
        == "importé : placer au point de la commune déclarée"
    )


def test_no_point_is_counted_in_another_departement_without_a_choice_in_the_report(
    locator: CommuneLocator,
) -> None:
    check = check_import(_read("reseau_points_douteux.csv"), locator)
    report = check.result().report
    other_dep = report["code INSEE retenu"].str[:2].ne(report["Code postal"].str[:2]) & report[
        "Code postal"
    ].ne("")
    kept = report["suite donnée"].str.startswith("importé")
    assert set(report.loc[other_dep & kept, "verdict"]) <= {"incohérente"}  # shown to the user, with a choice


def test_every_declared_location_is_checked(locator: CommuneLocator) -> None:
    csv = (
        "nom;latitude;longitude;cp;ville;departement;region\n"
        "A;43,6108;3,8767;34000;Montpellier;Hérault;Occitanie\n"
        "B;43,6108;3,8767;34000;Montpellier;Gard;\n"
        "C;43,6108;3,8767;;;;Bretagne\n"
        "D;43,6108;3,8767;75011;;;\n"
    )
    result = import_places(_bytes(csv.encode()), locator)
    report = _by(result, "nom")
    assert report.at["A", "verdict"] == "exacte"
    assert "département déclaré 30" in report.at["B", "motif"]
    assert "région déclarée 53" in report.at["C", "motif"]
    assert "code postal 75011 d'un autre département" in report.at["D", "motif"]
    assert report.loc[["B", "C", "D"], "verdict"].eq("incohérente").all()


def test_degree_minute_coordinates_are_read(locator: CommuneLocator) -> None:
    csv = "nom;latitude;longitude;cp;ville\nLieu;43°36'16\"N;1°26'38\"E;31000;Toulouse\n"
    result = import_places(_bytes(csv.encode()), locator)
    assert result.places["code_insee"].tolist() == ["31555"]
    assert "degrés et minutes" in result.report["motif"].iat[0]


# ---------------------------------------------------------------------------- free lists


def test_regional_list_windows_1252_comma_separated(locator: CommuneLocator) -> None:
    prepared = _read("reseau_occitanie_cp1252.csv")
    assert prepared.file_format == FORMAT_GENERIC
    assert any("Windows-1252" in n for n in prepared.notes)
    assert set(prepared.dropped_columns) == {"Téléphone", "E-mail", "Contact"}
    assert prepared.mapping == ColumnMapping(
        name="Nom du lieu",
        lon="Longitude",
        lat="Latitude",
        postcode="Code postal",
        commune="Ville",
        typology=("Type de lieu",),
        url="Site web",
    )
    result = import_places(prepared, locator)
    _assert_accounted(result)
    report = result.report.set_index("ligne")
    assert report.at["2", "Nom du lieu"] == "Atelier Partagé du Lodévois"
    assert "6" not in report.index  # a blank line is no row
    assert report.at["7", "motif"] == "nom du lieu absent"
    assert "hors de toute commune" in report.at["8", "motif"]  # Geneva: not in France
    assert report.at["9", "verdict"] == "placée à la commune"  # unreadable coordinates → commune
    assert "coordonnées illisibles" in report.at["9", "motif"]
    assert report.at["10", "verdict"] == "rejetée"  # (0, 0) and no commune
    places = result.places.set_index("name")
    assert places.at["Atelier Partagé du Lodévois", "theme_fabrication"] == "typologie"  # « Fablab »
    assert places.at["La Recyclerie de Béziers", "theme_reemploi"] == "typologie"
    assert places.at["Cowork'Albi", "code_insee"] == "81004"
    assert (places["source"] == "import").all()
    assert places["vintage"].str.startswith("fichier importé le").all()


def test_lambert93_coordinates_are_converted(locator: CommuneLocator) -> None:
    result = import_places(_read("liste_lambert93.csv"), locator)
    _assert_accounted(result)
    places = result.places.set_index("name")
    assert places.at["Tiers-lieu de Perpignan", "code_insee"] == "66136"
    assert places.at["Coworking Narbonnais", "dep"] == "11"
    assert result.report["motif"].str.contains("Lambert-93").all()


def test_malformed_lines_are_rejected_with_their_line_number(locator: CommuneLocator) -> None:
    result = import_places(_read("casse.csv"), locator)
    _assert_accounted(result)
    report = result.report.set_index("ligne")
    assert report.at["2", "suite donnée"] == "importé"
    assert "mal formée" in report.at["3", "motif"]
    assert report.at["4", "verdict"] == "rejetée"


def test_a_network_export_with_huge_cells_keeps_every_row(locator: CommuneLocator) -> None:
    name, data = hostile.huge_cells_csv()
    result = import_places(_bytes(data, name), locator)
    _assert_accounted(result)
    assert result.verdict_counts[IMPORT_REJECTED] == 0
    assert result.n_imported == 60
    report = result.report.set_index("ligne")
    assert "description tronquée à 2\u202f000 caractères" in report.at["43", "motif"]
    description = result.places.set_index("source_id").at["L43", "description"]
    assert len(description) <= 2_000
    assert "<img" not in description  # HTML tags and the embedded image dropped, then cut


def test_one_broken_geojson_feature_costs_one_row(locator: CommuneLocator) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"nom": "A"},
            "geometry": {"type": "Point", "coordinates": [3.87, 43.61]},
        },
        {
            "type": "Feature",
            "properties": {"nom": "B", "insee": "34172"},
            "geometry": {"type": "Point", "coordinates": "x"},
        },
        {
            "type": "Feature",
            "properties": {"nom": "C"},
            "geometry": {"type": "Point", "coordinates": ["?", 1]},
        },
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    result = import_places(_bytes(data, "liste.geojson"), locator)
    _assert_accounted(result)
    report = result.report.set_index("ligne")
    assert report.at["1", "verdict"] == "exacte"
    assert report.at["2", "verdict"] == "placée à la commune"  # unreadable geometry, but a commune
    assert "géométrie illisible" in report.at["2", "motif"]
    assert report.at["3", "verdict"] == "rejetée"
    assert "géométrie illisible" in report.at["3", "motif"]


def test_mapping_chosen_by_the_user(locator: CommuneLocator) -> None:
    prepared = _read("reseau_occitanie_cp1252.csv")
    mapping = ColumnMapping(name="Nom du lieu", postcode="Code postal", commune="Ville")
    result = import_places(prepared, locator, mapping=mapping)
    _assert_accounted(result)
    assert (result.places["location_precision"] == "centroide_commune").all()
    assert (result.places["theme_fabrication"] != "typologie").all()  # no typology column mapped


def test_incomplete_mapping_is_refused_in_french(locator: CommuneLocator) -> None:
    prepared = _read("liste_lambert93.csv")
    with pytest.raises(InvalidParameterError, match="nom du lieu"):
        import_places(prepared, locator, mapping=ColumnMapping(lon="x", lat="y"))
    with pytest.raises(InvalidParameterError, match="absentes du fichier : inconnue"):
        import_places(prepared, locator, mapping=ColumnMapping(name="inconnue", lon="x", lat="y"))
    with pytest.raises(InvalidParameterError, match="longitude"):
        import_places(prepared, locator, mapping=ColumnMapping(name="nom", lon="x"))


def test_suggest_mapping_from_usual_names() -> None:
    mapping = suggest_mapping(
        [
            "ID",
            "Nom du tiers-lieu",
            "Lat",
            "Lng",
            "CODGEO",
            "Services proposés",
            "Site web",
            "Département",
            "Région",
        ]
    )
    assert mapping.name == "Nom du tiers-lieu"
    assert (mapping.lat, mapping.lon) == ("Lat", "Lng")
    assert mapping.code_insee == "CODGEO"
    assert mapping.typology == ("Services proposés",)
    assert (mapping.departement, mapping.region) == ("Département", "Région")
    assert mapping.identifier == "ID"


def test_contact_details_in_free_text_are_masked_in_places_and_report(locator: CommuneLocator) -> None:
    csv = (
        "nom;insee;description;horaires\n"
        "Lieu;34172;Écrire à jean.dupont@example.org ou appeler le 06 12 34 56 78;"
        "Standard : +33 (0)4 67 00 00 00\n"
    )
    result = import_places(_bytes(csv.encode()), locator)
    description = result.places["description"].iat[0]
    assert "@" not in description
    assert "06 12" not in description
    row = result.report.iloc[0]
    assert "[courriel retiré]" in row["description"]
    assert "[téléphone retiré]" in row["description"]
    assert row["horaires"] == "Standard : [téléphone retiré]"


def test_identifiers_and_entities(locator: CommuneLocator) -> None:
    buffer = io.BytesIO()
    pd.DataFrame(
        {"id": [8.0, 9.0], "nom": ["Arts &amp; Métiers", "B"], "insee": ["34172", "34172"]}
    ).to_excel(buffer, index=False)
    result = import_places(_bytes(buffer.getvalue(), "liste.xlsx"), locator)
    assert result.places["place_id"].tolist() == ["import:8", "import:9"]
    assert result.places["name"].iat[0] == "Arts & Métiers"


# ---------------------------------------------------------------------------- duplicates and themes


def test_duplicates_inside_the_file_and_against_the_register(atlas: Atlas, locator: CommuneLocator) -> None:
    bundled = atlas.places.drop(columns=["x_m", "y_m"])
    first = bundled.iloc[0]
    csv = (
        "nom;latitude;longitude\n"
        f"{first['name']};{first['lat']};{first['lon']}\n"
        "Lieu neuf;43.61;3.87\n"
        "Lieu neuf;43.6101;3.8701\n"
        "Autre lieu;45.76;4.83\n"
    )
    check = check_import(_bytes(csv.encode()), locator)
    alone = check.result()
    assert alone.duplicates == (2, 0)  # the two « Lieu neuf » rows, counted once each
    added = check.result(register=bundled)
    _assert_accounted(added)
    assert added.duplicates == (2, 1)  # imported rows only: not the register's own pairs
    imported = added.places.set_index("name")
    assert first["place_id"] in imported.at[first["name"], "possible_duplicate_of"]
    assert imported.at["Autre lieu", "possible_duplicate_of"] == ""
    assert added.combined is not None
    assert len(added.combined) == len(bundled) + 4
    flags = added.combined.set_index("place_id").at[first["place_id"], "possible_duplicate_of"].split(";")
    assert "import:L2" in flags
    report = _by(added, "nom")
    assert "import:L4" in report.loc["Lieu neuf", "doublon possible de"].iloc[0]


def test_a_free_list_of_digital_inclusion_places_says_when_themes_are_missing(
    locator: CommuneLocator,
) -> None:
    prepared = _read("lieux_mediation_numerique.csv")
    assert prepared.mapping.typology == ("services",)
    result = import_places(prepared, locator)
    assert result.theme_warning is not None
    assert "aucun thème" in result.theme_warning
    table = typology_table(prepared, prepared.mapping)
    assert table.set_index("valeur").at["Accès à internet", "numerique"]  # suggested by the keyword rules
    assert not table.set_index("valeur").at["Aide aux démarches administratives", "numerique"]
    mapped = dict.fromkeys(table["valeur"], ("numerique",))
    confirmed = check_import(prepared, locator, typology_themes=mapped).result()
    assert confirmed.theme_warning is None
    assert (confirmed.places["theme_numerique"] == "typologie").all()
    unticked = {**mapped, "Accès à internet": ()}
    without = check_import(prepared, locator, typology_themes=unticked).result().places.set_index("name")
    assert without.at["Bibliothèque de Jarnac", "theme_numerique"] == ""  # the user's mapping wins


# ---------------------------------------------------------------------------- the report


def test_report_is_a_plain_table_that_can_be_imported_again(locator: CommuneLocator) -> None:
    check = check_import(_read("reseau_points_douteux.csv"), locator)
    result = check.result({ISSUE_POINT_FAR: ACTION_DECLARED})
    metadata = {"Produit par": "Atlas des tiers-lieux", "Résumé": result.summary()}
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(result.report, metadata, sheet="Rapport")))
    assert workbook.sheetnames == ["Rapport", "Paramètres et sources"]
    header = [c.value for c in workbook["Rapport"][1]]
    longitudes = [
        row[header.index("longitude retenue")]
        for row in workbook["Rapport"].iter_rows(min_row=2, values_only=True)
    ]
    assert -1.5536 in longitudes  # Nantes, corrected: a number, not « '-1.5536 » text
    again = check_import(
        prepare_import([read_upload(xlsx_bytes(result.report, metadata), "rapport.xlsx")]), locator
    )
    assert again.verdicts.tolist() == check.verdicts.tolist()  # same file columns, same verdicts
    with zipfile.ZipFile(
        io.BytesIO(csv_with_metadata_zip(result.report, metadata, stem="rapport"))
    ) as archive:
        assert archive.namelist() == ["rapport.csv", "rapport_metadonnees.csv"]
        text = archive.read("rapport.csv").decode("utf-8-sig")
    assert not text.startswith("#")
    table = read_upload(csv_with_metadata_zip(result.report, metadata, stem="rapport"), "rapport.zip")
    assert len(table.frame) == result.n_input
    # A negative longitude stays a number: decimal comma, no formula-guard quote.
    assert ";-1,5536;" in text
    assert "'-1,5536" not in text


# ---------------------------------------------------------------------------- property tests

_SAMPLES = [
    *("43,6", "3.87", "-3.87", "-20,88", "55,45", "34172", "14327", "2A004", "75011", "06560", "Paris"),
    *("Valbonne", "Morez", "39400", "0", "nan", "1e400", "43°36'N", "652301", "6861302", ""),
]
_CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
) | st.sampled_from(_SAMPLES)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=6), min_size=1, max_size=12),
    separator=st.sampled_from([";", ",", "\t"]),
    picks=st.lists(st.integers(min_value=0, max_value=2), min_size=6, max_size=6),
)
def test_every_row_has_exactly_one_verdict_for_any_input_and_any_choice(
    locator: CommuneLocator, rows: list[list[str]], separator: str, picks: list[int]
) -> None:
    header = separator.join(["nom", "latitude", "longitude", "code_insee", "cp", "ville"])
    body = "\n".join(separator.join(c.replace("\n", " ").replace("\r", " ") for c in row) for row in rows)
    try:
        prepared = _bytes((header + "\n" + body + "\n").encode("utf-8"))
    except AtlasError:
        return
    mapping = ColumnMapping(
        name="nom", lat="latitude", lon="longitude", code_insee="code_insee", postcode="cp", commune="ville"
    )
    try:
        check: ImportCheck = check_import(prepared, locator, mapping=mapping)
    except InvalidParameterError:
        return  # quoting can merge columns away: a mapping on missing columns is refused, not crashed
    choices = {
        issue: list(ISSUE_ACTIONS[issue])[pick % len(ISSUE_ACTIONS[issue])]
        for issue, pick in zip(check.issues, picks, strict=False)
    }
    result = check.result(choices)
    _assert_accounted(result)  # exact + corrected + placed + inconsistent + rejected = rows in
    assert result.n_input == len(prepared.frame)
    assert set(result.places.geometry.geom_type) <= {"Point"}
    assert result.places["zone"].ne("").all()
    assert isinstance(result.places, gpd.GeoDataFrame)
