"""The warm start (and the load bench) visit every page the app declares."""

from __future__ import annotations

import importlib.metadata
import re

import pytest
from streamlit.components.v2 import manifest_scanner

from serve.run import WARM_PAGES, quicker_component_scan
from tests.conftest import ROOT


def test_every_page_of_the_navigation_is_warmed() -> None:
    declared = re.findall(r'url_path="([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
    assert WARM_PAGES[0] == ""  # the default page (« vue-d-ensemble ») first
    assert set(declared) - {"vue-d-ensemble"} == set(WARM_PAGES[1:])


def test_the_quicker_component_scan_finds_what_streamlit_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    quicker_component_scan()
    quick = manifest_scanner._is_likely_streamlit_component_package
    streamlit_own = quick.__wrapped__  # type: ignore[attr-defined]  # Streamlit still has the function
    candidates = {d.name for d in importlib.metadata.distributions() if streamlit_own(d)}
    assert {d.name for d in importlib.metadata.distributions() if quick(d)} == candidates
    assert "streamlit-folium" in candidates
    found = {str(root) for _, root in manifest_scanner.scan_component_manifests()}
    monkeypatch.setattr(manifest_scanner, "_is_likely_streamlit_component_package", streamlit_own)
    assert {str(root) for _, root in manifest_scanner.scan_component_manifests()} == found
