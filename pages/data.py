"""Données: import a list of tiers-lieux for this session (with its quality report), refreshed data."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from geo._errors import AtlasError
from geo.catalog import DATASETS
from geo.export import csv_bytes
from geo.fmt import fr_number
from geo.importer import (
    IMPORT_SOURCE,
    MAX_UPLOAD_BYTES,
    MB,
    UPLOAD_EXTENSIONS,
    ColumnMapping,
    ImportResult,
    PreparedImport,
    combined_places,
    import_places,
    prepare_import,
    read_upload,
)
from geo.mapviews import themes_text
from geo.placement import PRECISIONS
from ui.components import metric
from ui.data import (
    IMPORTED_PLACES_KEY,
    SessionPlaces,
    atlas,
    bundled_atlas,
    commune_placement,
    refresh_manifest,
    use_import,
)

UPLOAD_KEY = "data_upload"
PREPARED_KEY = "_data_prepared"
RESULT_KEY = "_data_result"
MODE_REPLACE = "Remplacer la liste intégrée"
MODE_ADD = "Ajouter à la liste intégrée"
NONE = ""

ROLES: dict[str, str] = {
    "name": "Nom du lieu (obligatoire)",
    "lon": "Longitude (ou X en Lambert-93)",
    "lat": "Latitude (ou Y en Lambert-93)",
    "code_insee": "Code INSEE de la commune",
    "postcode": "Code postal",
    "commune": "Commune",
    "url": "Site web",
    "identifier": "Identifiant",
}
MULTI_ROLES: dict[str, str] = {
    "typology": "Typologie / thèmes (une ou plusieurs colonnes)",
    "description": "Description (une ou plusieurs colonnes)",
}


def _md(text: object) -> str:
    """Text from a file, made inert for Streamlit markdown (no link, emphasis or HTML)."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~])", r"\\\1", str(text))


def _reset_import() -> None:
    use_import(None)
    st.session_state.pop(RESULT_KEY, None)


def _prepared_upload() -> PreparedImport | None:
    """The uploaded files, read once per upload (kept in this session's state only)."""
    files = st.session_state.get(UPLOAD_KEY) or []
    if not files:
        st.session_state.pop(PREPARED_KEY, None)
        return None
    signature = tuple((f.file_id, f.name, f.size) for f in files)
    cached = st.session_state.get(PREPARED_KEY)
    if cached is None or cached[0] != signature:
        try:
            tables = [read_upload(f.getvalue(), f.name) for f in files]
            prepared: PreparedImport | str = prepare_import(tables)
        except AtlasError as exc:
            prepared = str(exc)
        st.session_state[PREPARED_KEY] = (signature, prepared)
        if isinstance(prepared, PreparedImport):
            for role, column in _mapping_values(prepared.mapping).items():
                st.session_state[f"data_map_{role}"] = column
    result = st.session_state[PREPARED_KEY][1]
    if isinstance(result, str):
        st.error(result)
        return None
    return result


def _mapping_values(mapping: ColumnMapping) -> dict[str, object]:
    values: dict[str, object] = {role: getattr(mapping, role) or NONE for role in ROLES}
    values.update({role: list(getattr(mapping, role)) for role in MULTI_ROLES})
    return values


def _mapping_widgets(prepared: PreparedImport) -> ColumnMapping:
    """Column mapping: fixed for the census, to confirm for a free list."""
    if prepared.is_census:
        with st.expander("Correspondance des colonnes (automatique pour le recensement)"):
            mapped = {
                role: ", ".join(value) if isinstance(value, list) else value or "—"
                for role, value in _mapping_values(prepared.mapping).items()
            }
            labels = {**ROLES, **MULTI_ROLES}
            rows = [{"Information": label, "Colonne": mapped[role]} for role, label in labels.items()]
            st.dataframe(pd.DataFrame(rows), hide_index=True, key="data_census_mapping")
        return prepared.mapping
    st.markdown("**Correspondance des colonnes** — vérifiez les propositions :")
    options = [NONE, *prepared.user_columns]
    values: dict[str, object] = {}
    columns = st.columns(4)
    for position, (role, label) in enumerate(ROLES.items()):
        key = f"data_map_{role}"
        if st.session_state.get(key) not in options:
            st.session_state[key] = NONE
        values[role] = columns[position % 4].selectbox(
            label, options, key=key, format_func=lambda c: c or "— aucune —"
        )
    columns = st.columns(2)
    for position, (role, label) in enumerate(MULTI_ROLES.items()):
        key = f"data_map_{role}"
        st.session_state[key] = [c for c in st.session_state.get(key, []) if c in options]
        values[role] = columns[position].multiselect(label, prepared.user_columns, key=key)
    return ColumnMapping(
        **{role: (values[role] or None) for role in ROLES},
        typology=tuple(values["typology"]),
        description=tuple(values["description"]),
    )


def _run_import(prepared: PreparedImport, mapping: ColumnMapping, mode: str) -> None:
    result = import_places(prepared, commune_placement(), mapping=mapping)
    label = f"Import : {prepared.label}"
    places = result.places
    duplicates = 0
    if mode == MODE_ADD:
        base = bundled_atlas()
        commune_names = base.communes.set_index("code_insee")["nom"]
        places = combined_places(
            base.places.drop(columns=["x_m", "y_m"], errors="ignore"), places, commune_names
        )
        label = f"{base.places_source} + {label}"
        imported = places["source"] == IMPORT_SOURCE
        duplicates = int((places.loc[imported, "possible_duplicate_of"] != "").sum())
    st.session_state[RESULT_KEY] = (result, mode, prepared.label, duplicates)
    if len(result.places):
        use_import(SessionPlaces(places=places, source_label=label))


def _report(result: ImportResult, mode: str, label: str, duplicates: int) -> None:
    st.subheader("Rapport de qualité de l'import")
    cols = st.columns(4)
    with cols[0]:
        metric("Lignes lues", fr_number(result.n_input))
    with cols[1]:
        metric("Acceptées", fr_number(result.n_accepted))
    with cols[2]:
        metric(
            "dont placées approximativement",
            fr_number(result.n_approximate),
            help_text="Lignes sans coordonnées utilisables, placées au point représentatif de leur commune "
            "(code INSEE, ou code postal et nom de commune).",
        )
    with cols[3]:
        metric("Rejetées", fr_number(result.n_rejected))
    st.caption(_md(result.summary()))
    if result.n_accepted == 0:
        st.warning("Aucune ligne n'a pu être placée : la liste utilisée reste inchangée.")
    for note in result.notes:
        st.caption("• " + _md(note))
    if duplicates:
        st.caption(
            f"• {fr_number(duplicates)} lieu(x) signalé(s) comme doublon(s) possible(s) entre la liste "
            "intégrée et l'import (même commune, noms proches) : gardés tous les deux, à vérifier."
        )
    if result.n_rejected:
        st.markdown("**Lignes rejetées et motif**")
        shown = ["ligne", "motif"] + ([result.name_column] if result.name_column else [])
        st.dataframe(result.rejected[shown], hide_index=True, key="data_rejected")
    metadata = {
        "Produit par": "Atlas des tiers-lieux",
        "Fichier importé": label,
        "Résumé": result.summary(),
    }
    report = result.report
    st.download_button(
        "Télécharger le rapport complet (CSV)",
        lambda: csv_bytes(report, metadata),  # built on click only: up to 200 000 rows
        file_name="rapport_import.csv",
        mime="text/csv",
        key="data_report_csv",
        on_click="ignore",
    )
    if len(result.places):
        preview = pd.DataFrame(
            {
                "Nom": result.places["name"],
                "Commune (INSEE)": result.places["code_insee"],
                "Localisation": result.places["location_precision"].map(PRECISIONS),
                "Thèmes": themes_text(result.places),
            }
        )
        st.markdown(f"**Lieux importés** ({fr_number(len(preview))}) — {mode.lower()} :")
        st.dataframe(preview, hide_index=True, key="data_imported_preview", height=240)
        st.caption(
            "Thèmes dérivés avec les mêmes règles que la liste intégrée : typologie de la source quand elle "
            "correspond à une famille connue, sinon mots-clés du nom et de la description (indicatif)."
        )
        st.page_link(
            "pages/overview.py",
            label="Voir les lieux sur la carte de la vue d'ensemble",
            icon=":material/dashboard:",
        )


def _refreshed_section() -> None:
    st.subheader("Données officielles actualisées")
    manifest = refresh_manifest()
    if not manifest:
        st.info(
            "Aucune donnée actualisée : l'application utilise les données intégrées (voir « À propos des "
            "données » pour leurs millésimes). Pour télécharger les fichiers officiels les plus récents "
            "(connexion internet requise), lancez `make refresh` (ou `python -m geo.refresh`) ; les fichiers "
            "sont vérifiés puis écrits dans `data/local`, utilisés en priorité au prochain chargement."
        )
        return
    rows = [
        {
            "Jeu de données": DATASETS[name].title if name in DATASETS else name,
            "Actualisé le": info["date"],
            "Lignes": fr_number(info["rows"]),
            "Lignes rejetées": fr_number(info["rejected"]),
            "Sources": " ; ".join(info["sources"].values()),
        }
        for name, info in manifest.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="data_refreshed")
    st.caption(
        "Ces fichiers remplacent les données intégrées correspondantes ; les autres jeux restent ceux "
        "intégrés. Lignes rejetées et motifs : `data/local/rejected_rows.csv`."
    )


st.title("Données")
current = atlas()
imported = st.session_state.get(IMPORTED_PLACES_KEY)
st.markdown(
    f"**Tiers-lieux utilisés dans cette session** : {_md(current.places_source)} "
    f"({fr_number(len(current.places))} lieux)."
)
if imported is not None:
    st.button("Revenir à la liste intégrée", key="data_reset", on_click=_reset_import)

st.subheader("Importer une liste de tiers-lieux")
st.markdown(
    "Recensement France Tiers-Lieux (2023 ou 2026 : déposez la fiche identité et, si vous les avez, les "
    "fichiers thématiques), liste de votre réseau régional, export d'un SIG. Formats : CSV (séparateur `;` "
    "ou `,`, tout encodage courant), Excel (.xlsx), GeoJSON, GeoPackage, Shapefile zippé ; "
    f"{fr_number(MAX_UPLOAD_BYTES / MB)} Mo au plus par fichier. L'import ne vaut que pour **votre "
    "session** : il n'est ni enregistré ni visible des autres utilisateurs. Les colonnes de contact "
    "personnel (courriel, téléphone) sont supprimées dès la lecture."
)
st.file_uploader(
    "Fichier(s) à importer",
    type=list(UPLOAD_EXTENSIONS),
    accept_multiple_files=True,
    key=UPLOAD_KEY,
)

prepared_import = _prepared_upload()
if prepared_import is None:
    st.info("Déposez un fichier pour voir sa correspondance de colonnes et son rapport de qualité.")
else:
    if prepared_import.is_census:
        st.success(f"Format reconnu : {prepared_import.format_label}. Aucune correspondance à saisir.")
    else:
        st.info(f"{prepared_import.format_label} : {fr_number(len(prepared_import.frame))} ligne(s) lue(s).")
    for note in prepared_import.notes:
        st.caption("• " + _md(note))
    if prepared_import.dropped_columns:
        st.caption(
            "• Colonnes de données personnelles supprimées : "
            + ", ".join(_md(c) for c in prepared_import.dropped_columns)
        )
    with st.expander("Aperçu des premières lignes"):
        st.dataframe(
            prepared_import.frame[prepared_import.user_columns].head(5), hide_index=True, key="data_preview"
        )
    chosen = _mapping_widgets(prepared_import)
    import_mode = st.radio("Utilisation", [MODE_REPLACE, MODE_ADD], horizontal=True, key="data_mode")
    if st.button("Importer", type="primary", key="data_import"):
        try:
            _run_import(prepared_import, chosen, import_mode)
        except AtlasError as exc:
            st.error(str(exc))
        else:
            st.rerun()

last = st.session_state.get(RESULT_KEY)
if last is not None:
    _report(*last)

_refreshed_section()
