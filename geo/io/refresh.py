"""Refresh from the official sources: ``python -m geo.io.refresh`` (``make refresh``).

Downloads the current official files listed in ``SOURCES.md`` (QPV 2024 outlines, France
Tiers-Lieux census, Fabriques de territoire, Manufactures de proximité, France services,
Petites villes de demain), checks them with the same pipeline as the bundled data and the
imports (:mod:`geo.io.upload`, :mod:`geo.io.importer`, :func:`geo.io.places.places_from_records`,
the catalogue validation), and writes them to the local data folder
(:func:`geo.io.datasets.local_data_dir`, ``data/local``) that the app prefers when a file is
present. The bundled data stays the fallback: a source that cannot be downloaded or has
changed its format is reported in French and nothing of it is written.

Every URL can be replaced (``--base-url`` / ``--url clé=URL``), so tests serve fixture
files from 127.0.0.1 and never touch the internet.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

import geopandas as gpd
import pandas as pd
import shapely

from geo._errors import AtlasError, DataValidationError
from geo.crs import WGS84, ZONES, zone_from_dep
from geo.fmt import fr_number
from geo.io.catalog import DATASETS, dataset
from geo.io.datasets import (
    LINKAGE_DECISIONS,
    MANIFEST,
    ManifestEntry,
    local_data_dir,
    read_dataset,
    read_linkage_exceptions,
    read_manifest,
    validate,
)
from geo.io.import_mapping import prepare_import, suggest_mapping
from geo.io.importer import ImportResult, import_places
from geo.io.linkage import link_places
from geo.io.placement import CommuneLocator, commune_locator, normalize_insee
from geo.io.places import (
    LABEL_FABRIQUE,
    LABEL_MANUFACTURE,
    france_services_from_table,
    places_from_records,
    records_from_anct_per_commune,
    unlocated_places,
)
from geo.io.upload import read_upload

MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024
TIMEOUT_S = 60.0
REJECTED = "rejected_rows.csv"


@dataclass(frozen=True)
class Source:
    """One official file to download."""

    key: str
    title: str
    url: str
    filename: str
    """Name under which ``--base-url`` serves it (tests)."""


SOURCES: dict[str, Source] = {
    s.key: s
    for s in (
        Source(
            "qpv_polygons",
            "Quartiers prioritaires 2024 (contours, ANCT)",
            "https://www.data.gouv.fr/fr/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119",
            "qpv2024.zip",
        ),
        Source(
            "ftl_2026",
            "Recensement France Tiers-Lieux 2026 (fiche identité)",
            "https://static.data.gouv.fr/resources/recensement-des-tiers-lieux-en-france-2026/"
            "20260902-111854/bdftl-2026-01-fiche-identite.csv",
            "bdftl-2026-01-fiche-identite.csv",
        ),
        Source(
            "ftl_2023",
            "Recensement France Tiers-Lieux 2023 (fiche identité)",
            "https://static.data.gouv.fr/resources/recensement-des-tiers-lieux-en-france-2023/"
            "20241219-093636/bdftl-2023-01-fiche-identite.csv",
            "bdftl-2023-01-fiche-identite.csv",
        ),
        Source(
            "ftl_2023_activites",
            "Recensement France Tiers-Lieux 2023 (activités)",
            "https://static.data.gouv.fr/resources/recensement-des-tiers-lieux-en-france-2023/"
            "20241219-093639/bdftl-2023-04-activites.csv",
            "bdftl-2023-04-activites.csv",
        ),
        Source(
            "fabriques",
            "Fabriques de territoire (ANCT)",
            "https://www.data.gouv.fr/api/1/datasets/r/309049b4-f9f7-4038-a2b4-875ef32eca7c",
            "fabriques.geojson",
        ),
        Source(
            "manufactures",
            "Manufactures de proximité (ANCT)",
            "https://www.data.gouv.fr/api/1/datasets/r/a1cf9852-7be2-49bc-8981-a989cc70b6d0",
            "manufactures.geojson",
        ),
        Source(
            "france_services",
            "Liste des structures France services (ANCT)",
            "https://www.data.gouv.fr/api/1/datasets/r/f49fe9e1-f9bb-4dbd-8dfe-b9fad31899ef",
            "france_services.csv",
        ),
        Source(
            "pvd",
            "Petites villes de demain (ANCT)",
            "https://www.data.gouv.fr/fr/datasets/r/1fa831ec-d912-4277-8b95-a8b998bf951e",
            "pvd.csv",
        ),
    )
}
"""Official sources (``SOURCES.md``), by key."""

DATASET_SOURCES: dict[str, tuple[str, ...]] = {
    "qpv_polygons": ("qpv_polygons",),
    "places": ("ftl_2026", "ftl_2023", "ftl_2023_activites", "fabriques", "manufactures"),
    "france_services": ("france_services",),
    "pvd": ("pvd",),
}
"""Datasets written by the refresh → the sources they are built from."""


class SourceUnavailableError(AtlasError):
    """A source could not be downloaded (offline, server error, moved)."""


class SourceFormatError(DataValidationError):
    """A downloaded source does not have the documented format any more."""


@dataclass
class Outcome:
    """What happened to one dataset: written (with row counts) or kept as bundled (with why)."""

    dataset: str
    written: bool
    message: str
    rows: int = 0
    rejected: int = 0
    sources: dict[str, str] = field(default_factory=dict)


def resolve_urls(
    *, base_url: str | None = None, overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """URL of every source: the official one, or ``base_url`` + its file name, or an override."""
    urls = {}
    for key, source in SOURCES.items():
        urls[key] = (
            urllib.parse.urljoin(base_url.rstrip("/") + "/", source.filename) if base_url else source.url
        )
    for key, url in (overrides or {}).items():
        if key not in SOURCES:
            raise AtlasError(f"source inconnue « {key} » ; sources possibles : {', '.join(SOURCES)}")
        urls[key] = url
    return urls


def download(url: str, *, timeout: float = TIMEOUT_S, max_bytes: int = MAX_DOWNLOAD_BYTES) -> bytes:
    """The bytes at ``url`` (http or https only), at most ``max_bytes``.

    Raises
    ------
    SourceUnavailableError
        Offline, unreachable host, HTTP error, timeout or file too large (French message).
    """
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https"):
        raise SourceUnavailableError(f"adresse non prise en charge (http ou https seulement) : {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "atlas-tiers-lieux/refresh"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = bytes(response.read(max_bytes + 1))
    except urllib.error.HTTPError as exc:
        raise SourceUnavailableError(
            f"le serveur {parsed.netloc} a répondu « {exc.code} {exc.reason} » pour {url} : "
            "l'adresse a peut-être changé (voir SOURCES.md)"
        ) from exc
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceUnavailableError(
            f"impossible de joindre {parsed.netloc} ({reason}) : pas de connexion à Internet, "
            "ou source momentanément injoignable"
        ) from exc
    if len(data) > max_bytes:
        raise SourceUnavailableError(
            f"fichier trop volumineux (plus de {fr_number(max_bytes / 1e6)} Mo) : {url}"
        )
    if not data:
        raise SourceUnavailableError(f"fichier vide reçu de {url}")
    return data


def _format_error(source: str, problems: list[str]) -> SourceFormatError:
    return SourceFormatError(f"{SOURCES[source].title} — la source a changé de format", problems)


# --------------------------------------------------------------------------------------------
# Parsers of the official files


def qpv_polygons_from_zip(data: bytes) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """QPV 2024 outlines from the official zip (``GEOJSON/QP2024_…_WGS84.geojson``).

    Returns
    -------
    (outlines, rejected)
        Outlines with ``code_qp``, ``lib_qp``, ``dep``, ``zone`` (from ``insee_dep``) and
        ``codes_insee`` (``insee_com``, « ; »-separated); rows outside the six zones rejected.

    Raises
    ------
    SourceFormatError
        If the zip has no GeoJSON or the documented fields are missing.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(m.file_size for m in archive.infolist())
            if total > MAX_DOWNLOAD_BYTES * 4:
                raise _format_error(
                    "qpv_polygons", ["archive anormalement volumineuse une fois décompressée"]
                )
            members = [
                m
                for m in archive.infolist()
                if PurePosixPath(m.filename).suffix.lower() in (".geojson", ".json")
            ]
            if not members:
                raise _format_error("qpv_polygons", ["aucun fichier GeoJSON dans l'archive"])
            members.sort(key=lambda m: ("QP2024" not in m.filename, "WGS84" not in m.filename, m.filename))
            content = archive.read(members[0])
    except zipfile.BadZipFile as exc:
        raise _format_error("qpv_polygons", [f"le fichier reçu n'est pas une archive zip ({exc})"]) from exc
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="atlas-refresh-") as tmp:
        path = Path(tmp) / "qpv.geojson"
        path.write_bytes(content)
        try:
            raw = pyogrio.read_dataframe(path)
        except (RuntimeError, ValueError, OSError) as exc:
            raise _format_error("qpv_polygons", [f"GeoJSON illisible : {exc}"]) from exc
    required = ("code_qp", "lib_qp", "insee_dep", "insee_com")
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise _format_error("qpv_polygons", [f"champs absents : {', '.join(missing)}"])
    if raw.crs is None:
        raw = raw.set_crs(WGS84)
    raw = raw.to_crs(WGS84)
    geometry = shapely.make_valid(raw.geometry.to_numpy())
    deps = raw["insee_dep"].astype(str).str.strip().str.zfill(2)
    codes = [
        ";".join(normalize_insee(c) for c in str(v or "").split(";") if c.strip()) for v in raw["insee_com"]
    ]
    outlines = gpd.GeoDataFrame(
        {
            "code_qp": raw["code_qp"].astype(str).str.strip(),
            "lib_qp": raw["lib_qp"].fillna("").astype(str).str.strip(),
            "dep": deps,
            "zone": deps.map(zone_from_dep),
            "codes_insee": codes,
        },
        geometry=gpd.GeoSeries(geometry, crs=WGS84),
    )
    # make_valid can return collections: keep their polygonal parts only.
    outlines["geometry"] = [_polygonal(g) for g in outlines.geometry]
    bad = ~outlines["zone"].isin(list(ZONES)) | outlines.geometry.isna() | outlines.geometry.is_empty
    rejected = pd.DataFrame(
        {
            "dataset": "qpv_polygons",
            "identifiant": outlines.loc[bad, "code_qp"],
            "nom": outlines.loc[bad, "lib_qp"],
            "raison": "hors des six zones de l'Atlas ou sans contour",
        }
    )
    outlines = outlines[~bad].sort_values("code_qp", ignore_index=True)
    return outlines, rejected


def _polygonal(geometry: object) -> shapely.Geometry | None:
    if not isinstance(geometry, shapely.Geometry) or geometry.is_empty:
        return None
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if merged.geom_type in ("Polygon", "MultiPolygon") else None


def _census_places(
    frames: Mapping[str, bytes], locator: CommuneLocator, *, vintage: str
) -> tuple[ImportResult, str]:
    """Census places (2026 identity if given, else 2023 identity + activities) and its source key."""
    key = "ftl_2026" if "ftl_2026" in frames else "ftl_2023"
    tables = [read_upload(frames[key], SOURCES[key].filename, max_bytes=MAX_DOWNLOAD_BYTES)]
    if key == "ftl_2023" and "ftl_2023_activites" in frames:
        tables.append(
            read_upload(
                frames["ftl_2023_activites"],
                SOURCES["ftl_2023_activites"].filename,
                max_bytes=MAX_DOWNLOAD_BYTES,
            )
        )
    prepared = prepare_import(tables)
    if not prepared.is_census:
        raise _format_error(key, ["colonnes ID_UNIQUE, NOM et LATITUDE/LONGITUDE (ou Insee) introuvables"])
    result = import_places(prepared, locator, source=key, vintage=vintage, licence=DATASETS["places"].licence)
    return result, key


def _programme_places(
    data: bytes,
    locator: CommuneLocator,
    *,
    source_key: str,
    code: str,
    label: str,
    vintage: str,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Places of an ANCT programme list: the « one feature per commune » GeoJSON, or any table."""
    licence = DATASETS["places"].licence
    head = data[:4096].lstrip()
    if head.startswith(b"{") and b"id_territoire" in data:
        with tempfile.TemporaryDirectory(prefix="atlas-refresh-") as tmp:
            path = Path(tmp) / "programme.geojson"
            path.write_bytes(data)
            try:
                records = records_from_anct_per_commune(path, source=code, label=label)
            except (ValueError, KeyError, TypeError) as exc:
                raise _format_error(source_key, [f"GeoJSON illisible : {exc}"]) from exc
        places = places_from_records(records, locator, vintage=vintage, licence=licence)
        bad = unlocated_places(places)
        rejected = pd.DataFrame(
            {
                "dataset": "places",
                "identifiant": places.loc[bad, "place_id"],
                "nom": places.loc[bad, "name"],
                "raison": places.loc[bad, "placement_note"].where(
                    places.loc[bad, "placement_note"] != "", "hors des six zones de l'Atlas"
                ),
            }
        )
        return places[~bad], rejected
    suffix = ".json" if head.startswith(b"{") else ".csv"
    if data.startswith(b"PK"):
        suffix = ".xlsx"
    table = read_upload(data, f"{source_key}{suffix}", max_bytes=MAX_DOWNLOAD_BYTES)
    prepared = prepare_import([table])
    mapping = prepared.mapping
    if not mapping.name or not mapping.can_locate():
        raise _format_error(
            source_key,
            [
                "ni nom de lieu ni localisation reconnus parmi les colonnes : "
                + ", ".join(prepared.user_columns)
            ],
        )
    result = import_places(prepared, locator, source=code, label=label, vintage=vintage, licence=licence)
    return result.places, _rejected_of(result, "places")


def _rejected_of(result: ImportResult, name: str) -> pd.DataFrame:
    rejected = result.rejected
    column = result.name_column
    names = rejected[column] if column and column in rejected.columns else pd.Series("", index=rejected.index)
    return pd.DataFrame(
        {
            "dataset": name,
            "identifiant": "ligne " + rejected["ligne"].astype(str),
            "nom": names.astype(str),
            "raison": rejected["motif"],
        }
    )


def _find(mapping_guess: str | None, frame: pd.DataFrame, *candidates: str) -> str | None:
    keys = {str(c).strip().lower(): c for c in frame.columns}
    for candidate in candidates:
        if candidate in keys:
            return str(keys[candidate])
    return mapping_guess


def france_services_from_bytes(data: bytes, locator: CommuneLocator) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The France services list (any separator / encoding) as the ``france_services`` dataset,
    with the parser of the data build (:func:`geo.io.places.france_services_from_table`).

    Raises
    ------
    SourceFormatError
        If the identifier, name or coordinates columns cannot be found.
    """
    table = read_upload(data, "france_services.csv", max_bytes=MAX_DOWNLOAD_BYTES).frame
    try:
        return france_services_from_table(table, locator)
    except DataValidationError as exc:
        raise _format_error("france_services", exc.problems) from exc


def pvd_from_bytes(data: bytes, communes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Petites villes de demain communes (``code_insee``, ``programme_id``).

    Raises
    ------
    SourceFormatError
        If no INSEE code column can be found.
    """
    suffix = ".xlsx" if data.startswith(b"PK") else ".csv"
    table = read_upload(data, f"pvd{suffix}", max_bytes=MAX_DOWNLOAD_BYTES).frame
    guess = suggest_mapping(table.columns)
    code_column = _find(guess.code_insee, table, "insee_com_2026", "insee_com", "code_insee")
    id_column = _find(None, table, "id_pvd", "programme_id", "id_programme", "id")
    if code_column is None:
        raise _format_error(
            "pvd", [f"aucune colonne de code INSEE (colonnes reçues : {', '.join(table.columns)})"]
        )
    frame = pd.DataFrame(
        {
            "code_insee": table[code_column].map(normalize_insee),
            "programme_id": table[id_column].astype(str).str.strip() if id_column else "",
        }
    )
    known = frame["code_insee"].isin(set(communes["code_insee"]))
    name_column = guess.commune
    rejected = pd.DataFrame(
        {
            "dataset": "pvd",
            "identifiant": frame.loc[~known, "code_insee"],
            "nom": table.loc[~known, name_column] if name_column else "",
            "raison": "code commune absent du COG 2026 des six zones de l'Atlas",
        }
    )
    kept = frame[known].drop_duplicates("code_insee").sort_values("code_insee", ignore_index=True)
    if kept.empty:
        raise _format_error("pvd", ["aucun code commune reconnu"])
    return kept, rejected


# --------------------------------------------------------------------------------------------
# Orchestration


def _write(frame: pd.DataFrame, name: str, out_dir: Path) -> None:
    """Validate against the catalogue, then write atomically (a reader never sees half a file)."""
    validate(frame, name)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / dataset(name).filename
    tmp = target.with_suffix(".tmp")
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(tmp, index=False, compression="zstd", write_covering_bbox=False)
    else:
        frame.to_parquet(tmp, index=False, compression="zstd")
    os.replace(tmp, target)


def _fetch_all(
    keys: Sequence[str], urls: Mapping[str, str], fetch: Callable[[str], bytes]
) -> tuple[dict[str, bytes], dict[str, str]]:
    data: dict[str, bytes] = {}
    errors: dict[str, str] = {}
    for key in keys:
        try:
            data[key] = fetch(urls[key])
        except SourceUnavailableError as exc:
            errors[key] = str(exc)
    return data, errors


def refresh(
    *,
    datasets: Sequence[str] | None = None,
    urls: Mapping[str, str] | None = None,
    out_dir: Path | None = None,
    timeout: float = TIMEOUT_S,
    log: Callable[[str], None] = print,
) -> list[Outcome]:
    """Download, check and write the refreshed datasets.

    Parameters
    ----------
    datasets
        Among :data:`DATASET_SOURCES` (all by default).
    urls
        Source key → URL (see :func:`resolve_urls`); the official URLs by default.
    out_dir
        Where to write; :func:`geo.io.datasets.local_data_dir` by default.
    timeout
        Seconds before a download is given up.
    log
        Receives one French progress line at a time.

    Returns
    -------
    One :class:`Outcome` per dataset; a dataset that failed keeps its bundled version.
    """
    names = list(datasets or DATASET_SOURCES)
    unknown = [n for n in names if n not in DATASET_SOURCES]
    if unknown:
        raise AtlasError(
            f"jeu(x) de données inconnu(s) : {', '.join(unknown)} ; possibles : {', '.join(DATASET_SOURCES)}"
        )
    urls = dict(urls or resolve_urls())
    out_dir = out_dir or local_data_dir()
    stamp = datetime.now().strftime("%d/%m/%Y")
    vintage = f"téléchargé le {stamp}"
    communes = read_dataset("communes")
    commune_polygons = read_dataset("communes_polygons")
    assert isinstance(communes, gpd.GeoDataFrame)
    assert isinstance(commune_polygons, gpd.GeoDataFrame)
    locator = commune_locator(
        communes, commune_polygons, read_dataset("communes_passage"), read_dataset("communes_deleguees")
    )

    def fetch(url: str) -> bytes:
        log(f"… téléchargement de {url}")
        return download(url, timeout=timeout)

    outcomes: list[Outcome] = []
    rejected_parts: list[pd.DataFrame] = []
    for name in names:
        keys = DATASET_SOURCES[name]
        if name == "places" and "ftl_2026" in keys:
            # The 2023 census is only a fallback: fetched when the 2026 edition fails.
            data, errors = _fetch_all(["ftl_2026", "fabriques", "manufactures"], urls, fetch)
            if "ftl_2026" in errors:
                more, more_errors = _fetch_all(["ftl_2023", "ftl_2023_activites"], urls, fetch)
                data.update(more)
                errors.update(more_errors)
        else:
            data, errors = _fetch_all(keys, urls, fetch)
        used = {k: urls[k] for k in data}
        try:
            frame, rejected, notes = _build(name, data, errors, locator, vintage=vintage, out_dir=out_dir)
            _write(frame, name, out_dir)
        except (SourceUnavailableError, DataValidationError) as exc:
            outcomes.append(Outcome(name, False, _failure_message(name, exc), sources=used))
            continue
        rejected_parts.append(rejected)
        message = f"{fr_number(len(frame))} ligne(s) écrite(s), {fr_number(len(rejected))} rejetée(s)"
        if notes:
            message += " ; " + " ; ".join(notes)
        outcomes.append(Outcome(name, True, message, len(frame), len(rejected), used))
    _write_side_files(outcomes, rejected_parts, out_dir, stamp)
    return outcomes


def _failure_message(name: str, exc: Exception) -> str:
    title = dataset(name).title
    if isinstance(exc, SourceUnavailableError):
        return f"« {title} » non actualisé : {exc}. Les données intégrées restent utilisées."
    return f"« {title} » non actualisé : {exc} Les données intégrées restent utilisées."


def _build(
    name: str,
    data: Mapping[str, bytes],
    errors: Mapping[str, str],
    locator: CommuneLocator,
    *,
    vintage: str,
    out_dir: Path,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    if name == "places":
        return _build_places(data, errors, locator, vintage=vintage, out_dir=out_dir)
    if name not in data:
        raise SourceUnavailableError(errors[name])
    parsers: dict[str, Callable[[bytes], tuple[pd.DataFrame, pd.DataFrame]]] = {
        "qpv_polygons": qpv_polygons_from_zip,
        "france_services": lambda raw: france_services_from_bytes(raw, locator),
        "pvd": lambda raw: pvd_from_bytes(raw, locator.communes.reset_index()),
    }
    table, rejected = parsers[name](data[name])
    return table, rejected, []


def _build_places(
    data: Mapping[str, bytes],
    errors: Mapping[str, str],
    locator: CommuneLocator,
    *,
    vintage: str,
    out_dir: Path,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Census + Fabriques + Manufactures, duplicates merged by the register's linkage rules (the
    decisions are written beside the data); a programme that fails keeps its bundled rows."""
    notes: list[str] = []
    if "ftl_2026" not in data and "ftl_2023" not in data:
        reasons = " ; ".join(errors.get(k, "") for k in ("ftl_2026", "ftl_2023") if errors.get(k))
        raise SourceUnavailableError(f"recensement France Tiers-Lieux indisponible ({reasons})")
    if "ftl_2026" in errors:
        notes.append("recensement 2026 indisponible : édition 2023 utilisée")
    census, census_key = _census_places(data, locator, vintage=vintage)
    parts = [census.places]
    rejected = [_rejected_of(census, "places")]
    bundled: gpd.GeoDataFrame | None = None
    for key, code, label, bundled_source in (
        ("fabriques", "anct_fabriques", LABEL_FABRIQUE, "anct_fabriques_2024"),
        ("manufactures", "anct_manufactures", LABEL_MANUFACTURE, "anct_manufactures_2022"),
    ):
        try:
            if key not in data:
                raise SourceUnavailableError(errors[key])
            places, rejected_rows = _programme_places(
                data[key], locator, source_key=key, code=code, label=label, vintage=vintage
            )
            parts.append(places)
            rejected.append(rejected_rows)
        except (SourceUnavailableError, DataValidationError) as exc:
            if bundled is None:
                from geo.io.catalog import BUNDLED_DIR

                bundled_frame = read_dataset("places", data_dir=BUNDLED_DIR)
                assert isinstance(bundled_frame, gpd.GeoDataFrame)
                bundled = bundled_frame
            parts.append(_records_of_source(bundled, bundled_source))
            notes.append(f"{SOURCES[key].title} : liste intégrée conservée ({exc})")
    columns = list(census.places.columns)
    places = gpd.GeoDataFrame(
        pd.concat([p[columns] for p in parts], ignore_index=True), geometry="geometry", crs=WGS84
    )
    commune_names = places["code_insee"].map(locator.communes["nom"]).fillna("")
    merged, decisions = link_places(places, commune_names, exceptions=read_linkage_exceptions())
    out_dir.mkdir(parents=True, exist_ok=True)
    decisions.to_csv(out_dir / LINKAGE_DECISIONS, index=False)
    merged = gpd.GeoDataFrame(merged.drop(columns=["x_m", "y_m"]), geometry="geometry", crs=WGS84)
    notes.insert(0, f"recensement : {SOURCES[census_key].title}")
    n_merged = len(places) - len(merged)
    if n_merged:
        notes.append(f"{fr_number(n_merged)} doublon(s) fusionné(s)")
    return merged, pd.concat(rejected, ignore_index=True), notes


def _records_of_source(places: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """The bundled places holding a record of ``source``, as that source's own rows: a place
    merged with a record of another list is kept whole (its other records stay with it)."""
    holds = places["sources"].str.split(";").map(lambda codes: source in codes)
    return places[holds]


def _write_side_files(
    outcomes: Sequence[Outcome], rejected_parts: Sequence[pd.DataFrame], out_dir: Path, stamp: str
) -> None:
    written = [o for o in outcomes if o.written]
    if not written:
        return
    manifest = read_manifest(out_dir)
    for outcome in written:
        manifest[outcome.dataset] = ManifestEntry(
            date=stamp, rows=outcome.rows, rejected=outcome.rejected, sources=dict(outcome.sources)
        )
    (out_dir / MANIFEST).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    rejected_path = out_dir / REJECTED
    previous = (
        pd.read_csv(rejected_path, dtype=str, keep_default_na=False) if rejected_path.exists() else None
    )
    current = pd.concat(list(rejected_parts), ignore_index=True) if rejected_parts else pd.DataFrame()
    if previous is not None and "dataset" in previous.columns:
        previous = previous[~previous["dataset"].isin([o.dataset for o in written])]
        current = pd.concat([previous, current], ignore_index=True)
    current.to_csv(rejected_path, index=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m geo.io.refresh [--only places pvd] [--base-url URL] [--url clé=URL]``."""
    parser = argparse.ArgumentParser(
        prog="python -m geo.io.refresh",
        description="Actualise les données depuis les sources officielles (internet requis).",
    )
    parser.add_argument(
        "--only", nargs="+", choices=list(DATASET_SOURCES), help="jeux de données à actualiser"
    )
    parser.add_argument("--base-url", help="sert tous les fichiers depuis cette adresse (tests, miroir)")
    parser.add_argument("--url", action="append", default=[], metavar="CLÉ=URL", help="remplace une adresse")
    parser.add_argument("--out", type=Path, help="dossier de sortie (par défaut data/local)")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT_S, help="délai maximal par téléchargement (s)"
    )
    args = parser.parse_args(argv)
    try:
        overrides = dict(item.split("=", 1) for item in args.url)
        urls = resolve_urls(base_url=args.base_url, overrides=overrides)
        outcomes = refresh(datasets=args.only, urls=urls, out_dir=args.out, timeout=args.timeout)
    except (AtlasError, ValueError) as exc:
        print(f"Actualisation impossible : {exc}", file=sys.stderr)
        return 2
    out_dir = args.out or local_data_dir()
    print()
    for outcome in outcomes:
        mark = "OK " if outcome.written else "ÉCHEC"
        print(f"{mark} {dataset(outcome.dataset).title} : {outcome.message}")
    written = sum(o.written for o in outcomes)
    if written:
        print(f"\nFichiers écrits dans {out_dir} ; l'application les utilise à son prochain chargement.")
    else:
        print("\nAucune donnée actualisée : l'application continue d'utiliser les données intégrées.")
    if written == len(outcomes):
        return 0
    return 1 if written else 3


if __name__ == "__main__":
    raise SystemExit(main())
