"""Importer: real-format fixtures (census 2023 / 2026, a regional list), every file type, property tests."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo._errors import AtlasError, DataValidationError, InvalidParameterError
from geo.atlas import Atlas, load_commune_polygons
from geo.catalog import dataset
from geo.export import xlsx_bytes
from geo.importer import (
    FORMAT_CENSUS_2023,
    FORMAT_CENSUS_2026,
    FORMAT_GENERIC,
    MAX_UPLOAD_BYTES,
    STATUS_ACCEPTED,
    STATUS_APPROXIMATE,
    STATUS_REJECTED,
    ColumnMapping,
    ImportResult,
    PreparedImport,
    check_coordinates,
    combined_places,
    import_places,
    is_personal_column,
    prepare_import,
    read_upload,
    safe_filename,
    suggest_mapping,
)
from geo.placement import (
    CommuneLocator,
    commune_key,
    commune_locator,
    deps_from_postcode,
    normalize_insee,
    parse_coordinates,
)
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "import"


@pytest.fixture(scope="module")
def locator(atlas: Atlas) -> CommuneLocator:
    return commune_locator(atlas.communes, load_commune_polygons(), atlas.communes_passage)


def _read(*names: str) -> PreparedImport:
    return prepare_import([read_upload((FIXTURES / n).read_bytes(), n) for n in names])


def _import(locator: CommuneLocator, *names: str, **kwargs: object) -> ImportResult:
    return import_places(_read(*names), locator, **kwargs)  # type: ignore[arg-type]


def _by_name(result: ImportResult, column: str) -> pd.DataFrame:
    return result.report.set_index(column)


def _assert_consistent(result: ImportResult) -> None:
    """Every input row is in the report once; the counts add up; places match the accepted rows."""
    assert len(result.report) == result.n_input
    assert result.n_accepted + result.n_rejected == result.n_input
    statuses = result.report["statut"].value_counts()
    assert statuses.get(STATUS_REJECTED, 0) == result.n_rejected
    assert statuses.get(STATUS_APPROXIMATE, 0) == result.n_approximate
    assert len(result.places) == result.n_accepted
    assert (result.rejected["motif"] != "").all()
    dataset("places")  # the schema exists
    assert result.places["place_id"].is_unique


# ---------------------------------------------------------------------------- census formats


def test_census_2026_identity_and_thematic_file(atlas: Atlas, locator: CommuneLocator) -> None:
    prepared = _read("bdftl-2026-01-fiche-identite.csv", "bdftl-2026-02-activites.csv")
    assert prepared.file_format == FORMAT_CENSUS_2026
    assert prepared.is_census
    assert prepared.mapping.lat == "LATITUDE"
    assert prepared.mapping.postcode == "CODPOST"
    # Personal columns of both files are dropped on reading.
    assert set(prepared.dropped_columns) == {"EMAIL", "TELEPHONE", "Mail"}
    assert not {"EMAIL", "TELEPHONE", "Mail"} & set(prepared.frame.columns)
    assert any("1 ligne(s) sans fiche d'identité" in n for n in prepared.notes)

    result = import_places(prepared, locator)
    _assert_consistent(result)
    assert (result.n_input, result.n_accepted, result.n_approximate, result.n_rejected) == (9, 8, 4, 1)
    report = _by_name(result, "NOM")
    places = result.places.set_index("name")

    # Decimal comma read as is; point inside Montpellier, at the address.
    assert places.at["La Fabrique du Coin", "code_insee"] == "34172"
    assert places.at["La Fabrique du Coin", "location_precision"] == "adresse"
    assert places.at["La Fabrique du Coin", "lat"] == pytest.approx(43.6108)
    # Swapped latitude / longitude corrected and said so.
    assert places.at["Ferme partagée des Minimes", "code_insee"] == "31555"
    assert "inversées" in report.at["Ferme partagée des Minimes", "motif"]
    # No coordinates: placed at the commune from postcode + name, flagged approximate.
    assert places.at["Coworking des Lilas", "code_insee"] == "35238"
    assert places.at["Coworking des Lilas", "location_precision"] == "centroide_commune"
    assert report.at["Coworking des Lilas", "statut"] == STATUS_APPROXIMATE
    assert places.at["Le Quai des Savoirs", "code_insee"] == "42218"  # « St-Etienne »
    assert places.at["Le Hangar", "code_insee"] == "2A004"  # 20000 → Corse-du-Sud
    assert places.at["Cuisine partagée de la Roquette", "code_insee"] == "75056"  # « Paris 11e »
    assert places.at["Tiers-lieu péi", "zone"] == "974"
    # Rejected with the reason.
    assert report.at["Lieu fantôme", "statut"] == STATUS_REJECTED
    assert "Atlantide" in report.at["Lieu fantôme", "motif"]

    # Themes: census family labels from the thematic file are a « typologie » route.
    assert places.at["Coworking des Lilas", "theme_coworking"] == "typologie"
    assert places.at["La Fabrique du Coin", "theme_fabrication"] == "typologie"
    assert places.at["Ferme partagée des Minimes", "theme_alimentation"] == "typologie"
    assert places.at["Le Quai des Savoirs", "theme_culture"] == "typologie"
    # Vintage and licence of the census edition.
    assert places["vintage"].str.contains("2026").all()
    assert (places["licence"] == "Licence Ouverte / Etalab 2.0").all()
    assert set(result.places["place_id"]) >= {"import:TL-0001", "import:TL-0008"}


def test_census_2023_insee_codes_and_activity_flags(atlas: Atlas, locator: CommuneLocator) -> None:
    prepared = _read("bdftl-2023-04-activites.csv", "bdftl-2023-01-fiche-identite.csv")
    assert prepared.file_format == FORMAT_CENSUS_2023
    result = import_places(prepared, locator)
    _assert_consistent(result)
    places = result.places.set_index("name")
    assert places.at["Tiers-lieu du Vivarais", "code_insee"] == "07319"
    assert places.at["Le Bastion", "code_insee"] == "2B050"
    assert (places["location_precision"] == "centroide_commune").all()
    assert places.at["Fablab de Lannion", "theme_fabrication"] == "typologie"
    assert places.at["Fablab de Lannion", "theme_numerique"] == "typologie"  # TYPE_ACT_NUMER = 1
    assert places.at["Tiers-lieu du Vivarais", "theme_alimentation"] == "typologie"
    report = _by_name(result, "NOM")
    assert "99001" in report.at["Code inconnu", "motif"]
    assert places.at["Espace partagé lyonnais", "code_insee"] == "69123"


def test_only_thematic_census_file_is_refused() -> None:
    table = read_upload((FIXTURES / "bdftl-2026-02-activites.csv").read_bytes(), "x.csv")
    with pytest.raises(DataValidationError, match="fiche identité"):
        prepare_import([table])


# ---------------------------------------------------------------------------- free lists


def test_regional_list_windows_1252_comma_separated(atlas: Atlas, locator: CommuneLocator) -> None:
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
    _assert_consistent(result)
    report = result.report.set_index("ligne")
    assert report.at["2", "Nom du lieu"] == "Atelier Partagé du Lodévois"
    assert report.at["6", "motif"] == "ligne vide"
    assert report.at["7", "motif"] == "nom du lieu absent"
    assert "hors de toute commune" in report.at["8", "motif"]  # Geneva: in the bbox, not in France
    assert report.at["9", "statut"] == STATUS_APPROXIMATE  # unreadable coordinates → commune
    assert "illisibles" in report.at["9", "motif"]
    assert report.at["10", "statut"] == STATUS_REJECTED  # (0, 0) and no commune
    places = result.places.set_index("name")
    assert places.at["Atelier Partagé du Lodévois", "theme_fabrication"] == "typologie"  # « Fablab »
    assert places.at["La Recyclerie de Béziers", "theme_reemploi"] == "typologie"
    assert places.at["Cowork'Albi", "code_insee"] == "81004"
    assert places.at["Espace Numérique Mende", "lat"] == pytest.approx(44.5181)
    assert (places["source"] == "import").all()
    assert places["vintage"].str.startswith("fichier importé le").all()


def test_lambert93_coordinates_are_converted(atlas: Atlas, locator: CommuneLocator) -> None:
    result = _import(locator, "liste_lambert93.csv")
    _assert_consistent(result)
    places = result.places.set_index("name")
    assert places.at["Tiers-lieu de Perpignan", "code_insee"] == "66136"
    assert places.at["Coworking Narbonnais", "dep"] == "11"
    assert result.report["motif"].str.contains("Lambert-93").all()


def test_malformed_lines_are_rejected_with_their_line_number(atlas: Atlas, locator: CommuneLocator) -> None:
    result = _import(locator, "casse.csv")
    _assert_consistent(result)
    report = result.report.set_index("ligne")
    assert report.at["2", "statut"] == STATUS_ACCEPTED
    assert "mal formée" in report.at["3", "motif"]
    assert report.at["4", "statut"] == STATUS_REJECTED


def test_mapping_chosen_by_the_user(atlas: Atlas, locator: CommuneLocator) -> None:
    prepared = _read("reseau_occitanie_cp1252.csv")
    mapping = ColumnMapping(name="Nom du lieu", postcode="Code postal", commune="Ville")
    result = import_places(prepared, locator, mapping=mapping)
    _assert_consistent(result)
    assert (result.places["location_precision"] == "centroide_commune").all()
    assert (result.places["theme_fabrication"] != "typologie").all()  # no typology column mapped


def test_incomplete_mapping_is_refused_in_french() -> None:
    prepared = _read("liste_lambert93.csv")
    with pytest.raises(InvalidParameterError, match="nom du lieu"):
        import_places(prepared, locator, mapping=ColumnMapping(lon="x", lat="y"))
    with pytest.raises(InvalidParameterError, match="absentes du fichier : inconnue"):
        import_places(
            prepared,
            locator,
            mapping=ColumnMapping(name="inconnue", lon="x", lat="y"),
        )
    with pytest.raises(InvalidParameterError, match="longitude"):
        import_places(prepared, locator, mapping=ColumnMapping(name="nom", lon="x"))


def test_add_to_bundled_list_flags_possible_duplicates(atlas: Atlas, locator: CommuneLocator) -> None:
    bundled = atlas.places.drop(columns=["x_m", "y_m"])
    first = bundled.iloc[0]
    csv = f"nom;latitude;longitude\n{first['name']};{first['lat']};{first['lon']}\nLieu neuf;43.61;3.87\n"
    prepared = prepare_import([read_upload(csv.encode(), "liste.csv")])
    result = import_places(prepared, locator)
    both = combined_places(bundled, result.places, atlas.communes.set_index("code_insee")["nom"])
    assert len(both) == len(bundled) + 2
    assert both["place_id"].is_unique
    imported = both[both["source"] == "import"].set_index("name")
    assert imported.at[first["name"], "possible_duplicate_of"] == first["place_id"]
    assert imported.at["Lieu neuf", "possible_duplicate_of"] == ""
    # The bundled place is flagged back, and its own earlier flags are kept.
    flags = both.set_index("place_id").at[first["place_id"], "possible_duplicate_of"].split(";")
    assert "import:L2" in flags
    assert set(filter(None, first["possible_duplicate_of"].split(";"))) <= set(flags)
    unchanged = both.iloc[1 : len(bundled)]["possible_duplicate_of"].tolist()
    assert unchanged == bundled.iloc[1:]["possible_duplicate_of"].tolist()


# ---------------------------------------------------------------------------- file types


def _sample_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Nom": ["Fablab de Brest", "Coworking de Lille", "Ferme de Mayotte"],
            "Code INSEE": ["29019", "59350", "97611"],
            "Courriel": ["a@example.org", "b@example.org", "c@example.org"],
        }
    )


def _sample_points() -> gpd.GeoDataFrame:
    frame = _sample_frame()
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy([-4.4861, 3.0573, 45.2278], [48.3904, 50.6292, -12.7806]), crs=4326
    )


def _check_sample(result: ImportResult, *, exact: bool) -> None:
    _assert_consistent(result)
    assert result.n_accepted == 3
    places = result.places.set_index("name")
    assert places.at["Fablab de Brest", "code_insee"] == "29019"
    assert places.at["Ferme de Mayotte", "zone"] == "976"
    expected = "adresse" if exact else "centroide_commune"
    assert (places["location_precision"] == expected).all()


def test_xlsx(atlas: Atlas, locator: CommuneLocator) -> None:
    buffer = io.BytesIO()
    _sample_frame().assign(**{"Code INSEE": ["29019", "59350", 97611]}).to_excel(buffer, index=False)
    table = read_upload(buffer.getvalue(), "liste.xlsx")
    assert table.dropped_columns == ("Courriel",)
    assert table.frame["Code INSEE"].tolist() == ["29019", "59350", "97611"]
    _check_sample(import_places(prepare_import([table]), locator), exact=False)


def test_geojson_and_geopackage_in_lambert93(atlas: Atlas, locator: CommuneLocator, tmp_path: Path) -> None:
    points = _sample_points()
    points.to_file(tmp_path / "l.geojson", driver="GeoJSON")
    metro = points.iloc[:2].to_crs(2154)
    metro.to_file(tmp_path / "l.gpkg", driver="GPKG")
    table = read_upload((tmp_path / "l.geojson").read_bytes(), "liste.geojson")
    assert table.dropped_columns == ("Courriel",)
    _check_sample(import_places(prepare_import([table]), locator), exact=True)
    table = read_upload((tmp_path / "l.gpkg").read_bytes(), "liste.gpkg")
    assert any("converties" in n for n in table.notes)
    result = import_places(prepare_import([table]), locator)
    _assert_consistent(result)
    assert result.places["code_insee"].tolist() == ["29019", "59350"]


def test_zipped_shapefile_in_a_folder(atlas: Atlas, locator: CommuneLocator, tmp_path: Path) -> None:
    _sample_points().to_crs(2154).iloc[:2].to_file(tmp_path / "lieux.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in tmp_path.glob("lieux.*"):
            archive.write(path, f"export/{path.name}")
    result = import_places(prepare_import([read_upload(buffer.getvalue(), "export.zip")]), locator)
    _assert_consistent(result)
    assert result.places["code_insee"].tolist() == ["29019", "59350"]


def test_zipped_csv(atlas: Atlas, locator: CommuneLocator) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("liste.csv", _sample_frame().to_csv(index=False, sep=";"))
    _check_sample(
        import_places(prepare_import([read_upload(buffer.getvalue(), "l.zip")]), locator),
        exact=False,
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_csv_encodings_and_separators(encoding: str, separator: str) -> None:
    frame = pd.DataFrame(
        {"Nom": ["Théâtre œuvre", "Café"], "Commune": ["Besançon", "Sète"], "CP": ["25000", "34200"]}
    )
    if encoding in ("cp1252", "utf-16"):
        frame.loc[0, "Nom"] = "Théâtre l'œuvre"
    if encoding == "latin-1":
        frame.loc[0, "Nom"] = "Théâtre"
    data = frame.to_csv(index=False, sep=separator).encode(encoding)
    table = read_upload(data, "liste.csv")
    assert table.frame["Nom"].tolist() == frame["Nom"].tolist()
    assert table.frame["Commune"].tolist() == ["Besançon", "Sète"]


def test_upload_limits_and_unreadable_files() -> None:
    with pytest.raises(DataValidationError, match="trop volumineux"):
        read_upload(b"a" * (MAX_UPLOAD_BYTES + 1), "gros.csv")
    with pytest.raises(DataValidationError, match="vide"):
        read_upload(b"", "vide.csv")
    with pytest.raises(DataValidationError, match="non pris en charge"):
        read_upload(b"MZ\x90\x00", "virus.exe")
    with pytest.raises(DataValidationError, match=r"\.xlsx"):
        read_upload(b"\xd0\xcf\x11\xe0", "ancien.xls")
    with pytest.raises(DataValidationError, match="Excel"):
        read_upload(b"PK\x03\x04 pas un classeur", "faux.xlsx")
    with pytest.raises(DataValidationError, match="aucune ligne"):
        prepare_import([read_upload(b"nom;latitude\n", "entete.csv")])


def test_broken_files_get_a_french_message_without_internals(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # a zip whose workbook XML is broken
        archive.writestr("[Content_Types].xml", "<Types><broken")
        archive.writestr("xl/workbook.xml", "<<<")
    with pytest.raises(DataValidationError, match="fichier endommagé") as excel:
        read_upload(buffer.getvalue(), "casse.xlsx")
    with pytest.raises(DataValidationError, match="fichier endommagé") as geo:
        read_upload(b'{"type": "FeatureCollection", "features": [', "casse.geojson")
    for error in (excel, geo):  # no driver message in English, no temporary path
        assert "/tmp" not in str(error.value)
        assert "not" not in str(error.value).split(":")[-1]


def test_postcode_without_commune_name_says_so(atlas: Atlas, locator: CommuneLocator) -> None:
    table = read_upload(b"nom;cp;commune\nLieu sans commune;34000;\n", "liste.csv")
    result = import_places(prepare_import([table]), locator)
    assert result.rejected["motif"].tolist() == [
        "sans coordonnées et commune non reconnue (code postal seul, sans nom de commune)"
    ]


def test_control_characters_are_dropped_so_excel_exports_work() -> None:
    table = read_upload(b"nom;insee\nLieu\x01test\x1f;34172\n", "liste.csv")
    assert table.frame["nom"].tolist() == ["Lieu test"]
    assert xlsx_bytes(table.frame, {"Source": "test"}).startswith(b"PK")


def test_geopackage_table_without_geometry(tmp_path: Path) -> None:
    import pyogrio

    path = tmp_path / "attributs.gpkg"
    attributes = pd.DataFrame({"nom": ["A", "B"], "insee": ["34172", "75056"]})
    pyogrio.write_dataframe(attributes, path, driver="GPKG")
    table = read_upload(path.read_bytes(), "attributs.gpkg")
    assert table.frame[["nom", "insee"]].to_numpy().tolist() == [["A", "34172"], ["B", "75056"]]


def test_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("liste.csv", b"0" * (210 * 1024 * 1024))
    assert len(buffer.getvalue()) < MAX_UPLOAD_BYTES
    with pytest.raises(DataValidationError, match="décompressée"):
        read_upload(buffer.getvalue(), "bombe.zip")


def test_zip_paths_never_reach_the_disk_outside_a_temporary_folder(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../evil.shp", b"not a shapefile")
    with pytest.raises(DataValidationError):
        read_upload(buffer.getvalue(), "evil.zip")
    assert not (tmp_path.parent / "evil.shp").exists()
    assert not Path("/tmp/evil.shp").exists()


def test_several_free_lists_at_once_are_refused() -> None:
    tables = [read_upload(b"nom;insee\nA;34172\n", f"l{i}.csv") for i in range(2)]
    with pytest.raises(DataValidationError, match="une seule liste"):
        prepare_import(tables)


# ---------------------------------------------------------------------------- small functions


def test_parse_coordinates_decimal_comma_and_garbage() -> None:
    values, unreadable = parse_coordinates(pd.Series(["43,61", " 3.87 ", "", "abc", "1 234,5", "45°", "nan"]))
    assert values.iloc[0] == pytest.approx(43.61)
    assert values.iloc[1] == pytest.approx(3.87)
    assert np.isnan(values.iloc[2])
    assert values.iloc[4] == pytest.approx(1234.5)
    assert values.iloc[5] == pytest.approx(45)
    assert unreadable.tolist() == [False, False, False, True, False, False, True]


def test_check_coordinates_statuses() -> None:
    lon = pd.Series([3.87, 43.61, 652_301.6, 0.0, -74.0, np.nan])
    lat = pd.Series([43.61, 3.87, 6_861_302.7, 0.0, 40.7, 45.0])
    out_lon, out_lat, status = check_coordinates(lon, lat)
    assert status.tolist() == ["ok", "inversees", "lambert93", "absentes", "hors_france", "absentes"]
    assert out_lon.iloc[1] == pytest.approx(3.87)
    assert out_lat.iloc[2] == pytest.approx(48.85, abs=0.01)  # Paris in Lambert-93
    assert np.isnan(out_lon.iloc[4])


def test_commune_helpers() -> None:
    assert commune_key("St-Étienne") == "saint etienne"
    assert commune_key("PARIS 11E ARRONDISSEMENT") == "paris"
    assert commune_key("Mans (Le)") == "le mans"
    assert commune_key("Lyon Cedex 03") == "lyon"
    assert normalize_insee("7319") == "07319"
    assert normalize_insee("2b050") == "2B050"
    assert normalize_insee("75111") == "75056"
    assert normalize_insee("13205.0") == "13055"
    assert normalize_insee("0") == ""
    assert deps_from_postcode("7200") == ["07"]
    assert deps_from_postcode("20000") == ["2A", "2B"]
    assert deps_from_postcode("97400") == ["974"]
    assert deps_from_postcode("98000") == []


def test_personal_columns_and_safe_names() -> None:
    for name in ("EMAIL", "Mail", "E-mail", "Téléphone", "TELEPHONE", "tel_fixe", "Adresse mail", "Contact"):
        assert is_personal_column(name), name
    for name in ("NOM", "Hôtel de ville", "ADRESSE", "Code postal", "Latitude", "DESCRI_COU", "INTERNET"):
        assert not is_personal_column(name), name
    assert safe_filename("../../<img src=x>.csv") == "_img src_x_.csv"
    assert safe_filename("C:\\Users\\moi\\liste [v2].csv") == "liste _v2_.csv"


def test_suggest_mapping_from_usual_names() -> None:
    mapping = suggest_mapping(["ID", "Nom du tiers-lieu", "Lat", "Lng", "CODGEO", "Thématiques", "Site web"])
    assert mapping.name == "Nom du tiers-lieu"
    assert (mapping.lat, mapping.lon) == ("Lat", "Lng")
    assert mapping.code_insee == "CODGEO"
    assert mapping.typology == ("Thématiques",)
    assert mapping.identifier == "ID"


def test_contact_details_are_scrubbed_from_free_text(atlas: Atlas, locator: CommuneLocator) -> None:
    csv = "nom;insee;description\nLieu;34172;Écrire à jean.dupont@example.org ou appeler le 06 12 34 56 78\n"
    result = import_places(prepare_import([read_upload(csv.encode(), "l.csv")]), locator)
    description = result.places["description"].iat[0]
    assert "@" not in description
    assert "06 12" not in description
    assert "[courriel retiré]" in description


def test_geo_does_not_import_streamlit() -> None:
    code = "import sys, geo.importer, geo.refresh; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------------------- property tests

_CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
) | st.sampled_from(
    ["43,6", "3.87", "-20,88", "55,45", "34172", "2A004", "75011", "Paris", "0", "", "nan", "1e400"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=400),
    suffix=st.sampled_from(["csv", "txt", "xlsx", "zip", "geojson", "gpkg", "json"]),
)
def test_no_bytes_crash_the_reader(data: bytes, suffix: str) -> None:
    try:
        table = read_upload(data, f"fichier.{suffix}")
    except AtlasError:
        return
    assert isinstance(table.frame, pd.DataFrame)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=6), min_size=1, max_size=12),
    separator=st.sampled_from([";", ",", "\t"]),
)
def test_every_row_is_accepted_or_rejected(
    atlas: Atlas, locator: CommuneLocator, rows: list[list[str]], separator: str
) -> None:
    header = separator.join(["nom", "latitude", "longitude", "code_insee", "cp", "ville"])
    body = "\n".join(
        separator.join(cell.replace("\n", " ").replace("\r", " ") for cell in row) for row in rows
    )
    data = (header + "\n" + body + "\n").encode("utf-8")
    try:
        prepared = prepare_import([read_upload(data, "liste.csv")])
    except AtlasError:
        return
    mapping = ColumnMapping(
        name="nom", lat="latitude", lon="longitude", code_insee="code_insee", postcode="cp", commune="ville"
    )
    try:
        result = import_places(prepared, locator, mapping=mapping)
    except InvalidParameterError:
        # Quoting can merge columns away; a mapping on missing columns is refused, not crashed.
        return
    _assert_consistent(result)
    assert result.n_input == len(prepared.frame)
