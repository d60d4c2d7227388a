"""Front-end assets served by the app itself (Streamlit static serving), taken from XStatic packages."""

from __future__ import annotations

import importlib
import importlib.util
import json
import shutil
from functools import cache
from pathlib import Path
from typing import TypedDict

import streamlit as st
import streamlit.components.v1 as components

from geo.render.maps import VENDOR_FILES, VENDOR_URL

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"


def _package_folder(name: str) -> Path:
    """The folder of the installed package ``name``, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"package {name} not installed", name=name)
    return Path(next(iter(spec.submodule_search_locations)))


MAP_FRAME_BUILD = _package_folder("streamlit_folium") / "frontend" / "build"
MAP_FRAME = components.declare_component("map_frame", path=str(MAP_FRAME_BUILD))
"""streamlit-folium's frame (its frontend build), declared by the Atlas rather than through an
import of ``streamlit_folium``: that package imports every folium plugin at once, ~0.2 s of a
server's start, and the Atlas draws its maps with none of them (``ui.components.map_payload``
imports it when it serialises a map)."""


def ensure_vendor_assets(target: Path = VENDOR_DIR) -> list[Path]:
    """Copy the Leaflet / jQuery / plugin files of the XStatic packages under ``static/vendor``.

    Idempotent and cheap (files are copied only when missing or of another size), so the
    app calls it at every start: a fresh clone needs no extra step, and no CDN is used.
    Returns the paths of the vendored files.
    """
    written = []
    for package, filename in sorted(set(VENDOR_FILES.values())):
        module = importlib.import_module(f"xstatic.pkg.{package}")
        source = Path(module.BASE_DIR) / filename
        destination = target / package / filename
        if not destination.exists() or destination.stat().st_size != source.stat().st_size:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
        written.append(destination)
    images = Path(importlib.import_module("xstatic.pkg.leaflet").BASE_DIR) / "images"
    if images.is_dir() and not (target / "leaflet" / "images").exists():
        shutil.copytree(images, target / "leaflet" / "images")
    return written


FRENCH_SHELL = Path(__file__).resolve().parent / "french_shell.js"
STYLE = Path(__file__).resolve().parent / "atlas.css"


def french_shell() -> None:
    """Declare the page French (``<html lang="fr">``), translate Streamlit's own English texts, and
    add the Atlas's style rules (``atlas.css``: texts wrap instead of being cut, visible focus).

    Streamlit's frontend hard-codes ``lang="en"`` and a few English strings (file uploader,
    multiselect, status); ``french_shell.js`` fixes them in the browser as they are drawn. The
    script is ours and constant: no user content goes through ``unsafe_allow_javascript``.
    """
    assets = f"window.__atlasMapFrameAssets = {json.dumps(map_frame_assets())};"
    script = FRENCH_SHELL.read_text(encoding="utf-8")
    st.html(f"<script>{assets}\n{script}</script>", unsafe_allow_javascript=True)
    st.html(f"<style>{STYLE.read_text(encoding='utf-8')}</style>")


MAP_FRAME_VENDOR_FILES = ("leaflet", "leaflet_css", "jquery")
"""The vendored files every map's frame loads (:data:`geo.render.maps.VENDOR_FILES` names)."""


class MapFrameAssets(TypedDict):
    """Paths from the app's root URL (see :func:`map_frame_assets`)."""

    module: str | None
    files: list[str]


@cache
def map_frame_assets() -> MapFrameAssets:
    """What the frame of a page's first map loads, as paths from the app's root URL:
    ``french_shell.js`` fetches them ahead, while the server is still building the page.

    Once the map's message has come, the browser would otherwise fetch them one after the
    other: Streamlit's component code (``module``, a chunk of its frontend, preloaded), then
    streamlit-folium's and the vendored Leaflet files (``files``, prefetched). The names of
    the first two carry a digest that changes with their versions, hence read from the installed
    packages; one that cannot be found is left out.
    """
    chunks = Path(st.__file__).parent / "static" / "static" / "js"
    module = next(iter(sorted(chunks.glob("ComponentInstance.*.js"))), None)
    files = [
        f"component/{MAP_FRAME.name}/{path.relative_to(MAP_FRAME_BUILD).as_posix()}"
        for path in sorted((MAP_FRAME_BUILD / "static" / "js").glob("main.*.js"))
    ]
    vendor = VENDOR_URL.strip("/")
    files += [f"{vendor}/{'/'.join(VENDOR_FILES[name])}" for name in MAP_FRAME_VENDOR_FILES]
    return MapFrameAssets(module=f"static/js/{module.name}" if module else None, files=files)
