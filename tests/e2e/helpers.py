"""The running app, the browser and the assertions shared by the browser tests (and the bench)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tests.conftest import ROOT
from ui.assets import MAP_FRAME

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_MS = 60_000
FOLIUM_FRAME = f'iframe[src*="{MAP_FRAME.name}"]'
"""The maps' frames (streamlit-folium's, see ``ui.assets.MAP_FRAME``), found by their source:
ui/french_shell.js gives them a French title."""


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(module_and_args: Sequence[str], log: IO[str] | int) -> subprocess.Popen[bytes]:
    """``python -m <module> <args>`` from the repository, its output to ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", *module_and_args],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@contextmanager
def streamlit_server(
    log: IO[str] | int = subprocess.DEVNULL,
    timeout_s: float = 60,
    *,
    port: int | None = None,
    extra: Sequence[str] = (),
    page_served: bool = True,
) -> Iterator[str]:
    """Serve ``app.py`` on ``port`` (a free local port by default), with ``extra`` Streamlit
    options; yield its URL once it serves the default page (``page_served=False``: once it
    answers its health check, as a browser left open on the page reconnects).

    Raises ``RuntimeError`` when the server exits or does not answer within ``timeout_s``.
    """
    port = port or free_port()
    # The command of ``make run``: Streamlit plus the warm-up of serve.run.
    process = _start(
        [
            *("serve.run", "--server.port", str(port), "--server.address", "127.0.0.1"),
            *("--server.headless", "true", "--server.fileWatcherType", "none", *extra),
        ],
        log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_served(url, process, timeout_s, "Streamlit n'a pas démarré", page_served=page_served)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextmanager
def proxy_server(
    log: IO[str] | int = subprocess.DEVNULL, timeout_s: float = 180, *, workers: int = 2
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``make serve`` (nginx + ``workers`` Streamlit processes) on a free local port.

    Yields the proxy's URL and the supervisor process (``SIGHUP`` restarts the Streamlit
    processes one at a time) once a page has been served through nginx.
    """
    port = free_port()
    run_dir = Path(tempfile.mkdtemp(prefix="atlas-serve-test-"))
    process = _start(
        ["serve", "--port", str(port), "--workers", str(workers), "--run-dir", str(run_dir)], log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_served(url, process, timeout_s, "make serve n'a pas démarré")
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(run_dir, ignore_errors=True)


def _wait_until_served(
    url: str, process: subprocess.Popen[bytes], timeout_s: float, failure: str, *, page_served: bool = True
) -> None:
    """Wait until ``url`` answers its health check and (``page_served``) serves the default page
    (websocket)."""
    from serve.client import visit

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                healthy = response.read().decode().strip() == "ok"
            if healthy and (not page_served or visit(url, "", timeout_s=timeout_s).ok):
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(failure)
        time.sleep(0.1)


OFFLINE_ARGS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)
"""Chromium resolves no host name but the local one: offline, with no request intercepted (the
tests intercept every request, to list what they block; a timing would count that detour)."""


def launch_chromium(playwright: Any, *, offline: bool = False) -> Any:
    """Debian's headless Chromium (never a downloaded browser); ``offline``: see :data:`OFFLINE_ARGS`."""
    args = [*CHROMIUM_ARGS, *(OFFLINE_ARGS if offline else ())]
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)


COUNT_POINTS_JS = """() => {
    if (typeof map_div === 'undefined') { return -1; }
    let n = 0;
    map_div.eachLayer(layer => {
        if (layer.feature && layer.feature.geometry && layer.feature.geometry.type === 'Point') { n++; }
    });
    return n;
}"""


def wait_for_app(page: Any) -> None:
    """Wait until Streamlit has finished running the script (no « Running » status)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stMain\"]')",
        timeout=TIMEOUT_MS,
    )


def watch_the_first_map_report(page: Any) -> Callable[[], None]:
    """Call before opening the page; returns a wait until the run the map's « drawn » report
    starts has ended (``ui.after_map``: a run of a few sections, with no status shown)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    reported: list[bool] = []
    finished: list[bool] = []

    def on_websocket(socket: Any) -> None:
        def sent(frame: str | bytes) -> None:
            if isinstance(frame, bytes) and b'{"drawn"' in frame:
                reported.append(True)

        def received(frame: str | bytes) -> None:
            message = ForwardMsg.FromString(frame) if reported and isinstance(frame, bytes) else None
            if message is not None and message.WhichOneof("type") == "script_finished":
                finished.append(True)

        socket.on("framesent", sent)
        socket.on("framereceived", received)

    page.on("websocket", on_websocket)

    def wait() -> None:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while not finished and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        assert finished, "the map never reported itself drawn, or its run never ended"

    return wait


def assert_no_exception(page: Any) -> None:
    """No Streamlit exception box on the page."""
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]'
    ).first.inner_text()


def map_frame(page: Any, index: int = 0) -> Any:
    """The Leaflet map inside the ``index``-th streamlit-folium iframe, once drawn."""
    iframe = page.locator(FOLIUM_FRAME).nth(index)
    iframe.wait_for(timeout=TIMEOUT_MS)
    frame = iframe.content_frame
    frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    return frame


def count_map_points(page: Any, index: int = 0) -> int:
    """Number of point features drawn on the ``index``-th map (canvas markers included)."""
    map_frame(page, index)
    handle = page.locator(FOLIUM_FRAME).nth(index).element_handle()
    frame = handle.content_frame()
    frame.wait_for_function(COUNT_POINTS_JS.replace("return n;", "return n > 0;"), timeout=TIMEOUT_MS)
    return int(frame.evaluate(COUNT_POINTS_JS))


def wait_for_plotly(page: Any) -> None:
    """At least one Plotly chart has drawn its SVG."""
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=TIMEOUT_MS)


def non_tile_blocked(blocked: list[str]) -> list[str]:
    """Blocked outside requests other than basemap tiles (the only allowed network use)."""
    return [url for url in blocked if "data.geopf.fr" not in url]
