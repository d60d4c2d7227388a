"""AppTest of « Zones blanches » on the real bundled data, checked against independent computations."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.fmt import fr_number, fr_percent
from geo.io.atlas import Atlas
from tests.app.conftest import open_app

L93 = "EPSG:2154"
PAGE = "pages/gaps.py"


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _independent_pvd_gaps(atlas: Atlas, reg: str, theme: str, radius_km: float) -> pd.DataFrame:
    """PVD communes of ``reg`` farther than ``radius_km`` from every place of ``theme``.

    Computed from the raw programme list and the geometries (GeoPandas projection and a
    full distance matrix), not from the Atlas' precomputed flags and coordinates.
    """
    communes = atlas.communes
    pvd = communes[(communes["reg"] == reg) & communes["code_insee"].isin(set(atlas.pvd["code_insee"]))]
    located = pvd[pvd.geometry.notna()]
    places = atlas.places[(atlas.places["zone"] == "metro") & (atlas.places[f"theme_{theme}"] != "")]
    a = gpd.GeoSeries(located.geometry, crs=communes.crs).to_crs(L93)
    b = gpd.GeoSeries(places.geometry, crs=atlas.places.crs).to_crs(L93)
    dx = a.x.to_numpy()[:, None] - b.x.to_numpy()[None, :]
    dy = a.y.to_numpy()[:, None] - b.y.to_numpy()[None, :]
    nearest = np.sqrt(dx**2 + dy**2).min(axis=1)
    return located.assign(distance_m=nearest, total=len(pvd))[nearest > radius_km * 1000]


def test_which_pvd_of_occitanie_have_no_fabrication_place_within_15_km(
    atlas: Atlas, downloads: dict[str, Callable[[], object]]
) -> None:
    expected = _independent_pvd_gaps(atlas, "76", "fabrication", 15)
    total = int(expected["total"].iloc[0])
    at = open_app(PAGE, {"reg": "76", "themes": "fabrication", "rayon": "15"})
    assert not at.exception
    at.multiselect(key="gaps_programmes").set_value(["pvd"]).run()
    assert not at.exception
    assert at.query_params["programmes"] == "pvd"
    assert at.query_params["reg"] == "76"
    assert at.query_params["rayon"] == "15"

    metrics = _metrics(at)
    n = len(expected)
    # With Fabrication chosen, the label says which places are missing.
    assert metrics["Petites villes de demain sans lieu de fabrication"] == (
        f"{fr_number(n)} / {fr_number(total)}"
    )
    assert any(c.value.startswith(f"{fr_percent(n / total)} des PVD du périmètre") for c in at.caption)
    assert metrics["Habitants de ces communes"] == fr_number(int(expected["population"].sum()))

    table = at.dataframe[0].value
    assert len(table) == n
    assert set(table["Code (INSEE ou QPV)"]) == set(expected["code_insee"])
    assert table["Rang"].tolist() == list(range(1, n + 1))
    assert table["Population municipale 2023"].is_monotonic_decreasing

    # The list can be taken away: the CSV carries the parameters, the sources and every row.
    assert {"zones_blanches.csv", "zones_blanches.xlsx", "zones_blanches.geojson"} <= set(downloads)
    csv = downloads["zones_blanches.csv"]()
    assert isinstance(csv, bytes)
    text = csv.decode("utf-8-sig")
    header = [line for line in text.splitlines() if line.startswith("# ")]
    assert any("Occitanie" in line and "Fabrication" in line and "15" in line for line in header)
    assert any(line.startswith("# Programmes : Petites villes de demain") for line in header)
    assert any(line.startswith("# Sources :") and "Petites villes de demain" in line for line in header)
    body = pd.read_csv(
        io.StringIO(text), sep=";", decimal=",", comment="#", dtype={"Code (INSEE ou QPV)": str}
    )
    assert set(body["Code (INSEE ou QPV)"]) == set(expected["code_insee"])
    assert int(body["Population municipale 2023"].sum()) == int(expected["population"].sum())
    distances = body.set_index("Code (INSEE ou QPV)")[
        "Distance au tiers-lieu le plus proche (km, vol d'oiseau)"
    ]
    reference = (expected.set_index("code_insee")["distance_m"] / 1000).round(1)
    assert (distances.reindex(reference.index) - reference).abs().max() <= 0.1
    geojson = json.loads(downloads["zones_blanches.geojson"]())
    assert len(geojson["features"]) == n
    assert geojson["metadata"]["Programmes"] == "Petites villes de demain"
    xlsx = downloads["zones_blanches.xlsx"]()
    sheets = pd.read_excel(io.BytesIO(xlsx), sheet_name=None)
    assert len(sheets["Données"]) == n
    assert "Sources" in set(sheets["Paramètres et sources"]["Paramètre"])


def test_ranking_by_distance_keeps_the_other_controls(atlas: Atlas) -> None:
    at = open_app(PAGE, {"dep": "34", "themes": "coworking", "rayon": "5", "programmes": "pvd,qpv"})
    assert not at.exception
    at.radio(key="gaps_rank").set_value("distance").run()
    assert not at.exception
    assert at.query_params["classement"] == "distance"
    assert at.multiselect(key="gaps_programmes").value == ["pvd", "qpv"]
    assert at.select_slider(key="f_radius").value == 5
    table = at.dataframe[0].value
    distances = table["Distance au tiers-lieu le plus proche (km, vol d'oiseau)"]
    assert distances.fillna(np.inf).is_monotonic_decreasing
    assert set(table["Programme"]) <= {"Petites villes de demain", "Quartier prioritaire (QPV)"}
    # QPV placed at their commune's centroid are flagged in the table.
    qpv = table[table["Programme"] == "Quartier prioritaire (QPV)"]
    assert (qpv["Localisation approximative"] == "oui (centroïde de commune)").all()
    # A radius change keeps the ranking and the programmes.
    at.select_slider(key="f_radius").set_value(10).run()
    assert at.radio(key="gaps_rank").value == "distance"
    assert at.multiselect(key="gaps_programmes").value == ["pvd", "qpv"]


def test_qpv_population_is_said_unavailable() -> None:
    at = open_app(PAGE, {"zone": "974", "programmes": "qpv", "rayon": "2"})
    assert not at.exception
    assert any("population non disponible pour les QPV" in c.value for c in at.caption)
    assert any("centroïde" in c.value for c in at.caption)


def test_no_programme_selected_explains_what_to_do() -> None:
    at = open_app(PAGE)
    at.multiselect(key="gaps_programmes").set_value([]).run()
    assert not at.exception
    assert any("au moins un programme" in i.value for i in at.info)
    assert not at.dataframe


def test_scope_without_territories_of_the_programme(atlas: Atlas) -> None:
    communes = atlas.communes
    acv_deps = set(communes.loc[communes["acv"], "dep"])
    dep = sorted(set(communes.loc[communes["zone"] == "metro", "dep"]) - acv_deps)[0]
    at = open_app(PAGE, {"dep": dep, "programmes": "acv"})
    assert not at.exception
    assert any("Aucun territoire des programmes choisis" in i.value for i in at.info)
    assert not at.dataframe


def test_no_gap_says_so_instead_of_an_empty_table(atlas: Atlas) -> None:
    # Paris: every QPV has a place within 5 km (checked independently below).
    qpv = atlas.qpv[atlas.qpv["dep"] == "75"].to_crs(L93)
    places = atlas.places[atlas.places["zone"] == "metro"].to_crs(L93)
    nearest = qpv.geometry.apply(lambda p: places.distance(p).min())
    assert (nearest <= 5000).all()
    at = open_app(PAGE, {"dep": "75", "rayon": "5", "programmes": "qpv"})
    assert not at.exception
    assert any("Aucune zone blanche" in i.value for i in at.info)
    assert not at.dataframe


def test_invalid_link_values_are_reported_and_defaults_used() -> None:
    at = open_app(PAGE, {"programmes": "zrr", "classement": "alphabet"})
    assert not at.exception
    assert at.multiselect(key="gaps_programmes").value == ["acv", "pvd", "qpv"]
    assert at.radio(key="gaps_rank").value == "population"
    assert any("ignorés" in w.value for w in at.warning)


def test_long_lists_show_the_first_rows_until_asked(atlas: Atlas) -> None:
    at = open_app(PAGE, {"rayon": "5"})
    assert not at.exception
    total = int(at.metric[0].value.split("/")[0].replace("\u202f", "").strip())
    assert total > 200
    assert len(at.dataframe[0].value) == 200
    assert any("200 premières lignes" in c.value for c in at.caption)
    at.toggle(key="gaps_all_rows").set_value(True).run()
    assert not at.exception
    assert len(at.dataframe[0].value) == total
    assert at.query_params["liste_complete"] == "True"


def test_qpv_only_selection_says_population_is_not_available() -> None:
    at = open_app(PAGE, {"reg": "76"})
    at.multiselect(key="gaps_programmes").set_value(["qpv"]).run()
    assert not at.exception
    assert _metrics(at)["Habitants de ces communes"] == "non disponible"
    table = at.dataframe[-1].value
    assert "None" not in table["Population municipale 2023"].astype(str).tolist()
    assert "Tiers-lieux dans le rayon" not in table.columns
