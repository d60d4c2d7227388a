"""Readers of the raw formats and the shared completion into the places schema."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo._errors import DataValidationError
from geo.io.placement import (
    PRECISION_COMMUNE,
    VERDICT_CENTROID,
    VERDICT_UNPLACED,
    CommuneLocator,
    commune_locator,
)
from geo.io.places import (
    OUTSIDE_ZONES,
    RECORD_COLUMNS,
    france_services_from_table,
    places_from_records,
    records_from_anct_per_commune,
    split_unlocated,
    unlocated_places,
)


@pytest.fixture
def locator() -> CommuneLocator:
    polygons = gpd.GeoDataFrame(
        {"code_insee": ["34172", "34001"]},
        geometry=[box(3.8, 43.55, 3.95, 43.65), box(3.6, 43.5, 3.8, 43.7)],
        crs="EPSG:4326",
    )
    points = gpd.GeoDataFrame(
        {
            "code_insee": ["34172", "34001"],
            "nom": ["Montpellier", "Aniane"],
            "dep": ["34", "34"],
            "reg": ["76", "76"],
            "epci_siren": ["243400017", "200017341"],
            "zone": ["metro", "metro"],
        },
        geometry=[Point(3.87, 43.61), Point(3.7, 43.6)],
        crs="EPSG:4326",
    )
    return commune_locator(points, polygons)


def _record(**values: object) -> dict[str, object]:
    base: dict[str, object] = dict.fromkeys(RECORD_COLUMNS, "")
    base.update({"lon": float("nan"), "lat": float("nan")})
    base.update(values)
    return base


def test_split_one_feature_into_several_places(tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id_geo": "34172",
                    "id_territoire": "fabt-1; fabt-2",
                    "lib_territoire": "La Halle &amp; Cie; Le Lieu\nPorté par une association",
                },
                "geometry": {"type": "Point", "coordinates": [3.87, 43.61]},
            },
            {
                "type": "Feature",
                "properties": {
                    "id_geo": "34001",
                    "id_territoire": "fabt-3; fabt-4",
                    "lib_territoire": "Un seul",
                },
                "geometry": None,
            },
        ],
    }
    path = tmp_path / "f.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    records = records_from_anct_per_commune(
        path, source="anct_fabriques_2024", label="Fabrique de territoire"
    )
    assert records["source_id"].tolist() == ["fabt-1", "fabt-2", "fabt-3", "fabt-4"]
    assert records.loc[0, "name"] == "La Halle & Cie"
    assert records.loc[1, "name"] == "Le Lieu"
    assert "association" in records.loc[1, "description"]
    # One name for two ids: kept for both rather than guessing.
    assert records.loc[2, "name"] == records.loc[3, "name"] == "Un seul"
    assert records["lon"].isna().tolist() == [False, False, True, True]


def test_completion_fills_codes_points_and_themes(locator: CommuneLocator) -> None:
    records = pd.DataFrame(
        [
            _record(
                source="cget_2019",
                source_id="1",
                name="Fablab du Coin",
                lon=3.9,
                lat=43.6,
                code_insee="",
                location_precision="adresse",
            ),
            _record(
                source="cget_2019",
                source_id="2",
                name="Ressourcerie Verte",
                code_insee="34001",
                location_precision="adresse",
            ),
            _record(source="cget_2019", source_id="3", name="Nulle part", code_insee=""),
        ]
    )
    places = places_from_records(records, locator)
    assert places["code_insee"].tolist() == ["34172", "34001", ""]
    assert places.loc[1, "location_precision"] == PRECISION_COMMUNE
    assert places.loc[1, "placement"] == VERDICT_CENTROID
    assert places.loc[1, "lon"] == pytest.approx(3.7)
    assert places.loc[0, "theme_fabrication"] == "mot-clé"
    assert places.loc[1, "theme_reemploi"] == "mot-clé"
    assert places.loc[0, "dep"] == "34"
    assert places.loc[0, "zone"] == "metro"
    assert places.loc[2, "zone"] == ""
    assert places.loc[2, "placement"] == VERDICT_UNPLACED
    assert unlocated_places(places).tolist() == [False, False, True]
    assert places["place_id"].tolist() == ["cget_2019:1", "cget_2019:2", "cget_2019:3"]
    assert places["source_records"].tolist() == places["place_id"].tolist()
    assert places.crs == "EPSG:4326"
    located, refused = split_unlocated(places)
    assert located["place_id"].tolist() == ["cget_2019:1", "cget_2019:2"]
    assert refused.to_dict("records") == [
        {
            "dataset": "places",
            "identifiant": "cget_2019:3",
            "nom": "Nulle part",
            "raison": places.loc[2, "placement_note"] or OUTSIDE_ZONES,
        }
    ]
    assert refused["raison"].iloc[0] != ""
    outside = places.assign(placement_note="", zone="")  # no note: outside the six zones
    assert split_unlocated(outside.iloc[[2]])[1]["raison"].tolist() == [OUTSIDE_ZONES]


def test_france_services_from_any_table(locator: CommuneLocator) -> None:
    table = pd.DataFrame(
        {
            "ID_FS": ["1", "2", "2", "3"],
            "Nom": ["FS Montpellier", "FS Aniane", "FS Aniane bis", "FS nulle part"],
            "Code_INSEE": ["34172", "34001", "34001", ""],
            "Latitude": ["43,61", "43.6", "43.6", ""],
            "Longitude": ["3,87", "3.7", "3.7", ""],
        }
    )
    services, rejected = france_services_from_table(table, locator)
    assert services["fs_id"].tolist() == ["1", "2"]
    assert services["code_insee"].tolist() == ["34172", "34001"]
    assert services["dep"].tolist() == ["34", "34"]
    assert rejected["identifiant"].tolist() == ["2", "3"]
    assert rejected["raison"].iloc[0] == "identifiant absent ou en double"
    with pytest.raises(DataValidationError, match="introuvables : lon"):
        france_services_from_table(table.drop(columns=["Longitude"]), locator)
