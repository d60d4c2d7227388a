"""Key figures of a scope: what the overview shows, computed once here for every page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.atlas import Atlas
from geo.coverage import aggregate_coverage, coverage_of_points
from geo.gaps import qpv_coverage, scope_qpv
from geo.territory import Scope
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
    """:func:`geo.coverage.coverage_of_points` of those communes."""
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
    population = int(communes["population"].sum())
    covered_pop = int((communes["population"] * coverage["covered"]).sum())
    figures = KeyFigures(
        n_places=len(in_scope),
        population=population,
        places_per_100k=len(in_scope) / population * 100_000 if population else float("nan"),
        population_covered=covered_pop,
        share_covered=covered_pop / population if population else float("nan"),
        acv_total=int(communes["acv"].sum()),
        acv_covered=int((communes["acv"] & coverage["covered"]).sum()),
        pvd_total=int(communes["pvd"].sum()),
        pvd_covered=int((communes["pvd"] & coverage["covered"]).sum()),
        qpv_total=len(qpv),
        qpv_covered=int(qpv_cov["covered"].sum()),
        qpv_approximate=int((qpv["location_precision"] != "polygone").sum()),
        communes_unlocated=int(communes["x_m"].isna().sum()),
    )
    return ScopeCoverage(scope, tuple(themes), radius_km, in_scope, communes, coverage, qpv, qpv_cov, figures)


def territory_table(result: ScopeCoverage, level: str) -> pd.DataFrame:
    """Per-territory coverage table of a scope at ``level`` (see :func:`aggregate_coverage`)."""
    return aggregate_coverage(result.communes, result.coverage, result.places, level)
