"""Reading geographic files (GeoJSON, GeoPackage, Shapefile) feature by feature.

One broken feature never refuses the file: a feature that is not an object, or whose
geometry cannot be read, becomes a row with the reason (:data:`geo.io.tabular.PROBLEM` or
:data:`geo.io.tabular.GEOMETRY_PROBLEM`), and the importer rejects it — or places it at its
commune when the row names one — with that reason and the feature's number. Sizes are checked
before reading (number of JSON objects, feature and field counts of the layer).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.errors
import shapely.geometry
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo._errors import DataValidationError
from geo.fmt import fr_count, fr_number
from geo.io.tabular import (
    GEOMETRY_LAT,
    GEOMETRY_LON,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    RawTable,
    TableBuilder,
)

MAX_JSON_OBJECTS = 5 * MAX_ROWS
"""JSON objects (« { ») a GeoJSON may hold: bounds the memory of parsing it (a feature needs three)."""

_WGS84_NAMES = re.compile(r"(EPSG:*:?4326|CRS84|WGS ?84)$", flags=re.IGNORECASE)


def _geometry_error(detail: str) -> str:
    return f"géométrie illisible ({detail})"


class _Points:
    """Longitude / latitude text of features, converted to WGS84, and what went wrong."""

    def __init__(self, crs: CRS | None) -> None:
        self.transformer = (
            Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            if crs is not None and not _is_wgs84(crs)
            else None
        )
        self.crs = crs
        self.not_points = 0

    def of(self, geometry: object) -> tuple[str, str, str]:
        """(lon, lat, problem) of one geometry given as GeoJSON mapping or shapely object."""
        if geometry is None:
            return "", "", ""
        try:
            shape = geometry if isinstance(geometry, shapely.Geometry) else _shape(geometry)
            if shape is None or shape.is_empty:
                return "", "", ""
            if shape.geom_type != "Point":
                self.not_points += 1
                shape = _inner_point(shape)
            x, y = float(shape.x), float(shape.y)
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
            shapely.errors.ShapelyError,
        ) as exc:
            return "", "", _geometry_error(_describe(geometry, exc))
        if self.transformer is not None:
            x, y = self.transformer.transform(x, y)
        if not (np.isfinite(x) and np.isfinite(y)):
            return "", "", _geometry_error("coordonnées non numériques")
        return f"{x:.7f}", f"{y:.7f}", ""

    def notes(self) -> list[str]:
        notes = []
        if self.transformer is not None and self.crs is not None:
            notes.append(f"coordonnées converties de {self.crs.to_string()} en WGS84")
        if self.not_points:
            notes.append(
                fr_count(self.not_points, "géométrie non ponctuelle", "géométries non ponctuelles")
                + " : point représentatif de chaque objet"
            )
        return notes


def _is_wgs84(crs: CRS) -> bool:
    try:
        return crs.equals(CRS.from_epsg(4326), ignore_axis_order=True)
    except CRSError:
        return False


def _shape(geometry: object) -> shapely.Geometry | None:
    if not isinstance(geometry, dict):
        raise _GeometryError("pas un objet GeoJSON")
    if not geometry:
        return None
    if geometry.get("type") == "Point":  # the common case, without building a shapely object
        coordinates = geometry.get("coordinates")
        if isinstance(coordinates, list) and not coordinates:
            return None
        if not isinstance(coordinates, list) or len(coordinates) < 2:
            raise _GeometryError("coordonnées du point absentes ou incomplètes")
        return shapely.Point(float(coordinates[0]), float(coordinates[1]))
    return shapely.geometry.shape(geometry)


def _inner_point(shape: shapely.Geometry) -> shapely.Point:
    try:
        return shape.representative_point()
    except shapely.errors.ShapelyError:
        return shape.centroid


class _GeometryError(ValueError):
    """A geometry that cannot be read, with the reason in French."""


def _describe(geometry: object, exc: Exception) -> str:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    reason = str(exc) if isinstance(exc, _GeometryError) else ""
    if kind:
        return f"type « {str(kind)[:40]} »" + (f" : {reason}" if reason else "")
    return reason or "pas un objet GeoJSON"


def read_geojson(data: bytes, filename: str) -> RawTable:
    """Features of a GeoJSON (or rows of a plain JSON list of objects) as text columns.

    Raises
    ------
    DataValidationError
        If the JSON cannot be parsed, is too large, or holds neither features nor a list of objects.
    """
    if data.count(b"{") > MAX_JSON_OBJECTS:
        raise DataValidationError(
            filename,
            [f"fichier JSON trop grand (plus de {fr_number(MAX_JSON_OBJECTS)} objets) : découpez-le"],
        )
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataValidationError(
            filename, ["fichier JSON illisible : il doit être encodé en UTF-8"]
        ) from exc
    except json.JSONDecodeError as exc:
        raise DataValidationError(
            filename,
            [f"fichier JSON mal formé (ligne {exc.lineno}, colonne {exc.colno}) : fichier tronqué ?"],
        ) from exc
    except RecursionError as exc:
        raise DataValidationError(filename, ["fichier JSON trop imbriqué"]) from exc
    features, crs = _features_of(document, filename)
    return _table_of_features(features, crs, filename)


def _features_of(document: object, filename: str) -> tuple[list[Any], CRS | None]:
    if isinstance(document, dict) and isinstance(document.get("features"), list):
        return document["features"], _declared_crs(document, filename)
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document], _declared_crs(document, filename)
    records = document
    if isinstance(document, dict):
        lists = [v for v in document.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        records = lists[0] if len(lists) == 1 else None
    if isinstance(records, list) and records and all(isinstance(r, dict) for r in records[:100]):
        return [{"properties": r} if isinstance(r, dict) else r for r in records], None
    raise DataValidationError(filename, ["ni GeoJSON (« features ») ni liste d'objets JSON"])


def _declared_crs(document: dict[str, Any], filename: str) -> CRS | None:
    """The CRS of an old-style GeoJSON (``"crs"`` member, e.g. Lambert-93 exports of QGIS)."""
    declared = document.get("crs")
    if not isinstance(declared, dict):
        return None
    name = (
        (declared.get("properties") or {}).get("name")
        if isinstance(declared.get("properties"), dict)
        else None
    )
    if not isinstance(name, str) or _WGS84_NAMES.search(name):
        return None
    try:
        return CRS.from_user_input(name)
    except CRSError as exc:
        raise DataValidationError(filename, [f"système de coordonnées « {name[:60]} » inconnu"]) from exc


def _property_names(features: Sequence[Any]) -> list[str]:
    names: dict[str, None] = {}
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            for key in properties:
                names.setdefault(str(key), None)
                if len(names) > MAX_COLUMNS:
                    raise DataValidationError(
                        "fichier importé",
                        [f"trop de propriétés différentes (plus de {fr_number(MAX_COLUMNS)})"],
                    )
    return list(names)


def _json_cell(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _table_of_features(features: list[Any], crs: CRS | None, filename: str) -> RawTable:
    if len(features) > MAX_ROWS:
        raise DataValidationError(
            filename, [f"trop d'objets ({fr_number(len(features))} ; maximum {fr_number(MAX_ROWS)})"]
        )
    names = _property_names(features)
    has_geometry = any(isinstance(f, dict) and f.get("geometry") for f in features)
    builder = TableBuilder(
        filename, [*names, *((GEOMETRY_LON, GEOMETRY_LAT) if has_geometry else ())], unit="objet"
    )
    points = _Points(crs)
    for number, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
            builder.add(
                [], number, problem=f"objet n° {number} mal formé (ni objet JSON ni propriétés lisibles)"
            )
            continue
        properties = feature.get("properties") or {}
        cells = [_json_cell(properties.get(name)) for name in names]
        lon, lat, problem = points.of(feature.get("geometry")) if has_geometry else ("", "", "")
        builder.add([*cells, lon, lat], number, geometry_problem=problem)
    return RawTable(filename, builder.frame(), notes=tuple(points.notes()), unit="objet")


def read_layer(path: Path, filename: str, *, layer: str | None = None) -> RawTable:
    """Features of a GeoPackage or Shapefile layer (GDAL via pyogrio), checked for size first."""
    import pyogrio
    from pyogrio import raw
    from pyogrio.errors import DataLayerError, DataSourceError

    notes: list[str] = []
    try:
        layers = pyogrio.list_layers(path)
        name = layer or str(layers[0][0])
        if layer is None and len(layers) > 1:
            ignored = fr_count(len(layers) - 1, "autre ignorée", "autres ignorées")
            notes.append(f"couche « {name} » utilisée ({ignored})")
        info = pyogrio.read_info(path, layer=name)
        _check_layer_size(info, filename)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta, _, wkb, fields = raw.read(path, layer=name)
    except (DataLayerError, DataSourceError, IndexError, OSError, RuntimeError, ValueError) as exc:
        raise DataValidationError(
            filename, ["lecture du fichier géographique impossible : fichier endommagé ou format non reconnu"]
        ) from exc
    columns = [str(c) for c in meta["fields"]]
    has_geometry = wkb is not None and meta.get("geometry_type") is not None
    builder = TableBuilder(
        filename, [*columns, *((GEOMETRY_LON, GEOMETRY_LAT) if has_geometry else ())], unit="objet"
    )
    crs = _layer_crs(meta.get("crs"), filename)
    points = _Points(crs)
    shapes = shapely.from_wkb(wkb, on_invalid="ignore") if has_geometry else None
    for position in range(len(fields[0]) if fields else (len(wkb) if wkb is not None else 0)):
        cells: list[object] = [values[position] for values in fields]
        lon = lat = problem = ""
        if shapes is not None:
            if wkb[position] is not None and shapes[position] is None:
                problem = _geometry_error("géométrie endommagée dans le fichier")
            else:
                lon, lat, problem = points.of(shapes[position])
            cells += [lon, lat]
        builder.add(cells, position + 1, geometry_problem=problem)
    return RawTable(filename, builder.frame(), notes=(*notes, *points.notes()), unit="objet")


def _check_layer_size(info: dict[str, Any], filename: str) -> None:
    features = int(info.get("features") or 0)
    fields = len(info.get("fields", ()))
    if fields > MAX_COLUMNS:
        raise DataValidationError(
            filename, [f"trop de colonnes ({fr_number(fields)} ; maximum {fr_number(MAX_COLUMNS)})"]
        )
    if features > MAX_ROWS or features * max(fields, 1) > MAX_CELLS:
        raise DataValidationError(
            filename, [f"trop d'objets ({fr_number(features)} ; maximum {fr_number(MAX_ROWS)})"]
        )


def _layer_crs(text: object, filename: str) -> CRS | None:
    if not text:
        return None
    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise DataValidationError(filename, ["système de coordonnées du fichier inconnu"]) from exc
