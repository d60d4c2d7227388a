"""End-to-end fixtures: the real app served by Streamlit, and Debian's headless Chromium.

Every request to a host other than 127.0.0.1 / localhost is aborted and recorded, so the
tests prove that the app (maps included) works offline. A missing browser is a failure,
not a skip: CI must really run these tests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Start ``streamlit run app.py`` on a free local port; wait for its health endpoint."""
    port = _free_port()
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    log = open(ROOT / ".pytest_cache" / "e2e-streamlit.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"Streamlit n'a pas démarré ; voir {log.name}")
        time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=15)
    log.close()


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
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
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
