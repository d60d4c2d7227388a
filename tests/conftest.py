"""Shared fixtures: the real bundled Atlas, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geo.atlas import Atlas, load_atlas

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    """The bundled datasets, as the app loads them."""
    return load_atlas()


_skipped_e2e: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember browser tests that were skipped (they must run in CI)."""
    if report.skipped and "e2e" in report.keywords:
        _skipped_e2e.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (``CI=true``), a skipped browser test fails the run: they must really run there."""
    if os.environ.get("CI") and _skipped_e2e:
        print(f"\nTests navigateur ignorés en CI (interdit) : {', '.join(_skipped_e2e)}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
