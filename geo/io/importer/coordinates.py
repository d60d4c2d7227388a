"""Coordinates of an import's rows: degrees as given, Lambert-93 metres converted, notes on what was
found."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import Transformer

from geo.crs import WGS84
from geo.io.import_mapping import ColumnMapping
from geo.io.importer.cells import add_note, text_column
from geo.io.placement import read_coordinates
from geo.io.tabular import GEOMETRY_PROBLEM


@lru_cache(maxsize=1)
def _lambert93_to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:2154", WGS84, always_xy=True)


def degrees(frame: pd.DataFrame, mapping: ColumnMapping) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Degrees as given (NaN when absent or unreadable; Lambert-93 metres converted), and a note on
    what reading them found. Sign errors and swaps are left to the placement rules, which try
    them against the declared commune."""
    index = frame.index
    notes = pd.Series("", index=index, dtype=object)
    if GEOMETRY_PROBLEM in frame.columns:
        notes = text_column(frame, GEOMETRY_PROBLEM)
    if not (mapping.lon and mapping.lat):
        return pd.Series(np.nan, index=index), pd.Series(np.nan, index=index), notes
    lon_text, lat_text = text_column(frame, mapping.lon), text_column(frame, mapping.lat)
    lon_read, lat_read = read_coordinates(lon_text), read_coordinates(lat_text)
    lon, lat = lon_read.numbers.copy(), lat_read.numbers.copy()
    unreadable = lon_read.unreadable | lat_read.unreadable
    described = (
        "longitude « " + lon_text.str.slice(0, 30) + " », latitude « " + lat_text.str.slice(0, 30) + " »"
    )
    notes = add_note(notes, unreadable, "coordonnées illisibles (" + described + ")")
    lon[unreadable], lat[unreadable] = np.nan, np.nan
    sexagesimal = (lon_read.sexagesimal | lat_read.sexagesimal) & ~unreadable
    notes = add_note(notes, sexagesimal, "coordonnées en degrés et minutes converties en degrés décimaux")
    zero = (lon == 0) & (lat == 0)
    notes = add_note(notes, zero, "coordonnées (0, 0) : considérées comme absentes")
    lon[zero], lat[zero] = np.nan, np.nan
    metres = (lon.abs() > 1_000) | (lat.abs() > 1_000)
    if metres.any():
        lon_m, lat_m, converted = from_lambert93(lon[metres], lat[metres])
        lon[metres], lat[metres] = lon_m, lat_m
        notes = add_note(
            notes, converted.reindex(index, fill_value=False), "coordonnées Lambert-93 converties en WGS84"
        )
        notes = add_note(
            notes,
            metres & ~converted.reindex(index, fill_value=False),
            "coordonnées en mètres hors de la France métropolitaine (Lambert-93 attendu)",
        )
    return lon, lat, notes


def from_lambert93(x: pd.Series, y: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Lambert-93 x / y (also swapped) → WGS84 degrees; NaN and not ``converted`` when neither fits."""
    lon = pd.Series(np.nan, index=x.index)
    lat = pd.Series(np.nan, index=x.index)
    converted = pd.Series(False, index=x.index)
    transformer = _lambert93_to_wgs84()
    for xs, ys in ((x, y), (y, x)):
        plausible = ~converted & xs.between(0, 1_400_000) & ys.between(6_000_000, 7_200_000)
        if plausible.any():
            lon_deg, lat_deg = transformer.transform(xs[plausible].to_numpy(), ys[plausible].to_numpy())
            lon[plausible], lat[plausible] = lon_deg, lat_deg
            converted |= plausible
    return lon, lat, converted
