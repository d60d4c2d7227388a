"""Thematic indicators: places, density and coverage per theme, theme mix against references, gaps.

The distance from every commune and every QPV to the nearest place of each theme does not
depend on the scope nor on the distance chosen: :func:`theme_distances` computes it once per
places table, and every indicator below is then a mask and a threshold on that table.

A place can carry several themes, so theme counts do not add up to the number of places, and
the « mix » of a territory is the share of its places carrying each theme (shares can sum to
more than 100 %). Themes from keyword rules are indicative (see :mod:`geo.themes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo._errors import InvalidParameterError
from geo._validate import check_choice, check_choices, check_positive
from geo.analysis.coverage import check_radius, nearest_distance_m
from geo.analysis.gaps import PROGRAMMES
from geo.crs import km_rounded
from geo.fmt import fr_number, fr_percent, fr_radius
from geo.io.atlas import Atlas, qpv_touching
from geo.territory import LEVEL_KEYS, LEVEL_NAMES, LEVELS, Scope, scope_label
from geo.themes import (
    ALL_PLACES,
    ROUTES,
    THEME_SHORT_LABELS,
    THEMES,
    insufficient_label,
    route_counts,
    theme_label,
    theme_mask,
)
from geo.typologies import CommuneTypes

REFERENCES: dict[str, str] = {"scope": "Périmètre", "region": "Région", "national": "France entière"}
"""Reference territories of the theme mix, in display order."""

UNDER_REPRESENTED_INDEX = 80.0
"""A theme is flagged under-represented when its share of places is below 80 % of the national share."""

MIN_THEME_PLACES = 10
"""Fewer places of a theme than this in the area looked at: its figures are not findings."""

MIN_THEME_SHARE = 0.03
"""A theme carried by less than this share of the area's places is not a finding either: the lists
(CGET 2019, ANCT programmes) mostly record coworkings and fablabs, so a rare theme there says
more about the lists than about the territory."""


@dataclass(frozen=True)
class SupportRule:
    """When the places of a theme are enough for its figures to be findings."""

    min_places: int = MIN_THEME_PLACES
    min_share: float = MIN_THEME_SHARE

    def enough(self, places: float, total: float) -> bool:
        """Whether ``places`` of a theme among ``total`` places are enough."""
        return places >= self.min_places and (places / total if total else 0.0) >= self.min_share

    def describe(self) -> str:
        """The rule in French, for help texts and exports."""
        return (
            f"au moins {fr_number(self.min_places)} lieux du thème dans le territoire et au moins "
            f"{fr_percent(self.min_share, 0)} de ses tiers-lieux"
        )


SUPPORT_RULE = SupportRule()
"""The rule applied by the pages, the exports and the briefing pack."""

PRIORITY_KINDS: dict[str, str] = dict(PROGRAMMES)
"""Kinds of priority territories examined by :func:`thematic_gaps` (same labels as « Zones blanches »)."""

BOTH_PROGRAMMES = "ACV + PVD"
"""Kind label of a commune in both the ACV and the PVD programmes."""

GAP_MODES: dict[str, str] = {
    "all": "aucun lieu d'aucun des thèmes manquants",
    "any": "au moins un des thèmes manquants absent",
}

_NO_THEME = "`themes` est vide : choisissez au moins un thème."
_NO_MISSING_THEME = "`missing` est vide : choisissez au moins un thème manquant."


@dataclass(frozen=True)
class ThemeDistances:
    """Distance (metres, inf when the zone has none) to the nearest place of each theme.

    ``communes`` is indexed like ``atlas.communes`` and ``qpv`` like ``atlas.qpv``; both have
    one column per theme code plus :data:`ALL_PLACES`.
    """

    communes: pd.DataFrame
    qpv: pd.DataFrame


def theme_distances(atlas: Atlas) -> ThemeDistances:
    """Distances from every commune and QPV point to the nearest place of each theme (same zone).

    Parameters
    ----------
    atlas
        The loaded data; its places may be a user's import.

    Returns
    -------
    ThemeDistances
        Computed once per places table (about 0,15 s for the bundled data), then reused.
    """
    places = atlas.places
    subsets = {ALL_PLACES: places, **{t: places[theme_mask(places, [t])] for t in THEMES}}
    communes = pd.DataFrame(
        {k: nearest_distance_m(atlas.communes, subset) for k, subset in subsets.items()},
        index=atlas.communes.index,
    )
    qpv = pd.DataFrame(
        {k: nearest_distance_m(atlas.qpv, subset) for k, subset in subsets.items()},
        index=atlas.qpv.index,
    )
    return ThemeDistances(communes=communes, qpv=qpv)


@dataclass(frozen=True)
class ThemeSupport:
    """How many places of an area carry a theme, by which route, and whether that is enough."""

    theme: str
    places: int
    """Places of the area carrying the theme."""
    total: int
    """Places of the area (all themes)."""
    by_route: dict[str, int]
    """Route (:data:`geo.themes.ROUTES`) → places carrying the theme by that route."""
    rule: SupportRule = SUPPORT_RULE

    @property
    def share(self) -> float:
        """Share of the area's places carrying the theme (0 when the area has none)."""
        return self.places / self.total if self.total else 0.0

    @property
    def sufficient(self) -> bool:
        """Whether the theme's figures are findings (:attr:`rule`)."""
        return self.rule.enough(self.places, self.total)

    @property
    def verdict(self) -> str:
        """« suffisant » or « données insuffisantes (3 lieux) »."""
        return "suffisant" if self.sufficient else insufficient_label(self.places)


def gap_themes_warning(support: dict[str, ThemeSupport], themes: Sequence[str]) -> str:
    """Why a thematic gap list on ``themes`` is no finding (too few places of one of them), or ``""``.

    ``themes`` may hold :data:`~geo.themes.ALL_PLACES`, which is always enough.
    """
    thin = [t for t in themes if t != ALL_PLACES and not support[t].sufficient]
    if not thin:
        return ""
    reasons = " ; ".join(f"{theme_label(t)} : {support[t].verdict} dans le périmètre" for t in thin)
    return f"{reasons}. Cette liste n'est pas un constat : il faut {SUPPORT_RULE.describe()}."


def theme_support(
    places: pd.DataFrame, themes: Sequence[str] = tuple(THEMES), *, rule: SupportRule = SUPPORT_RULE
) -> dict[str, ThemeSupport]:
    """For each theme, how many of ``places`` carry it and by which route, and if that is enough.

    Parameters
    ----------
    places
        The places of the area looked at (a scope, a territory).
    themes
        Theme codes (default: all six).
    rule
        When the places are enough (:data:`SUPPORT_RULE` by default).
    """
    selected = check_choices(themes, THEMES, "themes")
    counts = route_counts(places)
    return {
        theme: ThemeSupport(
            theme=theme,
            places=int(counts.at[theme, "total"]),
            total=len(places),
            by_route={route: int(counts.at[theme, route]) for route in ROUTES},
            rule=rule,
        )
        for theme in selected
    }


def support_for_display(support: dict[str, ThemeSupport]) -> pd.DataFrame:
    """French table of :func:`theme_support`: places per theme and route, and the verdict."""
    return pd.DataFrame(
        {
            "Thème": [theme_label(t) for t in support],
            "Lieux du thème": [s.places for s in support.values()],
            "Part des tiers-lieux (%)": [round(100 * s.share, 1) for s in support.values()],
            **{
                f"dont {ROUTE_PHRASES[route]}": [s.by_route[route] for s in support.values()]
                for route in ROUTES
            },
            "Chiffres du thème": [s.verdict for s in support.values()],
        }
    )


def _aggregate(
    communes: pd.DataFrame,
    distances: pd.DataFrame,
    places: pd.DataFrame,
    *,
    commune_keys: pd.Series,
    place_keys: pd.Series,
    radius_km: float,
    themes: tuple[str, ...],
) -> pd.DataFrame:
    """Per-group figures for each theme: long table (``code``, ``theme`` + figures)."""
    population = communes["population"].to_numpy(dtype=float)
    covered = distances[list(themes)].to_numpy() <= radius_km * 1000.0
    frame = pd.DataFrame(covered * population[:, None], columns=list(themes), index=communes.index)
    frame["_population"] = population
    sums = frame.groupby(commune_keys.to_numpy(), sort=True).sum()
    flags = pd.DataFrame({t: (places[f"theme_{t}"] != "").to_numpy() for t in themes})
    flags["_all"] = True
    counts = flags.groupby(place_keys.to_numpy()).sum().reindex(sums.index).fillna(0).astype(int)
    long = (
        sums[list(themes)]
        .rename_axis(index="code", columns="theme")
        .stack()
        .rename("population_covered")
        .reset_index()
    )
    long["population"] = sums["_population"].reindex(long["code"]).to_numpy()
    long["places"] = (
        counts[list(themes)].stack().reindex(pd.MultiIndex.from_frame(long[["code", "theme"]])).to_numpy()
    )
    long["places_all_themes"] = counts["_all"].reindex(long["code"]).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        population_ok = long["population"].where(long["population"] > 0)
        long["places_per_100k"] = long["places"] / population_ok * 100_000
        long["share_covered"] = long["population_covered"] / population_ok
        long["mix_share"] = long["places"] / long["places_all_themes"].where(long["places_all_themes"] > 0)
    return long


_FIGURES = [
    "population",
    "places",
    "places_per_100k",
    "population_covered",
    "share_covered",
    "places_all_themes",
    "mix_share",
]


def theme_indicators(
    atlas: Atlas,
    distances: ThemeDistances,
    scope: Scope,
    radius_km: float,
    *,
    level: str,
    themes: Sequence[str] = tuple(THEMES),
    rule: SupportRule = SUPPORT_RULE,
) -> pd.DataFrame:
    """Per-theme figures for each territory of ``level`` inside ``scope``.

    Parameters
    ----------
    atlas, distances
        The data and its :func:`theme_distances`.
    scope
        The territory looked at; its communes are grouped by ``level``.
    radius_km
        Coverage distance (inclusive), as the crow flies from each commune's representative point.
    level
        ``"reg"``, ``"dep"``, ``"epci"`` or ``"commune"``.
    themes
        Theme codes (default: all six).
    rule
        When a theme's places in the scope are enough (:data:`SUPPORT_RULE`).

    Returns
    -------
    DataFrame
        One row per territory and theme: ``code``, ``nom``, ``theme``, ``population``,
        ``places`` (places of the theme located in the territory), ``places_per_100k``,
        ``population_covered``, ``share_covered`` (0–1), ``places_all_themes``,
        ``mix_share`` (share of the territory's places carrying the theme), and for the scope as a
        whole ``scope_theme_places`` and ``sufficient`` (:func:`theme_support`: a theme without
        enough places in the scope gives no finding). Rates are NaN where the population (or the
        number of places) is zero.

    Raises
    ------
    InvalidParameterError
        For an unknown level or theme, or a non-positive distance.
    """
    check_choice(level, LEVEL_KEYS, "level")
    check_radius(radius_km)
    selected = check_choices(themes, THEMES, "themes", non_empty_message=_NO_THEME)
    in_scope = scope.mask(atlas.communes)
    communes = atlas.communes[in_scope]
    places = atlas.places[scope.mask(atlas.places)]
    key, name = LEVEL_KEYS[level], LEVEL_NAMES[level]
    long = _aggregate(
        communes,
        distances.communes[in_scope],
        places,
        commune_keys=communes[key],
        place_keys=places[key],
        radius_km=radius_km,
        themes=selected,
    )
    names = communes.groupby(key, sort=False)[name].first()
    long.insert(1, "nom", names.reindex(long["code"]).to_numpy())
    support = theme_support(places, selected, rule=rule)
    long["scope_theme_places"] = long["theme"].map({t: s.places for t, s in support.items()})
    long["sufficient"] = long["theme"].map({t: s.sufficient for t, s in support.items()}).astype(bool)
    return long[["code", "nom", "theme", *_FIGURES, "scope_theme_places", "sufficient"]]


def _reference_scopes(atlas: Atlas, scope: Scope) -> dict[str, Scope | None]:
    """The scope itself, its région (None when absent or equal to the scope), and France."""
    region: Scope | None = None
    if scope.reg:
        region = Scope(scope.zone, scope.reg, types=scope.types)
    elif scope.level != "zone" or scope.zone != "metro":
        regs = atlas.communes.loc[scope.mask(atlas.communes), "reg"]
        if len(regs):
            region = Scope(scope.zone, str(regs.mode().iloc[0]), types=scope.types)
    if region is not None and region.mask(atlas.communes).sum() == scope.mask(atlas.communes).sum():
        region = None  # the scope is its région (or a DROM): no separate regional reference
    return {"scope": scope, "region": region, "national": None}


def theme_mix_comparison(
    atlas: Atlas,
    distances: ThemeDistances,
    scope: Scope,
    radius_km: float,
    *,
    themes: Sequence[str] = tuple(THEMES),
    threshold_index: float = UNDER_REPRESENTED_INDEX,
    rule: SupportRule = SUPPORT_RULE,
) -> pd.DataFrame:
    """Theme figures of ``scope`` beside its région and France, with under-representation flags.

    A scope narrowed to types of communes (``scope.types``) is compared with the communes of the
    same types in its région and in France: « the national share » below is theirs.

    Parameters
    ----------
    atlas, distances, scope, radius_km, themes
        As in :func:`theme_indicators`.
    threshold_index
        A theme is under-represented when ``index_vs_national`` (100 × the scope's share of
        places carrying it / the national share) is below this value.
    rule
        When a theme's places are enough for a finding (:data:`SUPPORT_RULE`).

    Returns
    -------
    DataFrame
        One row per theme and reference (``reference`` in :data:`REFERENCES`, ``territoire``
        its name), with the figures of :func:`theme_indicators`, plus on every row
        ``expected_places`` (the scope's places × the national share), ``index_vs_national``,
        ``sufficient`` (the row's figures are findings: enough places of the theme in that
        reference, by ``rule``; for the scope's index, a sound national mix and at least
        ``rule.min_places`` places found or expected) and
        ``under_represented`` (bool, only on sufficient ``scope`` rows). The région rows are
        absent when the scope is metropolitan France or is itself a région.
    """
    check_radius(radius_km)
    check_positive(threshold_index, "threshold_index")
    selected = check_choices(themes, THEMES, "themes", non_empty_message=_NO_THEME)
    table = pd.concat(
        [
            _reference_figures(
                atlas,
                distances,
                reference,
                ref_scope,
                radius_km=radius_km,
                themes=selected,
                types=scope.types,
            )
            for reference, ref_scope in _reference_scopes(atlas, scope).items()
            if reference != "region" or ref_scope is not None
        ],
        ignore_index=True,
    )
    table = _with_national_index(table)
    table["sufficient"] = _comparison_sufficient(table, rule)
    table["under_represented"] = (
        (table["reference"] == "scope") & table["sufficient"] & (table["index_vs_national"] < threshold_index)
    )
    return table[
        [
            "reference",
            "territoire",
            "theme",
            *_FIGURES,
            "expected_places",
            "index_vs_national",
            "sufficient",
            "under_represented",
        ]
    ]


def _reference_figures(
    atlas: Atlas,
    distances: ThemeDistances,
    reference: str,
    ref_scope: Scope | None,
    *,
    radius_km: float,
    themes: tuple[str, ...],
    types: CommuneTypes,
) -> pd.DataFrame:
    """:func:`_aggregate` of one reference (``None``: France as a whole, its communes of ``types`` when
    the scope has types, so that the scope is compared with the same kind of communes), with its
    ``territoire`` name."""
    if ref_scope is None:
        communes_mask = types.mask(atlas.communes) if types else pd.Series(True, index=atlas.communes.index)
        places = atlas.places[types.mask(atlas.places)] if types else atlas.places
        label = f"{REFERENCES['national']} ({types.describe()})" if types else REFERENCES["national"]
    else:
        communes_mask = ref_scope.mask(atlas.communes)
        places = atlas.places[ref_scope.mask(atlas.places)]
        label = scope_label(ref_scope, atlas.communes)
    communes = atlas.communes[communes_mask]
    long = _aggregate(
        communes,
        distances.communes[communes_mask],
        places,
        commune_keys=pd.Series(reference, index=communes.index),
        place_keys=pd.Series(reference, index=places.index),
        radius_km=radius_km,
        themes=themes,
    )
    long = long.rename(columns={"code": "reference"})
    long.insert(1, "territoire", label)
    return long


def _with_national_index(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``expected_places`` and ``index_vs_national`` (100 × the row's mix share / the national one)."""
    national = table[table["reference"] == "national"].set_index("theme")["mix_share"]
    scope_places = table[table["reference"] == "scope"].set_index("theme")["places_all_themes"]
    table["expected_places"] = table["theme"].map(national * scope_places)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["index_vs_national"] = (
            100 * table["mix_share"] / table["theme"].map(national.where(national > 0))
        )
    return table


def _comparison_sufficient(table: pd.DataFrame, rule: SupportRule) -> pd.Series:
    """Whether each row's figures are findings: its own places of the theme are enough, and for the
    scope's index the national mix is sound and the scope holds or should hold enough places."""
    own = pd.Series(
        [rule.enough(n, total) for n, total in zip(table["places"], table["places_all_themes"], strict=True)],
        index=table.index,
    )
    is_national = table["reference"] == "national"
    national_ok = table["theme"].map(
        dict(zip(table.loc[is_national, "theme"], own[is_national], strict=True))
    )
    expected_enough = table[["places", "expected_places"]].max(axis=1) >= rule.min_places
    scope_ok = national_ok.fillna(False).astype(bool) & expected_enough
    return pd.Series(np.where(table["reference"] == "scope", scope_ok, own), index=table.index, dtype=bool)


def under_represented_themes(comparison: pd.DataFrame) -> list[str]:
    """Theme codes flagged under-represented in the scope, most under-represented first."""
    rows = comparison[(comparison["reference"] == "scope") & comparison["under_represented"]]
    return rows.sort_values(["index_vs_national", "theme"])["theme"].tolist()


def thematic_gaps(
    atlas: Atlas,
    distances: ThemeDistances,
    scope: Scope,
    radius_km: float,
    *,
    present: Sequence[str],
    missing: Sequence[str],
    how: str = "all",
    kinds: Sequence[str] = tuple(PRIORITY_KINDS),
) -> pd.DataFrame:
    """Priority territories covered for one theme but not for another, most deprived first.

    Parameters
    ----------
    atlas, distances, scope, radius_km
        As in :func:`theme_indicators`.
    present
        Themes of which at least one place must lie within ``radius_km`` (``"tous"`` = any
        tiers-lieu); empty = no condition.
    missing
        Themes that must be absent within ``radius_km`` (at least one).
    how
        ``"all"``: none of the ``missing`` themes within reach (e.g. neither food nor reuse);
        ``"any"``: at least one of them out of reach.
    kinds
        Priority territories to examine: ``"acv"``, ``"pvd"`` (communes) and ``"qpv"``
        (quartiers, located at their commune's centroid: approximate).

    Returns
    -------
    DataFrame
        ``rang``, ``kind`` (labels of :data:`PRIORITY_KINDS`, « ACV + PVD » style when both),
        ``code``, ``nom``, ``commune``, ``dep``, ``population`` (communes only),
        ``distance_present_m``, ``distance_missing_m`` (nearest of the missing themes) and one
        ``distance_<theme>_m`` column per missing theme; ranked by ``distance_missing_m``
        (descending: inf when the zone has none), then population.

    Raises
    ------
    InvalidParameterError
        For unknown themes or kinds, an empty ``missing``, a theme both present and missing,
        an unknown ``how`` or a non-positive distance.
    """
    check_radius(radius_km)
    present_t, missing_t = _checked_gap_themes(present, missing)
    check_choice(how, GAP_MODES, "how")
    check_choices(kinds, PRIORITY_KINDS, "kinds")
    communes = atlas.communes[scope.mask(atlas.communes)]
    frames = [
        _gap_rows(rows, distances_of_rows, present_t, missing_t)
        for rows, distances_of_rows in (
            _priority_communes(communes, distances, kinds),
            _priority_qpv(atlas, scope, communes, distances, kinds),
        )
        if len(rows)
    ]
    columns = [
        "kind",
        "code",
        "nom",
        "commune",
        "dep",
        "population",
        "distance_present_m",
        "distance_missing_m",
        *[f"distance_{t}_m" for t in missing_t],
    ]
    if not frames:
        return pd.DataFrame(columns=["rang", *columns])
    table = _lacking(pd.concat(frames, ignore_index=True), radius_km * 1000.0, present_t, missing_t, how)
    table = table.sort_values(
        ["distance_missing_m", "population", "code"], ascending=[False, False, True], na_position="last"
    )
    table.insert(0, "rang", np.arange(1, len(table) + 1))
    return table[["rang", *columns]].reset_index(drop=True)


def _checked_gap_themes(
    present: Sequence[str], missing: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    present_t = check_choices(present, (ALL_PLACES, *THEMES), "present")
    missing_t = check_choices(missing, THEMES, "missing", non_empty_message=_NO_MISSING_THEME)
    overlap = sorted(set(present_t) & set(missing_t))
    if overlap:
        raise InvalidParameterError(f"Un thème ne peut pas être à la fois présent et manquant ({overlap}).")
    return present_t, missing_t


def _priority_communes(
    communes: pd.DataFrame, distances: ThemeDistances, kinds: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ACV / PVD communes of ``kinds`` among ``communes``, labelled, and their theme distances."""
    wanted = pd.Series(False, index=communes.index)
    for kind in ("acv", "pvd"):
        if kind in kinds:
            wanted |= communes[kind]
    rows = communes[wanted]
    labels = np.where(
        rows["acv"] & rows["pvd"] & ("acv" in kinds) & ("pvd" in kinds),
        BOTH_PROGRAMMES,
        np.where(rows["acv"] & ("acv" in kinds), PRIORITY_KINDS["acv"], PRIORITY_KINDS["pvd"]),
    )
    labelled = rows.assign(kind=labels, commune=rows["nom"], code=rows["code_insee"])
    return labelled, distances.communes.loc[rows.index]


def _priority_qpv(
    atlas: Atlas, scope: Scope, communes: pd.DataFrame, distances: ThemeDistances, kinds: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The QPV touching ``communes`` (none unless ``kinds`` has ``"qpv"``), labelled, and their distances."""
    qpv = atlas.qpv[atlas.qpv["zone"] == scope.zone]
    if "qpv" not in kinds:
        qpv = qpv.iloc[0:0]
    elif not scope.whole_zone:
        qpv = qpv[qpv_touching(qpv, communes["code_insee"])]
    labelled = qpv.assign(
        kind=PRIORITY_KINDS["qpv"],
        code=qpv["code_qp"],
        nom=qpv["lib_qp"],
        commune=qpv["lib_com"],
        population=np.nan,
    )
    return labelled, distances.qpv.loc[qpv.index]


def _lacking(
    table: pd.DataFrame, limit_m: float, present: tuple[str, ...], missing: tuple[str, ...], how: str
) -> pd.DataFrame:
    """Rows with a ``present`` theme within ``limit_m`` (if any asked) and the ``missing`` ones out of it."""
    if present:
        table = table[table["distance_present_m"] <= limit_m]
    out_of_reach = table[[f"distance_{t}_m" for t in missing]].to_numpy() > limit_m
    lacking = out_of_reach.all(axis=1) if how == "all" else out_of_reach.any(axis=1)
    return table[lacking]


def _gap_rows(
    rows: pd.DataFrame, distances: pd.DataFrame, present: tuple[str, ...], missing: tuple[str, ...]
) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "kind": rows["kind"].to_numpy(),
            "code": rows["code"].to_numpy(),
            "nom": rows["nom"].to_numpy(),
            "commune": rows["commune"].to_numpy(),
            "dep": rows["dep"].to_numpy(),
            "population": rows["population"].to_numpy(dtype=float),
            "distance_present_m": (
                distances[list(present)].min(axis=1).to_numpy() if present else np.full(len(rows), np.nan)
            ),
            "distance_missing_m": distances[list(missing)].min(axis=1).to_numpy(),
        }
    )
    for theme in missing:
        out[f"distance_{theme}_m"] = distances[theme].to_numpy()
    return out


def gap_summary(gaps: pd.DataFrame) -> dict[str, int]:
    """Number of gap rows per kind code of :data:`PRIORITY_KINDS` (« ACV + PVD » counts in both)."""
    kinds = gaps["kind"].astype(str)
    both = int((kinds == BOTH_PROGRAMMES).sum())
    return {
        code: int((kinds == label).sum()) + (both if code in ("acv", "pvd") else 0)
        for code, label in PRIORITY_KINDS.items()
    }


def indicators_for_export(table: pd.DataFrame, *, level: str, radius_km: float) -> pd.DataFrame:
    """French-labelled copy of :func:`theme_indicators` output for CSV / Excel exports."""
    check_choice(level, LEVEL_KEYS, "level")
    radius = fr_radius(radius_km)
    return pd.DataFrame(
        {
            LEVELS[level]: table["nom"],
            f"Code ({LEVELS[level]})": table["code"],
            "Thème": table["theme"].map(theme_label),
            "Population (2023)": table["population"].round().astype("Int64"),
            "Tiers-lieux du thème": table["places"],
            "Pour 100 000 habitants": table["places_per_100k"].round(2),
            f"Population à moins de {radius} km": table["population_covered"].round().astype("Int64"),
            f"Part de la population à moins de {radius} km (%)": (100 * table["share_covered"]).round(1),
            "Part des tiers-lieux du territoire portant le thème (%)": (100 * table["mix_share"]).round(1),
            "Thème dans le périmètre": [
                "lieux suffisants" if ok else insufficient_label(int(n))
                for ok, n in zip(table["sufficient"], table["scope_theme_places"], strict=True)
            ],
        }
    )


def comparison_for_export(comparison: pd.DataFrame, *, radius_km: float) -> pd.DataFrame:
    """French-labelled copy of :func:`theme_mix_comparison` output."""
    radius = fr_radius(radius_km)
    is_scope = comparison["reference"] == "scope"
    return pd.DataFrame(
        {
            "Référence": comparison["reference"].map(REFERENCES),
            "Territoire": comparison["territoire"],
            "Thème": comparison["theme"].map(theme_label),
            "Tiers-lieux du thème": comparison["places"],
            "Tiers-lieux (tous thèmes)": comparison["places_all_themes"],
            "Part des tiers-lieux portant le thème (%)": (100 * comparison["mix_share"]).round(1),
            "Pour 100 000 habitants": comparison["places_per_100k"].round(2),
            f"Part de la population à moins de {radius} km (%)": (100 * comparison["share_covered"]).round(1),
            "Tiers-lieux attendus au mix national": comparison["expected_places"].round(1),
            "Indice vs mix national (100 = France)": comparison["index_vs_national"]
            .round(0)
            .where(comparison["sufficient"]),
            "Sous-représenté": np.where(
                is_scope, np.where(comparison["under_represented"], "oui", "non"), ""
            ),
            "Constat possible": [
                "oui" if ok else insufficient_label(int(n))
                for ok, n in zip(comparison["sufficient"], comparison["places"], strict=True)
            ],
        }
    )


def gaps_for_export(gaps: pd.DataFrame, *, present: Sequence[str], missing: Sequence[str]) -> pd.DataFrame:
    """French-labelled copy of :func:`thematic_gaps` output, distances in km (empty = none in the zone)."""
    present_label = " ou ".join(theme_label(t) for t in present) or "–"
    out = pd.DataFrame(
        {
            "Rang": gaps["rang"],
            "Nom": gaps["nom"],
            "Type": gaps["kind"],
            "Code": gaps["code"],
            "Commune": gaps["commune"],
            "Département": gaps["dep"],
            "Population (2023)": gaps["population"].round().astype("Int64"),
            f"Distance au plus proche : {present_label} (km)": km_rounded(gaps["distance_present_m"]),
        }
    )
    for theme in missing:
        out[f"Distance au plus proche : {theme_label(theme)} (km)"] = km_rounded(gaps[f"distance_{theme}_m"])
    return out


ROUTE_PHRASES: dict[str, str] = {
    "typologie": "par la typologie de la source",
    "programme": "par le label du programme",
    "mot-clé": "par mots-clés (indicatif)",
}


def route_note(places: pd.DataFrame, themes: Sequence[str]) -> str:
    """French sentence saying how the themes of ``places`` were derived, route by route.

    « Thèmes des 226 lieux : Fabrication 47 (45 par la typologie de la source, 2 par
    mots-clés (indicatif)) ; … ». Ends with the keyword and multi-theme caveats.
    """
    selected = check_choices(themes, THEMES, "themes")
    counts = route_counts(places)
    parts = []
    for theme in selected:
        row = counts.loc[theme]
        details = ", ".join(f"{fr_number(int(row[r]))} {ROUTE_PHRASES[r]}" for r in ROUTES if row[r])
        part = f"{THEME_SHORT_LABELS[theme]} {fr_number(int(row['total']))}"
        parts.append(f"{part} ({details})" if details else part)
    return (
        f"Thèmes des {fr_number(len(places))} lieux : "
        + " ; ".join(parts)
        + ". Les thèmes par mots-clés sont indicatifs ; un lieu peut porter plusieurs thèmes."
    )
