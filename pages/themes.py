"""Thématiques: per-theme figures, theme mix against the région and France, thematic gaps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo._errors import AtlasError
from geo.analysis.gaps import qpv_location_short
from geo.analysis.thematic import (
    GAP_MODES,
    PRIORITY_KINDS,
    SUPPORT_RULE,
    comparison_for_export,
    gap_summary,
    gap_themes_warning,
    gaps_for_export,
    indicators_for_export,
    route_note,
    support_for_display,
    thematic_gaps,
    theme_indicators,
    theme_mix_comparison,
    theme_support,
    under_represented_themes,
)
from geo.fmt import fr_count, fr_de, fr_number, fr_percent, fr_radius, french_styler
from geo.render.charts import image_download_config, theme_heatmap, theme_mix_chart, theme_treemap
from geo.territory import LEVELS, level_noun, scope_label, scope_phrase
from geo.themes import ALL_PLACES, THEMES, insufficient_label, theme_label
from ui.components import caption_sources, download_buttons, export_metadata, metric, show_chart
from ui.data import atlas, session_theme_distances, shared_result
from ui.pages import current_filters, describe
from ui.state import page_section, url_choice

INDICATORS = {
    "places_per_100k": "Tiers-lieux pour 100 000 habitants",
    "share_covered": "Part de la population à moins de {radius} km",
    "places": "Nombre de tiers-lieux",
    "mix_share": "Part des tiers-lieux du territoire portant le thème",
}
HEATMAP_ROWS = 40
TREEMAP_TERRITORIES = 30
TABLE_ROWS = 200
SOURCES = ["places", "communes"]

filters = current_filters()
data = atlas()
scope = filters.scope
themes = filters.themes or tuple(THEMES)
radius = fr_radius(filters.radius_km)
level = scope.detail_level
level_word = level_noun(level)
where = scope_label(scope, data.communes)
where_in = scope_phrase(scope, data.communes)
vintage = f"{data.places_source} ; population 2023"
chart_source = f"{data.places_source} ; INSEE, population municipale 2023"

st.title("Thématiques")
st.caption(describe(filters))

distances = session_theme_distances()
try:
    indicators = shared_result(
        "theme_indicators",
        (scope, themes, filters.radius_km, level),
        lambda: theme_indicators(data, distances, scope, filters.radius_km, level=level, themes=themes),
    )
    comparison = shared_result(
        "theme_mix_comparison",
        (scope, themes, filters.radius_km),
        lambda: theme_mix_comparison(data, distances, scope, filters.radius_km, themes=themes),
    )
except AtlasError as exc:
    st.error(str(exc))
    st.stop()

scope_rows = comparison[comparison["reference"] == "scope"].set_index("theme")
if scope_rows["population"].iloc[0] == 0:
    st.info("Aucune commune dans ce périmètre : choisissez un autre territoire dans le panneau de gauche.")
    st.stop()

places_in_scope = data.places[scope.mask(data.places)]
themes_note = route_note(places_in_scope, themes)
support = theme_support(places_in_scope)
thin = [t for t in themes if not support[t].sufficient]
parameters = {
    "Périmètre": where,
    "Thèmes": ", ".join(theme_label(t) for t in themes),
    "Distance (à vol d'oiseau)": f"{radius} km",
}

# A scope narrowed to types of communes is compared with the same types in its région and in France.
same_types = f" (mêmes types de communes : {scope.types.describe()})" if scope.types else ""
national_mix = "au mix national" + (" des mêmes types de communes" if scope.types else "")
as_in_france = "comme en France" + (" dans ces types de communes" if scope.types else "")

st.markdown(
    "Pour chaque thème : le nombre de tiers-lieux, leur densité et la part de la population qui en a un "
    f"à moins de {radius} km, comparés à la région et à la France entière{same_types}."
)
cols = st.columns(min(len(themes), 3))
for index, theme in enumerate(themes):
    row = scope_rows.loc[theme]
    with cols[index % len(cols)]:
        metric(
            f"{theme_label(theme)} : tiers-lieux",
            fr_number(int(row["places"])),
            help_text=f"{fr_number(row['places_per_100k'], 2)} pour 100 000 habitants ; "
            f"{fr_percent(row['share_covered'])} de la population à moins de {radius} km. "
            + ("" if support[theme].sufficient else f"Pas de constat possible : {support[theme].verdict}."),
        )
with st.expander(
    "D'où viennent les thèmes et lesquels permettent un constat"
    + (
        f" ({fr_count(len(thin), 'thème aux données insuffisantes', 'thèmes aux données insuffisantes')})"
        if thin
        else ""
    ),
    expanded=bool(thin),
):
    st.markdown(
        f"Les chiffres d'un thème (carte de chaleur, écarts thématiques) ne sont un constat qu'avec "
        f"{SUPPORT_RULE.describe()} : en dessous, ils tiennent davantage aux listes sources (surtout des "
        "coworkings et des fablabs) qu'au territoire. Un thème peu présent peut toutefois être dit "
        f"**sous-représenté** quand le mix national en faisait attendre au moins {SUPPORT_RULE.min_places} "
        "dans le périmètre."
    )
    st.dataframe(
        french_styler(support_for_display({t: support[t] for t in themes})),
        hide_index=True,
        key="themes_support_table",
    )

st.subheader(
    "Composition thématique comparée à la France" + (" (mêmes types de communes)" if scope.types else "")
)
mix_figure = shared_result(
    "theme_mix_chart",
    (scope, themes, filters.radius_km),
    lambda: theme_mix_chart(
        comparison,
        title=f"Part des tiers-lieux portant chaque thème — {where} comparé à la France"
        + (f" ({scope.types.describe()})" if scope.types else "")
        + f" ({vintage})",
        source=chart_source,
    ),
)
show_chart(mix_figure, key="themes_mix_chart", config=image_download_config("composition-thematique"))
under = under_represented_themes(comparison)
if under:
    listing = ", ".join(
        f"{theme_label(t)} (indice {fr_number(scope_rows.loc[t, 'index_vs_national'])})" for t in under
    )
    st.warning(
        f"Thèmes sous-représentés {where_in} par rapport {national_mix} (indice < 80, "
        f"100 = {as_in_france}) : {listing}."
    )
else:
    checked = [t for t in themes if scope_rows.loc[t, "sufficient"]]
    if checked:
        st.success(
            f"Aucun thème n'est sous-représenté {where_in} par rapport {national_mix} parmi ceux qui "
            "permettent un constat : " + ", ".join(theme_label(t) for t in checked) + "."
        )
no_finding = [t for t in themes if not scope_rows.loc[t, "sufficient"]]
if no_finding:
    st.info(
        "Pas d'indice pour "
        + " ; ".join(
            f"{theme_label(t)} : {insufficient_label(int(scope_rows.loc[t, 'places']))}" for t in no_finding
        )
        + ". Trop peu de lieux de ces thèmes dans le périmètre ou en France pour conclure."
    )
caption_sources(SOURCES, note=themes_note)
comparison_table = comparison_for_export(comparison, radius_km=filters.radius_km)
st.dataframe(french_styler(comparison_table), hide_index=True, key="themes_mix_table")
download_buttons(
    comparison_table,
    basename="composition-thematique",
    metadata=export_metadata(parameters, SOURCES),
    key="themes_mix_download",
)

n_territories = indicators["code"].nunique()


@page_section
def _heatmap() -> None:
    """Themes × territories: the indicator radio reruns this section only."""
    st.subheader(f"Thèmes × territoires, par {level_word}")
    indicator = url_choice(
        st.radio,
        "Indicateur",
        {code: label.format(radius=radius) for code, label in INDICATORS.items()},
        key="themes_indicator",
        param="th_indic",
        default="places_per_100k",
        horizontal=True,
    )
    heatmap = shared_result(
        "theme_heatmap",
        (scope, themes, filters.radius_km, level, indicator),
        lambda: theme_heatmap(
            indicators,
            value=indicator,
            title=f"{INDICATORS[indicator].format(radius=radius)} par thème — {where}, par {level_word} "
            f"({vintage})",
            source=chart_source,
            max_rows=HEATMAP_ROWS,
        ),
    )
    show_chart(heatmap, key="themes_heatmap", config=image_download_config("themes-territoires"))
    if n_territories > HEATMAP_ROWS:
        st.caption(
            f"Les {HEATMAP_ROWS} territoires les plus peuplés sur {fr_number(n_territories)} sont affichés ; "
            "le téléchargement contient tous les territoires."
        )
    caption_sources(SOURCES, note=themes_note)
    indicators_table = indicators_for_export(indicators, level=level, radius_km=filters.radius_km)
    download_buttons(
        indicators_table,
        basename="themes-par-territoire",
        metadata=export_metadata({**parameters, "Niveau": LEVELS[level]}, SOURCES),
        key="themes_indicators_download",
    )


_heatmap()

with st.expander("Répartition des tiers-lieux par territoire et par thème (treemap)"):
    treemap = shared_result(
        "theme_treemap",
        (scope, themes, filters.radius_km, level),
        lambda: theme_treemap(
            indicators,
            root=where,
            title=f"Tiers-lieux par {level_word} et par thème — {where} ({vintage})",
            source=chart_source,
            max_territories=TREEMAP_TERRITORIES,
        ),
    )
    show_chart(treemap, key="themes_treemap", config=image_download_config("themes-treemap"))
    shown = (
        ""
        if n_territories <= TREEMAP_TERRITORIES
        else (
            f" Les {TREEMAP_TERRITORIES} territoires comptant le plus de tiers-lieux sont affichés "
            "(données : téléchargement ci-dessus)."
        )
    )
    st.caption(f"Une tuile par thème porté : un lieu à plusieurs thèmes compte dans chacun.{shown}")
    caption_sources(SOURCES, note=themes_note)


def _gap_choice() -> tuple[str, list[str], str]:
    """The theme present, the themes missing and how they must be missing (stops with none missing)."""
    theme_choices = {code: theme_label(code) for code in THEMES}
    cols = st.columns([1, 2, 1])
    present = url_choice(
        cols[0].selectbox,
        "Thème présent",
        {ALL_PLACES: theme_label(ALL_PLACES), **theme_choices},
        key="themes_present",
        param="th_present",
        default="coworking",
    )
    missing = url_choice(
        cols[1].multiselect,
        "Thèmes manquants",
        theme_choices,
        key="themes_missing",
        param="th_absent",
        default=["alimentation", "reemploi"],
        placeholder="Choisissez au moins un thème",
    )
    how = url_choice(cols[2].radio, "Manque", GAP_MODES, key="themes_how", param="th_mode", default="all")
    if not missing:
        st.info("Choisissez au moins un thème manquant pour lister les territoires prioritaires concernés.")
        st.stop()
    return present, list(missing), how


def _gap_list(gaps: pd.DataFrame, table: pd.DataFrame, present: str, missing: list[str], how: str) -> None:
    """How many priority territories of each kind, and their list (farthest from a missing place first)."""
    joiner = " ni " if how == "all" else " ou "
    summary = gap_summary(gaps)
    for column, (kind, count) in zip(st.columns(len(summary)), summary.items(), strict=True):
        with column:
            metric(
                PRIORITY_KINDS[kind],
                fr_number(count),
                help_text="Une commune à la fois ACV et PVD compte dans les deux.",
            )
    if gaps.empty:
        st.success(
            f"Aucun territoire prioritaire de {where} n'a un tiers-lieu "
            f"« {theme_label(present).lower()} » à moins de {radius} km sans "
            + joiner.join(theme_label(t).lower() for t in missing)
            + "."
        )
        return
    missing_of = joiner.join(
        fr_de(theme_label(t).lower()) for t in missing
    )  # « d'alimentation ni de réemploi »
    st.markdown(
        f"**{fr_number(len(gaps))} territoires prioritaires** ont un tiers-lieu "
        f"« {theme_label(present).lower()} » à moins de {radius} km mais pas {missing_of} : "
        "classés du plus éloigné au plus proche d'un lieu manquant."
    )
    st.dataframe(french_styler(table.head(TABLE_ROWS)), hide_index=True, key="themes_gaps_table")
    if len(table) > TABLE_ROWS:
        st.caption(
            f"{TABLE_ROWS} premiers affichés sur {fr_number(len(table))} ; tous sont dans le téléchargement."
        )


@page_section
def _priority_gaps() -> None:
    """Priority territories with one theme and not another: its widgets rerun this section only."""
    st.subheader("Territoires prioritaires : un thème présent, un autre absent")
    st.markdown(
        f"Communes *Action Cœur de Ville*, *Petites villes de demain* et quartiers prioritaires qui ont un "
        f"tiers-lieu du thème présent à moins de {radius} km, mais pas du ou des thèmes manquants."
    )
    present, missing, how = _gap_choice()
    try:
        gaps = shared_result(
            "thematic_gaps",
            (scope, filters.radius_km, present, tuple(missing), how),
            lambda: thematic_gaps(
                data, distances, scope, filters.radius_km, present=(present,), missing=tuple(missing), how=how
            ),
        )
    except AtlasError as exc:
        st.error(str(exc))
        st.stop()
    gaps_table = gaps_for_export(gaps, present=(present,), missing=tuple(missing))
    warning = gap_themes_warning(support, (present, *missing))
    if warning:
        st.warning(warning)
        with st.expander("Afficher quand même la liste (non significative)"):
            st.dataframe(french_styler(gaps_table.head(TABLE_ROWS)), hide_index=True, key="themes_gaps_table")
    else:
        _gap_list(gaps, gaps_table, present, missing, how)
    sources = [*SOURCES, "acv", "pvd", "qpv"]
    download_buttons(
        gaps_table,
        basename="ecarts-thematiques-territoires-prioritaires",
        metadata=export_metadata(
            {
                **parameters,
                "Thème présent": theme_label(present),
                "Thèmes manquants": ", ".join(theme_label(t) for t in missing),
                "Manque": GAP_MODES[how],
                **({"Avertissement": warning} if warning else {}),
            },
            sources,
        ),
        key="themes_gaps_download",
    )
    caption_sources(
        sources,
        note="Distances à vol d'oiseau depuis le point représentatif de chaque commune ; "
        f"{qpv_location_short(data)} ; lieux labellisés au centroïde de leur commune. {themes_note}",
    )


_priority_gaps()
