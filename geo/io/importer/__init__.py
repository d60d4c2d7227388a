"""Import of a user's list of tiers-lieux: every row checked, shown before it counts, and accounted for.

The pipeline, each step usable on its own (one module of this package each):

1. :func:`geo.io.upload.read_upload` — the bytes of one file → text columns (rows, not files, fail);
2. :func:`geo.io.import_mapping.prepare_import` — census formats recognised, or a column mapping
   suggested for the user to confirm;
3. :func:`check_import` — every row read and placed by the shared placement rules
   (:mod:`geo.io.placement`: every declared location checked, sign errors and swaps tried), themes
   derived, each row given one of five **verdicts** (:data:`IMPORT_VERDICTS`): exact, corrected,
   placed at its commune, inconsistent, rejected;
4. :meth:`ImportCheck.result` — the user's choice for each kind of inconsistent rows applied
   (use the point, use the declared commune, reject), duplicates flagged with the register's
   record-linkage rules, and a report with one row per input row.

:func:`import_places` runs 3 and 4 with the placement rules' own choices (the refresh, scripts).
"""

from __future__ import annotations

from geo.io.importer.check import ImportCheck, check_import, import_places
from geo.io.importer.result import ImportResult, combined_places
from geo.io.importer.typology import suggested_themes, typology_table, typology_values
from geo.io.importer.verdicts import (
    IMPORT_CENTROID,
    IMPORT_CORRECTED,
    IMPORT_EXACT,
    IMPORT_INCONSISTENT,
    IMPORT_REJECTED,
    IMPORT_SOURCE,
    IMPORT_VERDICT_HELP,
    IMPORT_VERDICT_PLURALS,
    IMPORT_VERDICTS,
    REPORT_COLUMNS,
)

__all__ = [
    "IMPORT_CENTROID",
    "IMPORT_CORRECTED",
    "IMPORT_EXACT",
    "IMPORT_INCONSISTENT",
    "IMPORT_REJECTED",
    "IMPORT_SOURCE",
    "IMPORT_VERDICTS",
    "IMPORT_VERDICT_HELP",
    "IMPORT_VERDICT_PLURALS",
    "REPORT_COLUMNS",
    "ImportCheck",
    "ImportResult",
    "check_import",
    "combined_places",
    "import_places",
    "suggested_themes",
    "typology_table",
    "typology_values",
]
