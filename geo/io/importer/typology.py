"""Themes from an import's typology column: its values, the themes they suggest, the user's mapping."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import pandas as pd

from geo.io.import_mapping import ColumnMapping, PreparedImport
from geo.io.importer.cells import joined
from geo.themes import ROUTE_TYPOLOGY, THEMES, themes_from_keywords, themes_from_typology

_TYPOLOGY_SEPARATORS = re.compile(r"\s*(?:[;|\n]|,\s)\s*")


def typology_values(text: str) -> list[str]:
    """The values of a typology cell (« Coworking ; Fablab », « Café, atelier »); « / » is kept
    (« Bureaux partagés / Coworking » is one census family)."""
    return [v for v in (part.strip() for part in _TYPOLOGY_SEPARATORS.split(text or "")) if v]


@lru_cache(maxsize=4096)
def suggested_themes(value: str) -> tuple[str, ...]:
    """Themes a typology value suggests: a known family of the census or the CGET, else the
    keyword rules on the value itself."""
    return tuple(dict.fromkeys([*themes_from_typology(value), *themes_from_keywords(value)]))


def typology_table(prepared: PreparedImport, mapping: ColumnMapping, *, limit: int = 40) -> pd.DataFrame:
    """The most frequent values of the typology columns, with the rows holding each and the
    themes the rules suggest — what the user maps to themes for a free list.

    Returns
    -------
    DataFrame with ``valeur``, ``lignes`` and one boolean column per theme code.
    """
    text = joined(prepared.frame, [c for c in mapping.typology if c in prepared.frame.columns], ";")
    counts = text.map(typology_values).explode().dropna().value_counts()
    top = counts.head(limit)
    table = pd.DataFrame({"valeur": top.index.astype(str), "lignes": top.to_numpy()})
    for theme in THEMES:
        table[theme] = [theme in suggested_themes(v) for v in table["valeur"]]
    return table


def apply_typology_themes(
    places: pd.DataFrame, typology: pd.Series, value_themes: Mapping[str, Sequence[str]] | None
) -> None:
    """Themes from the typology values — mapped by the user, or as the rules suggest them
    (:func:`suggested_themes`) — with the « typologie » route, which takes precedence."""
    chosen: dict[str, Sequence[str]] = dict(value_themes) if value_themes is not None else {}
    themes_of_cell = typology.map(
        lambda text: {t for v in typology_values(text) for t in chosen.get(v, suggested_themes(v))}
    )
    for theme in THEMES:
        places.loc[themes_of_cell.map(lambda found, theme=theme: theme in found), f"theme_{theme}"] = (
            ROUTE_TYPOLOGY
        )
    carried = places[[f"theme_{t}" for t in THEMES]].ne("").to_numpy()
    places["themes"] = [";".join(t for t, on in zip(THEMES, row, strict=True) if on) for row in carried]
