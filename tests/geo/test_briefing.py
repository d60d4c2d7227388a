"""Briefing pack: the PDF, the PowerPoint deck and the HTML map are valid files with the right content."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from datetime import date

import pytest
from pptx import Presentation
from pypdf import PdfReader

from geo.atlas import load_commune_polygons
from geo.briefing import (
    BriefingPack,
    briefing_pack,
    french_date,
    pack_title,
    standalone_map_html,
    static_map_png,
)
from geo.catalog import DATASETS, PLACE_SOURCES
from geo.maps import base_map
from geo.profile import ProfileBasis, TerritoryProfile, key_figure_items, profile_basis, territory_profile
from geo.search import territory_by_key
from tests.conftest import ROOT

DAY = date(2026, 3, 1)
SPACES = re.compile(r"[\s\u202f\u00a0]+")


def _flat(text: str) -> str:
    """Text with every kind of space (narrow no-break included) and line break as one plain space."""
    return SPACES.sub(" ", text)


@pytest.fixture(scope="module")
def basis(atlas) -> ProfileBasis:
    return profile_basis(atlas, load_commune_polygons())


@pytest.fixture(scope="module")
def pvd_profile(atlas, basis) -> TerritoryProfile:
    return territory_profile(atlas, basis, territory_by_key(basis.index, "commune:89418"), radius_km=10)


@pytest.fixture(scope="module")
def pvd_pack(basis, pvd_profile) -> BriefingPack:
    return briefing_pack(basis, pvd_profile, generated_on=DAY)


def _pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, _flat("\n".join(page.extract_text() for page in reader.pages))


def _pptx_text(data: bytes) -> tuple[Presentation, str]:
    deck = Presentation(io.BytesIO(data))
    parts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return deck, _flat("\n".join(parts))


def test_french_date() -> None:
    assert french_date(date(2026, 3, 1)) == "1er mars 2026"
    assert french_date(date(2026, 11, 26)) == "26 novembre 2026"


def test_pdf_has_title_figures_sources_and_two_to_four_pages(pvd_pack, pvd_profile) -> None:
    reader, text = _pdf_text(pvd_pack.pdf)
    assert 2 <= len(reader.pages) <= 4
    assert reader.metadata.title == "Fiche territoire : Tonnerre"
    assert "Fiche territoire : Tonnerre" in text
    assert "1er mars 2026" in text
    for label, value, _ in key_figure_items(pvd_profile):
        assert _flat(value) in text, label
    assert "4 261" in text  # the population, thousands separated by a (narrow, no-break) space
    assert "Sources, millésimes et méthode" in text
    for vintage in ("printemps 2019", "COG 2026, population 2023", "génération 2024", "janvier 2021"):
        assert vintage in text
    assert "indicatif" in text
    assert "centroïde" in text
    assert "Petites villes de demain" in text
    assert "Ancienne zone de revitalisation rurale" in text


def test_pdf_embeds_a_unicode_font(pvd_pack) -> None:
    reader = PdfReader(io.BytesIO(pvd_pack.pdf))
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in name for name in fonts)
    assert "é" in reader.pages[0].extract_text()


def test_pptx_has_title_figures_map_and_sources_slide(pvd_pack, pvd_profile) -> None:
    deck, text = _pptx_text(pvd_pack.pptx)
    assert len(deck.slides) >= 8
    assert deck.core_properties.title == "Fiche territoire : Tonnerre"
    first = " ".join(shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)
    assert "Fiche territoire : Tonnerre" in first
    assert "1er mars 2026" in first
    for _label, value, _ in key_figure_items(pvd_profile):
        assert _flat(value) in text
    pictures = [shape for slide in deck.slides for shape in slide.shapes if shape.shape_type == 13]
    assert len(pictures) >= 3  # map and two charts
    last = " ".join(shape.text_frame.text for shape in deck.slides[-1].shapes if shape.has_text_frame)
    assert "Sources, millésimes et méthode" in last
    for source in PLACE_SOURCES.values():
        assert source.vintage in last
    assert DATASETS["qpv"].vintage in last


def test_html_map_is_standalone_and_offline(pvd_pack) -> None:
    page = pvd_pack.html.decode("utf-8")
    assert "<title>Fiche territoire : Tonnerre</title>" in page
    assert not re.search(r'<(?:script|link)[^>]+(?:src|href)="https?://', page)
    assert "/app/static" not in page
    assert "L.map(" in page
    assert "Leaflet" in page  # the library itself is inlined
    assert "jQuery" in page
    assert "Le Fier Lieu du Tonnerrois" in page  # the place of Tonnerre, in a tooltip
    assert "COG 2026" in page


def test_standalone_html_refuses_unknown_remote_assets() -> None:
    m = base_map(zone="metro", basemap="none")
    m.default_js = [*m.default_js, ("mystery", "https://cdn.example.org/mystery.js")]
    with pytest.raises(ValueError, match="mystery"):
        standalone_map_html(m, title="x", caption="y")


def test_zip_holds_the_three_files(pvd_pack) -> None:
    with zipfile.ZipFile(io.BytesIO(pvd_pack.zip_bytes())) as archive:
        names = archive.namelist()
        assert sorted(name.rsplit(".", 1)[1] for name in names) == ["html", "pdf", "pptx"]
        assert all(name.startswith("fiche-territoire-commune-89418-2026-03-01") for name in names)
        assert archive.read(f"{pvd_pack.basename}.pdf") == pvd_pack.pdf


def test_static_map_is_a_png_drawn_without_display(basis, pvd_profile) -> None:
    png = static_map_png(basis, pvd_profile, dpi=80)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000


def test_briefing_selects_the_agg_backend() -> None:
    code = "import geo.briefing, matplotlib; print(matplotlib.get_backend())"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["DISPLAY"] = ":0"  # even where a display seems available
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip().lower() == "agg"


def test_empty_territory_gets_a_correct_pack(atlas, basis) -> None:
    # A rural commune with no programme; with « alimentation » and 1 km there is no place at all.
    territory = territory_by_key(basis.index, "commune:01001")
    profile = territory_profile(atlas, basis, territory, themes=("alimentation",), radius_km=1)
    assert profile.places.empty
    pack = briefing_pack(basis, profile, generated_on=DAY)
    reader, text = _pdf_text(pack.pdf)
    assert 2 <= len(reader.pages) <= 4
    assert pack_title(profile) in text
    assert "Aucun tiers-lieu" in text
    _deck, slides_text = _pptx_text(pack.pptx)
    assert "Aucun tiers-lieu" in slides_text
    assert "L.map(" in pack.html.decode("utf-8")


def test_commune_without_outline_nor_place_is_shown_in_its_departement(atlas, basis) -> None:
    # Sannerville (14666) was re-created after the outlines' vintage: no outline, no point.
    territory = territory_by_key(basis.index, "commune:14666")
    assert territory.code not in basis.outlines["commune"].index
    profile = territory_profile(atlas, basis, territory, themes=("alimentation",), radius_km=1)
    assert profile.places.empty
    pack = briefing_pack(basis, profile, generated_on=DAY)
    _reader, text = _pdf_text(pack.pdf)
    assert pack_title(profile) in text
    assert "L.map(" in pack.html.decode("utf-8")


def test_big_region_stays_within_four_pages(atlas, basis) -> None:
    profile = territory_profile(atlas, basis, territory_by_key(basis.index, "reg:76"), radius_km=5)
    pack = briefing_pack(basis, profile, generated_on=DAY)
    reader, text = _pdf_text(pack.pdf)
    assert 2 <= len(reader.pages) <= 4
    assert "autres" in text  # long lists are cut and say how many rows were left out
