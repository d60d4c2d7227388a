"""Exports of tables for presentations: CSV, XLSX and GeoJSON that carry their parameters and sources."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

from geo.crs import WGS84

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
"""« -1.549439 », « +33 », « -1,5 »: read as numbers by a spreadsheet, never as formulas."""

XLSX_MAX_CELL = 32_767
"""Characters an Excel cell holds at most."""
XLSX_MAX_WIDTH = 60
"""Widest column of an exported workbook, in characters (longer text wraps in the cell)."""
_SHARE_COLUMN = re.compile(r"^part\b", re.IGNORECASE)
"""« Part couverte », « Part de la population »: shares, in 0–1 in the tables the analysis returns."""
_COORDINATE_COLUMN = re.compile(r"\b(lon|lat|longitude|latitude|x|y)\b", re.IGNORECASE)


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


def presentation_table(table: pd.DataFrame, *, decimals: int = 2) -> pd.DataFrame:
    """The table as the screen shows it, for an export read by people.

    Counts stored as floats (« 1850.0 », a population next to missing values) become integers;
    shares (columns named « Part … » holding values in 0–1) become percentages with one decimal
    and « (%) » in their name; other measures are rounded to ``decimals`` (coordinates are kept
    whole).
    """
    out = table.copy()
    renames: dict[str, str] = {}
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_float_dtype(values):
            continue
        known = values.dropna()
        name = str(column)
        if _SHARE_COLUMN.match(name) and "%" not in name and known.between(0, 1).all():
            out[column] = (100 * values).round(1)
            renames[column] = f"{name} (%)"
        elif len(known) and (known == known.round()).all() and known.abs().max() < 2**53:
            out[column] = values.round().astype("Int64")
        elif not _COORDINATE_COLUMN.search(name):
            out[column] = values.round(decimals)
    return out.rename(columns=renames)


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


def _number_format(values: pd.Series) -> str | None:
    """Excel's format for a numeric column: thousands grouped, as many decimals as the data has."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return None
    known = values.dropna()
    if pd.api.types.is_integer_dtype(values) or (known == known.round()).all():
        return "#,##0"
    decimals = max(
        (len(np.format_float_positional(float(v), trim="-").partition(".")[2]) for v in known.head(200)),
        default=1,
    )
    return "#,##0." + "0" * min(decimals, 6)


def _lay_out(sheet: Worksheet, table: pd.DataFrame) -> None:
    """Frozen, wrapped header row, columns as wide as their content (up to a limit), number formats."""
    # Imported here: openpyxl takes ~0.1 s to import, and only an export needs it (pandas'
    # ExcelWriter imports it the same way), not the pages a server prepares at its start.
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    sheet.freeze_panes = "A2"
    for position, column in enumerate(table.columns, start=1):
        letter = get_column_letter(position)
        values = table[column]
        sample = values.dropna().astype(str).head(500)
        content = int(sample.str.len().max()) if len(sample) else 0
        sheet.column_dimensions[letter].width = min(
            max(content, min(len(str(column)), 30)) + 2, XLSX_MAX_WIDTH
        )
        sheet.cell(row=1, column=position).alignment = Alignment(wrap_text=True, vertical="top")
        number_format = _number_format(values)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=position, max_col=position):
                cell.number_format = number_format


def xlsx_bytes(table: pd.DataFrame, metadata: Mapping[str, str], *, sheet: str = "Données") -> bytes:
    """Excel workbook: the table on a first sheet, parameters and sources on a second one, each
    with a frozen header, fitted column widths and number formats."""
    data = neutralize_formulas(_fit_cells(table))
    sidecar = pd.DataFrame({"Paramètre": list(metadata), "Valeur": list(metadata.values())})
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in ((sheet[:31], data), ("Paramètres et sources", sidecar)):
            frame.to_excel(writer, sheet_name=name, index=False)
            _lay_out(writer.sheets[name], frame)
    return buffer.getvalue()


def geojson_bytes(frame: gpd.GeoDataFrame, metadata: Mapping[str, str]) -> bytes:
    """GeoJSON (WGS84) with the parameters and sources in a top-level ``metadata`` member."""
    data = json.loads(frame.to_crs(WGS84).to_json(drop_id=True, na="null"))
    data["metadata"] = dict(metadata)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
