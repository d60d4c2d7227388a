"""The data build, the refresh and the importer give the same commune for the same row."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import shapely
import shapely.ops

from geo.io.atlas import Atlas, load_commune_polygons
from geo.io.import_mapping import prepare_import
from geo.io.importer import import_places
from geo.io.placement import CommuneLocator, commune_locator
from geo.io.places import places_from_records, records_from_cget
from geo.io.refresh.parsers import programme_places
from geo.io.upload import read_upload


@pytest.fixture(scope="module")
def locator(atlas: Atlas) -> CommuneLocator:
    return commune_locator(atlas.communes, load_commune_polygons(), atlas.communes_passage)


def _rows(locator: CommuneLocator) -> pd.DataFrame:
    # A point 300 m off the coast of Sète, towards the open sea.
    sete = locator.geometries[list(locator.codes).index("34301")]
    coast, sea = shapely.ops.nearest_points(sete, shapely.Point(3.70, 43.30))
    step = 0.0027 / coast.distance(sea)
    offshore = (coast.x + (sea.x - coast.x) * step, coast.y + (sea.y - coast.y) * step)
    return pd.DataFrame(
        [
            ("1", "SICTIAM", "14327", "0", 43.627222, 7.0412),  # address point in Valbonne, Calvados code
            ("2", "Onzième Lieu", "75111", "75011", 48.868194, 2.378843),  # an arrondissement code
            ("3", "BUROL@B", "78686", "78220", 48.80177, 2.17072),  # 80 m over a simplified border
            ("4", "Lieu en mer", "34301", "34200", offshore[1], offshore[0]),
            ("5", "Sans coordonnées", "75111", "75011", None, None),
            ("6", "Code ancien", "01003", "01090", None, None),  # Amareins, now part of Francheleins
        ],
        columns=["ID", "NOM_TL", "INSEECOM", "CP", "LAT", "LONG"],
    )


def _cget_file(rows: pd.DataFrame, path: Path) -> Path:
    full = rows.assign(
        ADRESSE="", COMINIT="", NOMCOM="", WEB="", TYPO="", GEOCOD="", PRECISION="0.95", INSEEDEP=""
    )
    full.to_csv(path, index=False)
    return path


def _csv(rows: pd.DataFrame) -> bytes:
    table = rows.rename(
        columns={
            "ID": "id",
            "NOM_TL": "nom",
            "INSEECOM": "code_insee",
            "CP": "code_postal",
            "LAT": "latitude",
        }
    ).rename(columns={"LONG": "longitude"})
    return table.to_csv(index=False, sep=";").encode()


def test_build_refresh_and_import_agree(locator: CommuneLocator, tmp_path: Path) -> None:
    rows = _rows(locator)
    built = places_from_records(records_from_cget(_cget_file(rows, tmp_path / "cget.csv")), locator)
    refreshed, _ = programme_places(
        _csv(rows), locator, source_key="fabriques", code="anct_fabriques", label="", vintage="test"
    )
    imported = import_places(prepare_import([read_upload(_csv(rows), "liste.csv")]), locator).places
    expected = ["06152", "75056", "78686", "34301", "75056", "01165"]
    assert built["code_insee"].tolist() == expected
    assert refreshed["code_insee"].tolist() == expected
    assert imported["code_insee"].tolist() == expected
    assert built["placement"].tolist() == refreshed["placement"].tolist() == imported["placement"].tolist()
