"""What the briefing pack says, built once: every sentence, list and note of the three formats.

:func:`briefing_content` turns a :class:`geo.analysis.profile.TerritoryProfile` into a
:class:`BriefingContent` made of plain French strings. The PDF, the PowerPoint deck and the
HTML map only lay it out, so they print the same sentences and the same lists, cut at the
same length: they cannot diverge.

The story runs in this order in every format: « L'essentiel » (three to five sentences, each
with its number), the map, the priority territories without a place, the themes, the
comparisons, the territory by type of commune (density grid, rural communes), then the list
of places and the method and sources.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from geo.analysis.gaps import PROGRAMME_SHORT_LABELS
from geo.analysis.profile import (
    TerritoryProfile,
    key_figure_items,
    method_lines,
    places_table,
    programmes_table,
    references_table,
    similar_table,
    sources_lines,
    theme_table,
)
from geo.analysis.typology_coverage import APPROXIMATE_POINT, typology_table
from geo.fmt import NNBSP, fr_count, fr_km, fr_number, fr_percent, fr_points
from geo.io.catalog import DATASETS, ETALAB, sources_label
from geo.io.placement import PRECISION_ADDRESS, PRECISION_APPROXIMATE, PRECISION_COMMUNE
from geo.themes import without_places

THOUSANDS = re.compile(r"(?<=\d) (?=\d{3}\b)")
"""A plain space between thousands, as in a header typed « 100 000 »."""
WORDS = re.compile(r"[^ \t\n]+")
"""Words: what lies between the spaces a line may break at (not the no-break ones)."""
PIECES = re.compile(r"[^ \t\n-]+-?|-")
"""Pieces a line may break between: words, split after the hyphens they already hold."""
OUTLINES_CREDIT = f"{DATASETS['communes_polygons'].producer} ({DATASETS['communes_polygons'].vintage})"
"""« IGN ADMIN EXPRESS 2018 recodé COG 2026 (contours 2018, codes 2026) »: the outlines drawn."""
SHORT_PRECISIONS = {
    PRECISION_ADDRESS: "adresse",
    PRECISION_APPROXIMATE: "approximative",
    PRECISION_COMMUNE: "commune (approx.)",
}
"""``location_precision`` → the short word of the lists (:data:`geo.io.placement.PRECISIONS` in full)."""
MAX_PRIORITY_ROWS = 15
"""Priority territories listed (and numbered on the maps) in every format."""
MAX_PLACE_ROWS = 20
"""Places listed in every format."""

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
SUBJECTS = {
    "commune": "La commune",
    "epci": "L'intercommunalité",
    "dep": "Le département",
    "reg": "La région",
}
"""Level → subject of the generated sentences (names would need French articles)."""
_LEVEL_POSSESSIVE = {"dep": "son département", "reg": "sa région"}
_SAME_LEVEL_POINTS = 0.5
"""Gap (percentage points) under which a territory is « au niveau » of a reference."""


def french_date(day: date) -> str:
    """« 26 novembre 2026 » (« 1er » for the first of the month)."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def pack_title(profile: TerritoryProfile) -> str:
    """Title of every document of the pack: « Fiche territoire : Tonnerre »."""
    return f"Fiche territoire : {profile.territory.name}"


def pack_subtitle(profile: TerritoryProfile) -> str:
    """« Commune · département 89 · 1 commune » style line under the title."""
    territory = profile.territory
    parts = [territory.level_label]
    if territory.level in ("commune", "epci") and territory.dep:
        parts.append(f"département {territory.dep}")
    parts.append(f"{fr_number(profile.n_communes)} commune{'s' if profile.n_communes > 1 else ''}")
    return " · ".join(parts)


def parameters_text(profile: TerritoryProfile) -> str:
    """The parameters of the pack in one French sentence."""
    return (
        f"Tiers-lieux : {profile.themes_label} ; distance d'accès : {profile.radius_label} à vol d'oiseau ; "
        f"liste utilisée : {profile.places_source}."
    )


def basename_for(profile: TerritoryProfile, day: date) -> str:
    """File name stem of the pack: ``fiche-territoire-commune-89418-2026-11-26``."""
    return f"fiche-territoire-{profile.territory.level}-{profile.territory.code}-{day.isoformat()}"


@dataclass(frozen=True)
class Finding:
    """One sentence of « L'essentiel » and the number it is about."""

    topic: str
    """``places``, ``coverage``, ``priorities``, ``themes`` or ``comparison``."""
    figure: str
    """The number, formatted (« 78,2 % », « 12 »), also written in ``sentence``."""
    sentence: str


@dataclass(frozen=True)
class PackTable:
    """A list as every format prints it: French headers, formatted cells, cut at one length."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    weights: tuple[float, ...]
    """Relative width of each column (the PDF and the slides share them)."""
    numeric: tuple[bool, ...]
    """Right-aligned columns (numbers)."""
    more: str
    """Sentence on the rows left out (« … et 144 autres… »), empty when none was."""
    empty: str
    """Sentence printed instead of the table when it has no row."""

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        *,
        limit: int | None = None,
        weights: Sequence[float] | None = None,
        numeric: Sequence[str] = (),
        more: str = "",
        empty: str = "",
    ) -> PackTable:
        """The first ``limit`` rows of ``frame`` (every row when ``None``), cells as text.

        ``more`` is formatted with ``n``, the number of rows left out, and kept only when
        rows were left out.
        """
        shown = frame if limit is None else frame.head(limit)
        left_out = len(frame) - len(shown)
        columns = tuple(_cell(c) for c in frame.columns)
        rows = tuple(tuple(_cell(v) for v in row) for row in shown.itertuples(index=False))
        return cls(
            columns=columns,
            rows=rows,
            weights=tuple(weights) if weights is not None else (1.0,) * len(columns),
            numeric=tuple(c in {_cell(name) for name in numeric} for c in columns),
            more=more.format(n=fr_number(left_out)) if left_out else "",
            empty=empty,
        )

    def column(self, name: str) -> list[str]:
        """The cells of column ``name``, top to bottom."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def column_widths(
        self, total: float, measure: Callable[[str, bool], float], *, padding: float
    ) -> tuple[list[float], bool]:
        """Column widths summing to ``total`` in which every word fits, and whether they can.

        ``measure(text, bold)`` gives the width of a text in the unit of ``total`` (headers are
        bold); ``padding`` is added on both sides of each cell. Each column first gets the
        width of its longest word (or, when the words cannot all fit, of its longest piece
        between hyphens: French breaks a compound name after a hyphen); the rest of ``total``
        goes, step by step, where it saves the most lines of the table (a short column is
        widened until it takes one line), then by :attr:`weights`.
        """
        layout = TableLayout.measured(self, measure, padding)
        widths, fits = layout.floor(total)
        if not fits:
            return [w * total / sum(widths) for w in widths], False
        widths = layout.spend(widths, total)
        weights = [w / sum(self.weights) for w in self.weights]
        rest = total - sum(widths)
        return [w + rest * share for w, share in zip(widths, weights, strict=True)], True


def wrapped_lines(words: Sequence[float], room: float, space: float) -> int:
    """Lines taken by words of these widths in a line ``room`` wide (greedy wrap at spaces)."""
    lines, used = 1, 0.0
    for word in words:
        if used and used + space + word > room:
            lines, used = lines + 1, word
        else:
            used += (space if used else 0.0) + word
    return lines


@dataclass(frozen=True)
class TableLayout:
    """The measured words of a table's cells: to share its width out (:meth:`PackTable.column_widths`)
    and to count the lines of its rows."""

    words: list[list[list[float]]]
    """Column → cell (header first) → width of each word, padding excluded."""
    pieces: list[float]
    """Column → width of its longest piece between hyphens."""
    space: float
    padding: float

    @classmethod
    def measured(cls, table: PackTable, measure: Callable[[str, bool], float], padding: float) -> TableLayout:
        columns = [[name, *table.column(name)] for name in table.columns]
        words = [
            [
                [measure(word, index == 0) for word in WORDS.findall(cell)] or [0.0]
                for index, cell in enumerate(c)
            ]
            for c in columns
        ]
        pieces = [
            max(
                measure(piece, index == 0)
                for index, cell in enumerate(c)
                for piece in PIECES.findall(cell) or [""]
            )
            for c in columns
        ]
        return cls(words=words, pieces=pieces, space=measure(" ", False), padding=padding)

    def floor(self, total: float) -> tuple[list[float], bool]:
        """The narrowest widths that keep every word whole (else every piece), and whether they fit."""
        words = [2 * self.padding + max(max(cell) for cell in column) for column in self.words]
        if sum(words) <= total:
            return words, True
        pieces = [2 * self.padding + piece for piece in self.pieces]
        return pieces, sum(pieces) <= total

    def _lines(self, column: int, width: float) -> list[int]:
        """Lines each cell of ``column`` takes at ``width``."""
        return [wrapped_lines(cell, width - 2 * self.padding, self.space) for cell in self.words[column]]

    def row_lines(self, widths: Sequence[float]) -> list[int]:
        """Lines each row takes (header first) with columns ``widths`` wide."""
        columns = [self._lines(j, w) for j, w in enumerate(widths)]
        return [max(cells) for cells in zip(*columns, strict=True)]

    def spend(self, widths: list[float], total: float) -> list[float]:
        """``widths`` widened, step by step, where each step of width saves the most lines (the
        table's, then its cells')."""
        widths = list(widths)
        lines = [self._lines(j, w) for j, w in enumerate(widths)]
        step = total / 200

        def rows_cost(columns: list[list[int]]) -> int:
            # The table's height in lines first; the lines of single cells guide the way to it (a
            # row loses a line only when all its cells do, each widening alone may save none).
            return 3 * sum(max(cells) for cells in zip(*columns, strict=True)) + sum(map(sum, columns))

        cost = rows_cost(lines)
        while (room := total - sum(widths)) >= step:
            best: tuple[float, int, float, list[int]] | None = None
            for j in range(len(widths)):
                for steps in (1, 2, 4, 8, 16, 32, 64):
                    extra = min(steps * step, room)
                    trial = self._lines(j, widths[j] + extra)
                    saved = cost - rows_cost([*lines[:j], trial, *lines[j + 1 :]])
                    if saved > 0 and (best is None or saved / extra > best[0]):
                        best = (saved / extra, j, extra, trial)
            if best is None:
                break
            _ratio, j, extra, trial = best
            widths[j] += extra
            lines[j] = trial
            cost = rows_cost(lines)
        return widths


def _cell(value: object) -> str:
    """A cell as text; a plain space between thousands (« 100 000 » in a header) made no-break."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return THOUSANDS.sub(NNBSP, str(value))


@dataclass(frozen=True)
class Section:
    """One step of the story: its title, what a presenter says over it, and its sources."""

    title: str
    notes: str
    """Speaker notes: the figures, their sources and how to read them."""
    source: str
    """One-line « Sources : … » printed under the section's figure or slide."""


@dataclass(frozen=True)
class ThemeSection:
    """The themes part of the pack, from :func:`theme_section`."""

    rows: pd.DataFrame
    """One row per theme (``"tous"`` first), as :attr:`TerritoryProfile.theme_coverage`:
    ``label``, ``places``, ``share_covered``, ``reference_share``, ``nearest_m``."""
    table: PackTable
    finding: Finding | None
    """The theme most behind its reference (``None`` when no theme can be compared)."""


@dataclass(frozen=True)
class TypesSection:
    """The « par type de territoire » part of the pack, from :func:`types_section`."""

    summary: str
    """The rural figures in one or two sentences (a commune: its classes)."""
    figures: tuple[tuple[str, str], ...]
    """The same figures as (value, label) pairs, for a slide (none for a commune)."""
    table: PackTable
    """Coverage by density level and INSEE group (a commune: its class in each typology)."""


@dataclass(frozen=True)
class BriefingContent:
    """Everything the pack prints, as French strings (see :func:`briefing_content`)."""

    title: str
    subtitle: str
    date_text: str
    parameters: str
    footer: tuple[str, str]
    """Territory, date and parameters; the Atlas and the list of places: on every page."""
    essentials: tuple[Finding, ...]
    key_figures: tuple[tuple[str, str], ...]
    programmes: PackTable
    programme_status: tuple[tuple[str, str], ...]
    """(programme, short answer: « Oui », « 3 communes ») for the slides."""
    map_reading: tuple[str, ...]
    """How to read the map, one short line per symbol drawn."""
    priorities: PackTable
    themes: ThemeSection
    references: PackTable
    similar: PackTable
    similar_criteria: str
    types: TypesSection
    places: PackTable
    method: tuple[str, ...]
    sources: tuple[str, ...]
    sections: dict[str, Section]
    """Section key (``cover``, ``essentials``, ``figures``, ``map``, ``priorities``,
    ``themes``, ``comparisons``, ``similar``, ``types``, ``places``, ``method``, ``sources``) →
    title, notes, source line."""


def _themes_phrase(profile: TerritoryProfile) -> str:
    return "tous thèmes" if not profile.themes else f"thèmes : {profile.themes_label}"


def _places_finding(profile: TerritoryProfile) -> Finding:
    subject = SUBJECTS[profile.territory.level]
    n_places, n_around = profile.figures.n_places, profile.n_around
    radius = profile.radius_label
    others = "autre" if n_places else "tiers-lieu"
    around = (
        f"{fr_count(n_around, others, others + ('s' if n_places else 'x'))} "
        f"{'sont' if n_around > 1 else 'est'} à moins de {radius} de ses limites"
        if n_around
        else f"aucun {'autre ' if n_places else ''}n'est à moins de {radius} de ses limites"
    )
    if n_places:
        density = fr_number(profile.figures.places_per_100k, 1)
        text = (
            f"{subject} compte {fr_count(n_places, 'tiers-lieu', 'tiers-lieux')} "
            f"({_themes_phrase(profile)}), "
            f"soit {density} pour 100{NNBSP}000 habitants ; {around}."
        )
    else:
        text = f"{subject} ne compte aucun tiers-lieu ({_themes_phrase(profile)}) ; {around}."
    return Finding("places", fr_number(n_places), text)


def _coverage_finding(profile: TerritoryProfile) -> Finding | None:
    f = profile.figures
    if not f.population:
        return None
    share = fr_percent(f.share_covered)
    return Finding(
        "coverage",
        share,
        f"{share} des habitants ({fr_number(f.population_covered)} sur {fr_number(f.population)}) vivent "
        f"à moins de {profile.radius_label} d'un tiers-lieu, à vol d'oiseau.",
    )


def _priority_composition(profile: TerritoryProfile) -> str:
    """« 1 commune PVD », « 5 communes ACV, 19 communes PVD et 21 QPV »."""
    f = profile.figures
    parts = [
        fr_count(count, f"commune {label}", f"communes {label}")
        if code != "qpv"
        else f"{fr_number(count)} QPV"
        for code, label, count in (
            ("acv", "ACV", f.acv_total),
            ("pvd", "PVD", f.pvd_total),
            ("qpv", "QPV", f.qpv_total),
        )
        if count
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " et " + parts[-1]


def _gap_name(row: pd.Series) -> str:
    """« Saint-Pons-de-Thomières (PVD, 1 706 habitants) », « le QPV Centre Ville (Agde) »."""
    if row["programme"] == "qpv":
        return f"le QPV {row['name']} ({row['commune']})"
    label = PROGRAMME_SHORT_LABELS[str(row["programme"])]
    return f"{row['name']} ({label}, {fr_count(round(float(row['population'])), 'habitant')})"


def _gap_finding(profile: TerritoryProfile) -> Finding | None:
    f = profile.figures
    total = f.acv_total + f.pvd_total + f.qpv_total
    if not total:
        return None
    radius = profile.radius_label
    gaps = profile.gaps
    if not len(gaps):
        return Finding(
            "priorities",
            fr_number(total),
            f"Ses {fr_number(total)} territoires prioritaires ({_priority_composition(profile)}) ont tous un "
            f"tiers-lieu à moins de {radius}."
            if total > 1
            else f"Son territoire prioritaire ({_priority_composition(profile)}) a un tiers-lieu à moins de "
            f"{radius}.",
        )
    first = gaps.iloc[0]
    distance = float(first["distance_m"])
    nearest = (
        f"à {fr_km(distance)} du tiers-lieu le plus proche ({first['nearest_place']})"
        if np.isfinite(distance)
        else "sans aucun tiers-lieu de ces thèmes dans la zone"
    )
    n_gaps = len(gaps)
    if n_gaps == 1 and total == 1:
        text = f"Son territoire prioritaire, {_gap_name(first)}, n'a pas de tiers-lieu à moins de {radius} : "
        text += (
            f"le plus proche, {first['nearest_place']}, est à {fr_km(distance)}."
            if np.isfinite(distance)
            else "aucun tiers-lieu de ces thèmes dans la zone."
        )
    elif n_gaps == 1:
        text = (
            f"1 territoire prioritaire sur {fr_number(total)} n'a pas de tiers-lieu à moins de {radius} : "
            f"{_gap_name(first)}, {nearest}."
        )
    else:
        text = (
            f"{fr_number(n_gaps)} territoires prioritaires sur {fr_number(total)} n'ont pas de tiers-lieu à "
            f"moins de {radius} ; le plus éloigné, {_gap_name(first)}, est {nearest}."
        )
    return Finding("priorities", fr_number(n_gaps), text[0].upper() + text[1:])


def _comparison_finding(profile: TerritoryProfile) -> Finding | None:
    refs = profile.references.set_index("role")
    own = float(refs.loc["territoire", "share_covered"])
    national = float(refs.loc["national", "share_covered"]) if "national" in refs.index else math.nan
    if not (np.isfinite(own) and np.isfinite(national)):
        return None
    points = 100 * (own - national)
    if abs(points) < _SAME_LEVEL_POINTS:
        verdict, figure = "est au niveau de", fr_percent(own)
    else:
        verdict = "fait mieux que" if points > 0 else "fait moins bien que"
        figure = fr_points(own - national)
    others = []
    for role in ("dep", "reg"):
        if role in refs.index and np.isfinite(refs.loc[role, "share_covered"]):
            label = str(refs.loc[role, "label"]).split(" (")[0]
            others.append(
                f"{_LEVEL_POSSESSIVE[role]}, {label} : {fr_percent(refs.loc[role, 'share_covered'])}"
            )
    if "similaires" in refs.index and np.isfinite(refs.loc["similaires", "share_covered"]):
        others.append(
            f"territoires similaires (ensemble) : {fr_percent(refs.loc['similaires', 'share_covered'])}"
        )
    text = (
        f"{SUBJECTS[profile.territory.level]} {verdict} la référence nationale"
        + (f" ({figure})" if figure != fr_percent(own) else "")
        + f" : {fr_percent(own)} "
        f"d'habitants à moins de {profile.radius_label} d'un tiers-lieu, contre {fr_percent(national)} "
        f"({profile.reference_label})"
    )
    text += " ; " + " ; ".join(others) + "." if others else "."
    return Finding("comparison", figure, text)


def theme_section(profile: TerritoryProfile) -> ThemeSection:
    """The themes part of the pack: rows for the chart, the table and the « most missing » sentence.

    Every theme figure of the pack goes through this function (the chart of
    :mod:`geo.render.briefing.figures` reads :attr:`ThemeSection.rows`), so a rule on which themes can
    be shown is applied here once for the three formats.
    """
    rows = profile.theme_coverage
    frame = theme_table(profile)
    table = PackTable.from_frame(
        frame,
        # Thème, places, share, reference share, [nearest place, communes only], finding possible.
        weights=(1.6, 1.2, 1.3, 1.3, *((1.2,) if len(frame.columns) == 6 else ()), 1.9),
        numeric=tuple(frame.columns[1:-1]),
    )
    return ThemeSection(rows=rows, table=table, finding=_theme_finding(profile, rows))


def _theme_finding(profile: TerritoryProfile, rows: pd.DataFrame) -> Finding | None:
    themes = rows.drop(index="tous", errors="ignore")
    # A theme with too few places in the reference area is no finding (geo.analysis.thematic.SUPPORT_RULE).
    themes = themes[themes["sufficient"].astype(bool)]
    comparable = themes[np.isfinite(themes["share_covered"]) & np.isfinite(themes["reference_share"])]
    if comparable.empty:
        return None
    shortfall = comparable["reference_share"] - comparable["share_covered"]
    worst = comparable.loc[shortfall.idxmax()]
    share, reference = fr_percent(worst["share_covered"]), fr_percent(worst["reference_share"])
    where = f"en {profile.reference_label}" if profile.territory.zone == "metro" else profile.reference_label
    if shortfall.max() > 0:
        text = (
            f"Thème le plus en retrait : {str(worst['label']).lower()}, avec {share} des habitants à "
            f"moins de {profile.radius_label} d'un lieu de ce thème, contre {reference} {where} "
            "(thèmes indicatifs)."
        )
    else:
        text = (
            f"Chaque thème est au moins au niveau de la référence ({where}) ; le moins accessible est "
            f"{str(worst['label']).lower()}, avec {share} des habitants à moins de {profile.radius_label} "
            "(thèmes indicatifs)."
        )
    return Finding("themes", share, text)


def essentials(profile: TerritoryProfile) -> tuple[Finding, ...]:
    """« L'essentiel »: three to five sentences generated from the figures, each with its number.

    In this order: places and density, population covered, the farthest priority territory
    (when the territory has ACV / PVD communes or QPV), the theme most behind the reference,
    and how the territory compares with the national reference and its département / région.
    """
    return _essentials(profile, theme_section(profile))


def _essentials(profile: TerritoryProfile, themes: ThemeSection) -> tuple[Finding, ...]:
    candidates = (
        _places_finding(profile),
        _coverage_finding(profile),
        _gap_finding(profile),
        themes.finding,
        _comparison_finding(profile),
    )
    return tuple(finding for finding in candidates if finding is not None)


TYPES_SOURCE = "INSEE, grille communale de densité ; ANCT – INRAE, centralités ; ANCT, ruralités et massifs"
"""The typologies' credit in a section's source line."""


def _rural_summary(profile: TerritoryProfile) -> str:
    """« 66,8 % des habitants vivent en commune rurale… » for a territory larger than a commune."""
    assert profile.typology is not None
    rural = profile.typology.rural
    if not rural.rural_population:
        return "Aucune commune rurale (définition INSEE 2021) dans le territoire."
    far = (
        f"{fr_percent(rural.share_rural_uncovered)} d'entre eux "
        f"({fr_count(rural.rural_population_uncovered, 'habitant')}) sont à plus de {profile.radius_label} "
        "d'un tiers-lieu"
    )
    places = (
        f"{fr_percent(rural.share_places_rural)} des tiers-lieux du territoire y sont situés"
        if rural.places
        else "le territoire ne compte aucun tiers-lieu"
    )
    return (
        f"{fr_percent(rural.share_population_rural)} des habitants vivent en commune rurale (définition "
        f"INSEE 2021 : bourgs ruraux, habitat dispersé ou très dispersé) ; {far}, et {places}."
    )


def _rural_figures(profile: TerritoryProfile) -> tuple[tuple[str, str], ...]:
    """(value, label) of the rural figures, for a slide."""
    assert profile.typology is not None
    rural = profile.typology.rural
    if not rural.rural_population:
        return ()
    return (
        (fr_percent(rural.share_population_rural), "des habitants vivent en commune rurale"),
        (
            fr_percent(rural.share_rural_uncovered),
            f"des habitants ruraux ({fr_number(rural.rural_population_uncovered)}) à plus de "
            f"{profile.radius_label} d'un tiers-lieu",
        ),
        (fr_percent(rural.share_places_rural), "des tiers-lieux situés en commune rurale"),
    )


def _commune_summary(profile: TerritoryProfile) -> str:
    """« Tonnerre : Petites villes (intermédiaire) ; Centre intermédiaire… » for a commune."""
    assert profile.commune_types is not None
    classes = profile.commune_types.set_index("Typologie")["Classe"]
    text = (
        f"{profile.territory.name} : {classes.iloc[0]} selon la grille de densité de l'INSEE, "
        f"{str(classes.iloc[1])[:1].lower()}{str(classes.iloc[1])[1:]} (centralités ANCT – INRAE)."
    )
    point = classes.get("Point représentatif de la commune", "")
    if str(point).startswith(APPROXIMATE_POINT):
        text += f" Distances approximatives : {str(point).removeprefix(APPROXIMATE_POINT + ' : ')}."
    return text


def types_section(profile: TerritoryProfile) -> TypesSection:
    """The territory by type of commune: coverage per density level (INSEE groups and total) and
    the rural figures, or, for a commune, its class in each typology."""
    if profile.commune_types is not None:
        table = PackTable.from_frame(profile.commune_types, weights=(1.5, 2.4, 1.9))
        return TypesSection(summary=_commune_summary(profile), figures=(), table=table)
    assert profile.typology is not None
    radius = profile.radius_label
    full = typology_table(profile.typology, "densite", radius_label=radius)
    columns = {
        "Type de communes": "Type de communes",
        "Population 2023": "Population",
        "Part de la population": "Part des habitants",
        f"Part à moins de {radius}": f"À moins de {radius}",
        f"Habitants à plus de {radius}": f"Habitants à plus de {radius}",
        "Tiers-lieux": "Tiers-lieux",
        "Tiers-lieux pour 100 000 hab.": "Pour 100 000 hab.",
    }
    frame = full[list(columns)].rename(columns=columns)
    for column in ("Part des habitants", f"À moins de {radius}"):
        frame[column] = [fr_percent(v) for v in frame[column]]
    for column in ("Population", f"Habitants à plus de {radius}", "Tiers-lieux"):
        frame[column] = [fr_number(v) for v in frame[column]]
    frame["Pour 100 000 hab."] = [fr_number(v, 1) for v in frame["Pour 100 000 hab."]]
    table = PackTable.from_frame(
        frame,
        weights=(2.3, 1.1, 1.0, 1.0, 1.2, 0.9, 1.0),
        numeric=tuple(frame.columns[1:]),
    )
    return TypesSection(summary=_rural_summary(profile), figures=_rural_figures(profile), table=table)


def priorities_table(profile: TerritoryProfile) -> PackTable:
    """Priority territories without a place within the distance, farthest first, numbered."""
    gaps = profile.gaps
    frame = pd.DataFrame(
        {
            "N°": [fr_number(r) for r in gaps["rank"]],
            "Territoire prioritaire": [
                f"{name} ({commune})" if programme == "qpv" else name
                for name, commune, programme in zip(
                    gaps["name"], gaps["commune"], gaps["programme"], strict=True
                )
            ],
            "Programme": gaps["programme"].map(PROGRAMME_SHORT_LABELS),
            "Population": [fr_number(v, missing="n. d.") for v in gaps["population"]],
            "Tiers-lieu le plus proche": [
                f"{name} ({fr_km(d)})" if np.isfinite(d) else "aucun dans la zone"
                for name, d in zip(gaps["nearest_place"], gaps["distance_m"].astype(float), strict=True)
            ],
        }
    )
    return PackTable.from_frame(
        frame,
        limit=MAX_PRIORITY_ROWS,
        weights=(0.45, 2.4, 1.0, 1.0, 3.0),
        numeric=("N°", "Population"),
        more="… et {n} autres, plus proches d'un tiers-lieu : liste complète sur la page « Zones blanches ».",
        empty=f"Aucune commune ACV ou PVD ni aucun QPV du territoire n'est {without_places(profile.themes)} "
        "à cette distance.",
    )


def places_list(profile: TerritoryProfile) -> PackTable:
    """Places in the territory then around it (nearest first), with theme, location and source."""
    places = profile.places
    frame = places_table(profile).assign(  # the page's table, in the pack's shorter words
        Localisation=[SHORT_PRECISIONS.get(p, str(p)) for p in places["location_precision"]],
        Source=[sources_label(codes, other=profile.places_source) for codes in places["sources"]],
    )
    return PackTable.from_frame(
        frame,
        limit=MAX_PLACE_ROWS,
        weights=(2.3, 1.4, 1.6, 1.1, 1.3, 1.7),
        more="… et {n} autres : liste complète sur la page « Fiche territoire ».",
        empty=f"Aucun tiers-lieu ({profile.themes_label}) dans le territoire ni à moins de "
        f"{profile.radius_label} de ses limites.",
    )


def _compact_sources(profile: TerritoryProfile) -> tuple[str, ...]:
    """:func:`geo.analysis.profile.sources_lines` with the licence said once when every dataset shares it."""
    lines = sources_lines(profile)
    suffix = f", {ETALAB}"
    cited = lines[1:]
    if cited and all(line.endswith(suffix) for line in cited):
        return (
            lines[0],
            *(line.removesuffix(suffix) for line in cited),
            f"Licence de ces données : {ETALAB}.",
        )
    return tuple(lines)


def _sources_line(profile: TerritoryProfile, *extra: str) -> str:
    return "Sources : " + " ; ".join([profile.places_source, "INSEE, population municipale 2023", *extra])


PROGRAMMES_SOURCE = "ANCT (ACV 2024, PVD 2021, QPV 2024, France services 2024)"


def _map_reading(profile: TerritoryProfile) -> tuple[str, ...]:
    """How to read the map, one line per kind of symbol the map of ``profile`` draws."""
    places = profile.places
    lines = [
        f"Contour bleu : {profile.territory.name} ; tirets : {profile.radius_label} autour de ses limites."
    ]
    if len(places):
        hollow = (places["location_precision"] != PRECISION_ADDRESS).any()
        lines.append(
            "Points : tiers-lieux colorés par thème"
            + (
                " ; cercles creux : localisation approximative (point de la commune ou adresse peu précise)."
                if hollow
                else "."
            )
        )
    if len(profile.gaps):
        lines.append(
            f"Grands symboles numérotés : communes ACV / PVD et QPV {without_places(profile.themes)} à cette "
            "distance (numéros de la liste des priorités)."
        )
    lines.append("Pas de fond de carte : contours des communes et des territoires voisins.")
    return tuple(lines)


def _priorities_notes(profile: TerritoryProfile, priorities: PackTable) -> str:
    radius = profile.radius_label
    n_gaps, n_listed = len(profile.gaps), len(priorities.rows)
    if not n_gaps:
        listed = f"Aucun territoire prioritaire n'est {without_places(profile.themes)} à moins de {radius}."
    else:
        how = (
            "listé"
            if n_gaps == 1
            else "listés"
            if n_listed == n_gaps
            else f"dont les {fr_number(n_listed)} premiers sont listés"
        )
        listed = (
            f"{fr_count(n_gaps, 'territoire prioritaire', 'territoires prioritaires')} "
            f"{without_places(profile.themes)} à moins de {radius}, {how} du plus éloigné au plus proche "
            "d'un tiers-lieu."
        )
    return (
        f"{listed} Lecture : distance à vol d'oiseau entre le point représentatif de la commune (ou du "
        f"quartier) et le tiers-lieu le plus proche ; {profile.qpv_note}. Les numéros sont ceux de la "
        f"carte. {_sources_line(profile, PROGRAMMES_SOURCE)}."
    )


def _places_notes(profile: TerritoryProfile, places: PackTable) -> str:
    listed = (
        f" ; {fr_number(len(places.rows))} listés (d'abord ceux du territoire, puis les plus proches). "
        if len(places.rows)
        else ". "
    )
    return (
        f"{fr_count(profile.figures.n_places, 'tiers-lieu', 'tiers-lieux')} dans le territoire et "
        f"{fr_number(profile.n_around)} à moins de {profile.radius_label} de ses limites{listed}"
        "Localisation « commune » : lieu placé au point de sa commune ; « approximative » : adresse "
        "géocodée à la rue ou à la commune. "
        f"{_sources_line(profile)}."
    )


def _chart_notes(finding: Finding | None, reading: str, profile: TerritoryProfile) -> str:
    return (finding.sentence + " " if finding else "") + f"Lecture : {reading} {_sources_line(profile)}."


def _types_notes(profile: TerritoryProfile, types: TypesSection) -> str:
    if profile.commune_types is not None:
        reading = "classe de la commune dans chaque typologie publiée par l'Observatoire des territoires."
    else:
        reading = (
            "chaque commune compte entière dans son niveau de la grille de densité ; part des habitants de "
            f"chaque niveau à moins de {profile.radius_label} d'un tiers-lieu, tiers-lieux situés dans ces "
            "communes. Les totaux par groupe (urbain dense, intermédiaire, rural) sont ceux de l'INSEE."
        )
    return (
        f"{types.summary} Lecture : {reading} {_sources_line(profile, TYPES_SOURCE)}, via l'Observatoire "
        "des territoires."
    )


def _sections(
    profile: TerritoryProfile,
    *,
    findings: tuple[Finding, ...],
    priorities: PackTable,
    themes: ThemeSection,
    types: TypesSection,
    places: PackTable,
) -> dict[str, Section]:
    """Title, notes and source line of every section, in the order of the pack."""
    return {
        **_opening_sections(profile, findings),
        **_analysis_sections(profile, findings=findings, priorities=priorities, themes=themes, types=types),
        **_closing_sections(profile, places),
    }


def _opening_sections(profile: TerritoryProfile, findings: tuple[Finding, ...]) -> dict[str, Section]:
    """Cover, essentials, key figures and map."""
    radius = profile.radius_label
    base = _sources_line(profile)
    map_source = _sources_line(profile, f"contours {OUTLINES_CREDIT}", "ANCT (ACV, PVD, QPV)")
    figures_notes = " ".join(
        f"{label} : {value}." + (f" {explanation}" if explanation else "")
        for label, value, explanation in key_figure_items(profile)
    )
    programmes = " ; ".join(f"{p.label} : {p.text}" for p in profile.programmes)
    return {
        "cover": Section(
            pack_title(profile),
            f"Dossier préparé avec l'Atlas des tiers-lieux. {parameters_text(profile)} Chaque diapositive "
            "indique ses sources ; la méthode et les millésimes sont détaillés à la fin.",
            "",
        ),
        "essentials": Section(
            "L'essentiel",
            "À retenir : "
            + " ".join(f.sentence for f in findings)
            + f" Lecture : part de la population municipale 2023 (INSEE) à moins de {radius} à vol d'oiseau "
            f"d'un tiers-lieu, mesurée depuis le point représentatif de chaque commune. {base}.",
            base,
        ),
        "figures": Section(
            "Chiffres clés et programmes publics",
            f"{figures_notes} Programmes : {programmes}. {_sources_line(profile, PROGRAMMES_SOURCE)}.",
            _sources_line(profile, PROGRAMMES_SOURCE),
        ),
        "map": Section(
            f"Carte : {profile.territory.name} et {radius} alentour",
            "Lecture : " + " ".join(_map_reading(profile)) + f" {map_source}.",
            map_source,
        ),
    }


def _analysis_sections(
    profile: TerritoryProfile,
    *,
    findings: tuple[Finding, ...],
    priorities: PackTable,
    themes: ThemeSection,
    types: TypesSection,
) -> dict[str, Section]:
    """Priorities, coverage by theme, comparisons, similar territories and types of territory."""
    radius = profile.radius_label
    base = _sources_line(profile)
    comparison = next((f for f in findings if f.topic == "comparison"), None)
    return {
        "priorities": Section(
            f"Priorités : ACV, PVD et QPV {without_places(profile.themes)} à moins de {radius}",
            _priorities_notes(profile, priorities),
            _sources_line(profile, PROGRAMMES_SOURCE),
        ),
        "themes": Section(
            "Couverture par thème (indicatif)",
            _chart_notes(
                themes.finding,
                f"chaque barre donne la part des habitants à moins de {radius} d'un lieu du thème ; le trait "
                f"noir, la même part pour {profile.reference_label}. Les thèmes viennent de la typologie de "
                "la source, du label du programme ou de mots-clés sur les noms : indicatif.",
                profile,
            ),
            base,
        ),
        "comparisons": Section(
            "Comparaisons",
            _chart_notes(
                comparison,
                f"part de la population municipale 2023 à moins de {radius} d'un tiers-lieu, pour le "
                "territoire (bleu), ses références (gris) et des territoires similaires (bleu clair).",
                profile,
            ),
            base,
        ),
        "similar": Section(
            "Territoires similaires",
            f"Critères : {profile.similar_criteria}. Lecture : les territoires les plus proches en "
            "population parmi ceux qui remplissent ces critères, avec leur part d'habitants à moins de "
            f"{radius} d'un tiers-lieu. {base}.",
            base,
        ),
        "types": Section(
            "Type de commune" if profile.commune_types is not None else "Par type de territoire",
            _types_notes(profile, types),
            _sources_line(profile, TYPES_SOURCE),
        ),
    }


def _closing_sections(profile: TerritoryProfile, places: PackTable) -> dict[str, Section]:
    """Places list, method and sources."""
    return {
        "places": Section(
            "Tiers-lieux dans le territoire et alentour",
            _places_notes(profile, places),
            _sources_line(profile),
        ),
        "method": Section(
            "Méthode et limites",
            f"Paramètres : {parameters_text(profile)} " + " ".join(method_lines(profile)),
            "",
        ),
        "sources": Section(
            "Sources et millésimes",
            "Toutes les données sont publiques : " + " ; ".join(_compact_sources(profile)),
            "",
        ),
    }


def briefing_content(profile: TerritoryProfile, *, generated_on: date) -> BriefingContent:
    """Every sentence, list and note of the briefing pack of ``profile``.

    Parameters
    ----------
    profile
        :func:`geo.analysis.profile.territory_profile`: the object the « Fiche territoire » page shows.
    generated_on
        Date printed on the documents.

    Returns
    -------
    BriefingContent
        Plain French strings; the lists are cut at :data:`MAX_PRIORITY_ROWS` and
        :data:`MAX_PLACE_ROWS` rows for every format.
    """
    themes = theme_section(profile)
    findings = _essentials(profile, themes)
    priorities = priorities_table(profile)
    types = types_section(profile)
    places = places_list(profile)
    references, similar = references_table(profile), similar_table(profile)
    day = french_date(generated_on)
    return BriefingContent(
        title=pack_title(profile),
        subtitle=pack_subtitle(profile),
        date_text=day,
        parameters=parameters_text(profile),
        footer=(
            f"{pack_title(profile)} · {day} · {profile.themes_label} · {profile.radius_label} à vol d'oiseau",
            f"Atlas des tiers-lieux · liste utilisée : {profile.places_source}",
        ),
        essentials=findings,
        key_figures=tuple((label, value) for label, value, _ in key_figure_items(profile)),
        programmes=PackTable.from_frame(programmes_table(profile), weights=(1.4, 1.7, 1.9)),
        programme_status=tuple(
            (p.label + (" (historique)" if p.historical else ""), p.text) for p in profile.programmes
        ),
        map_reading=_map_reading(profile),
        priorities=priorities,
        themes=themes,
        references=PackTable.from_frame(
            references, weights=(1.3, 2.0, 1.1, 0.9, 1.0, 1.2), numeric=tuple(references.columns[2:])
        ),
        similar=PackTable.from_frame(
            similar,
            weights=(2.2, 1.0, 1.0, 1.3, 0.9, 1.0, 1.2),
            numeric=tuple(c for c in similar.columns if c not in ("Territoire", "Programmes")),
            empty="Aucun territoire similaire selon ces critères.",
        ),
        similar_criteria=profile.similar_criteria,
        types=types,
        places=places,
        method=tuple(method_lines(profile)),
        sources=_compact_sources(profile),
        sections=_sections(
            profile, findings=findings, priorities=priorities, themes=themes, types=types, places=places
        ),
    )
