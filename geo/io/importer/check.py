"""Every row of an import read and placed by the shared rules (:func:`check_import`), then the user's
choices applied (:meth:`ImportCheck.result`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import pandas as pd

from geo.io.datasets import validate
from geo.io.import_mapping import ColumnMapping, PreparedImport, check_mapping
from geo.io.importer.cells import join_notes, text_column
from geo.io.importer.coordinates import degrees
from geo.io.importer.records import place_records, provenance, refusals
from geo.io.importer.result import (
    ImportResult,
    combined_places,
    commune_names,
    outcomes,
    report,
    theme_warning,
)
from geo.io.importer.typology import apply_typology_themes
from geo.io.importer.verdicts import (
    IMPORT_CENTROID,
    IMPORT_CORRECTED,
    IMPORT_EXACT,
    IMPORT_INCONSISTENT,
    IMPORT_REJECTED,
    IMPORT_SOURCE,
    IMPORT_VERDICTS,
)
from geo.io.linkage import duplicate_flags
from geo.io.placement import (
    ISSUES,
    VERDICT_CENTROID,
    VERDICT_CORRECTED,
    VERDICT_INCONSISTENT,
    VERDICT_UNPLACED,
    CommuneLocator,
)
from geo.io.places import places_from_records, relocate_places, scrub_contacts


@dataclass(frozen=True)
class ImportCheck:
    """Every row of an import read and placed, before the user's choices (see :func:`check_import`)."""

    frame: pd.DataFrame
    """The file's rows (text columns, reserved columns included)."""
    placed: gpd.GeoDataFrame
    """Places of the rows not refused, with the placement alternatives, indexed like ``frame``."""
    refused: pd.Series
    """Why a row was refused before being placed (``""`` when it was not)."""
    reading_notes: pd.Series
    """What reading the row found (coordinates converted, text truncated...)."""
    locator: CommuneLocator
    mapping: ColumnMapping
    label: str
    notes: tuple[str, ...]
    unit: str = "ligne"
    is_census: bool = False
    thematic_files: tuple[str, ...] = ()

    @cached_property
    def issues(self) -> dict[str, int]:
        """Kinds of disagreement of the inconsistent rows (:data:`geo.io.placement.ISSUES`) → rows."""
        inconsistent = self.placed[self.placed["placement"] == VERDICT_INCONSISTENT]
        counts = inconsistent["placement_issue"].value_counts()
        return {issue: int(counts[issue]) for issue in ISSUES if issue in counts.index}

    @cached_property
    def verdicts(self) -> pd.Series:
        """The :data:`IMPORT_VERDICTS` code of every input row (before choices: they keep it)."""
        placement = self.placed["placement"].reindex(self.frame.index).fillna(VERDICT_UNPLACED)
        codes = pd.Series(IMPORT_EXACT, index=self.frame.index, dtype=object)
        codes[placement == VERDICT_CORRECTED] = IMPORT_CORRECTED
        codes[placement == VERDICT_CENTROID] = IMPORT_CENTROID
        codes[placement == VERDICT_INCONSISTENT] = IMPORT_INCONSISTENT
        codes[(placement == VERDICT_UNPLACED) | (self.refused != "")] = IMPORT_REJECTED
        return codes

    def result(
        self, choices: Mapping[str, str] | None = None, *, register: gpd.GeoDataFrame | None = None
    ) -> ImportResult:
        """The import with ``choices`` applied to the inconsistent rows.

        Parameters
        ----------
        choices
            Kind of disagreement → action (:data:`geo.io.placement.ISSUE_ACTIONS`); a kind left
            out keeps the placement rules' choice.
        register
            The places the import is added to (the bundled list): duplicates are also looked
            for there, and :attr:`ImportResult.combined` holds both.
        """
        relocated, rejected_by_choice = relocate_places(self.placed, self.locator, choices or {})
        kept = relocated["placement"].ne(VERDICT_UNPLACED) & ~rejected_by_choice
        places = relocated[kept]
        validate(places, "places")
        combined = None
        if register is not None:
            combined = combined_places(register, places, self.locator)
            flagged = combined.iloc[len(register) :]
            places = flagged.set_axis(places.index)
        else:
            everything = pd.Series(True, index=places.index)
            flags = duplicate_flags(places, commune_names(places, self.locator), among=everything)
            places = places.assign(possible_duplicate_of=flags)
        outcome = outcomes(self, rejected_by_choice, choices or {})
        return ImportResult(
            places=places.reset_index(drop=True),
            combined=combined,
            report=report(self, relocated, places, outcome),
            verdict_counts={v: int((self.verdicts == v).sum()) for v in IMPORT_VERDICTS},
            n_input=len(self.frame),
            n_rejected_by_choice=int(rejected_by_choice.sum()),
            notes=self.notes,
            name_column=self.mapping.name,
            unit=self.unit,
            theme_warning=theme_warning(self, places),
        )


def check_import(
    prepared: PreparedImport,
    locator: CommuneLocator,
    *,
    mapping: ColumnMapping | None = None,
    typology_themes: Mapping[str, Sequence[str]] | None = None,
    source: str = IMPORT_SOURCE,
    label: str = "",
    vintage: str | None = None,
    licence: str | None = None,
) -> ImportCheck:
    """Read and place every row of an import, with the same rules as the bundled data.

    Parameters
    ----------
    prepared
        From :func:`geo.io.import_mapping.prepare_import`.
    locator
        The communes under their spatial index (:func:`geo.io.placement.commune_locator`).
    mapping
        Column mapping confirmed by the user; by default ``prepared.mapping``.
    typology_themes
        Typology value → theme codes, as confirmed by the user
        (:func:`geo.io.importer.typology.typology_table`); by default the themes each value
        suggests (:func:`geo.io.importer.typology.suggested_themes`).
    source
        ``source`` code of the places (``"import"`` for a user's file).
    label
        Programme label given to every place (``"Fabrique de territoire"``...), if any.
    vintage, licence
        Written on every place; by default the census edition or « fichier importé le … ».

    Raises
    ------
    InvalidParameterError
        If the mapping lacks a name column or any way to locate rows.
    """
    mapping = mapping or prepared.mapping
    frame = prepared.frame.reset_index(drop=True)
    check_mapping(mapping, frame.columns)
    names = text_column(frame, mapping.name).map(scrub_contacts)
    lon, lat, coordinate_notes = degrees(frame, mapping)
    records, text_notes = place_records(frame, mapping, names, lon=lon, lat=lat, source=source, label=label)
    refused = refusals(frame, names)
    vintage, licence = provenance(prepared, vintage, licence)
    usable = refused == ""
    # Typology themes come from the value mapping below, which the user may have changed.
    without_typology = records[usable].assign(source_typology="")
    placed = places_from_records(
        without_typology, locator, vintage=vintage, licence=licence, alternatives=True
    )
    placed.index = records.index[usable.to_numpy()]
    placed["source_typology"] = records.loc[usable, "source_typology"]
    apply_typology_themes(placed, placed["source_typology"], typology_themes)
    notes = list(prepared.notes)
    if prepared.dropped_columns:
        notes.append(
            "colonnes de données personnelles supprimées à la lecture : "
            + ", ".join(prepared.dropped_columns)
        )
    return ImportCheck(
        frame=frame,
        placed=placed,
        refused=refused,
        reading_notes=join_notes(coordinate_notes, text_notes),
        locator=locator,
        mapping=mapping,
        label=prepared.label,
        notes=tuple(notes),
        unit=prepared.unit,
        is_census=prepared.is_census,
        thematic_files=prepared.thematic_files,
    )


def import_places(
    prepared: PreparedImport,
    locator: CommuneLocator,
    *,
    mapping: ColumnMapping | None = None,
    choices: Mapping[str, str] | None = None,
    source: str = IMPORT_SOURCE,
    label: str = "",
    vintage: str | None = None,
    licence: str | None = None,
) -> ImportResult:
    """:func:`check_import` then :meth:`ImportCheck.result`: an import in one call (the refresh,
    scripts). ``choices`` default to the placement rules' own."""
    check = check_import(
        prepared, locator, mapping=mapping, source=source, label=label, vintage=vintage, licence=licence
    )
    return check.result(choices)
