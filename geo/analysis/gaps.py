"""Zones blanches: priority territories with no tiers-lieu of the selected themes within R km.

Priority territories are the communes of the *Action Cœur de Ville* (ACV) and *Petites
villes de demain* (PVD) programmes and the *quartiers prioritaires de la politique de la
ville* (QPV 2024). Public entry points:

- :func:`priority_coverage` — one row per priority territory of a scope, covered or not;
- :func:`priority_gaps` — only the uncovered ones, ranked (by population or distance);
- :func:`gap_summary` — key figures per programme (how many, inhabitants, share);
- :func:`gaps_export_table` — the list with French column names, for CSV / XLSX / GeoJSON.

How distances are measured (say it in the UI):

- communes: from their *representative point* (inside the commune, see :mod:`geo.analysis.coverage`);
- QPV: the bundled QPV are **points at the centroid of their commune(s)** (approximate,
  ``approximate=True``); when the optional ``qpv_polygons`` layer is loaded, a QPV found in
  it is measured from its outline (distance 0 when a place is inside) and is not approximate.
- QPV have **no population** in the bundled data: their ``population`` is NaN.

Example (thematic gaps for another page)::

    gaps = priority_gaps(atlas, Scope("metro", reg="76"), ("fabrication",), 15, programmes=("pvd",))
    gaps[["name", "population", "distance_m", "nearest_place"]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._validate import check_choice, check_choices
from geo.analysis.coverage import check_radius, coverage_of_points, coverage_of_polygons
from geo.crs import WGS84, km_rounded
from geo.io.atlas import Atlas, qpv_communes, qpv_touching
from geo.territory import Scope
from geo.themes import theme_mask

PROGRAMMES: dict[str, str] = {
    "acv": "Action Cœur de Ville",
    "pvd": "Petites villes de demain",
    "qpv": "Quartier prioritaire (QPV)",
}
"""Programme code → French label, in display order."""

PROGRAMME_CODES: tuple[str, ...] = tuple(PROGRAMMES)

PROGRAMME_SHORT_LABELS: dict[str, str] = {"acv": "ACV", "pvd": "PVD", "qpv": "QPV"}

PROGRAMME_DATASETS: dict[str, str] = {"acv": "acv", "pvd": "pvd", "qpv": "qpv"}
"""Programme → catalogue dataset (for the « Sources » line of a view)."""

RANKINGS: dict[str, str] = {
    "population": "Population (les plus peuplés d'abord)",
    "distance": "Éloignement (les plus loin d'un tiers-lieu d'abord)",
}
"""Ranking code → French label."""
RANKING_TITLES: dict[str, str] = {
    "population": "Classement : les plus peuplés d'abord",
    "distance": "Classement : les plus éloignés d'un tiers-lieu d'abord",
}
"""Ranking code → the title of the ranked list."""

GAP_COLUMNS: tuple[str, ...] = (
    "programme",
    "code",
    "name",
    "commune",
    "codes_insee",
    "dep",
    "nom_dep",
    "zone",
    "population",
    "distance_m",
    "n_within",
    "nearest_place",
    "nearest_place_id",
    "approximate",
    "approximate_note",
    "located",
    "covered",
    "geometry",
)
"""Columns of :func:`priority_coverage` (``rank`` is added by :func:`priority_gaps`)."""

QPV_APPROXIMATE_NOTE = "centroïde de commune"

_POLYGON_PRECISION = "polygone"


def _qpv_in_scope_mask(qpv: pd.DataFrame, scope: Scope, commune_codes: set[str]) -> pd.Series:
    """QPV of the scope's zone that touch at least one of ``commune_codes`` (all of the zone if national)."""
    in_zone = qpv["zone"] == scope.zone
    if scope.whole_zone:
        return in_zone
    return in_zone & qpv_touching(qpv, commune_codes)


def scope_qpv(atlas: Atlas, scope: Scope) -> gpd.GeoDataFrame:
    """QPV of ``scope``, with their best available location.

    A QPV belongs to the scope when one of its communes (``codes_insee``) does. When the
    optional QPV outline layer is loaded, each QPV found in it gets its outline
    (``location_precision = "polygone"``); the others keep their bundled point.

    Returns
    -------
    GeoDataFrame (EPSG:4326) with ``code_qp``, ``lib_qp``, ``dep``, ``zone``,
    ``codes_insee``, ``lib_com``, ``location_precision``, ``x_m``, ``y_m`` and a point or
    polygon geometry.
    """
    communes = atlas.communes
    codes = set(communes.loc[scope.mask(communes), "code_insee"]) if not scope.whole_zone else set()
    points = atlas.qpv[_qpv_in_scope_mask(atlas.qpv, scope, codes)]
    if atlas.qpv_polygons is None:
        return points
    polygons = atlas.qpv_polygons[_qpv_in_scope_mask(atlas.qpv_polygons, scope, codes)].copy()
    polygons["location_precision"] = _POLYGON_PRECISION
    if "lib_com" not in polygons.columns:
        names = communes.set_index("code_insee")["nom"]
        communes_of = qpv_communes(polygons)
        named = communes_of.map(names).fillna(communes_of).astype(str)
        polygons["lib_com"] = named.groupby(level=0).agg(", ".join).reindex(polygons.index)
    polygons["x_m"] = np.nan
    polygons["y_m"] = np.nan
    kept_points = points[~points["code_qp"].isin(polygons["code_qp"])]
    columns = [c for c in points.columns if c in polygons.columns]
    merged = pd.concat([polygons[columns].to_crs(WGS84), kept_points[columns]], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=WGS84)


def scope_places(atlas: Atlas, scope: Scope, themes: Sequence[str]) -> gpd.GeoDataFrame:
    """Places of ``themes`` (any theme if empty) located in ``scope``.

    Raises
    ------
    InvalidParameterError
        If a theme code is unknown.
    """
    places = atlas.places
    return places[scope.mask(places) & theme_mask(places, themes)]


def qpv_location_note(atlas: Atlas) -> str:
    """French sentence saying how the QPV are located with the data loaded (for captions, exports)."""
    if atlas.qpv_polygons is None:
        return (
            "les QPV sont situés au centroïde de leur commune (approximatif) et n'ont pas de population "
            "dans les données intégrées."
        )
    return (
        "les QPV sont mesurés depuis leur contour (distance nulle à l'intérieur), sauf ceux absents de la "
        "couche des contours (centroïde de commune, approximatif) ; ils n'ont pas de population dans les "
        "données intégrées."
    )


def qpv_location_short(atlas: Atlas) -> str:
    """Short form of :func:`qpv_location_note`, for a caption or a key figure's help."""
    if atlas.qpv_polygons is None:
        return "QPV situés au centroïde de leur commune (approximatif)"
    return "QPV mesurés depuis leur contour (centroïde de commune, approximatif, pour ceux sans contour)"


def _column(series: pd.Series) -> pd.Series:
    """``series`` on a fresh 0..n-1 index: keeps its dtype (no type inference on object arrays)."""
    return series.reset_index(drop=True)


def _rows_for_communes(communes: gpd.GeoDataFrame, programme: str) -> pd.DataFrame:
    flagged = "point_approximate" in communes.columns
    return pd.DataFrame(
        {
            "programme": programme,
            "code": _column(communes["code_insee"]),
            "name": _column(communes["nom"]),
            "commune": _column(communes["nom"]),
            "codes_insee": _column(communes["code_insee"]),
            "dep": _column(communes["dep"]),
            "nom_dep": _column(communes["nom_dep"]),
            "zone": _column(communes["zone"]),
            "population": _column(communes["population"].astype(float)),
            "approximate": _column(communes["point_approximate"].astype(bool)) if flagged else False,
            "approximate_note": _column(communes["point_note"].astype(str)) if flagged else "",
            "located": _column(communes["x_m"].notna()),
            "geometry": _column(communes.geometry),
        }
    )


def _rows_for_qpv(qpv: gpd.GeoDataFrame, dep_names: pd.Series) -> pd.DataFrame:
    is_polygon = (qpv["location_precision"] == _POLYGON_PRECISION).to_numpy()
    geometry = qpv.geometry.reset_index(drop=True)
    if is_polygon.any():
        geometry = geometry.where(~is_polygon, geometry.representative_point())
    return pd.DataFrame(
        {
            "programme": "qpv",
            "code": _column(qpv["code_qp"]),
            "name": _column(qpv["lib_qp"]),
            "commune": _column(qpv["lib_com"]),
            "codes_insee": _column(qpv["codes_insee"]),
            "dep": _column(qpv["dep"]),
            "nom_dep": _column(qpv["dep"].map(dep_names).fillna("").astype("str")),
            "zone": _column(qpv["zone"]),
            "population": np.nan,
            "approximate": ~is_polygon,
            "approximate_note": np.where(is_polygon, "", QPV_APPROXIMATE_NOTE),
            "located": _column(qpv["x_m"].notna()) | is_polygon,
            "geometry": geometry,
        }
    )


def qpv_coverage(qpv: gpd.GeoDataFrame, places: pd.DataFrame, radius_km: float) -> pd.DataFrame:
    """Coverage of QPV from :func:`scope_qpv`: outlines where known (0 inside), points otherwise.

    Returns
    -------
    DataFrame indexed like ``qpv``: ``distance_m``, ``n_within``, ``covered``, ``nearest``
    (position in ``places``, ``-1`` if none), as :func:`geo.analysis.coverage.coverage_of_points`.
    """
    is_polygon = qpv["location_precision"] == _POLYGON_PRECISION
    parts = []
    if (~is_polygon).any():
        parts.append(coverage_of_points(qpv[~is_polygon], places, radius_km, with_nearest=True))
    if is_polygon.any():
        parts.append(coverage_of_polygons(qpv[is_polygon], places, radius_km, with_nearest=True))
    if not parts:
        return pd.DataFrame(
            {"distance_m": [], "n_within": [], "covered": [], "nearest": []}, index=qpv.index
        ).astype({"distance_m": float, "n_within": np.int64, "covered": bool, "nearest": np.int64})
    return pd.concat(parts).reindex(qpv.index)


def priority_coverage(
    atlas: Atlas,
    scope: Scope,
    themes: Sequence[str],
    radius_km: float,
    *,
    programmes: Iterable[str] = PROGRAMME_CODES,
) -> gpd.GeoDataFrame:
    """Coverage of every priority territory of ``scope`` by the places of ``themes``.

    Parameters
    ----------
    atlas
        The loaded data (its ``places`` may be a user's import).
    scope
        Territory looked at; a QPV belongs to it when one of its communes does.
    themes
        Theme codes; a place counts when it has any of them. Empty: every place.
    radius_km
        Coverage distance in km, inclusive (a place exactly at ``radius_km`` covers).
    programmes
        Subset of :data:`PROGRAMME_CODES` (``"acv"``, ``"pvd"``, ``"qpv"``).

    Returns
    -------
    GeoDataFrame (EPSG:4326, one point per row: commune representative point, QPV point or
    a point inside its outline) with the columns of :data:`GAP_COLUMNS`: ``programme``,
    ``code`` (INSEE or QPV code), ``name``, ``commune`` (name(s) of the commune(s)),
    ``codes_insee``, ``dep``, ``nom_dep``, ``zone``, ``population`` (municipal population
    2023; **NaN for QPV**, whose population is not in the bundled data), ``distance_m``
    (to the nearest place of the zone, ``inf`` if none), ``n_within`` (places within
    ``radius_km``), ``nearest_place`` / ``nearest_place_id``, ``approximate`` (QPV located
    at a commune centroid, commune whose point may be far from its inhabitants — see
    :mod:`geo.io.commune_points`) and ``approximate_note`` (why, in French), ``located``
    (False for a commune without coordinates, which is then neither covered nor a gap) and
    ``covered``. A commune in both ACV and PVD has one row per programme. Rows are ordered
    by programme then code.

    Raises
    ------
    InvalidParameterError
        Unknown programme or theme, or a radius that is not a positive number.
    """
    check_radius(radius_km)
    selected = check_choices(programmes, PROGRAMME_CODES, "programmes")
    places = atlas.places[(atlas.places["zone"] == scope.zone) & theme_mask(atlas.places, themes)]
    in_scope = scope.mask(atlas.communes)
    frames: list[pd.DataFrame] = []
    for programme in selected:
        if programme == "qpv":
            qpv = scope_qpv(atlas, scope)
            dep_names = atlas.departements.set_index("dep")["nom_dep"]
            rows = _rows_for_qpv(qpv, dep_names)
            coverage = qpv_coverage(qpv, places, radius_km)
        else:
            members = atlas.communes[in_scope & atlas.communes[programme]]
            rows = _rows_for_communes(members, programme)
            coverage = coverage_of_points(members, places, radius_km, with_nearest=True)
        for column in ("distance_m", "n_within", "covered"):
            rows[column] = coverage[column].to_numpy()
        nearest = coverage["nearest"].to_numpy(dtype=np.int64)
        found = nearest >= 0
        names = np.full(len(rows), "", dtype=object)
        ids = np.full(len(rows), "", dtype=object)
        names[found] = places["name"].to_numpy()[nearest[found]]
        ids[found] = places["place_id"].to_numpy()[nearest[found]]
        rows["nearest_place"] = pd.Series(names, dtype="str")
        rows["nearest_place_id"] = pd.Series(ids, dtype="str")
        rows["covered"] = rows["covered"].astype(bool) & rows["located"].astype(bool)
        frames.append(rows)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(GAP_COLUMNS))
    table = table.astype(
        {
            "population": float,
            "distance_m": float,
            "n_within": np.int64,
            "approximate": bool,
            "located": bool,
            "covered": bool,
        }
    )
    order = {p: i for i, p in enumerate(PROGRAMME_CODES)}
    table = table.sort_values(
        ["programme", "code"], key=lambda s: s.map(order) if s.name == "programme" else s
    )
    return gpd.GeoDataFrame(table[list(GAP_COLUMNS)].reset_index(drop=True), geometry="geometry", crs=WGS84)


def rank_gaps(table: pd.DataFrame, *, rank_by: str = "population") -> pd.DataFrame:
    """Order rows by ``rank_by`` and number them in a ``rank`` column (1 = first).

    ``"population"``: most inhabitants first (QPV, without population, after the
    communes), then farthest first. ``"distance"``: farthest from a place first (``inf``,
    no place of these themes in the zone, at the top), then most inhabitants first.
    Ties are broken by code so that the order is stable.
    """
    check_choice(rank_by, RANKINGS, "rank_by")
    keys = (
        ["population", "distance_m", "code"]
        if rank_by == "population"
        else ["distance_m", "population", "code"]
    )
    ranked = table.sort_values(keys, ascending=[False, False, True], na_position="last", kind="mergesort")
    ranked = ranked.reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked


def priority_gaps(
    atlas: Atlas,
    scope: Scope,
    themes: Sequence[str],
    radius_km: float,
    *,
    programmes: Iterable[str] = PROGRAMME_CODES,
    rank_by: str = "population",
) -> gpd.GeoDataFrame:
    """The priority territories of ``scope`` with no place of ``themes`` within ``radius_km``, ranked.

    Same parameters and columns as :func:`priority_coverage` (only rows with
    ``located`` and not ``covered``), plus ``rank`` (see :func:`rank_gaps`).

    Raises
    ------
    InvalidParameterError
        Unknown programme, theme or ranking, or a radius that is not a positive number.
    """
    check_choice(rank_by, RANKINGS, "rank_by")
    table = priority_coverage(atlas, scope, themes, radius_km, programmes=programmes)
    return gaps_from_coverage(table, rank_by=rank_by)


def gaps_from_coverage(table: pd.DataFrame, *, rank_by: str = "population") -> gpd.GeoDataFrame:
    """The gaps (located, not covered) of a :func:`priority_coverage` table, ranked by ``rank_by``."""
    gaps = table[table["located"] & ~table["covered"]]
    ranked = rank_gaps(gaps, rank_by=rank_by)
    return gpd.GeoDataFrame(ranked, geometry="geometry", crs=WGS84)


def gap_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Key figures per programme of a :func:`priority_coverage` table.

    Returns
    -------
    DataFrame indexed by programme code (those present in ``table``, in display order):
    ``label``, ``total`` (territories of the programme in the scope), ``unlocated``,
    ``covered``, ``gaps``, ``share_gaps`` (gaps / total, NaN when total is 0),
    ``population_total``, ``population_gaps``, ``share_population_gaps`` (NaN for QPV,
    whose population is unknown), ``approximate_gaps`` (gaps located at a commune centroid).
    """
    rows = []
    for programme in PROGRAMME_CODES:
        part = table[table["programme"] == programme]
        if part.empty and programme not in set(table["programme"]):
            continue
        gap = part["located"] & ~part["covered"]
        has_population = programme != "qpv"
        population_total = float(part["population"].sum()) if has_population else np.nan
        population_gaps = float(part.loc[gap, "population"].sum()) if has_population else np.nan
        rows.append(
            {
                "programme": programme,
                "label": PROGRAMMES[programme],
                "total": len(part),
                "unlocated": int((~part["located"]).sum()),
                "covered": int(part["covered"].sum()),
                "gaps": int(gap.sum()),
                "share_gaps": gap.sum() / len(part) if len(part) else np.nan,
                "population_total": population_total,
                "population_gaps": population_gaps,
                "share_population_gaps": population_gaps / population_total
                if has_population and population_total > 0
                else np.nan,
                "approximate_gaps": int((gap & part["approximate"]).sum()),
            }
        )
    columns = [
        "label",
        "total",
        "unlocated",
        "covered",
        "gaps",
        "share_gaps",
        "population_total",
        "population_gaps",
        "share_population_gaps",
        "approximate_gaps",
    ]
    if not rows:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="programme"))
    return pd.DataFrame(rows).set_index("programme")[columns]


def gaps_population(gaps: pd.DataFrame) -> int:
    """Inhabitants of the communes among ``gaps``, each commune counted once (ACV and PVD overlap)."""
    communes = gaps[gaps["programme"] != "qpv"].drop_duplicates("code")
    return int(communes["population"].sum())


EXPORT_COLUMNS: dict[str, str] = {
    "rank": "Rang",
    "name": "Territoire",
    "programme_label": "Programme",
    "code": "Code (INSEE ou QPV)",
    "commune": "Commune(s)",
    "codes_insee": "Code(s) INSEE",
    "dep": "Département",
    "nom_dep": "Nom du département",
    "population": "Population municipale 2023",
    "distance_km": "Distance au tiers-lieu le plus proche (km, vol d'oiseau)",
    "nearest_place": "Tiers-lieu le plus proche",
    "approximate_label": "Localisation approximative",
}
"""Column → French header of the exported list."""


def gaps_export_table(gaps: pd.DataFrame) -> gpd.GeoDataFrame:
    """The gap list with French headers and plain values, ready for CSV / XLSX / GeoJSON.

    Distances are in km rounded to 0.1 (empty when no place of the themes exists in the
    zone); QPV population is empty (not in the bundled data); the « Localisation
    approximative » column says « oui (why) » for QPV placed at a commune centroid and for
    communes whose point may be far from their inhabitants.
    """
    out = pd.DataFrame(index=gaps.index)
    if "rank" in gaps.columns:
        out["rank"] = gaps["rank"]
    out["name"] = gaps["name"]
    out["programme_label"] = gaps["programme"].map(PROGRAMMES)
    for column in ("code", "commune", "codes_insee", "dep", "nom_dep"):
        out[column] = gaps[column]
    out["population"] = gaps["population"].round().astype("Int64")
    out["distance_km"] = km_rounded(gaps["distance_m"])
    out["nearest_place"] = gaps["nearest_place"]
    out["approximate_label"] = np.where(gaps["approximate"], "oui (" + gaps["approximate_note"] + ")", "non")
    out = out.rename(columns=EXPORT_COLUMNS)
    return gpd.GeoDataFrame(out, geometry=gaps.geometry.to_numpy(), crs=WGS84)
