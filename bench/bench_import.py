"""Benchmark of the import of a user's list: 5 000 rows read, checked and placed in ≤ 3 s."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from bench.common import Row, median_seconds

N_ROWS = 5_000
TARGET_S = 3.0

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

    Two rows in three have coordinates (some swapped, some in Lambert-93), the others only an
    INSEE code or a postcode + commune name; a few are broken on purpose.
    """
    from geo.atlas import load_atlas

    communes = load_atlas().communes
    communes = communes[communes.geometry.notna()].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    picks = communes.iloc[rng.integers(0, len(communes), n_rows)].reset_index(drop=True)
    lon = picks.geometry.x.to_numpy()
    lat = picks.geometry.y.to_numpy()
    kind = rng.integers(0, 12, n_rows)
    lon_text = [f"{v:.5f}".replace(".", ",") for v in lon]
    lat_text = [f"{v:.5f}".replace(".", ",") for v in lat]
    rows = []
    for i in range(n_rows):
        name = f"{_NAMES[i % len(_NAMES)]} n°{i}"
        code, nom, dep = picks.at[i, "code_insee"], picks.at[i, "nom"], picks.at[i, "dep"]
        postcode = f"{dep}000" if dep.isdigit() and len(dep) == 2 else ""
        if kind[i] < 6:
            rows.append((name, lat_text[i], lon_text[i], "", "", "", "Coworking"))
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


def rows() -> list[Row]:
    from geo.atlas import load_atlas, load_commune_polygons
    from geo.importer import combined_places, import_places, prepare_import, read_upload

    atlas = load_atlas()
    polygons = load_commune_polygons()
    data = sample_csv()
    result = None

    def run() -> None:
        nonlocal result
        prepared = prepare_import([read_upload(data, "liste.csv")])
        result = import_places(prepared, atlas.communes, polygons)

    seconds = median_seconds(run, repeat=3)
    assert result is not None
    note = f"{result.n_accepted} acceptées dont {result.n_approximate} approx., {result.n_rejected} rejetées"
    bundled = atlas.places.drop(columns=["x_m", "y_m"])
    imported = result.places

    def add() -> None:
        run()
        combined_places(bundled, imported)

    add_seconds = median_seconds(add, repeat=3)
    label = f"{N_ROWS:,}".replace(",", "\u202f")
    return [
        Row(f"Import de {label} lignes (CSV), remplacement", seconds, "s", TARGET_S, note),
        Row(
            f"Import de {label} lignes, ajout à la liste intégrée",
            add_seconds,
            "s",
            TARGET_S,
            "doublons signalés",
        ),
    ]
