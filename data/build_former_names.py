"""Build ``data/communes_deleguees.parquet``: the names of former communes still known by their name.

Usage: ``python -m data.build_former_names [--tarball FILE] [--out data]`` (``make former-names``).

Lists of places often name a commune that merged into a *commune nouvelle* (« Morez 39400 », now
Hauts de Bienne): the COG keeps these as *communes déléguées* (and *communes associées*), with their
name and the code of the commune they belong to. ``../shared/data`` holds only the former codes, so
this step reads them from the npm package the Atlas already relies on for the COG 2026,
``@etalab/decoupage-administratif``, at a pinned version whose tarball is checked against the
registry's published integrity hash. Without ``--tarball`` the package is fetched with
``npm pack`` (network needed once); the result is committed, so the app never needs npm.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pandas as pd

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
INTEGRITY = "sha512-XavYsFlbcM/prKr8hNHPKER94IHw/dsxNM4nxjWMYk6PLFACpEedvn/7wK8Baozm0dCYhWWcf+7bcWpA5pmCaQ=="
"""``dist.integrity`` of the pinned version on registry.npmjs.org."""
MEMBER = "package/data/communes.json"
OUTPUT = "communes_deleguees.parquet"
TYPES = {"commune-deleguee": "déléguée", "commune-associee": "associée"}
COLUMNS = ("nom", "code_ancien", "code_insee_2026", "type")

DEFAULT_OUT = Path(__file__).resolve().parent


def check_integrity(tarball: Path, integrity: str = INTEGRITY) -> None:
    """Raise ``ValueError`` unless ``tarball`` has the published sha512 ``integrity``."""
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise ValueError(f"{tarball} is not {PACKAGE}@{VERSION} (integrity {digest} != {expected})")


def fetch_tarball(directory: Path) -> Path:
    """``npm pack`` the pinned package into ``directory`` and return the tarball's path."""
    subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{VERSION}", "--pack-destination", str(directory), "--silent"],
        check=True,
        capture_output=True,
    )
    (tarball,) = directory.glob("*.tgz")
    return tarball


def former_names_from_tarball(tarball: Path) -> pd.DataFrame:
    """The communes déléguées and associées of the package whose name differs from their parent's.

    Returns
    -------
    DataFrame with :data:`COLUMNS`: the former commune's name, its own code, the COG 2026 code
    of the commune it now belongs to, and its kind (« déléguée », « associée »).
    """
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise ValueError(f"{MEMBER} missing from {tarball}")
        communes = json.load(member)
    current = {c["code"]: c["nom"] for c in communes if c["type"] == "commune-actuelle"}
    rows = [
        (c["nom"], c["code"], c["chefLieu"], TYPES[c["type"]])
        for c in communes
        if c["type"] in TYPES and c["nom"] != current.get(c["chefLieu"])
    ]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    orphans = sorted(set(table["code_insee_2026"]) - set(current))
    if orphans:
        raise ValueError(f"parent communes missing from the package: {orphans[:5]}")
    return table.sort_values(["code_insee_2026", "nom"], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help=f"{PACKAGE}-{VERSION}.tgz already downloaded")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="atlas-cog-") as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        check_integrity(tarball)
        table = former_names_from_tarball(tarball)
    table.to_parquet(args.out / OUTPUT, index=False)
    print(f"{len(table)} communes déléguées ou associées → {args.out / OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
