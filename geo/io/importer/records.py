"""An import's rows as place records: identifiers, names and free text cleaned and cut to size, and
why a row is refused before it is placed."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from geo.fmt import fr_number
from geo.io.catalog import ETALAB
from geo.io.import_mapping import FORMATS, ColumnMapping, PreparedImport
from geo.io.importer.cells import join_notes, joined, text_column
from geo.io.placement import PRECISION_ADDRESS
from geo.io.places import RECORD_COLUMNS, scrub_contacts
from geo.io.tabular import LINE, PROBLEM, RESERVED

MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 2_000
MAX_URL_LENGTH = 300

_EMBEDDED = re.compile(r"data:[\w/+.-]{1,100};base64,[A-Za-z0-9+/=\s]*")
_TAGS = re.compile(r"<[^<>]*>")


def _plain_text(text: str) -> str:
    """Free text without embedded images, HTML tags and repeated spaces."""
    if "<" in text or "data:" in text:
        text = _TAGS.sub(" ", _EMBEDDED.sub(" ", text))
    return re.sub(r"\s+", " ", text).strip()


def _truncated(values: pd.Series, limit: int, what: str) -> tuple[pd.Series, pd.Series]:
    """``values`` cut to ``limit`` characters (with « … »), and a note where they were."""
    long = values.str.len() > limit
    cut = values.where(~long, values.str.slice(0, limit - 1).str.rstrip() + "…")
    note = pd.Series("", index=values.index, dtype=object)
    if long.any():
        received = values[long].str.len().map(fr_number).astype(object)
        note[long] = f"{what} à {fr_number(limit)} caractères (" + received + " reçus)"
    return cut, note


def place_records(
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    names: pd.Series,
    *,
    lon: pd.Series,
    lat: pd.Series,
    source: str,
    label: str,
) -> tuple[pd.DataFrame, pd.Series]:
    """The records of :data:`geo.io.places.RECORD_COLUMNS`, and notes on text cut to size."""
    lines = text_column(frame, LINE)
    identifiers = text_column(frame, mapping.identifier).str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    use_ids = bool(mapping.identifier) and identifiers.ne("").all() and identifiers.is_unique
    typology = joined(frame, mapping.typology, " ; ")
    description = joined(frame, mapping.description).map(_plain_text).map(scrub_contacts)
    # Names keep any « < » they hold (shown escaped, never interpreted); descriptions lose their markup.
    name, name_note = _truncated(names.str.replace(r"\s+", " ", regex=True), MAX_NAME_LENGTH, "nom tronqué")
    described, description_note = _truncated(description, MAX_DESCRIPTION_LENGTH, "description tronquée")
    url, url_note = _truncated(text_column(frame, mapping.url), MAX_URL_LENGTH, "adresse du site tronquée")
    records = pd.DataFrame(
        {
            "source": source,
            "source_id": identifiers if use_ids else "L" + lines,
            "name": name,
            "description": described,
            "label": label,
            "source_typology": typology,
            "code_insee": text_column(frame, mapping.code_insee),
            "postcode": text_column(frame, mapping.postcode),
            "commune": text_column(frame, mapping.commune),
            "departement": text_column(frame, mapping.departement),
            "region": text_column(frame, mapping.region),
            "lon": lon,
            "lat": lat,
            "location_precision": PRECISION_ADDRESS,
            "url": url,
        },
        index=frame.index,
    )[list(RECORD_COLUMNS)]
    return records, join_notes(name_note, description_note, url_note)


def refusals(frame: pd.DataFrame, names: pd.Series) -> pd.Series:
    """Why a row is refused before it is placed (malformed line, empty row, no name), ``""`` if not."""
    problem = text_column(frame, PROBLEM if PROBLEM in frame.columns else None)
    content = frame.drop(columns=list(RESERVED), errors="ignore")
    row_empty = content.eq("").all(axis=1) if len(content.columns) else pd.Series(True, index=frame.index)
    refused = pd.Series("", index=frame.index, dtype=object)
    refused[names == ""] = "nom du lieu absent"
    refused[row_empty] = "ligne vide"
    refused[problem != ""] = problem[problem != ""]
    return refused


def provenance(prepared: PreparedImport, vintage: str | None, licence: str | None) -> tuple[str, str]:
    """Vintage and licence written on every place: the given ones, else the census edition and its
    licence, or « fichier importé le … »."""
    if vintage is None:
        vintage = (
            f"{FORMATS[prepared.file_format]} (import)"
            if prepared.is_census
            else f"fichier importé le {date.today():%d/%m/%Y}"
        )
    if licence is None:
        licence = ETALAB if prepared.is_census else "non précisée (fichier importé)"
    return vintage, licence
