"""Exports carry their parameters and sources, and never let a cell run as a formula."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd
from shapely.geometry import Point

from geo.export import csv_bytes, geojson_bytes, xlsx_bytes

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
