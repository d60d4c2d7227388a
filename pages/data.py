"""Données: import a list of tiers-lieux for this session — every doubtful row shown before it counts."""

from __future__ import annotations

import re
from collections.abc import Hashable
from datetime import date

import pandas as pd
import streamlit as st

from geo._errors import AtlasError
from geo.fmt import fr_count, fr_number, fr_percent
from geo.io.catalog import DATASETS
from geo.io.export import csv_with_metadata_zip, xlsx_bytes
from geo.io.import_mapping import ColumnMapping, PreparedImport, prepare_import
from geo.io.importer import (
    IMPORT_VERDICT_HELP,
    IMPORT_VERDICT_PLURALS,
    IMPORT_VERDICTS,
    ImportCheck,
    ImportResult,
    check_import,
    typology_table,
)
from geo.io.placement import ISSUE_ACTIONS, ISSUES
from geo.io.tabular import MAX_UPLOAD_BYTES, MB
from geo.io.upload import read_upload
from geo.themes import THEME_SHORT_LABELS, THEMES
from ui.components import metric
from ui.data import (
    IMPORTED_PLACES_KEY,
    SessionMemo,
    SessionPlaces,
    atlas,
    bundled_atlas,
    commune_placement,
    refresh_manifest,
    use_import,
)

UPLOAD_KEY = "data_upload"
PREPARED_KEY = "_data_prepared"
DONE_KEY = "_data_done"
MODE_ADD = "Ajouter à la liste intégrée"
MODE_REPLACE = "Remplacer la liste intégrée"
DONE_LABELS = {MODE_ADD: "ajouté à la liste intégrée", MODE_REPLACE: "à la place de la liste intégrée"}
NONE = ""
KINDS = "Formats : CSV, Excel (.xlsx), GeoJSON, GeoPackage, Shapefile zippé"

CHECKS = SessionMemo("_data_checks", 2)
RESULTS = SessionMemo("_data_results", 4)

ROLE_GROUPS: dict[str, dict[str, str]] = {
    "Le lieu": {"name": "Nom du lieu (obligatoire)", "identifier": "Identifiant", "url": "Site web"},
    "Son point": {"lon": "Longitude (ou X Lambert-93)", "lat": "Latitude (ou Y Lambert-93)"},
    "Sa commune déclarée": {
        "code_insee": "Code INSEE",
        "postcode": "Code postal",
        "commune": "Commune",
        "departement": "Département",
        "region": "Région",
    },
}
ROLES: dict[str, str] = {role: label for group in ROLE_GROUPS.values() for role, label in group.items()}
MULTI_ROLES: dict[str, str] = {
    "typology": "Type de lieu (typologie, catégorie, services…)",
    "description": "Description (une ou plusieurs colonnes)",
}
DOUBTFUL_COLUMNS = ["ligne", "verdict", "commune retenue", "motif"]


def _md(text: object) -> str:
    """Text from a file, made inert for Streamlit markdown (no link, emphasis or HTML)."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~])", r"\\\1", str(text))


def _reset_import() -> None:
    use_import(None)
    st.session_state.pop(DONE_KEY, None)


def _prepared_upload() -> tuple[tuple[object, ...], PreparedImport] | None:
    """The uploaded files, read once per upload (kept in this session's state only)."""
    files = st.session_state.get(UPLOAD_KEY) or []
    if not files:
        st.session_state.pop(PREPARED_KEY, None)
        return None
    signature = tuple((f.file_id, f.name, f.size) for f in files)
    cached = st.session_state.get(PREPARED_KEY)
    if cached is None or cached[0] != signature:
        try:
            with st.spinner("Lecture du fichier…"):
                prepared: PreparedImport | str = prepare_import(
                    [read_upload(f.getvalue(), f.name) for f in files]
                )
        except AtlasError as exc:
            prepared = str(exc)
        st.session_state[PREPARED_KEY] = (signature, prepared)
        if isinstance(prepared, PreparedImport):
            for role, column in _mapping_values(prepared.mapping).items():
                st.session_state[f"data_map_{role}"] = column
    signature, result = st.session_state[PREPARED_KEY]
    if isinstance(result, str):
        st.error(result)
        return None
    return signature, result


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
    for group, roles in ROLE_GROUPS.items():
        columns = st.columns([1.2, 5])
        columns[0].markdown(f"*{group}*")
        fields = columns[1].columns(5)
        for position, (role, label) in enumerate(roles.items()):
            key = f"data_map_{role}"
            if st.session_state.get(key) not in options:
                st.session_state[key] = NONE
            values[role] = fields[position].selectbox(
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


def _typology_widgets(prepared: PreparedImport, mapping: ColumnMapping) -> dict[str, tuple[str, ...]] | None:
    """Which values of the type column give which theme (suggested by the rules, to confirm)."""
    if prepared.is_census or not mapping.typology:
        return None
    table = typology_table(prepared, mapping)
    if table.empty:
        return None
    values = table["valeur"].tolist()
    signature = (mapping.typology, tuple(values))
    # The suggestions again for another column or file, or when the widgets were not drawn on the
    # last run (Streamlit then forgets their state, not this signature).
    forgotten = any(f"data_theme_{theme}" not in st.session_state for theme in THEMES)
    if st.session_state.get("_data_typology_signature") != signature or forgotten:
        st.session_state["_data_typology_signature"] = signature
        for theme in THEMES:
            st.session_state[f"data_theme_{theme}"] = table.loc[table[theme], "valeur"].tolist()
    with st.expander(
        "Thèmes de la typologie ("
        + fr_count(len(values), "valeur la plus fréquente", "valeurs les plus fréquentes")
        + ")",
        expanded=True,
    ):
        st.caption(
            "Pour chaque thème, les valeurs de la colonne « type de lieu » qui le donnent. Les propositions "
            "viennent des familles du recensement et des mots-clés de l'Atlas : corrigez-les au besoin. "
            "Nombre de lignes par valeur : "
            + " ; ".join(
                f"{_md(v)} ({fr_number(n)})" for v, n in zip(table["valeur"], table["lignes"], strict=True)
            )
        )
        columns = st.columns(3)
        chosen = {
            theme: columns[position % 3].multiselect(
                THEME_SHORT_LABELS[theme], values, key=f"data_theme_{theme}"
            )
            for position, theme in enumerate(THEMES)
        }
    return {value: tuple(t for t in THEMES if value in chosen[t]) for value in values}


def _import_key(
    signature: tuple[object, ...], mapping: ColumnMapping, typology: dict[str, tuple[str, ...]] | None
) -> Hashable:
    """What an import check depends on: the files, the column mapping and the theme choices."""
    return (signature, mapping, tuple(sorted((typology or {}).items())))


def _checked(
    key: Hashable,
    prepared: PreparedImport,
    mapping: ColumnMapping,
    typology: dict[str, tuple[str, ...]] | None,
) -> ImportCheck | None:
    """Every row checked, once per file, mapping and theme choices (kept in this session only)."""
    cached = CHECKS.get(key)
    if cached is None:
        try:
            with st.spinner("Vérification de chaque ligne…"):
                cached = check_import(
                    prepared, commune_placement(), mapping=mapping, typology_themes=typology
                )
        except AtlasError as exc:
            cached = str(exc)
        CHECKS.put(key, cached)
    if isinstance(cached, str):
        st.error(cached)
        return None
    return cached


def _current_choices(check: ImportCheck) -> tuple[dict[str, str], list[str]]:
    """The choice made for each kind of inconsistent rows (widget state), and the kinds left to choose."""
    made = {issue: st.session_state.get(f"data_choice_{issue}") for issue in check.issues}
    choices = {issue: str(action) for issue, action in made.items() if action in ISSUE_ACTIONS[issue]}
    return choices, [issue for issue in check.issues if issue not in choices]


def _choice_widgets(check: ImportCheck, result: ImportResult) -> None:
    """One choice per kind of inconsistent rows, with the rows concerned."""
    if not check.issues:
        return
    st.markdown(
        "**Lignes incohérentes : que faut-il en faire ?** Leur point et leur commune déclarée (ou leur code "
        "INSEE et leur code postal) se contredisent. Aucune n'est importée tant que vous n'avez pas choisi, "
        "pour chaque cas :"
    )
    for issue, count in check.issues.items():
        actions = ISSUE_ACTIONS[issue]
        with st.container(border=True):
            st.radio(
                f"{ISSUES[issue]} — {fr_count(count, 'ligne')}",
                list(actions),
                format_func=lambda a, actions=actions: actions[a],
                index=None,
                horizontal=True,
                key=f"data_choice_{issue}",
            )
            rows = result.report[result.report["désaccord"] == ISSUES[issue]]
            title = "Voir la ligne" if count == 1 else f"Voir les {fr_count(count, 'ligne')}"
            with st.expander(title, expanded=count <= 5):
                table = _doubtful_table(rows, check).drop(columns=["verdict"])
                st.dataframe(table, hide_index=True, key=f"data_rows_{issue}")


def _doubtful_table(report: pd.DataFrame, check: ImportCheck) -> pd.DataFrame:
    name = check.mapping.name
    columns = (
        DOUBTFUL_COLUMNS[:1] + ([name] if name and name in report.columns else []) + DOUBTFUL_COLUMNS[1:]
    )
    return report[columns].rename(columns={name: "nom"} if name else {})


def _result(import_key: Hashable, check: ImportCheck, choices: dict[str, str], mode: str) -> ImportResult:
    key = (import_key, tuple(sorted(choices.items())), mode)
    cached = RESULTS.get(key)
    if cached is None or cached[0] is not check:
        register = bundled_atlas().places if mode == MODE_ADD else None
        with st.spinner("Recherche des doublons…"):
            cached = (check, check.result(choices, register=register))
        RESULTS.put(key, cached)
    result: ImportResult = cached[1]
    return result


def _summary(result: ImportResult, check: ImportCheck, missing: list[str]) -> None:
    st.subheader("Le verdict de chaque ligne")
    st.caption(
        "Vérifié avant l'import : rien n'est compté tant que vous n'avez pas cliqué sur « Importer … lieux »."
    )
    columns = st.columns([1, 1, 1, 1.5, 1.1, 1])
    with columns[0]:
        metric("Lignes lues", fr_number(result.n_input))
    for column, code in zip(columns[1:], IMPORT_VERDICTS, strict=True):
        with column:
            label = IMPORT_VERDICT_PLURALS[code].capitalize()
            metric(label, fr_number(result.verdict_counts[code]), help_text=IMPORT_VERDICT_HELP[code])
    pending = sum(check.issues[issue] for issue in missing)
    ready = fr_count(result.n_imported - pending, "lieu prêt", "lieux prêts") + " à importer"
    if pending:
        ready += (
            " ; "
            + fr_count(pending, "ligne incohérente attend", "lignes incohérentes attendent")
            + " votre choix"
        )
    st.markdown(f"**{ready}.**")
    in_file, in_register = result.duplicates
    similar = [
        text
        for count, text in (
            (
                in_file,
                fr_count(in_file, "lieu ressemble", "lieux ressemblent") + " à une autre ligne du fichier",
            ),
            (
                in_register,
                fr_count(in_register, "lieu ressemble", "lieux ressemblent")
                + " à un lieu de la liste intégrée",
            ),
        )
        if count
    ]
    if similar:
        st.caption(
            "• Doublons possibles (règles de rapprochement de la liste intégrée) : "
            + " ; ".join(similar)
            + ". Gardés et signalés (colonne « doublon possible de » du rapport)."
        )
    if result.theme_warning:
        st.warning(result.theme_warning)
    elif len(result.places):
        without = int((result.places["themes"] == "").sum())
        st.caption(f"• {fr_percent(without / len(result.places))} des lieux importés sans thème.")
    for note in check.notes:
        st.caption("• " + _md(note))


def _doubtful_rows(result: ImportResult, check: ImportCheck) -> None:
    doubtful = result.doubtful
    if not len(doubtful):
        return
    st.markdown(
        f"**Lignes à vérifier** ({fr_count(len(doubtful), 'ligne non exacte', 'lignes non exactes')}) :"
    )
    st.dataframe(
        _doubtful_table(doubtful, check),
        hide_index=True,
        key="data_doubtful",
        height=min(38 + 35 * len(doubtful), 320),
        column_config={"motif": st.column_config.TextColumn("motif", width="large")},
    )


def _downloads(result: ImportResult, check: ImportCheck, mode: str, choices: dict[str, str]) -> None:
    metadata = {
        "Produit par": "Atlas des tiers-lieux",
        "Date": date.today().isoformat(),
        "Fichier importé": check.label,
        "Utilisation": mode,
        "Résumé": result.summary(),
        "Choix pour les lignes incohérentes": " ; ".join(
            f"{ISSUES[i]} : {ISSUE_ACTIONS[i][a]}" for i, a in choices.items()
        )
        or "aucune ligne incohérente",
        "Communes": "IGN ADMIN EXPRESS / INSEE, COG 2026 ; communes déléguées : INSEE via "
        "@etalab/decoupage-administratif",
    }
    report = result.report
    columns = st.columns(2)
    columns[0].download_button(
        "Télécharger le rapport (Excel)",
        lambda: xlsx_bytes(report, metadata, sheet="Rapport"),  # built on click only
        file_name="rapport_import.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="data_report_xlsx",
        on_click="ignore",
        help="Une ligne par ligne du fichier (verdict, suite donnée, motif, commune retenue), puis les "
        "colonnes du fichier ; paramètres et sources sur une seconde feuille. Se réimporte tel quel.",
    )
    columns[1].download_button(
        "Télécharger le rapport (CSV et métadonnées, zip)",
        lambda: csv_with_metadata_zip(report, metadata, stem="rapport_import"),
        file_name="rapport_import.zip",
        mime="application/zip",
        key="data_report_csv",
        on_click="ignore",
    )


def _confirm(result: ImportResult, check: ImportCheck, mode: str, missing: list[str]) -> None:
    if missing:
        st.info(
            "Choisissez plus haut ce qu'il faut faire des lignes incohérentes ("
            + fr_count(len(missing), "cas", "cas")
            + " à trancher) : le bouton d'import s'active ensuite."
        )
    elif not result.n_imported:
        st.warning("Aucune ligne ne peut être importée : la liste utilisée reste inchangée.")
    label = (
        "Importer les lieux"
        if missing
        else f"Importer {fr_count(result.n_imported, 'lieu', 'lieux')} — {mode.lower()}"
    )
    if st.button(label, type="primary", key="data_import", disabled=bool(missing) or not result.n_imported):
        source = f"Import : {check.label}"
        if mode == MODE_ADD and result.combined is not None:
            label = f"{bundled_atlas().places_source} + {source}"
            use_import(SessionPlaces(places=result.combined, source_label=label))
        else:
            use_import(SessionPlaces(places=result.places, source_label=source))
        st.session_state[DONE_KEY] = (result.summary(), mode)
        st.rerun()


def _refreshed_section() -> None:
    st.subheader("Données officielles actualisées")
    manifest = refresh_manifest()
    if not manifest:
        st.info(
            "Aucune donnée actualisée : l'application utilise les données intégrées (voir « À propos des "
            "données » pour leurs millésimes). Pour télécharger les fichiers officiels les plus récents "
            "(connexion internet requise), lancez `make refresh` (ou `python -m geo.io.refresh`) ; "
            "les fichiers sont vérifiés puis écrits dans `data/local`, utilisés en priorité au prochain "
            "chargement."
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
st.markdown(
    f"**Tiers-lieux utilisés dans cette session** : {_md(current.places_source)} "
    f"({fr_count(len(current.places), 'lieu', 'lieux')})."
)
done = st.session_state.get(DONE_KEY)
if st.session_state.get(IMPORTED_PLACES_KEY) is not None:
    if done:
        st.success(f"Import effectué ({DONE_LABELS[done[1]]}) : {_md(done[0])}")
        st.page_link(
            "pages/overview.py",
            label="Voir les lieux sur la carte de la vue d'ensemble",
            icon=":material/dashboard:",
        )
    st.button("Revenir à la liste intégrée", key="data_reset", on_click=_reset_import)

st.subheader("Importer une liste de tiers-lieux")
st.markdown(
    "Recensement France Tiers-Lieux (2023 ou 2026 : déposez la fiche identité et, si vous les avez, les "
    "fichiers thématiques), liste de votre réseau régional, export d'un SIG. Chaque ligne est vérifiée "
    "**avant** l'import : point comparé à la commune, au code postal et au département déclarés, erreurs "
    "de signe et coordonnées inversées corrigées quand la correction concorde, lignes douteuses montrées. "
    "L'import ne vaut que pour **votre session** : il n'est ni enregistré ni visible des autres "
    "utilisateurs. Les colonnes de contact personnel (courriel, téléphone) sont supprimées dès la lecture, "
    "et les numéros et courriels cités dans les textes sont masqués."
)
# No ``type=``: a file of another type reaches the reader, which says in French what it accepts
# (Streamlit's own refusal is English). Its other English texts are translated by ui/french_shell.js.
st.file_uploader(
    "Fichiers à importer",
    accept_multiple_files=True,
    key=UPLOAD_KEY,
    help="Plusieurs fichiers à la fois seulement pour le recensement (fiche identité et fichiers "
    "thématiques). Les Excel anciens (.xls) et les .ods sont à enregistrer en .xlsx ou en .csv.",
)
st.caption(f"{KINDS} ; {fr_number(MAX_UPLOAD_BYTES / MB)} Mo au plus par fichier.")

upload = _prepared_upload()
if upload is None:
    st.info("Déposez un fichier pour voir sa correspondance de colonnes et le verdict de chaque ligne.")
else:
    signature, prepared_import = upload
    if prepared_import.is_census:
        st.success(f"Format reconnu : {prepared_import.format_label}. Aucune correspondance à saisir.")
    else:
        lines = fr_count(len(prepared_import.frame), "ligne lue", "lignes lues")
        st.info(f"{prepared_import.format_label} : {lines}.")
    with st.expander("Aperçu des premières lignes"):
        st.dataframe(
            prepared_import.frame[prepared_import.user_columns].head(5), hide_index=True, key="data_preview"
        )
    chosen_mapping = _mapping_widgets(prepared_import)
    typology_choice = _typology_widgets(prepared_import, chosen_mapping)
    import_mode = st.radio("Utilisation", [MODE_ADD, MODE_REPLACE], horizontal=True, key="data_mode")
    import_key = _import_key(signature, chosen_mapping, typology_choice)
    checked = _checked(import_key, prepared_import, chosen_mapping, typology_choice)
    if checked is not None:
        user_choices, left = _current_choices(checked)
        import_result = _result(import_key, checked, user_choices, import_mode)
        _summary(import_result, checked, left)
        _choice_widgets(checked, import_result)
        _doubtful_rows(import_result, checked)
        _downloads(import_result, checked, import_mode, user_choices)
        _confirm(import_result, checked, import_mode, left)

_refreshed_section()
