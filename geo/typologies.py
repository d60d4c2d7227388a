"""Commune typologies: INSEE density grid, ANCT centralities, ANCT ruralities, massifs (loi Montagne).

One row per commune of the Atlas (``typologies`` dataset), joined to the communes by
:func:`geo.io.atlas.communes_with_programmes`, so that every page can group or filter communes by
type of territory. Every commune is classed; values that do not apply say so in words
(« Hors champ : commune urbaine ou DOM », « Hors massif »), never by an empty cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from geo._errors import DataValidationError, InvalidParameterError

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

RURAL_LEVELS: tuple[int, ...] = (5, 6, 7)
"""Density levels of the rural group (INSEE definition of rural communes, 2021)."""

DENSITY_SHORT: dict[int, str] = {
    1: "grands centres urbains",
    2: "centres urbains intermédiaires",
    3: "ceintures urbaines",
    4: "petites villes",
    5: "bourgs ruraux",
    6: "communes rurales à habitat dispersé",
    7: "communes rurales à habitat très dispersé",
}
"""Density level → how a selection of communes is written in a sentence."""

DENSITY_GROUP_SHORT: dict[str, str] = {
    DENSITY_GROUP_URBAN: "grands centres urbains",
    DENSITY_GROUP_INTERMEDIATE: "communes de densité intermédiaire",
    DENSITY_GROUP_RURAL: "communes rurales",
}

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

CENTRALITY_SHORT: dict[int, str] = {
    1: "centres majeurs",
    2: "centres structurants",
    3: "centres intermédiaires",
    4: "centres locaux",
    5: "communes non centres",
    0: "centralité non définie",
}

RURALITY_OUT_OF_SCOPE = "Hors champ : commune urbaine ou DOM"
RURALITY_CHANGED = "Périmètre modifié depuis la typologie"
NO_MASSIF = "Hors massif"

RURALITY_CLASSES: dict[str, str] = {
    "productives_agricoles": "Les ruralités productives agricoles",
    "productives_ouvrieres": "Les ruralités productives ouvrières",
    "residentielles_aisees": "Les ruralités résidentielles aisées",
    "residentielles_mixtes": "Les ruralités résidentielles mixtes",
    "touristiques_specialisees": "Les ruralités touristiques spécialisées",
    "touristiques_residentielles": "Les ruralités touristiques à dominante résidentielle",
    "polarites_mixtes": "Les petites polarités mixtes",
    "polarites_industrielles": "Les petites polarités industrielles et artisanales",
    "perimetre_modifie": RURALITY_CHANGED,
    "hors_champ": RURALITY_OUT_OF_SCOPE,
}
"""ANCT typologie des ruralités: short code (for links) → label, the 8 classes first."""

MASSIFS: dict[str, str] = {
    "alpes": "Massif des Alpes",
    "central": "Massif Central",
    "corse": "Massif de Corse",
    "jura": "Massif du Jura",
    "pyrenees": "Massif des Pyrénées",
    "vosges": "Massif des Vosges",
    "guadeloupe": "Massif de Guadeloupe",
    "martinique": "Massif de Martinique",
    "reunion": "Massif des Hauts de la Réunion",
    "hors_massif": NO_MASSIF,
}
"""Massifs of the loi Montagne: short code (for links) → label, « Hors massif » last."""

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
    values["massif"] = values["massif"].str.replace(r"^\d+ - ", "", regex=True)  # « 02 - Massif du Jura »
    problems = [
        f"{name} : valeur inconnue « {value} »"
        for name, known in (
            ("densite", set(DENSITY_LEVELS.values())),
            ("centralite", set(CENTRALITY_LEVELS.values())),
            ("ruralite", set(RURALITY_CLASSES.values())),
            ("massif", set(MASSIFS.values())),
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
    massif = codes.map(values["massif"]).fillna(NO_MASSIF)
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


_FILTER_COLUMNS = ("densite_niveau", "centralite_niveau", "ruralite", "massif")


@dataclass(frozen=True)
class CommuneTypes:
    """A selection of communes by type of territory; an empty selection keeps every commune.

    Each field lists the classes kept for one typology (empty: no condition on it); a commune
    is kept when it matches every field that is set — e.g. ``CommuneTypes(densite=(6,))``
    keeps the « communes rurales à habitat dispersé ». Values are stored sorted, so that two
    equal selections make the same cache key.

    Attributes
    ----------
    densite
        Levels of :data:`DENSITY_LEVELS` (1–7).
    centralite
        Levels of :data:`CENTRALITY_LEVELS` (0–5).
    ruralite
        Codes of :data:`RURALITY_CLASSES`.
    massif
        Codes of :data:`MASSIFS`.

    Raises
    ------
    InvalidParameterError
        Listing every value outside the allowed ones.
    """

    densite: tuple[int, ...] = ()
    centralite: tuple[int, ...] = ()
    ruralite: tuple[str, ...] = ()
    massif: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        allowed: dict[str, Sequence[object]] = {
            "densite": list(DENSITY_LEVELS),
            "centralite": list(CENTRALITY_LEVELS),
            "ruralite": list(RURALITY_CLASSES),
            "massif": list(MASSIFS),
        }
        problems = []
        for name, values in allowed.items():
            chosen = tuple(getattr(self, name))
            unknown = [v for v in chosen if v not in values]
            if unknown:
                problems.append(f"`{name}` contient {unknown} mais doit être parmi {list(values)}")
            order = {v: i for i, v in enumerate(values)}
            object.__setattr__(self, name, tuple(sorted(set(chosen), key=lambda v: order.get(v, -1))))
        if problems:
            raise InvalidParameterError(" ; ".join(problems))

    def __bool__(self) -> bool:
        return bool(self.densite or self.centralite or self.ruralite or self.massif)

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Rows of ``frame`` (with the typology columns of the communes) of the selected types.

        Raises
        ------
        InvalidParameterError
            If a selection is set and ``frame`` lacks the column it needs.
        """
        selected = pd.Series(True, index=frame.index)
        if not self:
            return selected
        missing = [c for c in _FILTER_COLUMNS if c not in frame.columns]
        if missing:
            raise InvalidParameterError(
                f"Filtre par type de communes impossible : colonnes absentes ({', '.join(missing)})."
            )
        if self.densite:
            selected &= frame["densite_niveau"].isin(self.densite)
        if self.centralite:
            selected &= frame["centralite_niveau"].isin(self.centralite)
        if self.ruralite:
            selected &= frame["ruralite"].isin([RURALITY_CLASSES[c] for c in self.ruralite])
        if self.massif:
            selected &= frame["massif"].isin([MASSIFS[c] for c in self.massif])
        return selected

    def describe(self) -> str:
        """French description (« communes rurales à habitat dispersé ; centralité : centres locaux »),
        ``""`` when nothing is selected."""
        parts = []
        if self.densite:
            parts.append(_density_text(self.densite))
        if self.centralite:
            parts.append("centralité : " + ", ".join(CENTRALITY_SHORT[v] for v in self.centralite))
        if self.ruralite:
            parts.append(
                "ruralité : " + ", ".join(_rurality_short(RURALITY_CLASSES[c]) for c in self.ruralite)
            )
        if self.massif:
            parts.append("massif : " + ", ".join(MASSIFS[c] for c in self.massif))
        return " ; ".join(parts)


def _density_text(levels: tuple[int, ...]) -> str:
    """Whole INSEE groups by their name, the other levels one by one."""
    remaining = list(levels)
    parts = []
    for group, short in DENSITY_GROUP_SHORT.items():
        members = [level for level, g in DENSITY_GROUPS.items() if g == group]
        if len(members) > 1 and set(members) <= set(remaining):
            parts.append(short)
            remaining = [level for level in remaining if level not in members]
    parts += [DENSITY_SHORT[level] for level in remaining]
    return ", ".join(parts)


def _rurality_short(label: str) -> str:
    """« Les ruralités productives agricoles » → « productives agricoles »."""
    for prefix in ("Les ruralités ", "Les "):
        if label.startswith(prefix):
            return label.removeprefix(prefix)
    return label[:1].lower() + label[1:]


def typology_values(communes: pd.DataFrame, zone: str) -> dict[str, list[object]]:
    """The classes of each typology present among the communes of ``zone``, in display order.

    Returns
    -------
    ``{"densite": [levels], "centralite": [levels], "ruralite": [codes], "massif": [codes]}``,
    the values a :class:`CommuneTypes` of that zone can usefully hold.
    """
    columns = ["densite_niveau", "centralite_niveau", "ruralite", "massif"]
    rows = communes.loc[communes["zone"] == zone, columns]
    density, centrality, rurality, massifs = (set(rows[column].unique()) for column in columns)
    return {
        "densite": [level for level in DENSITY_LEVELS if level in density],
        "centralite": [level for level in CENTRALITY_LEVELS if level in centrality],
        "ruralite": [code for code, label in RURALITY_CLASSES.items() if label in rurality],
        "massif": [code for code, label in MASSIFS.items() if label in massifs],
    }
