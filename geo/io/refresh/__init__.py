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

Three modules: :mod:`~geo.io.refresh.sources` (where the files are, the download),
:mod:`~geo.io.refresh.parsers` (one parser per official format) and :mod:`~geo.io.refresh.run`
(the run and its command line).
"""

from __future__ import annotations

from geo.io.refresh.run import Outcome, main, refresh
from geo.io.refresh.sources import (
    DATASET_SOURCES,
    SOURCES,
    Source,
    SourceFormatError,
    SourceUnavailableError,
    download,
    resolve_urls,
)

__all__ = [
    "DATASET_SOURCES",
    "SOURCES",
    "Outcome",
    "Source",
    "SourceFormatError",
    "SourceUnavailableError",
    "download",
    "main",
    "refresh",
    "resolve_urls",
]
