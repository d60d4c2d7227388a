"""The build step of the former communes' names, on a miniature of the npm package (no network)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from data.build_former_names import MEMBER, check_integrity, former_names_from_tarball, main

COMMUNES = [
    {"code": "39368", "nom": "Hauts de Bienne", "type": "commune-actuelle"},
    {"code": "39368", "nom": "Morez", "type": "commune-deleguee", "chefLieu": "39368"},
    {"code": "39371", "nom": "La Mouille", "type": "commune-deleguee", "chefLieu": "39368"},
    {"code": "70245", "nom": "Fougerolles-Saint-Valbert", "type": "commune-actuelle"},
    {"code": "70245", "nom": "Fougerolles-Saint-Valbert", "type": "commune-deleguee", "chefLieu": "70245"},
    {"code": "01015", "nom": "Arboys en Bugey", "type": "commune-actuelle"},
    {"code": "01340", "nom": "Saint-Bois", "type": "commune-associee", "chefLieu": "01015"},
    {
        "code": "75111",
        "nom": "Paris 11e Arrondissement",
        "type": "arrondissement-municipal",
        "commune": "75056",
    },
]


def _tarball(path: Path, communes: list[dict[str, str]]) -> Path:
    data = json.dumps(communes).encode()
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(MEMBER)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def test_former_names_are_the_delegated_and_associated_communes(tmp_path: Path) -> None:
    table = former_names_from_tarball(_tarball(tmp_path / "p.tgz", COMMUNES))
    assert table.to_dict("records") == [
        {"nom": "Saint-Bois", "code_ancien": "01340", "code_insee_2026": "01015", "type": "associée"},
        {"nom": "La Mouille", "code_ancien": "39371", "code_insee_2026": "39368", "type": "déléguée"},
        {"nom": "Morez", "code_ancien": "39368", "code_insee_2026": "39368", "type": "déléguée"},
    ]


def test_a_parent_missing_from_the_package_is_an_error(tmp_path: Path) -> None:
    orphan = [{"code": "99001", "nom": "Perdue", "type": "commune-deleguee", "chefLieu": "99000"}]
    with pytest.raises(ValueError, match="99000"):
        former_names_from_tarball(_tarball(tmp_path / "p.tgz", orphan))


def test_the_tarball_must_be_the_pinned_version(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "p.tgz", COMMUNES)
    with pytest.raises(ValueError, match="integrity"):
        check_integrity(tarball)
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    check_integrity(tarball, f"sha512-{digest}")


def test_cli_refuses_another_package(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "p.tgz", COMMUNES)
    with pytest.raises(ValueError, match="integrity"):
        main(["--tarball", str(tarball), "--out", str(tmp_path)])
    assert not (tmp_path / "communes_deleguees.parquet").exists()
