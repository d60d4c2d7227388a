"""Key figures of a scope: what the overview shows, computed once here for every page."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from geo.analysis.coverage import aggregate_coverage, coverage_of_points
from geo.analysis.gaps import qpv_coverage, scope_qpv
from geo.fmt import fr_km, fr_number, fr_percent, fr_radius
from geo.io.atlas import Atlas
from geo.territory import LEVEL_KEYS, LEVELS, Scope
from geo.themes import theme_mask


@dataclass(frozen=True)
class KeyFigures:
    """Headline figures for a scope, themes and distance."""

    n_places: int
    population: int
    places_per_100k: float
    population_covered: int
    share_covered: float
    acv_total: int
    acv_covered: int
    pvd_total: int
    pvd_covered: int
    qpv_total: int
    qpv_covered: int
    qpv_approximate: int
    communes_unlocated: int
    """Communes of the scope with no point (kept in population, not in distances)."""
    communes: int
    communes_covered: int
    communes_approximate: int = 0
    """Communes whose point may be far from their inhabitants (:mod:`geo.io.commune_points`)."""
    population_approximate: int = 0
    """Inhabitants of those communes: their distances are approximate."""

    @property
    def population_uncovered(self) -> int:
        """Inhabitants farther than the distance (communes without a point included)."""
        return self.population - self.population_covered

    @property
    def communes_uncovered(self) -> int:
        """Communes farther than the distance (communes without a point included)."""
        return self.communes - self.communes_covered


def key_figures(
    communes: pd.DataFrame,
    coverage: pd.DataFrame,
    n_places: int,
    qpv: pd.DataFrame,
    qpv_coverage: pd.DataFrame,
) -> KeyFigures:
    """:class:`KeyFigures` of ``communes`` (with their :func:`coverage_of_points`), ``n_places``
    places and the QPV ``qpv`` (with their coverage)."""
    population = int(communes["population"].sum())
    covered = coverage["covered"].to_numpy(dtype=bool)
    covered_pop = int(communes["population"].to_numpy()[covered].sum())
    approximate = (
        communes["point_approximate"].to_numpy(dtype=bool)
        if "point_approximate" in communes.columns
        else np.zeros(len(communes), dtype=bool)
    )
    return KeyFigures(
        n_places=n_places,
        population=population,
        places_per_100k=n_places / population * 100_000 if population else float("nan"),
        population_covered=covered_pop,
        share_covered=covered_pop / population if population else float("nan"),
        acv_total=int(communes["acv"].sum()),
        acv_covered=int((communes["acv"].to_numpy(dtype=bool) & covered).sum()),
        pvd_total=int(communes["pvd"].sum()),
        pvd_covered=int((communes["pvd"].to_numpy(dtype=bool) & covered).sum()),
        qpv_total=len(qpv),
        qpv_covered=int(qpv_coverage["covered"].sum()),
        qpv_approximate=int((qpv["location_precision"] != "polygone").sum()),
        communes_unlocated=int(communes["x_m"].isna().sum()),
        communes=len(communes),
        communes_covered=int(covered.sum()),
        communes_approximate=int(approximate.sum()),
        population_approximate=int(communes["population"].to_numpy()[approximate].sum()),
    )


@dataclass(frozen=True)
class ScopeCoverage:
    """Everything a page needs about one scope: selections, per-commune coverage, key figures."""

    scope: Scope
    themes: tuple[str, ...]
    radius_km: float
    places: pd.DataFrame
    """Places of the selected themes located in the scope."""
    communes: pd.DataFrame
    """Communes of the scope."""
    coverage: pd.DataFrame
    """:func:`geo.analysis.coverage.coverage_of_points` of those communes."""
    qpv: pd.DataFrame
    qpv_coverage: pd.DataFrame
    figures: KeyFigures


def scope_coverage(atlas: Atlas, scope: Scope, themes: tuple[str, ...], radius_km: float) -> ScopeCoverage:
    """Coverage of ``scope`` by the places of ``themes`` (any theme if empty) within ``radius_km``.

    Places of the whole zone count for coverage (a commune at a border can be covered from
    the neighbouring territory); only places located in the scope are counted as its places.
    """
    zone_places = atlas.places[(atlas.places["zone"] == scope.zone) & theme_mask(atlas.places, themes)]
    in_scope = zone_places[scope.mask(zone_places)]
    communes = atlas.communes[scope.mask(atlas.communes)]
    coverage = coverage_of_points(communes, zone_places, radius_km)
    # Outlines when the optional QPV layer is loaded, commune-centroid points otherwise.
    qpv = scope_qpv(atlas, scope)
    qpv_cov = qpv_coverage(qpv, zone_places, radius_km)
    figures = key_figures(communes, coverage, len(in_scope), qpv, qpv_cov)
    return ScopeCoverage(scope, tuple(themes), radius_km, in_scope, communes, coverage, qpv, qpv_cov, figures)


def territory_table(result: ScopeCoverage, level: str) -> pd.DataFrame:
    """Per-territory coverage table of a scope at ``level`` (see :func:`aggregate_coverage`)."""
    return aggregate_coverage(result.communes, result.coverage, result.places, level)


@dataclass(frozen=True)
class Indicator:
    """A per-territory indicator a choropleth can show, and how to write its values in French."""

    code: str
    label: str
    """French label; ``{radius}`` is replaced by the distance (« 10 »)."""
    short_label: str
    kind: str
    """``"count"``, ``"rate"`` (one decimal), ``"share"`` (0–1, shown as %), ``"distance"`` (m → km)."""

    def title(self, radius_km: float) -> str:
        """The label with the distance filled in."""
        return self.label.format(radius=fr_radius(radius_km))

    def text(self, value: float | None) -> str:
        """``value`` formatted the French way for this indicator (« – » when missing)."""
        if self.kind == "share":
            return fr_percent(value)
        if self.kind == "rate":
            return fr_number(value, 1)
        if self.kind == "distance":
            return fr_km(value)
        return fr_number(value)


COVERAGE_INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "places_per_100k", "Tiers-lieux pour 100 000 habitants", "Tiers-lieux / 100 000 hab.", "rate"
        ),
        Indicator("places", "Nombre de tiers-lieux", "Tiers-lieux", "count"),
        Indicator(
            "share_covered",
            "Part de la population à moins de {radius} km d'un tiers-lieu",
            "Population couverte (%)",
            "share",
        ),
        Indicator(
            "population_covered",
            "Population à moins de {radius} km d'un tiers-lieu",
            "Population couverte",
            "count",
        ),
        Indicator(
            "population_uncovered",
            "Population à plus de {radius} km de tout tiers-lieu",
            "Population non couverte",
            "count",
        ),
        Indicator(
            "mean_distance_m",
            "Distance moyenne au tiers-lieu le plus proche (pondérée par la population)",
            "Distance moyenne",
            "distance",
        ),
    )
}
"""Indicators of the « Couverture » choropleth, in menu order (code → :class:`Indicator`)."""


def available_levels(scope: Scope) -> tuple[str, ...]:
    """Territory levels a choropleth of ``scope`` can use, coarsest first.

    Commune outlines only when the scope is a département or smaller (a DROM is one
    département), so that a national map never carries 35 000 polygons.
    """
    if scope.level == "zone":
        return ("reg", "dep", "epci") if scope.zone == "metro" else ("epci", "commune")
    return {"reg": ("dep", "epci"), "dep": ("epci", "commune"), "epci": ("commune",)}[scope.level]


def coverage_table(result: ScopeCoverage, level: str) -> pd.DataFrame:
    """:func:`territory_table` plus every column of :data:`COVERAGE_INDICATORS`.

    Adds ``population_uncovered``, ``mean_distance_m`` (population-weighted mean
    distance from each commune's representative point to the nearest place of the zone;
    NaN when a territory has no located, populated commune or its zone has no place) and
    ``communes_approximate`` (communes whose point may be far from their inhabitants, see
    :mod:`geo.io.commune_points`).

    Raises
    ------
    InvalidParameterError
        If ``level`` is not one of :data:`geo.territory.LEVEL_KEYS`.
    """
    table = territory_table(result, level)
    table["population_uncovered"] = table["population"] - table["population_covered"]
    key = LEVEL_KEYS[level]
    distance = result.coverage["distance_m"].to_numpy(dtype=float)
    population = result.communes["population"].to_numpy(dtype=float)
    usable = np.isfinite(distance) & (population > 0)
    codes, uniques = pd.factorize(result.communes[key])
    usable &= codes >= 0
    weighted = np.bincount(codes[usable], weights=(distance * population)[usable], minlength=len(uniques))
    weights = np.bincount(codes[usable], weights=population[usable], minlength=len(uniques))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_distance = pd.Series(np.where(weights > 0, weighted / weights, np.nan), index=pd.Index(uniques))
    table["mean_distance_m"] = mean_distance.reindex(table.index)
    approximate = (
        result.communes["point_approximate"].to_numpy(dtype=bool)
        if "point_approximate" in result.communes.columns
        else np.zeros(len(result.communes), dtype=bool)
    )
    flagged = np.bincount(codes[codes >= 0], weights=approximate[codes >= 0], minlength=len(uniques))
    table["communes_approximate"] = (
        pd.Series(flagged, index=pd.Index(uniques)).reindex(table.index).fillna(0).astype("int64")
    )
    return table


def territory_headers(level: str, radius_km: float) -> dict[str, str]:
    """French headers of the columns of :func:`coverage_table` shown to users, in display order."""
    radius = fr_radius(radius_km)
    return {
        "nom": LEVELS[level],
        "code": "Code",
        "population": "Population 2023",
        "places": "Tiers-lieux",
        "places_per_100k": "Pour 100 000 hab.",
        "population_covered": f"Population à moins de {radius} km",
        "share_covered": "Part couverte",
        "population_uncovered": f"Population à plus de {radius} km",
        "mean_distance_m": "Distance moyenne",
        "communes": "Communes",
        "communes_covered": "Communes couvertes",
        "communes_approximate": "Communes au point approximatif",
    }


def territory_display(table: pd.DataFrame, level: str, radius_km: float) -> tuple[pd.DataFrame, Styler]:
    """A :func:`coverage_table` (or :func:`territory_table`) for the screen: French headers, and a
    styler writing every number the French way. Returns the plain table (for exports) and the styler."""
    headers = {
        k: v for k, v in territory_headers(level, radius_km).items() if k in table.reset_index().columns
    }
    shown = table.reset_index()[list(headers)].rename(columns=headers)
    formats = {
        "population": fr_number,
        "places": fr_number,
        "places_per_100k": lambda v: fr_number(v, 1),
        "population_covered": fr_number,
        "share_covered": fr_percent,
        "population_uncovered": fr_number,
        "mean_distance_m": COVERAGE_INDICATORS["mean_distance_m"].text,
        "communes": fr_number,
        "communes_covered": fr_number,
        "communes_approximate": fr_number,
    }
    styled = shown.style.format({headers[c]: f for c, f in formats.items() if c in headers})
    return shown, styled


def unlocated_note(communes_unlocated: int) -> str:
    """Why some inhabitants count in the population but in no distance (communes without outline)."""
    if communes_unlocated == 1:
        return (
            "1 commune créée après 2018 n'a pas de contour dans les données : ses habitants comptent dans la "
            "population, pas dans les distances."
        )
    return (
        f"{fr_number(communes_unlocated)} communes créées après 2018 n'ont pas de contour dans les données : "
        "leurs habitants comptent dans la population, pas dans les distances."
    )
