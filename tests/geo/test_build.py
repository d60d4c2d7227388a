"""The build step, on a miniature of the raw data (always) and on ../shared (where it exists)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from data.build import build_all, keyword_quality_markdown, keyword_rules_markdown, main, read_labelled_places
from geo.io.catalog import DATASETS
from geo.io.datasets import read_dataset
from tests.conftest import ROOT, SHARED_DATA

FIXTURE_RAW = ROOT / "tests" / "fixtures" / "raw"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built")
    build_all(FIXTURE_RAW, out)
    return out


def test_every_catalogued_dataset_is_built_and_valid(built: Path) -> None:
    for name in DATASETS:
        if not (built / DATASETS[name].filename).exists():
            assert name not in {"places", "communes", "qpv", "acv", "pvd"}, name
            continue
        frame = read_dataset(name, data_dir=built)
        assert len(frame) > 0, name


def test_anct_features_are_split_one_row_per_place(built: Path) -> None:
    places = read_dataset("places", data_dir=built)
    fabriques = places[places["source"] == "anct_fabriques_2024"]
    assert fabriques["source_id"].is_unique
    assert (fabriques["location_precision"] == "centroide_commune").all()
    assert (places.loc[places["source"] == "cget_2019", "location_precision"] == "adresse").all()


def test_rejected_rows_are_listed_with_a_reason(built: Path) -> None:
    rejected = pd.read_csv(built / "rejected_rows.csv", dtype=str)
    assert set(rejected.columns) == {"dataset", "identifiant", "nom", "raison"}
    assert rejected["raison"].notna().all()
    # Marseille's fabriques are outside the miniature's communes: rejected, not lost.
    assert (rejected["raison"].str.contains("13055")).sum() >= 1
    # A commune re-created after 2018 has neither outline nor point.
    assert "14666" in set(rejected["identifiant"])


def test_input_rows_are_all_accounted_for(built: Path) -> None:
    raw = pd.read_csv(FIXTURE_RAW / "tierslieux/cget_tierslieux_2019_sans_contacts.csv", dtype=str)
    places = read_dataset("places", data_dir=built)
    rejected = pd.read_csv(built / "rejected_rows.csv", dtype=str)
    kept = (places["source"] == "cget_2019").sum()
    dropped = rejected["identifiant"].str.startswith("cget_2019:").sum()
    assert kept + dropped == len(raw)


def test_insee_code_filled_by_point_in_polygon(built: Path) -> None:
    places = read_dataset("places", data_dir=built)
    raw = pd.read_csv(FIXTURE_RAW / "tierslieux/cget_tierslieux_2019_sans_contacts.csv", dtype=str)
    zero_codes = set("cget_2019:" + raw.loc[raw["INSEECOM"] == "0", "ID"])
    filled = places[places["place_id"].isin(zero_codes)]
    assert (filled["code_insee"] != "").all()


def test_cli_refuses_a_missing_raw_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--raw", str(tmp_path / "absent"), "--out", str(tmp_path)]) == 2
    assert "introuvables" in capsys.readouterr().err


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED_DATA / "SOURCES.md").exists(), reason="../shared/data absent (clone seul)")
def test_committed_data_matches_a_rebuild_from_shared(tmp_path: Path) -> None:
    counts = build_all(SHARED_DATA, tmp_path)
    for name, entry in DATASETS.items():
        committed_path = ROOT / "data" / entry.filename
        if not committed_path.exists() or entry.built_by != "data.build":
            continue
        reader = gpd.read_parquet if entry.geometry else pd.read_parquet
        committed = reader(committed_path)
        rebuilt = reader(tmp_path / entry.filename)
        assert_frame_equal(pd.DataFrame(committed), pd.DataFrame(rebuilt), check_dtype=False, obj=name)
    places = pd.read_parquet(tmp_path / "places.parquet")
    # 1,512 + 381 + 111 source records (SOURCES.md, one Fabrique outside the zones), duplicates merged.
    assert places["source_records"].str.split(";").explode().size == 2004
    assert counts["places"] == len(places) < 2004
    assert_frame_equal(
        pd.read_csv(ROOT / "data" / "linkage_decisions.csv", dtype=str, keep_default_na=False),
        pd.read_csv(tmp_path / "linkage_decisions.csv", dtype=str, keep_default_na=False),
        obj="linkage_decisions",
    )


def test_data_readme_documents_the_current_keyword_rules() -> None:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert keyword_rules_markdown() in text, "data/README.md est en retard : lancez `make data`"


def test_data_readme_states_the_measured_quality_of_the_keyword_rules() -> None:
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert keyword_quality_markdown(read_labelled_places()) in text, "data/README.md est en retard"
