"""Briefing pack of a territory, made on the server: PDF, PowerPoint deck and an offline HTML map.

Everything comes from one :class:`geo.analysis.profile.TerritoryProfile`, the object the « Fiche
territoire » page shows, through one content builder (:mod:`geo.render.briefing.content`): the
three formats print the same sentences and the same lists. The modules:

- :mod:`~geo.render.briefing.content`: every sentence, list and speaker note of the pack;
- :mod:`~geo.render.briefing.mapdata`: what the maps draw (view, outlines, ring, points, labels, legend);
- :mod:`~geo.render.briefing.figures`: the static map and the charts, drawn for print or for slides;
- :mod:`~geo.render.briefing.pdf`, :mod:`~geo.render.briefing.slides`, :mod:`~geo.render.briefing.webmap`: the
  three formats (the interactive map is also the page's).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from geo.analysis.profile import ProfileBasis, TerritoryProfile
from geo.render.briefing.content import (
    BriefingContent,
    Finding,
    PackTable,
    basename_for,
    briefing_content,
    essentials,
    french_date,
    pack_subtitle,
    pack_title,
    parameters_text,
)
from geo.render.briefing.figures import (
    PRINT,
    SLIDE,
    Picture,
    chart_picture,
    comparison_chart,
    map_picture,
    theme_chart,
)
from geo.render.briefing.mapdata import MapLayers, map_layers
from geo.render.briefing.pdf import briefing_pdf, text_width_in
from geo.render.briefing.slides import briefing_pptx, slide_picture_sizes
from geo.render.briefing.webmap import profile_map, standalone_map_html

__all__ = [
    "BriefingContent",
    "BriefingPack",
    "Finding",
    "PackTable",
    "briefing_content",
    "briefing_pack",
    "essentials",
    "french_date",
    "pack_subtitle",
    "pack_title",
    "parameters_text",
    "profile_map",
    "standalone_map_html",
]

PRINT_MAP_MAX_HEIGHT_IN = 7.9
"""Tallest the PDF map may be: a page with its heading and caption."""


@dataclass(frozen=True)
class BriefingPack:
    """The three documents of a briefing pack and their common file name stem."""

    basename: str
    pdf: bytes
    pptx: bytes
    html: bytes

    def zip_bytes(self) -> bytes:
        """The three files in one ZIP archive (the « one click » download)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{self.basename}.pdf", self.pdf)
            archive.writestr(f"{self.basename}.pptx", self.pptx)
            archive.writestr(f"{self.basename}-carte.html", self.html)
        return buffer.getvalue()


def _print_pictures(
    layers: MapLayers, profile: TerritoryProfile, content: BriefingContent
) -> dict[str, Picture]:
    width = text_width_in()
    return {
        "map": map_picture(
            layers, PRINT, width_in=width, max_height_in=PRINT_MAP_MAX_HEIGHT_IN, legend_right=False
        ),
        "themes": chart_picture(theme_chart(content.themes.rows, profile, PRINT, width_in=width), PRINT),
        "comparisons": chart_picture(comparison_chart(profile, PRINT, width_in=width), PRINT),
    }


def _slide_pictures(
    layers: MapLayers, profile: TerritoryProfile, content: BriefingContent
) -> dict[str, Picture]:
    sizes = slide_picture_sizes()
    map_width, map_height = sizes["map"]
    themes_width, themes_height = sizes["themes"]
    comparisons_width, comparisons_height = sizes["comparisons"]
    return {
        "map": map_picture(layers, SLIDE, width_in=map_width, max_height_in=map_height, legend_right=True),
        "themes": chart_picture(
            theme_chart(
                content.themes.rows, profile, SLIDE, width_in=themes_width, max_height_in=themes_height
            ),
            SLIDE,
        ),
        "comparisons": chart_picture(
            comparison_chart(profile, SLIDE, width_in=comparisons_width, max_height_in=comparisons_height),
            SLIDE,
        ),
    }


def briefing_pack(
    basis: ProfileBasis, profile: TerritoryProfile, *, generated_on: date | None = None
) -> BriefingPack:
    """Make the PDF, the PowerPoint deck and the standalone HTML map of ``profile``.

    Parameters
    ----------
    basis
        :func:`geo.analysis.profile.profile_basis` (outlines and commune names for the maps).
    profile
        :func:`geo.analysis.profile.territory_profile`: the same object the page shows.
    generated_on
        Date printed on the documents (today by default).
    """
    day = generated_on or date.today()
    content = briefing_content(profile, generated_on=day)
    layers = map_layers(basis, profile)
    return BriefingPack(
        basename=basename_for(profile, day),
        pdf=briefing_pdf(content, _print_pictures(layers, profile, content)),
        pptx=briefing_pptx(content, _slide_pictures(layers, profile, content)),
        html=standalone_map_html(
            profile_map(basis, profile, layers=layers), content, bounds=layers.bounds_wgs84
        ),
    )
