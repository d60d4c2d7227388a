"""Exports carry their parameters and sources, and never let a cell run as a formula."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd
from shapely.geometry import Point

from geo.io.export import csv_bytes, csv_with_metadata_zip, geojson_bytes, presentation_table, xlsx_bytes

META = {"Distance": "10 km", "Sources": "ANCT, Fabriques de territoire (janvier 2024)"}
TABLE = pd.DataFrame(
    {
        "Nom": ['=HYPERLINK("http://x")', "Le Lieu", "@SUM(A1)"],
        "Population": [1200, -3, 5],
        "Part": [0.5, 0.25, 1.0],
    }
)


def test_csv_is_french_with_metadata_and_inert_formulas() -> None:
    text = csv_bytes(TABLE, META).decode("utf-8")
    assert text.startswith("\ufeff# Distance : 10 km\n# Sources : ANCT")
    assert "'=HYPERLINK" in text
    assert "'@SUM(A1)" in text
    assert ";-3;0,25" in text  # numbers stay numbers, decimal comma


def test_xlsx_has_data_and_parameters_sheets() -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(TABLE, META)))
    assert book.sheetnames == ["Données", "Paramètres et sources"]
    data = book["Données"]
    assert data["A2"].value == '\'=HYPERLINK("http://x")'
    assert data["A2"].data_type == "s"
    assert data["B3"].value == -3
    params = {row[0]: row[1] for row in book["Paramètres et sources"].iter_rows(min_row=2, values_only=True)}
    assert params == META


def test_geojson_has_metadata_member() -> None:
    frame = gpd.GeoDataFrame({"Nom": ["A"]}, geometry=[Point(2.35, 48.85)], crs="EPSG:4326")
    data = json.loads(geojson_bytes(frame, META))
    assert data["metadata"] == META
    assert data["features"][0]["geometry"]["coordinates"] == [2.35, 48.85]


def test_the_formula_guard_leaves_numbers_written_as_text_alone() -> None:
    table = pd.DataFrame({"Longitude": ["-1.549439", "+33", "-1,5", "-1+2", "- tiret", "=1+1"]})
    text = csv_bytes(table, {}).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["-1.549439", "+33", "-1,5", "'-1+2", "'- tiret", "'=1+1"]


def test_xlsx_cells_longer_than_excel_allows_are_cut_and_marked() -> None:
    table = pd.DataFrame({"Description": ["x" * 40_000, "court"]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table, META)))["Données"]
    assert len(sheet["A2"].value) <= 32_767
    assert sheet["A2"].value.endswith("[tronqué]")
    assert sheet["A3"].value == "court"


def test_a_csv_with_its_metadata_beside_it() -> None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(csv_with_metadata_zip(TABLE, META, stem="export"))) as archive:
        table = pd.read_csv(
            io.BytesIO(archive.read("export.csv")), sep=";", decimal=",", encoding="utf-8-sig"
        )
        sidecar = pd.read_csv(
            io.BytesIO(archive.read("export_metadonnees.csv")), sep=";", encoding="utf-8-sig"
        )
    assert table["Population"].tolist() == [1200, -3, 5]
    assert dict(zip(sidecar["Paramètre"], sidecar["Valeur"], strict=True)) == META


def test_exports_are_written_as_the_screen_shows_them() -> None:
    table = pd.DataFrame(
        {
            "Commune": ["A", "B"],
            "Population 2023": [1850.0, float("nan")],
            "Part couverte": [0.89584, 1.0],
            "Pour 100 000 hab.": [6.698372, 0.0],
            "longitude": [-1.549439123, 2.35],
        }
    )
    out = presentation_table(table)
    assert list(out.columns) == [
        "Commune",
        "Population 2023",
        "Part couverte (%)",
        "Pour 100 000 hab.",
        "longitude",
    ]
    assert str(out["Population 2023"].dtype) == "Int64"
    assert out["Part couverte (%)"].tolist() == [89.6, 100.0]
    assert out["Pour 100 000 hab."].tolist() == [6.7, 0.0]
    assert out["longitude"].tolist() == [-1.549439123, 2.35]
    body = csv_bytes(out, {}).decode("utf-8-sig").splitlines()
    assert body[1] == "A;1850;89,6;6,7;-1,549439123"
    assert body[2] == "B;;100,0;0,0;2,35"


def test_xlsx_has_a_frozen_header_fitted_widths_and_number_formats() -> None:
    table = presentation_table(
        pd.DataFrame(
            {
                "Territoire": ["Communauté de communes du Grand Pic Saint-Loup"],
                "Population": [51678.0],
                "Part couverte": [0.98376],
            }
        )
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table, {"Sources": "INSEE"})))
    sheet = book["Données"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len("Communauté de communes du Grand Pic Saint-Loup")
    assert sheet["B2"].value == 51678
    assert sheet["B2"].number_format == "#,##0"
    assert sheet["C1"].value == "Part couverte (%)"
    assert sheet["C2"].number_format == "#,##0.0"
    assert book["Paramètres et sources"].freeze_panes == "A2"


def test_xlsx_number_formats_hold_tiny_values() -> None:
    """A longitude of 4e-06 (a place on the Greenwich meridian) is written, with its decimals."""
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(pd.DataFrame({"longitude": [4e-06, 0.5]}), {})))
    assert book["Données"]["A2"].number_format == "#,##0.000000"
