"""Public-service relays: France services and tiers-lieux, side by side.

The mission on tiers-lieux stresses them as relays of public services in rural areas. Three
lists answer « where would a tiers-lieu meet a public service, or fill a double gap? »:

- :func:`france_services_coverage` / :func:`france_services_gaps` — the France services of a
  scope with no tiers-lieu (of the selected themes) within R km: candidate hosts for one,
  with the inhabitants a tiers-lieu there would newly bring within R km (``reach``);
- :func:`double_gaps` — the **rural** communes farther than R km from every tiers-lieu *and*
  farther than R' km from every France services (« doubles zones blanches »);
- :func:`programme_hosts` — the Petites villes de demain and Action Cœur de Ville communes
  that host a France services, none of which has a tiers-lieu within R km.

How distances are measured (say it in the UI, :data:`METHOD_NOTE`): from each France
services' **address** (a mobile service — bus, itinerant — from its base, flagged
approximate), from each commune's representative point (flagged approximate where
:mod:`geo.io.commune_points` says so), to the nearest tiers-lieu of the zone (even outside the
scope), in metres in the zone's metric CRS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo._validate import check_choice
from geo.analysis.coverage import check_radius, coverage_of_points
from geo.analysis.gaps import rank_gaps
from geo.crs import WGS84, X, Y, km_rounded
from geo.io.atlas import Atlas
from geo.io.commune_points import MOBILE_FORMATS
from geo.territory import Scope
from geo.themes import theme_mask
from geo.typologies import DENSITY_GROUP_RURAL

SERVICE_LISTS: dict[str, str] = {
    "france_services": "France services sans tiers-lieu à proximité (hôtes possibles)",
    "double": "Communes rurales loin des deux (doubles zones blanches)",
    "programmes": "Communes PVD ou ACV ayant une France services mais pas de tiers-lieu",
}
"""List code → French label, in display order."""

HOST_PROGRAMMES: dict[str, str] = {
    "tous": "Toutes les communes",
    "pvd": "Petites villes de demain (PVD)",
    "acv": "Action Cœur de Ville (ACV)",
    "pvd_acv": "PVD ou ACV",
}
"""Which communes' France services a list keeps → French label."""

HOST_PHRASES: dict[str, str] = {
    "tous": "du périmètre",
    "pvd": "des communes Petites villes de demain du périmètre",
    "acv": "des communes Action Cœur de Ville du périmètre",
    "pvd_acv": "des communes Petites villes de demain ou Action Cœur de Ville du périmètre",
}
"""The same choice as it reads in a sentence (« 12 France services des communes … »)."""

SERVICE_RANKINGS: dict[str, str] = {
    "population": "Population de la commune (les plus peuplées d'abord)",
    "reach": "Habitants qu'un tiers-lieu y rapprocherait (le plus d'abord)",
    "distance": "Éloignement (les plus loin d'un tiers-lieu d'abord)",
}
"""Ranking of the France services list → French label."""

METHOD_NOTE = (
    "Distances à vol d'oiseau jusqu'au tiers-lieu le plus proche (y compris hors du périmètre) : depuis "
    "l'adresse de chaque France services (un bus ou un service itinérant, depuis son adresse de "
    "rattachement : approximatif), depuis le point représentatif de chaque commune (approximatif quand il "
    "peut être loin des habitants)."
)

_COMMUNE_COLUMNS = (
    "nom",
    "dep",
    "nom_dep",
    "population",
    "acv",
    "pvd",
    "densite",
    "densite_groupe",
    "centralite",
    "ruralite",
    "massif",
)


def _zone_places(atlas: Atlas, scope: Scope, themes: Sequence[str]) -> pd.DataFrame:
    places = atlas.places
    return places[(places["zone"] == scope.zone) & theme_mask(places, themes)]


def _nearest_names(frame: pd.DataFrame, nearest: np.ndarray) -> pd.Series:
    names = np.full(len(nearest), "", dtype=object)
    found = nearest >= 0
    names[found] = frame["name"].to_numpy()[nearest[found]]
    return pd.Series(names, dtype="str")


def _programme_label(acv: pd.Series, pvd: pd.Series) -> list[str]:
    return [
        ", ".join(label for flag, label in ((a, "ACV"), (p, "PVD")) if flag)
        for a, p in zip(acv.astype(bool), pvd.astype(bool), strict=True)
    ]


def _uncovered_reach(
    origins: pd.DataFrame, communes: pd.DataFrame, covered: np.ndarray, radius_km: float
) -> np.ndarray:
    """Inhabitants of the communes not covered yet whose point is within ``radius_km`` of each origin."""
    reach = np.zeros(len(origins), dtype=np.int64)
    pending = communes[~covered & communes[X].notna().to_numpy()]
    if pending.empty:
        return reach
    located = origins[X].notna().to_numpy()
    if not located.any():
        return reach
    tree = cKDTree(pending[[X, Y]].to_numpy())
    population = pending["population"].to_numpy(dtype=np.int64)
    found = tree.query_ball_point(origins.loc[located, [X, Y]].to_numpy(), r=radius_km * 1000.0)
    reach[located] = [int(population[rows].sum()) for rows in found]
    return reach


def france_services_coverage(
    atlas: Atlas, scope: Scope, themes: Sequence[str], radius_km: float
) -> gpd.GeoDataFrame:
    """Every France services of ``scope`` and its nearest tiers-lieu of ``themes``.

    A France services belongs to the scope when its commune does (types of communes
    included). ``reach`` counts the inhabitants of the zone's communes with no tiers-lieu
    within ``radius_km`` whose point is within ``radius_km`` of the France services: those a
    tiers-lieu hosted there would newly cover.

    Returns
    -------
    GeoDataFrame (EPSG:4326, the France services' points) with ``fs_id``, ``name``,
    ``type_fs``, ``format_fs``, ``code_insee``, ``commune``, ``dep``, ``nom_dep``,
    ``population`` (of the commune), ``acv``, ``pvd``, ``programme`` (« ACV, PVD »),
    ``densite``, ``densite_groupe``, ``centralite``, ``ruralite``, ``massif``,
    ``distance_m`` (``inf`` without any place in the zone), ``n_within``, ``nearest_place``,
    ``covered``, ``reach``, ``approximate`` (mobile service) and ``zone``, ``x_m``, ``y_m``.

    Raises
    ------
    InvalidParameterError
        For unknown themes or a non-positive distance.
    """
    check_radius(radius_km)
    places = _zone_places(atlas, scope, themes)
    communes = atlas.communes
    in_scope = communes[scope.mask(communes)]
    services = atlas.france_services
    services = services[
        (services["zone"] == scope.zone) & services["code_insee"].isin(in_scope["code_insee"])
    ]
    attributes = in_scope.set_index("code_insee")[list(_COMMUNE_COLUMNS)]
    table = services.drop(columns="dep").join(attributes, on="code_insee").rename(columns={"nom": "commune"})
    coverage = coverage_of_points(table, places, radius_km, with_nearest=True)
    for column in ("distance_m", "n_within", "covered"):
        table[column] = coverage[column].to_numpy()
    table["nearest_place"] = _nearest_names(places, coverage["nearest"].to_numpy()).to_numpy()
    zone_communes = communes[communes["zone"] == scope.zone]
    zone_covered = coverage_of_points(zone_communes, places, radius_km)["covered"].to_numpy(dtype=bool)
    table["reach"] = _uncovered_reach(table, zone_communes, zone_covered, radius_km)
    table["programme"] = _programme_label(table["acv"], table["pvd"])
    table["approximate"] = table["format_fs"].isin(MOBILE_FORMATS).to_numpy()
    table["population"] = table["population"].astype(float)
    return gpd.GeoDataFrame(table.reset_index(drop=True), geometry="geometry", crs=WGS84)


def _host_mask(table: pd.DataFrame, programme: str) -> pd.Series:
    check_choice(programme, HOST_PROGRAMMES, "programme")
    acv, pvd = table["acv"].astype(bool), table["pvd"].astype(bool)
    return {
        "tous": pd.Series(True, index=table.index),
        "pvd": pvd,
        "acv": acv,
        "pvd_acv": acv | pvd,
    }[programme]


def france_services_gaps(
    table: pd.DataFrame, *, programme: str = "tous", rank_by: str = "population"
) -> gpd.GeoDataFrame:
    """The France services of a :func:`france_services_coverage` table with no tiers-lieu within
    the distance, in communes of ``programme`` (:data:`HOST_PROGRAMMES`), ranked by ``rank_by``
    (:data:`SERVICE_RANKINGS`; ties by code), with a ``rank`` column.

    Raises
    ------
    InvalidParameterError
        For an unknown programme or ranking.
    """
    check_choice(rank_by, SERVICE_RANKINGS, "rank_by")
    gaps = table[_host_mask(table, programme) & ~table["covered"].astype(bool)]
    keys = {
        "population": ["population", "reach", "distance_m", "fs_id"],
        "reach": ["reach", "population", "distance_m", "fs_id"],
        "distance": ["distance_m", "population", "reach", "fs_id"],
    }[rank_by]
    ranked = gaps.sort_values(keys, ascending=[False, False, False, True], kind="mergesort")
    ranked = ranked.reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return gpd.GeoDataFrame(ranked, geometry="geometry", crs=WGS84)


def double_gaps(
    atlas: Atlas, scope: Scope, themes: Sequence[str], radius_km: float, *, services_radius_km: float
) -> gpd.GeoDataFrame:
    """Rural communes of ``scope`` far from both: no tiers-lieu of ``themes`` within ``radius_km``
    and no France services within ``services_radius_km``, most populous first.

    Returns
    -------
    GeoDataFrame (EPSG:4326, commune points) with ``rank``, ``code_insee``, ``nom``, ``dep``,
    ``nom_dep``, ``population``, ``densite``, ``centralite``, ``ruralite``, ``massif``,
    ``distance_m`` / ``nearest_place`` (tiers-lieu), ``services_distance_m`` /
    ``nearest_services`` (France services), ``approximate`` and ``point_note`` (the commune's
    point may be far from its inhabitants), ``zone``.

    Raises
    ------
    InvalidParameterError
        For unknown themes or a non-positive distance.
    """
    check_radius(services_radius_km)
    rural = double_gap_candidates(atlas, scope, themes, radius_km, services_radius_km=services_radius_km)
    gaps = rural[~rural["covered"] & ~rural["services_covered"]].copy()
    gaps["code"] = gaps["code_insee"]
    ranked = rank_gaps(gaps, rank_by="population").drop(columns="code")
    return gpd.GeoDataFrame(ranked, geometry="geometry", crs=WGS84)


def double_gap_candidates(
    atlas: Atlas, scope: Scope, themes: Sequence[str], radius_km: float, *, services_radius_km: float
) -> gpd.GeoDataFrame:
    """Every located rural commune of ``scope`` with its distance to a tiers-lieu and to a France
    services (``covered`` / ``services_covered``): the denominator of :func:`double_gaps`."""
    check_radius(radius_km)
    check_radius(services_radius_km)
    communes = atlas.communes
    rural = communes[
        scope.mask(communes) & (communes["densite_groupe"] == DENSITY_GROUP_RURAL) & communes[X].notna()
    ]
    places = _zone_places(atlas, scope, themes)
    services = atlas.france_services[atlas.france_services["zone"] == scope.zone]
    to_places = coverage_of_points(rural, places, radius_km, with_nearest=True)
    to_services = coverage_of_points(rural, services, services_radius_km, with_nearest=True)
    columns = ["code_insee", *_COMMUNE_COLUMNS, "point_approximate", "point_note", "zone", X, Y, "geometry"]
    out = rural[[c for c in columns if c in rural.columns]].reset_index(drop=True)
    out["population"] = out["population"].astype(float)
    out["distance_m"] = to_places["distance_m"].to_numpy()
    out["covered"] = to_places["covered"].to_numpy(dtype=bool)
    out["nearest_place"] = _nearest_names(places, to_places["nearest"].to_numpy()).to_numpy()
    out["services_distance_m"] = to_services["distance_m"].to_numpy()
    out["services_covered"] = to_services["covered"].to_numpy(dtype=bool)
    out["nearest_services"] = _nearest_names(services, to_services["nearest"].to_numpy()).to_numpy()
    out = out.rename(columns={"point_approximate": "approximate"})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=WGS84)


def programme_hosts(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """PVD / ACV communes of a :func:`france_services_coverage` table hosting a France services,
    none of which has a tiers-lieu within the distance; most populous first.

    Returns
    -------
    GeoDataFrame (EPSG:4326, the point of the commune's France services nearest to a
    tiers-lieu) with ``rank``, ``code_insee``, ``commune``, ``dep``, ``nom_dep``,
    ``programme``, ``population``, ``densite``, ``centralite``, ``n_services``,
    ``france_services`` (names, « ; »-joined), ``distance_m`` (the smallest of its France
    services), ``nearest_place``, ``reach`` (the largest), ``zone``.
    """
    hosts = table[table["acv"].astype(bool) | table["pvd"].astype(bool)]
    covered_somewhere = hosts.groupby("code_insee")["covered"].transform("any").astype(bool)
    hosts = hosts[~covered_somewhere].sort_values(["code_insee", "distance_m", "fs_id"], kind="mergesort")
    grouped = hosts.groupby("code_insee", sort=False)
    first = grouped.head(1).set_index("code_insee")
    out = first[
        ["commune", "dep", "nom_dep", "programme", "population", "densite", "centralite", "distance_m"]
    ].copy()
    out["n_services"] = grouped.size().reindex(out.index).astype("int64")
    out["france_services"] = grouped["name"].agg(" ; ".join).reindex(out.index)
    out["nearest_place"] = first["nearest_place"]
    out["reach"] = grouped["reach"].max().reindex(out.index).astype("int64")
    out["zone"] = first["zone"]
    out["geometry"] = first.geometry
    out = out.reset_index()
    out["code"] = out["code_insee"]
    ranked = rank_gaps(out, rank_by="population").drop(columns="code")
    return gpd.GeoDataFrame(ranked, geometry="geometry", crs=WGS84)


@dataclass(frozen=True)
class ServicesSummary:
    """The key figures of the « Services publics » view."""

    services: int
    """France services of the scope."""
    services_without_place: int
    """Of which no tiers-lieu (chosen themes) is within the distance."""
    rural_communes: int
    """Rural communes of the scope (INSEE density levels 5 to 7)."""
    double_gap_communes: int
    """Of which far from both a tiers-lieu and a France services."""
    double_gap_population: float
    """Inhabitants of those communes."""
    double_gap_share: float
    """Their share of the rural inhabitants of the scope (NaN without any)."""


def services_summary(services: pd.DataFrame, rural: pd.DataFrame, doubles: pd.DataFrame) -> ServicesSummary:
    """Key figures from :func:`france_services_coverage`, :func:`double_gap_candidates` and
    :func:`double_gaps` of one scope."""
    rural_population = float(rural["population"].sum())
    double_population = float(doubles["population"].sum())
    return ServicesSummary(
        services=len(services),
        services_without_place=int((~services["covered"].astype(bool)).sum()),
        rural_communes=len(rural),
        double_gap_communes=len(doubles),
        double_gap_population=double_population,
        double_gap_share=double_population / rural_population if rural_population else float("nan"),
    )


def scope_france_services(atlas: Atlas, scope: Scope) -> pd.DataFrame:
    """The France services of the communes of ``scope``'s territory (its types of communes aside)."""
    territory = scope.territory
    codes = set(atlas.communes.loc[territory.mask(atlas.communes), "code_insee"])
    return atlas.france_services[atlas.france_services["code_insee"].isin(codes)]


_SERVICES_EXPORT: dict[str, str] = {
    "rank": "Rang",
    "name": "France services",
    "commune": "Commune",
    "dep": "Département",
    "population": "Population municipale 2023 de la commune",
    "programme": "Programme de la commune",
    "distance_km": "Distance au tiers-lieu le plus proche (km, vol d'oiseau)",
    "nearest_place": "Tiers-lieu le plus proche",
    "reach": "Habitants sans tiers-lieu à proximité qu'un tiers-lieu ici rapprocherait",
    "densite": "Densité (INSEE)",
    "centralite": "Centralité (ANCT – INRAE)",
    "type_fs": "Type",
    "format_fs": "Format",
    "code_insee": "Code INSEE",
    "approximate_label": "Localisation approximative",
}

_DOUBLE_EXPORT: dict[str, str] = {
    "rank": "Rang",
    "nom": "Commune",
    "dep": "Département",
    "population": "Population municipale 2023",
    "distance_km": "Distance au tiers-lieu le plus proche (km, vol d'oiseau)",
    "nearest_place": "Tiers-lieu le plus proche",
    "services_distance_km": "Distance à la France services la plus proche (km, vol d'oiseau)",
    "nearest_services": "France services la plus proche",
    "densite": "Densité (INSEE)",
    "centralite": "Centralité (ANCT – INRAE)",
    "ruralite": "Ruralité (ANCT)",
    "massif": "Massif",
    "code_insee": "Code INSEE",
    "approximate_label": "Point de la commune approximatif",
}

_HOSTS_EXPORT: dict[str, str] = {
    "rank": "Rang",
    "commune": "Commune",
    "dep": "Département",
    "programme": "Programme",
    "population": "Population municipale 2023",
    "france_services": "France services",
    "n_services": "France services dans la commune",
    "distance_km": "Distance au tiers-lieu le plus proche (km, vol d'oiseau)",
    "nearest_place": "Tiers-lieu le plus proche",
    "reach": "Habitants sans tiers-lieu à proximité qu'un tiers-lieu ici rapprocherait",
    "densite": "Densité (INSEE)",
    "centralite": "Centralité (ANCT – INRAE)",
    "code_insee": "Code INSEE",
}

EXPORT_COLUMNS: dict[str, dict[str, str]] = {
    "france_services": _SERVICES_EXPORT,
    "double": _DOUBLE_EXPORT,
    "programmes": _HOSTS_EXPORT,
}
"""List code → (column → French header) of its export, in order."""


def services_export_table(kind: str, rows: pd.DataFrame) -> gpd.GeoDataFrame:
    """A list of :data:`SERVICE_LISTS` with French headers and plain values, for CSV / XLSX / GeoJSON.

    Distances in km rounded to 0.1 (empty when the zone has none), populations as integers,
    approximate locations said in words (« oui (…) » / « non »).

    Raises
    ------
    InvalidParameterError
        For an unknown ``kind``.
    """
    check_choice(kind, SERVICE_LISTS, "kind")
    out = pd.DataFrame(index=rows.index)
    for column in EXPORT_COLUMNS[kind]:
        if column in rows.columns:
            out[column] = rows[column]
    out["population"] = rows["population"].round().astype("Int64")
    out["distance_km"] = km_rounded(rows["distance_m"])
    if kind == "double":
        out["services_distance_km"] = km_rounded(rows["services_distance_m"])
        out["approximate_label"] = np.where(rows["approximate"], "oui (" + rows["point_note"] + ")", "non")
    if kind == "france_services":
        out["approximate_label"] = np.where(
            rows["approximate"], "oui (service itinérant : adresse de rattachement)", "non"
        )
    headers = EXPORT_COLUMNS[kind]
    out = out[list(headers)].rename(columns=headers)
    return gpd.GeoDataFrame(out, geometry=rows.geometry.to_numpy(), crs=WGS84)
