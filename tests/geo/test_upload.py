"""Reading uploaded files: rows (not files) fail, every format, bounded cost on hostile files."""

from __future__ import annotations

import io
import json
import tomllib
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo._errors import AtlasError, DataValidationError
from geo.io.export import xlsx_bytes
from geo.io.tabular import (
    GEOMETRY_LAT,
    GEOMETRY_LON,
    GEOMETRY_PROBLEM,
    LINE,
    MAX_UPLOAD_BYTES,
    MB,
    PROBLEM,
    unique_names,
)
from geo.io.upload import is_personal_column, read_upload, safe_filename
from tests.conftest import ROOT
from tests.fixtures import hostile


def _rows(table: object, column: str) -> list[str]:
    return table.frame[column].tolist()  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- CSV


def test_cells_of_any_size_are_read() -> None:
    name, data = hostile.huge_cells_csv(rows=60, cell_bytes=300_000, at=43)
    table = read_upload(data, name)
    assert len(table.frame) == 60
    assert PROBLEM not in table.frame.columns
    descriptions = table.frame.set_index(LINE)["Description"]
    assert len(descriptions["43"]) > 250_000  # the line that was refused with the default field limit
    assert descriptions["44"] == "Présentation du lieu 44"


def test_an_unclosed_quote_costs_one_row_not_the_rest_of_the_file() -> None:
    data = (
        b"nom;code_postal;ville\n"
        b"Lieu A;34000;Montpellier\n"
        b'"Lieu B;34000;Montpellier\n'  # the quote is never closed
        b"Lieu C;34000;Montpellier\n"
        b"Lieu D;34000;Montpellier\n"
        b'"Lieu E\nsur deux lignes";34000;Montpellier\n'  # a real multi-line cell
        b"Lieu F;34000;Montpellier\n"
    )
    table = read_upload(data, "liste.csv")
    frame = table.frame.set_index(LINE)
    assert frame["nom"].to_dict() == {
        "2": "Lieu A",
        "3": "",
        "4": "Lieu C",
        "5": "Lieu D",
        "6": "Lieu E\nsur deux lignes",
        "8": "Lieu F",
    }
    assert "guillemet ouvert et jamais refermé" in frame.at["3", PROBLEM]
    assert (frame.drop(index="3")[PROBLEM] == "").all()


def test_extra_fields_are_a_malformed_row_with_its_line_number() -> None:
    table = read_upload(b"nom;lat\nA;1\nB;2;en trop\n\nC;3\n", "liste.csv")
    frame = table.frame.set_index(LINE)
    assert frame.index.tolist() == ["2", "3", "5"]  # the blank line 4 is skipped, numbers are the file's
    assert "3 champs au lieu de 2" in frame.at["3", PROBLEM]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be"]
)
@pytest.mark.parametrize("separator", [";", ",", "\t", "|"])
def test_csv_encodings_and_separators(encoding: str, separator: str) -> None:
    names = ["Théâtre l'œuvre", "Café"] if encoding not in ("latin-1",) else ["Théâtre", "Café"]
    frame = pd.DataFrame({"Nom": names, "Commune": ["Besançon", "Sète"], "CP": ["25000", "34200"]})
    data = frame.to_csv(index=False, sep=separator).encode(encoding)
    table = read_upload(data, "liste.csv")
    assert _rows(table, "Nom") == names
    assert _rows(table, "Commune") == ["Besançon", "Sète"]
    if encoding in ("utf-16-le", "utf-16-be"):  # no byte-order mark: recognised, not « binaire »
        assert any("UTF-16 (sans BOM)" in n for n in table.notes)


def test_html_entities_numbers_and_controls_are_cleaned() -> None:
    table = read_upload(
        b'nom;id\n"Arts &amp; M&eacute;tiers";8.0\nArt&copie;9\nLieu\x01test\x1f;10\n', "l.csv"
    )
    assert _rows(table, "nom") == ["Arts & Métiers", "Art&copie", "Lieu test"]
    assert xlsx_bytes(table.frame, {"Source": "test"}).startswith(b"PK")  # Excel refuses control characters


def test_duplicate_and_empty_column_names_are_made_unique_in_linear_time() -> None:
    assert unique_names(["a", "a", "", "a", "a_2"]) == ["a", "a_2", "colonne_3", "a_3", "a_2_2"]
    names = unique_names(["colonne"] * 200_000)  # was quadratic: minutes for a million
    assert len(set(names)) == 200_000


def test_a_workbook_saved_as_csv_is_read_as_a_workbook() -> None:
    buffer = io.BytesIO()
    pd.DataFrame({"nom": ["A"], "insee": ["34172"]}).to_excel(buffer, index=False)
    table = read_upload(buffer.getvalue(), "liste.csv")
    assert _rows(table, "insee") == ["34172"]
    assert any("classeur Excel" in n for n in table.notes)


# ---------------------------------------------------------------------------- Excel


def test_xlsx_is_streamed_with_text_numbers_and_dates() -> None:
    frame = pd.DataFrame(
        {
            "Nom": ["Fablab", "Ferme"],
            "Identifiant": [8, 9.0],
            "Latitude": [43.6108, -21.3],
            "Ouverture": pd.to_datetime(["2021-03-15", "2019-10-01"]),
            "Courriel": ["a@example.org", "b@example.org"],
        }
    )
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name="Lieux", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Autre", index=False)
    table = read_upload(buffer.getvalue(), "liste.xlsx")
    assert table.dropped_columns == ("Courriel",)
    assert _rows(table, "Identifiant") == ["8", "9"]  # never « 8.0 »
    assert _rows(table, "Latitude") == ["43.6108", "-21.3"]
    assert _rows(table, "Ouverture") == ["2021-03-15", "2019-10-01"]
    assert _rows(table, LINE) == ["2", "3"]
    assert any("1 autre feuille non lue" in n for n in table.notes)


def test_the_atlas_report_workbook_is_read_back_without_its_metadata_sheet() -> None:
    report = pd.DataFrame({"ligne": ["2"], "Nom": ["Lieu"], "Longitude": [-1.549439]})
    table = read_upload(xlsx_bytes(report, {"Produit par": "Atlas"}, sheet="Rapport"), "rapport.xlsx")
    assert _rows(table, "Longitude") == ["-1.549439"]
    assert any("paramètres et sources" in n for n in table.notes)
    assert not any("autre feuille" in n for n in table.notes)


def test_broken_files_get_a_french_message_without_internals() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # a zip whose workbook XML is broken
        archive.writestr("[Content_Types].xml", "<Types><broken")
        archive.writestr("xl/workbook.xml", "<<<")
    with pytest.raises(DataValidationError, match="fichier endommagé") as excel:
        read_upload(buffer.getvalue(), "casse.xlsx")
    with pytest.raises(DataValidationError, match="mal formé") as geo:
        read_upload(b'{"type": "FeatureCollection", "features": [', "casse.geojson")
    for error in (excel, geo):
        assert "/tmp" not in str(error.value)


@pytest.mark.parametrize("reference", ["1", "ZZZZZZ2"])
def test_a_cell_outside_any_column_is_refused_before_anything_is_allocated(reference: str) -> None:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame({"Nom": ["Fablab"], "Ville": ["Albi"]}).to_excel(writer, index=False)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(b'r="B2"', f'r="{reference}"'.encode())
            archive.writestr(item, data)
    with pytest.raises(DataValidationError, match="hors des colonnes possibles"):
        read_upload(forged.getvalue(), "forge.xlsx")


# ---------------------------------------------------------------------------- geographic files


def test_one_broken_feature_costs_one_row() -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"nom": "A", "insee": "34172"},
            "geometry": {"type": "Point", "coordinates": [3.87, 43.61]},
        },
        {
            "type": "Feature",
            "properties": {"nom": "B", "insee": "34172"},
            "geometry": {"type": "Point", "coordinates": ["x"]},
        },
        {"type": "Feature", "properties": {"nom": "C"}, "geometry": {"type": "Polygone", "coordinates": []}},
        "pas un objet",
        {"type": "Feature", "properties": {"nom": "E", "infos": {"site": "x"}}, "geometry": None},
        {
            "type": "Feature",
            "properties": {"nom": "F"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[3.8, 43.5], [3.9, 43.5], [3.9, 43.6], [3.8, 43.5]]],
            },
        },
    ]
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    table = read_upload(data, "liste.geojson")
    frame = table.frame.set_index(LINE)
    assert table.unit == "objet"
    assert frame.index.tolist() == ["1", "2", "3", "4", "5", "6"]
    assert frame.at["1", GEOMETRY_LON] == "3.8700000"
    assert "géométrie illisible" in frame.at["2", GEOMETRY_PROBLEM]
    assert "Polygone" in frame.at["3", GEOMETRY_PROBLEM]
    assert "objet n° 4 mal formé" in frame.at["4", PROBLEM]
    assert frame.at["5", GEOMETRY_LON] == ""  # no geometry: no coordinates, no problem
    assert frame.at["5", "infos"] == '{"site": "x"}'
    assert frame.at["6", GEOMETRY_LAT] != ""  # a polygon gives its representative point
    assert any("1 géométrie non ponctuelle" in n for n in table.notes)


def test_an_old_style_geojson_in_lambert93_is_converted() -> None:
    data = json.dumps(
        {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}},
            "features": [
                {
                    "type": "Feature",
                    "properties": {"nom": "Paris"},
                    "geometry": {"type": "Point", "coordinates": [652301.6, 6861302.7]},
                }
            ],
        }
    ).encode()
    table = read_upload(data, "l93.geojson")
    assert float(table.frame[GEOMETRY_LAT].iat[0]) == pytest.approx(48.85, abs=0.01)
    assert any("converties" in n for n in table.notes)


def test_a_plain_json_list_of_objects_is_a_table() -> None:
    table = read_upload(json.dumps([{"nom": "A", "cp": 34000}, {"nom": "B"}]).encode(), "export.json")
    assert _rows(table, "cp") == ["34000", ""]


def test_geopackage_layers_and_unreadable_geometries(tmp_path: Path) -> None:
    import pyogrio

    points = gpd.GeoDataFrame(
        {"nom": ["A", "B"], "id": [1, 2]}, geometry=gpd.points_from_xy([3.87, 2.35], [43.61, 48.85]), crs=4326
    ).to_crs(2154)
    points.to_file(tmp_path / "l.gpkg", driver="GPKG")
    table = read_upload((tmp_path / "l.gpkg").read_bytes(), "liste.gpkg")
    assert _rows(table, "id") == ["1", "2"]
    assert float(table.frame[GEOMETRY_LON].iat[0]) == pytest.approx(3.87, abs=1e-4)
    attributes = pd.DataFrame({"nom": ["A", "B"], "insee": ["34172", "75056"]})
    pyogrio.write_dataframe(attributes, tmp_path / "attributs.gpkg", driver="GPKG")
    table = read_upload((tmp_path / "attributs.gpkg").read_bytes(), "attributs.gpkg")
    assert table.frame[["nom", "insee"]].to_numpy().tolist() == [["A", "34172"], ["B", "75056"]]


def test_zipped_shapefile_in_a_folder(tmp_path: Path) -> None:
    gpd.GeoDataFrame({"nom": ["A"]}, geometry=gpd.points_from_xy([3.87], [43.61]), crs=4326).to_crs(
        2154
    ).to_file(tmp_path / "lieux.shp")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in tmp_path.glob("lieux.*"):
            archive.write(path, f"export/{path.name}")
        archive.writestr("__MACOSX/._lieux.shp", b"junk")
    table = read_upload(buffer.getvalue(), "export.zip")
    assert float(table.frame[GEOMETRY_LAT].iat[0]) == pytest.approx(43.61, abs=1e-4)


def test_zip_paths_never_reach_the_disk_outside_a_temporary_folder(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../evil.shp", b"not a shapefile")
    with pytest.raises(DataValidationError):
        read_upload(buffer.getvalue(), "evil.zip")
    assert not (tmp_path.parent / "evil.shp").exists()
    assert not Path("/tmp/evil.shp").exists()


# ---------------------------------------------------------------------------- limits and hostile files


def test_upload_limits_and_unknown_types() -> None:
    with pytest.raises(DataValidationError, match="trop volumineux"):
        read_upload(b"a" * (MAX_UPLOAD_BYTES + 1), "gros.csv")
    with pytest.raises(DataValidationError, match="vide"):
        read_upload(b"", "vide.csv")
    with pytest.raises(DataValidationError, match="non pris en charge"):
        read_upload(b"MZ\x90\x00", "virus.exe")
    with pytest.raises(DataValidationError, match=r"\.xlsx"):
        read_upload(b"\xd0\xcf\x11\xe0", "ancien.xls")
    with pytest.raises(DataValidationError, match="binaire"):
        read_upload(bytes(range(256)) * 20, "image.csv")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (hostile.wide_header_csv, "trop de colonnes"),
        (hostile.long_csv, "trop de lignes"),
        (hostile.tiny_cells_csv, "cellules"),
        (hostile.xlsx_many_rows, "trop de lignes"),
        (hostile.xlsx_styled_empty_cells, "décompressée"),
        (hostile.xlsx_styled_empty_cells_with_image, "feuille trop grande"),
        (hostile.lying_zip, "falsifié"),
        (hostile.ratio_zip, "décompressée"),
        (hostile.json_objects, "trop grand"),
    ],
)
def test_hostile_files_are_refused_in_french(make: object, message: str) -> None:
    name, data = make()  # type: ignore[operator]
    with pytest.raises(DataValidationError, match=message):
        read_upload(data, name)


def test_personal_columns_and_safe_names() -> None:
    for name in ("EMAIL", "Mail", "E-mail", "Téléphone", "TELEPHONE", "tel_fixe", "Adresse mail", "Contact"):
        assert is_personal_column(name), name
    for name in ("NOM", "Hôtel de ville", "ADRESSE", "Code postal", "Latitude", "DESCRI_COU", "INTERNET"):
        assert not is_personal_column(name), name
    assert safe_filename("../../<img src=x>.csv") == "_img src_x_.csv"
    assert safe_filename("C:\\Users\\moi\\liste [v2].csv") == "liste _v2_.csv"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.binary(max_size=600),
    suffix=st.sampled_from(["csv", "txt", "xlsx", "zip", "geojson", "gpkg", "json"]),
)
def test_no_bytes_crash_the_reader(data: bytes, suffix: str) -> None:
    try:
        table = read_upload(data, f"fichier.{suffix}")
    except AtlasError:
        return
    assert LINE in table.frame.columns
    assert table.frame[LINE].is_unique


def test_the_server_limit_is_the_readers_limit() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * MB == MAX_UPLOAD_BYTES
