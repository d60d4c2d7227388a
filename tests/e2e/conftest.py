"""End-to-end fixtures: the real app served by Streamlit, and Debian's headless Chromium.

Every request to a host other than 127.0.0.1 / localhost is aborted and recorded, so the
tests prove that the app (maps included) works offline. A missing browser is a failure,
not a skip: CI must really run these tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT
from tests.e2e.helpers import CHROMIUM, launch_chromium, proxy_server, streamlit_server

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


TARGET = os.environ.get("ATLAS_E2E_TARGET", "run")
"""What the browser tests open: ``run`` (one process, as ``make run``) or ``proxy`` (``make serve``)."""


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The app on a free local port, once it serves pages: ``make run``'s single process, or
    ``make serve``'s nginx and Streamlit processes when ``ATLAS_E2E_TARGET=proxy``."""
    if TARGET not in ("run", "proxy"):
        pytest.fail(f"ATLAS_E2E_TARGET vaut « {TARGET} » ; valeurs possibles : run, proxy")
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # one server, and one log, per test process
    with open(ROOT / ".pytest_cache" / f"e2e-{TARGET}-{worker}.log", "w") as log:
        try:
            if TARGET == "proxy":
                with proxy_server(log) as (url, _):
                    yield url
            else:
                with streamlit_server(log) as url:
                    yield url
        except RuntimeError as error:
            pytest.fail(f"{error} ; voir {log.name}")


@dataclass
class BrowserPage:
    """A Playwright page plus what it tried to fetch from outside and what went wrong."""

    page: object
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium absent (/usr/bin/chromium) : installez les paquets chromium et chromium-driver")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = launch_chromium(playwright)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object, tmp_path: Path) -> Iterator[BrowserPage]:
    """A fresh browser context that blocks every non-local request."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
    result = BrowserPage(page=None)

    def route(request_route: object) -> None:
        url = request_route.request.url  # type: ignore[attr-defined]
        if urlparse(url).hostname in LOCAL_HOSTS:
            request_route.continue_()  # type: ignore[attr-defined]
        else:
            result.blocked.append(url)
            request_route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    browser_page = context.new_page()
    browser_page.on("pageerror", lambda exc: result.errors.append(str(exc)))
    result.page = browser_page
    yield result
    context.close()
