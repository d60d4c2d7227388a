"""Shared rendering helpers: source lines, key figures, maps, downloads, footer."""

from __future__ import annotations

import functools
import hashlib
import html
import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import folium
import geopandas as gpd
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from geo.io.catalog import DATASETS, ETALAB, Dataset, place_sources_in
from geo.io.datasets import refreshed_on
from geo.io.export import csv_bytes, geojson_bytes, presentation_table, xlsx_bytes
from geo.render.charts import figure_summary, figure_table_text
from geo.render.maps import localize_assets
from ui.after_map import CHART_AFTER_MAP, below_first_map, map_drawn, report_token
from ui.assets import MAP_FRAME
from ui.data import atlas, shared_map


def sources_text(names: Sequence[str]) -> str:
    """« Sources : … » for the datasets ``names`` (catalogue keys), places included as their real source."""
    items: list[str | tuple[str, str]] = []
    groups: dict[tuple[str, str], list[str]] = {}
    for name in dict.fromkeys(names):
        if name == "places":
            items.append(atlas().places_source)
            continue
        entry: Dataset = DATASETS[name]
        group = (entry.producer, _vintage(name))  # one mention per producer and vintage
        if group not in groups:
            groups[group] = []
            items.append(group)
        groups[group].append(entry.title)
    return " ; ".join(item if isinstance(item, str) else _credit(*item, groups[item]) for item in items)


def _credit(producer: str, vintage: str, titles: list[str]) -> str:
    listing = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " et " + titles[-1]
    return f"{producer}, {listing} ({vintage})"


def _vintage(name: str) -> str:
    """The vintage of the copy in use: bundled, or « actualisé le … » after ``make refresh``."""
    refreshed = refreshed_on(name)
    return f"actualisé le {refreshed}" if refreshed else DATASETS[name].vintage


def caption_sources(names: Sequence[str], note: str | None = None) -> None:
    """Small grey line under a figure naming its datasets and vintages (and a caveat)."""
    text = "Sources : " + sources_text(names)
    if note:
        text += f". {note}"
    st.caption(text)


def metric(label: str, value: str, help_text: str | None = None) -> None:
    """A key figure (value already formatted the French way)."""
    st.metric(label, value, help=help_text)


@dataclass(frozen=True)
class MapPayload:
    """A folium map serialised for streamlit-folium's frame: the code that draws it, and what the
    frame must load first (header, HTML, assets)."""

    draw: str
    """JavaScript drawing the map in its frame (see :data:`MAP_FRAME_SCRIPT`)."""
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]

    @property
    def frame(self) -> str:
        """A digest of what the frame loads once: maps that differ only in their data share it."""
        parts = (self.header, self.html, *self.css_links, "|", *self.js_links)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


MAP_FRAME_SCRIPT = """
window.atlasDrawMap = function (code) {
    var previous = window.map, container = document.getElementById("map_div");
    if (previous) {
        var fresh = document.createElement("div");
        fresh.id = container.id;
        fresh.style.cssText = container.style.cssText;
        container.replaceWith(fresh);
        // Removed once any update it scheduled (streamlit-folium waits 250 ms) has run.
        setTimeout(function () { previous.remove(); }, 1000);
    }
    var script = document.createElement("script");
    script.text = code + "\\nwindow.map = map_div; window.initComponent(map_div, false);";
    document.body.appendChild(script);
    script.remove();
    window.atlasMapDrawn = true;
    if (window.atlasReportAsked) window.atlasReportDrawn();
};
// Tell the app once the map is painted, when it asks: the argument atlas_report_drawn is then the
// asking session's token, and the frame answers {drawn: token} once per token (after a server
// restart, the new session asks again). The app holds what is under the map back until then.
window.atlasReportDrawn = function () {
    var token = window.atlasReportAsked;
    window.atlasReportAsked = "";
    if (!token || token === window.atlasReportedTo) return;
    window.atlasReportedTo = token;
    requestAnimationFrame(function () {
        setTimeout(function () { window.Streamlit.setComponentValue({drawn: token}); }, 0);
    });
};
window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "streamlit:render" || !data.args) return;
    window.atlasReportAsked = data.args.atlas_report_drawn || "";
    if (window.atlasReportAsked && window.atlasMapDrawn) window.atlasReportDrawn();
});
var map_div = L.map("map_div", {zoomControl: false, attributionControl: false}).setView([0, 0], 0);
window.Streamlit.setComponentReady();
"""
"""What streamlit-folium runs once in a new map frame, after loading Leaflet.

streamlit-folium draws the script it is given only when it creates its frame; afterwards it
evaluates again only its ``feature_group`` code, whenever that code changes. The Atlas gives it
this script (a placeholder map and :func:`atlasDrawMap`) and, as ``feature_group``, the call
drawing the real map (:attr:`MapPayload.draw`): a new map then replaces the previous one in the
same frame, without loading the frame, Leaflet and the component again. Arguments sent while
the frame was loading are not replayed by streamlit-folium, so the script asks Streamlit for the
latest ones (``setComponentReady``), and a newer map is drawn at once.

While this session's browser has not drawn a map yet, the argument ``atlas_report_drawn`` is
the session's token, and the frame sets its value to ``{"drawn": token}`` once the map is painted
(once per token): what the page held back until then runs (:mod:`ui.after_map`).
"""


def map_payload(m: folium.Map) -> MapPayload:
    """Serialise ``m`` with local assets, as :func:`streamlit_folium.st_folium` does for a plain map.

    The costly part of showing a map (rendering templates and GeoJSON into a script of up to
    a few MB): done once per map by :func:`show_map`, then shared.
    """
    import streamlit_folium  # here, not at the top: see ui.assets.MAP_FRAME

    localize_assets(m)
    m.get_root().render()
    m.render()
    html = streamlit_folium._get_html(m)
    header = streamlit_folium._get_header(m)
    script = streamlit_folium._get_map_string(m)
    links: dict[str, list[str]] = {"default_css": [], "default_js": []}
    for element in _elements(m):
        for attribute, found in links.items():
            found.extend(url for _, url in getattr(element, attribute, []))
    return MapPayload(
        draw=f"window.atlasDrawMap({json.dumps(script, ensure_ascii=False)});",
        header=header,
        html=html,
        map_id=streamlit_folium.get_full_id(m),
        css_links=tuple(dict.fromkeys(links["default_css"])),
        js_links=tuple(dict.fromkeys(links["default_js"])),
    )


def _elements(element: folium.Element) -> list[folium.Element]:
    children = getattr(element, "_children", {})
    return [element, *(e for child in children.values() for e in _elements(child))]


def show_map(
    build: Callable[[], folium.Map],
    *,
    key: str,
    inputs: Hashable,
    title: str,
    description: str,
    height: int = 560,
) -> None:
    """Show the map ``build()`` makes; panning or zooming does not rerun the script.

    The map is built and serialised once per data version and ``inputs`` (every value
    ``build`` reads besides the data: filters, page widgets) and shared by every session
    (see :func:`ui.data.shared_map`); a page visit then only sends it. ``title`` names its frame
    for screen readers (RGAA: every frame has a title); ``description`` says in words what it
    shows and where the same figures are in text (the table beside it), under the map.
    """
    with st.container(key=f"atlas-map-{key}"):
        # french_shell.js gives the map's frame this title once Streamlit has drawn it.
        st.html(f'<span data-atlas-frame-title="{html.escape(title, quote=True)}"></span>')
        _map_component(key, inputs, build, height)
        st.caption(f"Ce que montre la carte : {description}")


@st.fragment
def _map_component(key: str, inputs: Hashable, build: Callable[[], folium.Map], height: int) -> None:
    """The map's frame, in a fragment of its own: when it reports the map drawn
    (:func:`ui.after_map.map_drawn`), Streamlit does not start a run of the whole page, which
    would forget the page's files (download buttons) before the callback reruns only the parts
    held back."""
    payload = shared_map(key, inputs, lambda: map_payload(build()))
    widget_key = f"{key}-{height}-{payload.frame}"
    # One frame per map of the page (and per set of assets): a new map of the same place is
    # drawn in the frame already open (see MAP_FRAME_SCRIPT).
    MAP_FRAME(
        script=MAP_FRAME_SCRIPT,
        header=payload.header,
        html=payload.html,
        id=payload.map_id,
        key=widget_key,
        height=height,
        width=None,
        returned_objects=[],
        default={},
        zoom=None,
        center=None,
        feature_group=payload.draw,
        return_on_hover=False,
        layer_control="",
        pixelated=False,
        css_links=list(payload.css_links),
        js_links=list(payload.js_links),
        wrap_longitude=False,
        atlas_report_drawn=report_token(),
        on_change=functools.partial(map_drawn, widget_key),
    )


def show_chart(fig: go.Figure, *, key: str, config: Mapping[str, object] | None = None) -> None:
    """A Plotly chart, with its text alternative: a sentence of its extremes and, folded, the
    table of every value it draws (RGAA: information given by a chart is also given in text).

    Under a map the browser has not drawn yet (the first page a visitor opens), the chart waits
    for it (:func:`ui.after_map.below_first_map`): the chart library would delay the map.
    """
    below_first_map(
        lambda: st.plotly_chart(fig, width="stretch", key=key, config=dict(config or {})),
        placeholder=CHART_AFTER_MAP,
        height=int(fig.layout.height or 420),
    )
    st.caption(f"En bref : {figure_summary(fig)}")
    table = figure_table_text(fig)
    if len(table):
        with st.expander("Valeurs du graphique (tableau)"):
            st.dataframe(table, hide_index=True, key=f"{key}_table")


def export_metadata(parameters: Mapping[str, str], sources: Sequence[str]) -> dict[str, str]:
    """Parameters + sources + date, written into every export."""
    meta = {"Produit par": "Atlas des tiers-lieux", "Date d'export": date.today().isoformat()}
    meta.update(parameters)
    meta["Sources"] = sources_text(sources)
    meta["Licence des données"] = f"{ETALAB} (voir chaque source)"
    return meta


def download_buttons(
    table: pd.DataFrame,
    *,
    basename: str,
    metadata: Mapping[str, str],
    key: str,
    geo: gpd.GeoDataFrame | None = None,
) -> None:
    """CSV, Excel and (when ``geo`` is given) GeoJSON download buttons side by side.

    Files are built only when a button is clicked (Streamlit runs the callable then):
    an Excel workbook of a few thousand rows takes a few hundred milliseconds, which would
    otherwise slow every rerun of the page. The tables are written as the screen shows them
    (:func:`geo.io.export.presentation_table`: whole counts, shares in %).
    """
    frozen_table, frozen_meta = table.copy(), dict(metadata)
    frozen_geo = geo.copy() if geo is not None else None
    files: list[tuple[str, str, Callable[[], bytes], str]] = [
        ("CSV", "csv", lambda: csv_bytes(presentation_table(frozen_table), frozen_meta), "text/csv"),
        (
            "Excel",
            "xlsx",
            lambda: xlsx_bytes(presentation_table(frozen_table), frozen_meta),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ]
    if frozen_geo is not None:
        files.append(
            ("GeoJSON", "geojson", lambda: geojson_bytes(frozen_geo, frozen_meta), "application/geo+json")
        )
    for column, (label, extension, build, mime) in zip(st.columns(len(files)), files, strict=True):
        column.download_button(
            f"Télécharger ({label})",
            build,
            file_name=f"{basename}.{extension}",
            mime=mime,
            key=f"{key}_{extension}",
            on_click="ignore",
        )


def footer() -> None:
    """Sources and vintages of every bundled dataset, at the bottom of each page."""
    with st.expander("Sources et millésimes des données"):
        lines = [f"- **Tiers-lieux utilisés** : {atlas().places_source}"]
        lines += [
            f"- **{s.title}** — {s.producer}, {s.vintage}, {s.licence} ; localisation : {s.location}"
            for s in place_sources_in(atlas().places["sources"])
        ]
        lines += [
            f"- **{d.title}** — {d.producer}, {_vintage(name)}, {d.licence}"
            for name, d in DATASETS.items()
            if name != "places" and (not d.optional or refreshed_on(name))
        ]
        st.markdown("\n".join(lines))
