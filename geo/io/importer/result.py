"""An import with the user's choices applied: its places, duplicates flagged, and the report of every
input row."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import WGS84
from geo.fmt import fr_count, fr_percent
from geo.io.importer.cells import join_notes
from geo.io.importer.verdicts import (
    IMPORT_CENTROID,
    IMPORT_CORRECTED,
    IMPORT_EXACT,
    IMPORT_INCONSISTENT,
    IMPORT_REJECTED,
    IMPORT_VERDICT_PLURALS,
    IMPORT_VERDICTS,
    REPORT_COLUMNS,
    STATUS_IMPORTED,
    STATUS_REJECTED,
)
from geo.io.linkage import duplicate_flags
from geo.io.placement import ISSUE_ACTIONS, ISSUES, PRECISIONS, CommuneLocator
from geo.io.places import scrub_contacts
from geo.io.tabular import LINE, RESERVED
from geo.themes import THEME_SHORT_LABELS

if TYPE_CHECKING:
    from geo.io.importer.check import ImportCheck

THEME_WARNING_SHARE = 0.5
"""Share of imported places without any theme above which the user is warned."""


@dataclass(frozen=True)
class ImportResult:
    """An import with the user's choices applied: the places, and a report of every input row."""

    places: gpd.GeoDataFrame
    """The imported places (catalogue schema), duplicates flagged in ``possible_duplicate_of``."""
    combined: gpd.GeoDataFrame | None
    """The register plus the import, when a register was given (see :func:`combined_places`)."""
    report: pd.DataFrame
    """One row per input row: :data:`REPORT_COLUMNS`, then the file's columns."""
    verdict_counts: dict[str, int]
    """:data:`IMPORT_VERDICTS` code → rows; they add up to :attr:`n_input`."""
    n_input: int
    n_rejected_by_choice: int = 0
    """Inconsistent rows the user chose to reject."""
    notes: tuple[str, ...] = field(default_factory=tuple)
    name_column: str | None = None
    unit: str = "ligne"
    theme_warning: str | None = None
    """French warning when most places have no theme (or census thematic files are missing)."""

    @property
    def n_imported(self) -> int:
        """Places imported (every verdict but « rejeté », minus the rows rejected by choice)."""
        return len(self.places)

    @property
    def rejected(self) -> pd.DataFrame:
        """Report rows of the rows not imported, with their reason."""
        return self.report[self.report["suite donnée"].str.startswith(STATUS_REJECTED)]

    @property
    def doubtful(self) -> pd.DataFrame:
        """Report rows whose verdict is not « exact »: what the user should look at."""
        return self.report[self.report["verdict"] != IMPORT_VERDICTS[IMPORT_EXACT]]

    @property
    def duplicates(self) -> tuple[int, int]:
        """Imported places flagged as a possible duplicate (of another row of the import, of a place
        of the register): counts of imported places only."""
        flags = self.places["possible_duplicate_of"].fillna("").astype(str).str.split(";")
        imported = set(self.places["place_id"])
        in_file = flags.map(lambda ids: any(i in imported for i in ids))
        in_register = flags.map(lambda ids: any(i and i not in imported for i in ids))
        return int(in_file.sum()), int(in_register.sum())

    def summary(self) -> str:
        """One French sentence with the counts by verdict and what was imported."""
        counts = self.verdict_counts
        parts = [fr_count(counts[v], IMPORT_VERDICTS[v], IMPORT_VERDICT_PLURALS[v]) for v in IMPORT_VERDICTS]
        text = fr_count(self.n_input, "ligne lue", "lignes lues") + " : " + ", ".join(parts)
        text += " ; " + fr_count(self.n_imported, "lieu importé", "lieux importés")
        if self.n_rejected_by_choice:
            text += " (" + fr_count(
                self.n_rejected_by_choice, "ligne incohérente écartée", "lignes incohérentes écartées"
            )
            text += " par votre choix)"
        return text + "."


def commune_names(places: pd.DataFrame, locator: CommuneLocator) -> pd.Series:
    """The name of each place's commune (``""`` when its code is unknown)."""
    return places["code_insee"].map(locator.communes["nom"]).fillna("")


def combined_places(
    register: gpd.GeoDataFrame, imported: gpd.GeoDataFrame, locator: CommuneLocator
) -> gpd.GeoDataFrame:
    """The register's places plus an import, possible duplicates flagged (never dropped).

    The rules of the bundled register (:mod:`geo.io.linkage`) find the pairs, inside the import
    and between the import and the register, that would be merged or reviewed: each such row
    names the other in ``possible_duplicate_of``. The register's own flags are kept.
    """
    register = register.drop(columns=["x_m", "y_m"], errors="ignore")
    columns = [c for c in imported.columns if c in register.columns]
    both = pd.concat([register[columns], imported[columns]], ignore_index=True)
    from_import = pd.Series(np.arange(len(both)) >= len(register))
    flags = duplicate_flags(both, commune_names(both, locator), among=from_import)
    both["possible_duplicate_of"] = [
        ";".join(filter(None, dict.fromkeys([*str(old).split(";"), *new.split(";")])))
        for old, new in zip(both["possible_duplicate_of"].fillna(""), flags, strict=True)
    ]
    return gpd.GeoDataFrame(both, geometry=imported.geometry.name, crs=WGS84)


def outcomes(check: ImportCheck, rejected_by_choice: pd.Series, choices: Mapping[str, str]) -> pd.Series:
    """« suite donnée » of every input row."""
    verdicts = check.verdicts
    outcome = verdicts.map(
        {
            IMPORT_EXACT: STATUS_IMPORTED,
            IMPORT_CORRECTED: f"{STATUS_IMPORTED} avec le point corrigé",
            IMPORT_CENTROID: f"{STATUS_IMPORTED} au point de la commune",
            IMPORT_INCONSISTENT: f"{STATUS_IMPORTED} selon les règles de l'Atlas",
            IMPORT_REJECTED: STATUS_REJECTED,
        }
    ).astype(object)
    issue = check.placed["placement_issue"].reindex(verdicts.index).fillna("")
    for kind, action in choices.items():
        label = ISSUE_ACTIONS.get(kind, {}).get(action)
        rows = (verdicts == IMPORT_INCONSISTENT) & (issue == kind)
        if label:
            outcome[rows] = f"{STATUS_IMPORTED} : {label}"
    chosen_out = rejected_by_choice.reindex(verdicts.index, fill_value=False)
    outcome[chosen_out] = f"{STATUS_REJECTED} (votre choix)"
    return outcome


def report(
    check: ImportCheck, relocated: pd.DataFrame, places: pd.DataFrame, outcome: pd.Series
) -> pd.DataFrame:
    """One row per input row: :data:`REPORT_COLUMNS`, then the file's own columns."""
    index = check.frame.index
    here = relocated.reindex(index)
    placed_note = here["placement_note"].fillna("").astype(str)
    motif = check.refused.where(check.refused != "", placed_note)
    motif = join_notes(check.reading_notes, motif)
    rejected = outcome.str.startswith(STATUS_REJECTED)
    code = here["code_insee"].fillna("").astype(str).where(~rejected, "")
    names = code.map(check.locator.communes["nom"]).fillna("")
    themes = (
        here["themes"]
        .astype(object)
        .fillna("")
        .astype(str)
        .map(lambda t: ", ".join(THEME_SHORT_LABELS[c] for c in t.split(";") if c))
    )
    flags = places["possible_duplicate_of"].reindex(index).fillna("").astype(str)
    issue = check.placed["placement_issue"].reindex(index).fillna("").astype(str)
    report = pd.DataFrame(
        {
            "ligne": check.frame[LINE].astype(str),
            "verdict": check.verdicts.map(IMPORT_VERDICTS),
            "suite donnée": outcome,
            "désaccord": issue.where(check.verdicts == IMPORT_INCONSISTENT, "").map(
                lambda i: ISSUES.get(i, "")
            ),
            "motif": motif,
            "commune retenue": names,
            "code INSEE retenu": code,
            "longitude retenue": here["lon"].where(~rejected).round(6),
            "latitude retenue": here["lat"].where(~rejected).round(6),
            "localisation": here["location_precision"]
            .map(lambda c: PRECISIONS.get(c, ""))
            .where(~rejected, ""),
            "thèmes": themes.where(~rejected, ""),
            "doublon possible de": flags,
        },
        index=index,
    )[list(REPORT_COLUMNS)]
    original = check.frame.drop(columns=list(RESERVED), errors="ignore")
    protected = {check.mapping.identifier, check.mapping.lon, check.mapping.lat, check.mapping.code_insee}
    free_text = [c for c in original.columns if c not in protected]
    original = original.assign(**{c: original[c].map(scrub_contacts) for c in free_text})
    clash = [c for c in original.columns if c in report.columns]
    original = original.rename(columns={c: f"{c} (fichier)" for c in clash})
    return pd.concat([report, original], axis=1).reset_index(drop=True)


def theme_warning(check: ImportCheck, places: pd.DataFrame) -> str | None:
    """Why most imported places have no theme and what to do, or ``None``."""
    if check.is_census and not check.thematic_files:
        return (
            "Les fichiers thématiques du recensement n'ont pas été déposés : les thèmes ne viennent que des "
            "mots-clés des noms et descriptions (indicatif). Déposez aussi les fichiers « activités » du "
            "recensement avec la fiche identité."
        )
    if not len(places):
        return None
    without = int((places["themes"].fillna("") == "").sum())
    if without / len(places) <= THEME_WARNING_SHARE:
        return None
    share = fr_percent(without / len(places))
    if not check.mapping.typology:
        return (
            f"{share} des lieux importés n'ont aucun thème : choisissez la colonne qui décrit le type de "
            "lieu (typologie, catégorie, services) pour que leurs valeurs donnent des thèmes."
        )
    return (
        f"{share} des lieux importés n'ont aucun thème : associez les valeurs de la typologie aux thèmes "
        "dans le tableau « Thèmes de la typologie »."
    )
