"""Commune typologies: INSEE density grid, ANCT centralities, ANCT ruralities, massifs (loi Montagne).

One row per commune of the Atlas (``typologies`` dataset), joined to the communes by
:func:`geo.atlas.communes_with_programmes`, so that every page can group or filter communes by
type of territory. Every commune is classed; values that do not apply say so in words
(« Hors champ : commune urbaine ou DOM », « Hors massif »), never by an empty cell.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo._errors import DataValidationError

DENSITY_LEVELS: dict[int, str] = {
    1: "Grands centres urbains",
    2: "Centres urbains intermédiaires",
    3: "Ceintures urbaines",
    4: "Petites villes",
    5: "Bourgs ruraux",
    6: "Rural à habitat dispersé",
    7: "Rural à habitat très dispersé",
}
"""INSEE grille communale de densité, 7 levels, densest first."""

DENSITY_GROUP_URBAN = "Urbain dense"
DENSITY_GROUP_INTERMEDIATE = "Intermédiaire"
DENSITY_GROUP_RURAL = "Rural"
DENSITY_GROUPS: dict[int, str] = {
    1: DENSITY_GROUP_URBAN,
    2: DENSITY_GROUP_INTERMEDIATE,
    3: DENSITY_GROUP_INTERMEDIATE,
    4: DENSITY_GROUP_INTERMEDIATE,
    5: DENSITY_GROUP_RURAL,
    6: DENSITY_GROUP_RURAL,
    7: DENSITY_GROUP_RURAL,
}
"""Density level → group, as INSEE aggregates the grid in three (dense, intermédiaire, peu ou
très peu dense): the rural group is INSEE's definition of rural communes (2021)."""

RURAL_DEFINITION = (
    "communes rurales au sens de l'INSEE (définition 2021) : bourgs ruraux, rural à habitat dispersé "
    "et rural à habitat très dispersé de la grille communale de densité"
)
"""How « rural » is defined wherever a share of rural communes or inhabitants is shown."""

CENTRALITY_LEVELS: dict[int, str] = {
    1: "Centre majeur d'équipements et de services",
    2: "Centre structurant d'équipements et de services",
    3: "Centre intermédiaire d'équipements et de services",
    4: "Centre local d'équipements et de services",
    5: "Commune non centre",
    0: "Centralité non définie (outre-mer)",
}
"""ANCT – INRAE centralités, most equipped first; 0 = not defined (the overseas communes)."""

RURALITY_OUT_OF_SCOPE = "Hors champ : commune urbaine ou DOM"
RURALITY_CHANGED = "Périmètre modifié depuis la typologie"
NO_MASSIF = "Hors massif"

TYPOLOGY_COLUMNS = (
    "code_insee",
    "densite_niveau",
    "densite",
    "densite_groupe",
    "centralite_niveau",
    "centralite",
    "ruralite",
    "massif",
)
"""Columns of the ``typologies`` dataset."""

TYPOLOGY_SOURCES: dict[str, str] = {
    "densite": "INSEE, grille communale de densité à 7 niveaux",
    "centralite": "ANCT – INRAE, centralités (niveau d'équipements et de services)",
    "ruralite": "ANCT, typologie des ruralités",
    "massif": "ANCT, communes des massifs (loi Montagne)",
}
"""Typology → French credit (all via the Observatoire des territoires)."""

_RAW_RENAMES = {
    "Communes non centre": CENTRALITY_LEVELS[5],
    "- undefined": CENTRALITY_LEVELS[0],
    "Hors champ : DOM ou commune urbaine": RURALITY_OUT_OF_SCOPE,
    "Commune dont le périmètre a changé depuis la réalisation de la typologie": RURALITY_CHANGED,
}
"""Raw values of the Observatoire's exports → the labels shown."""

_RAW_VALUES = {
    "densite": "niveau_densite",
    "centralite": "niveau_centralite",
    "ruralite": "niveau_ruralite",
    "massif": "niveau_montagne",
}


def typologies_from_tables(tables: Mapping[str, pd.DataFrame], codes: pd.Series) -> pd.DataFrame:
    """The ``typologies`` dataset for the communes ``codes`` from the Observatoire's exports.

    Parameters
    ----------
    tables
        ``densite``, ``centralite``, ``ruralite`` and ``massif`` tables with the columns
        ``insee_com`` and ``niveau_<name>`` (values may carry stray spaces).
    codes
        The COG 2026 codes of the Atlas's communes.

    Returns
    -------
    DataFrame with :data:`TYPOLOGY_COLUMNS`, one row per code. A commune missing from the
    density grid keeps ``densite == ""`` (the build reports it); missing from the massifs
    means outside any massif.

    Raises
    ------
    DataValidationError
        If a table lacks its columns or holds a value outside the documented levels.
    """
    values = {name: _values(tables, name).replace(_RAW_RENAMES) for name in _RAW_VALUES}
    problems = [
        f"{name} : valeur inconnue « {value} »"
        for name, known in (
            ("densite", set(DENSITY_LEVELS.values())),
            ("centralite", set(CENTRALITY_LEVELS.values())),
        )
        for value in sorted(set(values[name]) - known)
    ]
    if problems:
        raise DataValidationError("typologies des communes", problems)
    codes = codes.astype(str).reset_index(drop=True)
    density = codes.map(values["densite"]).fillna("")
    density_level = density.map({label: level for level, label in DENSITY_LEVELS.items()})
    centrality = codes.map(values["centralite"]).fillna(CENTRALITY_LEVELS[0])
    rurality = codes.map(values["ruralite"]).fillna(RURALITY_OUT_OF_SCOPE)
    massif = codes.map(values["massif"]).fillna(NO_MASSIF).str.replace(r"^\d+ - ", "", regex=True)
    return pd.DataFrame(
        {
            "code_insee": codes,
            "densite_niveau": density_level.fillna(0).astype("int64"),
            "densite": density,
            "densite_groupe": density_level.map(DENSITY_GROUPS).fillna(""),
            "centralite_niveau": centrality.map({v: k for k, v in CENTRALITY_LEVELS.items()}).astype("int64"),
            "centralite": centrality,
            "ruralite": rurality,
            "massif": massif,
        }
    ).sort_values("code_insee", ignore_index=True)


def _values(tables: Mapping[str, pd.DataFrame], name: str) -> pd.Series:
    table = tables[name]
    column = _RAW_VALUES[name]
    missing = [c for c in ("insee_com", column) if c not in table.columns]
    if missing:
        raise DataValidationError(f"typologie {name}", [f"colonnes manquantes : {', '.join(missing)}"])
    return pd.Series(
        table[column].astype(str).str.strip().to_numpy(), index=table["insee_com"].astype(str).str.strip()
    )
