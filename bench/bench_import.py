"""Benchmark of the import: 5 000 rows read, checked and placed in ≤ 3 s; hostile files refused (or read)
in ≤ 5 s and under 500 Mo each.

Each hostile file (:mod:`tests.fixtures.hostile`) is read in its own Python process, so that its time
and its peak memory (the whole process: interpreter, pandas and the file's bytes included) are
its own: ``python -m bench.bench_import --hostile FILE NAME`` runs one of them and prints JSON.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import ROOT, Row, median_seconds

N_ROWS = 5_000
TARGET_S = 3.0
HOSTILE_TARGET_S = 5.0
HOSTILE_TARGET_MB = 500.0
ACCEPTED_HOSTILE = {"cellules de 300 Ko (CSV, export de réseau)"}
"""Hostile-looking files that are real lists: read and checked to the end, not refused."""

_NAMES = (
    "Fablab",
    "Coworking",
    "Ressourcerie",
    "Tiers-lieu culturel",
    "Café associatif",
    "Ferme partagée",
    "Espace numérique",
    "La Fabrique",
)


def sample_csv(n_rows: int = N_ROWS, *, seed: int = 7) -> bytes:
    """A regional-list-like CSV (``;``, decimal comma, Windows-1252) of ``n_rows`` rows.

    Two rows in three have coordinates (some swapped, some with a sign error), the others only an
    INSEE code or a postcode + commune name; a few are broken on purpose.
    """
    from geo.io.atlas import load_atlas

    communes = load_atlas().communes
    communes = communes[communes.geometry.notna() & (communes["zone"] == "metro")].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    picks = communes.iloc[rng.integers(0, len(communes), n_rows)].reset_index(drop=True)
    lon = picks.geometry.x.to_numpy()
    lat = picks.geometry.y.to_numpy()
    kind = rng.integers(0, 12, n_rows)
    lon_text = [f"{v:.5f}".replace(".", ",") for v in lon]
    lat_text = [f"{v:.5f}".replace(".", ",") for v in lat]
    flipped = [f"{-v:.5f}".replace(".", ",") for v in lon]
    rows = []
    for i in range(n_rows):
        name = f"{_NAMES[i % len(_NAMES)]} n°{i}"
        code, nom = picks.at[i, "code_insee"], picks.at[i, "nom"]
        postcode = str(picks.at[i, "codes_postaux"]).split(" ")[0]
        if kind[i] < 5:
            rows.append((name, lat_text[i], lon_text[i], "", postcode, nom, "Coworking"))
        elif kind[i] == 5:
            rows.append((name, lat_text[i], flipped[i], "", postcode, nom, "Coworking"))  # sign error
        elif kind[i] == 6:
            rows.append((name, lon_text[i], lat_text[i], "", "", "", "Fablab"))  # swapped
        elif kind[i] < 9:
            rows.append((name, "", "", code, "", "", ""))
        elif kind[i] < 11:
            rows.append((name, "", "", "", postcode, nom, ""))
        else:
            rows.append((name, "n/a", "", "", "", "Atlantide", ""))  # rejected
    frame = pd.DataFrame(rows, columns=["Nom", "Latitude", "Longitude", "Code INSEE", "CP", "Ville", "Type"])
    frame["Téléphone"] = "04 00 00 00 00"
    buffer = io.StringIO()
    frame.to_csv(buffer, sep=";", index=False)
    return buffer.getvalue().encode("cp1252", errors="replace")


def _import_rows() -> list[Row]:
    from geo.io.atlas import load_atlas, load_commune_polygons
    from geo.io.import_mapping import prepare_import
    from geo.io.importer import check_import
    from geo.io.placement import commune_locator
    from geo.io.upload import read_upload

    atlas = load_atlas()
    locator = commune_locator(
        atlas.communes, load_commune_polygons(), atlas.communes_passage, atlas.communes_deleguees
    )
    data = sample_csv()
    bundled = atlas.places.drop(columns=["x_m", "y_m"])
    outcome: list[object] = []

    def run(register: pd.DataFrame | None) -> None:
        check = check_import(prepare_import([read_upload(data, "liste.csv")]), locator)
        outcome[:] = [check.result(register=register)]

    seconds = median_seconds(lambda: run(None), repeat=3)
    result = outcome[0]
    counts = ", ".join(f"{n} {v}" for v, n in result.verdict_counts.items())  # type: ignore[attr-defined]
    add_seconds = median_seconds(lambda: run(bundled), repeat=3)
    label = f"{N_ROWS:,}".replace(",", "\u202f")
    return [
        Row(f"Import de {label} lignes (CSV), vérification et verdicts", seconds, "s", TARGET_S, counts),
        Row(
            f"Import de {label} lignes, ajout à la liste intégrée",
            add_seconds,
            "s",
            TARGET_S,
            "doublons signalés",
        ),
    ]


def hostile_case(path: Path, name: str) -> dict[str, object]:
    """Read one hostile file (its name says which) as the page would; time, peak memory, outcome."""
    from geo._errors import AtlasError
    from geo.io.upload import read_upload

    data = path.read_bytes()
    locator = None
    if name in ACCEPTED_HOSTILE:
        from geo.io.atlas import load_atlas, load_commune_polygons
        from geo.io.placement import commune_locator

        atlas = load_atlas()
        locator = commune_locator(atlas.communes, load_commune_polygons(), atlas.communes_passage)
    start = time.perf_counter()
    try:
        table = read_upload(data, path.name)
        outcome = f"lu : {len(table.frame)} lignes"
        if locator is not None:
            from geo.io.import_mapping import prepare_import
            from geo.io.importer import check_import

            result = check_import(prepare_import([table]), locator).result()
            outcome = f"importé : {result.n_imported} lieux sur {result.n_input} lignes"
    except AtlasError as error:
        outcome = "refusé : " + str(error).splitlines()[-1].lstrip("- ")
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "peak_mb": _peak_rss_mb(), "outcome": outcome, "bytes": len(data)}


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (``VmHWM``: unlike ``ru_maxrss``, not inherited from
    the parent that started it)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _hostile_rows() -> list[Row]:
    from tests.fixtures.hostile import HOSTILE_FILES

    rows = []
    with tempfile.TemporaryDirectory(prefix="atlas-bench-") as tmp:
        for name, make in HOSTILE_FILES.items():
            filename, data = make()
            path = Path(tmp) / filename
            path.write_bytes(data)
            del data
            done = subprocess.run(
                [sys.executable, "-m", "bench.bench_import", "--hostile", str(path), name],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            case = json.loads(done.stdout.strip().splitlines()[-1])
            size = f"{float(case['bytes']) / 1024**2:.1f}".replace(".", ",")
            note = f"{size} Mo ; {case['outcome']}"[:110]
            rows.append(Row(f"Fichier hostile : {name}", float(case["seconds"]), "s", HOSTILE_TARGET_S, note))
            rows.append(
                Row("   pic de mémoire du processus", float(case["peak_mb"]), "Mo", HOSTILE_TARGET_MB)
            )
            path.unlink()
    return rows


def rows() -> list[Row]:
    return _import_rows() + _hostile_rows()


if __name__ == "__main__" and sys.argv[1:2] == ["--hostile"]:
    print(json.dumps(hostile_case(Path(sys.argv[2]), sys.argv[3])))
