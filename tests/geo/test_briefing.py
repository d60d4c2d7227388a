"""Briefing pack: one content builder, and a PDF, a deck and an HTML map a presenter can show.

Checked on the real bundled data for a PVD commune (Tonnerre), a département (Hérault) and a
région (Occitanie): « L'essentiel » first, no heading left at the foot of a page, no word cut,
chart text of 9 pt or more at print size, text of 14 pt or more on every slide, speaker notes
and a title placeholder on every slide, the same lists in the PDF and the deck, and a map
with the access ring and a legend of what is drawn only.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import date

import pandas as pd
import pytest
from matplotlib.text import Text
from pptx import Presentation
from pypdf import PdfReader

from geo.analysis.profile import (
    ProfileBasis,
    TerritoryProfile,
    key_figure_items,
    profile_basis,
    territory_profile,
    theme_table,
)
from geo.fmt import fr_number, fr_percent
from geo.io.atlas import load_commune_polygons
from geo.io.catalog import DATASETS, PLACE_SOURCES
from geo.render.briefing import (
    BriefingContent,
    BriefingPack,
    briefing_content,
    briefing_pack,
    french_date,
    pack_title,
    profile_map,
    standalone_map_html,
)
from geo.render.briefing.content import MAX_PLACE_ROWS, MAX_PRIORITY_ROWS, PackTable
from geo.render.briefing.figures import PRINT, SLIDE, comparison_chart, static_map, theme_chart
from geo.render.briefing.mapdata import map_layers, placed_labels
from geo.render.briefing.slides import LAYOUTS, MIN_FONT_PT
from geo.render.maps import base_map
from geo.search import territory_by_key
from tests.conftest import ROOT

DAY = date(2026, 3, 1)
SPACES = re.compile(r"[\s\u202f\u00a0]+")
TERRITORIES = ("commune:89418", "dep:34", "reg:76")
"""A PVD commune (Tonnerre), a département (Hérault) and a région (Occitanie)."""
HEADING_SIZES = (13.0, 10.5)
"""Font sizes of the PDF's section headings and sub-headings."""
FOOTER_TOP_PT = 45.0
"""The footer lies below this height on the page (points from the bottom)."""


def _flat(text: str) -> str:
    """Text with every kind of space (narrow no-break included) and line break as one plain space."""
    return SPACES.sub(" ", text)


def _joined(text: str) -> str:
    """PDF text with the lines a hyphen ends joined back (« Saint-Pons-de-\\nThomières »)."""
    return _flat(re.sub(r"(?<=\S)-\n", "-", text))


@pytest.fixture(scope="module")
def basis(atlas) -> ProfileBasis:
    return profile_basis(atlas, load_commune_polygons())


@pytest.fixture(scope="module")
def profiles(atlas, basis) -> dict[str, TerritoryProfile]:
    return {
        key: territory_profile(atlas, basis, territory_by_key(basis.index, key), radius_km=10)
        for key in TERRITORIES
    }


@pytest.fixture(scope="module")
def packs(basis, profiles) -> dict[str, BriefingPack]:
    return {key: briefing_pack(basis, profile, generated_on=DAY) for key, profile in profiles.items()}


@pytest.fixture(scope="module")
def packs_by_key(atlas, basis, packs) -> Callable[[str], BriefingPack]:
    """The pack of any territory at 10 km (those of :data:`TERRITORIES` already made)."""

    def pack(key: str) -> BriefingPack:
        if key not in packs:
            territory = territory_by_key(basis.index, key)
            packs[key] = briefing_pack(basis, territory_profile(atlas, basis, territory), generated_on=DAY)
        return packs[key]

    return pack


@pytest.fixture(scope="module")
def contents(profiles) -> dict[str, BriefingContent]:
    return {key: briefing_content(profile, generated_on=DAY) for key, profile in profiles.items()}


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _pptx_text(deck: Presentation) -> str:
    parts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return _flat("\n".join(parts))


def _deck(pack: BriefingPack) -> Presentation:
    return Presentation(io.BytesIO(pack.pptx))


def _slide_title(slide) -> str:
    return slide.shapes.title.text_frame.text


def _slide_table_rows(deck: Presentation, title_start: str) -> list[tuple[str, ...]]:
    """Body rows of the tables of the slides whose title starts with ``title_start``, in order."""
    rows = []
    for slide in deck.slides:
        if _slide_title(slide).startswith(title_start):
            for shape in slide.shapes:
                if shape.has_table:
                    rows += [tuple(cell.text for cell in row.cells) for row in list(shape.table.rows)[1:]]
    return rows


def test_french_date() -> None:
    assert french_date(date(2026, 3, 1)) == "1er mars 2026"
    assert french_date(date(2026, 11, 26)) == "26 novembre 2026"


@pytest.mark.parametrize("key", TERRITORIES)
def test_essentials_are_three_to_five_sentences_each_with_its_number(contents, key) -> None:
    findings = contents[key].essentials
    assert 3 <= len(findings) <= 5
    for finding in findings:
        assert re.search(r"\d", finding.figure), finding
        assert finding.figure in finding.sentence
        assert finding.sentence.endswith(".")
    topics = [f.topic for f in findings]
    assert topics[:2] == ["places", "coverage"]
    assert "themes" in topics
    assert "comparison" in topics


def test_essentials_name_the_farthest_priority_territory(contents, profiles) -> None:
    occitanie = profiles["reg:76"]
    gap = next(f for f in contents["reg:76"].essentials if f.topic == "priorities")
    assert gap.figure == str(len(occitanie.gaps))
    assert str(occitanie.gaps.iloc[0]["name"]) in gap.sentence  # Osséja, 61,9 km away
    assert "61,9" in gap.sentence
    tonnerre = next(f for f in contents["commune:89418"].essentials if f.topic == "priorities")
    assert tonnerre.figure == "1"  # its one PVD commune, itself, has a place within 10 km
    assert "a un tiers-lieu à moins de 10" in tonnerre.sentence


def test_number_columns_are_right_aligned_and_thousands_never_break(contents) -> None:
    references = contents["dep:34"].references
    assert "Pour 100\u202f000 hab." in references.columns  # the header's plain space made no-break
    assert references.numeric == (False, False, True, True, True, True)
    assert contents["reg:76"].priorities.numeric == (True, False, False, True, False)


def test_lists_are_cut_at_one_length_and_say_how_many_were_left_out(contents, profiles) -> None:
    region = contents["reg:76"]
    assert len(region.priorities.rows) == MAX_PRIORITY_ROWS
    assert str(len(profiles["reg:76"].gaps) - MAX_PRIORITY_ROWS) in region.priorities.more
    assert len(region.places.rows) == MAX_PLACE_ROWS
    assert region.places.more
    assert contents["commune:89418"].priorities.rows == ()
    assert "Aucune commune ACV ou PVD" in contents["commune:89418"].priorities.empty


@pytest.mark.parametrize("key", TERRITORIES)
def test_pdf_opens_with_the_essentials_and_holds_figures_and_sources(packs, contents, profiles, key) -> None:
    reader, text = _pdf_text(packs[key].pdf)
    assert 3 <= len(reader.pages) <= 6
    assert reader.metadata.title == pack_title(profiles[key])
    first = _joined(reader.pages[0].extract_text())
    assert first.index("L'essentiel") < first.index("Chiffres clés")
    for finding in contents[key].essentials:
        assert _flat(finding.sentence) in first
    flat = _joined(text)
    for label, value, _ in key_figure_items(profiles[key]):
        assert _flat(value) in flat, label
    for vintage in ("printemps 2019", "COG 2026, population 2023", "génération 2024", "janvier 2021"):
        assert vintage in flat
    assert "Méthode et sources" in flat
    assert "indicatif" in flat
    assert "centroïde" in flat


def _lines_by_height(page) -> list[tuple[float, float, str]]:
    """(height from the bottom, font size, text) of every text run of a page."""
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, _font, size) -> None:
        if text.strip():
            runs.append((tm[5] * cm[3] + cm[5], size * tm[3] * cm[3], text.strip()))

    page.extract_text(visitor_text=visit)
    return runs


def _image_bottoms(page) -> list[float]:
    """Height from the bottom of the page of the lower edge of each image drawn on it."""
    content = page.get_contents().get_data().decode("latin-1")
    placed = r"1 0 0 1 [\d.\-]+ ([\d.\-]+) cm\s*q\s*[\d.]+ 0 0 [\d.]+ 0 0 cm\s*/\S+ Do"
    return [float(y) for y in re.findall(placed, content)]


@pytest.mark.parametrize("key", [*TERRITORIES, "commune:34284"])
def test_no_pdf_page_ends_with_a_heading(packs_by_key, key) -> None:
    reader = PdfReader(io.BytesIO(packs_by_key(key).pdf))
    for number, page in enumerate(reader.pages, start=1):
        body = [run for run in _lines_by_height(page) if run[0] > FOOTER_TOP_PT]
        lowest = min(body, key=lambda run: run[0])
        if any(bottom < lowest[0] for bottom in _image_bottoms(page)):
            continue  # a picture ends the page
        assert round(lowest[1], 1) not in HEADING_SIZES, (
            f"page {number} ends with the heading « {lowest[2]} »"
        )


@pytest.mark.parametrize("key", TERRITORIES)
def test_pdf_footer_has_page_numbers_date_territory_and_parameters(packs, profiles, key) -> None:
    reader = PdfReader(io.BytesIO(packs[key].pdf))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        footer = _flat(
            " ".join(text for height, _size, text in _lines_by_height(page) if height < FOOTER_TOP_PT)
        )
        assert f"page {number} / {total}" in footer
        assert "1er mars 2026" in footer
        assert profiles[key].territory.name in footer
        assert "10 km à vol d'oiseau" in footer
        assert "tous thèmes" in footer


@pytest.mark.parametrize("key", TERRITORIES)
def test_pdf_cuts_no_word(packs, contents, key) -> None:
    """Every name of the lists is printed whole (a line may only break after one of its hyphens)."""
    _reader, text = _pdf_text(packs[key].pdf)
    flat = _joined(text)
    content = contents[key]
    names = [
        *content.priorities.column("Territoire prioritaire"),
        *content.places.column("Tiers-lieu"),
        *content.places.column("Commune"),
        *content.similar.column("Territoire"),
    ]
    assert names
    for name in names:
        assert _flat(name) in flat, name


def test_pdf_table_widths_keep_every_word_whole() -> None:
    table = PackTable.from_frame(
        pd.DataFrame(
            {"Commune": ["Luxeuil-les-Bains", "Saint-Pons-de-Thomières"], "Population": ["6 978", "1 706"]}
        ),
        weights=(0.1, 10.0),
    )
    widths, fits = table.column_widths(200.0, lambda text, _bold: 5.0 * len(text), padding=3.0)
    assert fits
    assert sum(widths) == pytest.approx(200.0)
    assert widths[0] >= 5.0 * len("Saint-Pons-de-Thomières") + 6.0  # the longest word fits whole


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize(("medium", "minimum"), [(PRINT, 9.0), (SLIDE, 14.0)])
def test_pictures_have_no_text_under_their_medium_size(basis, profiles, contents, medium, minimum) -> None:
    profile, content = profiles["dep:34"], contents["dep:34"]
    figures = [
        comparison_chart(profile, medium, width_in=7.0),
        theme_chart(content.themes.rows, profile, medium, width_in=7.0),
        static_map(
            map_layers(basis, profile), medium, width_in=7.0, max_height_in=7.5, legend_right=medium is SLIDE
        ),
    ]
    for fig in figures:
        sizes = [t.get_fontsize() for t in _texts(fig)]
        assert sizes
        assert min(sizes) >= minimum


def test_pdf_prints_pictures_at_the_size_they_were_drawn_for(packs) -> None:
    """Each image is as many points wide as its pixels at :data:`PRINT` dpi: its 9 pt text stays 9 pt."""
    reader = PdfReader(io.BytesIO(packs["dep:34"].pdf))
    checked = 0
    for page in reader.pages:
        content = page.get_contents().get_data().decode("latin-1")
        objects = page["/Resources"].get("/XObject", {})
        for width_pt, name in re.findall(r"([\d.]+) 0 0 [\d.]+ [\d.\-]+ [\d.\-]+ cm\s*(/\S+) Do", content):
            pixels = objects[name].get_object()["/Width"]
            assert float(width_pt) == pytest.approx(pixels / PRINT.dpi * 72, rel=0.01)
            checked += 1
    assert checked == 3  # the map and the two charts


def test_pdf_embeds_a_unicode_font(packs) -> None:
    reader = PdfReader(io.BytesIO(packs["commune:89418"].pdf))
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)
    assert "é" in reader.pages[0].extract_text()


@pytest.mark.parametrize("key", TERRITORIES)
def test_every_slide_has_a_layout_a_title_placeholder_and_speaker_notes(packs, key) -> None:
    deck = _deck(packs[key])
    assert deck.slide_width > deck.slide_height  # 16:9
    for number, slide in enumerate(deck.slides, start=1):
        assert slide.slide_layout.name in LAYOUTS.values(), number
        title = slide.shapes.title
        assert title is not None, number
        assert title.is_placeholder, number
        assert title.text_frame.text.strip(), number
        assert slide.has_notes_slide, number
        notes = slide.notes_slide.notes_text_frame.text
        assert len(notes) > 40, number
    layouts = {slide.slide_layout.name for slide in deck.slides}
    assert layouts == set(LAYOUTS.values())


@pytest.mark.parametrize("key", TERRITORIES)
def test_no_text_on_a_slide_is_under_14_pt(packs, key) -> None:
    deck = _deck(packs[key])
    for number, slide in enumerate(deck.slides, start=1):
        runs = slide.element.findall(".//{*}r") + slide.element.findall(".//{*}fld")
        assert runs, number
        for run in runs:
            properties = run.find("{*}rPr")
            size = properties.get("sz") if properties is not None else None
            text = "".join(t.text or "" for t in run.findall("{*}t"))
            assert size is not None, f"slide {number}: « {text} » has no explicit size"
            assert int(size) >= MIN_FONT_PT * 100, f"slide {number}: « {text} » at {int(size) / 100} pt"


@pytest.mark.parametrize("key", TERRITORIES)
def test_deck_lists_are_the_pdf_lists(packs, contents, key) -> None:
    content = contents[key]
    deck = _deck(packs[key])
    _reader, text = _pdf_text(packs[key].pdf)
    flat = _joined(text)
    slides_text = _pptx_text(deck)
    lists = ((content.priorities, "Priorités", 1), (content.places, "Tiers-lieux dans le territoire", 0))
    for table, title, name_column in lists:
        assert _slide_table_rows(deck, title) == list(table.rows)
        position = 0
        for row in table.rows:  # the same rows, in the same order, in the PDF
            position = flat.index(_flat(row[name_column]), position)
        if table.more:
            assert _flat(table.more) in slides_text
            assert _flat(table.more) in flat


def test_long_lists_continue_on_further_slides(packs) -> None:
    titles = [_slide_title(slide) for slide in _deck(packs["reg:76"]).slides]
    places = [t for t in titles if t.startswith("Tiers-lieux dans le territoire")]
    assert len(places) >= 2
    assert places[0].endswith(f"(1/{len(places)})")


def test_deck_opens_with_title_then_essentials_and_ends_with_sources(packs, contents) -> None:
    deck = _deck(packs["commune:89418"])
    slides = list(deck.slides)
    assert slides[0].slide_layout.name == LAYOUTS["title"]
    first = " ".join(shape.text_frame.text for shape in slides[0].shapes if shape.has_text_frame)
    assert "Fiche territoire : Tonnerre" in first
    assert "1er mars 2026" in first
    assert _slide_title(slides[1]) == "L'essentiel"
    essentials = _flat(" ".join(s.text_frame.text for s in slides[1].shapes if s.has_text_frame))
    for finding in contents["commune:89418"].essentials:
        assert _flat(finding.sentence) in essentials
    last = " ".join(shape.text_frame.text for shape in slides[-1].shapes if shape.has_text_frame)
    assert "Sources et millésimes" in last
    for source in PLACE_SOURCES.values():
        assert source.vintage in last
    assert DATASETS["qpv"].vintage in last
    pictures = [shape for slide in slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) == 3  # map and two charts
    for picture in pictures:  # each with an alternative text for screen readers
        assert "Lecture" in picture._element.nvPicPr.cNvPr.get("descr")
    assert deck.core_properties.title == "Fiche territoire : Tonnerre"


def _legend_labels(page: str) -> list[str]:
    """Labels of the legends of a rendered folium page (their HTML is a JSON string)."""
    labels = []
    for content in re.findall(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', page):
        labels += re.findall(r"</span>([^<]+)</div>", json.loads(content))
    return labels


def test_html_map_is_standalone_offline_and_titled(packs) -> None:
    page = packs["commune:89418"].html.decode("utf-8")
    assert "<title>Fiche territoire : Tonnerre</title>" in page
    assert "<h1>Fiche territoire : Tonnerre</h1>" in page
    assert "1er mars 2026" in page
    assert "distance d&#x27;accès : 10 km à vol d&#x27;oiseau" in page.replace("\u202f", " ")
    assert "COG 2026" in page  # the sources
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)
    assert "/app/static" not in page
    assert "L.map(" in page
    assert "Leaflet" in page  # the library itself is inlined
    assert "jQuery" in page
    assert "Le Fier Lieu du Tonnerrois" in page  # the place of Tonnerre, labelled


@pytest.mark.parametrize("key", TERRITORIES)
def test_html_map_draws_the_ring_and_a_legend_of_what_is_drawn_only(basis, packs, profiles, key) -> None:
    page = packs[key].html.decode("utf-8")
    assert '"dashArray": "8 6"' in page  # the access ring
    layers = map_layers(basis, profiles[key])
    assert not layers.ring.is_empty.any()
    labels = _legend_labels(page)
    assert labels == [item.label for item in layers.legend]
    assert "À 10\u202fkm du territoire" in labels
    if key == "commune:89418":  # one unclassified place, at its commune's centroid, no gap
        assert "Tiers-lieu sans thème" in labels
        assert not {"Alimentation", "Fabrication", "Coworking"} & set(labels)
        assert not any("sans tiers-lieu" in label for label in labels)


def test_interactive_map_of_the_page_draws_the_ring(basis, profiles) -> None:
    page = profile_map(basis, profiles["dep:34"], basemap="none").get_root().render()
    assert '"dashArray": "8 6"' in page
    assert "Montpellier" in page  # a label


def test_map_labels_do_not_overlap_and_keep_every_listed_priority(basis, profiles) -> None:
    layers = map_layers(basis, profiles["reg:76"])
    labels = placed_labels(layers, width_in=7.0, height_in=6.0, font_pt=9.0)
    ranks = labels[labels["kind"] == "rank"]["text"].str.split(", ").explode().astype(int)
    assert sorted(ranks) == list(range(1, MAX_PRIORITY_ROWS + 1))
    names = labels[labels["kind"] == "commune"]["text"].tolist()
    assert {"Toulouse", "Montpellier"} <= set(names)
    assert len(names) == len(set(names))


def test_standalone_html_refuses_unknown_remote_assets(contents) -> None:
    m = base_map(zone="metro", basemap="none")
    m.default_js = [*m.default_js, ("mystery", "https://cdn.example.org/mystery.js")]
    with pytest.raises(ValueError, match="mystery"):
        standalone_map_html(m, contents["commune:89418"], bounds=(2.0, 45.0, 3.0, 46.0))


def test_zip_holds_the_three_files(packs) -> None:
    pack = packs["commune:89418"]
    with zipfile.ZipFile(io.BytesIO(pack.zip_bytes())) as archive:
        names = archive.namelist()
        assert sorted(name.rsplit(".", 1)[1] for name in names) == ["html", "pdf", "pptx"]
        assert all(name.startswith("fiche-territoire-commune-89418-2026-03-01") for name in names)
        assert archive.read(f"{pack.basename}.pdf") == pack.pdf


def test_briefing_selects_the_agg_backend() -> None:
    code = "import geo.render.briefing, matplotlib; print(matplotlib.get_backend())"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["DISPLAY"] = ":0"  # even where a display seems available
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip().lower() == "agg"


def _empty_packs(atlas, basis) -> Iterator[tuple[TerritoryProfile, BriefingPack]]:
    # A rural commune with no programme, and one re-created after the outlines' vintage
    # (Sannerville, 14666: no outline, no point); with « alimentation » and 1 km, no place.
    for key in ("commune:01001", "commune:14666"):
        profile = territory_profile(
            atlas, basis, territory_by_key(basis.index, key), themes=("alimentation",), radius_km=1
        )
        yield profile, briefing_pack(basis, profile, generated_on=DAY)


def test_territories_without_place_or_outline_get_a_correct_pack(atlas, basis) -> None:
    for profile, pack in _empty_packs(atlas, basis):
        assert profile.places.empty
        reader, text = _pdf_text(pack.pdf)
        assert 3 <= len(reader.pages) <= 6
        assert pack_title(profile) in text
        assert "Aucun tiers-lieu" in _flat(text)
        deck = _deck(pack)
        assert "Aucun tiers-lieu" in _pptx_text(deck)
        assert all(slide.has_notes_slide for slide in deck.slides)
        assert "L.map(" in pack.html.decode("utf-8")


def test_thin_themes_are_no_finding_in_the_pack(contents, profiles, packs) -> None:
    # Food and reuse have about 20 places in France (about 1 % of the places): no « theme most behind ».
    for key, content in contents.items():
        rows = profiles[key].theme_coverage
        thin = rows[~rows["sufficient"].astype(bool)]
        assert {"alimentation", "reemploi"} <= set(thin.index), key
        table = theme_table(profiles[key]).set_index("Thème")
        for label in thin["label"]:
            assert table.at[label, "Constat possible"].startswith("données insuffisantes"), (key, label)
        if content.themes.finding is not None:
            for label in thin["label"]:
                assert str(label).lower() not in content.themes.finding.sentence, (key, label)
        pdf_text = _joined(_pdf_text(packs[key].pdf)[1])
        assert "données insuffisantes" in pdf_text


def test_the_pack_shows_the_territory_by_type_in_every_format(packs, contents, profiles) -> None:
    """One content builder: the rural figures and the density table reach the PDF, the deck and the map."""
    occitanie = contents["reg:76"].types
    rural = profiles["reg:76"].typology.rural
    assert fr_percent(rural.share_rural_uncovered) in occitanie.summary
    assert "définition INSEE 2021" in occitanie.summary
    assert occitanie.table.column("Type de communes")[-4:] == [
        "Total urbain dense",
        "Total intermédiaire",
        "Total rural",
        "Ensemble",
    ]
    assert occitanie.table.column("Population")[-1] == fr_number(profiles["reg:76"].figures.population)
    _, pdf = _pdf_text(packs["reg:76"].pdf)
    assert "Par type de territoire" in _flat(pdf)
    assert _flat(occitanie.summary)[:60] in _joined(pdf)
    deck = _deck(packs["reg:76"])
    assert _slide_table_rows(deck, "Par type de territoire : détail")[-2][:1] == ("Total rural",)
    assert _flat(fr_percent(rural.share_rural_uncovered)) in _pptx_text(deck)
    html_text = _flat(packs["reg:76"].html.decode("utf-8"))
    assert "Par type de territoire" in html_text
    assert _flat(fr_percent(rural.share_places_rural)) in html_text
    # A commune lists its own classes instead.
    tonnerre = contents["commune:89418"].types
    assert tonnerre.figures == ()
    assert "Bourgs ruraux" in tonnerre.summary
    assert tonnerre.table.column("Typologie")[0] == "Densité (grille INSEE)"
    assert contents["commune:89418"].sections["types"].title == "Type de commune"
