"""Where a place is: one set of rules for the data build, the refresh and the importer.

Three jobs, used by every reader of places so that the same point gets the same commune:

- :func:`normalize_insee` turns any spelling of an INSEE commune code (number, missing leading
  zero, ``2b050``, an arrondissement of Paris / Lyon / Marseille, a former code) into its
  COG 2026 code;
- :class:`CommuneLocator` finds the commune holding a point (spatial index on the outlines,
  points just outside the coast snapped to the nearest commune within
  :data:`SNAP_DISTANCE_M`) and the commune a name designates (:mod:`geo.io.commune_lookup`);
- :func:`place_rows` compares each row's point with **everything the row declares** (commune
  code, commune name, postcode, département, région) and gives a **verdict**: consistent,
  corrected, placed at the commune's point, inconsistent (with the distance, which location was
  kept and why, and the kind of disagreement: :data:`ISSUES`), or not placed.

The rules of :func:`place_rows`:

0. a point that disagrees with the declared location is tried with its sign errors and
   latitude / longitude swapped (:data:`CANDIDATE_CORRECTIONS`); a candidate is kept only when it
   agrees with the declared commune (or, without one, the declared postcode / département /
   région) — a point outside every commune with nothing declared is corrected only when exactly
   one candidate lands in France;
1. coordinates at the address (``adresse``) win over a declared commune that disagrees;
2. a declared commune wins over a point of poor precision (``approximatif``, or a commune
   centroid) that falls in another département;
3. a row without a usable point is placed at its declared commune's point (INSEE code, else the
   commune its name designates within its postcode);
4. a commune-level record whose commune has namesakes is moved to the namesake its own text
   names (« … de Marie-Galante » coded Saint-Louis of La Réunion → Saint-Louis of Guadeloupe),
   see :func:`namesake_named_in`.

Rules 1–4 decide for the build and the refresh; an import shows every inconsistent row to the user,
who chooses per kind of disagreement (:func:`choose_locations`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import InvalidParameterError
from geo.crs import WGS84, ZONES, projected_crs_for_zone, zone_from_dep
from geo.fmt import fr_number
from geo.io.commune_lookup import (
    NameMatch,
    commune_from_name,
    commune_key,
    dep_of_code,
    departement_of_text,
    deps_from_postcode,
    postcode_digits,
    region_of_text,
)
from geo.search import search_key

PRECISION_ADDRESS = "adresse"
PRECISION_APPROXIMATE = "approximatif"
PRECISION_COMMUNE = "centroide_commune"
PRECISIONS: dict[str, str] = {
    PRECISION_ADDRESS: "adresse (géocodée)",
    PRECISION_APPROXIMATE: "géocodage peu précis (rue ou commune)",
    PRECISION_COMMUNE: "point de la commune (approximatif)",
}
"""``location_precision`` codes → French description."""

VERDICT_CONSISTENT = "coherent"
VERDICT_CORRECTED = "corrige"
VERDICT_INCONSISTENT = "incoherent"
VERDICT_CENTROID = "centroide"
VERDICT_UNPLACED = "non_place"
VERDICTS: dict[str, str] = {
    VERDICT_CONSISTENT: "cohérent",
    VERDICT_CORRECTED: "corrigé (voir la note)",
    VERDICT_INCONSISTENT: "incohérent (voir la note)",
    VERDICT_CENTROID: "placé au point de la commune",
    VERDICT_UNPLACED: "non placé",
}
"""``placement`` verdict codes → French label."""

ISSUE_POINT_NEAR = "point_proche"
ISSUE_POINT_FAR = "point_eloigne"
ISSUE_CODE = "code_isole"
ISSUE_CODES = "declarations_contradictoires"
ISSUE_DECLARATION = "declaration_isolee"
ISSUE_NAMESAKE = "homonyme"
ISSUES: dict[str, str] = {
    ISSUE_POINT_NEAR: "Point dans une commune voisine de la commune déclarée (même département, "
    "moins de 5 km)",
    ISSUE_POINT_FAR: "Point loin de la commune déclarée (plus de 5 km ou autre département)",
    ISSUE_CODE: "Code INSEE contredit par le point, le code postal ou le nom de la commune",
    ISSUE_CODES: "Sans point pour trancher : code INSEE, code postal et nom de commune se contredisent",
    ISSUE_DECLARATION: "Code postal, département, région ou nom de commune contraires à la commune retenue",
    ISSUE_NAMESAKE: "Le nom du lieu cite une commune homonyme de la commune déclarée",
}
"""Kinds of disagreement of an inconsistent row (``placement_issue``) → French description."""

ACTION_RULE = "regle"
ACTION_POINT = "point"
ACTION_DECLARED = "commune"
ACTION_REJECT = "rejet"
"""What to do with the inconsistent rows of one kind (:func:`choose_locations`): the placement
rules' choice, the location from the point (or the other declaration), the declared commune's
point, or reject the rows."""

NEAR_DISTANCE_M = 5_000.0
"""A point in another commune of the same département this close to the declared commune is
« voisin » (often an address on the border or a postal commune): :data:`ISSUE_POINT_NEAR`."""

SNAP_DISTANCE_M = 2_000.0
"""A point this close to a commune (coast, simplified outline) is given that commune."""

OUTLINE_TOLERANCE_M = 300.0
"""A point this close to its declared commune agrees with it: the bundled outlines are simplified
at 200 m, so a point near a border may fall just inside the neighbour's simplified outline."""

NAMESAKE_CONTEXT_DEG = 0.2
"""Radius (about 15–22 km) of the communes whose names are a namesake's context."""

PLACEMENT_COLUMNS = (
    "code_insee",
    "lon",
    "lat",
    "location_precision",
    "placement",
    "placement_note",
    "placement_distance_m",
)
"""Columns returned by :func:`place_rows`."""

ALTERNATIVE_COLUMNS = (
    "placement_issue",
    "point_code_insee",
    "point_lon",
    "point_lat",
    "point_precision",
    "declared_code_insee",
    "placement_rule",
)
"""Columns :func:`place_rows` adds with ``alternatives=True``: the kind of disagreement (``""``
when none, :data:`ISSUES`), the location the point (or, without a point, the other declaration)
gives, and the declared commune — the two choices :func:`choose_locations` can make — and the
part of the note saying what the rules kept (replaced by the user's choice)."""

CandidateCorrection = tuple[str, int, int, int, int]
"""(French description, source of the longitude (0 = lon, 1 = lat), its sign, source of the
latitude, its sign)."""

CANDIDATE_CORRECTIONS: tuple[CandidateCorrection, ...] = (
    ("latitude et longitude inversées", 1, 1, 0, 1),
    ("signe de la longitude inversé", 0, -1, 1, 1),
    ("signe de la latitude inversé", 0, 1, 1, -1),
    ("signes de la longitude et de la latitude inversés", 0, -1, 1, -1),
    ("latitude et longitude inversées, signe de la longitude inversé", 1, -1, 0, 1),
    ("latitude et longitude inversées, signe de la latitude inversé", 1, 1, 0, -1),
    ("latitude et longitude inversées, signes inversés", 1, -1, 0, -1),
)
"""The corrections tried, in order of preference, on a point that disagrees with its declarations."""

_FLOAT_COLUMNS = ("lon", "lat", "placement_distance_m", "point_lon", "point_lat")

_PLM_ARRONDISSEMENTS: tuple[tuple[str, str, str], ...] = (
    ("75101", "75120", "75056"),
    ("13201", "13216", "13055"),
    ("69381", "69389", "69123"),
)
"""Paris / Marseille / Lyon arrondissement codes → their commune's code."""

_LINK_WORDS = frozenset(
    {"de", "du", "des", "d", "la", "le", "les", "l", "sur", "sous", "en", "et", "lez", "aux", "au", "a"}
    | {"pres", "saint", "sainte", "saints", "saintes"}
)


def normalize_insee(value: object, passage: Mapping[str, str] | None = None) -> str:
    """INSEE commune code as its COG 2026 five characters, ``""`` when absent.

    ``"7319"`` → ``"07319"``, ``"2b050"`` → ``"2B050"``, ``75111`` → ``"75056"`` (arrondissements
    of Paris, Lyon and Marseille become their commune), ``"13205.0"`` → ``"13055"``, ``"0"`` → ``""``;
    a former code listed in ``passage`` (former → 2026, the COG passage table) becomes its 2026 code.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = re.sub(r"\s+", "", str(value)).upper()
    text = re.sub(r"\.0+$", "", text)
    if text in {"", "0", "00000", "NAN", "NONE"}:
        return ""
    if text.isdigit() and len(text) < 5:
        text = text.zfill(5)
    for first, last, commune in _PLM_ARRONDISSEMENTS:
        if len(text) == 5 and text.isdigit() and first <= text <= last:
            return commune
    if passage:
        return passage.get(text, text)
    return text


_SEXAGESIMAL = re.compile(
    r"^(?P<h1>[NSEWO])?(?P<sign>-)?(?P<deg>\d{1,3}(?:\.\d+)?)(?:(?:°|º|:|\s)+"
    r"(?:(?P<min>\d{1,2}(?:\.\d+)?)(?:'|′|’|:|\s)*"
    r"(?:(?P<sec>\d{1,2}(?:\.\d+)?)(?:\"|″|”|'')?)?)?)?\s*(?P<h2>[NSEWO])?$"
)
"""Degrees, minutes, seconds with a hemisphere: « 43°36'N », « N 43° 36' 12,5" », « 1°26'E », « 4°5'O »."""


@dataclass(frozen=True)
class CoordinateText:
    """Numbers read from coordinate text, and what was found on the way."""

    numbers: pd.Series
    """Decimal degrees (or metres), NaN when empty or unreadable."""
    unreadable: pd.Series
    """Non-empty cells that are not numbers."""
    sexagesimal: pd.Series
    """Cells written in degrees and minutes (converted to decimal degrees)."""


def read_coordinates(values: pd.Series) -> CoordinateText:
    """Numbers from coordinate text: decimal point or comma, thousands spaces, « ° », and
    degrees-minutes-seconds with a hemisphere letter (N, S, E, W or O for « ouest »)."""
    raw = values.astype(object).fillna("").astype(str).str.strip().str.upper()
    text = raw.str.replace(r"[\s\u00a0\u202f°]", "", regex=True)
    both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    european = both & (text.str.rfind(",") > text.str.rfind("."))
    text = text.where(~european, text.str.replace(".", "", regex=False))
    text = text.str.replace(",", ".", regex=False).where(
        ~both | european, text.str.replace(",", "", regex=False)
    )
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers))
    sexagesimal = pd.Series(False, index=values.index)
    tried = numbers.isna() & (text != "")
    for label, cell in raw[tried].items():
        degrees = _sexagesimal_degrees(str(cell))
        if degrees is not None:
            numbers[label] = degrees
            sexagesimal[label] = True
    return CoordinateText(numbers, numbers.isna() & (text != ""), sexagesimal)


def _sexagesimal_degrees(cell: str) -> float | None:
    """Decimal degrees of « 43°36'12"N » (None unless it is degrees and minutes or a hemisphere)."""
    text = re.sub(r"\s+", " ", cell.replace(",", ".")).strip()
    text = re.sub(r"\s*([NSEWO])\s*", r"\1", text)
    match = _SEXAGESIMAL.match(text)
    if match is None:
        return None
    hemispheres = {h for h in (match["h1"], match["h2"]) if h}
    if len(hemispheres) > 1 or (match["min"] is None and not hemispheres):
        return None
    minutes, seconds = float(match["min"] or 0), float(match["sec"] or 0)
    if minutes >= 60 or seconds >= 60:
        return None
    value = float(match["deg"]) + minutes / 60 + seconds / 3600
    negative = bool(match["sign"]) or bool(hemispheres & {"S", "W", "O"})
    return -value if negative else value


def parse_coordinates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from coordinate text (see :func:`read_coordinates`).

    Returns
    -------
    (numbers, unreadable)
        Float series (NaN when empty or unreadable) and a mask of the non-empty cells that
        are not numbers.
    """
    read = read_coordinates(values)
    return read.numbers, read.unreadable


@dataclass(frozen=True, eq=False)
class CommuneLocator:
    """The commune outlines under a spatial index, and the commune table to judge a location.

    Build it once with :func:`commune_locator` and reuse it: the index is built on first use.
    """

    communes: pd.DataFrame
    """Indexed by ``code_insee``: ``nom``, ``dep``, ``nom_dep``, ``nom_reg``, ``reg``,
    ``epci_siren``, ``zone``, ``lon``,
    ``lat`` (the commune's point, NaN when it has none) and ``codes_postaux`` (space-separated)."""
    codes: np.ndarray
    """INSEE code of each outline of :attr:`geometries`."""
    geometries: np.ndarray
    passage: Mapping[str, str] = field(default_factory=dict)
    """Former INSEE code → COG 2026 code."""
    former_names: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"nom": [], "code_insee_2026": []}, dtype=object)
    )
    """``nom`` of a former commune (commune déléguée or associée) → ``code_insee_2026``."""
    _contexts: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index on the outlines."""
        return shapely.STRtree(self.geometries)

    @cached_property
    def _keys(self) -> dict[str, str]:
        return dict(zip(self.communes.index, self.communes["nom"].map(commune_key), strict=True))

    @cached_property
    def _by_key(self) -> dict[str, list[str]]:
        return _grouped(self._keys.items())

    @cached_property
    def _by_postcode(self) -> dict[str, list[str]]:
        codes = self.communes["codes_postaux"].fillna("").astype(str)
        return _grouped((code, postcode) for code, text in codes.items() for postcode in text.split())

    @cached_property
    def _former_by_key(self) -> dict[str, list[str]]:
        pairs = zip(self.former_names["code_insee_2026"], self.former_names["nom"], strict=True)
        return _grouped((code, commune_key(name)) for code, name in pairs)

    @cached_property
    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of every commune's point (NaN when none), in table order."""
        return self.communes["lon"].to_numpy(dtype=float), self.communes["lat"].to_numpy(dtype=float)

    @cached_property
    def name_parts(self) -> np.ndarray:
        """Distinctive word runs of every commune's name, in table order (for namesakes)."""
        parts = np.empty(len(self.communes), dtype=object)
        parts[:] = [tuple(_name_parts(str(name))) for name in self.communes["nom"]]
        return parts

    @cached_property
    def _regions(self) -> dict[str, str]:
        return dict(zip(self.communes.index, self.communes["reg"].astype(str), strict=True))

    @cached_property
    def _codes(self) -> frozenset[str]:
        return frozenset(self.communes.index)

    @cached_property
    def _names(self) -> dict[str, str]:
        return dict(zip(self.communes.index, self.communes["nom"].astype(str), strict=True))

    @cached_property
    def departement_codes(self) -> frozenset[str]:
        """Codes of the départements of the Atlas."""
        return frozenset(self.communes["dep"])

    @cached_property
    def departement_names(self) -> dict[str, str]:
        """:func:`commune_key` of each département's name → its code."""
        pairs = self.communes[["nom_dep", "dep"]].drop_duplicates()
        return {commune_key(name): code for name, code in zip(pairs["nom_dep"], pairs["dep"], strict=True)}

    @cached_property
    def region_codes(self) -> frozenset[str]:
        """Codes of the régions of the Atlas."""
        return frozenset(self.communes["reg"])

    @cached_property
    def region_names(self) -> dict[str, str]:
        """:func:`commune_key` of each région's name → its code."""
        pairs = self.communes[["nom_reg", "reg"]].drop_duplicates()
        return {commune_key(name): code for name, code in zip(pairs["nom_reg"], pairs["reg"], strict=True)}

    def name_of(self, code: str) -> str:
        """Name of commune ``code`` (``""`` when unknown)."""
        return self._names.get(code, "")

    def region_of(self, code: str) -> str:
        """Région code of commune ``code`` (``""`` when unknown)."""
        return self._regions.get(code, "")

    def key_of(self, code: str) -> str:
        """:func:`commune_key` of commune ``code``'s name (``""`` when unknown)."""
        return self._keys.get(code, "")

    def communes_formerly_named(self, name: str) -> list[str]:
        """COG 2026 codes of the communes that hold a former commune named ``name``."""
        return sorted(set(self._former_by_key.get(commune_key(name), [])))

    def known(self, code: str) -> bool:
        """Whether ``code`` is a COG 2026 commune of the Atlas."""
        return code in self._codes

    def communes_named(self, name: str) -> list[str]:
        """Codes of the communes whose name matches ``name`` (:func:`commune_key`)."""
        return sorted(self._by_key.get(commune_key(name), []))

    def communes_of_postcode(self, postcode: object) -> list[str]:
        """Codes of the communes served by ``postcode`` (COG postcodes), sorted."""
        return sorted(self._by_postcode.get(postcode_digits(postcode), []))

    def label(self, code: str) -> str:
        """« Saint-Louis (97414) » for notes; the bare code when unknown."""
        name = self._names.get(code)
        return f"{name} ({code})" if name is not None else code


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``(value, key)`` pairs → key → values (``""`` keys left out)."""
    groups: dict[str, list[str]] = {}
    for value, key in pairs:
        if key:
            groups.setdefault(key, []).append(str(value))
    return groups


def commune_locator(
    communes: pd.DataFrame,
    commune_polygons: gpd.GeoDataFrame,
    passage: pd.DataFrame | None = None,
    former_names: pd.DataFrame | None = None,
) -> CommuneLocator:
    """A :class:`CommuneLocator` from the ``communes``, ``communes_polygons``,
    ``communes_passage`` and ``communes_deleguees`` datasets (the last two may be omitted)."""
    table = pd.DataFrame(
        {
            "nom": communes["nom"].astype(str).to_numpy(),
            "dep": communes["dep"].astype(str).to_numpy(),
            "nom_dep": communes.get("nom_dep", communes["dep"]).astype(str).to_numpy(),
            "nom_reg": communes.get("nom_reg", communes["reg"]).astype(str).to_numpy(),
            "reg": communes["reg"].astype(str).to_numpy(),
            "epci_siren": communes["epci_siren"].astype(str).to_numpy(),
            "zone": communes["zone"].astype(str).to_numpy(),
            "codes_postaux": (
                communes["codes_postaux"].astype(str).to_numpy() if "codes_postaux" in communes else ""
            ),
        },
        index=pd.Index(communes["code_insee"].astype(str).to_numpy(), name="code_insee"),
    )
    geometry = gpd.GeoSeries(communes.geometry.to_numpy(), crs=communes.crs or WGS84)
    has_point = ~(geometry.isna() | geometry.is_empty).to_numpy()
    table["lon"] = np.where(has_point, geometry.x.where(has_point), np.nan)
    table["lat"] = np.where(has_point, geometry.y.where(has_point), np.nan)
    mapping = (
        dict(zip(passage["code_ancien"].astype(str), passage["code_insee_2026"].astype(str), strict=True))
        if passage is not None
        else {}
    )
    return CommuneLocator(
        communes=table,
        codes=commune_polygons["code_insee"].astype(str).to_numpy(),
        geometries=np.asarray(commune_polygons.geometry.to_numpy()),
        passage=mapping,
        former_names=(
            former_names[["nom", "code_insee_2026"]].astype(str)
            if former_names is not None
            else pd.DataFrame({"nom": [], "code_insee_2026": []}, dtype=object)
        ),
    )


def _metres(lon: np.ndarray, lat: np.ndarray, zone: str) -> np.ndarray:
    return np.asarray(
        gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(projected_crs_for_zone(zone)).to_numpy()
    )


def _zone_of_points(lon: pd.Series, lat: pd.Series) -> pd.Series:
    from geo.io.datasets import FRANCE_BOUNDS

    zones = pd.Series("", index=lon.index, dtype=object)
    for code, (xmin, ymin, xmax, ymax) in FRANCE_BOUNDS.items():
        inside = lon.between(xmin, xmax) & lat.between(ymin, ymax) & (zones == "")
        zones[inside] = code
    return zones


def communes_of_points(locator: CommuneLocator, lon: pd.Series, lat: pd.Series) -> pd.DataFrame:
    """The commune holding each point, snapping points just outside the coast.

    Returns
    -------
    DataFrame aligned on ``lon``: ``code_insee`` (``""`` when no commune is within
    :data:`SNAP_DISTANCE_M`) and ``snap_m`` (0 inside a commune, the distance in metres when
    snapped, NaN when none).
    """
    out = pd.DataFrame({"code_insee": "", "snap_m": np.nan}, index=lon.index)
    valid = (lon.notna() & lat.notna()).to_numpy()
    if not valid.any():
        return out
    positions = np.flatnonzero(valid)
    points = np.asarray(gpd.points_from_xy(lon.to_numpy()[valid], lat.to_numpy()[valid]))
    point_pos, poly_pos = locator.tree.query(points, predicate="within")
    first = ~pd.Series(point_pos).duplicated().to_numpy()
    out.iloc[positions[point_pos[first]], 0] = locator.codes[poly_pos[first]]
    out.iloc[positions[point_pos[first]], 1] = 0.0
    lost = positions[(out["code_insee"].iloc[positions] == "").to_numpy()]
    if len(lost):
        _snap(locator, lon, lat, lost, out)
    return out


def _snap(
    locator: CommuneLocator, lon: pd.Series, lat: pd.Series, lost: np.ndarray, out: pd.DataFrame
) -> None:
    zones = _zone_of_points(lon.iloc[lost], lat.iloc[lost]).to_numpy()
    for zone in ZONES:
        rows = lost[zones == zone]
        if not len(rows):
            continue
        points = np.asarray(gpd.points_from_xy(lon.to_numpy()[rows], lat.to_numpy()[rows]))
        # Candidates within ~0.03° (more than 2 km at French latitudes), then exact metres.
        near_point, near_poly = locator.tree.query(shapely.buffer(points, 0.03), predicate="intersects")
        if not len(near_point):
            continue
        crs = projected_crs_for_zone(zone)
        projected_points = _metres(lon.to_numpy()[rows], lat.to_numpy()[rows], zone)
        projected_polys = gpd.GeoSeries(locator.geometries[near_poly], crs=WGS84).to_crs(crs).to_numpy()
        pairs = pd.DataFrame(
            {
                "point": near_point,
                "poly": near_poly,
                "distance": shapely.distance(projected_points[near_point], projected_polys),
            }
        )
        pairs = pairs[pairs["distance"] <= SNAP_DISTANCE_M].sort_values("distance").drop_duplicates("point")
        target = rows[pairs["point"].to_numpy()]
        out.iloc[target, 0] = locator.codes[pairs["poly"].to_numpy()]
        out.iloc[target, 1] = pairs["distance"].to_numpy()


def distance_to_communes_m(
    locator: CommuneLocator, lon: pd.Series, lat: pd.Series, codes: pd.Series
) -> pd.Series:
    """Distance in metres from each point to the outline of commune ``codes`` (0 inside it).

    NaN where the point or the commune's outline is missing; measured in the metric CRS of the
    commune's zone (a point in another zone is far anyway: measured in that CRS too).
    """
    out = pd.Series(np.nan, index=lon.index)
    by_code = pd.Series(np.arange(len(locator.codes)), index=locator.codes)
    by_code = by_code[~by_code.index.duplicated()]
    usable = lon.notna() & lat.notna() & codes.isin(by_code.index)
    code_zones = codes.map(lambda c: zone_from_dep(dep_of_code(str(c))))
    for zone in ZONES:
        rows = usable & (code_zones == zone)
        if not rows.any():
            continue
        polygons = gpd.GeoSeries(locator.geometries[by_code[codes[rows]].to_numpy()], crs=WGS84)
        points = _metres(lon[rows].to_numpy(), lat[rows].to_numpy(), zone)
        out[rows] = shapely.distance(points, polygons.to_crs(projected_crs_for_zone(zone)).to_numpy())
    return out


def _text_series(values: pd.Series | None, index: pd.Index) -> pd.Series:
    if values is None:
        return pd.Series("", index=index, dtype=object)
    return values.reindex(index).astype(object).fillna("").astype(str).str.strip()


def _support(by_name: pd.Series, by_postcode: pd.Series) -> pd.Series:
    """What backs the point's commune against the declared one, as a clause of the note (or "")."""
    return pd.Series(
        np.select(
            [by_name & by_postcode, by_name, by_postcode],
            [
                " (le nom et le code postal de la commune désignent aussi celle du point)",
                " (le nom de la commune désigne aussi celle du point)",
                " (le code postal est aussi celui de la commune du point)",
            ],
            "",
        ),
        index=by_name.index,
    )


def _km(distance_m: float) -> str:
    if distance_m < 1_000:
        return f"{fr_number(distance_m)} m"
    return f"{fr_number(distance_m / 1_000, 1 if distance_m < 10_000 else 0)} km"


@dataclass
class _Notes:
    """French notes of each row, joined by « ; »."""

    index: pd.Index
    parts: dict[object, list[str]] = field(default_factory=dict)

    def add(self, mask: pd.Series, texts: pd.Series | str) -> None:
        values = texts if isinstance(texts, pd.Series) else pd.Series(texts, index=self.index)
        for label in self.index[mask.to_numpy()]:
            self.parts.setdefault(label, []).append(str(values[label]))

    def series(self) -> pd.Series:
        return pd.Series(
            [" ; ".join(self.parts.get(i, [])) for i in self.index], index=self.index, dtype=object
        )


def place_rows(
    locator: CommuneLocator,
    lon: pd.Series,
    lat: pd.Series,
    precision: pd.Series | str,
    *,
    declared_code: pd.Series | None = None,
    declared_name: pd.Series | None = None,
    postcode: pd.Series | None = None,
    declared_dep: pd.Series | None = None,
    declared_reg: pd.Series | None = None,
    text: pd.Series | None = None,
    alternatives: bool = False,
) -> pd.DataFrame:
    """Place every row in one commune and say how far its evidence agrees.

    Parameters
    ----------
    locator
        From :func:`commune_locator`.
    lon, lat
        WGS84 degrees as given by the source (NaN when the row has no point); points outside
        France are tried with their candidate corrections (rule 0).
    precision
        ``location_precision`` of each point (:data:`PRECISIONS`), or one value for all.
    declared_code, declared_name, postcode, declared_dep, declared_reg
        What the row declares, in any common spelling (empty when unknown): INSEE code, commune
        name, postcode, département and région (code or name).
    text
        Name and description, to pick a commune's namesake (rule 4 of the module docstring).
    alternatives
        Also return the :data:`ALTERNATIVE_COLUMNS` (what :func:`choose_locations` needs).

    Returns
    -------
    DataFrame aligned on ``lon`` with the :data:`PLACEMENT_COLUMNS`: the commune kept, the
    point kept (the commune's point when the declared commune wins or the row has no point),
    the precision of that point, the verdict (:data:`VERDICTS`), a French note saying what
    disagreed, by how much and what was kept, and the distance in metres from the point to the
    declared commune when they disagree.
    """
    index = lon.index
    columns = list(PLACEMENT_COLUMNS) + (list(ALTERNATIVE_COLUMNS) if alternatives else [])
    if not len(index):
        return pd.DataFrame({c: pd.Series(dtype=float if c in _FLOAT_COLUMNS else object) for c in columns})
    if isinstance(precision, str):
        precision = pd.Series(precision, index=index, dtype=object)
    rows = _Placing.start(locator, lon, lat, precision, _text_series(declared_code, index))
    rows.read_declarations(
        name=_text_series(declared_name, index),
        postcode=_text_series(postcode, index),
        dep=_text_series(declared_dep, index),
        reg=_text_series(declared_reg, index),
    )
    rows.correct_points()
    rows.note_point_commune()
    rows.resolve_disagreements()
    rows.place_at_declared(had_point=lon.notna() & lat.notna())
    rows.check_declarations()
    if text is not None:
        rows.move_to_named_namesake(_text_series(text, index))
    return rows.result()[columns]


@dataclass
class _Placing:
    """The rows being placed by :func:`place_rows`, one rule per method."""

    locator: CommuneLocator
    out: pd.DataFrame
    raw_lon: pd.Series
    raw_lat: pd.Series
    point_code: pd.Series
    snap_m: pd.Series
    declared: pd.Series
    former: pd.Series
    notes: _Notes
    named: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    """Commune the declared name designates (``""`` when no name or not found)."""
    named_how: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    """How the name was found, or why not (:class:`geo.io.commune_lookup.NameMatch`)."""
    by_name: pd.Series = field(default_factory=lambda: pd.Series(dtype=bool))
    """Rows whose declared commune comes from the name (no usable INSEE code)."""
    postcode: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    dep: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    reg: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))

    @classmethod
    def start(
        cls, locator: CommuneLocator, lon: pd.Series, lat: pd.Series, precision: pd.Series, raw: pd.Series
    ) -> _Placing:
        plain = raw.map(normalize_insee)
        declared = plain.map(lambda code: locator.passage.get(code, code))
        raw_lon = pd.to_numeric(lon, errors="coerce").astype(float)
        raw_lat = pd.to_numeric(lat, errors="coerce").astype(float)
        found = communes_of_points(locator, raw_lon, raw_lat)
        out = pd.DataFrame(
            {
                "code_insee": found["code_insee"],
                "lon": raw_lon,
                "lat": raw_lat,
                "location_precision": precision.astype(object),
                "placement": VERDICT_CONSISTENT,
                "placement_distance_m": np.nan,
                "placement_issue": "",
                "point_code_insee": "",
                "point_lon": np.nan,
                "point_lat": np.nan,
                "point_precision": "",
                "declared_code_insee": "",
                "placement_rule": "",
            },
            index=lon.index,
        )
        return cls(
            locator=locator,
            out=out,
            raw_lon=raw_lon,
            raw_lat=raw_lat,
            point_code=found["code_insee"],
            snap_m=found["snap_m"],
            declared=declared,
            former=(declared != plain) & (plain != ""),
            notes=_Notes(lon.index),
        )

    def _labels(self, codes: pd.Series) -> pd.Series:
        return codes.map(self.locator.label)

    def _has_commune_point(self, codes: pd.Series) -> pd.Series:
        return codes.map(self.locator.communes["lon"]).notna()

    def _known(self, codes: pd.Series) -> pd.Series:
        return codes.map(self.locator.known).astype(bool)

    def read_declarations(
        self, *, name: pd.Series, postcode: pd.Series, dep: pd.Series, reg: pd.Series
    ) -> None:
        """The declared département and région as codes, and the commune the name designates
        within its postcode or département; the name stands for the commune when the INSEE code
        is missing or unknown."""
        self.postcode = postcode.map(postcode_digits)
        self.dep = dep.map(lambda value: departement_of_text(self.locator, value))
        self.reg = reg.map(lambda value: region_of_text(self.locator, value))
        self.notes.add((dep != "") & (self.dep == ""), "département déclaré « " + dep + " » non reconnu")
        self.notes.add((reg != "") & (self.reg == ""), "région déclarée « " + reg + " » non reconnue")
        self.named, self.named_how = self._communes_from_names(name, postcode)
        self.by_name = ~self._known(self.declared) & (self.named != "")
        found = "commune " + self._labels(self.named) + " trouvée par " + self.named_how
        self.notes.add(
            self.by_name & (self.declared != ""), "code INSEE « " + self.declared + " » inconnu : " + found
        )
        loose = self.named_how.str.contains("ancienne|partiel|approché", regex=True)
        self.notes.add(self.by_name & (self.declared == "") & loose & (self.point_code != ""), found)
        ignored = (name != "") & (self.named == "") & (self.point_code != "")
        self.notes.add(ignored, self.named_how + " : nom de commune ignoré")
        self.declared = self.declared.where(~self.by_name, self.named)

    def _communes_from_names(self, name: pd.Series, postcode: pd.Series) -> tuple[pd.Series, pd.Series]:
        named = pd.Series("", index=name.index, dtype=object)
        how = pd.Series("", index=name.index, dtype=object)
        looked_up = (name != "") | ((postcode != "") & (self.declared == ""))
        matches: dict[tuple[str, str, str], NameMatch] = {}
        for label in name.index[looked_up.to_numpy()]:
            code = str(self.declared[label])
            key = (
                str(name[label]),
                str(self.postcode[label]),
                str(self.dep[label]) or (dep_of_code(code) if code else ""),
            )
            if key not in matches:
                matches[key] = commune_from_name(self.locator, *key)
            named[label], how[label] = matches[key].code, matches[key].how
        return named, how

    def _agreement(self, codes: pd.Series, lon: pd.Series, lat: pd.Series) -> pd.Series:
        """1.0 where commune ``codes`` (point ``lon`` / ``lat``) agrees with what the row declares,
        0.0 where it disagrees, NaN where the row declares nothing to check it against.

        A known declared commune decides alone (with the outline tolerance); otherwise every
        declared postcode, département and région must agree.
        """
        declared = self.declared.reindex(codes.index)
        known = self._known(declared)
        agree = pd.Series(np.nan, index=codes.index)
        agree[known] = (codes[known] == declared[known]).astype(float)
        close = known & (agree == 0.0) & (codes != "")
        if close.any():
            distance = distance_to_communes_m(self.locator, lon[close], lat[close], declared[close])
            agree[distance.index[distance.le(OUTLINE_TOLERANCE_M).to_numpy()]] = 1.0
        rest = ~known
        deps = codes.map(lambda c: dep_of_code(c) if c else "")
        postcode = self.postcode.reindex(codes.index)
        wanted_dep = self.dep.reindex(codes.index)
        wanted_reg = self.reg.reindex(codes.index)
        checks = (
            (
                rest & (postcode != ""),
                pd.Series(
                    [
                        not _postcode_contradicts(self.locator, c, d, p) if c else False
                        for c, d, p in zip(codes, deps, postcode, strict=True)
                    ],
                    index=codes.index,
                ),
            ),
            (rest & (wanted_dep != ""), deps == wanted_dep),
            (rest & (wanted_reg != ""), codes.map(self._region_of) == wanted_reg),
        )
        for declared_here, _ in checks:
            agree[declared_here] = 1.0
        for declared_here, agrees in checks:
            agree[declared_here & ~agrees] = 0.0
        return agree

    def _region_of(self, code: str) -> str:
        return self.locator.region_of(code)

    def correct_points(self) -> None:
        """Rule 0: sign errors and latitude / longitude swaps, kept only when they agree."""
        usable = self.raw_lon.notna() & self.raw_lat.notna() & ~((self.raw_lon == 0) & (self.raw_lat == 0))
        current = self._agreement(self.point_code, self.raw_lon, self.raw_lat)
        need = usable & ((self.point_code == "") | (current == 0.0))
        if not need.any():
            return
        # Without any declaration to check a candidate against, only a point outside every
        # commune is tried, and a candidate is trusted only when it is the only one in France.
        unverifiable = need & current.isna()
        index = self.out.index
        chosen = pd.Series("", index=index, dtype=object)
        landing = pd.Series(0, index=index)
        found_at = pd.DataFrame(
            {"code_insee": "", "snap_m": np.nan, "lon": np.nan, "lat": np.nan}, index=index
        )
        for description, lon_from, lon_sign, lat_from, lat_sign in CANDIDATE_CORRECTIONS:
            todo = need & ((chosen == "") | unverifiable)
            if not todo.any():
                break
            axes = (self.raw_lon[todo], self.raw_lat[todo])
            lon, lat = axes[lon_from] * lon_sign, axes[lat_from] * lat_sign
            found = communes_of_points(self.locator, lon, lat)
            inside = found["code_insee"] != ""
            landing[todo] += inside.astype(int)
            agrees = self._agreement(found["code_insee"], lon, lat) == 1.0
            take = inside & (agrees | unverifiable[todo]) & (chosen[todo] == "")
            rows = take.index[take.to_numpy()]
            chosen[rows] = description
            found_at.loc[rows, ["code_insee", "snap_m"]] = found.loc[
                rows, ["code_insee", "snap_m"]
            ].to_numpy()
            found_at.loc[rows, "lon"], found_at.loc[rows, "lat"] = lon[rows], lat[rows]
        ambiguous = unverifiable & (landing > 1)
        self.notes.add(
            ambiguous,
            "plusieurs corrections (signe, latitude et longitude interverties) tomberaient en France : "
            "sans commune ni code postal déclarés, aucune n'est retenue",
        )
        chosen[unverifiable & (landing != 1)] = ""
        corrected = chosen != ""
        if corrected.any():
            self._apply_corrections(corrected, chosen, found_at, unverifiable)

    def _apply_corrections(
        self, corrected: pd.Series, chosen: pd.Series, found_at: pd.DataFrame, unverifiable: pd.Series
    ) -> None:
        distance = distance_to_communes_m(
            self.locator,
            self.raw_lon.where(corrected),
            self.raw_lat.where(corrected),
            self.declared.where(corrected, ""),
        )
        far = distance.notna() & (self.point_code != "")
        given = pd.Series("le point donné n'était dans aucune commune", index=self.out.index, dtype=object)
        given[self.point_code != ""] = "le point donné tombait dans " + self._labels(self.point_code)
        given[far] = given[far] + ", à " + distance[far].map(_km) + " de la commune déclarée"
        given[unverifiable] = (
            given[unverifiable]
            + " ; aucune commune déclarée pour le confirmer : seule "
            + ("correction qui tombe en France")
        )
        self.notes.add(
            corrected,
            chosen + " : point corrigé, dans " + self._labels(found_at["code_insee"]) + " (" + given + ")",
        )
        for column in ("code_insee", "lon", "lat"):
            self.out.loc[corrected, column] = found_at.loc[corrected, column]
        self.out.loc[corrected, "placement"] = VERDICT_CORRECTED
        self.out.loc[corrected, "placement_distance_m"] = distance[corrected]
        self.point_code = self.point_code.where(~corrected, found_at["code_insee"])
        self.snap_m = self.snap_m.where(~corrected, found_at["snap_m"])

    def note_point_commune(self) -> None:
        """Notes of the rows whose point gives the commune: snapped, former or unknown code."""
        snapped = (self.point_code != "") & (self.snap_m > 0)
        self.notes.add(
            snapped,
            "point hors des contours, à "
            + self.snap_m.where(snapped, 0).map(_km)
            + " de "
            + self._labels(self.point_code)
            + " (côte ou contour simplifié) : rattaché à cette commune",
        )
        self.notes.add(
            self.former, "ancien code INSEE converti au COG 2026 (" + self._labels(self.declared) + ")"
        )
        unknown = (self.declared != "") & ~self._known(self.declared)
        overseas = unknown & self.declared.map(lambda c: not zone_from_dep(dep_of_code(c)))
        code = "code INSEE déclaré « " + self.declared + " »"
        self.notes.add(overseas, code + " : collectivité d'outre-mer, hors des six zones de l'Atlas")
        self.notes.add(unknown & ~overseas, code + " inconnu du COG 2026")

    def _record_issue(
        self, rows: pd.Series, issue: pd.Series | str, point: pd.DataFrame, declared: pd.Series
    ) -> None:
        """Kind of disagreement and the two locations to choose from (the first issue found wins)."""
        rows = rows & (self.out["placement_issue"] == "")
        if not rows.any():
            return
        out = self.out
        out.loc[rows, "placement_issue"] = issue[rows] if isinstance(issue, pd.Series) else issue
        for column in ("code_insee", "lon", "lat", "location_precision"):
            target = "point_precision" if column == "location_precision" else f"point_{column}"
            out.loc[rows, target] = point.loc[rows, column]
        out.loc[rows, "declared_code_insee"] = declared[rows]

    def _at_commune_point(self, codes: pd.Series) -> pd.DataFrame:
        """Locations at the points of communes ``codes``."""
        return pd.DataFrame(
            {
                "code_insee": codes,
                "lon": codes.map(self.locator.communes["lon"]).astype(float),
                "lat": codes.map(self.locator.communes["lat"]).astype(float),
                "location_precision": PRECISION_COMMUNE,
            },
            index=codes.index,
        )

    def _postcode_agrees(self, codes: pd.Series) -> pd.Series:
        """Whether the declared postcode fits commune ``codes`` (False when no postcode)."""
        return pd.Series(
            [
                bool(p) and bool(c) and not _postcode_contradicts(self.locator, c, dep_of_code(c), p)
                for c, p in zip(codes, self.postcode, strict=True)
            ],
            index=codes.index,
        )

    def resolve_disagreements(self) -> None:
        """Rules 1 and 2: the point or the declared commune, when both exist and differ."""
        declared = self.declared
        differ = (self.point_code != "") & self._known(declared) & (declared != self.point_code)
        if not differ.any():
            return
        distance = distance_to_communes_m(
            self.locator, self.out["lon"], self.out["lat"], declared.where(differ, "")
        )
        differ &= ~self._keep_declared_near_point(differ, distance)
        other_dep = self.point_code.map(dep_of_code) != declared.map(dep_of_code)
        by_name = (self.named != "") & (self.named == self.point_code) & ~self.by_name
        by_postcode = self._postcode_agrees(self.point_code) & ~self._postcode_agrees(declared)
        self._record_disagreements(differ, distance, other_dep=other_dep, backed=by_name | by_postcode)
        self._settle_disagreements(
            differ, distance, other_dep=other_dep, support=_support(by_name, by_postcode)
        )

    def _keep_declared_near_point(self, differ: pd.Series, distance: pd.Series) -> pd.Series:
        """Rule 1: a point within the outlines' tolerance of the declared commune keeps that commune."""
        near = differ & (distance <= OUTLINE_TOLERANCE_M)
        self.notes.add(
            near,
            "point à "
            + distance.fillna(0).map(_km)
            + " de la commune déclarée "
            + self._labels(self.declared)
            + ", dans la marge des contours simplifiés : commune déclarée retenue",
        )
        self.out.loc[near, "code_insee"] = self.declared[near]
        return near

    def _record_disagreements(
        self, differ: pd.Series, distance: pd.Series, *, other_dep: pd.Series, backed: pd.Series
    ) -> None:
        """Mark the rows inconsistent, with the distance and the kind of disagreement."""
        out = self.out
        out.loc[differ, "placement"] = VERDICT_INCONSISTENT
        out.loc[differ, "placement_distance_m"] = distance[differ]
        issue = pd.Series(
            np.select(
                [differ & backed, ~other_dep & (distance <= NEAR_DISTANCE_M)],
                [ISSUE_CODE, ISSUE_POINT_NEAR],
                ISSUE_POINT_FAR,
            ),
            index=out.index,
        )
        self._record_issue(
            differ, issue, out[["code_insee", "lon", "lat", "location_precision"]], self.declared
        )

    def _settle_disagreements(
        self, differ: pd.Series, distance: pd.Series, *, other_dep: pd.Series, support: pd.Series
    ) -> None:
        """Rule 2: keep the point, or move an imprecise one to the declared commune of another département."""
        out, declared = self.out, self.declared
        precision = out["location_precision"]
        poor = precision != PRECISION_ADDRESS
        wanted = differ & poor & (other_dep | (precision == PRECISION_COMMUNE))
        moved = wanted & self._has_commune_point(declared)
        described = (
            "point dans "
            + self._labels(self.point_code)
            + ", à "
            + distance.fillna(0).map(_km)
            + " de la commune déclarée "
            + self._labels(declared)
        )
        kept = pd.Series(
            np.select(
                [~poor, wanted & ~moved],
                [
                    " : coordonnées à l'adresse retenues",
                    " ; la commune déclarée n'a pas de point dans les données : point retenu",
                ],
                default=" (même département) : point retenu",
            ),
            index=out.index,
        )
        moved_clause = pd.Series(
            np.where(
                other_dep,
                ", dans un autre département ; point peu précis : commune déclarée retenue",
                " ; point au centre d'une commune : commune déclarée retenue",
            ),
            index=out.index,
        )
        self.notes.add(differ & ~moved, described + support + kept)
        self.notes.add(moved, described + support + moved_clause)
        out.loc[differ & ~moved, "placement_rule"] = kept[differ & ~moved]
        out.loc[moved, "placement_rule"] = moved_clause[moved]
        out.loc[moved, "code_insee"] = declared[moved]
        self._move_to_commune_point(moved)

    def _move_to_commune_point(self, rows: pd.Series) -> None:
        if not rows.any():
            return
        codes = self.out.loc[rows, "code_insee"]
        self.out.loc[rows, "lon"] = codes.map(self.locator.communes["lon"]).to_numpy()
        self.out.loc[rows, "lat"] = codes.map(self.locator.communes["lat"]).to_numpy()
        self.out.loc[rows, "location_precision"] = PRECISION_COMMUNE

    def place_at_declared(self, *, had_point: pd.Series) -> None:
        """Rule 3: rows without a usable point take their declared commune's point."""
        out, declared = self.out, self.declared
        no_point = self.point_code == ""
        known = self._known(declared)
        placed = no_point & self._has_commune_point(declared)
        out.loc[placed, "code_insee"] = declared[placed]
        self._move_to_commune_point(placed)
        out.loc[placed, "placement"] = VERDICT_CENTROID
        how = pd.Series(" déclarée", index=out.index, dtype=object)
        how[self.by_name] = (
            " " + self._labels(declared[self.by_name]) + ", trouvée par " + self.named_how[self.by_name]
        )
        conflict = self._note_name_against_code(placed, had_point)
        plain = placed & ~conflict
        self.notes.add(
            plain & had_point, "coordonnées hors de toute commune : placé au point de la commune" + how
        )
        self.notes.add(plain & ~had_point, "sans coordonnées : placé au point de la commune" + how)
        unplaced = no_point & ~placed
        out.loc[unplaced, ["code_insee", "location_precision"]] = ""
        out.loc[unplaced, ["lon", "lat"]] = np.nan
        out.loc[unplaced, "placement"] = VERDICT_UNPLACED
        self.notes.add(
            unplaced & known,
            "commune déclarée " + self._labels(declared) + " sans point dans l'Atlas (recréée après 2018)",
        )
        unnamed = self.named_how == ""
        self.notes.add(
            unplaced & ~known & had_point,
            "coordonnées hors de toute commune, " + self.named_how.where(~unnamed, "commune inconnue"),
        )
        self.notes.add(unplaced & ~known & ~had_point & unnamed, "ni coordonnées ni commune connue")
        self.notes.add(unplaced & ~known & ~had_point & ~unnamed, "sans coordonnées, " + self.named_how)

    def _note_name_against_code(self, placed: pd.Series, had_point: pd.Series) -> pd.Series:
        """Without a point to settle it, an INSEE code that another commune's name contradicts:
        the rows concerned (the code is kept, the name's commune is the alternative)."""
        conflict = placed & (self.named != "") & (self.named != self.declared) & ~self.by_name
        if not conflict.any():
            return conflict
        self.out.loc[conflict, "placement"] = VERDICT_INCONSISTENT
        self._record_issue(conflict, ISSUE_CODES, self._at_commune_point(self.named), self.declared)
        kept = " : placé au point de la commune du code INSEE"
        self.notes.add(
            conflict,
            pd.Series(
                np.where(had_point, "coordonnées hors de toute commune", "sans coordonnées"),
                index=self.out.index,
            )
            + " ; le code INSEE désigne "
            + self._labels(self.declared)
            + " mais "
            + self.named_how
            + " désignent "
            + self._labels(self.named)
            + kept,
        )
        self.out.loc[conflict, "placement_rule"] = kept
        return conflict

    def check_declarations(self) -> None:
        """A postcode, commune name, département or région that contradicts the commune kept makes
        the row inconsistent."""
        out = self.out
        code = out["code_insee"]
        kept = code != ""
        dep = code.map(lambda c: dep_of_code(c) if c else "")
        postcode_against = kept & (self.postcode != "") & ~self._postcode_agrees(code)
        postcode_against &= self.postcode.map(lambda p: bool(deps_from_postcode(p)))
        name_against = (
            kept & (self.named != "") & (self.named != code) & ~self.by_name & (out["placement_issue"] == "")
        )
        dep_against = kept & (self.dep != "") & (self.dep != dep)
        reg_against = kept & (self.reg != "") & (self.reg != code.map(self._region_of))
        labels = self._labels(code)
        self.notes.add(
            postcode_against, "code postal " + self.postcode + " d'un autre département que " + labels
        )
        self.notes.add(
            name_against, self.named_how + " désignent " + self._labels(self.named) + ", pas " + labels
        )
        self.notes.add(
            dep_against & ~postcode_against,
            "département déclaré " + self.dep + " différent de celui de " + labels,
        )
        self.notes.add(reg_against, "région déclarée " + self.reg + " différente de celle de " + labels)
        against = postcode_against | name_against | dep_against | reg_against
        if not against.any():
            return
        out.loc[against, "placement"] = VERDICT_INCONSISTENT
        here = out[["code_insee", "lon", "lat", "location_precision"]]
        no_point = self.point_code == ""
        other = self.named.where((self.named != "") & (self.named != code), "")
        other = other.where(other != "", self._only_commune_of_postcodes().where(no_point, ""))
        self._record_issue(
            against & no_point & (other != ""), ISSUE_CODES, self._at_commune_point(other), code
        )
        self._record_issue(against, ISSUE_DECLARATION, here, code)

    def _only_commune_of_postcodes(self) -> pd.Series:
        """The commune each postcode serves when it serves only one (``""`` otherwise)."""

        def only(postcode: str) -> str:
            served = self.locator.communes_of_postcode(postcode) if postcode else []
            return served[0] if len(served) == 1 else ""

        return self.postcode.map(only)

    def move_to_named_namesake(self, text: pd.Series) -> None:
        """Rule 4 for commune-level rows: see :func:`namesake_named_in`."""
        out = self.out
        commune_level = (out["location_precision"] == PRECISION_COMMUNE) & (out["code_insee"] != "")
        for label in out.index[commune_level.to_numpy()]:
            code = str(out.at[label, "code_insee"])
            chosen = namesake_named_in(self.locator, code, text[label])
            if chosen is None:
                continue
            row = pd.Series(out.index == label, index=out.index)
            self._record_issue(
                row,
                ISSUE_NAMESAKE,
                self._at_commune_point(pd.Series(chosen, index=out.index)),
                pd.Series(code, index=out.index),
            )
            out.at[label, "code_insee"] = chosen
            self._move_to_commune_point(row)
            out.at[label, "placement"] = VERDICT_INCONSISTENT
            cited = ", ".join(_named(_context_names(self.locator, chosen), text[label]))
            self.notes.add(
                row,
                f"le nom cite « {cited} » : commune homonyme {self.locator.label(chosen)} retenue "
                f"au lieu de {self.locator.label(code)}",
            )

    def result(self) -> pd.DataFrame:
        out = self.out
        centroid = (out["placement"] == VERDICT_CONSISTENT) & (out["location_precision"] == PRECISION_COMMUNE)
        out.loc[centroid, "placement"] = VERDICT_CENTROID
        out["placement_note"] = self.notes.series()
        plain = out["placement_issue"] == ""
        for column in ("code_insee", "lon", "lat"):
            out.loc[plain, f"point_{column}"] = out.loc[plain, column]
        out.loc[plain, "point_precision"] = out.loc[plain, "location_precision"]
        out.loc[plain, "declared_code_insee"] = out.loc[plain, "code_insee"]
        return out


ISSUE_ACTIONS: dict[str, dict[str, str]] = {
    **{
        issue: {
            ACTION_POINT: "garder le point (et la commune où il tombe)",
            ACTION_DECLARED: "placer au point de la commune déclarée",
            ACTION_REJECT: "rejeter ces lignes",
        }
        for issue in (ISSUE_POINT_NEAR, ISSUE_POINT_FAR, ISSUE_CODE)
    },
    ISSUE_CODES: {
        ACTION_DECLARED: "commune du code INSEE",
        ACTION_POINT: "commune du nom ou du code postal",
        ACTION_REJECT: "rejeter ces lignes",
    },
    ISSUE_DECLARATION: {
        ACTION_RULE: "les garder dans la commune retenue",
        ACTION_REJECT: "rejeter ces lignes",
    },
    ISSUE_NAMESAKE: {
        ACTION_POINT: "commune homonyme que cite le nom",
        ACTION_DECLARED: "commune du code déclaré",
        ACTION_REJECT: "rejeter ces lignes",
    },
}
"""For each kind of disagreement, the choices offered (action → French label)."""


def choose_locations(
    placed: pd.DataFrame, locator: CommuneLocator, choices: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.Series]:
    """Apply a user's choice to each kind of inconsistent rows.

    Parameters
    ----------
    placed
        From :func:`place_rows` with ``alternatives=True``.
    choices
        Kind of disagreement (:data:`ISSUES`) → action (:data:`ISSUE_ACTIONS`); a kind left out
        keeps the placement rules' choice.

    Returns
    -------
    (placed, rejected)
        The rows with the chosen location (the note says what was chosen), and the mask of the
        rows the user rejected.

    Raises
    ------
    InvalidParameterError
        If a kind or an action is not offered.
    """
    _check_choices(choices)
    out = placed.copy()
    rejected = pd.Series(False, index=out.index)
    commune_points = locator.communes[["lon", "lat"]]
    for issue, action in choices.items():
        rows = out["placement_issue"] == issue
        if action == ACTION_RULE or not rows.any():
            continue
        label = ISSUE_ACTIONS[issue][action]
        if action == ACTION_REJECT:
            rejected |= rows
            usable = rows
        elif action == ACTION_POINT:
            usable = rows & (out["point_code_insee"] != "")
            out.loc[usable, "code_insee"] = out.loc[usable, "point_code_insee"]
            out.loc[usable, "lon"] = out.loc[usable, "point_lon"]
            out.loc[usable, "lat"] = out.loc[usable, "point_lat"]
            out.loc[usable, "location_precision"] = out.loc[usable, "point_precision"]
        else:
            codes = out["declared_code_insee"]
            usable = rows & codes.map(commune_points["lon"]).notna()
            out.loc[usable, "code_insee"] = codes[usable]
            out.loc[usable, "lon"] = codes[usable].map(commune_points["lon"])
            out.loc[usable, "lat"] = codes[usable].map(commune_points["lat"])
            out.loc[usable, "location_precision"] = PRECISION_COMMUNE
        choice = f" — choix à l'import : {label}"
        out.loc[usable, "placement_note"] = [
            note.replace(rule, choice, 1) if rule and rule in note else note + choice
            for note, rule in zip(
                out.loc[usable, "placement_note"], out.loc[usable, "placement_rule"], strict=True
            )
        ]
    return out, rejected


def _check_choices(choices: Mapping[str, str]) -> None:
    problems = [
        f"`choices` donne « {action} » pour « {issue} » mais doit être l'un de "
        f"{sorted(ISSUE_ACTIONS.get(issue, {}))}"
        for issue, action in choices.items()
        if action != ACTION_RULE and action not in ISSUE_ACTIONS.get(issue, {})
    ]
    unknown = sorted(set(choices) - set(ISSUES))
    if unknown:
        problems.insert(0, f"`choices` contient {unknown} mais les genres de désaccord sont {sorted(ISSUES)}")
    if problems:
        raise InvalidParameterError(" ; ".join(problems))


def _postcode_contradicts(locator: CommuneLocator, code: str, dep: str, postcode: str) -> bool:
    """Whether ``postcode`` belongs neither to commune ``code`` nor to its département."""
    deps = deps_from_postcode(postcode)
    return bool(deps) and dep not in deps and code not in locator.communes_of_postcode(postcode)


def _name_parts(name: str) -> list[str]:
    """Distinctive word runs of a place name (« Capesterre-de-Marie-Galante » → capesterre, marie galante)."""
    runs: list[list[str]] = [[]]
    for word in search_key(name).split():
        if word in _LINK_WORDS:
            runs.append([])
        else:
            runs[-1].append(word)
    parts = [" ".join(run) for run in runs if run]
    return [p for p in parts if len(p.replace(" ", "")) >= 5 and p not in _COMMON_WORDS]


_COMMON_WORDS = frozenset(
    {"ville", "village", "bourg", "plaine", "montagne", "mont", "port", "pont", "bois", "riviere"}
    | {"vallee", "centre", "grand", "petit", "haut", "basse", "haute", "nord", "ouest", "ferme"}
    | {"moulin", "chateau", "eglise", "foret", "plage"}
)


def _context_names(locator: CommuneLocator, code: str) -> frozenset[str]:
    """Names that situate commune ``code``: its département and région, nearby communes."""
    if code not in locator._contexts:
        locator._contexts[code] = frozenset(_context_names_of(locator, code))
    return locator._contexts[code]


def _context_names_of(locator: CommuneLocator, code: str) -> set[str]:
    row = locator.communes.loc[code]
    names = {search_key(str(row["nom_dep"])), search_key(str(row["nom_reg"]))}
    if pd.notna(row["lon"]):
        lon, lat = locator.points
        near = (np.abs(lon - row["lon"]) <= NAMESAKE_CONTEXT_DEG) & (
            np.abs(lat - row["lat"]) <= NAMESAKE_CONTEXT_DEG
        )
        own = commune_key(str(row["nom"]))
        for parts in locator.name_parts[near]:
            names.update(p for p in parts if p != own)
    return {n for n in names if n}


def _named(names: frozenset[str], text: str) -> list[str]:
    words = f" {search_key(text)} "
    return sorted(n for n in names if f" {n} " in words)


def namesake_named_in(locator: CommuneLocator, code: str, text: str) -> str | None:
    """The namesake of commune ``code`` that ``text`` situates, if exactly one does and ``code`` doesn't.

    Lists of places by commune are sometimes joined to the wrong commune of a common name
    (« Saint-Louis »: Guadeloupe or La Réunion). When the place's own text names the
    département, the région or a nearby commune of exactly one namesake, that namesake is the
    commune meant. Returns ``None`` when the commune has no namesake or the text does not tell.
    """
    if not text or not locator.known(code):
        return None
    candidates = locator.communes_named(locator.name_of(code))
    if len(candidates) < 2:
        return None
    named = [c for c in candidates if _named(_context_names(locator, c), text)]
    if len(named) == 1 and named[0] != code:
        return named[0]
    return None
