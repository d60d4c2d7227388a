"""Where a place is: one set of rules for the data build, the refresh and the importer.

Three jobs, used by every reader of places so that the same point gets the same commune:

- :func:`normalize_insee` turns any spelling of an INSEE commune code (number, missing leading
  zero, ``2b050``, an arrondissement of Paris / Lyon / Marseille, a former code) into its
  COG 2026 code;
- :class:`CommuneLocator` finds the commune holding a point (spatial index on the outlines,
  points just outside the coast snapped to the nearest commune within
  :data:`SNAP_DISTANCE_M`);
- :func:`place_rows` compares each row's point with what the row declares (commune code,
  postcode, département) and gives a **verdict**: consistent, inconsistent (with the distance
  and which location was kept, and why), or placed at the commune's point.

The rules of :func:`place_rows`:

1. coordinates at the address (``adresse``) win over a declared commune that disagrees;
2. a declared commune wins over a point of poor precision (``approximatif``, or a commune
   centroid) that falls in another département;
3. a row without a usable point is placed at its declared commune's point;
4. a commune-level record whose commune has namesakes is moved to the namesake its own text
   names (« … de Marie-Galante » coded Saint-Louis of La Réunion → Saint-Louis of Guadeloupe),
   see :func:`namesake_named_in`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import WGS84, ZONES, projected_crs_for_zone, zone_from_dep
from geo.fmt import fr_number
from geo.search import search_key
from geo.themes import normalize_text

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
VERDICT_INCONSISTENT = "incoherent"
VERDICT_CENTROID = "centroide"
VERDICT_UNPLACED = "non_place"
VERDICTS: dict[str, str] = {
    VERDICT_CONSISTENT: "cohérent",
    VERDICT_INCONSISTENT: "incohérent (voir la note)",
    VERDICT_CENTROID: "placé au point de la commune",
    VERDICT_UNPLACED: "non placé",
}
"""``placement`` verdict codes → French label."""

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

_FLOAT_COLUMNS = ("lon", "lat", "placement_distance_m")

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


def parse_coordinates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers from coordinate text (decimal point or comma, spaces, « ° »).

    Returns
    -------
    (numbers, unreadable)
        Float series (NaN when empty or unreadable) and a mask of the non-empty cells that
        are not numbers.
    """
    text = values.astype(object).fillna("").astype(str)
    text = text.str.replace(r"[\s\u00a0\u202f°]", "", regex=True)
    both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
    european = both & (text.str.rfind(",") > text.str.rfind("."))
    text = text.where(~european, text.str.replace(".", "", regex=False))
    text = text.str.replace(",", ".", regex=False).where(
        ~both | european, text.str.replace(",", "", regex=False)
    )
    numbers = pd.to_numeric(text, errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers))
    unreadable = numbers.isna() & (text != "")
    return numbers, unreadable


def dep_of_code(code: str) -> str:
    """Département of a commune code (``"97414"`` → ``"974"``, ``"2A004"`` → ``"2A"``)."""
    return code[:3] if code.startswith("97") else code[:2]


def deps_from_postcode(postcode: object) -> list[str]:
    """Départements a postcode may belong to (``"20000"`` → Corse-du-Sud and Haute-Corse).

    Postcodes do not follow département borders everywhere (a few communes have the postcode of
    a neighbouring département): use this as a hint, and the COG postcodes of each commune
    (:meth:`CommuneLocator.communes_of_postcode`) when a commune must be found.
    """
    digits = re.sub(r"\D", "", str(postcode or ""))
    if len(digits) == 4:
        digits = "0" + digits
    if len(digits) != 5 or digits == "00000":
        return []
    if digits.startswith("97"):
        return [digits[:3]]
    if digits.startswith("20"):
        return ["2A", "2B"]
    if digits.startswith("98"):
        return []
    return [digits[:2]]


def commune_key(name: str) -> str:
    """Commune name for matching (« St-Étienne » → « saint etienne », « Paris 11e » → « paris »)."""
    text = re.sub(r"\bcedex\b.*$", "", normalize_text(name))
    moved = re.match(r"^(.*?)\s*\((le|la|les|l')\)$", text)
    if moved:
        text = f"{moved.group(2)} {moved.group(1)}"
    return re.sub(r"\s+\d+\s*(er|e|eme)?(\s+arrondissement)?$", "", search_key(text))


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
    _contexts: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index on the outlines."""
        return shapely.STRtree(self.geometries)

    @cached_property
    def _by_key(self) -> pd.Series:
        keys = self.communes["nom"].map(commune_key)
        return pd.Series(self.communes.index, index=keys.to_numpy())

    @cached_property
    def _by_postcode(self) -> pd.Series:
        codes = self.communes["codes_postaux"].fillna("").str.split()
        exploded = codes.explode().dropna()
        return pd.Series(exploded.index, index=exploded.to_numpy())

    def known(self, code: str) -> bool:
        """Whether ``code`` is a COG 2026 commune of the Atlas."""
        return code in self.communes.index

    def communes_named(self, name: str) -> list[str]:
        """Codes of the communes whose name matches ``name`` (:func:`commune_key`)."""
        key = commune_key(name)
        if not key or key not in self._by_key.index:
            return []
        return sorted(self._by_key.loc[[key]].astype(str))

    def communes_of_postcode(self, postcode: object) -> list[str]:
        """Codes of the communes served by ``postcode`` (COG postcodes), sorted."""
        digits = re.sub(r"\D", "", str(postcode or "")).zfill(5)
        if digits not in self._by_postcode.index:
            return []
        return sorted(self._by_postcode.loc[[digits]].astype(str))

    def label(self, code: str) -> str:
        """« Saint-Louis (97414) » for notes; the bare code when unknown."""
        if code in self.communes.index:
            return f"{self.communes.at[code, 'nom']} ({code})"
        return code


def commune_locator(
    communes: pd.DataFrame, commune_polygons: gpd.GeoDataFrame, passage: pd.DataFrame | None = None
) -> CommuneLocator:
    """A :class:`CommuneLocator` from the ``communes``, ``communes_polygons`` and
    ``communes_passage`` datasets (the passage table may be omitted)."""
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
    )


def _metres(lon: np.ndarray, lat: np.ndarray, zone: str) -> np.ndarray:
    return np.asarray(
        gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(projected_crs_for_zone(zone)).to_numpy()
    )


def _zone_of_points(lon: pd.Series, lat: pd.Series) -> pd.Series:
    from geo.io import FRANCE_BOUNDS

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
    postcode: pd.Series | None = None,
    declared_dep: pd.Series | None = None,
    text: pd.Series | None = None,
) -> pd.DataFrame:
    """Place every row in one commune and say how far its evidence agrees.

    Parameters
    ----------
    locator
        From :func:`commune_locator`.
    lon, lat
        WGS84 degrees (NaN when the row has no point).
    precision
        ``location_precision`` of each point (:data:`PRECISIONS`), or one value for all.
    declared_code, postcode, declared_dep
        What the row declares (any spelling; empty when unknown).
    text
        Name and description, to pick a commune's namesake (rule 4 of the module docstring).

    Returns
    -------
    DataFrame aligned on ``lon`` with the :data:`PLACEMENT_COLUMNS`: the commune kept, the
    point kept (the commune's point when the declared commune wins or the row has no point),
    the precision of that point, the verdict (:data:`VERDICTS`), a French note saying what
    disagreed, by how much and what was kept, and the distance in metres from the point to the
    declared commune when they disagree.
    """
    index = lon.index
    if not len(index):
        return pd.DataFrame(
            {c: pd.Series(dtype=float if c in _FLOAT_COLUMNS else object) for c in PLACEMENT_COLUMNS}
        )
    if isinstance(precision, str):
        precision = pd.Series(precision, index=index, dtype=object)
    rows = _Placing.start(locator, lon, lat, precision, _text_series(declared_code, index))
    rows.note_point_commune()
    rows.resolve_disagreements()
    rows.place_at_declared(had_point=lon.notna())
    rows.check_postcode_and_dep(_text_series(postcode, index), _text_series(declared_dep, index))
    if text is not None:
        rows.move_to_named_namesake(_text_series(text, index))
    return rows.result()


@dataclass
class _Placing:
    """The rows being placed by :func:`place_rows`, one rule per method."""

    locator: CommuneLocator
    out: pd.DataFrame
    point_code: pd.Series
    snap_m: pd.Series
    declared: pd.Series
    former: pd.Series
    notes: _Notes

    @classmethod
    def start(
        cls, locator: CommuneLocator, lon: pd.Series, lat: pd.Series, precision: pd.Series, raw: pd.Series
    ) -> _Placing:
        plain = raw.map(normalize_insee)
        declared = plain.map(lambda code: locator.passage.get(code, code))
        found = communes_of_points(locator, lon, lat)
        out = pd.DataFrame(
            {
                "code_insee": found["code_insee"],
                "lon": lon.astype(float),
                "lat": lat.astype(float),
                "location_precision": precision.astype(object),
                "placement": VERDICT_CONSISTENT,
                "placement_distance_m": np.nan,
            },
            index=lon.index,
        )
        return cls(
            locator=locator,
            out=out,
            point_code=found["code_insee"],
            snap_m=found["snap_m"],
            declared=declared,
            former=(declared != plain) & (plain != ""),
            notes=_Notes(lon.index),
        )

    def _labels(self, codes: pd.Series) -> pd.Series:
        return codes.map(self.locator.label)

    def _has_commune_point(self, codes: pd.Series) -> pd.Series:
        table = self.locator.communes
        return codes.map(lambda c: c in table.index and bool(pd.notna(table.at[c, "lon"])))

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
        unknown = (self.declared != "") & ~self.declared.map(self.locator.known)
        overseas = unknown & self.declared.map(lambda c: not zone_from_dep(dep_of_code(c)))
        code = "code INSEE déclaré « " + self.declared + " »"
        self.notes.add(overseas, code + " : collectivité d'outre-mer, hors des six zones de l'Atlas")
        self.notes.add(unknown & ~overseas, code + " inconnu du COG 2026")

    def resolve_disagreements(self) -> None:
        """Rules 1 and 2: the point or the declared commune, when both exist and differ."""
        out, declared = self.out, self.declared
        differ = (self.point_code != "") & declared.map(self.locator.known) & (declared != self.point_code)
        if not differ.any():
            return
        precision = out["location_precision"]
        distance = distance_to_communes_m(self.locator, out["lon"], out["lat"], declared.where(differ, ""))
        near = differ & (distance <= OUTLINE_TOLERANCE_M)
        self.notes.add(
            near,
            "point à "
            + distance.fillna(0).map(_km)
            + " de la commune déclarée "
            + self._labels(declared)
            + ", dans la marge des contours simplifiés : commune déclarée retenue",
        )
        out.loc[near, "code_insee"] = declared[near]
        differ &= ~near
        other_dep = self.point_code.map(dep_of_code) != declared.map(dep_of_code)
        poor = precision != PRECISION_ADDRESS
        moved = differ & poor & (other_dep | (precision == PRECISION_COMMUNE))
        moved &= self._has_commune_point(declared)
        out.loc[differ, "placement"] = VERDICT_INCONSISTENT
        out.loc[differ, "placement_distance_m"] = distance[differ]
        described = (
            "point dans "
            + self._labels(self.point_code)
            + ", à "
            + distance.fillna(0).map(_km)
            + " de la commune déclarée "
            + self._labels(declared)
        )
        kept = pd.Series(
            np.where(poor, " (même département) : point retenu", " : coordonnées à l'adresse retenues"),
            index=out.index,
        )
        self.notes.add(differ & ~moved, described + kept)
        self.notes.add(
            moved, described + ", dans un autre département ; point peu précis : commune déclarée retenue"
        )
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
        known = declared.map(self.locator.known)
        placed = no_point & self._has_commune_point(declared)
        out.loc[placed, "code_insee"] = declared[placed]
        self._move_to_commune_point(placed)
        out.loc[placed, "placement"] = VERDICT_CENTROID
        self.notes.add(
            placed & had_point, "coordonnées hors de toute commune : placé au point de la commune déclarée"
        )
        self.notes.add(placed & ~had_point, "sans coordonnées : placé au point de la commune déclarée")
        unplaced = no_point & ~placed
        out.loc[unplaced, ["code_insee", "location_precision"]] = ""
        out.loc[unplaced, ["lon", "lat"]] = np.nan
        out.loc[unplaced, "placement"] = VERDICT_UNPLACED
        self.notes.add(
            unplaced & known,
            "commune déclarée " + self._labels(declared) + " sans point dans l'Atlas (recréée après 2018)",
        )
        self.notes.add(unplaced & ~known & had_point, "coordonnées hors de toute commune, commune inconnue")
        self.notes.add(unplaced & ~known & ~had_point, "ni coordonnées ni commune connue")

    def check_postcode_and_dep(self, postcode: pd.Series, declared_dep: pd.Series) -> None:
        """A postcode or a département that contradicts the commune kept makes the row inconsistent."""
        out = self.out
        code = out["code_insee"]
        dep = code.map(dep_of_code)
        contradicts = pd.Series(
            [
                bool(c) and _postcode_contradicts(self.locator, c, d, pc)
                for c, d, pc in zip(code, dep, postcode, strict=True)
            ],
            index=out.index,
        )
        self.notes.add(
            contradicts, "code postal " + postcode + " d'un autre département que " + self._labels(code)
        )
        wanted = declared_dep.str.upper().map(lambda d: d.zfill(2) if d.isdigit() and len(d) < 2 else d)
        wrong_dep = (code != "") & (wanted != "") & (wanted != dep) & ~contradicts
        self.notes.add(
            wrong_dep, "département déclaré " + wanted + " différent de celui de " + self._labels(code)
        )
        out.loc[contradicts | wrong_dep, "placement"] = VERDICT_INCONSISTENT

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
        centroid = (self.out["placement"] == VERDICT_CONSISTENT) & (
            self.out["location_precision"] == PRECISION_COMMUNE
        )
        self.out.loc[centroid, "placement"] = VERDICT_CENTROID
        self.out["placement_note"] = self.notes.series()
        return self.out[list(PLACEMENT_COLUMNS)]


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
        table = locator.communes
        near = table[
            (table["lon"] - row["lon"]).abs().le(NAMESAKE_CONTEXT_DEG)
            & (table["lat"] - row["lat"]).abs().le(NAMESAKE_CONTEXT_DEG)
        ]
        own = commune_key(str(row["nom"]))
        for name in near["nom"]:
            names.update(p for p in _name_parts(str(name)) if p != own)
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
    if not text or code not in locator.communes.index:
        return None
    candidates = locator.communes_named(str(locator.communes.at[code, "nom"]))
    if len(candidates) < 2:
        return None
    named = [c for c in candidates if _named(_context_names(locator, c), text)]
    if len(named) == 1 and named[0] != code:
        return named[0]
    return None
