"""Validation collects every problem of a dataset into one French error."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geo._errors import DataValidationError
from geo.io.atlas import qpv_communes, qpv_touching
from geo.io.catalog import dataset, place_sources_in
from geo.io.datasets import (
    dataset_path,
    in_france,
    read_dataset,
    refreshed_on,
    validate,
    validation_problems,
    write_dataset,
)


def _qpv(**overrides: object) -> gpd.GeoDataFrame:
    data = {
        "code_qp": ["QN00101M", "QN00102M"],
        "lib_qp": ["A", "B"],
        "dep": ["01", "01"],
        "zone": ["metro", "metro"],
        "codes_insee": ["01053", "01053"],
        "location_precision": ["centroide_commune"] * 2,
    }
    data.update(overrides)  # type: ignore[arg-type]
    return gpd.GeoDataFrame(data, geometry=[Point(5.24, 46.2), Point(5.25, 46.21)], crs="EPSG:4326")


def test_valid_frame_has_no_problem() -> None:
    assert validation_problems(_qpv(), dataset("qpv")) == []


def test_all_problems_are_reported_together() -> None:
    frame = _qpv(code_qp=["QN1", "QN1"]).drop(columns=["lib_qp"])
    frame.loc[1, "geometry"] = Point(-40.0, 10.0)  # mid-Atlantic
    with pytest.raises(DataValidationError) as error:
        validate(frame, "qpv")
    problems = error.value.problems
    assert any("colonnes manquantes : lib_qp" in p for p in problems)
    assert any("en double" in p for p in problems)
    assert any("hors de France" in p for p in problems)
    assert "n'est pas valide" in str(error.value)


def test_missing_crs_null_and_wrong_geometry_types() -> None:
    frame = gpd.GeoDataFrame(
        pd.DataFrame(_qpv().drop(columns="geometry")), geometry=[None, Polygon([(0, 0), (1, 0), (1, 1)])]
    )
    problems = validation_problems(frame, dataset("qpv"))
    assert "système de coordonnées (CRS) absent" in problems
    assert any("1 géométrie nulle ou vide" in p for p in problems)
    assert any("types de géométrie inattendus : Polygon" in p for p in problems)


def test_in_france_covers_every_zone() -> None:
    lon = pd.Series([2.35, 55.45, -61.0, -52.3, 45.2, -40.0])
    lat = pd.Series([48.85, -20.9, 14.6, 4.9, -12.8, 10.0])
    assert in_france(lon, lat).tolist() == [True, True, True, True, True, False]


def test_unreadable_or_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="fichier introuvable"):
        read_dataset("places", data_dir=tmp_path)
    (tmp_path / "places.parquet").write_text("pas un parquet")
    with pytest.raises(DataValidationError, match="lecture impossible"):
        read_dataset("places", data_dir=tmp_path)


def test_a_dataset_is_written_only_when_valid_and_reads_back(tmp_path: Path) -> None:
    acv = read_dataset("acv")
    path = write_dataset(acv, "acv", tmp_path / "sortie")
    assert path == tmp_path / "sortie" / "acv.parquet"
    pd.testing.assert_frame_equal(read_dataset("acv", data_dir=path.parent), acv)
    assert not list(path.parent.glob("*.tmp"))
    with pytest.raises(DataValidationError):
        write_dataset(acv.drop(columns="code_insee"), "acv", tmp_path / "refus")
    assert not (tmp_path / "refus").exists()


def test_qpv_communes_split_their_codes() -> None:
    qpv = pd.DataFrame({"codes_insee": ["34172", "34172; 34301", None]}, index=[10, 11, 12])
    communes = qpv_communes(qpv)
    assert communes.tolist() == ["34172", "34172", "34301", ""]
    assert communes.index.tolist() == [10, 11, 11, 12]
    assert qpv_touching(qpv, {"34301"}).tolist() == [False, True, False]
    assert qpv_touching(qpv, ["34172"]).tolist() == [True, True, False]
    assert qpv_touching(qpv.iloc[0:0], ["34172"]).tolist() == []


def test_refreshed_copy_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_LOCAL_DATA", str(tmp_path))
    assert dataset_path("qpv").parent.name == "data"
    (tmp_path / "qpv.parquet").write_bytes(b"")
    assert dataset_path("qpv") == tmp_path / "qpv.parquet"


def test_tests_ignore_data_refreshed_in_the_default_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_refreshed_data: Path
) -> None:
    import geo.io.datasets

    # As if a developer had run ``make refresh``: a newer qpv in data/local.
    monkeypatch.setattr(geo.io.datasets, "DEFAULT_LOCAL_DIR", tmp_path)
    (tmp_path / "qpv.parquet").write_bytes(b"")
    assert geo.io.datasets.local_data_dir() == no_refreshed_data
    assert not any(no_refreshed_data.iterdir())
    assert dataset_path("qpv").parent.name == "data"
    monkeypatch.delenv(geo.io.datasets.LOCAL_DIR_ENV)
    assert dataset_path("qpv") == tmp_path / "qpv.parquet"  # what the fixture protects from


def test_bundled_datasets_load_with_a_crs() -> None:
    places = read_dataset("places")
    assert isinstance(places, gpd.GeoDataFrame)
    assert places.crs == "EPSG:4326"
    assert isinstance(read_dataset("acv"), pd.DataFrame)


def test_refreshed_copy_reports_its_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_LOCAL_DATA", str(tmp_path))
    assert refreshed_on("qpv") is None
    (tmp_path / "qpv.parquet").write_bytes(b"")
    (tmp_path / "refresh.json").write_text('{"qpv": {"date": "02/11/2026"}}', encoding="utf-8")
    assert refreshed_on("qpv") == "02/11/2026"
    assert refreshed_on("places") is None


def test_only_the_place_sources_in_use_are_credited() -> None:
    assert [s.code for s in place_sources_in(["cget_2019", "anct_manufactures_2022", "cget_2019"])] == [
        "cget_2019",
        "anct_manufactures_2022",
    ]
    assert place_sources_in(["import", "ftl_2026"]) == []  # an import or a refresh names itself
