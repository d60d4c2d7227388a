"""Public-service relays: France services gaps, double gaps and programme hosts, tiny then real."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo._errors import InvalidParameterError
from geo.analysis.services import (
    EXPORT_COLUMNS,
    double_gap_candidates,
    double_gaps,
    france_services_coverage,
    france_services_gaps,
    programme_hosts,
    services_export_table,
    services_summary,
)
from geo.crs import WGS84, with_projected_xy
from geo.io.atlas import Atlas
from geo.render.coveragemaps import services_map
from geo.render.maps import localize_assets
from geo.territory import Scope
from geo.themes import THEMES
from geo.typologies import CommuneTypes

L93 = "EPSG:2154"
X0, Y0 = 700_000.0, 6_600_000.0
EMPTY = gpd.GeoDataFrame({"zone": []}, geometry=[], crs=WGS84)


def _points(xs_km: list[float]) -> np.ndarray:
    return (
        gpd.GeoSeries(gpd.points_from_xy([X0 + 1000 * x for x in xs_km], [Y0] * len(xs_km)), crs=L93)
        .to_crs(WGS84)
        .to_numpy()
    )


def _tiny() -> Atlas:
    """Five communes on a line (km): Ville 0 (urban, ACV), Bourg 30 (rural, PVD), Village 32, Hameau 60,
    Lointain 100 (rural); one tiers-lieu at km 1; France services at km 0.5 (Ville), 30 (Bourg) and a
    bus based at km 60 (Hameau)."""
    rows = [
        ("C1", "Ville", 10_000, 1, "Urbain dense", True, False, 0),
        ("C2", "Bourg", 3_000, 5, "Rural", False, True, 30),
        ("C4", "Village", 800, 6, "Rural", False, False, 32),
        ("C3", "Hameau", 200, 7, "Rural", False, False, 60),
        ("C5", "Lointain", 500, 6, "Rural", False, False, 100),
    ]
    communes = gpd.GeoDataFrame(
        {
            "code_insee": [r[0] for r in rows],
            "nom": [r[1] for r in rows],
            "population": [r[2] for r in rows],
            "densite_niveau": [r[3] for r in rows],
            "densite": "niveau",
            "densite_groupe": [r[4] for r in rows],
            "centralite_niveau": 4,
            "centralite": "Centre local d'équipements et de services",
            "ruralite": "Les ruralités productives agricoles",
            "massif": "Hors massif",
            "acv": [r[5] for r in rows],
            "pvd": [r[6] for r in rows],
            "point_approximate": [False, False, False, False, True],
            "point_note": ["", "", "", "", "commune étendue sans adresse connue"],
            "zone": "metro",
            "reg": "R1",
            "dep": "D1",
            "nom_dep": "Dép. 1",
            "epci_siren": "E1",
        },
        geometry=_points([r[7] for r in rows]),
        crs=WGS84,
    )
    places = gpd.GeoDataFrame(
        {
            "place_id": ["P1"],
            "name": ["Fablab de Ville"],
            "code_insee": ["C1"],
            "zone": "metro",
            "reg": "R1",
            "dep": "D1",
            "epci_siren": "E1",
            "densite_niveau": 1,
            "centralite_niveau": 4,
            "ruralite": "Hors champ : commune urbaine ou DOM",
            "massif": "Hors massif",
            "location_precision": "adresse",
            "source": "cget_2019",
            "sources": "cget_2019",
            **{f"theme_{t}": "" for t in THEMES},
        },
        geometry=_points([1]),
        crs=WGS84,
    )
    places["theme_fabrication"] = "typologie"
    services = gpd.GeoDataFrame(
        {
            "fs_id": ["F1", "F2", "F3"],
            "name": ["France services de Ville", "France services de Bourg", "Bus France services"],
            "type_fs": "Principal",
            "format_fs": ["Fixe", "Fixe", "Bus_équivalent"],
            "code_insee": ["C1", "C2", "C3"],
            "dep": "D1",
            "zone": "metro",
        },
        geometry=_points([0.5, 30, 60]),
        crs=WGS84,
    )
    return Atlas(
        places=with_projected_xy(places),
        communes=with_projected_xy(communes),
        epci=EMPTY,
        departements=EMPTY,
        regions=EMPTY,
        acv=pd.DataFrame({"code_insee": ["C1"]}),
        pvd=pd.DataFrame({"code_insee": ["C2"]}),
        zrr=pd.DataFrame({"code_insee": [], "zrr": []}),
        qpv=EMPTY,
        france_services=with_projected_xy(services),
    )


def test_france_services_far_from_any_tiers_lieu_are_listed_with_who_they_would_reach() -> None:
    table = france_services_coverage(_tiny(), Scope("metro"), (), 10).set_index("fs_id")
    assert table["covered"].to_dict() == {"F1": True, "F2": False, "F3": False}
    assert table.loc["F2", "distance_m"] == pytest.approx(29_000, abs=1)
    assert table.loc["F2", "nearest_place"] == "Fablab de Ville"
    # A tiers-lieu at Bourg's France services would reach Bourg and Village (2 km away).
    assert table.loc["F2", "reach"] == 3_800
    assert table.loc["F3", "reach"] == 200
    assert table.loc["F1", "reach"] == 0
    assert table.loc["F3", "approximate"]  # a bus: its base, not where it serves
    assert table.loc["F2", "programme"] == "PVD"
    gaps = france_services_gaps(table.reset_index())
    assert gaps["fs_id"].tolist() == ["F2", "F3"]
    assert gaps["rank"].tolist() == [1, 2]
    assert france_services_gaps(table.reset_index(), programme="pvd")["fs_id"].tolist() == ["F2"]
    assert france_services_gaps(table.reset_index(), programme="acv").empty
    by_distance = france_services_gaps(table.reset_index(), rank_by="distance")
    assert by_distance["fs_id"].tolist() == ["F3", "F2"]
    with pytest.raises(InvalidParameterError, match="`rank_by`"):
        france_services_gaps(table.reset_index(), rank_by="alphabet")
    with pytest.raises(InvalidParameterError, match="`programme`"):
        france_services_gaps(table.reset_index(), programme="zrr")


def test_themes_and_types_narrow_the_france_services() -> None:
    atlas = _tiny()
    culture = france_services_coverage(atlas, Scope("metro"), ("culture",), 10)
    assert not culture["covered"].any()  # no culture place at all
    assert np.isinf(culture["distance_m"]).all()
    rural = france_services_coverage(atlas, Scope("metro", types=CommuneTypes(densite=(5, 6, 7))), (), 10)
    assert rural["fs_id"].tolist() == ["F2", "F3"]


def test_double_gaps_are_rural_communes_far_from_both() -> None:
    atlas = _tiny()
    doubles = double_gaps(atlas, Scope("metro"), (), 10, services_radius_km=10)
    assert doubles["code_insee"].tolist() == ["C5"]
    row = doubles.iloc[0]
    assert row["services_distance_m"] == pytest.approx(40_000, abs=1)
    assert row["nearest_services"] == "Bus France services"
    assert row["approximate"]
    wider = double_gaps(atlas, Scope("metro"), (), 10, services_radius_km=50)
    assert wider.empty
    candidates = double_gap_candidates(atlas, Scope("metro"), (), 10, services_radius_km=10)
    assert set(candidates["code_insee"]) == {"C2", "C3", "C4", "C5"}  # rural only
    with pytest.raises(InvalidParameterError, match="strictement positive"):
        double_gaps(atlas, Scope("metro"), (), 10, services_radius_km=0)
    services = france_services_coverage(atlas, Scope("metro"), (), 10)
    summary = services_summary(services, candidates, doubles)
    assert (summary.rural_communes, summary.double_gap_communes) == (4, 1)
    assert summary.double_gap_population == float(doubles["population"].sum())
    assert summary.double_gap_share == pytest.approx(
        doubles["population"].sum() / candidates["population"].sum()
    )
    assert summary.services_without_place == int((~services["covered"]).sum())


def test_programme_hosts_have_a_france_services_but_no_tiers_lieu() -> None:
    hosts = programme_hosts(france_services_coverage(_tiny(), Scope("metro"), (), 10))
    assert hosts["code_insee"].tolist() == ["C2"]  # Ville (ACV) has its tiers-lieu 0.5 km away
    assert hosts.iloc[0]["n_services"] == 1
    assert hosts.iloc[0]["france_services"] == "France services de Bourg"
    assert hosts.iloc[0]["reach"] == 3_800


@pytest.mark.parametrize("kind", list(EXPORT_COLUMNS))
def test_exports_have_french_headers_and_plain_values(kind: str) -> None:
    atlas = _tiny()
    table = france_services_coverage(atlas, Scope("metro"), (), 10)
    rows = {
        "france_services": france_services_gaps(table),
        "double": double_gaps(atlas, Scope("metro"), (), 10, services_radius_km=10),
        "programmes": programme_hosts(table),
    }[kind]
    export = services_export_table(kind, rows)
    assert list(export.columns[:-1]) == list(EXPORT_COLUMNS[kind].values())
    assert export.crs == WGS84
    distance = export["Distance au tiers-lieu le plus proche (km, vol d'oiseau)"]
    assert distance.iloc[0] == pytest.approx(rows["distance_m"].iloc[0] / 1000, abs=0.05)
    m = services_map(
        kind,
        rows,
        places=atlas.places,
        services=atlas.france_services,
        themes=(),
        outlines=EMPTY,
        zone="metro",
        basemap="none",
        places_source="test",
    )
    html = localize_assets(m).get_root().render()
    assert html.count('"Point"') >= len(rows) + len(atlas.places)


def _independent_rural_pvd_hosts(atlas: Atlas, reg: str, radius_km: float) -> pd.DataFrame:
    """France services of the rural PVD communes of ``reg`` farther than ``radius_km`` from every
    place, from the raw layers projected with GeoPandas (not the Atlas' x/y)."""
    communes = atlas.communes
    rural_pvd = communes[
        (communes["reg"] == reg)
        & communes["code_insee"].isin(set(atlas.pvd["code_insee"]))
        & communes["densite_niveau"].isin([5, 6, 7])
    ]
    services = atlas.france_services[atlas.france_services["code_insee"].isin(set(rural_pvd["code_insee"]))]
    places = atlas.places[atlas.places["zone"] == "metro"].to_crs(L93)
    points = services.to_crs(L93)
    px, py = places.geometry.x.to_numpy(), places.geometry.y.to_numpy()
    nearest = np.array([np.hypot(px - p.x, py - p.y).min() for p in points.geometry])
    return services.assign(distance_m=nearest)[nearest > radius_km * 1000]


def test_real_france_services_of_rural_pvd_communes_that_could_host_a_tiers_lieu(atlas: Atlas) -> None:
    """The « done when » list for Occitanie, against an independent computation."""
    scope = Scope("metro", "76", types=CommuneTypes(densite=(5, 6, 7)))
    table = france_services_coverage(atlas, scope, (), 10)
    gaps = france_services_gaps(table, programme="pvd")
    expected = _independent_rural_pvd_hosts(atlas, "76", 10)
    assert len(gaps) > 20
    assert set(gaps["fs_id"]) == set(expected["fs_id"])
    distances = gaps.set_index("fs_id")["distance_m"]
    assert (distances.reindex(expected["fs_id"]) - expected.set_index("fs_id")["distance_m"]).abs().max() < 1
    assert gaps["population"].is_monotonic_decreasing
    assert (gaps["pvd"]).all()
    assert (gaps["densite_groupe"] == "Rural").all()
    # Every France services of the scope is in the table exactly once.
    in_scope = atlas.communes.loc[scope.mask(atlas.communes), "code_insee"]
    assert len(table) == int(atlas.france_services["code_insee"].isin(set(in_scope)).sum())
    assert table["fs_id"].is_unique


def test_real_double_gaps_are_far_from_both(atlas: Atlas) -> None:
    doubles = double_gaps(atlas, Scope("metro", "76"), (), 10, services_radius_km=10)
    assert len(doubles) > 50
    assert (doubles["distance_m"] > 10_000).all()
    assert (doubles["services_distance_m"] > 10_000).all()
    assert (doubles["densite_groupe"] == "Rural").all()
    assert doubles["population"].is_monotonic_decreasing
    services = atlas.france_services.to_crs(L93)
    sx, sy = services.geometry.x.to_numpy(), services.geometry.y.to_numpy()
    first = doubles.head(20).to_crs(L93)
    nearest = np.array([np.hypot(sx - p.x, sy - p.y).min() for p in first.geometry])
    assert np.allclose(nearest, first["services_distance_m"], atol=1)
