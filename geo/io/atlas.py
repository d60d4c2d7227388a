"""The Atlas: every dataset loaded once, enriched for fast analysis (projected x/y, programme flags)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import with_projected_xy
from geo.io.catalog import DATASETS
from geo.io.commune_points import with_point_checks
from geo.io.datasets import dataset_path, read_dataset, refreshed_on
from geo.typologies import TYPOLOGY_COLUMNS

COMMUNE_TYPE_COLUMNS = ("densite_niveau", "densite_groupe", "centralite_niveau", "ruralite", "massif")
"""Typology columns copied onto the places, so that a scope narrowed to some types of communes
(:class:`geo.typologies.CommuneTypes`) selects them like it selects the communes."""

BUNDLED_PLACES = "Liste consolidée intégrée (CGET 2019, ANCT 2022–2024)"


@dataclass(frozen=True)
class Atlas:
    """Read-only bundle of the datasets used by every page.

    ``communes`` carry ``acv``, ``pvd`` (bool), ``zrr`` (historical class), ``n_qpv``,
    ``n_france_services``, the typology columns of :data:`geo.typologies.TYPOLOGY_COLUMNS` and
    the check of their point (:data:`geo.io.commune_points.POINT_COLUMNS`); ``places`` carry the
    typology of their commune (:data:`COMMUNE_TYPE_COLUMNS`); point layers carry ``x_m`` /
    ``y_m`` in their zone's metric CRS.
    ``places_source`` names where the places come from (the bundled list or an import).
    """

    places: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame
    departements: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    acv: pd.DataFrame
    pvd: pd.DataFrame
    zrr: pd.DataFrame
    qpv: gpd.GeoDataFrame
    france_services: gpd.GeoDataFrame
    places_source: str = BUNDLED_PLACES
    qpv_polygons: gpd.GeoDataFrame | None = None
    """QPV outlines (optional dataset ``qpv_polygons``), ``None`` when the file is absent."""
    communes_passage: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"code_ancien": [], "code_insee_2026": []})
    )
    """Former INSEE codes → COG 2026 codes (for lists on an older COG)."""
    communes_deleguees: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["nom", "code_ancien", "code_insee_2026", "type"])
    )
    """Names of former communes (communes déléguées / associées) → their COG 2026 commune."""

    def with_places(self, places: gpd.GeoDataFrame, source: str) -> Atlas:
        """A copy of the Atlas using another places table (e.g. a user's import)."""
        located = with_commune_types(with_projected_xy(places), self.communes)
        return replace(self, places=located, places_source=source)


def with_commune_types(frame: gpd.GeoDataFrame, communes: pd.DataFrame) -> gpd.GeoDataFrame:
    """``frame`` (rows with a ``code_insee``) with the typology of their commune.

    Adds :data:`COMMUNE_TYPE_COLUMNS` when ``communes`` has them (a row whose commune is
    unknown gets level 0 and empty labels: no type selection keeps it).
    """
    columns = [c for c in COMMUNE_TYPE_COLUMNS if c in communes.columns]
    if not columns:
        return frame
    types = communes.set_index("code_insee")[columns]
    out = frame.drop(columns=[c for c in columns if c in frame.columns])
    out = out.join(types, on="code_insee")
    for column in columns:
        numeric = pd.api.types.is_numeric_dtype(types[column])
        out[column] = out[column].fillna(0).astype("int64") if numeric else out[column].fillna("")
    return out


def communes_with_programmes(
    communes: gpd.GeoDataFrame,
    acv: pd.DataFrame,
    pvd: pd.DataFrame,
    zrr: pd.DataFrame,
    qpv: pd.DataFrame,
    *,
    typologies: pd.DataFrame | None = None,
    france_services: pd.DataFrame | None = None,
    point_checks: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Add programme membership to the communes (``acv``, ``pvd``, ``zrr``, ``n_qpv``) and,
    when given, the commune typologies, the number of France services of each commune
    (``n_france_services``) and the check of each commune's point."""
    out = communes.copy()
    if typologies is not None:
        columns = [c for c in TYPOLOGY_COLUMNS if c != "code_insee"]
        out = out.join(typologies.set_index("code_insee")[columns], on="code_insee")
    if france_services is not None:
        counts = france_services["code_insee"].value_counts()
        out["n_france_services"] = out["code_insee"].map(counts).fillna(0).astype("int64")
    if point_checks is not None:
        out = with_point_checks(out, point_checks)
    out["acv"] = out["code_insee"].isin(acv["code_insee"])
    out["pvd"] = out["code_insee"].isin(pvd["code_insee"])
    out["zrr"] = out["code_insee"].map(zrr.set_index("code_insee")["zrr"]).fillna("non renseigné")
    out["n_qpv"] = out["code_insee"].map(qpv_communes(qpv).value_counts()).fillna(0).astype(int)
    return out


def qpv_communes(qpv: pd.DataFrame) -> pd.Series:
    """The communes of each QPV: one row per (QPV, commune) with its code INSEE, indexed like ``qpv``
    (``codes_insee`` holds a QPV's communes, « ; »-separated)."""
    return qpv["codes_insee"].fillna("").astype(str).str.split(";").explode().str.strip()


def qpv_touching(qpv: pd.DataFrame, codes: Collection[str]) -> np.ndarray:
    """Whether each QPV (in ``qpv``'s order) has at least one of the communes ``codes``."""
    communes = qpv_communes(qpv.reset_index(drop=True))
    hit = communes.isin(set(codes)).groupby(level=0).any()
    return hit.reindex(range(len(qpv)), fill_value=False).to_numpy(dtype=bool)


def load_atlas(*, data_dir: Path | None = None) -> Atlas:
    """Load and validate every dataset (bundled, or refreshed copies when present)."""
    frames = {
        name: read_dataset(name, data_dir=data_dir)
        for name, entry in DATASETS.items()
        if name != "communes_polygons" and not entry.optional
    }
    qpv_polygons = (
        read_dataset("qpv_polygons", data_dir=data_dir)
        if dataset_path("qpv_polygons", data_dir=data_dir).exists()
        else None
    )
    communes = communes_with_programmes(
        frames["communes"],
        frames["acv"],
        frames["pvd"],
        frames["zrr"],
        frames["qpv"],
        typologies=frames["typologies"],
        france_services=frames["france_services"],
        point_checks=frames["commune_points"],
    )
    communes = with_projected_xy(communes)
    refreshed = refreshed_on("places") if data_dir is None else None
    return Atlas(
        places_source=(
            f"Liste actualisée le {refreshed} depuis les sources officielles" if refreshed else BUNDLED_PLACES
        ),
        places=with_commune_types(with_projected_xy(frames["places"]), communes),
        communes=communes,
        epci=frames["epci"],
        departements=frames["departements"],
        regions=frames["regions"],
        acv=frames["acv"],
        pvd=frames["pvd"],
        zrr=frames["zrr"],
        qpv=with_projected_xy(frames["qpv"]),
        france_services=with_projected_xy(frames["france_services"]),
        communes_passage=frames["communes_passage"],
        communes_deleguees=frames["communes_deleguees"],
        qpv_polygons=qpv_polygons if isinstance(qpv_polygons, gpd.GeoDataFrame) else None,
    )


def load_commune_polygons(*, data_dir: Path | None = None) -> gpd.GeoDataFrame:
    """Commune outlines (6–7 MB): loaded only by the views that draw or join on them."""
    frame = read_dataset("communes_polygons", data_dir=data_dir)
    assert isinstance(frame, gpd.GeoDataFrame)
    return frame


def data_version(*, data_dir: Path | None = None) -> str:
    """A key that changes when any dataset file changes (path and mtime), for caches."""
    parts = []
    for name in DATASETS:
        path = dataset_path(name, data_dir=data_dir)
        parts.append(f"{path}:{path.stat().st_mtime_ns if path.exists() else 0}")
    return "|".join(parts)
