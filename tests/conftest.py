"""Shared fixtures: the real bundled Atlas, loaded once per test session, and no refreshed data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.io.atlas import Atlas, load_atlas
from geo.io.datasets import LOCAL_DIR_ENV

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def no_refreshed_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An empty folder of refreshed data for the whole session.

    The figures tests expect are those of the bundled files: what ``make refresh`` wrote to
    ``data/local`` on a developer's machine (or a stray ``ATLAS_LOCAL_DATA``) is not read. Tests
    of refreshed data point :data:`geo.io.datasets.LOCAL_DIR_ENV` at a folder of their own.
    """
    empty = tmp_path_factory.mktemp("no_refreshed_data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(LOCAL_DIR_ENV, str(empty))
        yield empty


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
