"""Which commune, département or région a row's text declares, written in any common way.

Lists of places name their commune in many ways: « ST-ETIENNE », « Paris 11e », « Mans (Le) », a
former commune that merged into a commune nouvelle (« Morez » for Hauts de Bienne), or the first
part of a merged name (« Louhans » for Louhans-Châteaurenaud). :func:`commune_from_name` finds the
commune **within the postcode's communes and département** first, so that a name shared by
communes of several départements (« Fougerolles ») is read in the right one, and says how it
found it — or why it could not.

The locator passed around is a :class:`geo.io.placement.CommuneLocator` (typed loosely here so that
this module stays below :mod:`geo.io.placement`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from geo.search import search_key
from geo.themes import normalize_text

if TYPE_CHECKING:
    from geo.io.placement import CommuneLocator

MIN_PART_LENGTH = 4
"""A name shorter than this (« Ars ») is never read as the first part of a longer commune name."""

FUZZY_SCORE = 90.0
"""Similarity (0–100) from which a misspelt name is read as one of its postcode's communes."""

FUZZY_MARGIN = 8.0
"""…provided the next commune of the postcode scores at least this much lower."""


def dep_of_code(code: str) -> str:
    """Département of a commune code (``"97414"`` → ``"974"``, ``"2A004"`` → ``"2A"``)."""
    return code[:3] if code.startswith("97") else code[:2]


def postcode_digits(postcode: object) -> str:
    """The five digits of a postcode (``"7200"`` → ``"07200"``, ``"F-34000"`` → ``"34000"``), else ``""``."""
    digits = re.sub(r"\D", "", str(postcode or ""))
    if len(digits) == 4:
        digits = "0" + digits
    return digits if len(digits) == 5 and digits != "00000" else ""


def deps_from_postcode(postcode: object) -> list[str]:
    """Départements a postcode may belong to (``"20000"`` → Corse-du-Sud and Haute-Corse).

    Postcodes do not follow département borders everywhere (a few communes have the postcode of
    a neighbouring département): use this as a hint, and the COG postcodes of each commune
    (:meth:`geo.io.placement.CommuneLocator.communes_of_postcode`) when a commune must be found.
    """
    digits = postcode_digits(postcode)
    if not digits or digits.startswith("98"):
        return []
    if digits.startswith("97"):
        return [digits[:3]]
    if digits.startswith("20"):
        return ["2A", "2B"]
    return [digits[:2]]


def commune_key(name: str) -> str:
    """Commune name for matching (« St-Étienne » → « saint etienne », « Paris 11e » → « paris »)."""
    text = re.sub(r"\bcedex\b.*$", "", normalize_text(name))
    moved = re.match(r"^(.*?)\s*\((le|la|les|l')\)$", text)
    if moved:
        text = f"{moved.group(2)} {moved.group(1)}"
    return re.sub(r"\s+\d+\s*(er|e|eme)?(\s+arrondissement)?$", "", search_key(text))


@dataclass(frozen=True)
class NameMatch:
    """The commune a name designates (``code`` empty when none) and, in French, how it was found
    (« son nom et le code postal 35000 », to follow « trouvée par ») or why it was not."""

    code: str
    how: str

    def __bool__(self) -> bool:
        return bool(self.code)


def commune_from_name(
    locator: CommuneLocator, name: str, postcode: object = "", dep_hint: str = ""
) -> NameMatch:
    """The commune named ``name``, looked up where the postcode (or ``dep_hint``) says it is.

    The steps, the first that gives exactly one commune winning:

    1. a commune of the postcode (COG postcodes) with this name;
    2. a former commune (commune déléguée or associée) of this name now part of a commune of
       the postcode;
    3. a commune of the postcode whose name starts with this name, else contains it as whole
       words (« Louhans » → Louhans-Châteaurenaud, not Montagny-près-Louhans);
    4. a commune, then a former commune, of this name in the postcode's département (or
       ``dep_hint``);
    5. a commune of the postcode whose name is a near spelling (« Montpelier »);
    6. without any département: the only commune, then former commune, of this name in France.

    A name found only in another département than the postcode's is not accepted.
    """
    key = commune_key(name)
    digits = postcode_digits(postcode)
    if not key:
        return NameMatch(
            "", "code postal seul, sans nom de commune" if digits else "ni code INSEE ni commune"
        )
    deps = deps_from_postcode(digits) or ([dep_hint] if dep_hint else [])
    served = locator.communes_of_postcode(digits) if digits else []
    named = locator.communes_named(name)
    former = locator.communes_formerly_named(name)
    in_deps = [c for c in named if dep_of_code(c) in deps]
    former_in_deps = [c for c in former if dep_of_code(c) in deps]
    where = f"le code postal {digits}" if digits else f"le département {deps[0]}" if deps else ""
    attempts: list[tuple[list[str], str]] = [
        ([c for c in named if c in served], f"le nom « {name} » et {where}"),
        ([c for c in former if c in served], f"le nom de l'ancienne commune « {name} » et {where}"),
        (_containing(locator, key, served), f"le nom partiel « {name} » et {where}"),
        (in_deps, f"le nom « {name} » et {where}"),
        (former_in_deps, f"le nom de l'ancienne commune « {name} » et {where}"),
        (_near_spelling(locator, key, served), f"le nom approché « {name} » et {where}"),
    ]
    if not deps:
        attempts += [
            (named, f"le nom « {name} », unique en France"),
            (former, f"le nom de l'ancienne commune « {name} », unique en France"),
        ]
    for found, how in attempts:
        if len(set(found)) == 1:
            return NameMatch(found[0], how)
    return NameMatch(
        "", _not_found(locator, name, digits, deps, anywhere=named + former, in_deps=in_deps + former_in_deps)
    )


def _not_found(
    locator: CommuneLocator,
    name: str,
    digits: str,
    deps: list[str],
    *,
    anywhere: list[str],
    in_deps: list[str],
) -> str:
    if len(set(in_deps)) > 1:
        return f"commune « {name} » ambiguë ({len(set(in_deps))} communes de ce nom dans le département)"
    if deps and anywhere:
        elsewhere = ", ".join(locator.label(c) for c in sorted(set(anywhere))[:3])
        place = f"du code postal {digits}" if digits else f"du département {deps[0]}"
        return f"commune « {name} » absente {place} ({elsewhere} ailleurs)"
    if anywhere:
        return f"commune « {name} » ambiguë (plusieurs communes de ce nom) sans code postal valable"
    return f"commune « {name} » introuvable" + (f" dans le code postal {digits}" if digits else "")


def _containing(locator: CommuneLocator, key: str, served: list[str]) -> list[str]:
    """Communes of ``served`` whose name starts with ``key`` (« louhans » → « louhans chateaurenaud »),
    else holds it as whole words (« chateaurenaud »)."""
    if len(key.replace(" ", "")) < MIN_PART_LENGTH:
        return []
    keys = {c: locator.key_of(c) for c in served}
    starting = [c for c, k in keys.items() if k.startswith(f"{key} ")]
    if starting:
        return starting
    return [c for c, k in keys.items() if f" {key} " in f" {k} " and k != key]


def _near_spelling(locator: CommuneLocator, key: str, served: list[str]) -> list[str]:
    """The commune of ``served`` whose name is clearly the nearest spelling of ``key``, if any."""
    if not served or len(key) < MIN_PART_LENGTH:
        return []
    choices = {c: locator.key_of(c) for c in served}
    ranked = process.extract(key, choices, scorer=fuzz.ratio, limit=2)
    if not ranked or ranked[0][1] < FUZZY_SCORE:
        return []
    if len(ranked) > 1 and ranked[1][1] > ranked[0][1] - FUZZY_MARGIN:
        return []
    return [str(ranked[0][2])]


def departement_of_text(locator: CommuneLocator, text: str) -> str:
    """Département code from « 34 », « 2a », « 974 », « Hérault », « 34 - Hérault »; ``""`` if unknown."""
    value = str(text or "").strip()
    if not value:
        return ""
    coded = re.match(r"^\s*(\d{1,3}|2[ab])\b", value, flags=re.IGNORECASE)
    if coded:
        code = coded.group(1).upper()
        code = code.zfill(2) if code.isdigit() and len(code) < 2 else code
        if code in locator.departement_codes:
            return code
    return locator.departement_names.get(commune_key(re.sub(r"^\s*\S+\s*-\s*", "", value)), "") or (
        locator.departement_names.get(commune_key(value), "")
    )


def region_of_text(locator: CommuneLocator, text: str) -> str:
    """Région code from « 76 », « Occitanie », « 76 - Occitanie »; ``""`` if unknown."""
    value = str(text or "").strip()
    if not value:
        return ""
    coded = re.match(r"^\s*(\d{1,2})\b", value)
    if coded and coded.group(1).zfill(2) in locator.region_codes:
        return coded.group(1).zfill(2)
    return locator.region_names.get(commune_key(re.sub(r"^\s*\d+\s*-\s*", "", value)), "")
