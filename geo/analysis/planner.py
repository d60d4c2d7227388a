"""Expansion planner: where would N new tiers-lieux cover the most (priority) inhabitants?

This is the *maximal covering location problem* (Church & ReVelle, 1974). Demand points
are the communes of the scope (their representative point, population 2023), optionally
weighted up when they are priority territories (Action Cœur de Ville, Petites villes de
demain, or containing a QPV). Communes already within ``radius_km`` of an existing place
are covered already: only *newly* covered demand counts. A candidate site is a commune's
representative point; it covers every demand point within ``radius_km`` (inclusive). Which
communes may host a site is a :class:`CandidateRule`: by default the towns that are at least a
intermediate centre of equipment and services (ANCT – INRAE centralités) or host a France
services, a Petites villes de demain or an Action Cœur de Ville programme — a new tiers-lieu
goes where people already come, not to a village that happens to reach a town's point.
When the scope is narrowed to some types of communes (:attr:`geo.territory.Scope.types`),
only their inhabitants are to be covered, but a site may stand in any commune of the
territory that the rule allows.

Two solvers:

- **exact**: the integer programme

  .. math:: \\max \\sum_i w_i y_i \\quad \\text{s.t.}\\quad y_i \\le \\sum_{j \\ni i} x_j,\\;
            \\sum_j x_j \\le N,\\; x_j \\in \\{0, 1\\},\\; 0 \\le y_i \\le 1

  solved by HiGHS through :func:`scipy.optimize.milp` (bundled with scipy: no external
  binary, works offline). Its dual bound is reported; when the time limit stops it, the
  best solution found and the remaining gap are reported.
- **greedy**: add, N times, the site with the largest newly covered weight. Coverage is
  monotone submodular, so the greedy value is at least ``1 − 1/e ≈ 63 %`` of the optimum
  (Nemhauser, Wolsey & Fisher, 1978). An a-posteriori upper bound on the optimum is
  reported too: for every greedy step *t*, ``f(S_t) + (sum of the N largest marginal
  gains after S_t)`` bounds the optimum; the smallest one (usually much tighter than
  ``f / (1 − 1/e)``) is kept.

The coverage matrix is built with one :class:`scipy.spatial.cKDTree` per problem
(``query_ball_point`` from the candidates into the uncovered demand points), stored as a
sparse matrix; no Python loop over pairs. Before the exact solve, demand points covered by
the same candidates are merged and candidates covering the same demand deduplicated.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.spatial import cKDTree

from geo._errors import InvalidParameterError
from geo._validate import check_choice, check_positive, choice_problem, positive_problem
from geo.analysis.coverage import check_radius, coverage_of_points
from geo.crs import X, Y
from geo.fmt import fr_count, fr_number, fr_percent, fr_radius
from geo.territory import Scope
from geo.themes import theme_mask
from geo.typologies import CENTRALITY_LEVELS

CANDIDATE_RULES: dict[str, str] = {
    "centres": "Centres d'équipements et de services, ou communes avec France services, PVD ou ACV",
    "communes": "Toutes les communes du territoire",
    "population": "Communes d'au moins un nombre d'habitants",
    "centralite": "Communes d'au moins un niveau de centralité",
    "programmes": "Communes Petites villes de demain ou Action Cœur de Ville",
    "qpv": "Communes comprenant un quartier prioritaire (QPV)",
}
"""Kinds of :class:`CandidateRule` (which communes may host a new site), with their French label."""

DEFAULT_MIN_POPULATION = 2000
"""Default threshold of the ``population`` rule (inhabitants, population municipale 2023)."""

DEFAULT_CENTRALITY = 3
"""Default least equipped centralité level of the ``centres`` and ``centralite`` rules: 3 = centre
intermédiaire d'équipements et de services. Down to the 7 007 centres locaux (level 4), the
optimum picks villages that happen to reach a town's point rather than the town: in the Manche,
Brix, Saint-Quentin-sur-le-Homme, Sainte-Marie-du-Mont and Rauville-la-Bigot (685 to 2 165
inhabitants) instead of Cherbourg-en-Cotentin, Avranches, Valognes and Carentan."""

_RULE_COLUMNS: dict[str, tuple[str, ...]] = {
    "centres": ("centralite_niveau", "n_france_services", "acv", "pvd"),
    "communes": (),
    "population": ("population",),
    "centralite": ("centralite_niveau",),
    "programmes": ("acv", "pvd"),
    "qpv": ("n_qpv",),
}


@dataclass(frozen=True)
class CandidateRule:
    """Which communes of the territory may host a new site.

    Attributes
    ----------
    kind
        One of :data:`CANDIDATE_RULES`: ``"centres"`` (default: a centralité level from 1,
        centre majeur, to ``centrality``, or hosting a France services, a PVD or an ACV
        programme; the overseas communes, without centralités, by the last three only),
        ``"communes"`` (any), ``"population"`` (at least ``min_population`` inhabitants),
        ``"centralite"`` (a centralité level from 1 to ``centrality`` only), ``"programmes"``
        (PVD or ACV), ``"qpv"`` (holding a QPV).
    min_population
        Threshold of the ``population`` rule (≥ 0).
    centrality
        Least equipped centralité level of the ``centres`` and ``centralite`` rules, 1
        (centres majeurs only) to 4 (down to the centres locaux); default
        :data:`DEFAULT_CENTRALITY`.

    Raises
    ------
    InvalidParameterError
        On an unknown kind or a bad threshold.
    """

    kind: str = "centres"
    min_population: int = DEFAULT_MIN_POPULATION
    centrality: int = DEFAULT_CENTRALITY

    def __post_init__(self) -> None:
        problems = [choice_problem(self.kind, CANDIDATE_RULES, "kind")]
        if isinstance(self.min_population, bool) or not isinstance(self.min_population, (int, np.integer)):
            problems.append(f"`min_population` doit être un entier (reçu : {self.min_population})")
        else:
            problems.append(positive_problem(self.min_population, "min_population", strict=False))
        problems.append(choice_problem(self.centrality, (1, 2, 3, 4), "centrality"))
        found = [p for p in problems if p is not None]
        if found:
            raise InvalidParameterError(" ; ".join(found))

    def mask(self, communes: pd.DataFrame) -> pd.Series:
        """Communes of ``communes`` the rule allows.

        Raises
        ------
        InvalidParameterError
            If ``communes`` lacks a column the rule needs.
        """
        missing = [c for c in _RULE_COLUMNS[self.kind] if c not in communes.columns]
        if missing:
            raise InvalidParameterError(
                f"Règle « {CANDIDATE_RULES[self.kind]} » inapplicable : "
                f"colonnes absentes ({', '.join(missing)})."
            )
        if self.kind == "communes":
            return pd.Series(True, index=communes.index)
        if self.kind == "population":
            return communes["population"] >= self.min_population
        if self.kind == "qpv":
            return communes["n_qpv"] > 0
        programmes = communes["acv"].astype(bool) | communes["pvd"].astype(bool)
        if self.kind == "programmes":
            return programmes
        level = communes["centralite_niveau"]
        if self.kind == "centralite":
            return level.between(1, self.centrality)
        return level.between(1, self.centrality) | (communes["n_france_services"] > 0) | programmes

    def describe(self) -> str:
        """The rule in French, as shown with a result and written in its exports."""
        level = (
            f"de niveau « {CENTRALITY_LEVELS[self.centrality]} » ou mieux équipées (centralités ANCT – INRAE)"
        )
        if self.kind == "centres":
            return (
                f"communes {level}, ou accueillant une France services, une Petite ville de demain ou une "
                "Action Cœur de Ville (outre-mer, où les centralités ne sont pas définies : ces trois "
                "critères seulement)"
            )
        if self.kind == "population":
            return (
                f"communes d'au moins {fr_number(self.min_population)} habitants (population municipale 2023)"
            )
        if self.kind == "centralite":
            return f"communes {level}"
        return CANDIDATE_RULES[self.kind][0].lower() + CANDIDATE_RULES[self.kind][1:]


METHODS: dict[str, str] = {
    "auto": "Automatique (exacte si la taille le permet, sinon gloutonne)",
    "exact": "Exacte (programmation linéaire en nombres entiers, HiGHS)",
    "greedy": "Gloutonne (rapide, garantie ≥ 63 % de l'optimum)",
}
"""Solver choices, as exports describe them."""
METHOD_CHOICES: dict[str, str] = {"auto": "Automatique", "exact": "Exacte (HiGHS)", "greedy": "Gloutonne"}
"""The same choices, short enough for a select box (the help text gives the long form)."""

METHOD_LABELS: dict[str, str] = {
    "exact": "exacte (HiGHS)",
    "greedy": "gloutonne",
    "manual": "choix manuel",
}
"""Method actually used → French label."""

GREEDY_GUARANTEE = 1.0 - 1.0 / math.e
"""Worst-case ratio of the greedy value to the optimum (monotone submodular coverage)."""

EXACT_MAX_CANDIDATES = 6000
"""Above this many distinct useful candidates, ``auto`` uses the greedy method."""

EXACT_MAX_NONZEROS = 200_000
"""Above this many (demand, candidate) pairs after reduction, ``auto`` uses the greedy method."""

EXACT_HARD_MAX_CANDIDATES = 15_000
EXACT_HARD_MAX_NONZEROS = 600_000
"""Beyond these, even a forced exact solve falls back to the greedy method: HiGHS would spend
its whole time limit (and more, in presolve) without a solution (e.g. 20 s nationally at 10 km)."""

DEFAULT_TIME_LIMIT_S = 10.0
"""Time limit of the exact solver; beyond it the best solution found and its gap are kept."""

MAX_SITES = 200
"""Largest number of new sites the planner accepts."""


class NoDemandError(InvalidParameterError):
    """Nothing left to cover: no inhabitant in the scope, or all already covered."""


@dataclass(frozen=True)
class Solution:
    """Output of a max-coverage solver on a matrix (columns are candidate indices).

    Attributes
    ----------
    selected
        Chosen columns, ordered so that each adds the most newly covered weight given
        the previous ones; columns adding nothing are left out.
    gains
        Newly covered weight of each selected column in that order (sums to ``objective``).
    objective
        Total weight covered by the selection.
    upper_bound
        Proven upper bound on the optimum (equal to ``objective`` when optimal).
    method
        ``"exact"`` or ``"greedy"`` (``"manual"`` for a hand-picked selection).
    optimal
        Whether ``objective`` is proven optimal.
    note
        French explanation when the method differs from the one asked, or similar.
    """

    selected: tuple[int, ...]
    gains: tuple[float, ...]
    objective: float
    upper_bound: float
    method: str
    optimal: bool
    note: str = ""

    @property
    def ratio_to_bound(self) -> float:
        """``objective / upper_bound``: the solution is at least this share of the optimum."""
        if self.upper_bound <= 0:
            return 1.0
        return min(1.0, self.objective / self.upper_bound)


def _as_csc(matrix: sparse.spmatrix | sparse.sparray, weights: np.ndarray) -> sparse.csc_array:
    csc = sparse.csc_array(matrix, dtype=bool)
    if csc.shape[0] != len(weights):
        raise InvalidParameterError(
            f"`weights` compte {len(weights)} valeurs pour {csc.shape[0]} points de demande."
        )
    if np.any(~np.isfinite(weights)) or np.any(weights < 0):
        raise InvalidParameterError("`weights` : les poids doivent être positifs ou nuls et finis.")
    csc.sum_duplicates()
    csc.sort_indices()
    return csc


def _check_n_sites(n_sites: int, n_candidates: int) -> None:
    if isinstance(n_sites, bool) or not isinstance(n_sites, (int, np.integer)) or n_sites < 1:
        raise InvalidParameterError(
            f"Le nombre de nouveaux sites doit être un entier ≥ 1 (reçu : {n_sites})."
        )
    if n_sites > MAX_SITES:
        raise InvalidParameterError(f"Au plus {MAX_SITES} nouveaux sites par simulation (reçu : {n_sites}).")
    if n_sites > n_candidates:
        raise InvalidParameterError(
            f"Vous demandez {n_sites} nouveaux sites mais il n'y a que "
            f"{fr_count(n_candidates, 'commune candidate', 'communes candidates')}. "
            "Réduisez le nombre de sites ou élargissez l'ensemble des candidats."
        )


def ordered_gains(
    matrix: sparse.spmatrix | sparse.sparray,
    weights: np.ndarray,
    columns: list[int] | tuple[int, ...],
    *,
    reorder: bool = True,
    keep_zero: bool = False,
) -> tuple[list[int], list[float]]:
    """Newly covered weight of each column of ``columns``, taken one after the other.

    Parameters
    ----------
    matrix
        Boolean coverage matrix (demand points × candidates).
    weights
        Weight of each demand point.
    columns
        The selected candidates.
    reorder
        If true, take at each step the column adding the most (greedy order within the
        selection); otherwise keep the given order (what-if mode).
    keep_zero
        Keep columns that add nothing (what-if mode) instead of dropping them.

    Returns
    -------
    (columns in the order used, their marginal gains)
    """
    csc = _as_csc(matrix, np.asarray(weights, dtype=float))
    w = np.asarray(weights, dtype=float)
    uncovered = np.ones(csc.shape[0], dtype=bool)
    remaining = list(dict.fromkeys(int(c) for c in columns))
    order: list[int] = []
    gains: list[float] = []

    def rows_of(col: int) -> np.ndarray:
        return csc.indices[csc.indptr[col] : csc.indptr[col + 1]]

    while remaining:
        if reorder:
            values = [float(w[rows_of(c)][uncovered[rows_of(c)]].sum()) for c in remaining]
            best = int(np.argmax(values))
        else:
            best = 0
        col = remaining.pop(best)
        rows = rows_of(col)
        new = rows[uncovered[rows]]
        gain = float(w[new].sum())
        uncovered[new] = False
        if gain > 0 or keep_zero:
            order.append(col)
            gains.append(gain)
    return order, gains


def greedy_max_coverage(
    matrix: sparse.spmatrix | sparse.sparray, weights: np.ndarray, n_sites: int
) -> Solution:
    """Greedy maximal coverage: add, ``n_sites`` times, the column covering the most new weight.

    Ties go to the lowest column index (callers sort candidates by preference). Stops
    early when no column adds anything. The upper bound is the smallest, over the greedy
    steps, of ``f(S_t) + sum of the n_sites largest marginal gains after S_t``, and never
    more than ``f / (1 − 1/e)``.

    Parameters
    ----------
    matrix
        Boolean coverage matrix (demand points × candidates).
    weights
        Non-negative weight of each demand point.
    n_sites
        Number of columns to choose (≥ 1, ≤ number of columns).

    Raises
    ------
    InvalidParameterError
        On a bad ``n_sites`` or ``weights``.
    """
    w = np.asarray(weights, dtype=float)
    csc = _as_csc(matrix, w)
    _check_n_sites(n_sites, csc.shape[1])
    csr = csc.tocsr()
    uncovered = np.ones(csc.shape[0], dtype=bool)
    gains = np.asarray(csc.T @ w, dtype=float)
    k = min(n_sites, len(gains))
    total = 0.0
    bound = float(np.sort(gains)[-k:].sum())
    selected: list[int] = []
    step_gains: list[float] = []
    for _ in range(n_sites):
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        rows = csc.indices[csc.indptr[best] : csc.indptr[best + 1]]
        new = rows[uncovered[rows]]
        uncovered[new] = False
        # Exact (not accumulated) so that the total matches a recomputation to the unit.
        gain = float(w[new].sum())
        total += gain
        selected.append(best)
        step_gains.append(gain)
        if len(new):
            gains = gains - np.asarray(csr[new].T @ w[new], dtype=float)
            gains[np.abs(gains) < 1e-9] = 0.0
        gains[best] = 0.0
        top = np.partition(gains, len(gains) - k)[-k:] if k < len(gains) else gains
        bound = min(bound, total + float(np.clip(top, 0, None).sum()))
    bound = max(total, min(bound, total / GREEDY_GUARANTEE))
    optimal = bound - total <= 1e-9 * max(1.0, total)
    return Solution(tuple(selected), tuple(step_gains), total, bound, "greedy", optimal)


def _reduce(csc: sparse.csc_array, weights: np.ndarray) -> tuple[sparse.csc_array, np.ndarray, np.ndarray]:
    """Merge identical demand rows, drop empty columns, keep one of identical columns.

    Returns the reduced matrix, its row weights and the original index of each kept column.
    """
    useful = np.flatnonzero(np.diff(csc.indptr) > 0)
    csc = csc[:, useful]
    csr = sparse.csr_array(csc)
    csr.sort_indices()
    row_keys = [csr.indices[csr.indptr[i] : csr.indptr[i + 1]].tobytes() for i in range(csr.shape[0])]
    groups: dict[bytes, int] = {}
    row_group = np.fromiter(
        (groups.setdefault(key, len(groups)) for key in row_keys), np.int64, len(row_keys)
    )
    merge = sparse.csr_array(
        (np.ones(len(row_group)), (row_group, np.arange(len(row_group)))), shape=(len(groups), len(row_group))
    )
    reduced_weights = np.asarray(merge @ weights, dtype=float)
    first_row = np.zeros(len(groups), dtype=np.int64)
    first_row[row_group[::-1]] = np.arange(len(row_group))[::-1]
    merged = sparse.csc_array(csr[first_row])
    merged.sort_indices()
    seen: dict[bytes, int] = {}
    for col in range(merged.shape[1]):
        seen.setdefault(merged.indices[merged.indptr[col] : merged.indptr[col + 1]].tobytes(), col)
    keep = np.array(sorted(seen.values()), dtype=np.int64)
    keep_rows = reduced_weights > 0
    reduced = sparse.csc_array(merged[keep_rows][:, keep])
    return reduced, reduced_weights[keep_rows], useful[keep]


def exact_max_coverage(
    matrix: sparse.spmatrix | sparse.sparray,
    weights: np.ndarray,
    n_sites: int,
    *,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    _reduced: tuple[sparse.csc_array, np.ndarray, np.ndarray] | None = None,
) -> Solution:
    """Exact maximal coverage with HiGHS (:func:`scipy.optimize.milp`).

    The greedy solution is computed first: it is kept (with the solver's dual bound) if
    the time limit stops HiGHS before it finds something at least as good.

    Parameters
    ----------
    matrix, weights, n_sites
        As for :func:`greedy_max_coverage`.
    time_limit_s
        Wall-time limit given to HiGHS (seconds, > 0).

    Raises
    ------
    InvalidParameterError
        On a bad ``n_sites``, ``weights`` or ``time_limit_s``.
    """
    check_positive(time_limit_s, "time_limit_s")
    w = np.asarray(weights, dtype=float)
    csc = _as_csc(matrix, w)
    greedy = greedy_max_coverage(csc, w, n_sites)
    if greedy.optimal:
        return Solution(greedy.selected, greedy.gains, greedy.objective, greedy.objective, "exact", True)
    reduced, reduced_w, columns = _reduced if _reduced is not None else _reduce(csc, w)
    n_rows, n_cols = reduced.shape
    if n_sites >= n_cols:
        order, gains = ordered_gains(csc, w, columns.tolist())
        total = float(sum(gains))
        return Solution(tuple(order), tuple(gains), total, total, "exact", True)
    objective = np.concatenate([np.zeros(n_cols), -reduced_w])
    link = sparse.hstack([-reduced.astype(float), sparse.identity(n_rows, format="csr")], format="csr")
    budget = sparse.hstack([np.ones((1, n_cols)), sparse.csr_array((1, n_rows))], format="csr")
    result = milp(
        objective,
        integrality=np.concatenate([np.ones(n_cols), np.zeros(n_rows)]),
        bounds=Bounds(0, 1),
        constraints=[LinearConstraint(link, -np.inf, 0), LinearConstraint(budget, 0, n_sites)],
        options={"time_limit": float(time_limit_s), "mip_rel_gap": 1e-7},
    )
    dual = getattr(result, "mip_dual_bound", None)
    bound = greedy.upper_bound
    if dual is not None and np.isfinite(dual):
        bound = min(bound, -float(dual))
    if result.x is None:
        note = (
            f"L'optimisation exacte n'a pas trouvé de solution en {time_limit_s:g} s : "
            "solution gloutonne conservée."
        )
        return Solution(greedy.selected, greedy.gains, greedy.objective, bound, "greedy", False, note)
    chosen = columns[np.flatnonzero(result.x[:n_cols] > 0.5)]
    order, gains = ordered_gains(csc, w, chosen.tolist())
    total = float(sum(gains))
    if total < greedy.objective:
        note = (
            f"L'optimisation exacte s'est arrêtée à {time_limit_s:g} s sur une solution moins bonne que "
            "la solution gloutonne, conservée."
        )
        return Solution(greedy.selected, greedy.gains, greedy.objective, bound, "greedy", False, note)
    optimal = result.status == 0
    bound = max(bound, total)
    if optimal and bound - total <= 1e-6 * max(1.0, total):
        bound = total
    note = "" if optimal else f"Optimisation exacte arrêtée à {time_limit_s:g} s : écart à l'optimum borné."
    return Solution(tuple(order), tuple(gains), total, bound, "exact", optimal, note)


def solve_max_coverage(
    matrix: sparse.spmatrix | sparse.sparray,
    weights: np.ndarray,
    n_sites: int,
    *,
    method: str = "auto",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> Solution:
    """Choose ``n_sites`` columns covering the most weight, exactly or greedily.

    ``method="auto"`` solves exactly when the reduced problem has at most
    :data:`EXACT_MAX_CANDIDATES` candidates and :data:`EXACT_MAX_NONZEROS` pairs (a
    département, a région), greedily otherwise, and says so in ``note``.
    """
    check_choice(method, METHODS, "method")
    if method == "auto":
        w = np.asarray(weights, dtype=float)
        csc = _as_csc(matrix, w)
        n_cols, nnz = int(np.count_nonzero(np.diff(csc.indptr))), int(csc.nnz)
        # The reduction never grows the problem; only reduce when it might bring it under the limits.
        reduced = None
        if n_cols <= 2 * EXACT_MAX_CANDIDATES and nnz <= 2 * EXACT_MAX_NONZEROS:
            reduced = _reduce(csc, w)
            n_cols, nnz = reduced[0].shape[1], int(reduced[0].nnz)
        if reduced is not None and n_cols <= EXACT_MAX_CANDIDATES and nnz <= EXACT_MAX_NONZEROS:
            return exact_max_coverage(csc, w, n_sites, time_limit_s=time_limit_s, _reduced=reduced)
        greedy = greedy_max_coverage(csc, w, n_sites)
        note = (
            f"Problème trop grand pour l'optimisation exacte ({fr_number(n_cols)} communes candidates "
            f"utiles, {fr_number(nnz)} couples commune–site à portée) : méthode gloutonne."
        )
        return replace(greedy, note=note)
    if method == "exact":
        w = np.asarray(weights, dtype=float)
        csc = _as_csc(matrix, w)
        n_cols, nnz = int(np.count_nonzero(np.diff(csc.indptr))), int(csc.nnz)
        if n_cols > EXACT_HARD_MAX_CANDIDATES or nnz > EXACT_HARD_MAX_NONZEROS:
            note = (
                "Problème bien trop grand pour l'optimisation exacte "
                f"({fr_number(n_cols)} communes candidates utiles, {fr_number(nnz)} couples commune–site "
                "à portée) : méthode gloutonne. "
                "Choisissez une région ou un département pour une solution exacte."
            )
            return replace(greedy_max_coverage(csc, w, n_sites), note=note)
        return exact_max_coverage(csc, w, n_sites, time_limit_s=time_limit_s)
    return greedy_max_coverage(matrix, weights, n_sites)


@dataclass(frozen=True)
class PlanningProblem:
    """A scope's demand, candidate sites and coverage matrix for one set of parameters."""

    scope: Scope
    themes: tuple[str, ...]
    radius_km: float
    rule: CandidateRule
    priority_weight: float
    communes: gpd.GeoDataFrame
    """Communes of the scope, with ``priority`` (bool), ``weight`` and ``covered_before``."""
    existing: pd.DataFrame
    """Existing places counted for coverage (zone, selected themes)."""
    demand: gpd.GeoDataFrame
    """Communes not covered yet, located and inhabited: the rows of ``matrix``."""
    candidates: gpd.GeoDataFrame
    """Candidate communes (most populous first, so ties favour them): the columns of ``matrix``."""
    matrix: sparse.csc_array = field(repr=False)
    """Boolean (demand × candidates): candidate within ``radius_km`` of the demand point."""
    territory_communes: int = 0
    """Located communes of the territory, of which ``candidates`` are those the rule allows."""

    @property
    def population(self) -> int:
        return int(self.communes["population"].sum())

    @property
    def covered_before(self) -> int:
        return int(self.communes.loc[self.communes["covered_before"], "population"].sum())

    @property
    def unlocated(self) -> int:
        """Communes of the scope without coordinates: counted in population, never covered."""
        return int(self.communes[X].isna().sum())

    @property
    def rule_text(self) -> str:
        """« <rule> : 412 communes sur 2 650 » for the result and its exports."""
        return (
            f"{self.rule.describe()} : "
            f"{fr_count(len(self.candidates), 'commune candidate', 'communes candidates')} sur "
            f"{fr_number(self.territory_communes)}"
        )


def priority_mask(communes: pd.DataFrame) -> pd.Series:
    """Priority territories: Action Cœur de Ville, Petites villes de demain, or containing a QPV."""
    return communes["acv"].astype(bool) | communes["pvd"].astype(bool) | (communes["n_qpv"] > 0)


def planning_problem(
    communes: gpd.GeoDataFrame,
    places: pd.DataFrame,
    scope: Scope,
    *,
    themes: tuple[str, ...] = (),
    radius_km: float,
    rule: CandidateRule | None = None,
    priority_weight: float = 0.0,
) -> PlanningProblem:
    """Demand, candidates and coverage matrix of ``scope``.

    Parameters
    ----------
    communes
        The Atlas communes (points with ``x_m``/``y_m``, ``population``, ``acv``, ``pvd``,
        ``n_qpv``, the territory codes and the columns ``rule`` needs).
    places
        The Atlas places (all themes); those of the scope's zone and of ``themes`` (all
        if empty) count as existing coverage, even outside the scope.
    scope
        Territory whose inhabitants are to be covered (of its types of communes only, when
        some are selected) and whose communes may host sites (any type the rule allows).
    themes
        Theme codes of the existing places to count.
    radius_km
        Access distance (km, as the crow flies, > 0).
    rule
        Which communes may host a site (default: :class:`CandidateRule` ``"centres"``).
    priority_weight
        Extra weight of a priority inhabitant (0: none; 1: counts twice...), ≥ 0.

    Raises
    ------
    InvalidParameterError
        On a bad parameter, or when no commune of the territory can be a candidate.
    NoDemandError
        When the scope has no inhabitant, or they are all covered already.
    """
    check_radius(radius_km)
    rule = rule if rule is not None else CandidateRule()
    check_positive(priority_weight, "priority_weight", strict=False)
    existing = places[(places["zone"] == scope.zone) & theme_mask(places, themes)]
    in_scope, demand = _demand(communes, existing, scope, radius_km, priority_weight)
    territory = communes[scope.territory.mask(communes) & communes[X].notna() & communes[Y].notna()]
    candidates = _candidates(territory, rule)
    matrix = coverage_matrix(demand[[X, Y]].to_numpy(), candidates[[X, Y]].to_numpy(), radius_km * 1000.0)
    return PlanningProblem(
        scope=scope,
        themes=tuple(themes),
        radius_km=float(radius_km),
        rule=rule,
        priority_weight=float(priority_weight),
        communes=in_scope,
        existing=existing,
        demand=demand,
        candidates=candidates,
        matrix=matrix,
        territory_communes=len(territory),
    )


def _demand(
    communes: gpd.GeoDataFrame, existing: pd.DataFrame, scope: Scope, radius_km: float, priority_weight: float
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The scope's communes (weighted, with ``covered_before``) and those still to cover."""
    in_scope = communes[scope.mask(communes)].copy()
    if in_scope.empty or in_scope["population"].sum() <= 0:
        raise NoDemandError(
            "Aucun habitant recensé dans ce périmètre : il n'y a personne à couvrir. "
            "Choisissez un autre territoire dans le panneau de gauche."
        )
    in_scope["priority"] = priority_mask(in_scope).to_numpy()
    in_scope["weight"] = in_scope["population"].astype(float) * (1.0 + priority_weight * in_scope["priority"])
    in_scope["covered_before"] = coverage_of_points(in_scope, existing, radius_km)["covered"].to_numpy()
    located = in_scope[X].notna() & in_scope[Y].notna()
    demand = in_scope[located & ~in_scope["covered_before"] & (in_scope["population"] > 0)]
    if demand.empty:
        raise NoDemandError(
            f"Tous les habitants de ce périmètre sont déjà à moins de {fr_radius(radius_km)} km d'un "
            "tiers-lieu (thèmes choisis) : aucun nouveau site n'augmenterait la couverture. Réduisez la "
            "distance ou changez de thèmes."
        )
    return in_scope, demand


def _candidates(territory: gpd.GeoDataFrame, rule: CandidateRule) -> gpd.GeoDataFrame:
    """The located communes of the territory the rule allows, most populous first."""
    pool = territory[rule.mask(territory)]
    if pool.empty:
        raise InvalidParameterError(
            f"Aucune commune candidate dans ce territoire pour la règle « {rule.describe()} » : "
            "choisissez une autre règle de communes candidates."
        )
    return pool.sort_values(["population", "code_insee"], ascending=[False, True], kind="stable")


_CHUNK = 2000
"""Sites queried at once when building the coverage matrix."""


def coverage_matrix(demand_xy: np.ndarray, site_xy: np.ndarray, radius_m: float) -> sparse.csc_array:
    """Boolean sparse matrix (demand × sites): site within ``radius_m`` (inclusive) of the demand point.

    Built column by column from one :class:`cKDTree` of the demand points, by chunks of
    sites so that the Python lists ``query_ball_point`` returns stay small: at 50 km
    nationally the matrix has ~15 million pairs, held as int32 indices only.
    """
    tree = cKDTree(demand_xy)
    indptr = np.zeros(len(site_xy) + 1, dtype=np.int64)
    parts: list[np.ndarray] = []
    for start in range(0, len(site_xy), _CHUNK):
        found = tree.query_ball_point(site_xy[start : start + _CHUNK], r=radius_m)
        lengths = np.fromiter((len(rows) for rows in found), np.int64, len(found))
        indptr[start + 1 : start + 1 + len(found)] = lengths
        if lengths.sum():
            parts.append(np.concatenate([np.asarray(rows, dtype=np.int32) for rows in found if rows]))
    np.cumsum(indptr, out=indptr)
    indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    matrix = sparse.csc_array(
        (np.ones(len(indices), dtype=bool), indices, indptr), shape=(len(demand_xy), len(site_xy))
    )
    matrix.sort_indices()
    return matrix


@dataclass(frozen=True)
class PlanResult:
    """A scenario: the proposed sites, what they newly cover, and the coverage before → after."""

    n_sites: int
    """Number of sites asked (the solution may use fewer when they suffice)."""
    method: str
    """``"exact"``, ``"greedy"`` or ``"manual"``."""
    method_asked: str
    optimal: bool
    objective: float
    """Newly covered weighted population (equals inhabitants when ``priority_weight`` is 0)."""
    upper_bound: float | None
    """Proven upper bound on the best achievable ``objective`` (None in what-if mode)."""
    note: str
    sites: gpd.GeoDataFrame
    """One row per site (order of addition) — see :func:`plan_expansion`."""
    newly_covered: gpd.GeoDataFrame
    """Communes newly covered, with ``site_code`` / ``site_nom`` of the first site reaching them."""
    still_uncovered: gpd.GeoDataFrame
    """Inhabited, located communes of the scope still farther than the distance after the scenario."""
    population: int
    covered_before: int
    covered_after: int
    priority_population: int
    priority_covered_before: int
    priority_covered_after: int
    elapsed_s: float

    @property
    def new_population(self) -> int:
        return self.covered_after - self.covered_before

    @property
    def share_before(self) -> float:
        return self.covered_before / self.population if self.population else float("nan")

    @property
    def share_after(self) -> float:
        return self.covered_after / self.population if self.population else float("nan")

    @property
    def ratio_to_bound(self) -> float | None:
        """Share of the optimum the solution is proven to reach (None in what-if mode)."""
        if self.upper_bound is None:
            return None
        return 1.0 if self.upper_bound <= 0 else min(1.0, self.objective / self.upper_bound)


def _priority_text(rows: pd.DataFrame, *, max_names: int = 6) -> str:
    parts = []
    for column, label in (("acv", "ACV"), ("pvd", "PVD")):
        names = rows.loc[rows[column].astype(bool), "nom"].tolist()
        if names:
            shown = ", ".join(names[:max_names]) + (
                f" (+{len(names) - max_names})" if len(names) > max_names else ""
            )
            parts.append(f"{label} : {shown}")
    n_qpv = int(rows["n_qpv"].sum())
    if n_qpv:
        parts.append(f"QPV : {n_qpv} dans {fr_count(int((rows['n_qpv'] > 0).sum()), 'commune')}")
    return " ; ".join(parts)


def _result_from_solution(
    problem: PlanningProblem,
    solution: Solution,
    *,
    n_sites: int,
    method_asked: str,
    standalone: bool,
    started: float,
) -> PlanResult:
    demand = problem.demand
    first_site, reached_by_rank = _reach_in_order(problem.matrix, len(demand), solution.selected)
    sites = _sites_frame(problem, solution.selected, reached_by_rank, standalone=standalone)
    newly = _newly_covered(problem, first_site)
    communes = problem.communes
    priority = communes["priority"].to_numpy()
    new_population = int(newly["population"].sum())
    new_priority = int(newly.loc[newly["priority"], "population"].sum())
    before_priority = int(communes.loc[priority & communes["covered_before"].to_numpy(), "population"].sum())
    return PlanResult(
        n_sites=n_sites,
        method=solution.method,
        method_asked=method_asked,
        optimal=solution.optimal,
        objective=float(solution.objective),
        upper_bound=None if solution.method == "manual" else float(solution.upper_bound),
        note=solution.note,
        sites=sites,
        newly_covered=newly,
        still_uncovered=demand.iloc[np.flatnonzero(first_site < 0)],
        population=problem.population,
        covered_before=problem.covered_before,
        covered_after=problem.covered_before + new_population,
        priority_population=int(communes.loc[priority, "population"].sum()),
        priority_covered_before=before_priority,
        priority_covered_after=before_priority + new_priority,
        elapsed_s=time.perf_counter() - started,
    )


def _reach_in_order(
    csc: sparse.csc_array, n_demand: int, selected: tuple[int, ...]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sites added in order: the first site reaching each demand row (-1: none), and the rows each adds."""
    first_site = np.full(n_demand, -1, dtype=np.int64)
    reached_by_rank = []
    for col in selected:
        rows = csc.indices[csc.indptr[col] : csc.indptr[col + 1]]
        new = rows[first_site[rows] < 0]
        first_site[new] = col
        reached_by_rank.append(new)
    return first_site, reached_by_rank


_SITE_COLUMNS = [
    "rang", "code_insee", "nom", "dep", "population", "centralite", "n_france_services", "acv", "pvd",
    "n_qpv", "new_population",
    "new_weight", "new_communes", "new_priority_population", "new_acv", "new_pvd", "new_qpv",
    "priority_reached", X, Y, "geometry",
]  # fmt: skip


def _sites_frame(
    problem: PlanningProblem,
    selected: tuple[int, ...],
    reached_by_rank: list[np.ndarray],
    *,
    standalone: bool,
) -> gpd.GeoDataFrame:
    """One row per site in order of addition, with what it newly covers (and alone, if ``standalone``)."""
    records = []
    for rank, (col, new) in enumerate(zip(selected, reached_by_rank, strict=True), start=1):
        record = _site_record(problem.candidates.iloc[col], problem.demand.iloc[new], rank)
        if standalone:
            rows = problem.matrix.indices[problem.matrix.indptr[col] : problem.matrix.indptr[col + 1]]
            record["alone_population"] = int(problem.demand.iloc[rows]["population"].sum())
        records.append(record)
    columns = list(_SITE_COLUMNS)
    if standalone:
        columns.insert(11, "alone_population")
    sites = gpd.GeoDataFrame(
        pd.DataFrame.from_records(records, columns=columns), geometry="geometry", crs=problem.communes.crs
    )
    sites["zone"] = problem.scope.zone
    return sites


def _site_record(site: pd.Series, reached: pd.DataFrame, rank: int) -> dict[str, object]:
    return {
        "rang": rank,
        "code_insee": site["code_insee"],
        "nom": site["nom"],
        "dep": site["dep"],
        "population": int(site["population"]),
        "centralite": str(site.get("centralite", "")),
        "n_france_services": int(site.get("n_france_services", 0)),
        "acv": bool(site["acv"]),
        "pvd": bool(site["pvd"]),
        "n_qpv": int(site["n_qpv"]),
        "new_population": int(reached["population"].sum()),
        "new_weight": float(reached["weight"].sum()),
        "new_communes": len(reached),
        "new_priority_population": int(reached.loc[reached["priority"], "population"].sum()),
        "new_acv": int(reached["acv"].astype(bool).sum()),
        "new_pvd": int(reached["pvd"].astype(bool).sum()),
        "new_qpv": int(reached["n_qpv"].sum()),
        "priority_reached": _priority_text(reached),
        X: float(site[X]),
        Y: float(site[Y]),
        "geometry": site.geometry,
    }


def _newly_covered(problem: PlanningProblem, first_site: np.ndarray) -> pd.DataFrame:
    """The demand rows some site reaches, with the code and name of the first one."""
    reached_rows = np.flatnonzero(first_site >= 0)
    newly = problem.demand.iloc[reached_rows].copy()
    newly["site_code"] = problem.candidates["code_insee"].to_numpy()[first_site[reached_rows]]
    newly["site_nom"] = problem.candidates["nom"].to_numpy()[first_site[reached_rows]]
    return newly


def plan_expansion(
    problem: PlanningProblem,
    n_sites: int,
    *,
    method: str = "auto",
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> PlanResult:
    """Choose ``n_sites`` new sites among the candidates maximising newly covered weighted population.

    Parameters
    ----------
    problem
        Output of :func:`planning_problem`.
    n_sites
        Number of new sites (≥ 1, at most the number of candidates and :data:`MAX_SITES`).
    method
        ``"auto"``, ``"exact"`` or ``"greedy"`` (see :data:`METHODS`).
    time_limit_s
        Time limit of the exact solver.

    Returns
    -------
    PlanResult
        ``sites`` has, per site in order of addition: ``rang``, ``code_insee``, ``nom``,
        ``dep``, ``population``, ``acv``, ``pvd``, ``n_qpv``, ``new_population`` (inhabitants
        it newly covers given the previous sites), ``new_weight``, ``new_communes``,
        ``new_priority_population``, ``new_acv``, ``new_pvd``, ``new_qpv``,
        ``priority_reached`` (French text), ``x_m``, ``y_m``, ``zone`` and the point.
        Fewer sites than asked when they already cover all reachable demand (see ``note``).

    Raises
    ------
    InvalidParameterError
        On a bad ``n_sites`` (e.g. more than the candidates) or ``method``.
    """
    started = time.perf_counter()
    _check_n_sites(n_sites, len(problem.candidates))
    weights = problem.demand["weight"].to_numpy(dtype=float)
    solution = solve_max_coverage(problem.matrix, weights, n_sites, method=method, time_limit_s=time_limit_s)
    if len(solution.selected) < n_sites:
        extra = (
            f"{fr_count(len(solution.selected), 'site suffit', 'sites suffisent')} à couvrir toute la "
            "population atteignable depuis les communes candidates ; les autres n'apporteraient rien."
            if solution.selected
            else "Aucune commune candidate n'est à portée d'habitants non couverts."
        )
        solution = replace(solution, note=" ".join(p for p in (solution.note, extra) if p))
    return _result_from_solution(
        problem, solution, n_sites=n_sites, method_asked=method, standalone=False, started=started
    )


def evaluate_sites(problem: PlanningProblem, codes: list[str]) -> PlanResult:
    """What-if: the coverage gain of hand-picked candidate communes, in the order given.

    Each site's ``new_population`` is what it adds after the previous ones;
    ``alone_population`` is what it would cover on its own (with the existing places).

    Raises
    ------
    InvalidParameterError
        When ``codes`` is empty or holds codes that are not candidates of ``problem``.
    """
    started = time.perf_counter()
    if not codes:
        raise InvalidParameterError("`codes` : choisissez au moins une commune candidate.")
    position = pd.Series(
        np.arange(len(problem.candidates)), index=problem.candidates["code_insee"].to_numpy()
    )
    unknown = [c for c in codes if c not in position.index]
    if unknown:
        raise InvalidParameterError(
            f"`codes` : {', '.join(unknown)} ne sont pas des communes candidates de ce territoire "
            f"(règle : {problem.rule.describe()})."
        )
    columns = [int(position[c]) for c in dict.fromkeys(codes)]
    weights = problem.demand["weight"].to_numpy(dtype=float)
    order, gains = ordered_gains(problem.matrix, weights, columns, reorder=False, keep_zero=True)
    solution = Solution(tuple(order), tuple(gains), float(sum(gains)), float(sum(gains)), "manual", False)
    return _result_from_solution(
        problem, solution, n_sites=len(columns), method_asked="manual", standalone=True, started=started
    )


def sites_table(result: PlanResult) -> pd.DataFrame:
    """The proposed sites with French column names, for display and export."""
    sites = result.sites
    table = pd.DataFrame(
        {
            "Rang": sites["rang"],
            "Commune d'implantation": sites["nom"],
            "Code INSEE": sites["code_insee"],
            "Département": sites["dep"],
            "Population de la commune": sites["population"],
            "Niveau d'équipements et de services": sites["centralite"],
            "France services dans la commune": sites["n_france_services"],
            "Programme": [
                ", ".join(label for flag, label in ((a, "ACV"), (p, "PVD"), (q > 0, "QPV")) if flag)
                for a, p, q in zip(sites["acv"], sites["pvd"], sites["n_qpv"], strict=True)
            ],
            "Habitants nouvellement couverts": sites["new_population"],
            "Communes nouvellement couvertes": sites["new_communes"],
            "Habitants de territoires prioritaires nouvellement couverts": sites["new_priority_population"],
            "Communes ACV atteintes": sites["new_acv"],
            "Communes PVD atteintes": sites["new_pvd"],
            "QPV atteints": sites["new_qpv"],
            "Territoires prioritaires atteints": sites["priority_reached"],
        }
    )
    if "alone_population" in sites:
        table.insert(9, "Habitants couverts par ce seul site", sites["alone_population"])
    return table


def scenario_geodataframe(result: PlanResult) -> gpd.GeoDataFrame:
    """Proposed sites, newly covered communes and the communes still uncovered in one layer
    (``role`` column), for GeoJSON export."""
    sites = result.sites
    site_rows = gpd.GeoDataFrame(
        {
            "role": "site proposé",
            "rang": sites["rang"].astype("Int64"),
            "code_insee": sites["code_insee"],
            "nom": sites["nom"],
            "population": sites["population"],
            "habitants_nouvellement_couverts": sites["new_population"],
            "site_code_insee": sites["code_insee"],
        },
        geometry=sites.geometry.to_numpy(),
        crs=sites.crs,
    )
    newly = result.newly_covered
    covered_rows = gpd.GeoDataFrame(
        {
            "role": "commune nouvellement couverte",
            "rang": pd.array([pd.NA] * len(newly), dtype="Int64"),
            "code_insee": newly["code_insee"].to_numpy(),
            "nom": newly["nom"].to_numpy(),
            "population": newly["population"].to_numpy(),
            "habitants_nouvellement_couverts": newly["population"].to_numpy(),
            "site_code_insee": newly["site_code"].to_numpy(),
        },
        geometry=newly.geometry.to_numpy(),
        crs=newly.crs,
    )
    left = result.still_uncovered
    uncovered_rows = gpd.GeoDataFrame(
        {
            "role": "commune toujours non couverte",
            "rang": pd.array([pd.NA] * len(left), dtype="Int64"),
            "code_insee": left["code_insee"].to_numpy(),
            "nom": left["nom"].to_numpy(),
            "population": left["population"].to_numpy(),
            "habitants_nouvellement_couverts": 0,
            "site_code_insee": "",
        },
        geometry=left.geometry.to_numpy(),
        crs=left.crs,
    )
    frames = [site_rows, covered_rows, uncovered_rows]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=sites.crs)


@dataclass(frozen=True)
class ScenarioSummary:
    """A small, saveable record of a scenario, for the side-by-side comparison."""

    label: str
    parameters: dict[str, str]
    method: str
    quality: str
    sites: tuple[str, ...]
    new_population: int
    share_before: float
    share_after: float
    priority_new: int
    priority_share_before: float
    priority_share_after: float


def _share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def result_quality(result: PlanResult) -> str:
    """« optimum prouvé », « ≥ 97,5 % de l'optimum » or « choix manuel »."""
    if result.method == "manual":
        return "choix manuel"
    if result.optimal:
        return "optimum prouvé"
    ratio = result.ratio_to_bound
    return f"au moins {fr_percent(ratio if ratio is not None else float('nan'))} de l'optimum"


def method_note(result: PlanResult) -> str:
    """How far the scenario is from the best one, in French: proved optimal, bounded, or chosen by hand."""
    if result.method == "exact" and result.optimal:
        return (
            "Optimum prouvé par le solveur HiGHS : aucun autre choix de communes candidates ne couvre "
            "davantage d'habitants pondérés."
        )
    if result.upper_bound is not None:
        return (
            f"Solution {METHOD_LABELS[result.method]} : {result_quality(result)} (borne supérieure prouvée : "
            f"{fr_number(result.upper_bound)} habitants pondérés, contre {fr_number(result.objective)} "
            "atteints). La méthode gloutonne garantit toujours au moins "
            f"{fr_percent(GREEDY_GUARANTEE, 0)} de l'optimum."
        )
    return (
        "Chaque commune choisie est évaluée après les précédentes : « nouvellement couverts » compte les "
        "habitants qu'elle ajoute, « couverts par ce seul site » ceux qu'elle couvrirait seule."
    )


def scenario_label(number: int, result: PlanResult) -> str:
    """« Scénario 2 — 5 sites, exacte » or « Scénario 3 — choix manuel »."""
    if result.method == "manual":
        return f"Scénario {number} — choix manuel"
    return f"Scénario {number} — {fr_count(len(result.sites), 'site')}, {METHOD_LABELS[result.method]}"


def candidate_labels(candidates: pd.DataFrame) -> dict[str, str]:
    """Code INSEE → « Nom (département) – population hab. », for the what-if commune picker."""
    return dict(
        zip(
            candidates["code_insee"],
            [
                f"{n} ({d}) – {fr_number(p)} hab."
                for n, d, p in zip(
                    candidates["nom"], candidates["dep"], candidates["population"], strict=True
                )
            ],
            strict=True,
        )
    )


def scenario_summary(result: PlanResult, label: str, parameters: dict[str, str]) -> ScenarioSummary:
    """Summarise ``result`` under ``label`` with the (French) parameters that produced it."""
    return ScenarioSummary(
        label=label,
        parameters=dict(parameters),
        method=METHOD_LABELS[result.method],
        quality=result_quality(result),
        sites=tuple(f"{n} ({d})" for n, d in zip(result.sites["nom"], result.sites["dep"], strict=True)),
        new_population=result.new_population,
        share_before=result.share_before,
        share_after=result.share_after,
        priority_new=result.priority_covered_after - result.priority_covered_before,
        priority_share_before=_share(result.priority_covered_before, result.priority_population),
        priority_share_after=_share(result.priority_covered_after, result.priority_population),
    )


def compare_scenarios(summaries: list[ScenarioSummary]) -> pd.DataFrame:
    """Saved scenarios side by side: one column each, French row labels and French-formatted values."""
    columns: dict[str, dict[str, str]] = {}
    for summary in summaries:
        columns[summary.label] = {
            **summary.parameters,
            "Méthode": f"{summary.method} ({summary.quality})",
            "Sites": ", ".join(summary.sites) or "aucun",
            "Habitants nouvellement couverts": fr_number(summary.new_population),
            "Part de la population couverte (avant → après)": (
                f"{fr_percent(summary.share_before)} → {fr_percent(summary.share_after)}"
            ),
            "Habitants de territoires prioritaires nouvellement couverts": fr_number(summary.priority_new),
            "Part des habitants des territoires prioritaires couverts (avant → après)": (
                f"{fr_percent(summary.priority_share_before)} → {fr_percent(summary.priority_share_after)}"
            ),
        }
    return pd.DataFrame(columns).fillna("")
