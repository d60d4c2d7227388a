"""Themes of the tiers-lieux and the documented rules that derive them.

A place gets a theme by one of three routes, kept apart because they are not equally
reliable:

- ``typologie``: the source says so (CGET 2019 ``TYPO`` "dominante coworking / fablab",
  France Tiers-Lieux census families);
- ``programme``: the place holds a label that implies it (every Manufacture de proximité
  is a production place);
- ``mot-clé``: a keyword rule matched its name or description. This is **indicative**:
  the UI says so wherever such a theme is shown. :func:`keyword_rule_quality` measures the
  rules against a hand-labelled sample (``tests/fixtures/themes``, figures in data/README.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo._errors import InvalidParameterError
from geo._validate import check_choices
from geo.fmt import fr_number

THEMES: dict[str, str] = {
    "fabrication": "Fabrication (fablab, atelier, production)",
    "coworking": "Coworking / bureaux partagés",
    "alimentation": "Alimentation durable / nourricier",
    "reemploi": "Économie circulaire / réemploi",
    "culture": "Culture / friche culturelle",
    "numerique": "Numérique / médiation",
}
"""Theme code → French label, in display order (the seed programme's themes first)."""

THEME_SHORT_LABELS: dict[str, str] = {
    "fabrication": "Fabrication",
    "coworking": "Coworking",
    "alimentation": "Alimentation",
    "reemploi": "Réemploi",
    "culture": "Culture",
    "numerique": "Numérique",
}

THEME_PLACE_NOUNS: dict[str, str] = {
    "fabrication": "lieu de fabrication",
    "coworking": "coworking",
    "alimentation": "lieu nourricier",
    "reemploi": "lieu de réemploi",
    "culture": "lieu culturel",
    "numerique": "lieu numérique",
}
"""Theme → what a place of that theme is called in a sentence (« sans lieu de fabrication »)."""


def without_places(themes: Iterable[str]) -> str:
    """« sans tiers-lieu », or for selected themes « sans lieu de fabrication ni coworking »: a headline
    quoted alone must say which places are missing."""
    nouns = [THEME_PLACE_NOUNS[t] for t in themes]
    return "sans " + (" ni ".join(nouns) if nouns else "tiers-lieu")


ALL_PLACES = "tous"
"""Pseudo-theme code meaning « every place, whatever its themes »."""


def theme_label(code: str) -> str:
    """Short French label of a theme code (« Tous les tiers-lieux » for :data:`ALL_PLACES`)."""
    return "Tous les tiers-lieux" if code == ALL_PLACES else THEME_SHORT_LABELS.get(code, code)


def insufficient_label(places: int) -> str:
    """« données insuffisantes (3 lieux) » (« 1 lieu », « 0 lieu »): a theme figure that is not a finding."""
    return f"données insuffisantes ({fr_number(places)} {'lieux' if places > 1 else 'lieu'})"


ROUTE_TYPOLOGY = "typologie"
ROUTE_PROGRAMME = "programme"
ROUTE_KEYWORD = "mot-clé"
ROUTES: dict[str, str] = {
    ROUTE_TYPOLOGY: "typologie de la source",
    ROUTE_PROGRAMME: "label du programme",
    ROUTE_KEYWORD: "règle par mots-clés (indicatif)",
}
"""Derivation route → French description. Order = precedence when several apply."""


@dataclass(frozen=True)
class KeywordRule:
    """Keywords (accent-free, lower case, matched on word starts) that give a theme."""

    theme: str
    patterns: tuple[str, ...]
    exclusions: tuple[str, ...] = ()

    def matches(self, normalized_text: str) -> bool:
        """Whether ``normalized_text`` (see :func:`normalize_text`) triggers the rule.

        Exclusions are phrases blanked out before the patterns are tried, so that
        « (actuellement fermé) » does not make a farm but « Ferme X (fermeture l'hiver) » still does.
        """
        for phrase in self.exclusions:
            normalized_text = re.sub(rf"\b{phrase}\w*", " ", normalized_text)
        return any(re.search(rf"\b{p}", normalized_text) for p in self.patterns)


KEYWORD_RULES: tuple[KeywordRule, ...] = (
    KeywordRule(
        "fabrication",
        (
            r"\w*fab ?lab",
            r"fab-lab",
            r"lab ?fab",
            r"\w*fab\b",
            r"fab ?num",
            r"\w*maker",
            r"hack",
            r"menuiserie",
            r"bricol",
            r"bidouill",
            r"artisan",
            r"metiers d'art",
            r"manufactur",
            r"usinette",
            r"impr\w* 3d",
            r"atelier(s)? partage",
            r"atelier bois",
            r"fabrication",
            r"couture",
            r"textiles?\b",
            r"electrolab",
            r"ressourcerie de materiaux",
        ),
        # A hackathon is an event, not a workshop.
        exclusions=(r"hackathon",),
    ),
    KeywordRule(
        "coworking",
        (
            r"\w*work",
            r"cowo\b",
            r"\w*desk",
            r"bureaux? partage",
            r"espace de travail partage",
            r"espaces? partages? de travail",
            r"teletravail",
            r"telecentre",
        ),
        # « Work » names a workspace (Cowork'in, Workhub, FrenchWork), except in these words.
        exclusions=(r"network", r"patchwork", r"workshop", r"artwork", r"teamwork"),
    ),
    KeywordRule(
        "alimentation",
        (
            r"ferme",
            r"farm",
            r"agricult",
            r"agro-?ecolog",
            r"permacultur",
            r"nourric",
            r"aliment",
            r"cuisine",
            r"culinaire",
            r"food",
            r"epicerie",
            r"potager",
            r"maraich",
            r"jardin",
            r"vergers? urbains?",
            r"cultiv",
            r"circuits? courts?",
            r"court-? ?circuit",
            r"paysan",
        ),
        # "fermeture" and "(actuellement fermé)" are not farms; "alimentation electrique" is not
        # food; "Jardin public" is a coworking (CGET 2019). "Cantine", "café", "brasserie",
        # "cocotte", "fruitière" are deliberately absent: La Cantine, Anticafé, La Brasserie du
        # Digital, La Cocotte numérique, Fruitière numérique are coworking or digital places.
        exclusions=(
            r"fermeture",
            r"actuellement ferme",
            r"temporairement ferme",
            r"definitivement ferme",
            r"ferme definitivement",
            r"alimentation electrique",
            r"jardin public",
        ),
    ),
    KeywordRule(
        "reemploi",
        (
            r"recycl",
            r"ressourcerie",
            r"reemploi",
            r"re-emploi",
            r"emmaus",
            r"repair\b",
            r"repair cafe",
            r"reparation",
            r"precious plastic",
            r"troc\b",
            r"textilerie",
            r"trockette",
            r"upcycl",
            r"economie circulaire",
            r"circulaire",
            r"seconde main",
            r"seconde vie",
            r"deuxieme vie",
            r"depot-vente",
            r"friperie",
            r"brocant",
            r"dechet",
            r"atelier velo",
            r"velo solidaire",
        ),
    ),
    KeywordRule(
        "culture",
        (
            r"cultur",
            r"friche",
            r"theatr",
            r"artist",
            r"music",
            r"cinema",
            r"spectacle",
            r"festival",
            r"hip hop",
            r"centquatre",
            r"micro-? ?folie",
            r"maisons? folie",
            r"arts\b",
            r"art ?lab",
            r"art ?fab",
            r"art ?factory",
            r"art contemporain",
            r"art numerique",
            r"art urbain",
            r"street art",
            r"centres? d'art\b",
            r"sculpt",
            r"galerie",
            r"musee",
            r"museum",
            r"concert",
            r"danse",
            r"cirque",
            r"jazz",
            r"scene nationale",
            r"epcc\b",
            r"mediatheque",
            r"bibliotheque",
        ),
        # A centre socioculturel is a social centre; « métiers d'art » are crafts (fabrication);
        # « cultures maraîchères » are crops, « arts martiaux » a sport. A lone « art » is too
        # often a company name (« Art Prestige »): only « arts » and « art » in a cultural
        # phrase count.
        exclusions=(
            r"socio-? ?cultur",
            r"arts martiaux",
            r"metiers d'arts?\b",
            r"galeries? marchande",
            r"galeries? commerciale",
            r"cultures? maraich",
            r"cultures? vivri",
            r"cultures? legumi",
            r"cultures? cerealie",
            r"cultures? biolog",
        ),
    ),
    KeywordRule(
        "numerique",
        (
            r"numeri",
            r"numerqi",
            r"\w*num\b",
            r"multimedia",
            r"digi",
            r"cyber",
            r"epn\b",
            r"informatiq",
            r"informaticien",
            r"internet",
            r"web\b",
            r"techs?\b",
            r"media ?lab",
            r"micro-? ?folie",
            r"silicon",
            r"\w*geek",
            r"code\b",
            r"coding",
            r"codage",
            r"data",
            r"linux",
            r"logiciels? libres?",
            r"simplon",
            r"epitech",
        ),
        # « numerqi » is a typo found in the Fabriques de territoire list (« Numérqiue »). A
        # description that gives its web site or postcode says nothing of digital activities.
        exclusions=(r"sites? web", r"pages? web", r"sites? internet", r"code postal"),
    ),
)
"""The keyword rules. Documented in data/README.md and the « À propos des données » page."""

_TYPOLOGY_THEMES: dict[str, tuple[str, ...]] = {
    "tiers lieux a dominante coworking": ("coworking",),
    "tiers lieux a dominante fablab": ("fabrication",),
    # France Tiers-Lieux census families (2023 and 2026 editions).
    "bureaux partages / coworking": ("coworking",),
    "bureaux partages": ("coworking",),
    "coworking": ("coworking",),
    "tiers-lieux culturels": ("culture",),
    "tiers-lieu culturel": ("culture",),
    "fablab / makerspace / hackerspace": ("fabrication",),
    "fablab": ("fabrication",),
    "ateliers artisanaux partages": ("fabrication",),
    "living labs": ("numerique",),
    "tiers-lieux nourriciers": ("alimentation",),
    "tiers-lieu nourricier": ("alimentation",),
    "cuisines partagees / foodlab": ("alimentation",),
    "ressourcerie / recyclerie": ("reemploi",),
    "numerique": ("numerique",),
}

_PROGRAMME_THEMES: dict[str, tuple[str, ...]] = {
    "Manufacture de proximité": ("fabrication",),
}


def normalize_text(text: str | None) -> str:
    """Lower-case, accent-free, single-spaced text for matching (``"Théâtre"`` → ``"theatre"``)."""
    if not text or not isinstance(text, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = stripped.lower().replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"\s+", " ", lowered).strip()


_STREET_NAME = re.compile(
    r"\b(?:rue|avenue|boulevard|impasse|allee|chemin)s? (?:(?:de|des|du|la|l|d)\W+)*\w*"
)
"""A street name and its next word (« rue des Arts », « chemin de la Ferme »)."""


def themes_from_keywords(text: str | None) -> list[str]:
    """Themes whose keyword rule matches ``text`` (a name, a description).

    The text is normalised (:func:`normalize_text`, typographic apostrophes made straight) and
    street names are blanked out first: an address such as « 3 rue des Arts » is no evidence.
    """
    normalized = _STREET_NAME.sub(" ", normalize_text(text).replace("\u2019", "'")) + " "
    return [rule.theme for rule in KEYWORD_RULES if rule.matches(normalized)]


def themes_from_typology(typology: str | None) -> list[str]:
    """Themes implied by a source typology; several can be given, separated by ``;``."""
    found: list[str] = []
    for part in normalize_text(typology).split(";"):
        for theme in _TYPOLOGY_THEMES.get(part.strip(), ()):
            if theme not in found:
                found.append(theme)
    return found


def derive_themes(
    *,
    name: str | None,
    description: str | None = None,
    typology: str | None = None,
    label: str | None = None,
) -> dict[str, str]:
    """Return ``{theme: route}`` for one place, the most reliable route winning.

    Parameters
    ----------
    name, description
        Free text searched by the keyword rules.
    typology
        Source typology (e.g. CGET ``TYPO``, census family labels joined by ``;``).
    label
        Programme label ("Fabrique de territoire", "Manufacture de proximité").

    Returns
    -------
    dict
        Theme code → route (one of :data:`ROUTES`); empty when nothing applies.
    """
    routes: dict[str, str] = {}
    for theme in themes_from_typology(typology):
        routes.setdefault(theme, ROUTE_TYPOLOGY)
    for theme in _PROGRAMME_THEMES.get(label or "", ()):
        routes.setdefault(theme, ROUTE_PROGRAMME)
    for theme in themes_from_keywords(f"{name or ''} {description or ''}"):
        routes.setdefault(theme, ROUTE_KEYWORD)
    return routes


def theme_columns() -> list[str]:
    """Names of the per-theme route columns of the places table (``theme_<code>``)."""
    return [f"theme_{code}" for code in THEMES]


def themes_text(places: pd.DataFrame) -> list[str]:
    """« Fabrication, Culture (mot-clé, indicatif) » for each place: its themes and how they were derived."""
    parts = [
        np.where(
            places[f"theme_{t}"] == ROUTE_KEYWORD,
            f"{THEME_SHORT_LABELS[t]} (mot-clé, indicatif)",
            np.where(places[f"theme_{t}"] != "", THEME_SHORT_LABELS[t], ""),
        )
        for t in THEMES
    ]
    return [", ".join(p for p in row if p) or "sans thème" for row in zip(*parts, strict=True)]


def theme_mask(places: pd.DataFrame, themes: Iterable[str] | None) -> pd.Series:
    """Boolean mask of the places carrying at least one of ``themes`` (all places if empty)."""
    selected = check_choices(themes or (), THEMES, "themes")
    if not selected:
        return pd.Series(True, index=places.index)
    return (places[[f"theme_{t}" for t in selected]] != "").any(axis=1)


def route_counts(places: pd.DataFrame) -> pd.DataFrame:
    """Number of places per theme and derivation route (rows: themes, columns: routes)."""
    rows: list[Mapping[str, object]] = []
    for code, label in THEMES.items():
        column = places[f"theme_{code}"]
        row: dict[str, object] = {"theme": code, "Thème": label}
        for route in ROUTES:
            row[route] = int((column == route).sum())
        row["total"] = int((column != "").sum())
        rows.append(row)
    return pd.DataFrame(rows).set_index("theme")


def theme_rules_table() -> pd.DataFrame:
    """Every theme rule, generated from the mappings and :data:`KEYWORD_RULES` (for the docs page).

    Returns
    -------
    DataFrame
        ``theme`` (code), ``Thème``, ``Voie`` (route description), ``Règle`` (French text),
        in theme order then route precedence.
    """
    rows: list[dict[str, str]] = []
    for typology, themes in _TYPOLOGY_THEMES.items():
        for theme in themes:
            rows.append({"theme": theme, "route": ROUTE_TYPOLOGY, "Règle": f"typologie « {typology} »"})
    for label, themes in _PROGRAMME_THEMES.items():
        for theme in themes:
            rows.append({"theme": theme, "route": ROUTE_PROGRAMME, "Règle": f"label « {label} »"})
    for rule in KEYWORD_RULES:
        text = "mots commençant par : " + ", ".join(rule.patterns)
        if rule.exclusions:
            text += " — sauf dans : " + ", ".join(rule.exclusions)
        rows.append({"theme": rule.theme, "route": ROUTE_KEYWORD, "Règle": text})
    table = pd.DataFrame(rows)
    table["_theme_order"] = table["theme"].map({t: i for i, t in enumerate(THEMES)})
    table["_route_order"] = table["route"].map({r: i for i, r in enumerate(ROUTES)})
    table = table.sort_values(["_theme_order", "_route_order"], kind="stable")
    table["Thème"] = table["theme"].map(THEMES)
    table["Voie"] = table["route"].map(ROUTES)
    return table[["theme", "Thème", "Voie", "Règle"]].reset_index(drop=True)


QUALITY_COLUMNS = ("Thème", "lieux du thème", "détectés", "vrais positifs", "précision", "rappel", "F1")
"""Columns of :func:`keyword_rule_quality`, in order."""


def keyword_rule_quality(labelled: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 of the keyword rules against hand-labelled places.

    Only the keyword route is measured: the rules read ``name`` and ``description`` as
    :func:`themes_from_keywords` does, whatever the source typology or programme says.

    Parameters
    ----------
    labelled
        One row per place: ``name``, optionally ``description``, and one 0/1 column per
        theme code of :data:`THEMES` (1 = a reader gives the place this theme).

    Returns
    -------
    DataFrame
        Indexed by theme code, columns :data:`QUALITY_COLUMNS`: « lieux du thème » (support:
        labelled positives), « détectés » (places the rules give the theme), « vrais positifs »,
        and precision, recall and F1 as fractions — NaN when undefined (nothing detected, no
        positive).

    Raises
    ------
    InvalidParameterError
        If a column is missing or a label is not 0 or 1 (every problem listed).
    """
    truth = _checked_labels(labelled)
    detected = _keyword_detections(labelled)
    return _quality_table(truth, detected)


def _checked_labels(labelled: pd.DataFrame) -> pd.DataFrame:
    problems = [f"colonne « {c} » absente" for c in ("name", *THEMES) if c not in labelled.columns]
    for theme in THEMES:
        if theme in labelled.columns:
            bad = labelled.loc[~labelled[theme].isin([0, 1]), theme]
            if len(bad):
                problems.append(f"« {theme} » doit valoir 0 ou 1, pas {sorted(set(map(str, bad)))}")
    if problems:
        raise InvalidParameterError(
            "`labelled` n'est pas un échantillon étiqueté valide : " + " ; ".join(problems)
        )
    return labelled[list(THEMES)].astype(bool)


def _keyword_detections(labelled: pd.DataFrame) -> pd.DataFrame:
    descriptions = (
        labelled["description"] if "description" in labelled.columns else pd.Series("", labelled.index)
    )
    texts = [
        f"{name or ''} {description or ''}"
        for name, description in zip(labelled["name"].fillna(""), descriptions.fillna(""), strict=True)
    ]
    found = [set(themes_from_keywords(text)) for text in texts]
    return pd.DataFrame(
        {theme: [theme in themes for themes in found] for theme in THEMES}, index=labelled.index
    )


def _quality_table(truth: pd.DataFrame, detected: pd.DataFrame) -> pd.DataFrame:
    support = truth.sum()
    n_detected = detected.sum()
    true_positives = (truth & detected).sum()
    precision = true_positives / n_detected.where(n_detected > 0)
    recall = true_positives / support.where(support > 0)
    # 2·TP / (detected + support) is F1 without the 0/0 of precision and recall both at 0.
    f1 = 2 * true_positives / (n_detected + support).where(n_detected + support > 0)
    table = pd.DataFrame(
        {
            "Thème": [THEMES[t] for t in THEMES],
            "lieux du thème": support.astype(int),
            "détectés": n_detected.astype(int),
            "vrais positifs": true_positives.astype(int),
            "précision": precision.astype(float),
            "rappel": recall.astype(float),
            "F1": f1.astype(float),
        },
        index=pd.Index(list(THEMES), name="theme"),
    )
    return table[list(QUALITY_COLUMNS)]
