"""Front-end assets served by the app itself (Streamlit static serving), taken from XStatic packages."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import streamlit as st

from geo.render.maps import VENDOR_FILES

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"


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
    st.html(f"<script>{FRENCH_SHELL.read_text(encoding='utf-8')}</script>", unsafe_allow_javascript=True)
    st.html(f"<style>{STYLE.read_text(encoding='utf-8')}</style>")
