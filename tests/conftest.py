"""Shared fixtures: the real bundled Atlas, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.atlas import Atlas, load_atlas

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    """The bundled datasets, as the app loads them."""
    return load_atlas()
