"""Exports of tables for presentations: CSV, XLSX and GeoJSON that carry their parameters and sources."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from geo.crs import WGS84

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula (« =… », « +… ») with « ' ».

    Place names and imported values are user content: opened in Excel or LibreOffice, a
    cell such as ``=HYPERLINK(...)`` must stay text (CSV / formula injection).
    """
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out


def csv_bytes(table: pd.DataFrame, metadata: Mapping[str, str]) -> bytes:
    """CSV (``;`` separator, decimal comma, UTF-8 with BOM for Excel) preceded by ``# key: value`` lines."""
    header = "".join(f"# {key} : {value}\n" for key, value in metadata.items())
    body = neutralize_formulas(table).to_csv(sep=";", decimal=",", index=False)
    return ("\ufeff" + header + body).encode("utf-8")


def xlsx_bytes(table: pd.DataFrame, metadata: Mapping[str, str], *, sheet: str = "Données") -> bytes:
    """Excel workbook: the table on a first sheet, parameters and sources on a second one."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralize_formulas(table).to_excel(writer, sheet_name=sheet[:31], index=False)
        pd.DataFrame({"Paramètre": list(metadata), "Valeur": list(metadata.values())}).to_excel(
            writer, sheet_name="Paramètres et sources", index=False
        )
    return buffer.getvalue()


def geojson_bytes(frame: gpd.GeoDataFrame, metadata: Mapping[str, str]) -> bytes:
    """GeoJSON (WGS84) with the parameters and sources in a top-level ``metadata`` member."""
    data = json.loads(frame.to_crs(WGS84).to_json(drop_id=True, na="null"))
    data["metadata"] = dict(metadata)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")
