"""A refresh run: download the sources of each dataset, parse, link and validate them, and write what
passed to the local data folder with its manifest (``python -m geo.io.refresh``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo._errors import AtlasError, DataValidationError
from geo.crs import WGS84
from geo.fmt import fr_number
from geo.io.catalog import dataset
from geo.io.datasets import (
    LINKAGE_DECISIONS,
    MANIFEST,
    ManifestEntry,
    local_data_dir,
    read_dataset,
    read_linkage_exceptions,
    read_manifest,
    write_dataset,
)
from geo.io.linkage import link_places
from geo.io.placement import CommuneLocator, commune_locator
from geo.io.places import (
    LABEL_FABRIQUE,
    LABEL_MANUFACTURE,
)
from geo.io.refresh.parsers import (
    census_places,
    france_services_from_bytes,
    programme_places,
    pvd_from_bytes,
    qpv_polygons_from_zip,
    rejected_of,
)
from geo.io.refresh.sources import (
    DATASET_SOURCES,
    SOURCES,
    TIMEOUT_S,
    SourceUnavailableError,
    download,
    resolve_urls,
)

REJECTED = "rejected_rows.csv"
"""File of the rows refused, written beside the refreshed datasets."""


@dataclass
class Outcome:
    """What happened to one dataset: written (with row counts) or kept as bundled (with why)."""

    dataset: str
    written: bool
    message: str
    rows: int = 0
    rejected: int = 0
    sources: dict[str, str] = field(default_factory=dict)


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
            write_dataset(frame, name, out_dir)
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
    census, census_key = census_places(data, locator, vintage=vintage)
    parts = [census.places]
    rejected = [rejected_of(census, "places")]
    bundled: gpd.GeoDataFrame | None = None
    for key, code, label, bundled_source in (
        ("fabriques", "anct_fabriques", LABEL_FABRIQUE, "anct_fabriques_2024"),
        ("manufactures", "anct_manufactures", LABEL_MANUFACTURE, "anct_manufactures_2022"),
    ):
        try:
            if key not in data:
                raise SourceUnavailableError(errors[key])
            places, rejected_rows = programme_places(
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
