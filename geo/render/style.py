"""Every colour of the maps, charts and briefing pack, in one place.

Subjects are coloured with Okabe–Ito and Paul Tol colours, which stay distinguishable with the
common colour-vision deficiencies; context (outlines, existing places, grids) is grey, so that
the subject of a map or chart is what the eye finds first. A new colour goes here, named by
what it shows, never as a literal in a drawing module.
"""

from __future__ import annotations

from geo.typologies import DENSITY_GROUP_INTERMEDIATE, DENSITY_GROUP_RURAL, DENSITY_GROUP_URBAN

# Subjects

THEME_COLORS: dict[str, str] = {
    "fabrication": "#E69F00",
    "coworking": "#56B4E9",
    "alimentation": "#009E73",
    "reemploi": "#D55E00",
    "culture": "#CC79A7",
    "numerique": "#0072B2",
}
"""Okabe–Ito colours, distinguishable with the common colour-vision deficiencies."""
NO_THEME_COLOR = "#7F7F7F"
"""Places without a theme, and themes too thin for a finding."""
ACCENT = "#0072B2"
"""The territory or scope a chart or map is about (Okabe–Ito blue)."""
TERRITORY_COLOR = ACCENT
"""The territory of a briefing pack, its outline and its access ring."""

PROGRAMME_COLORS: dict[str, str] = {"acv": "#882255", "pvd": "#999933", "qpv": "#332288"}
"""Priority programmes: wine, olive, indigo (Paul Tol's "muted" set), distinct from the Okabe–Ito
theme colours."""
FRANCE_SERVICES_COLOR = "#000000"
"""France services, as an overlay or as context (black: the grey is taken by places without theme)."""
DOUBLE_GAP_COLOR = "#CC3311"
"""Rural communes far from both a tiers-lieu and a France services (Paul Tol's red)."""
OVERLAY_COLORS: dict[str, str] = {**PROGRAMME_COLORS, "france_services": FRANCE_SERVICES_COLOR}
"""Points drawn over the coverage maps: the programmes and France services."""
SERVICE_COLORS: dict[str, str] = {
    "france_services": FRANCE_SERVICES_COLOR,
    "double": DOUBLE_GAP_COLOR,
    "programmes": PROGRAMME_COLORS["pvd"],
}
"""List of :data:`geo.analysis.services.SERVICE_LISTS` → colour of its points (olive like the PVD for
the programme communes)."""
RANK_COLOR = "#5a0f3a"
"""Priority numbers on maps (static and interactive) and in their legends."""

SITE_COLOR = "#D55E00"
"""The planner's proposed sites (Okabe–Ito vermillion)."""
NEWLY_COVERED_COLOR = "#009E73"
"""Communes the proposed sites would cover (Okabe–Ito bluish green)."""
EXISTING_COLOR = "#666666"
"""Existing places on the planner's map (grey: context, not the subject of the map)."""
UNCOVERED_COLOR = "#CC79A7"
"""Communes still uncovered after the scenario (Okabe–Ito reddish purple)."""

COMPARISON_COLORS: dict[str, str] = {"territoire": ACCENT, "référence": "#555555", "similaire": "#A6CEE3"}
"""Bars of the profile's comparison chart: the territory, its references, similar territories."""
REFERENCE_COLORS: dict[str, str] = {"scope": ACCENT, "region": "#E69F00", "national": "#999999"}
"""The scope and its references (Okabe–Ito blue and orange, neutral grey)."""
DENSITY_GROUP_COLORS: dict[str, str] = {
    DENSITY_GROUP_URBAN: "#0072B2",
    DENSITY_GROUP_INTERMEDIATE: "#56B4E9",
    DENSITY_GROUP_RURAL: "#009E73",
}
"""Okabe–Ito blue, sky blue and bluish green for the three INSEE density groups."""

SEQUENTIAL_PALETTE: tuple[str, ...] = (
    "#ffffcc",
    "#c7e9b4",
    "#7fcdbb",
    "#41b6c4",
    "#1d91c0",
    "#225ea8",
    "#0c2c84",
)
"""Choropleth classes: ColorBrewer YlGnBu (7 classes), readable by colour-blind viewers and in grey scale."""
SEQUENTIAL_SCALE = "Viridis"
"""Continuous scale of the plotly heat maps."""
NO_DATA_COLOR = "#d9d9d9"
"""Areas without a value on a choropleth."""

# Text

TEXT_COLOR = "#222222"
"""Body text of the standalone web map."""
SECONDARY_TEXT_COLOR = "#444444"
"""Subtitle and footer of the standalone web map."""

HEADING_COLOR = "#0B3D66"
"""Titles and headings of the printed and projected documents (dark navy)."""
NOTE_COLOR = "#555555"
"""Sources, notes and footers."""
LABEL_COLOR = "#111111"
"""Place names written on the static maps."""
PLACE_LABEL_COLOR = "#333333"
"""Names of tiers-lieux written on the static maps (italic)."""

# Context and marks

FOCUS_COLOR = ACCENT
"""Keyboard focus ring of a map (RGAA 10.7)."""
PANEL_BORDER_COLOR = "#ccccdd"
"""Borders between the header, map, side panel and footer of the standalone web map."""
SWATCH_EDGE_COLOR = "#555555"
"""Outline of a filled legend swatch on the interactive maps."""

MARKER_EDGE_COLOR = "#222222"
"""Outline of a filled point, and the reference tick of the pack's theme chart."""
HOLLOW_LEGEND_COLOR = "#444444"
"""Legend swatch of a hollow (approximately located) point on the static maps."""
HOLLOW_FILL = "#ffffff"
"""Legend swatch of a hollow point on the interactive maps."""
HIGHLIGHT_COLOR = "#000000"
"""Outline of the area under the pointer."""
AREA_EDGE_COLOR = "#555555"
"""Outline of a choropleth's areas."""
OUTLINE_COLOR = "#666666"
"""Outlines of the territories around the subject on interactive maps."""
CONTEXT_BOUNDARY_COLOR = "#a0a0a0"
"""Outlines of the territories around the subject on the static maps."""
TERRITORY_FILL = "#d9e8f3"
"""Legend swatch of the territory's area on the static maps (its outline is :data:`ACCENT`)."""
REFERENCE_LINE_COLOR = "#333333"
"""A reference value drawn as a line or tick on a chart."""
BACKGROUND_COLOR = "#ffffff"
"""Background of the charts, and the root tile of the treemap."""
GRID_COLOR = "#eeeeee"
"""Chart grid lines, and the group tiles of the treemap."""
TABLE_HEADER_FILL = "#e3ecf4"
"""Header row of the pack's tables."""
KEY_FIGURES_FILL = "#eef4f9"
"""Background of the pack's key-figures box."""
RULE_COLOR = "#c8c8c8"
"""Thin rules under table rows and above the footer of the pack."""
TOTAL_ROW_FILL = "#eef1f5"
"""Background of the total rows (« Ensemble », « Total … ») of the on-screen typology tables."""
LEGEND_BACKGROUND = "rgba(255, 255, 255, 0.92)"
"""Background of the interactive maps' legends (white, the map showing faintly through)."""
INK_COLOR = "#000000"
"""Scale bar, north arrow and their outlines on the static maps."""
PAPER_COLOR = "#ffffff"
"""Halo around map labels, light half of the scale bar, outline of programme markers, white rules
between the rows of the pack's key-figures box."""
