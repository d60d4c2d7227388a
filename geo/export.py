"""Exports of tables for presentations: CSV, XLSX and GeoJSON that carry their parameters and sources."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from geo.crs import WGS84

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
"""« -1.549439 », « +33 », « -1,5 »: read as numbers by a spreadsheet, never as formulas."""

XLSX_MAX_CELL = 32_767
"""Characters an Excel cell holds at most."""


def _would_run(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value)


def neutralize_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Prefix with « ' » the text cells a spreadsheet would run as a formula (« =… », « +A1 », « @SUM »).

    Place names and imported values are user content: opened in Excel or LibreOffice, a
    cell such as ``=HYPERLINK(...)`` must stay text (CSV / formula injection). Numbers, and
    text that is only a number (« -1.549439 », an imported longitude), are left as they are.
    """
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: "'" + v if _would_run(v) else v)
    return out


def csv_bytes(table: pd.DataFrame, metadata: Mapping[str, str]) -> bytes:
    """CSV (``;`` separator, decimal comma, UTF-8 with BOM for Excel) preceded by ``# key: value`` lines."""
    header = "".join(f"# {key} : {value}\n" for key, value in metadata.items())
    body = neutralize_formulas(table).to_csv(sep=";", decimal=",", index=False)
    return ("\ufeff" + header + body).encode("utf-8")


def table_csv_bytes(table: pd.DataFrame) -> bytes:
    """The table alone as CSV (``;``, decimal comma, UTF-8 with BOM): a file that can be read back."""
    return ("\ufeff" + neutralize_formulas(table).to_csv(sep=";", decimal=",", index=False)).encode("utf-8")


def csv_with_metadata_zip(table: pd.DataFrame, metadata: Mapping[str, str], *, stem: str) -> bytes:
    """A zip of ``<stem>.csv`` (the table alone, re-importable) and ``<stem>_metadonnees.csv``
    (parameters and sources, one per line)."""
    sidecar = pd.DataFrame({"Paramètre": list(metadata), "Valeur": list(metadata.values())})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", table_csv_bytes(table))
        archive.writestr(f"{stem}_metadonnees.csv", table_csv_bytes(sidecar))
    return buffer.getvalue()


def _fit_cells(table: pd.DataFrame) -> pd.DataFrame:
    """Text longer than an Excel cell holds, cut with a mark (the CSV keeps it whole)."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: (
                    v[: XLSX_MAX_CELL - 12] + " [tronqué]"
                    if isinstance(v, str) and len(v) > XLSX_MAX_CELL
                    else v
                )
            )
    return out


def xlsx_bytes(table: pd.DataFrame, metadata: Mapping[str, str], *, sheet: str = "Données") -> bytes:
    """Excel workbook: the table on a first sheet, parameters and sources on a second one."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralize_formulas(_fit_cells(table)).to_excel(writer, sheet_name=sheet[:31], index=False)
        pd.DataFrame({"Paramètre": list(metadata), "Valeur": list(metadata.values())}).to_excel(
            writer, sheet_name="Paramètres et sources", index=False
        )
    return buffer.getvalue()


def geojson_bytes(frame: gpd.GeoDataFrame, metadata: Mapping[str, str]) -> bytes:
    """GeoJSON (WGS84) with the parameters and sources in a top-level ``metadata`` member."""
    data = json.loads(frame.to_crs(WGS84).to_json(drop_id=True, na="null"))
    data["metadata"] = dict(metadata)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
