"""Verdicts of an imported row and what was done with it: codes, French labels, report columns."""

from __future__ import annotations

IMPORT_SOURCE = "import"
"""``source`` code of imported places (the map shows the import's name for them)."""

IMPORT_EXACT = "exact"
IMPORT_CORRECTED = "corrige"
IMPORT_CENTROID = "commune"
IMPORT_INCONSISTENT = "incoherent"
IMPORT_REJECTED = "rejete"
IMPORT_VERDICTS: dict[str, str] = {
    IMPORT_EXACT: "exacte",
    IMPORT_CORRECTED: "corrigée",
    IMPORT_CENTROID: "placée à la commune",
    IMPORT_INCONSISTENT: "incohérente",
    IMPORT_REJECTED: "rejetée",
}
"""Verdict of an imported row (« ligne … ») → French label. Every input row has exactly one."""

IMPORT_VERDICT_PLURALS: dict[str, str] = {
    IMPORT_EXACT: "exactes",
    IMPORT_CORRECTED: "corrigées",
    IMPORT_CENTROID: "placées à la commune",
    IMPORT_INCONSISTENT: "incohérentes",
    IMPORT_REJECTED: "rejetées",
}

IMPORT_VERDICT_HELP: dict[str, str] = {
    IMPORT_EXACT: "le point concorde avec la commune, le code postal et le département déclarés",
    IMPORT_CORRECTED: "point corrigé (signe inversé, latitude et longitude interverties) : la correction "
    "le fait concorder avec la commune déclarée",
    IMPORT_CENTROID: "sans coordonnées utilisables : placée au point représentatif de sa commune "
    "(approximatif)",
    IMPORT_INCONSISTENT: "le point et la commune déclarée (ou le code INSEE et le code postal) se "
    "contredisent : à vous de choisir",
    IMPORT_REJECTED: "nom absent, ligne mal formée, ni point ni commune reconnue",
}

STATUS_IMPORTED = "importé"
STATUS_REJECTED = "rejeté"

REPORT_COLUMNS = (
    "ligne",
    "verdict",
    "suite donnée",
    "désaccord",
    "motif",
    "commune retenue",
    "code INSEE retenu",
    "longitude retenue",
    "latitude retenue",
    "localisation",
    "thèmes",
    "doublon possible de",
)
"""The columns the report puts before the file's own columns."""
