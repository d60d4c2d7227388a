"""À propos des données: every dataset, how the themes are derived, and the approximations made."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.fmt import fr_km, fr_number
from geo.io.catalog import DATASETS, PLACE_SOURCES
from geo.io.commune_points import (
    CRITERION,
    EVIDENCE_LIMIT_M,
    EXTENT_LIMIT_M,
    approximate_points_table,
    point_offsets_summary,
)
from geo.io.linkage import describe_register, register_summary
from geo.themes import ROUTES, route_counts, theme_columns, theme_rules_table
from ui.components import download_buttons
from ui.data import atlas, linkage_decisions

data = atlas()
records = data.places["source_records"].str.split(";").explode()

st.title("À propos des données")
st.markdown(
    "L'Atlas n'utilise que des données ouvertes, intégrées à l'application (aucun appel réseau). "
    "Chaque figure rappelle ses sources et leur millésime."
)

st.subheader("Jeux de données")
datasets = pd.DataFrame(
    [
        {
            "Jeu de données": d.title,
            "Producteur": d.producer,
            "Licence": d.licence,
            "Millésime": d.vintage,
            "Fichier": d.filename + (" (facultatif)" if d.optional else ""),
            "Remarques": d.notes,
        }
        for d in DATASETS.values()
    ]
)
st.table(datasets, hide_index=True, border="horizontal")

st.markdown("**Sources des tiers-lieux** (liste consolidée) :")
sources = pd.DataFrame(
    [
        {
            "Source": s.title,
            "Producteur": s.producer,
            "Licence": s.licence,
            "Millésime": s.vintage,
            "Localisation": s.location,
            "Fiches de la source": fr_number(int(records.str.startswith(f"{code}:").sum())),
        }
        for code, s in PLACE_SOURCES.items()
    ]
)
st.table(sources, hide_index=True, border="horizontal")
st.caption(f"Tiers-lieux utilisés dans cette session : {data.places_source}.")

st.subheader("Un lieu, une ligne : doublons fusionnés et communes vérifiées")
decisions = linkage_decisions()
summary = register_summary(data.places, decisions)
st.markdown(describe_register(summary))
st.caption(
    "Règles de rapprochement : lieux à moins de 1 km (ou dans la même commune pour les lieux placés au point "
    "de leur commune), noms comparés sans accents, articles ni mots génériques (« tiers-lieu », « espace », "
    "« coworking »…) ; fusion quand les noms sont identiques ou très proches au même endroit, sinon décision "
    "relue. Source : calcul de l'Atlas sur les listes intégrées."
)
if len(decisions):
    download_buttons(
        decisions,
        basename="decisions-de-fusion-des-doublons",
        metadata={
            "Produit par": "Atlas des tiers-lieux",
            "Contenu": "paires de fiches rapprochées et décision",
        },
        key="about_linkage_download",
    )

st.subheader("Comment les thèmes sont établis")
st.markdown(
    "Un lieu reçoit un thème par l'une de trois voies, de la plus sûre à la moins sûre ; quand plusieurs "
    "s'appliquent au même thème, la plus sûre l'emporte. Un lieu peut porter **plusieurs thèmes**.\n\n"
    + "\n".join(f"{i}. **{label}** (`{code}`)" for i, (code, label) in enumerate(ROUTES.items(), start=1))
    + "\n\nLes thèmes issus des **mots-clés sont indicatifs** : ils reposent sur le nom (et la description "
    "quand la source en donne une) et peuvent se tromper. L'Atlas le rappelle sous chaque figure."
)
counts = route_counts(data.places)
counts_display = pd.DataFrame(
    {
        "Thème": counts["Thème"],
        **{ROUTES[r].capitalize(): [fr_number(int(v)) for v in counts[r]] for r in ROUTES},
        "Total des lieux du thème": [fr_number(int(v)) for v in counts["total"]],
    }
)
st.markdown("**Nombre de lieux par thème et par voie** (un lieu à plusieurs thèmes compte dans chacun) :")
st.dataframe(counts_display, hide_index=True, key="about_route_counts")
no_theme = int((data.places[theme_columns()] == "").all(axis=1).sum())
st.caption(
    f"{fr_number(no_theme)} lieux sur {fr_number(len(data.places))} n'ont aucun thème : ils comptent dans "
    "« tous les tiers-lieux » mais dans aucun thème."
)

st.markdown("**Les règles appliquées** (générées depuis le code de l'Atlas) :")
rules = theme_rules_table()
st.dataframe(rules[["Thème", "Voie", "Règle"]], hide_index=True, key="about_rules")
st.caption(
    "Mots-clés : comparés au début des mots du nom et de la description, en minuscules et sans accents. "
    "Notation : « ? » rend facultatif le caractère qui précède (« fab ?lab » = fablab ou fab lab), "
    "« \\b » marque la fin d'un mot, « \\w* » des lettres quelconques, « (s)? » un pluriel facultatif. "
    "Les exclusions sont retirées du texte avant la recherche (« actuellement fermé » n'est pas une ferme)."
)

st.subheader("Le point de chaque commune : à quelle distance de ses habitants ?")
offsets = point_offsets_summary(data.communes)
st.markdown(
    "Toutes les distances partent du **point représentatif** de chaque commune (un point situé dans la "
    "commune) : les données intégrées n'ont ni coordonnées des mairies ni chefs-lieux. L'Atlas mesure ce "
    "point contre les seules adresses connues — les France services à adresse fixe et les tiers-lieux "
    f"géocodés à l'adresse — dans {fr_number(offsets['communes'])} communes : l'adresse la plus proche est "
    f"à **{fr_km(offsets['median_m'])}** du point en médiane, à moins de {fr_km(offsets['p90_m'])} pour "
    f"9 communes sur 10, à moins de {fr_km(offsets['p99_m'])} pour 99 sur 100, et jusqu'à "
    f"{fr_km(offsets['max_m'])}.\n\n"
    "Une commune est signalée **« point approximatif »** sur les pages et dans les exports selon ce "
    f"critère : {CRITERION} (seuils : {fr_km(EVIDENCE_LIMIT_M, 0)}, la moitié de la distance d'accès "
    f"par défaut ; {fr_km(EXTENT_LIMIT_M, 0)}, la distance par défaut). C'est le cas de "
    f"{fr_number(offsets['approximate'])} communes "
    f"({fr_number(offsets['population_approximate'])} habitants) : "
    f"{fr_number(offsets['over_limit'])} loin de leurs adresses connues, "
    f"{fr_number(offsets['wide'])} étendues "
    "sans adresse connue. Leurs chiffres sont gardés, avec cette réserve."
)
flagged_table = approximate_points_table(data.communes)
st.dataframe(
    flagged_table.style.format(
        {"Population 2023": fr_number}
        | {c: lambda v: fr_number(v, 1) for c in flagged_table.columns if c.endswith("(km)")},
        na_rep="–",
    ),
    hide_index=True,
    key="about_points",
)
download_buttons(
    flagged_table,
    basename="communes-au-point-approximatif",
    metadata={
        "Produit par": "Atlas des tiers-lieux",
        "Critère": CRITERION,
        "Sources": "France services (ANCT, 1er août 2024), tiers-lieux géocodés (CGET 2019), contours IGN "
        "ADMIN EXPRESS recodés COG 2026",
    },
    key="about_points_download",
)

st.subheader("Approximations à garder en tête")
st.markdown(
    "\n".join(
        [
            "- **Lieux situés au centroïde de leur commune** : les Fabriques de territoire et les "
            "Manufactures de proximité sont publiées par commune, sans adresse ; elles sont placées au "
            "centre de leur commune (cercles creux sur les cartes).",
            "- **QPV au centroïde de leur commune** : les quartiers prioritaires intégrés sont des points au "
            "centroïde de la (des) commune(s) du quartier, pas le contour du quartier.",
            "- **Thèmes par mots-clés « indicatif »** : voir ci-dessus.",
            "- **Distances à vol d'oiseau** depuis le **point représentatif** de chaque commune (un point "
            "situé dans la commune, pas la mairie ni le lieu de vie des habitants ; voir ci-dessus), "
            "mesurées en mètres dans "
            "la projection de chaque zone (Lambert-93 en métropole, UTM locale outre-mer) ; aucune distance "
            "n'est calculée entre deux zones.",
            "- **Population** : population municipale 2023 de l'INSEE, rapportée aux communes du COG 2026.",
            "- **Doublons** : les fiches d'un même lieu sont fusionnées (voir ci-dessus) ; une paire "
            "douteuse reste en deux lieux, signalés l'un à l'autre comme doublon possible.",
        ]
    )
)
