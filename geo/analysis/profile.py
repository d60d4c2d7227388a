"""Profile of one territory: who lives there, which programmes, which tiers-lieux, how it compares.

A :class:`TerritoryProfile` is computed once and rendered three ways (the « Fiche
territoire » page, its presentation mode and the briefing pack of :mod:`geo.render.briefing`),
so every figure shown on screen and handed out on paper comes from the same numbers.

Figures come from the same kernel as the pages: :func:`geo.analysis.indicators.scope_coverage` for
the territory and each of its references (département, région, country),
:func:`geo.analysis.coverage.coverage_by_theme` for the per-theme shares and
:func:`geo.analysis.gaps.priority_coverage` for the priority gaps, so they equal the pages' figures
for the same scope (a test checks it). A profile takes 0.2–0.3 s; the page keeps the last
few of a session.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InvalidParameterError
from geo._validate import check_choices, check_positive
from geo.analysis.coverage import aggregate_coverage, coverage_by_theme, coverage_of_points
from geo.analysis.gaps import (
    PROGRAMME_SHORT_LABELS,
    gaps_from_coverage,
    priority_coverage,
    qpv_location_short,
)
from geo.analysis.indicators import KeyFigures, key_figures, scope_coverage
from geo.analysis.thematic import theme_support
from geo.analysis.typology_coverage import TypologyCoverage, commune_types_table, typology_coverage
from geo.crs import WGS84, ZONES, projected_crs_for_zone
from geo.fmt import NNBSP, fr_km, fr_number, fr_percent, fr_radius
from geo.io.atlas import Atlas, qpv_touching
from geo.io.catalog import DATASETS, PlaceSource, place_sources_in, sources_label
from geo.io.placement import PRECISIONS
from geo.search import Territory, territory_index
from geo.territory import LEVEL_KEYS, Scope, level_noun
from geo.themes import THEME_SHORT_LABELS, THEMES, insufficient_label, theme_label, theme_mask, themes_text

DENSITY_THRESHOLDS: tuple[tuple[float, str], ...] = (
    (30.0, "très peu dense"),
    (150.0, "peu dense"),
    (1000.0, "densité intermédiaire"),
    (math.inf, "dense"),
)
"""Upper bound (inhabitants per km², exclusive) → density class of the Atlas."""

DENSITY_NOTE = (
    "Classe de densité de l'Atlas : population 2023 divisée par la surface des contours simplifiés "
    f"(seuils 30, 150 et 1{NNBSP}000 hab./km²) ; ce n'est pas la grille communale de densité de l'INSEE."
)
UNKNOWN_DENSITY = "densité inconnue"

PLACE_COLUMN = {"commune": "code_insee", "epci": "epci_siren", "dep": "dep", "reg": "reg"}
"""Level → column of the places table locating a place in a territory of that level."""

_OUTLINE_TABLES = {"epci": ("epci", "epci_siren"), "dep": ("departements", "dep"), "reg": ("regions", "reg")}
SIMILAR_MAX = 8
_SIMILAR_MIN = 3

REFERENCE_ROLES: dict[str, str] = {
    "territoire": "Territoire",
    "dep": "Département",
    "reg": "Région",
    "national": "Référence nationale",
    "similaires": "Territoires similaires (ensemble)",
}

FEW_PLACES = 5
"""Below this many places, a rate per 100 000 inhabitants gets a caution."""


def _per_100k(places: float, population: float) -> float:
    return places / population * 100_000 if population else float("nan")


def _share(covered: float, population: float) -> float:
    return covered / population if population else float("nan")


ZRR_NOTE = "ancien zonage, remplacé par France Ruralités Revitalisation le 1er juillet 2024"


def density_class(density: float) -> str:
    """Density class of :data:`DENSITY_THRESHOLDS` (« peu dense »...) for inhabitants per km²."""
    if density is None or not np.isfinite(density):
        return UNKNOWN_DENSITY
    return next(label for bound, label in DENSITY_THRESHOLDS if density < bound)


@dataclass(frozen=True)
class ProfileBasis:
    """What every profile reuses, built once per data version (see :func:`profile_basis`)."""

    index: pd.DataFrame
    """:func:`geo.search.territory_index` of the communes."""
    territories: pd.DataFrame
    """Indexed by ``key`` (``level:code``): ``level``, ``code``, ``population``, ``area_km2``,
    ``density``, ``density_class``, ``n_acv``, ``n_pvd``, ``n_qpv``, ``programmes``."""
    outlines: dict[str, gpd.GeoDataFrame]
    """Level → polygons in WGS84 indexed by territory code (communes included)."""


def _areas_km2(polygons: gpd.GeoDataFrame, zones: pd.Series) -> pd.Series:
    """Area of each polygon in km², measured in its zone's metric CRS."""
    areas = pd.Series(np.nan, index=polygons.index)
    for zone in ZONES:
        rows = zones.reindex(polygons.index) == zone
        if rows.any():
            projected = polygons.loc[rows, polygons.geometry.name].to_crs(projected_crs_for_zone(zone))
            areas[rows] = projected.area.to_numpy() / 1e6
    return areas


def _programme_signature(n_acv: pd.Series, n_pvd: pd.Series, n_qpv: pd.Series) -> pd.Series:
    parts = pd.DataFrame(
        {
            "ACV": np.where(n_acv > 0, "ACV", ""),
            "PVD": np.where(n_pvd > 0, "PVD", ""),
            "QPV": np.where(n_qpv > 0, "QPV", ""),
        },
        index=n_acv.index,
    )
    joined = parts.apply(lambda row: " + ".join(v for v in row if v), axis=1)
    return joined.replace("", "aucun programme")


def profile_basis(atlas: Atlas, commune_polygons: gpd.GeoDataFrame) -> ProfileBasis:
    """Search index, areas, density classes and programme signatures of every territory.

    Parameters
    ----------
    atlas
        The loaded datasets.
    commune_polygons
        :func:`geo.io.atlas.load_commune_polygons` (for commune areas and outlines).

    Returns
    -------
    ProfileBasis
        Areas are those of the simplified outlines (≈ 200 m), in each zone's metric CRS;
        a commune without outline gets a NaN area and the class « densité inconnue ».
    """
    communes = atlas.communes
    index = territory_index(communes)
    outlines: dict[str, gpd.GeoDataFrame] = {
        "commune": commune_polygons.set_index("code_insee")[["geometry"]].to_crs(WGS84)
    }
    for level, (table, key) in _OUTLINE_TABLES.items():
        frame = getattr(atlas, level if level == "epci" else table)
        outlines[level] = frame.set_index(key)[["geometry"]].to_crs(WGS84)
    rows = []
    for level, key in LEVEL_KEYS.items():
        located = communes[communes[key].fillna("") != ""]
        grouped = located.groupby(key).agg(
            population=("population", "sum"),
            zone=("zone", "first"),
            n_acv=("acv", "sum"),
            n_pvd=("pvd", "sum"),
            n_qpv=("n_qpv", "sum"),
        )
        area = _areas_km2(outlines[level], grouped["zone"]).reindex(grouped.index)
        grouped["area_km2"] = area
        grouped["level"] = level
        grouped["code"] = grouped.index
        rows.append(grouped.set_index(level + ":" + grouped.index.to_series()))
    territories = pd.concat(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        territories["density"] = territories["population"] / territories["area_km2"].where(
            territories["area_km2"] > 0
        )
    territories["density_class"] = territories["density"].map(density_class)
    territories["programmes"] = _programme_signature(
        territories["n_acv"], territories["n_pvd"], territories["n_qpv"]
    )
    return ProfileBasis(index=index, territories=territories, outlines=outlines)


@dataclass(frozen=True)
class Programme:
    """Presence of one public programme in a territory."""

    code: str
    label: str
    count: int
    text: str
    """Short French answer shown in the profile (« Oui », « 3 communes », « Non »)."""
    source: str
    historical: bool = False
    note: str = ""

    @property
    def present(self) -> bool:
        """Whether the programme concerns the territory at all."""
        return self.count > 0


@dataclass(frozen=True)
class TerritoryProfile:
    """Everything the « Fiche territoire » and the briefing pack show about one territory."""

    territory: Territory
    themes: tuple[str, ...]
    radius_km: float
    figures: KeyFigures
    area_km2: float
    density: float
    density_class: str
    n_communes: int
    programmes: tuple[Programme, ...]
    places: pd.DataFrame
    """Tiers-lieux of the selected themes in the territory (``inside``) and within
    ``radius_km`` of its outline: ``name``, ``commune``, ``themes_text``, ``distance_m``
    (0 inside), ``location``, ``source_label``, ``lon``, ``lat``, theme route columns."""
    theme_coverage: pd.DataFrame
    """Indexed by theme code (``"tous"`` first): ``places``, ``share_covered``,
    ``population_covered``, ``nearest_m`` (communes only), ``reference_share``,
    ``reference_places`` (places of the theme in the reference area) and ``sufficient`` (enough of
    them for a finding, :data:`geo.analysis.thematic.SUPPORT_RULE`)."""
    gaps: pd.DataFrame
    """Priority gaps (:func:`territory_gaps`): ACV / PVD communes and QPV of the territory
    with no place within ``radius_km``, farthest first, as :func:`geo.analysis.gaps.priority_gaps`."""
    references: pd.DataFrame
    """One row per comparison (``role`` in :data:`REFERENCE_ROLES`): ``label``,
    ``population``, ``places``, ``places_per_100k``, ``share_covered``, programme counts."""
    similar: pd.DataFrame
    """Similar territories: ``label``, ``population``, ``density``, ``density_class``,
    ``programmes``, ``places``, ``places_per_100k``, ``share_covered``."""
    similar_criteria: str
    places_source: str
    reference_label: str
    qpv_note: str
    place_sources: tuple[PlaceSource, ...]
    """Catalogued sources of the places in use (none for an import or a refreshed list)."""
    """How the QPV are located with the data loaded (:func:`geo.analysis.gaps.qpv_location_short`)."""
    typology: TypologyCoverage | None = None
    """Coverage by type of territory (:mod:`geo.analysis.typology_coverage`); ``None`` for a commune,
    which is a single type: see ``commune_types``."""
    commune_types: pd.DataFrame | None = None
    """A commune's class in each typology and the check of its point
    (:func:`geo.analysis.typology_coverage.commune_types_table`); ``None`` for a larger territory."""

    @property
    def n_around(self) -> int:
        """Tiers-lieux outside the territory but within ``radius_km`` of it."""
        return int((~self.places["inside"]).sum())

    @property
    def themes_label(self) -> str:
        """« Fabrication, Culture » or « tous thèmes »."""
        return ", ".join(THEME_SHORT_LABELS[t] for t in self.themes) or "tous thèmes"

    @property
    def radius_label(self) -> str:
        """« 10 km »."""
        return f"{fr_radius(self.radius_km)}{NNBSP}km"


def _sum_figures(parts: list[KeyFigures]) -> KeyFigures:
    """Key figures of the union of disjoint scopes (the zones of France)."""
    totals = {
        name: sum(int(getattr(p, name)) for p in parts)
        for name in (
            "n_places",
            "population",
            "population_covered",
            "acv_total",
            "acv_covered",
            "pvd_total",
            "pvd_covered",
            "qpv_total",
            "qpv_covered",
            "qpv_approximate",
            "communes_unlocated",
            "communes",
            "communes_covered",
            "communes_approximate",
            "population_approximate",
        )
    }
    population = totals["population"]
    return KeyFigures(
        places_per_100k=totals["n_places"] / population * 100_000 if population else float("nan"),
        share_covered=totals["population_covered"] / population if population else float("nan"),
        **totals,
    )


def territory_figures(
    atlas: Atlas, territory: Territory, themes: tuple[str, ...], radius_km: float
) -> KeyFigures:
    """Key figures of ``territory``: :func:`geo.analysis.indicators.scope_coverage` for an EPCI, a
    département or a région; for a commune, the same computation restricted to it.

    Raises
    ------
    InvalidParameterError
        For unknown themes or a non-positive distance.
    """
    result = scope_coverage(atlas, territory.scope, themes, radius_km)
    if territory.level != "commune":
        return result.figures
    rows = result.communes["code_insee"] == territory.code
    qpv_rows = qpv_touching(result.qpv, [territory.code])
    return key_figures(
        result.communes[rows],
        result.coverage[rows],
        int((result.places["code_insee"] == territory.code).sum()),
        result.qpv.iloc[qpv_rows],
        result.qpv_coverage.iloc[qpv_rows],
    )


def reference_figures(
    atlas: Atlas, scope: Scope | None, themes: tuple[str, ...], radius_km: float
) -> KeyFigures:
    """Key figures of a reference: a scope, or France as a whole (every zone) when ``None``."""
    if scope is not None:
        return scope_coverage(atlas, scope, themes, radius_km).figures
    return _sum_figures([scope_coverage(atlas, Scope(zone), themes, radius_km).figures for zone in ZONES])


def _programmes(
    atlas: Atlas, territory: Territory, communes: pd.DataFrame, n_qpv: int
) -> tuple[Programme, ...]:
    is_commune = territory.level == "commune"

    def communes_text(count: int) -> str:
        if is_commune:
            return "Oui" if count else "Non"
        return f"{fr_number(count)} commune{'s' if count > 1 else ''}" if count else "Aucune commune"

    def dataset_source(name: str) -> str:
        entry = DATASETS[name]
        return f"{entry.producer}, {entry.title} ({entry.vintage})"

    n_acv = int(communes["acv"].sum())
    n_pvd = int(communes["pvd"].sum())
    n_fs = int(atlas.france_services["code_insee"].isin(set(communes["code_insee"])).sum())
    zrr_status = communes["zrr"].astype(str)
    n_zrr = int(zrr_status.isin(["classée", "partiellement classée"]).sum())
    if is_commune:
        status = zrr_status.iloc[0] if len(zrr_status) else "non renseigné"
        zrr_text = {"classée": "Classée", "partiellement classée": "Partiellement classée"}.get(
            status, "Non classée" if status == "non classée" else "Non renseigné"
        )
    else:
        zrr_text = f"{fr_number(n_zrr)} commune{'s' if n_zrr > 1 else ''} classée{'s' if n_zrr > 1 else ''}"
        zrr_text = zrr_text if n_zrr else "Aucune commune classée"
    return (
        Programme("acv", "Action Cœur de Ville", n_acv, communes_text(n_acv), dataset_source("acv")),
        Programme("pvd", "Petites villes de demain", n_pvd, communes_text(n_pvd), dataset_source("pvd")),
        Programme(
            "qpv",
            "Quartiers prioritaires (QPV)",
            n_qpv,
            f"{fr_number(n_qpv)} quartier{'s' if n_qpv > 1 else ''}" if n_qpv else "Aucun",
            dataset_source("qpv"),
            note="quartiers situés au centroïde de leur commune (approximatif)",
        ),
        Programme(
            "france_services",
            "France services",
            n_fs,
            f"{fr_number(n_fs)} structure{'s' if n_fs > 1 else ''}" if n_fs else "Aucune",
            dataset_source("france_services"),
        ),
        Programme(
            "zrr",
            "Ancienne zone de revitalisation rurale (ZRR)",
            n_zrr,
            zrr_text,
            dataset_source("zrr"),
            historical=True,
            note=ZRR_NOTE,
        ),
    )


def _territory_shape(
    basis: ProfileBasis, territory: Territory, communes: pd.DataFrame
) -> shapely.Geometry | None:
    """The territory's outline in its zone's metric CRS (commune points when it has none)."""
    crs = projected_crs_for_zone(territory.zone)
    outlines = basis.outlines[territory.level]
    if territory.code in outlines.index:
        shape = gpd.GeoSeries([outlines.loc[territory.code, "geometry"]], crs=WGS84).to_crs(crs).iloc[0]
        if shape is not None and not shape.is_empty:
            return shape
    xy = communes[["x_m", "y_m"]].dropna().to_numpy()
    return shapely.multipoints(xy) if len(xy) else None


def _place_source_labels(places: pd.DataFrame, places_source: str) -> list[str]:
    return [sources_label(codes, other=places_source) for codes in places["sources"]]


def _places_in_and_around(
    atlas: Atlas,
    *,
    basis: ProfileBasis,
    territory: Territory,
    communes: pd.DataFrame,
    places: pd.DataFrame,
    radius_km: float,
) -> pd.DataFrame:
    zone_places = places[places["zone"] == territory.zone]
    inside = (zone_places[PLACE_COLUMN[territory.level]] == territory.code).to_numpy()
    distance = np.where(inside, 0.0, np.inf)
    shape = _territory_shape(basis, territory, communes)
    if shape is not None:
        minx, miny, maxx, maxy = shape.bounds
        margin = radius_km * 1000.0
        x, y = zone_places["x_m"].to_numpy(), zone_places["y_m"].to_numpy()
        near = (
            ~inside
            & (x >= minx - margin)
            & (x <= maxx + margin)
            & (y >= miny - margin)
            & (y <= maxy + margin)
        )
        if near.any():
            distance[near] = shapely.distance(shape, shapely.points(np.column_stack([x[near], y[near]])))
    keep = inside | (distance <= radius_km * 1000.0)
    selected = zone_places[keep].copy()
    selected["inside"] = inside[keep]
    selected["distance_m"] = distance[keep]
    names = atlas.communes.set_index("code_insee")["nom"]
    selected["commune"] = selected["code_insee"].map(names).fillna("")
    selected["themes_text"] = themes_text(selected) if len(selected) else []
    selected["location"] = selected["location_precision"].map(PRECISIONS).fillna("")
    selected["source_label"] = _place_source_labels(selected, atlas.places_source)
    selected = selected.sort_values(["inside", "distance_m", "name"], ascending=[False, True, True])
    columns = [
        "place_id",
        "name",
        "commune",
        "code_insee",
        "themes_text",
        "inside",
        "distance_m",
        "location",
        "location_precision",
        "source",
        "sources",
        "source_label",
        "lon",
        "lat",
        *[f"theme_{t}" for t in THEMES],
    ]
    return selected[columns].reset_index(drop=True)


def _theme_coverage(
    atlas: Atlas, territory: Territory, communes: pd.DataFrame, radius_km: float, reference_rows: pd.Series
) -> pd.DataFrame:
    all_places = atlas.places[atlas.places["zone"] == territory.zone]
    local = coverage_by_theme(communes, all_places, radius_km, THEMES)
    reference_communes = atlas.communes[reference_rows]
    reference = coverage_by_theme(reference_communes, atlas.places, radius_km, THEMES)
    in_territory = all_places[PLACE_COLUMN[territory.level]] == territory.code
    reference_places = atlas.places[atlas.places["code_insee"].isin(reference_communes["code_insee"])]
    support = theme_support(reference_places)
    population = communes["population"].to_numpy(dtype=float)
    ref_population = reference_communes["population"].to_numpy(dtype=float)
    rows = []
    for theme, coverage in local.items():
        subset = all_places if theme == "tous" else all_places[all_places[f"theme_{theme}"] != ""]
        covered = coverage["covered"].to_numpy(dtype=bool)
        ref_covered = reference[theme]["covered"].to_numpy(dtype=bool)
        total = population.sum()
        rows.append(
            {
                "theme": theme,
                "label": theme_label(theme),
                "places": int(in_territory.reindex(subset.index).sum()),
                "population_covered": int((population * covered).sum()),
                "share_covered": (population * covered).sum() / total if total else float("nan"),
                "nearest_m": float(coverage["distance_m"].min()) if len(coverage) else float("inf"),
                "reference_share": (ref_population * ref_covered).sum() / ref_population.sum()
                if ref_population.sum()
                else float("nan"),
                "reference_places": support[theme].places if theme in support else len(reference_places),
                "sufficient": support[theme].sufficient if theme in support else True,
            }
        )
    return pd.DataFrame(rows).set_index("theme")


def territory_gaps(
    atlas: Atlas, territory: Territory, themes: tuple[str, ...], radius_km: float
) -> pd.DataFrame:
    """Priority gaps of ``territory`` with :func:`geo.analysis.gaps.priority_gaps` (farthest first).

    ACV / PVD communes and QPV of the territory with no place of ``themes`` within
    ``radius_km``; for a commune, its own programmes and the QPV touching it. Columns of
    :data:`geo.analysis.gaps.GAP_COLUMNS` plus ``rank``.
    """
    table = priority_coverage(atlas, territory.scope, themes, radius_km)
    if territory.level == "commune":
        table = table.iloc[qpv_touching(table, [territory.code])]
    return gaps_from_coverage(table, rank_by="distance")


def _reference_row(role: str, label: str, figures: KeyFigures) -> dict[str, object]:
    return {
        "role": role,
        "label": label,
        "population": figures.population,
        "places": figures.n_places,
        "places_per_100k": figures.places_per_100k,
        "share_covered": figures.share_covered,
        "acv_total": figures.acv_total,
        "acv_covered": figures.acv_covered,
        "pvd_total": figures.pvd_total,
        "pvd_covered": figures.pvd_covered,
        "qpv_total": figures.qpv_total,
        "qpv_covered": figures.qpv_covered,
    }


def similar_territories(
    basis: ProfileBasis, territory: Territory, *, limit: int = SIMILAR_MAX
) -> tuple[pd.DataFrame, str]:
    """Territories of the same level most like ``territory``, and the criteria really used.

    Same level, same density class (:func:`density_class`), population between half and
    twice its own, same programmes (ACV / PVD / QPV present or not). When fewer than three
    qualify, the programme criterion is dropped, then the population band widened to a
    factor 4; the returned sentence says which criteria were applied.

    Returns
    -------
    (rows of ``basis.territories`` closest in population first, French criteria sentence)
    """
    table = basis.territories
    own = table.loc[territory.key]
    candidates = table[(table["level"] == territory.level) & (table.index != territory.key)]
    # Metropolitan territories are compared with metropolitan ones, overseas with overseas.
    candidates = candidates[(candidates["zone"] == "metro") == (territory.zone == "metro")]
    same_density = candidates["density_class"] == own["density_class"]
    same_programmes = candidates["programmes"] == own["programmes"]
    population = max(float(own["population"]), 1.0)
    ratio = np.log(candidates["population"].clip(lower=1).astype(float) / population).abs()
    steps = (
        (
            same_density & same_programmes & (ratio <= math.log(2)),
            "population entre la moitié et le double",
            True,
        ),
        (same_density & (ratio <= math.log(2)), "population entre la moitié et le double", False),
        (same_density & (ratio <= math.log(4)), "population entre le quart et le quadruple", False),
    )
    chosen = candidates.iloc[0:0]
    criteria = ""
    for mask, population_text, with_programmes in steps:
        chosen = candidates[mask]
        criteria = f"même niveau ({level_noun(territory.level)}), "
        criteria += "en France métropolitaine, " if territory.zone == "metro" else "outre-mer, "
        criteria += f"même classe de densité ({own['density_class']}), "
        criteria += population_text
        criteria += (
            f", mêmes programmes ({own['programmes']})" if with_programmes else " (programmes non comparés)"
        )
        if len(chosen) >= _SIMILAR_MIN:
            break
    chosen = chosen.assign(_distance=ratio[chosen.index]).sort_values(["_distance", "population"]).head(limit)
    return chosen.drop(columns="_distance"), criteria


def territory_profile(
    atlas: Atlas,
    basis: ProfileBasis,
    territory: Territory,
    *,
    themes: Iterable[str] = (),
    radius_km: float = 10.0,
) -> TerritoryProfile:
    """Compute the profile of ``territory`` for the places of ``themes`` within ``radius_km``.

    Parameters
    ----------
    atlas
        The loaded datasets (bundled or with imported places).
    basis
        :func:`profile_basis` of the same data.
    territory
        From :mod:`geo.search` (a commune, an EPCI, a département or a région).
    themes
        Theme codes of :data:`geo.themes.THEMES`; empty means every tiers-lieu.
    radius_km
        Access distance, as the crow flies, from each commune's representative point.

    Returns
    -------
    TerritoryProfile
        Never empty: a territory with no tiers-lieu and no programme still gets its
        population, programmes (all « Non »), references and similar territories.

    Raises
    ------
    InvalidParameterError
        For unknown themes, a non-positive distance or a territory absent from ``basis``.
    """
    selected_themes = check_choices(themes, THEMES, "themes")
    check_positive(radius_km, "radius_km")
    if territory.key not in basis.territories.index:
        raise InvalidParameterError(f"`territory` « {territory.key} » est absent des données chargées")
    places = atlas.places[theme_mask(atlas.places, selected_themes)]
    communes = atlas.communes[atlas.communes[LEVEL_KEYS[territory.level]] == territory.code]
    figures = territory_figures(atlas, territory, selected_themes, radius_km)
    own = basis.territories.loc[territory.key]
    references = [
        _reference_row("territoire", territory.label, figures),
        *_parent_references(atlas, basis, territory, selected_themes, radius_km),
    ]
    national, reference_label, reference_rows = _national_reference(
        atlas, territory, selected_themes, radius_km
    )
    references.append(national)
    similar_rows, criteria = similar_territories(basis, territory)
    similar, pooled = _similar_coverage(
        atlas, basis, territory.level, similar_rows, places=places, radius_km=radius_km
    )
    if pooled is not None:
        references.append(pooled)
    return TerritoryProfile(
        territory=territory,
        themes=selected_themes,
        radius_km=float(radius_km),
        figures=figures,
        area_km2=float(own["area_km2"]),
        density=float(own["density"]),
        density_class=str(own["density_class"]),
        n_communes=len(communes),
        programmes=_programmes(atlas, territory, communes, figures.qpv_total),
        places=_places_in_and_around(
            atlas, basis=basis, territory=territory, communes=communes, places=places, radius_km=radius_km
        ),
        theme_coverage=_theme_coverage(atlas, territory, communes, radius_km, reference_rows),
        gaps=territory_gaps(atlas, territory, selected_themes, radius_km),
        references=pd.DataFrame(references),
        similar=similar,
        similar_criteria=criteria,
        places_source=atlas.places_source,
        qpv_note=qpv_location_short(atlas),
        place_sources=tuple(place_sources_in(atlas.places["sources"])),
        reference_label=reference_label,
        typology=None
        if territory.level == "commune"
        else typology_coverage(scope_coverage(atlas, territory.scope, selected_themes, radius_km)),
        commune_types=commune_types_table(atlas.communes, territory.code)
        if territory.level == "commune"
        else None,
    )


def _parent_references(
    atlas: Atlas, basis: ProfileBasis, territory: Territory, themes: tuple[str, ...], radius_km: float
) -> list[dict[str, object]]:
    """Reference rows of the département (for a commune or an EPCI) and the région (metropolitan France)."""
    rows = []
    if territory.level in ("commune", "epci") and territory.dep:
        dep_row = basis.index.loc[f"dep:{territory.dep}"]
        scope = Scope(territory.zone, str(dep_row["reg"]), territory.dep)
        rows.append(
            _reference_row("dep", str(dep_row["label"]), reference_figures(atlas, scope, themes, radius_km))
        )
    if territory.level != "reg" and territory.zone == "metro" and territory.reg:
        reg_row = basis.index.loc[f"reg:{territory.reg}"]
        scope = Scope(territory.zone, territory.reg)
        rows.append(
            _reference_row("reg", str(reg_row["label"]), reference_figures(atlas, scope, themes, radius_km))
        )
    return rows


def _national_reference(
    atlas: Atlas, territory: Territory, themes: tuple[str, ...], radius_km: float
) -> tuple[dict[str, object], str, pd.Series]:
    """The national reference row, its label and the communes it covers.

    Metropolitan France for a metropolitan territory, France as a whole (every zone) overseas.
    """
    if territory.zone == "metro":
        label = ZONES["metro"].label
        row = _reference_row("national", label, reference_figures(atlas, Scope("metro"), themes, radius_km))
        return row, label, atlas.communes["zone"] == "metro"
    label = "France entière (métropole et DROM)"
    row = _reference_row("national", label, reference_figures(atlas, None, themes, radius_km))
    return row, label, pd.Series(True, index=atlas.communes.index)


_SIMILAR_COLUMNS = (
    "key",
    "code",
    "label",
    "population",
    "density",
    "density_class",
    "programmes",
    "places",
    "places_per_100k",
    "share_covered",
)


def _similar_coverage(
    atlas: Atlas,
    basis: ProfileBasis,
    level: str,
    similar_rows: pd.DataFrame,
    *,
    places: pd.DataFrame,
    radius_km: float,
) -> tuple[pd.DataFrame, dict[str, object] | None]:
    """The similar territories with their coverage, and their pooled reference row (``None`` if none)."""
    if not len(similar_rows):
        return pd.DataFrame(columns=list(_SIMILAR_COLUMNS)), None
    similar_communes = atlas.communes[atlas.communes[LEVEL_KEYS[level]].isin(set(similar_rows["code"]))]
    per_territory = aggregate_coverage(
        similar_communes, coverage_of_points(similar_communes, places, radius_km), places, level
    ).reindex(similar_rows["code"])
    similar = pd.DataFrame(
        {
            "key": similar_rows.index,
            "code": similar_rows["code"].to_numpy(),
            "label": basis.index.loc[similar_rows.index, "label"].to_numpy(),
            "population": similar_rows["population"].to_numpy(),
            "density": similar_rows["density"].to_numpy(),
            "density_class": similar_rows["density_class"].to_numpy(),
            "programmes": similar_rows["programmes"].to_numpy(),
            "places": per_territory["places"].to_numpy(),
            "places_per_100k": per_territory["places_per_100k"].to_numpy(),
            "share_covered": per_territory["share_covered"].to_numpy(),
        }
    )
    population = per_territory["population"].sum()
    pooled = {
        "role": "similaires",
        # Pooled, as for the territory itself: a median of communes each covered or not (0 or
        # 100 %) would say nothing.
        "label": f"{REFERENCE_ROLES['similaires']} – {len(similar)} territoires",
        "population": float(population),
        "places": float(per_territory["places"].sum()),
        "places_per_100k": _per_100k(per_territory["places"].sum(), population),
        "share_covered": _share(per_territory["population_covered"].sum(), population),
    }
    return similar, pooled


def key_figure_items(profile: TerritoryProfile) -> list[tuple[str, str, str]]:
    """(label, formatted value, explanation) of the headline figures, in display order.

    The page, its presentation mode and the briefing pack all print these very strings.
    """
    f = profile.figures
    radius = profile.radius_label
    density = f"{fr_number(profile.density)}{NNBSP}hab./km²" if np.isfinite(profile.density) else "inconnue"
    items = [
        ("Population (2023)", fr_number(f.population), "Population municipale 2023 (INSEE)."),
        ("Densité", density, f"{profile.density_class.capitalize()}. {DENSITY_NOTE}"),
        ("Tiers-lieux dans le territoire", fr_number(f.n_places), f"Thèmes : {profile.themes_label}."),
        (
            f"Tiers-lieux à moins de {radius} autour",
            fr_number(profile.n_around),
            "Lieux situés hors du territoire, à moins de la distance choisie de son contour.",
        ),
        (
            "Tiers-lieux pour 100 000 habitants",
            fr_number(f.places_per_100k, 1),
            f"Calculé sur {fr_number(f.n_places)} lieu{'x' if f.n_places > 1 else ''} : un lieu de plus ou "
            "de moins change beaucoup ce taux, à lire avec prudence."
            if 0 < f.n_places < FEW_PLACES
            else "",
        ),
        (
            f"Population à moins de {radius} d'un tiers-lieu",
            fr_percent(f.share_covered),
            f"{fr_number(f.population_covered)} habitants sur {fr_number(f.population)}, à vol d'oiseau "
            "depuis le point représentatif de chaque commune.",
        ),
    ]
    if f.acv_total:
        items.append(
            (
                "Communes Action Cœur de Ville couvertes",
                f"{fr_number(f.acv_covered)} / {fr_number(f.acv_total)}",
                "",
            )
        )
    if f.pvd_total:
        items.append(
            (
                "Communes Petites villes de demain couvertes",
                f"{fr_number(f.pvd_covered)} / {fr_number(f.pvd_total)}",
                "",
            )
        )
    if f.qpv_total:
        items.append(
            (
                "Quartiers prioritaires (QPV) couverts",
                f"{fr_number(f.qpv_covered)} / {fr_number(f.qpv_total)}",
                profile.qpv_note + ".",
            )
        )
    return items


def references_table(profile: TerritoryProfile) -> pd.DataFrame:
    """The comparison table as shown to users (French headers, French numbers)."""
    refs = profile.references
    return pd.DataFrame(
        {
            "Comparaison": [REFERENCE_ROLES[r] for r in refs["role"]],
            "Territoire": refs["label"],
            "Population": [fr_number(v) for v in refs["population"]],
            "Tiers-lieux": [fr_number(v) for v in refs["places"]],
            "Pour 100 000 hab.": [fr_number(v, 1) for v in refs["places_per_100k"]],
            f"Population à moins de {profile.radius_label}": [fr_percent(v) for v in refs["share_covered"]],
        }
    )


def similar_table(profile: TerritoryProfile) -> pd.DataFrame:
    """The similar territories as shown to users."""
    sim = profile.similar
    return pd.DataFrame(
        {
            "Territoire": sim["label"],
            "Population": [fr_number(v) for v in sim["population"]],
            "Densité (hab./km²)": [fr_number(v) for v in sim["density"]],
            "Programmes": sim["programmes"],
            "Tiers-lieux": [fr_number(v) for v in sim["places"]],
            "Pour 100 000 hab.": [fr_number(v, 1) for v in sim["places_per_100k"]],
            f"Population à moins de {profile.radius_label}": [fr_percent(v) for v in sim["share_covered"]],
        }
    )


def programmes_table(profile: TerritoryProfile) -> pd.DataFrame:
    """The public programmes of the territory as shown to users (page, PDF)."""
    programmes = profile.programmes
    return pd.DataFrame(
        {
            "Programme": [p.label + (" (historique)" if p.historical else "") for p in programmes],
            "Situation": [p.text + (f" — {p.note}" if p.note else "") for p in programmes],
            "Source": [p.source for p in programmes],
        }
    )


def places_table(profile: TerritoryProfile) -> pd.DataFrame:
    """Tiers-lieux in and around the territory as shown to users."""
    places = profile.places
    return pd.DataFrame(
        {
            "Tiers-lieu": places["name"],
            "Commune": places["commune"],
            "Thèmes": places["themes_text"],
            "Distance": [
                "dans le territoire" if inside else fr_km(d)
                for inside, d in zip(places["inside"], places["distance_m"], strict=True)
            ],
            "Localisation": places["location"],
            "Source": places["source_label"],
        }
    )


def gaps_table(profile: TerritoryProfile) -> pd.DataFrame:
    """Priority gaps as shown to users (farthest from a tiers-lieu first, numbered as on the map)."""
    gaps = profile.gaps
    return pd.DataFrame(
        {
            "N°": gaps["rank"].to_numpy(dtype=int),
            "Programme": gaps["programme"].map(PROGRAMME_SHORT_LABELS),
            "Territoire": gaps["name"],
            "Commune(s)": gaps["commune"],
            "Population": [fr_number(v) for v in gaps["population"]],
            "Tiers-lieu le plus proche": [fr_km(v) for v in gaps["distance_m"]],
            "Nom du plus proche": gaps["nearest_place"],
        }
    )


def theme_table(profile: TerritoryProfile) -> pd.DataFrame:
    """Coverage per theme as shown to users."""
    cov = profile.theme_coverage
    table = pd.DataFrame(
        {
            "Thème": cov["label"],
            "Tiers-lieux dans le territoire": [fr_number(v) for v in cov["places"]],
            f"Population à moins de {profile.radius_label}": [fr_percent(v) for v in cov["share_covered"]],
            profile.reference_label: [fr_percent(v) for v in cov["reference_share"]],
        }
    )
    if profile.territory.level == "commune":
        table["Tiers-lieu le plus proche"] = [fr_km(v) for v in cov["nearest_m"]]
    # The places counted are those of the reference area (France métropolitaine, the DROM).
    table["Constat possible"] = [
        "oui" if ok else insufficient_label(int(n))
        for ok, n in zip(cov["sufficient"], cov["reference_places"], strict=True)
    ]
    return table


def comparison_series(profile: TerritoryProfile) -> pd.DataFrame:
    """Bars of the comparison chart: ``label``, ``share_covered`` and ``kind``.

    ``kind`` is « territoire », « référence » (département, région, national) or « similaire ».
    """
    refs = profile.references[profile.references["role"] != "similaires"]
    rows = [
        {
            "label": label,
            "share_covered": share,
            "kind": "territoire" if role == "territoire" else "référence",
        }
        for role, label, share in zip(refs["role"], refs["label"], refs["share_covered"], strict=True)
    ]
    rows += [
        {"label": label, "share_covered": share, "kind": "similaire"}
        for label, share in zip(profile.similar["label"], profile.similar["share_covered"], strict=True)
    ]
    return pd.DataFrame(rows, columns=["label", "share_covered", "kind"])


def sources_lines(profile: TerritoryProfile) -> list[str]:
    """« producer, title (vintage), licence » of every dataset behind a profile."""
    lines = [f"Tiers-lieux utilisés : {profile.places_source}"]
    lines += [f"{s.producer}, {s.title} ({s.vintage}), {s.licence}" for s in profile.place_sources]
    for name in (
        "communes",
        "communes_polygons",
        "epci",
        "departements",
        "regions",
        "acv",
        "pvd",
        "qpv",
        "france_services",
        "zrr",
    ):
        lines.append(DATASETS[name].citation)
    return lines


def method_lines(profile: TerritoryProfile) -> list[str]:
    """The approximations a reader must know, in French."""
    return [
        f"Distance d'accès : {profile.radius_label} à vol d'oiseau, mesurée dans la projection métrique "
        "de la zone (Lambert-93 en métropole, UTM locale outre-mer) depuis le point représentatif de "
        "chaque commune.",
        "Les Fabriques de territoire et Manufactures de proximité sont situées au centroïde de leur "
        f"commune (approximatif) ; {profile.qpv_note} ; les lieux de la liste CGET 2019 sont géocodés "
        "à l'adresse.",
        "Thèmes : typologie de la source ou label du programme quand ils existent, sinon règles par "
        "mots-clés sur les noms — indicatif.",
        "Les tiers-lieux des territoires voisins comptent pour la couverture (un habitant peut traverser "
        "une limite administrative).",
        DENSITY_NOTE,
        f"Zones de revitalisation rurale : {ZRR_NOTE} ; mentionnées à titre historique.",
        "Les listes de tiers-lieux datent de 2019 à janvier 2024 : des lieux ont pu ouvrir ou fermer depuis.",
    ]
