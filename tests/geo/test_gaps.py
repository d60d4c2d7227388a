"""Zones blanches: a tiny hand-made Atlas (points and QPV outlines), then the real data vs brute force."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo._errors import DataValidationError, InvalidParameterError
from geo.analysis.gaps import (
    EXPORT_COLUMNS,
    GAP_COLUMNS,
    PROGRAMMES,
    gap_summary,
    gaps_export_table,
    gaps_population,
    priority_coverage,
    priority_gaps,
    qpv_location_note,
    qpv_location_short,
    rank_gaps,
    scope_places,
    scope_qpv,
)
from geo.crs import with_projected_xy
from geo.io.atlas import Atlas, load_atlas
from geo.io.catalog import DATASETS
from geo.io.datasets import validate
from geo.render.coveragemaps import OVERLAYS, gaps_map, overlay_points
from geo.render.maps import base_map
from geo.territory import Scope
from geo.themes import THEMES
from tests.conftest import ROOT

L93, WGS84 = "EPSG:2154", "EPSG:4326"
X0, Y0 = 700_000.0, 6_600_000.0


def _wgs84(offsets: list[tuple[float, float] | None]) -> list[Point | None]:
    """Points given as metre offsets from (X0, Y0) in Lambert-93, returned in WGS84."""
    known = [o for o in offsets if o is not None]
    projected = gpd.GeoSeries([Point(X0 + x, Y0 + y) for x, y in known], crs=L93).to_crs(WGS84)
    points = iter(projected)
    return [next(points) if o is not None else None for o in offsets]


def _communes() -> gpd.GeoDataFrame:
    rows = [
        # code, name, reg, dep, population, acv, pvd, offset (m)
        ("C1", "Une", "R1", "D1", 10_000, True, False, (0, 0)),
        ("C2", "Deux", "R1", "D1", 5_000, False, True, (20_000, 0)),
        ("C3", "Trois", "R1", "D1", 8_000, True, True, (40_000, 0)),
        ("C4", "Quatre", "R1", "D1", 100, False, False, (60_000, 0)),
        ("C5", "Cinq", "R2", "D2", 3_000, False, True, (100_000, 0)),
        ("C6", "Six", "R1", "D1", 700, False, True, None),  # re-created, no point
    ]
    frame = gpd.GeoDataFrame(
        {
            "code_insee": [r[0] for r in rows],
            "nom": [r[1] for r in rows],
            "reg": [r[2] for r in rows],
            "nom_reg": [f"Région {r[2]}" for r in rows],
            "dep": [r[3] for r in rows],
            "nom_dep": [f"Dép. {r[3]}" for r in rows],
            "epci_siren": [f"E{r[3]}" for r in rows],
            "epci_nom": [f"EPCI {r[3]}" for r in rows],
            "population": [r[4] for r in rows],
            "zone": "metro",
            "acv": [r[5] for r in rows],
            "pvd": [r[6] for r in rows],
            "n_qpv": 0,
        },
        geometry=_wgs84([r[7] for r in rows]),
        crs=WGS84,
    )
    return with_projected_xy(frame)


def _places() -> gpd.GeoDataFrame:
    rows = [
        ("P1", "Fablab de Une", "R1", "D1", "C1", "typologie", "", (1000, 0)),
        ("P2", "Friche de Trois", "R1", "D1", "C3", "", "mot-clé", (41_000, 0)),
    ]
    frame = gpd.GeoDataFrame(
        {
            "place_id": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "reg": [r[2] for r in rows],
            "dep": [r[3] for r in rows],
            "epci_siren": [f"E{r[3]}" for r in rows],
            "code_insee": [r[4] for r in rows],
            "zone": "metro",
            "location_precision": "adresse",
            "source": "cget_2019",
            **{f"theme_{t}": "" for t in THEMES},
        },
        geometry=_wgs84([r[7] for r in rows]),
        crs=WGS84,
    )
    frame["theme_fabrication"] = [r[5] for r in rows]
    frame["theme_culture"] = [r[6] for r in rows]
    return with_projected_xy(frame)


def _qpv() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "code_qp": ["Q1", "Q2", "Q3"],
            "lib_qp": ["Quartier Nord", "Quartier Sud", "Quartier Est"],
            "dep": ["D1", "D1", "D2"],
            "zone": "metro",
            "codes_insee": ["C2", "C3;C4", "C5"],
            "lib_com": ["Deux", "Trois, Quatre", "Cinq"],
            "location_precision": "centroide_commune",
        },
        geometry=_wgs84([(20_000, 500), (40_500, 0), (100_000, 0)]),
        crs=WGS84,
    )
    return with_projected_xy(frame)


def _qpv_polygons() -> gpd.GeoDataFrame:
    """Outline of Q1 only: it stretches west over the fablab P1 (distance 0)."""
    outline = gpd.GeoSeries([box(X0 + 500, Y0 - 1000, X0 + 21_000, Y0 + 1000)], crs=L93).to_crs(WGS84)
    return gpd.GeoDataFrame(
        {
            "code_qp": ["Q1"],
            "lib_qp": ["Quartier Nord"],
            "dep": ["D1"],
            "zone": ["metro"],
            "codes_insee": ["C2; C9"],  # C9: a code the communes table does not know
        },
        geometry=outline.to_numpy(),
        crs=WGS84,
    )


def _tiny_atlas(*, with_polygons: bool = False) -> Atlas:
    empty = gpd.GeoDataFrame({"zone": []}, geometry=[], crs=WGS84)
    return Atlas(
        places=_places(),
        communes=_communes(),
        epci=empty,
        departements=gpd.GeoDataFrame(
            {"dep": ["D1", "D2"], "nom_dep": ["Dép. D1", "Dép. D2"], "zone": "metro"},
            geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
            crs=WGS84,
        ),
        regions=empty,
        acv=pd.DataFrame({"code_insee": ["C1", "C3"]}),
        pvd=pd.DataFrame({"code_insee": ["C2", "C3", "C5", "C6"]}),
        zrr=pd.DataFrame({"code_insee": [], "zrr": []}),
        qpv=_qpv(),
        france_services=with_projected_xy(
            gpd.GeoDataFrame(
                {"fs_id": ["F1"], "name": ["France services de Deux"], "code_insee": ["C2"], "zone": "metro"},
                geometry=_wgs84([(20_000, 100)]),
                crs=WGS84,
            )
        ),
        qpv_polygons=_qpv_polygons() if with_polygons else None,
    )


def _row(table: pd.DataFrame, programme: str, code: str) -> pd.Series:
    rows = table[(table["programme"] == programme) & (table["code"] == code)]
    assert len(rows) == 1, (programme, code)
    return rows.iloc[0]


def test_priority_coverage_hand_computed() -> None:
    table = priority_coverage(_tiny_atlas(), Scope(), (), 5)
    assert tuple(table.columns) == GAP_COLUMNS
    assert table.crs == WGS84
    c1 = _row(table, "acv", "C1")
    assert c1["distance_m"] == pytest.approx(1000, abs=0.01)
    assert c1["nearest_place"] == "Fablab de Une"
    assert c1["nearest_place_id"] == "P1"
    assert bool(c1["covered"])
    assert c1["n_within"] == 1
    c2 = _row(table, "pvd", "C2")
    assert c2["distance_m"] == pytest.approx(19_000, abs=0.01)
    assert not bool(c2["covered"])
    c5 = _row(table, "pvd", "C5")
    assert c5["distance_m"] == pytest.approx(59_000, abs=0.01)
    assert c5["nearest_place"] == "Friche de Trois"
    # The commune in both programmes has one row in each.
    assert bool(_row(table, "acv", "C3")["covered"])
    assert bool(_row(table, "pvd", "C3")["covered"])
    # Ordered by programme (ACV, PVD, QPV) then code.
    assert table["programme"].tolist() == ["acv", "acv", "pvd", "pvd", "pvd", "pvd", "qpv", "qpv", "qpv"]


def test_themes_restrict_the_places_that_cover() -> None:
    table = priority_coverage(_tiny_atlas(), Scope(), ("fabrication",), 5)
    c3 = _row(table, "acv", "C3")
    # Only the fablab counts: 40 km from C3.
    assert c3["distance_m"] == pytest.approx(39_000, abs=0.01)
    assert not bool(c3["covered"])
    with pytest.raises(InvalidParameterError, match="`themes`"):
        priority_coverage(_tiny_atlas(), Scope(), ("astrologie",), 5)


def test_qpv_points_are_approximate_and_have_no_population() -> None:
    table = priority_coverage(_tiny_atlas(), Scope(), (), 5, programmes=("qpv",))
    assert table["approximate"].all()
    assert table["population"].isna().all()
    q1 = _row(table, "qpv", "Q1")
    assert q1["distance_m"] == pytest.approx(np.hypot(19_000, 500), abs=0.01)
    assert q1["commune"] == "Deux"
    assert q1["nom_dep"] == "Dép. D1"
    assert bool(_row(table, "qpv", "Q2")["covered"])  # 500 m from the friche


def test_qpv_outlines_when_present_give_zero_inside() -> None:
    atlas = _tiny_atlas(with_polygons=True)
    table = priority_coverage(atlas, Scope(), (), 5, programmes=("qpv",))
    q1 = _row(table, "qpv", "Q1")
    assert q1["distance_m"] == 0.0
    assert bool(q1["covered"])
    assert not bool(q1["approximate"])
    assert q1["nearest_place"] == "Fablab de Une"
    assert q1["commune"] == "Deux, C9"  # filled from the communes table (the code when unknown)
    # Q2 and Q3 are not in the outline layer: still their approximate point.
    assert bool(_row(table, "qpv", "Q2")["approximate"])
    assert _row(table, "qpv", "Q3")["distance_m"] == pytest.approx(59_000, abs=0.01)
    # Every QPV geometry of the table is a point (inside the outline for Q1).
    assert (table.geom_type == "Point").all()
    assert "contour" in qpv_location_note(atlas)
    assert "centroïde" in qpv_location_note(_tiny_atlas())
    assert qpv_location_short(atlas).startswith("QPV mesurés depuis leur contour")
    assert qpv_location_short(_tiny_atlas()) == "QPV situés au centroïde de leur commune (approximatif)"


def test_scope_keeps_qpv_touching_one_of_its_communes() -> None:
    atlas = _tiny_atlas()
    assert scope_qpv(atlas, Scope("metro", reg="R1"))["code_qp"].tolist() == ["Q1", "Q2"]
    assert scope_qpv(atlas, Scope("metro", reg="R2"))["code_qp"].tolist() == ["Q3"]
    assert len(scope_qpv(atlas, Scope())) == 3
    assert scope_qpv(atlas, Scope("974")).empty
    table = priority_coverage(atlas, Scope("metro", reg="R2"), (), 5)
    assert sorted(table["code"]) == ["C5", "Q3"]


def test_unlocated_commune_is_neither_covered_nor_a_gap() -> None:
    table = priority_coverage(_tiny_atlas(), Scope(), (), 5, programmes=("pvd",))
    c6 = _row(table, "pvd", "C6")
    assert not bool(c6["located"])
    assert not bool(c6["covered"])
    gaps = priority_gaps(_tiny_atlas(), Scope(), (), 5, programmes=("pvd",))
    assert "C6" not in set(gaps["code"])
    assert gap_summary(table).loc["pvd", "unlocated"] == 1


def test_gaps_are_ranked_by_population_or_distance() -> None:
    atlas = _tiny_atlas()
    by_population = priority_gaps(atlas, Scope(), (), 5)
    # Gaps: C2 (5 000 inhabitants, 19 km), C5 (3 000, 59 km), Q1 and Q3 (no population).
    assert by_population["code"].tolist() == ["C2", "C5", "Q3", "Q1"]
    assert by_population["rank"].tolist() == [1, 2, 3, 4]
    by_distance = priority_gaps(atlas, Scope(), (), 5, rank_by="distance")
    assert by_distance["code"].tolist() == ["C5", "Q3", "Q1", "C2"]
    assert not by_distance["covered"].any()
    assert (by_distance["distance_m"] > 5000).all()
    with pytest.raises(InvalidParameterError, match="`rank_by`"):
        rank_gaps(by_distance, rank_by="alphabet")


def test_no_place_in_the_zone_ranks_first_by_distance() -> None:
    atlas = _tiny_atlas()
    gaps = priority_gaps(atlas, Scope(), ("numerique",), 5, rank_by="distance")
    assert np.isinf(gaps["distance_m"]).all()
    assert (gaps["nearest_place"] == "").all()
    # Ties on an infinite distance are broken by population, then code.
    assert gaps["code"].tolist()[:4] == ["C1", "C3", "C3", "C2"]  # C3 is both ACV and PVD


def test_gap_summary_and_population_hand_computed() -> None:
    atlas = _tiny_atlas()
    table = priority_coverage(atlas, Scope(), ("fabrication",), 5)
    summary = gap_summary(table)
    assert summary.index.tolist() == ["acv", "pvd", "qpv"]
    acv = summary.loc["acv"]
    assert (acv["total"], acv["covered"], acv["gaps"]) == (2, 1, 1)  # C3 is 39 km from the fablab
    assert acv["population_gaps"] == 8000
    assert acv["share_population_gaps"] == pytest.approx(8000 / 18_000)
    pvd = summary.loc["pvd"]
    assert (pvd["total"], pvd["gaps"], pvd["unlocated"]) == (4, 3, 1)
    assert pvd["share_gaps"] == pytest.approx(3 / 4)
    assert pvd["population_gaps"] == 5000 + 8000 + 3000
    qpv = summary.loc["qpv"]
    assert qpv["gaps"] == 3
    assert qpv["approximate_gaps"] == 3
    assert np.isnan(qpv["population_gaps"])
    gaps = priority_gaps(atlas, Scope(), ("fabrication",), 5)
    # C3 is a gap in both ACV and PVD: its inhabitants are counted once.
    assert gaps_population(gaps) == 5000 + 8000 + 3000
    empty = gap_summary(table.iloc[0:0])
    assert empty.empty


def test_programmes_are_checked_and_can_be_narrowed() -> None:
    atlas = _tiny_atlas()
    with pytest.raises(InvalidParameterError, match="`programmes`"):
        priority_coverage(atlas, Scope(), (), 5, programmes=("zrr",))
    with pytest.raises(InvalidParameterError, match="strictement positive"):
        priority_coverage(atlas, Scope(), (), 0)
    only_acv = priority_coverage(atlas, Scope(), (), 5, programmes=("acv",))
    assert set(only_acv["programme"]) == {"acv"}
    nothing = priority_coverage(atlas, Scope(), (), 5, programmes=())
    assert nothing.empty
    assert tuple(nothing.columns) == GAP_COLUMNS


def test_export_table_has_french_headers_and_plain_values() -> None:
    gaps = priority_gaps(_tiny_atlas(), Scope(), ("numerique",), 5)
    export = gaps_export_table(gaps)
    assert [c for c in export.columns if c != "geometry"] == list(EXPORT_COLUMNS.values())
    assert export["Programme"].iloc[0] == PROGRAMMES["acv"]
    qpv = export[export["Programme"] == PROGRAMMES["qpv"]]
    assert qpv["Population municipale 2023"].isna().all()
    assert (qpv["Localisation approximative"] == "oui (centroïde de commune)").all()
    assert export["Distance au tiers-lieu le plus proche (km, vol d'oiseau)"].isna().all()  # no place at all
    located = gaps_export_table(priority_gaps(_tiny_atlas(), Scope(), (), 5))
    distances = located.set_index("Code (INSEE ou QPV)")[
        "Distance au tiers-lieu le plus proche (km, vol d'oiseau)"
    ]
    assert distances["C2"] == 19.0


def test_scope_places_and_overlays() -> None:
    atlas = _tiny_atlas()
    assert scope_places(atlas, Scope("metro", reg="R1"), ("culture",))["place_id"].tolist() == ["P2"]
    assert scope_places(atlas, Scope("metro", reg="R2"), ()).empty
    assert len(overlay_points(atlas, Scope(), "acv")) == 2
    pvd = overlay_points(atlas, Scope(), "pvd")
    assert len(pvd) == 3  # C6 has no point
    qpv = overlay_points(atlas, Scope("metro", reg="R1"), "qpv")
    assert qpv["approximate"].all()
    assert len(qpv) == 2
    services = overlay_points(atlas, Scope("metro", reg="R2"), "france_services")
    assert services.empty
    assert set(OVERLAYS) == {"acv", "pvd", "qpv", "france_services"}
    with pytest.raises(InvalidParameterError, match="`overlay`"):
        overlay_points(atlas, Scope(), "zrr")


def test_gaps_map_escapes_names_and_marks_approximate_points() -> None:
    atlas = _tiny_atlas()
    gaps = priority_gaps(atlas, Scope(), (), 5)
    gaps.loc[gaps["code"] == "Q1", "name"] = "<script>alert(1)</script>"
    m = gaps_map(
        gaps,
        places=atlas.places,
        themes=(),
        outlines=atlas.departements[["dep", "geometry"]],
        zone="metro",
        basemap="none",
        places_source="test",
    )
    html = m.get_root().render()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "Zones blanches" in html
    assert "localisation approximative" in html  # legend of the hollow markers
    assert isinstance(base_map(zone="metro", basemap="none"), type(m))


def test_optional_qpv_outline_dataset(tmp_path: Path) -> None:
    entry = DATASETS["qpv_polygons"]
    assert entry.optional
    assert entry.geometry == "Polygon"
    assert entry.key == "code_qp"
    assert set(entry.required_columns) == {"code_qp", "lib_qp", "dep", "zone", "codes_insee"}
    # Without the file the Atlas loads and has no outlines; with it, they are read and validated.
    for source in (ROOT / "data").glob("*.parquet"):
        shutil.copy(source, tmp_path / source.name)
    assert load_atlas(data_dir=tmp_path).qpv_polygons is None
    real_qpv = load_atlas(data_dir=tmp_path).qpv.iloc[:2]
    outlines = gpd.GeoDataFrame(
        real_qpv[["code_qp", "lib_qp", "dep", "zone", "codes_insee"]],
        geometry=real_qpv.to_crs(L93).buffer(300).to_crs(WGS84).to_numpy(),
        crs=WGS84,
    )
    outlines.to_parquet(tmp_path / entry.filename)
    loaded = load_atlas(data_dir=tmp_path)
    assert loaded.qpv_polygons is not None
    assert loaded.qpv_polygons["code_qp"].tolist() == real_qpv["code_qp"].tolist()
    table = priority_coverage(loaded, Scope(), (), 10, programmes=("qpv",))
    flagged = table.set_index("code")["approximate"]
    assert not flagged[real_qpv["code_qp"]].any()
    assert flagged.drop(real_qpv["code_qp"]).all()
    with pytest.raises(DataValidationError, match="colonnes manquantes : codes_insee"):
        validate(outlines.drop(columns="codes_insee"), "qpv_polygons")


def _brute_force_gaps(atlas: Atlas, reg: str, theme: str, radius_km: float) -> pd.DataFrame:
    """PVD communes of ``reg`` with no place of ``theme`` within ``radius_km``, by a full distance matrix."""
    pvd = atlas.communes[
        (atlas.communes["reg"] == reg) & atlas.communes["code_insee"].isin(atlas.pvd["code_insee"])
    ]
    pvd = pvd[pvd.geometry.notna()]
    places = atlas.places[(atlas.places["zone"] == "metro") & (atlas.places[f"theme_{theme}"] != "")]
    a = pvd.to_crs(L93).geometry
    b = places.to_crs(L93).geometry
    matrix = np.hypot(
        a.x.to_numpy()[:, None] - b.x.to_numpy()[None, :], a.y.to_numpy()[:, None] - b.y.to_numpy()[None, :]
    )
    nearest = matrix.min(axis=1)
    return pvd.assign(distance_m=nearest)[nearest > radius_km * 1000]


def test_occitanie_pvd_without_fabrication_within_15_km_matches_brute_force(atlas: Atlas) -> None:
    expected = _brute_force_gaps(atlas, "76", "fabrication", 15)
    gaps = priority_gaps(atlas, Scope("metro", reg="76"), ("fabrication",), 15, programmes=("pvd",))
    assert len(gaps) > 0
    assert sorted(gaps["code"]) == sorted(expected["code_insee"])
    assert gaps_population(gaps) == int(expected["population"].sum())
    got = gaps.set_index("code")["distance_m"]
    np.testing.assert_allclose(
        got[expected["code_insee"]].to_numpy(), expected["distance_m"].to_numpy(), atol=0.01
    )
    # Ranked by population, largest first.
    assert gaps["population"].is_monotonic_decreasing
    table = priority_coverage(atlas, Scope("metro", reg="76"), ("fabrication",), 15, programmes=("pvd",))
    occitanie_pvd = atlas.communes[(atlas.communes["reg"] == "76") & atlas.communes["pvd"]]
    assert sorted(table["code"]) == sorted(occitanie_pvd["code_insee"])


def test_national_gaps_are_consistent_with_the_radius(atlas: Atlas) -> None:
    table = priority_coverage(atlas, Scope(), (), 10)
    assert (table.loc[table["covered"], "distance_m"] <= 10_000).all()
    assert (table.loc[~table["covered"] & table["located"], "distance_m"] > 10_000).all()
    summary = gap_summary(table)
    assert summary.loc["acv", "total"] == int(
        atlas.communes.loc[atlas.communes["zone"] == "metro", "acv"].sum()
    )
    assert summary.loc["qpv", "total"] == int((atlas.qpv["zone"] == "metro").sum())
    assert summary.loc["qpv", "approximate_gaps"] == summary.loc["qpv", "gaps"]  # bundled QPV are points
