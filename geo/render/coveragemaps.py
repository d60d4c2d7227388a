"""Maps of the « Couverture », « Zones blanches », « Services » and « Simulateur » pages: programme
overlays, gap points, public services and planning scenarios.

Every layer is one canvas GeoJSON layer (see :func:`geo.render.maps.add_points_layer`) whose
features carry only their tooltip text; locations known only as a commune centroid are
drawn hollow.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo._validate import check_choice
from geo.analysis.gaps import PROGRAMME_SHORT_LABELS, PROGRAMMES, scope_qpv
from geo.analysis.planner import PlanningProblem, PlanResult
from geo.crs import WGS84, X, Y
from geo.fmt import fr_km, fr_number, fr_radius
from geo.io.atlas import Atlas
from geo.render.maps import (
    add_legend,
    add_outline_layer,
    add_points_layer,
    base_map,
    bounds_of,
    padded_bounds,
)
from geo.render.mapviews import add_places
from geo.render.style import (
    EXISTING_COLOR,
    FRANCE_SERVICES_COLOR,
    HOLLOW_FILL,
    NEWLY_COVERED_COLOR,
    OVERLAY_COLORS,
    PROGRAMME_COLORS,
    SERVICE_COLORS,
    SITE_COLOR,
    UNCOVERED_COLOR,
)
from geo.territory import Scope
from geo.themes import without_places

OVERLAYS: dict[str, str] = {
    "acv": "Communes Action Cœur de Ville",
    "pvd": "Communes Petites villes de demain",
    "qpv": "Quartiers prioritaires (QPV)",
    "france_services": "France services",
}
"""Overlay code → French label, in menu order."""

OVERLAY_DATASETS: dict[str, str] = {
    "acv": "acv",
    "pvd": "pvd",
    "qpv": "qpv",
    "france_services": "france_services",
}
"""Overlay → catalogue dataset, for the « Sources » line."""

HOLLOW_NOTE = "cercle creux : localisation approximative"


def overlay_points(atlas: Atlas, scope: Scope, overlay: str) -> gpd.GeoDataFrame:
    """Points of ``overlay`` in ``scope``, with a ``tooltip`` text and an ``approximate`` flag.

    ACV / PVD communes are drawn at their representative point, QPV at their point (or a
    point inside their outline when the QPV outline layer is loaded), France services at
    their address.

    Raises
    ------
    InvalidParameterError
        If ``overlay`` is not one of :data:`OVERLAYS`.
    """
    check_choice(overlay, OVERLAYS, "overlay")
    communes = atlas.communes
    in_scope = scope.mask(communes)
    if overlay in ("acv", "pvd"):
        members = communes[in_scope & communes[overlay] & communes.geometry.notna()]
        label = PROGRAMME_SHORT_LABELS[overlay]
        return gpd.GeoDataFrame(
            {
                "tooltip": [f"{label} : {name}" for name in members["nom"]],
                "approximate": False,
            },
            geometry=members.geometry.to_numpy(),
            crs=atlas.communes.crs,
        )
    if overlay == "qpv":
        qpv = scope_qpv(atlas, scope)
        geometry = qpv.geometry.representative_point()
        return gpd.GeoDataFrame(
            {
                "tooltip": [
                    f"QPV : {name} ({commune})"
                    for name, commune in zip(qpv["lib_qp"], qpv["lib_com"], strict=True)
                ],
                "approximate": (qpv["location_precision"] != "polygone").to_numpy(),
            },
            geometry=geometry.to_numpy(),
            crs=qpv.crs,
        )
    services = atlas.france_services
    selected = services["zone"] == scope.zone
    if not scope.whole_zone:
        selected &= services["code_insee"].isin(set(communes.loc[in_scope, "code_insee"]))
    services = services[selected & services.geometry.notna()]
    return gpd.GeoDataFrame(
        {"tooltip": [f"France services : {name}" for name in services["name"]], "approximate": False},
        geometry=services.geometry.to_numpy(),
        crs=services.crs,
    )


def add_overlays(m: folium.Map, atlas: Atlas, scope: Scope, overlays: Sequence[str]) -> dict[str, int]:
    """Add each overlay of ``overlays`` as one light point layer, and one legend for them all.

    Returns
    -------
    Number of points drawn per overlay (0 when the scope has none).
    """
    drawn: dict[str, int] = {}
    entries: list[tuple[str, str]] = []
    any_hollow = False
    for overlay in overlays:
        points = overlay_points(atlas, scope, overlay)
        drawn[overlay] = len(points)
        if points.empty:
            continue
        add_points_layer(
            m,
            points,
            colors=[OVERLAY_COLORS[overlay]] * len(points),
            dashed=points["approximate"].tolist(),
            tooltip={"Couche": points["tooltip"].tolist()},
            name=OVERLAYS[overlay],
            radius=6.0,
        )
        entries.append((OVERLAY_COLORS[overlay], OVERLAYS[overlay]))
        any_hollow |= bool(points["approximate"].any())
    if entries:
        if any_hollow:
            entries.append((HOLLOW_FILL, HOLLOW_NOTE))
        add_legend(m, "Couches", entries, hollow=True)
    return drawn


def gaps_map(
    gaps: gpd.GeoDataFrame,
    *,
    places: gpd.GeoDataFrame,
    themes: Sequence[str],
    outlines: gpd.GeoDataFrame,
    zone: str,
    basemap: str,
    places_source: str,
) -> folium.Map:
    """Map of the gaps of :func:`geo.analysis.gaps.priority_gaps`, over the places of the themes.

    One layer per programme (its colour), hollow markers for QPV placed at a commune
    centroid; the places of the selected themes are drawn underneath so that the nearest
    ones are visible. The view is fitted to ``outlines`` (the scope).
    """
    bounds = tuple(outlines.total_bounds) if len(outlines) else None
    m = base_map(zone=zone, bounds=bounds, basemap=basemap)
    add_outline_layer(m, outlines)
    add_places(m, places, themes, source_label=places_source)
    entries: list[tuple[str, str]] = []
    for programme, label in PROGRAMMES.items():
        part = gaps[gaps["programme"] == programme]
        if part.empty:
            continue
        distance = part["distance_m"].to_numpy(dtype=float)
        nearest = [
            f"{name} ({fr_km(d)})" if np.isfinite(d) else "aucun dans la zone"
            for name, d in zip(part["nearest_place"], distance, strict=True)
        ]
        population = [fr_number(p) if pd.notna(p) else "non disponible (QPV)" for p in part["population"]]
        add_points_layer(
            m,
            part,
            colors=[PROGRAMME_COLORS[programme]] * len(part),
            dashed=part["approximate"].tolist(),
            tooltip={
                label: [
                    f"{name} ({commune})" if name != commune else name
                    for name, commune in zip(part["name"], part["commune"], strict=True)
                ],
                "Population": population,
                "Tiers-lieu le plus proche": nearest,
            },
            name=f"Zones blanches – {label}",
            radius=7.0,
        )
        entries.append((PROGRAMME_COLORS[programme], f"{label} {without_places(themes)}"))
    if entries:
        if bool(gaps["approximate"].any()):
            entries.append((HOLLOW_FILL, HOLLOW_NOTE))
        add_legend(m, "Zones blanches", entries, hollow=True)
    return m


SERVICE_LEGENDS: dict[str, str] = {
    "france_services": "France services sans tiers-lieu à proximité",
    "double": "commune rurale loin des deux",
    "programmes": "commune PVD / ACV : France services sans tiers-lieu",
}


def _nearest_text(names: pd.Series, distance_m: pd.Series) -> list[str]:
    return [
        f"{name} ({fr_km(d)})" if np.isfinite(d) else "aucun dans la zone"
        for name, d in zip(names, distance_m.to_numpy(dtype=float), strict=True)
    ]


def _service_tooltip(kind: str, rows: pd.DataFrame) -> dict[str, Sequence[object]]:
    population = [fr_number(p) for p in rows["population"]]
    nearest = _nearest_text(rows["nearest_place"], rows["distance_m"])
    if kind == "france_services":
        return {
            "France services": rows["name"].tolist(),
            "Commune (habitants)": [f"{c} ({p})" for c, p in zip(rows["commune"], population, strict=True)],
            "Tiers-lieu le plus proche": nearest,
            "Habitants qu'un tiers-lieu ici rapprocherait": [fr_number(v) for v in rows["reach"]],
        }
    if kind == "double":
        return {
            "Commune rurale": rows["nom"].tolist(),
            "Habitants": population,
            "Tiers-lieu le plus proche": nearest,
            "France services la plus proche": _nearest_text(
                rows["nearest_services"], rows["services_distance_m"]
            ),
        }
    return {
        "Commune": [f"{c} ({p})" for c, p in zip(rows["commune"], rows["programme"], strict=True)],
        "Habitants": population,
        "France services": rows["france_services"].tolist(),
        "Tiers-lieu le plus proche": nearest,
    }


def services_map(
    kind: str,
    rows: gpd.GeoDataFrame,
    *,
    places: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    themes: Sequence[str],
    outlines: gpd.GeoDataFrame,
    zone: str,
    basemap: str,
    places_source: str,
) -> folium.Map:
    """Map of one list of :mod:`geo.analysis.services` over the places of the themes (and, for the double
        gaps, the France services of the zone), fitted to the list with some 30 km at least around it
    (:func:`geo.render.maps.padded_bounds`; to ``outlines`` when empty).

        Rows flagged ``approximate`` (a mobile France services, a commune whose point may be far
        from its inhabitants) are drawn hollow.
    """
    if len(rows):
        bounds: Sequence[float] | None = padded_bounds(rows.to_crs(WGS84).total_bounds)
    else:
        bounds = tuple(outlines.to_crs(WGS84).total_bounds) if len(outlines) else None
    m = base_map(zone=zone, bounds=bounds, basemap=basemap)
    add_outline_layer(m, outlines)
    add_places(m, places, themes, source_label=places_source)
    if kind == "double" and len(services):
        add_points_layer(
            m,
            services,
            colors=[FRANCE_SERVICES_COLOR] * len(services),
            tooltip={"France services": services["name"].tolist()},
            name="France services",
            radius=4.0,
        )
    if len(rows):
        add_points_layer(
            m,
            rows,
            colors=[SERVICE_COLORS[kind]] * len(rows),
            dashed=rows["approximate"].tolist() if "approximate" in rows.columns else None,
            tooltip=_service_tooltip(kind, rows),
            name=SERVICE_LEGENDS[kind],
            radius=7.0,
        )
        entries = [(SERVICE_COLORS[kind], SERVICE_LEGENDS[kind])]
        if kind == "double" and len(services):
            entries.append((FRANCE_SERVICES_COLOR, "France services"))
        if "approximate" in rows.columns and bool(rows["approximate"].any()):
            entries.append((HOLLOW_FILL, HOLLOW_NOTE))
        add_legend(m, "Services publics", entries, hollow=True)
    return m


UNCOVERED_MAP_LIMIT = 5000
"""At most this many uncovered communes are drawn (a région: 2 500 to 3 500 at 10 km); a national
scenario leaves about 22 000, which would hide the map and weigh ~2.5 MB: they stay in the export."""


def scenario_map(
    problem: PlanningProblem,
    result: PlanResult,
    *,
    outlines: gpd.GeoDataFrame,
    basemap: str = "ign_plan",
) -> folium.Map:
    """Map of a scenario: existing places, proposed sites with their radius, newly covered communes
    and the communes left uncovered.

    Four light canvas layers (one GeoJSON each) over ``outlines`` — the uncovered communes only
    when there are at most :data:`UNCOVERED_MAP_LIMIT` of them; the rings of radius
    ``radius_km`` around the proposed sites are drawn without interaction. Only existing
    places within ``radius_km`` of the scope's extent are drawn (the others cannot cover it).
    """
    located = problem.communes[problem.communes[X].notna()]
    m = base_map(zone=problem.scope.zone, bounds=bounds_of(located), basemap=basemap)
    add_outline_layer(m, outlines)
    _add_existing_places(m, problem, located)
    uncovered_drawn = _add_still_uncovered(m, result.still_uncovered)
    _add_site_rings(m, result.sites, problem.radius_km)
    _add_newly_covered(m, result.newly_covered)
    _add_sites(m, result.sites)
    radius = fr_radius(problem.radius_km)
    entries = [
        (SITE_COLOR, f"site proposé (cercle : {radius} km)"),
        (NEWLY_COVERED_COLOR, "commune nouvellement couverte"),
        (EXISTING_COLOR, "tiers-lieu existant"),
    ]
    if uncovered_drawn:
        entries.insert(2, (UNCOVERED_COLOR, f"commune toujours à plus de {radius} km"))
    add_legend(m, "Scénario", entries, hollow=True)
    return m


def _add_existing_places(m: folium.Map, problem: PlanningProblem, located: pd.DataFrame) -> None:
    """The existing places within the radius of the scope's extent (the others cannot cover it)."""
    margin = problem.radius_km * 1000.0
    existing = problem.existing
    near = existing[
        existing[X].between(located[X].min() - margin, located[X].max() + margin)
        & existing[Y].between(located[Y].min() - margin, located[Y].max() + margin)
    ]
    if len(near):
        add_points_layer(
            m,
            gpd.GeoDataFrame(near, geometry=near.geometry.name, crs=existing.crs),
            colors=[EXISTING_COLOR] * len(near),
            tooltip={"Tiers-lieu existant": near["name"].tolist()},
            name="Tiers-lieux existants",
            radius=3.0,
        )


def _add_still_uncovered(m: folium.Map, left: gpd.GeoDataFrame) -> bool:
    """The communes left uncovered, when there are at most :data:`UNCOVERED_MAP_LIMIT`; whether drawn."""
    if not 0 < len(left) <= UNCOVERED_MAP_LIMIT:
        return False
    add_points_layer(
        m,
        left,
        colors=[UNCOVERED_COLOR] * len(left),
        tooltip={
            "Commune toujours non couverte": left["nom"].tolist(),
            "Habitants (2023)": [fr_number(v) for v in left["population"]],
        },
        name="Communes toujours non couvertes",
        radius=2.5,
    )
    return True


def _add_site_rings(m: folium.Map, sites: gpd.GeoDataFrame, radius_km: float) -> None:
    """A light, non-interactive circle of ``radius_km`` around each proposed site."""
    for point in sites.geometry:
        folium.Circle(
            location=[point.y, point.x],
            radius=radius_km * 1000.0,
            color=SITE_COLOR,
            weight=1,
            fill=True,
            fill_opacity=0.06,
            interactive=False,
        ).add_to(m)


def _add_newly_covered(m: folium.Map, newly: gpd.GeoDataFrame) -> None:
    if len(newly):
        add_points_layer(
            m,
            newly,
            colors=[NEWLY_COVERED_COLOR] * len(newly),
            tooltip={
                "Commune nouvellement couverte": newly["nom"].tolist(),
                "Habitants (2023)": [fr_number(v) for v in newly["population"]],
                "Par le site de": newly["site_nom"].tolist(),
            },
            name="Communes nouvellement couvertes",
            radius=3.5,
        )


def _add_sites(m: folium.Map, sites: gpd.GeoDataFrame) -> None:
    if len(sites):
        add_points_layer(
            m,
            sites,
            colors=[SITE_COLOR] * len(sites),
            tooltip={
                "Site proposé": [f"{r}. {n}" for r, n in zip(sites["rang"], sites["nom"], strict=True)],
                "Habitants nouvellement couverts": [fr_number(v) for v in sites["new_population"]],
                "Territoires prioritaires atteints": sites["priority_reached"].replace("", "aucun").tolist(),
            },
            name="Sites proposés",
            radius=8.0,
        )
