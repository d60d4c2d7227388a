"""Record linkage: find the rows of one or several lists that are the same place, and merge them.

The pipeline of :func:`link_places`:

1. :func:`candidate_pairs` — pairs of rows close enough to be one place: within
   :data:`MAX_DISTANCE_M` of each other (k-d tree on metric coordinates, per zone), or in the
   same commune when one of them is only placed at its commune's point;
2. :func:`score_pairs` — similarity of the names, :func:`name_tokens` removing accents, case,
   articles and generic words (« tiers-lieu », « espace », « coworking »…), scored with
   rapidfuzz's ``token_sort_ratio`` (0–100);
3. :func:`decide_pairs` — conservative rules (:data:`RULES`), overridden by a reviewed list of
   exceptions: merged, kept apart, or kept apart but flagged for review;
4. :func:`merge_groups` — one row per group of merged rows, keeping every source record id and
   every source, the union of the themes (the most reliable route of each), and the location of
   the most precise record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from scipy.cluster.hierarchy import DisjointSet
from scipy.spatial import cKDTree

from geo.crs import with_projected_xy
from geo.fmt import fr_number
from geo.io.placement import (
    PRECISION_ADDRESS,
    PRECISION_APPROXIMATE,
    PRECISION_COMMUNE,
    VERDICT_CENTROID,
    VERDICT_CONSISTENT,
    VERDICT_INCONSISTENT,
    VERDICTS,
)
from geo.themes import ROUTES, THEMES, normalize_text

MAX_DISTANCE_M = 1_000.0
"""Two rows farther apart than this (both with a real point) are never the same place."""

MERGE_DISTANCE_M = 150.0
"""Two rows with real points and the same name are merged up to this distance (geocoding noise);
farther apart they may be two sites of one network, so they are flagged for review instead."""

SAME_SPOT_M = 50.0
"""Rows this close: one name included in the other is enough to merge; different names are
recorded as kept apart."""

MERGE_SCORE = 90.0
"""Name similarity (0–100) from which two close rows are merged."""

REVIEW_SCORE = 75.0
"""Name similarity from which two close rows that are not merged are flagged for review."""

DECISION_MERGED = "fusionnés"
DECISION_APART = "distincts"
DECISION_REVIEW = "à vérifier"

RULES: dict[str, tuple[str, str]] = {
    "nom_identique": (
        DECISION_MERGED,
        "même nom une fois normalisé, au même endroit ou dans la même commune",
    ),
    "nom_proche": (DECISION_MERGED, f"noms très proches (score ≥ {MERGE_SCORE:.0f}/100), au même endroit"),
    "nom_inclus": (DECISION_MERGED, f"un nom contient l'autre, à moins de {SAME_SPOT_M:.0f} m"),
    "meme_nom_loin": (
        DECISION_REVIEW,
        f"même nom mais à plus de {MERGE_DISTANCE_M:.0f} m : deux sites d'un même réseau ?",
    ),
    "nom_generique": (DECISION_REVIEW, "noms proches mais faits de mots génériques ou du nom de la commune"),
    "nom_inclus_loin": (DECISION_REVIEW, "un nom contient l'autre, mais pas au même endroit"),
    "nom_a_verifier": (DECISION_REVIEW, f"noms assez proches (score ≥ {REVIEW_SCORE:.0f}/100)"),
    "meme_endroit": (DECISION_APART, f"à moins de {SAME_SPOT_M:.0f} m mais noms différents"),
}
"""Rule code → (decision, French explanation written in the decisions file)."""

RULE_EXCEPTION = "exception"

DECISION_COLUMNS = (
    "place_id_a",
    "nom_a",
    "place_id_b",
    "nom_b",
    "distance_m",
    "meme_commune",
    "score_nom",
    "decision",
    "regle",
    "motif",
)
"""Columns of the decisions table (``data/linkage_decisions.csv``)."""

EXCEPTION_COLUMNS = ("place_id_a", "place_id_b", "decision", "motif")
"""Columns of the reviewed exceptions (``data/linkage_exceptions.csv``); ``decision`` is
:data:`DECISION_MERGED` or :data:`DECISION_APART`."""

_NUMBER_WORDS = {
    word: str(digit)
    for digit, word in enumerate(
        ("zero", "", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf")
    )
    if word
}
"""Number words written as digits (« Le Hangar Zéro » and « LE HANGAR 0 »), tried besides the words
as written (« Le Cent Sept » and « Le Centsept »); « un » is also an article."""
_ARTICLES = frozenset({"le", "la", "les", "l", "de", "du", "des", "d", "et", "au", "aux", "un", "une", "a"})
GENERIC_WORDS = frozenset(
    {"tiers", "lieu", "lieux", "tierslieu", "tierslieux", "espace", "espaces", "coworking", "coworkings"}
    | {"cowork", "fablab", "fablabs", "fab", "lab", "labs", "makerspace", "hackerspace", "atelier"}
    | {"ateliers", "association", "asso", "centre", "maison", "pole", "fabrique", "fabriques"}
    | {"manufacture", "manufactures", "proximite", "territoire", "projet", "bureau", "bureaux"}
    | {"partage", "partages", "partagee", "partagees", "by"}
    | {"sa", "sas", "sasu", "sarl", "eurl", "scic", "scop", "scoparl", "arl", "cie"}
)
"""Words that say what kind of place it is or its legal form, not which one: ignored when names are
compared."""

_PRECISION_RANK = {PRECISION_ADDRESS: 0, PRECISION_APPROXIMATE: 1, PRECISION_COMMUNE: 2}
_ROUTE_RANK = {route: rank for rank, route in enumerate(ROUTES)}


def link_places(
    places: pd.DataFrame, commune_names: pd.Series, *, exceptions: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge the rows of ``places`` that are the same place.

    Parameters
    ----------
    places
        The places schema (``place_id``, ``name``, ``source``, ``zone``, ``code_insee``,
        ``location_precision``, ``theme_<code>``, a point geometry or ``x_m`` / ``y_m``...).
    commune_names
        Name of each row's commune, aligned on ``places`` (see :func:`score_pairs`).
    exceptions
        Reviewed decisions that override the rules (:data:`EXCEPTION_COLUMNS`).

    Returns
    -------
    (places, decisions)
        One row per place, with ``source_records``, ``sources`` and ``possible_duplicate_of``
        (ids of the places kept apart but flagged for review); and every recorded pair with its
        decision (:data:`DECISION_COLUMNS`).
    """
    located = places if {"x_m", "y_m"} <= set(places.columns) else with_projected_xy(places)
    located = located.reset_index(drop=True)
    pairs = candidate_pairs(located)
    scored = score_pairs(located, pairs, commune_names.reset_index(drop=True))
    decisions = decide_pairs(located, scored, exceptions)
    merged = merge_groups(located, decisions)
    merged["possible_duplicate_of"] = _review_flags(merged, decisions)
    return merged, decisions.drop(columns=["a", "b"])


def duplicate_flags(places: pd.DataFrame, commune_names: pd.Series, *, among: pd.Series) -> pd.Series:
    """For each row, the ids of the rows that the rules would merge with it or flag for review,
    looking only at pairs with at least one row of ``among`` (e.g. the rows of an import).

    Used for a user's import: its duplicates are shown, never merged silently.
    """
    located = places if {"x_m", "y_m"} <= set(places.columns) else with_projected_xy(places)
    located = located.reset_index(drop=True)
    pairs = candidate_pairs(located)
    concerned = among.to_numpy()
    pairs = pairs[concerned[pairs["a"]] | concerned[pairs["b"]]]
    decisions = decide_pairs(located, score_pairs(located, pairs, commune_names.reset_index(drop=True)))
    flagged = decisions[decisions["decision"].isin([DECISION_MERGED, DECISION_REVIEW])]
    ids: dict[str, list[str]] = {}
    for a, b in zip(flagged["place_id_a"], flagged["place_id_b"], strict=True):
        ids.setdefault(a, []).append(b)
        ids.setdefault(b, []).append(a)
    return pd.Series(
        [";".join(sorted(set(ids.get(p, [])))) for p in located["place_id"]], index=places.index, dtype=object
    )


def _review_flags(merged: pd.DataFrame, decisions: pd.DataFrame) -> pd.Series:
    """For each merged place, the ids of the places it was kept apart from « à vérifier »."""
    survivor = {
        record: place_id
        for place_id, records in zip(merged["place_id"], merged["source_records"], strict=True)
        for record in records.split(";")
    }
    flags: dict[str, list[str]] = {}
    review = decisions[decisions["decision"] == DECISION_REVIEW]
    for a, b in zip(review["place_id_a"], review["place_id_b"], strict=True):
        first, second = survivor.get(a, a), survivor.get(b, b)
        if first != second:
            flags.setdefault(first, []).append(second)
            flags.setdefault(second, []).append(first)
    return merged["place_id"].map(lambda p: ";".join(sorted(set(flags.get(p, []))))).astype(object)


def name_tokens(name: str, *, generic: bool = False, digits: bool = False) -> tuple[str, ...]:
    """Words of a place name for comparison: accent-free, lower case, no articles.

    ``generic=False`` also removes :data:`GENERIC_WORDS` (« Espace de coworking La Tribu » →
    ``("tribu",)``); « Tiers-lieu » written in one word or two is handled the same.
    ``digits=True`` writes number words as digits (« Zéro » → ``"0"``).
    """
    text = re.sub(r"[^a-z0-9]+", " ", normalize_text(name).replace("tiers-lieu", "tierslieu"))
    words = [w for w in text.split() if w not in _ARTICLES]
    if digits:
        words = [_NUMBER_WORDS.get(w, w) for w in words]
    if not generic:
        words = [w for w in words if w not in GENERIC_WORDS]
    return tuple(words)


def candidate_pairs(places: pd.DataFrame) -> pd.DataFrame:
    """Pairs of rows that may be one place (positions ``a`` < ``b`` in ``places``).

    ``places`` needs ``zone``, ``x_m``, ``y_m`` (metric coordinates of its zone), ``code_insee``
    and ``location_precision``. Returns ``a``, ``b``, ``distance_m``, ``meme_commune`` and
    ``precis`` (both rows have a real point, not their commune's).
    """
    found: list[np.ndarray] = []
    zones = places["zone"].to_numpy()
    xy = places[["x_m", "y_m"]].to_numpy(dtype=float)
    for zone in pd.unique(zones):
        rows = np.flatnonzero((zones == zone) & np.isfinite(xy).all(axis=1))
        if len(rows) > 1:
            close = cKDTree(xy[rows]).query_pairs(MAX_DISTANCE_M, output_type="ndarray")
            found.append(rows[close])
    found.append(_same_commune_pairs(places))
    pairs = np.unique(np.sort(np.concatenate([p.reshape(-1, 2) for p in found]), axis=1), axis=0)
    codes = places["code_insee"].to_numpy()
    precise = (places["location_precision"] != PRECISION_COMMUNE).to_numpy()
    a, b = pairs[:, 0], pairs[:, 1]
    return pd.DataFrame(
        {
            "a": a,
            "b": b,
            "distance_m": np.hypot(*(xy[a] - xy[b]).T),
            "meme_commune": (codes[a] == codes[b]) & (codes[a] != ""),
            "precis": precise[a] & precise[b],
        }
    )


def _same_commune_pairs(places: pd.DataFrame) -> np.ndarray:
    """Pairs in one commune where a row is only placed at the commune's point."""
    commune_level = (places["location_precision"] == PRECISION_COMMUNE).to_numpy()
    codes = places["code_insee"].to_numpy()
    pairs: list[tuple[int, int]] = []
    by_code = pd.Series(np.arange(len(places))).groupby(codes)
    for code, positions in by_code:
        members = positions.to_numpy()
        if code == "" or len(members) < 2 or not commune_level[members].any():
            continue
        pairs.extend(
            (int(i), int(j))
            for k, i in enumerate(members)
            for j in members[k + 1 :]
            if commune_level[[i, j]].any()
        )
    return np.array(pairs, dtype=int).reshape(-1, 2)


def score_pairs(places: pd.DataFrame, pairs: pd.DataFrame, commune_names: pd.Series) -> pd.DataFrame:
    """Add ``score_nom`` (distinctive words), ``score_complet`` (every word), ``inclus`` (the
    distinctive words of one name are all in the other, or written together inside it) and
    ``distinctif``.

    ``commune_names`` (aligned on ``places``) is the name of each row's commune: ``distinctif``
    is false when the distinctive words of a name are only that name (« Coworking de Lannion »
    and « Fablab Lannion » say nothing of which place they are).
    """
    core = [name_tokens(n) for n in places["name"]]
    numbers = [" ".join(name_tokens(n, digits=True)) for n in places["name"]]
    full = [" ".join(sorted(name_tokens(n, generic=True))) for n in places["name"]]
    own = [set(name_tokens(str(c), generic=True)) for c in commune_names]
    pairs_ab = list(zip(pairs["a"].to_numpy(), pairs["b"].to_numpy(), strict=True))
    scores = [
        max(
            fuzz.token_sort_ratio(" ".join(core[i]), " ".join(core[j])),
            fuzz.token_sort_ratio(numbers[i], numbers[j]),
        )
        if core[i] and core[j]
        else 0.0
        for i, j in pairs_ab
    ]
    return pairs.assign(
        score_nom=np.round(scores, 1),
        score_complet=np.round([fuzz.token_sort_ratio(full[i], full[j]) for i, j in pairs_ab], 1),
        inclus=[_included(core[i], core[j]) for i, j in pairs_ab],
        distinctif=[bool(set(core[i]) - own[i]) and bool(set(core[j]) - own[j]) for i, j in pairs_ab],
    )


def _included(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    short, long_ = sorted((first, second), key=lambda words: len("".join(words)))
    if len("".join(short)) < 4:
        return False
    return set(short) <= set(long_) or (len("".join(short)) >= 6 and "".join(short) in "".join(long_))


def _rule_of(row: pd.Series) -> str:
    """The rule (a key of :data:`RULES`) that applies to one scored pair, ``""`` when none."""
    close = row["distance_m"] <= MERGE_DISTANCE_M if row["precis"] else row["meme_commune"]
    same_spot = bool(row["precis"]) and row["distance_m"] <= SAME_SPOT_M
    if row["score_nom"] >= MERGE_SCORE and row["distinctif"]:
        if not close:
            return "meme_nom_loin"
        return "nom_identique" if row["score_nom"] == 100 else "nom_proche"
    if row["score_nom"] >= MERGE_SCORE:
        return "nom_identique" if row["score_complet"] >= MERGE_SCORE and same_spot else "nom_generique"
    if row["inclus"] and row["distinctif"]:
        return "nom_inclus" if same_spot else "nom_inclus_loin"
    if row["score_nom"] >= REVIEW_SCORE:
        return "nom_a_verifier"
    return "meme_endroit" if same_spot else ""


def decide_pairs(
    places: pd.DataFrame, scored: pd.DataFrame, exceptions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The decision on each scored pair worth recording (:data:`DECISION_COLUMNS`, plus ``a``, ``b``).

    ``exceptions`` (:data:`EXCEPTION_COLUMNS`, pairs in either order) override the rules.
    """
    rules = scored.apply(_rule_of, axis=1) if len(scored) else pd.Series(dtype=object)
    ids = places["place_id"].astype(str).to_numpy()
    out = scored.assign(
        place_id_a=ids[scored["a"].to_numpy()],
        place_id_b=ids[scored["b"].to_numpy()],
        regle=rules,
        decision=rules.map(lambda r: RULES[r][0] if r else ""),
        motif=rules.map(lambda r: RULES[r][1] if r else ""),
    )
    if exceptions is not None and len(exceptions):
        out = _apply_exceptions(out, exceptions)
    out = out[out["regle"] != ""]
    names = places["name"].astype(str).to_numpy()
    out = out.assign(
        nom_a=names[out["a"].to_numpy()],
        nom_b=names[out["b"].to_numpy()],
        distance_m=out["distance_m"].round(0),
    )
    order = out["decision"].map({DECISION_MERGED: 0, DECISION_REVIEW: 1, DECISION_APART: 2})
    out = out.assign(_order=order).sort_values(["_order", "place_id_a", "place_id_b"], kind="stable")
    return out[["a", "b", *DECISION_COLUMNS]].reset_index(drop=True)


def _apply_exceptions(decisions: pd.DataFrame, exceptions: pd.DataFrame) -> pd.DataFrame:
    keyed = {
        frozenset((str(row.place_id_a), str(row.place_id_b))): (str(row.decision), str(row.motif))
        for row in exceptions.itertuples()
    }
    pair_keys = [
        frozenset(pair) for pair in zip(decisions["place_id_a"], decisions["place_id_b"], strict=True)
    ]
    found = [keyed.get(key) for key in pair_keys]
    hit = pd.Series([f is not None for f in found], index=decisions.index)
    if not hit.any():
        return decisions
    out = decisions.copy()
    out.loc[hit, "decision"] = [f[0] for f in found if f is not None]
    out.loc[hit, "motif"] = [f"décision relue : {f[1]}" for f in found if f is not None]
    out.loc[hit, "regle"] = RULE_EXCEPTION
    return out


def merge_groups(places: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """One row per group of merged rows (groups are the connected pairs of :data:`DECISION_MERGED`).

    The row kept is the group's most precise record (then the most recent list); it gains
    ``source_records`` and ``sources`` (every record id and source code, « ; »-joined), the
    other records' names in ``aliases``, the union of the labels, typologies, descriptions and
    themes (the most reliable route of each).
    A row that is merged with nothing keeps its own id and source in those columns.
    """
    groups = _groups(len(places), decisions[decisions["decision"] == DECISION_MERGED])
    frame = places.reset_index(drop=True).assign(_group=groups)
    if "source_records" not in frame.columns:
        frame["source_records"] = frame["place_id"]
        frame["sources"] = frame["source"]
    frame["_rank"] = frame["location_precision"].map(_PRECISION_RANK).fillna(3)
    frame["_recent"] = frame["vintage"].astype(str).str.extract(r"(\d{4})", expand=False).fillna("0")
    frame = frame.sort_values(["_group", "_rank", "_recent"], ascending=[True, True, False], kind="stable")
    merged = frame.groupby("_group", sort=False).agg(**_aggregations(frame))
    kept = frame.drop_duplicates("_group").set_index("_group")
    for column, values in merged.items():
        kept[column] = values
    kept = kept.sort_index()
    kept["aliases"] = [
        _joined(n for n in str(names).split(" ; ") if n != name)
        for names, name in zip(kept["_names"], kept["name"], strict=True)
    ]
    kept["themes"] = [
        ";".join(t for t in THEMES if row[f"theme_{t}"])
        for _, row in kept[[f"theme_{t}" for t in THEMES]].iterrows()
    ]
    return kept.drop(columns=["_rank", "_recent", "_names"]).reset_index(drop=True)


def _groups(n: int, merged: pd.DataFrame) -> np.ndarray:
    sets = DisjointSet(range(n))
    for a, b in zip(merged["a"], merged["b"], strict=True):
        sets.merge(int(a), int(b))
    return np.array([min(sets.subset(i)) for i in range(n)])


def _joined(values: Iterable[object], sep: str = " ; ") -> str:
    seen: list[str] = []
    for value in values:
        for part in str(value).split(sep) if value else []:
            if part and part not in seen:
                seen.append(part)
    return sep.join(seen)


def _best_route(routes: Iterable[str]) -> str:
    present = [r for r in routes if r]
    return min(present, key=lambda r: _ROUTE_RANK.get(r, len(_ROUTE_RANK))) if present else ""


def _aggregations(frame: pd.DataFrame) -> dict[str, tuple[str, Callable[[pd.Series], str]]]:
    aggregations: dict[str, tuple[str, Callable[[pd.Series], str]]] = {
        "_names": ("name", _joined),
        "source_records": ("source_records", lambda s: _joined(s, ";")),
        "sources": ("sources", lambda s: _joined(s, ";")),
        "label": ("label", _joined),
        "source_typology": ("source_typology", _joined),
        "description": ("description", lambda s: _joined(s, "\n")),
        "url": ("url", lambda s: next((u for u in s if u), "")),
        "vintage": ("vintage", _joined),
        "licence": ("licence", _joined),
    }
    for theme in THEMES:
        aggregations[f"theme_{theme}"] = (f"theme_{theme}", _best_route)
    return {k: v for k, v in aggregations.items() if v[0] in frame.columns}


@dataclass(frozen=True)
class RegisterSummary:
    """What the de-duplication and the placement did to a register of places."""

    records: int
    """Source records (rows of the lists) behind the places."""
    places: int
    merged_places: int
    """Places made of several records."""
    merged_across_lists: int
    """Merged places whose records come from several lists."""
    pairs_apart: int
    """Close pairs examined and kept apart."""
    pairs_reviewed: int
    """Pairs decided by the reviewed exceptions."""
    verdicts: dict[str, int]
    """Placement verdict (:data:`geo.io.placement.VERDICTS`) → places."""


def register_summary(places: pd.DataFrame, decisions: pd.DataFrame) -> RegisterSummary:
    """Counts of :class:`RegisterSummary` for ``places`` and their linkage ``decisions``."""
    records = places["source_records"].astype(str).str.split(";")
    merged = records.str.len() > 1
    regle = decisions["regle"] if "regle" in decisions.columns else pd.Series(dtype=object)
    return RegisterSummary(
        records=int(records.str.len().sum()),
        places=len(places),
        merged_places=int(merged.sum()),
        merged_across_lists=int((merged & places["sources"].astype(str).str.contains(";")).sum()),
        pairs_apart=int((decisions["decision"] == DECISION_APART).sum()),
        pairs_reviewed=int((regle == RULE_EXCEPTION).sum()),
        verdicts={str(k): int(v) for k, v in places["placement"].value_counts().items()},
    )


def describe_register(summary: RegisterSummary) -> str:
    """French paragraphs (Markdown) saying what :func:`register_summary` counted, for the docs page."""
    n = {key: fr_number(value) for key, value in vars(summary).items() if isinstance(value, int)}
    verdicts = {key: fr_number(summary.verdicts.get(key, 0)) for key in VERDICTS}
    within = fr_number(summary.merged_places - summary.merged_across_lists)
    doubles = fr_number(summary.records - summary.places)
    return (
        f"Les **{n['records']} fiches** des listes sources donnent **{n['places']} lieux** : "
        f"{n['merged_places']} lieux réunissent plusieurs fiches ({n['merged_across_lists']} entre deux "
        f"listes, {within} dans une même liste), soit {doubles} doublons qui ne sont plus comptés deux fois. "
        "Un lieu fusionné garde toutes ses fiches et toutes ses sources (« CGET 2019 + Fabrique de "
        f"territoire 2024 ») et la réunion de leurs thèmes. {n['pairs_apart']} paires de lieux proches ont "
        f"été examinées et gardées distinctes ; {n['pairs_reviewed']} décisions ont été relues une à une "
        "(`data/linkage_exceptions.csv`).\n\n"
        "Chaque lieu est compté **dans la commune que ses meilleures informations désignent** : des "
        "coordonnées à l'adresse l'emportent sur un code commune qui les contredit ; un code commune "
        "l'emporte sur un point peu précis tombé dans un autre département. Résultat : "
        f"{verdicts[VERDICT_CONSISTENT]} lieux cohérents, {verdicts[VERDICT_CENTROID]} placés au point de "
        f"leur commune (listes publiées par commune), {verdicts[VERDICT_INCONSISTENT]} incohérents, gardés "
        "avec la raison du choix (colonne « placement_note » des exports)."
    )
