"""The official sources of a refresh: where each file is, and how it is downloaded (bounded in size
and time, French messages when it cannot be)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from geo._errors import AtlasError, DataValidationError
from geo.fmt import fr_number

MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024
TIMEOUT_S = 60.0


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


def format_error(source: str, problems: list[str]) -> SourceFormatError:
    """The error of a ``source`` whose file no longer has its documented format, with the ``problems``."""
    return SourceFormatError(f"{SOURCES[source].title} — la source a changé de format", problems)
