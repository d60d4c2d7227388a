"""Refresh from official sources, against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.io.atlas import load_atlas
from geo.io.datasets import LOCAL_DIR_ENV, read_dataset, read_manifest
from geo.io.placement import VERDICT_CENTROID
from geo.io.refresh import (
    DATASET_SOURCES,
    SOURCES,
    SourceUnavailableError,
    download,
    main,
    refresh,
    resolve_urls,
)
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
QPV_MEMBER = "GEOJSON/QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Official-format fixture files served from a temporary folder on 127.0.0.1."""
    root = tmp_path / "www"
    root.mkdir()
    for name in ("fabriques.geojson", "manufactures.geojson", "france_services.csv", "pvd.csv"):
        shutil.copy(FIXTURES / "refresh" / name, root / name)
    for name in ("bdftl-2026-01-fiche-identite.csv", "bdftl-2023-01-fiche-identite.csv"):
        shutil.copy(FIXTURES / "import" / name, root / name)
    shutil.copy(FIXTURES / "import" / "bdftl-2023-04-activites.csv", root / "bdftl-2023-04-activites.csv")
    with zipfile.ZipFile(root / "qpv2024.zip", "w") as archive:
        archive.write(FIXTURES / "refresh" / "QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson", QPV_MEMBER)
        archive.writestr("LISEZMOI.txt", "QPV 2024")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_urls_are_the_official_ones_unless_replaced() -> None:
    official = resolve_urls()
    assert official["qpv_polygons"].endswith("942d4ee8-8142-4556-8ea1-335537ce1119")
    assert official["ftl_2026"].endswith("bdftl-2026-01-fiche-identite.csv")
    local = resolve_urls(base_url="http://127.0.0.1:9/miroir", overrides={"pvd": "http://127.0.0.1:9/x.csv"})
    assert local["qpv_polygons"] == "http://127.0.0.1:9/miroir/qpv2024.zip"
    assert local["pvd"] == "http://127.0.0.1:9/x.csv"
    assert set(local) == set(SOURCES)


def test_full_refresh_writes_validated_files_the_app_prefers(
    served: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base_url, _ = served
    out = tmp_path / "local"
    lines: list[str] = []
    outcomes = refresh(urls=resolve_urls(base_url=base_url), out_dir=out, log=lines.append)
    assert [o.dataset for o in outcomes] == list(DATASET_SOURCES)
    assert all(o.written for o in outcomes), [o.message for o in outcomes]
    assert any("qpv2024.zip" in line for line in lines)

    qpv = read_dataset("qpv_polygons", data_dir=out)
    assert isinstance(qpv, gpd.GeoDataFrame)
    assert qpv["code_qp"].tolist() == ["QN03407M", "QN06920M", "QN97601M"]  # Saint-Martin (978) rejected
    assert qpv.set_index("code_qp").at["QN06920M", "codes_insee"] == "69256;69266"
    assert qpv.set_index("code_qp").at["QN97601M", "zone"] == "976"
    assert set(qpv.geom_type) <= {"Polygon", "MultiPolygon"}

    places = read_dataset("places", data_dir=out)
    counts = places["source"].value_counts()
    assert counts["ftl_2026"] == 8  # 9 census rows, « Lieu fantôme » rejected
    assert counts["anct_fabriques"] == 10
    assert counts["anct_manufactures"] == 6
    assert (places.loc[places["source"] == "anct_manufactures", "theme_fabrication"] == "programme").all()
    assert places["vintage"].str.startswith("téléchargé le").all()

    services = read_dataset("france_services", data_dir=out).set_index("fs_id")
    assert len(services) == 5
    # A structure without coordinates is placed at its commune's point, as in the data build.
    assert services.at["99999", "placement"] == VERDICT_CENTROID
    assert services.at["99999", "code_insee"] == "01033"
    pvd = read_dataset("pvd", data_dir=out)
    source = pd.read_csv(FIXTURES / "refresh" / "pvd.csv", sep=";", dtype=str)
    assert pvd["code_insee"].tolist() == sorted(c for c in source["insee_com"] if c != "99999")
    assert pvd["programme_id"].str.startswith("pvd-").all()

    manifest = read_manifest(out)
    assert set(manifest) == set(DATASET_SOURCES)
    assert manifest["places"]["sources"]["ftl_2026"] == base_url + "bdftl-2026-01-fiche-identite.csv"
    rejected = pd.read_csv(out / "rejected_rows.csv", dtype=str)
    assert set(rejected["dataset"]) == {"qpv_polygons", "places", "pvd"}
    assert "Lieu fantôme" in rejected["nom"].tolist()

    # The app prefers the local folder, and then uses the QPV outlines.
    monkeypatch.setenv(LOCAL_DIR_ENV, str(out))
    atlas = load_atlas()
    assert atlas.qpv_polygons is not None
    assert len(atlas.qpv_polygons) == 3
    assert len(atlas.places) == len(places)
    assert len(atlas.pvd) == 3


def test_census_2023_is_the_fallback_when_2026_is_missing(served: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = served
    (root / "bdftl-2026-01-fiche-identite.csv").unlink()
    outcomes = refresh(
        datasets=["places"], urls=resolve_urls(base_url=base_url), out_dir=tmp_path, log=lambda _: None
    )
    assert outcomes[0].written
    assert "2023" in outcomes[0].message
    places = read_dataset("places", data_dir=tmp_path)
    census = places[places["source"] == "ftl_2023"].set_index("name")
    assert len(census) == 4
    assert census.at["Fablab de Lannion", "theme_fabrication"] == "typologie"


def test_programme_failure_keeps_its_bundled_rows(served: tuple[str, Path], tmp_path: Path) -> None:
    base_url, root = served
    (root / "manufactures.geojson").unlink()
    outcomes = refresh(
        datasets=["places"], urls=resolve_urls(base_url=base_url), out_dir=tmp_path, log=lambda _: None
    )
    assert outcomes[0].written
    assert "liste intégrée conservée" in outcomes[0].message
    places = read_dataset("places", data_dir=tmp_path)
    bundled = read_dataset("places", data_dir=ROOT / "data")
    assert (places["source"] == "anct_manufactures_2022").sum() == (
        bundled["source"] == "anct_manufactures_2022"
    ).sum()


def test_changed_format_is_reported_in_french_and_nothing_written(
    served: tuple[str, Path], tmp_path: Path
) -> None:
    base_url, root = served
    (root / "france_services.csv").write_text("identifiant;libellé\n1;Maison\n", encoding="utf-8")
    (root / "pvd.csv").write_text("colonne_a;colonne_b\nx;y\n", encoding="utf-8")
    (root / "qpv2024.zip").write_bytes(b"<html>page d'erreur</html>")
    outcomes = {
        o.dataset: o
        for o in refresh(
            datasets=["france_services", "pvd", "qpv_polygons"],
            urls=resolve_urls(base_url=base_url),
            out_dir=tmp_path,
            log=lambda _: None,
        )
    }
    assert not any(o.written for o in outcomes.values())
    assert "a changé de format" in outcomes["france_services"].message
    assert "colonnes introuvables" in outcomes["france_services"].message
    assert "code INSEE" in outcomes["pvd"].message
    assert "archive zip" in outcomes["qpv_polygons"].message
    assert all("données intégrées restent utilisées" in o.message for o in outcomes.values())
    assert not list(tmp_path.glob("*.parquet"))
    assert read_manifest(tmp_path) == {}


def test_a_damaged_manifest_never_breaks_a_page(tmp_path: Path) -> None:
    (tmp_path / "refresh.json").write_text(
        '{"pvd": {"date": "02/11/2026", "rows": "beaucoup", "sources": ["x"]}, "qpv": 3}', encoding="utf-8"
    )
    assert read_manifest(tmp_path) == {"pvd": {"date": "02/11/2026", "rows": 0, "rejected": 0, "sources": {}}}


def test_offline_gives_a_clear_message_and_a_non_zero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SourceUnavailableError, match="pas de connexion"):
        download(_closed_port_url() + "x.csv", timeout=2)
    code = main(["--base-url", _closed_port_url(), "--out", str(tmp_path), "--timeout", "2", "--only", "pvd"])
    out = capsys.readouterr().out
    assert code == 3
    assert "ÉCHEC" in out
    assert "pas de connexion à Internet" in out
    assert "continue d'utiliser les données intégrées" in out
    assert not (tmp_path / "pvd.parquet").exists()


def test_http_errors_and_bad_urls(served: tuple[str, Path]) -> None:
    base_url, _ = served
    with pytest.raises(SourceUnavailableError, match="404"):
        download(base_url + "absent.csv")
    with pytest.raises(SourceUnavailableError, match="http ou https"):
        download("file:///etc/passwd")
    with pytest.raises(SourceUnavailableError, match="trop volumineux"):
        download(base_url + "pvd.csv", max_bytes=10)


def test_command_line_with_a_mirror(served: tuple[str, Path], tmp_path: Path, capsys) -> None:
    base_url, _ = served
    code = main(["--base-url", base_url, "--out", str(tmp_path), "--only", "pvd", "qpv_polygons"])
    out = capsys.readouterr().out
    assert code == 0
    assert "OK" in out
    assert (tmp_path / "pvd.parquet").exists()
    assert (tmp_path / "qpv_polygons.parquet").exists()
    assert main(["--url", "inconnue=http://127.0.0.1:9/", "--out", str(tmp_path)]) == 2
