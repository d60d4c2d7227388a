"""Coverage by type of territory: who is covered, and how many places, per class of each typology.

For a scope (:class:`geo.analysis.indicators.ScopeCoverage`), every commune falls in one class of each
typology of :mod:`geo.typologies`; this module sums, per class, the inhabitants, those within
the access distance of a tiers-lieu, and the places located there:

- ``densite``: the 7 levels of the INSEE grille communale de densité, grouped as INSEE does
  (urbain dense / intermédiaire / rural — rural being INSEE's definition of rural communes);
- ``centralite``: the ANCT – INRAE level of equipment and services;
- ``ruralite`` and ``massif``: for the **rural communes only**, the ANCT typologie des
  ruralités and the massifs of the loi Montagne.

The classes of a typology partition the communes considered, so each table sums to the
scope's totals (the rural ones to the rural communes' totals); a test checks it. The share
of places located in rural communes (:class:`RuralFigures`) uses :data:`RURAL_DEFINITION`, so
that it can be set beside national panoramas that use the same definition.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo._errors import InvalidParameterError
from geo._validate import check_choice
from geo.analysis.indicators import ScopeCoverage
from geo.fmt import fr_km
from geo.typologies import (
    CENTRALITY_LEVELS,
    DENSITY_GROUP_RURAL,
    DENSITY_GROUPS,
    DENSITY_LEVELS,
    MASSIFS,
    RURAL_DEFINITION,
    RURALITY_CLASSES,
    TYPOLOGY_SOURCES,
)

UNCLASSED = "Non classée"
"""Class of a commune missing from a typology (none in the bundled data): kept, so that no
inhabitant is dropped from the totals (a place whose commune is unknown counts in no class)."""


@dataclass(frozen=True)
class TypologyDimension:
    """One way of grouping communes by type."""

    code: str
    label: str
    """French name of the typology, for selectors and titles."""
    column: str
    """Column of the communes holding the class label."""
    classes: tuple[str, ...]
    """Class labels in display order."""
    rural_only: bool
    """Whether only the rural communes (:data:`RURAL_DEFINITION`) are grouped."""

    @property
    def source(self) -> str:
        """French credit of the typology."""
        return TYPOLOGY_SOURCES[self.code]


DIMENSIONS: dict[str, TypologyDimension] = {
    d.code: d
    for d in (
        TypologyDimension(
            "densite",
            "Densité (grille communale de l'INSEE, 7 niveaux)",
            "densite",
            tuple(DENSITY_LEVELS.values()),
            rural_only=False,
        ),
        TypologyDimension(
            "centralite",
            "Niveau d'équipements et de services (centralités ANCT – INRAE)",
            "centralite",
            tuple(CENTRALITY_LEVELS.values()),
            rural_only=False,
        ),
        TypologyDimension(
            "ruralite",
            "Typologie des ruralités (ANCT), communes rurales",
            "ruralite",
            tuple(RURALITY_CLASSES.values()),
            rural_only=True,
        ),
        TypologyDimension(
            "massif",
            "Massifs de la loi Montagne, communes rurales",
            "massif",
            tuple(MASSIFS.values()),
            rural_only=True,
        ),
    )
}
"""Typology code → :class:`TypologyDimension`, in menu order."""

TABLE_COLUMNS = (
    "classe",
    "groupe",
    "communes",
    "population",
    "share_population",
    "places",
    "share_places",
    "places_per_100k",
    "population_covered",
    "share_covered",
    "population_uncovered",
    "share_uncovered",
    "communes_uncovered",
)
"""Columns of :func:`coverage_by_type`."""


@dataclass(frozen=True)
class RuralFigures:
    """Inhabitants and places of the rural communes of a scope (:data:`RURAL_DEFINITION`)."""

    population: int
    rural_population: int
    rural_population_covered: int
    communes: int
    rural_communes: int
    rural_communes_uncovered: int
    places: int
    rural_places: int
    definition: str = RURAL_DEFINITION

    @property
    def rural_population_uncovered(self) -> int:
        """Rural inhabitants farther than the access distance from every tiers-lieu."""
        return self.rural_population - self.rural_population_covered

    @property
    def share_rural_uncovered(self) -> float:
        """Share of the rural inhabitants farther than the access distance (NaN without any)."""
        return self.rural_population_uncovered / self.rural_population if self.rural_population else np.nan

    @property
    def share_population_rural(self) -> float:
        """Share of the scope's inhabitants living in a rural commune."""
        return self.rural_population / self.population if self.population else np.nan

    @property
    def share_places_rural(self) -> float:
        """Share of the scope's places located in a rural commune (NaN without any place)."""
        return self.rural_places / self.places if self.places else np.nan


@dataclass(frozen=True)
class TypologyCoverage:
    """Coverage of one scope by type of territory: the rural figures and one table per typology."""

    radius_km: float
    rural: RuralFigures
    tables: dict[str, pd.DataFrame]
    """Typology code (:data:`DIMENSIONS`) → :func:`coverage_by_type`."""


def check_dimension(dimension: str) -> TypologyDimension:
    """The :class:`TypologyDimension` ``dimension``, or :class:`InvalidParameterError`."""
    check_choice(dimension, DIMENSIONS, "dimension")
    return DIMENSIONS[dimension]


def _rural(communes: pd.DataFrame) -> np.ndarray:
    return (communes["densite_groupe"] == DENSITY_GROUP_RURAL).to_numpy(dtype=bool)


def coverage_by_type(
    communes: pd.DataFrame, coverage: pd.DataFrame, places: pd.DataFrame, dimension: str
) -> pd.DataFrame:
    """Inhabitants covered and places per class of typology ``dimension``.

    Parameters
    ----------
    communes
        Communes of the scope, with ``population``, ``code_insee`` and the typology columns.
    coverage
        :func:`geo.analysis.coverage.coverage_of_points` of those communes (``covered``).
    places
        Places located in the scope (``code_insee``), counted in the class of their commune.
    dimension
        A key of :data:`DIMENSIONS`; for a ``rural_only`` one only the rural communes (and the
        places located in them) are grouped.

    Returns
    -------
    DataFrame with :data:`TABLE_COLUMNS`, one row per class holding communes, in display
    order: ``classe``, ``groupe`` (the INSEE group of a density level, else ``""``),
    ``communes``, ``population``, ``share_population`` (of the communes grouped),
    ``places``, ``share_places``, ``places_per_100k``, ``population_covered``,
    ``share_covered``, ``population_uncovered``, ``share_uncovered``, ``communes_uncovered``.
    Rates are NaN where the population (or the number of places) is zero.

    Raises
    ------
    InvalidParameterError
        For an unknown ``dimension``.
    """
    spec = check_dimension(dimension)
    kept = _rural(communes) if spec.rural_only else np.ones(len(communes), dtype=bool)
    classes = communes[spec.column].where(communes[spec.column] != "", UNCLASSED).to_numpy()[kept]
    population = communes["population"].to_numpy(dtype=float)[kept]
    covered = coverage["covered"].to_numpy(dtype=bool)[kept]
    class_of_commune = pd.Series(classes, index=pd.Index(communes["code_insee"].to_numpy()[kept]))
    place_classes = class_of_commune.reindex(pd.Index(places["code_insee"])).dropna()
    frame = pd.DataFrame({"classe": classes, "population": population, "covered": covered})
    frame["population_covered"] = np.where(covered, population, 0.0)
    grouped = frame.groupby("classe", sort=False).agg(
        communes=("population", "size"),
        population=("population", "sum"),
        population_covered=("population_covered", "sum"),
        communes_covered=("covered", "sum"),
    )
    grouped["places"] = place_classes.value_counts().reindex(grouped.index).fillna(0).astype("int64")
    order = [c for c in (*spec.classes, UNCLASSED) if c in grouped.index]
    table = grouped.loc[order].reset_index()
    level_of = {label: level for level, label in DENSITY_LEVELS.items()}
    groups = table["classe"].map(level_of).map(DENSITY_GROUPS).fillna("") if spec.code == "densite" else ""
    return _with_rates(table, groups)


def _with_rates(table: pd.DataFrame, groups: pd.Series | str) -> pd.DataFrame:
    """``table`` (``classe``, sums) with its rates, ``groupe`` and the :data:`TABLE_COLUMNS` order."""
    table["communes"] = table["communes"].astype("int64")
    table["population"] = table["population"].round().astype("int64")
    table["population_covered"] = table["population_covered"].round().astype("int64")
    table["population_uncovered"] = table["population"] - table["population_covered"]
    table["communes_uncovered"] = (table["communes"] - table["communes_covered"]).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        population = table["population"].where(table["population"] > 0).astype(float)
        total_population = float(table["population"].sum())
        total_places = float(table["places"].sum())
        table["share_population"] = table["population"] / total_population if total_population else np.nan
        table["share_places"] = table["places"] / total_places if total_places else np.nan
        table["places_per_100k"] = table["places"] / population * 100_000
        table["share_covered"] = table["population_covered"] / population
        table["share_uncovered"] = table["population_uncovered"] / population
    table["groupe"] = groups
    return table[list(TABLE_COLUMNS)]


def density_groups(table: pd.DataFrame) -> pd.DataFrame:
    """The INSEE groups (urbain dense, intermédiaire, rural) of a ``densite`` table, same columns.

    ``classe`` holds the group name and ``groupe`` too; rates are recomputed from the sums.
    """
    sums = table.groupby("groupe", sort=False)[
        ["communes", "population", "places", "population_covered", "communes_uncovered"]
    ].sum()
    sums["communes_covered"] = sums["communes"] - sums["communes_uncovered"]
    order = [g for g in dict.fromkeys(DENSITY_GROUPS.values()) if g in sums.index]
    grouped = sums.loc[order].drop(columns="communes_uncovered").rename_axis("classe").reset_index()
    return _with_rates(grouped, grouped["classe"])


def rural_figures(communes: pd.DataFrame, coverage: pd.DataFrame, places: pd.DataFrame) -> RuralFigures:
    """:class:`RuralFigures` of a scope's communes (with their coverage) and places located there."""
    rural = _rural(communes)
    population = communes["population"].to_numpy(dtype=float)
    covered = coverage["covered"].to_numpy(dtype=bool)
    # An index lookup of the (unique) codes: Series.isin on Arrow strings is 40× slower.
    rural_codes = pd.Index(communes["code_insee"][rural])
    return RuralFigures(
        population=int(population.sum()),
        rural_population=int(population[rural].sum()),
        rural_population_covered=int(population[rural & covered].sum()),
        communes=len(communes),
        rural_communes=int(rural.sum()),
        rural_communes_uncovered=int((rural & ~covered).sum()),
        places=len(places),
        rural_places=int((rural_codes.get_indexer(places["code_insee"]) >= 0).sum()),
    )


def typology_coverage(result: ScopeCoverage) -> TypologyCoverage:
    """Coverage of ``result``'s scope by type of territory: rural figures and every typology table."""
    tables = {
        code: coverage_by_type(result.communes, result.coverage, result.places, code) for code in DIMENSIONS
    }
    rural = rural_figures(result.communes, result.coverage, result.places)
    return TypologyCoverage(radius_km=result.radius_km, rural=rural, tables=tables)


def _total_row(table: pd.DataFrame, label: str) -> pd.DataFrame:
    sums = table[["communes", "population", "places", "population_covered", "communes_uncovered"]].sum()
    row = pd.DataFrame([{"classe": label, **sums.to_dict()}])
    row["communes_covered"] = row["communes"] - row["communes_uncovered"]
    out = _with_rates(row.drop(columns="communes_uncovered"), "")
    # Shares of a total row are of the whole table: 100 % by construction.
    out["share_population"] = 1.0 if sums["population"] else np.nan
    out["share_places"] = 1.0 if sums["places"] else np.nan
    return out


def typology_table(coverage: TypologyCoverage, dimension: str, *, radius_label: str) -> pd.DataFrame:
    """The table of ``dimension`` as shown and exported: French headers, totals, plain numbers.

    The density table lists the 7 levels, then the three INSEE groups (« Total rural »…) and
    « Ensemble »; the others list their classes and « Ensemble » (« Ensemble des communes
    rurales » for the rural-only typologies). Shares are in 0–1.

    Raises
    ------
    InvalidParameterError
        For an unknown ``dimension``.
    """
    spec = check_dimension(dimension)
    table = coverage.tables[dimension]
    parts = [table]
    if dimension == "densite":
        groups = density_groups(table)
        groups["classe"] = "Total " + groups["classe"].str.lower()
        parts.append(groups)
    parts.append(_total_row(table, "Ensemble des communes rurales" if spec.rural_only else "Ensemble"))
    shown = pd.concat(parts, ignore_index=True)
    headers = {
        "classe": "Type de communes",
        "groupe": "Groupe (INSEE)",
        "population": "Population 2023",
        "share_population": "Part de la population",
        "share_covered": f"Part à moins de {radius_label}",
        "population_uncovered": f"Habitants à plus de {radius_label}",
        "places": "Tiers-lieux",
        "places_per_100k": "Tiers-lieux pour 100 000 hab.",
        "share_places": "Part des tiers-lieux",
        "communes": "Communes",
        "communes_uncovered": f"Communes à plus de {radius_label}",
        "population_covered": f"Habitants à moins de {radius_label}",
        "share_uncovered": f"Part à plus de {radius_label}",
    }
    if dimension != "densite":
        del headers["groupe"]
    return shown[list(headers)].rename(columns=headers)


SHARE_HEADERS = ("Part de la population", "Part des tiers-lieux", "Part à moins de", "Part à plus de")
"""Beginnings of the headers of :func:`typology_table` holding shares (0–1)."""


APPROXIMATE_POINT = "approximatif"
"""First word of the « Point représentatif » line of :func:`commune_types_table` when the
commune's point may be far from its inhabitants (its distances are then approximate)."""


def _point_text(row: pd.Series) -> str:
    """How far a commune's point may be from its inhabitants, as the bundled addresses tell it."""
    if bool(row["point_approximate"]):
        return f"{APPROXIMATE_POINT} : {row['point_note']}"
    if int(row.get("point_evidence_count", 0) or 0) > 0 and pd.notna(row.get("point_evidence_m")):
        return f"à {fr_km(float(row['point_evidence_m']))} de l'adresse connue la plus proche dans la commune"
    extent = row.get("point_extent_m")
    if pd.notna(extent):
        return f"aucune adresse connue ; la commune s'étend à {fr_km(float(extent))} au plus de son point"
    return "aucune adresse connue dans la commune"


def commune_types_table(communes: pd.DataFrame, code_insee: str) -> pd.DataFrame:
    """The classes of one commune in each typology, and how far its point may be from its inhabitants.

    Returns
    -------
    DataFrame with ``Typologie``, ``Classe`` and ``Source`` (French), one row per typology plus
    one for the commune's point (:mod:`geo.io.commune_points`).

    Raises
    ------
    InvalidParameterError
        If ``code_insee`` is not a commune of ``communes``.
    """
    rows = communes[communes["code_insee"] == code_insee]
    if rows.empty:
        raise InvalidParameterError(
            f"`code_insee` « {code_insee} » n'est pas une commune des données chargées"
        )
    row = rows.iloc[0]
    rural = row["densite_groupe"] == DENSITY_GROUP_RURAL
    lines = [
        ("Densité (grille INSEE)", f"{row['densite']} ({str(row['densite_groupe']).lower()})", "densite"),
        ("Niveau d'équipements et de services", str(row["centralite"]), "centralite"),
        ("Typologie des ruralités", str(row["ruralite"]) if rural else "commune non rurale", "ruralite"),
        ("Massif (loi Montagne)", str(row["massif"]), "massif"),
    ]
    table = pd.DataFrame(
        {
            "Typologie": [label for label, _, _ in lines],
            "Classe": [value for _, value, _ in lines],
            "Source": [TYPOLOGY_SOURCES[source] for _, _, source in lines],
        }
    )
    if "point_approximate" in rows.columns:
        table.loc[len(table)] = ["Point représentatif de la commune", _point_text(row), "calcul de l'Atlas"]
    return table
