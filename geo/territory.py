"""Territorial scope (zone → région → département → EPCI, optionally narrowed to some types of
communes) and the selection of what lies in it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo._validate import check_choice
from geo.crs import ZONES
from geo.typologies import CommuneTypes

LEVELS: dict[str, str] = {
    "reg": "Région",
    "dep": "Département",
    "epci": "EPCI",
    "commune": "Commune",
}
"""Territory levels, coarsest first, with their French label."""


def level_noun(level: str) -> str:
    """The level as a noun inside a sentence (« par département », « par EPCI », « par commune »)."""
    return LEVELS[level] if level == "epci" else LEVELS[level].lower()


LEVEL_KEYS: dict[str, str] = {"reg": "reg", "dep": "dep", "epci": "epci_siren", "commune": "code_insee"}
"""Level → column of the communes table holding its code."""

LEVEL_NAMES: dict[str, str] = {"reg": "nom_reg", "dep": "nom_dep", "epci": "epci_nom", "commune": "nom"}
"""Level → column of the communes table holding its name."""


@dataclass(frozen=True)
class Scope:
    """The territory the user looks at: a zone, optionally narrowed to a région, a département, an EPCI,
    and to some types of communes (``types``, e.g. the rural communes only).

    ``level`` is the territorial level only; frames selected with :meth:`mask` must carry the
    typology columns of the communes when ``types`` is set (communes and places do).
    """

    zone: str = "metro"
    reg: str | None = None
    dep: str | None = None
    epci: str | None = None
    types: CommuneTypes = field(default_factory=CommuneTypes)

    def __post_init__(self) -> None:
        check_choice(self.zone, sorted(ZONES), "zone")

    @property
    def level(self) -> str:
        """Finest level selected: ``"zone"``, ``"reg"``, ``"dep"`` or ``"epci"``."""
        if self.epci:
            return "epci"
        if self.dep:
            return "dep"
        if self.reg:
            return "reg"
        return "zone"

    @property
    def whole_zone(self) -> bool:
        """Whether the scope is every commune of its zone (no territory, no type selected)."""
        return self.level == "zone" and not self.types

    @property
    def territory(self) -> Scope:
        """The same territory with every type of commune (``types`` dropped)."""
        return Scope(self.zone, self.reg, self.dep, self.epci)

    @property
    def detail_level(self) -> str:
        """The level one step finer than the scope, for maps and tables (région → EPCI...).

        A DROM is a single région and département: its detail level is the EPCI.
        """
        if self.level == "zone" and self.zone != "metro":
            return "epci"
        return {"zone": "dep", "reg": "epci", "dep": "epci", "epci": "commune"}[self.level]

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Rows of ``frame`` (with ``zone``, ``reg``, ``dep``, ``epci_siren`` columns) in the scope."""
        selected = frame["zone"] == self.zone
        if self.reg:
            selected &= frame["reg"] == self.reg
        if self.dep:
            selected &= frame["dep"] == self.dep
        if self.epci:
            selected &= frame["epci_siren"] == self.epci
        if self.types:
            selected &= self.types.mask(frame)
        return selected


def scope_label(scope: Scope, communes: pd.DataFrame) -> str:
    """French name of the scope (« Occitanie », « Hérault (34) », « France métropolitaine »), with its
    types of communes when some are selected (« Occitanie (communes rurales) »)."""
    name = _territory_label(scope, communes)
    return f"{name} ({scope.types.describe()})" if scope.types else name


def _territory_label(scope: Scope, communes: pd.DataFrame) -> str:
    if scope.epci:
        names = communes.loc[communes["epci_siren"] == scope.epci, "epci_nom"]
        return str(names.iloc[0]) if len(names) else scope.epci
    if scope.dep:
        names = communes.loc[communes["dep"] == scope.dep, "nom_dep"]
        return f"{names.iloc[0]} ({scope.dep})" if len(names) else scope.dep
    if scope.reg:
        names = communes.loc[communes["reg"] == scope.reg, "nom_reg"]
        return str(names.iloc[0]) if len(names) else scope.reg
    return ZONES[scope.zone].label


_ZONE_PHRASES = {
    "metro": "en France métropolitaine",
    "971": "en Guadeloupe",
    "972": "en Martinique",
    "973": "en Guyane",
    "974": "à La Réunion",
    "976": "à Mayotte",
}


def scope_phrase(scope: Scope, communes: pd.DataFrame) -> str:
    """Where the scope is, inside a sentence: « en Occitanie », « dans le département Hérault (34) »,
    « à La Réunion ». Every région takes « en »; départements and EPCI are named after their kind,
    the COG tables at hand holding no article for them."""
    label = scope_label(scope, communes)
    if scope.epci:
        return f"dans l'EPCI {label}"
    if scope.dep:
        return f"dans le département {label}"
    if scope.reg and scope.zone == "metro":
        return f"en {label}"
    return _ZONE_PHRASES[scope.zone]


def territory_options(communes: pd.DataFrame, level: str, scope: Scope) -> dict[str, str]:
    """Code → label of the territories of ``level`` inside the part of ``scope`` above that level.

    Used to fill the cascading selectors: the régions of a zone, the départements of a
    région, the EPCI of a département.
    """
    check_choice(level, LEVEL_KEYS, "level")
    parent = {
        "reg": Scope(scope.zone),
        "dep": Scope(scope.zone, scope.reg),
        "epci": Scope(scope.zone, scope.reg, scope.dep),
        "commune": scope,
    }[level]
    key, name = LEVEL_KEYS[level], LEVEL_NAMES[level]
    pairs = communes.loc[parent.mask(communes), [key, name]].drop_duplicates(key)
    pairs = pairs[pairs[key] != ""].sort_values(name if level != "dep" else key)
    if level == "dep":
        return {code: f"{code} – {label}" for code, label in zip(pairs[key], pairs[name], strict=True)}
    return dict(zip(pairs[key], pairs[name], strict=True))
