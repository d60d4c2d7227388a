"""Accessibilité: the accessibility statement in the RGAA 4.1 format."""

from __future__ import annotations

import os

import streamlit as st

CONTACT_ENV = "ATLAS_CONTACT_ACCESSIBILITE"
"""Address (e-mail or web form) of the team that publishes this instance, set at deployment."""

contact = os.environ.get(CONTACT_ENV, "").strip()

st.title("Accessibilité")
st.markdown(
    "L'Atlas des tiers-lieux s'efforce d'être accessible à toutes et à tous, conformément à "
    "l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration d'accessibilité "
    "s'applique à l'application Atlas des tiers-lieux (toutes ses pages et les dossiers qu'elle produit)."
)

st.header("État de conformité")
st.markdown(
    "L'Atlas des tiers-lieux est **non conforme** avec le référentiel général d'amélioration de "
    "l'accessibilité (RGAA), version 4.1 : aucun audit complet de conformité n'a encore été réalisé. "
    "En attendant cet audit, l'équipe vérifie l'application à chaque version :\n\n"
    "- **test automatique** : chaque page, dans son état par défaut et avec des filtres, est analysée par "
    "axe-core (règles WCAG 2.1 niveaux A et AA, cadres des cartes compris) dans un navigateur Chromium ; "
    "la version publiée ne compte **aucune erreur** ;\n"
    "- **vérifications manuelles** : langue de la page déclarée en français, contrastes des textes "
    "(au moins 4,5:1), titres des cadres des cartes, textes des composants en français, alternative "
    "textuelle (tableau ou résumé chiffré) à côté de chaque carte et de chaque graphique."
)

st.header("Contenus non accessibles")
st.markdown(
    "Non-conformités connues, et ce qui est proposé à la place :\n\n"
    "- **Cartes interactives** : les lieux et les territoires dessinés sur les cartes ne sont pas "
    "atteignables au clavier ni restitués par un lecteur d'écran (seuls les boutons de zoom le sont). "
    "*Alternative* : chaque carte est accompagnée d'une description et d'un tableau (territoires, lieux, "
    "zones blanches, propositions) qui donne les mêmes informations, exportable en CSV et Excel.\n"
    "- **Graphiques** : les valeurs ne sont lisibles qu'à l'écran ou au survol de la souris. "
    "*Alternative* : un résumé chiffré sous chaque graphique et les tableaux téléchargeables.\n"
    "- **Composants de l'interface** : l'application repose sur Streamlit, dont certains composants "
    "(listes à choix multiples, curseurs) ont un comportement au clavier et des messages d'aide que "
    "l'Atlas ne maîtrise pas entièrement. *Alternative* : chaque vue peut être ouverte directement par "
    "un lien qui porte tous ses réglages.\n"
    "- **Dossier PDF** : le PDF produit par la fiche territoire n'est pas balisé (titres et tableaux non "
    "structurés pour un lecteur d'écran). *Alternative* : la présentation PowerPoint du même dossier a "
    "de vrais titres de diapositives, des notes et des textes alternatifs, et la carte HTML est "
    "utilisable dans un navigateur."
)

st.header("Contenus non soumis à l'obligation")
st.markdown(
    "Le **fond de carte** (Plan IGN de la Géoplateforme) est un contenu tiers chargé depuis Internet ; "
    "les cartes restent lisibles sans lui (option « Aucun fond de carte »)."
)

st.header("Établissement de cette déclaration")
st.markdown(
    "Déclaration établie le 1er décembre 2026.\n\n"
    "- **Technologies utilisées** : HTML, CSS, JavaScript (Streamlit, Leaflet, Plotly).\n"
    "- **Environnement de test** : navigateur Chromium (Debian), sans et avec filtres, à 1 400 px de "
    "large ; outil : axe-core 4.12.\n"
    "- **Pages vérifiées** : Vue d'ensemble, Couverture, Zones blanches, Thématiques, Fiche territoire "
    "(et son mode présentation), Simulateur, Données, À propos des données, Accessibilité."
)

st.header("Retour d'information et contact")
if contact:
    st.markdown(
        "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez l'équipe qui publie "
        f"l'Atlas : **{contact}**, pour être orienté vers une alternative accessible ou obtenir le "
        "contenu sous une autre forme."
    )
else:
    st.markdown(
        "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez l'équipe qui vous a "
        "communiqué le lien vers l'Atlas, pour être orienté vers une alternative accessible ou obtenir "
        "le contenu sous une autre forme."
    )

st.header("Voies de recours")
st.markdown(
    "Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un contenu ou à une "
    "fonctionnalité, que vous nous le signalez et que vous ne parvenez pas à obtenir une réponse de "
    "notre part, vous êtes en droit de faire parvenir vos doléances ou une demande de saisine au "
    "Défenseur des droits :\n\n"
    "- écrire un message au Défenseur des droits (formulaire en ligne sur defenseurdesdroits.fr) ;\n"
    "- contacter le délégué du Défenseur des droits dans votre région ;\n"
    "- envoyer un courrier par la poste (gratuit, ne pas mettre de timbre) : Défenseur des droits, "
    "Libre réponse 71120, 75342 Paris CEDEX 07."
)
