"""Find a territory (commune, EPCI, département, région) by name or code, forgivingly.

Names are compared after :func:`search_key`: lower case, no accents, hyphens and
apostrophes as spaces, « St » / « Ste » spelled out, so that « saint etienne »,
« St-Etienne » and « SAINT-ÉTIENNE » all find Saint-Étienne. Codes are INSEE codes
(communes, départements, régions) or SIREN numbers (EPCI); a ``level:code`` key
(``commune:34172``, ``dep:34``) names one territory without ambiguity and is what the
pages keep in their URL.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd

from geo._errors import InvalidParameterError, UnknownTerritoryError
from geo._validate import check_choice, check_positive
from geo.territory import LEVEL_KEYS, LEVEL_NAMES, LEVELS, Scope
from geo.themes import normalize_text

INDEX_COLUMNS = (
    "key",
    "level",
    "code",
    "name",
    "label",
    "search",
    "population",
    "zone",
    "reg",
    "dep",
    "epci",
)
"""Columns of the territory index (see :func:`territory_index`)."""

_LEVEL_ORDER = {"reg": 0, "dep": 1, "epci": 2, "commune": 3}
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_SCORE_CODE = 100
_SCORE_EXACT = 90
_SCORE_PREFIX = 75
_SCORE_WORDS = 60
_SCORE_SUBSTRING = 50
_SCORE_FUZZY = 40
_FUZZY_CUTOFF = 0.72


@dataclass(frozen=True)
class Territory:
    """One territory of the Atlas, at one of the :data:`geo.territory.LEVELS`."""

    level: str
    code: str
    name: str
    label: str
    """Name with the level and département, unambiguous (« Saint-Étienne (commune, 42) »)."""
    population: int
    zone: str
    reg: str
    dep: str
    """Département code (empty for a région; the main département for an EPCI)."""
    epci: str
    """EPCI SIREN (communes and EPCI only, else empty)."""

    @property
    def key(self) -> str:
        """``level:code``, the territory's identifier in URLs (``commune:34172``)."""
        return f"{self.level}:{self.code}"

    @property
    def level_label(self) -> str:
        """French name of the level (« Commune », « EPCI »...)."""
        return LEVELS[self.level]

    @property
    def scope(self) -> Scope:
        """The :class:`~geo.territory.Scope` of the territory; a commune gets the scope of its
        EPCI within its département (the smallest scope holding it).

        An EPCI's scope names no région nor département: some EPCI span two of them.
        """
        if self.level == "reg":
            return Scope(self.zone, self.reg)
        if self.level == "dep":
            return Scope(self.zone, self.reg, self.dep)
        if self.level == "epci":
            return Scope(self.zone, epci=self.code)
        return Scope(self.zone, self.reg, self.dep, self.epci or None)


class TerritorySearchError(UnknownTerritoryError):
    """No territory, or several, match a query; ``candidates`` are the ranked suggestions."""

    def __init__(self, query: str, candidates: list[Territory], *, ambiguous: bool) -> None:
        super().__init__(query, [c.label for c in candidates])
        self.candidates = list(candidates)
        self.ambiguous = ambiguous
        if ambiguous:
            listing = ", ".join(c.label for c in candidates)
            self.args = (f"Plusieurs territoires correspondent à « {query} » : {listing}. Précisez lequel.",)
        elif not candidates:
            self.args = (
                f"Territoire inconnu : « {query} ». Saisissez le nom ou le code INSEE d'une commune, "
                "le nom ou le numéro SIREN d'un EPCI, ou le nom ou le code d'un département ou d'une région.",
            )


def search_key(text: str | None) -> str:
    """Normalised form of a name for matching (``"Saint-Étienne"`` → ``"saint etienne"``).

    Lower case, accents removed, ligatures expanded, every run of non-alphanumeric
    characters turned into one space, and the abbreviations « st », « ste » spelled out.
    """
    words = re.sub(r"[^0-9a-z]+", " ", normalize_text(text)).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def _label(level: str, name: str, code: str, dep: str) -> str:
    if level == "commune":
        return f"{name} (commune, {dep})" if dep else f"{name} (commune)"
    if level == "epci":
        return f"{name} (EPCI, {dep})" if dep else f"{name} (EPCI)"
    if level == "dep":
        return f"{name} (département {code})"
    return f"{name} (région)"


def territory_index(communes: pd.DataFrame) -> pd.DataFrame:
    """Every commune, EPCI, département and région of ``communes``, ready to be searched.

    Parameters
    ----------
    communes
        The communes table of the Atlas (code and name columns of each level, ``population``,
        ``zone``).

    Returns
    -------
    DataFrame with :data:`INDEX_COLUMNS`, one row per territory, indexed by ``key``
    (``level:code``). Populations are summed from the communes; an EPCI or a région gets
    the département (or zone) of most of its inhabitants.
    """
    missing = [
        c for c in (*LEVEL_KEYS.values(), *LEVEL_NAMES.values(), "population", "zone") if c not in communes
    ]
    if missing:
        raise InvalidParameterError(f"`communes` n'a pas les colonnes {missing}")
    frames = []
    for level, key in LEVEL_KEYS.items():
        rows = communes[communes[key].fillna("") != ""]
        grouped = (
            rows.sort_values("population", ascending=False)
            .groupby(key, sort=False)
            .agg(
                name=(LEVEL_NAMES[level], "first"),
                population=("population", "sum"),
                t_zone=("zone", "first"),
                t_reg=("reg", "first"),
                t_dep=("dep", "first"),
                t_epci=("epci_siren", "first"),
            )
            .rename_axis("code")
            .reset_index()
            .rename(columns={"t_zone": "zone", "t_reg": "reg", "t_dep": "dep", "t_epci": "epci"})
        )
        grouped["level"] = level
        if level == "reg":
            grouped["dep"] = ""
        if level in ("reg", "dep"):
            grouped["epci"] = ""
        frames.append(grouped)
    index = pd.concat(frames, ignore_index=True)
    index["population"] = index["population"].fillna(0).astype("int64")
    for column in ("name", "zone", "reg", "dep", "epci"):
        index[column] = index[column].fillna("").astype(str)
    index["key"] = index["level"] + ":" + index["code"]
    index["label"] = [
        _label(level, name, code, dep)
        for level, name, code, dep in zip(
            index["level"], index["name"], index["code"], index["dep"], strict=True
        )
    ]
    index["search"] = index["name"].map(search_key)
    index["_order"] = index["level"].map(_LEVEL_ORDER)
    index = index.sort_values(["_order", "population"], ascending=[True, False]).drop(columns="_order")
    return index.set_index("key", drop=False)[list(INDEX_COLUMNS)]


def territory_from_row(row: pd.Series) -> Territory:
    """The :class:`Territory` of one row of :func:`territory_index`."""
    return Territory(
        level=str(row["level"]),
        code=str(row["code"]),
        name=str(row["name"]),
        label=str(row["label"]),
        population=int(row["population"]),
        zone=str(row["zone"]),
        reg=str(row["reg"]),
        dep=str(row["dep"]),
        epci=str(row["epci"]),
    )


def search_territories(
    index: pd.DataFrame, query: str, *, level: str | None = None, limit: int = 10
) -> pd.DataFrame:
    """Territories matching ``query`` (name, part of a name, code or ``level:code``), best first.

    Parameters
    ----------
    index
        Output of :func:`territory_index`.
    query
        What the user typed. Case, accents, hyphens and apostrophes do not matter.
    level
        Restrict to one level (``"commune"``, ``"epci"``, ``"dep"``, ``"reg"``).
    limit
        Maximum number of rows returned.

    Returns
    -------
    Rows of ``index`` with a ``score`` column: 100 code, 90 exact name, 75 name starting
    with the query, 60 every word of the query starting a word of the name, 50 the query
    inside the name, under 40 spelling close to the query. Ties go to the coarsest level,
    then the most populated territory. Empty when nothing is close.
    """
    if level is not None:
        check_choice(level, LEVELS, "level")
    check_positive(limit, "limit")
    candidates = index if level is None else index[index["level"] == level]
    text = (query or "").strip()
    if not text:
        return candidates.iloc[0:0].assign(score=pd.Series(dtype=float))
    score = pd.Series(0.0, index=candidates.index)
    if ":" in text:
        prefix, _, code = text.partition(":")
        key = f"{prefix.strip().lower()}:{code.strip().upper()}"
        score[candidates["key"] == key] = _SCORE_CODE
    code_text = text.upper().replace(" ", "")
    score[candidates["code"] == code_text] = _SCORE_CODE
    wanted = search_key(text)
    if wanted:
        names = candidates["search"]
        words = wanted.split()
        by_words = pd.Series(True, index=candidates.index)
        for word in words:
            by_words &= names.str.contains(rf"\b{re.escape(word)}", regex=True)
        for mask, value in (
            (names.str.contains(wanted, regex=False), _SCORE_SUBSTRING),
            (by_words, _SCORE_WORDS),
            (names.str.startswith(wanted), _SCORE_PREFIX),
            (names == wanted, _SCORE_EXACT),
        ):
            score[mask & (score < value)] = value
        if not (score > 0).any():
            unique_names = names.drop_duplicates().tolist()
            for close in difflib.get_close_matches(wanted, unique_names, n=limit, cutoff=_FUZZY_CUTOFF):
                ratio = difflib.SequenceMatcher(None, wanted, close).ratio()
                score[names == close] = round(_SCORE_FUZZY * ratio, 1)
    found = candidates[score > 0].assign(score=score[score > 0])
    found = found.assign(_order=found["level"].map(_LEVEL_ORDER))
    found = found.sort_values(["score", "_order", "population"], ascending=[False, True, False])
    return found.drop(columns="_order").head(limit)


def resolve_territory(index: pd.DataFrame, query: str, *, level: str | None = None) -> Territory:
    """The one territory meant by ``query`` (a ``level:code`` key, a code or a name).

    A query resolves when exactly one territory has its code, or exactly one has its
    name, or exactly one name starts with it; anything else raises with suggestions.

    Raises
    ------
    InvalidParameterError
        If ``query`` is empty or ``level`` unknown.
    TerritorySearchError
        (an :class:`~geo._errors.UnknownTerritoryError`) if nothing or several territories
        match; ``candidates`` holds the ranked suggestions (at most 8).
    """
    if level is not None:
        check_choice(level, LEVELS, "level")
    text = (query or "").strip()
    if not text:
        raise InvalidParameterError("Saisissez le nom ou le code d'un territoire.")
    found = search_territories(index, text, level=level, limit=50)
    suggestions = [territory_from_row(row) for _, row in found.head(8).iterrows()]
    if found.empty:
        raise TerritorySearchError(text, [], ambiguous=False)
    best = float(found["score"].iloc[0])
    top = found[found["score"] == best]
    if best >= _SCORE_PREFIX and len(top) == 1:
        return territory_from_row(top.iloc[0])
    if best >= _SCORE_PREFIX:
        raise TerritorySearchError(
            text, [territory_from_row(r) for _, r in top.head(8).iterrows()], ambiguous=True
        )
    raise TerritorySearchError(text, suggestions, ambiguous=False)


def territory_by_key(index: pd.DataFrame, key: str) -> Territory:
    """The territory of a ``level:code`` key (from a URL).

    Raises
    ------
    TerritorySearchError
        If the key is unknown, with suggestions from its code or name.
    """
    text = (key or "").strip()
    if text in index.index:
        return territory_from_row(index.loc[text])
    _, _, code = text.partition(":")
    found = search_territories(index, code or text, limit=8) if (code or text) else index.iloc[0:0]
    raise TerritorySearchError(text, [territory_from_row(r) for _, r in found.iterrows()], ambiguous=False)
