"""Load: many users on ``make run`` (one process) and ``make serve`` (nginx + one process per core).

Run alone with ``python -m bench.run load`` (``make bench-load``); it takes about ten minutes,
only talks to 127.0.0.1 and bounds every loop in count and time.

- Server side: N = 1, 5, 10, 20 users speaking Streamlit's websocket protocol
  (:mod:`serve.client`: one connection and one rerun per page visit, as a browser opening a
  link), each visiting every page in turn without pause; p50 / p95 time to the end of the
  page's script run, failures, throughput, server memory per user. Then 50 users with a 15 s
  pause between pages. Ten real browsers on two cores would mostly measure the browsers.
- Browser side: a few headless Chromium sessions visiting every page (page ready = script
  finished and title drawn), and one user's « distance changed → map redrawn » time.
- Memory: 60 sessions opened then closed on one process; resident memory before, while
  open, and once Streamlit has dropped the closed sessions.

The machine is shared: the load average at start and end is printed with the figures.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError

from bench.common import Row
from serve.client import Visit, visit
from serve.run import WARM_PAGES
from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FOLIUM_FRAME,
    TIMEOUT_MS,
    free_port,
    proxy_server,
    streamlit_server,
)

PAGES = WARM_PAGES
"""Every page of the app (URL paths, ``""`` is the overview), as the warm start visits them."""
SCOPES = ("fond=none", "fond=none&reg=76", "fond=none&dep=34")
"""What users look at: France, Occitanie, Hérault (a workshop shares a few scopes)."""
LEVELS = (1, 5, 10, 20)
ROUNDS = 2
"""Rounds of every page per user at each level (bounded again by LEVEL_SECONDS)."""
LEVEL_SECONDS = 40.0
PACED_USERS = 50
PACE_S = 15.0
PACED_SECONDS = 75.0
BROWSER_LEVELS = (1, 5, 10)
BROWSER_SECONDS = 60.0
WIDGET_CHANGES = 6
MEMORY_SESSIONS = 60
MEMORY_CYCLES = 4
SESSION_TTL_S = 5
"""Streamlit keeps a closed session this long for a reconnection (120 s by default)."""
VISIT_TIMEOUT_S = 60.0
P95_TARGET_S = 3.0
THROUGHPUT_TARGET = 5.0
REDRAW_TARGET_S = 0.5


@dataclass(frozen=True)
class Server:
    """A running server to load: its URL and how to read its memory."""

    label: str
    url: str
    pids: Callable[[], list[int]]


def rss_mb(pids: list[int]) -> float:
    """Resident memory of ``pids`` (MB)."""
    total_kb = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total_kb += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0
        )
    return total_kb / 1024


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found.extend(_descendants(int(child)))
    return found


def _pids_serving(port: int) -> list[int]:
    """Processes started with ``--server.port port`` (the Streamlit of ``make run``)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--server.port" in args and str(port).encode() in args:
            found.append(int(cmdline.parent.name))
    return found


@contextmanager
def make_run(*extra: str) -> Iterator[Server]:
    """One process, as ``make run`` (file watcher off, like production)."""
    port = free_port()
    with streamlit_server(port=port, extra=extra) as url:
        yield Server("make run", url, lambda: _pids_serving(port))


@contextmanager
def make_serve() -> Iterator[Server]:
    """nginx + one Streamlit process per core, as ``make serve``."""
    with proxy_server(workers=os.cpu_count() or 1) as (url, supervisor):
        yield Server("make serve", url, lambda: _descendants(supervisor.pid))


def _user(url: str, index: int, *, deadline: float, pause_s: float, start_after_s: float) -> list[Visit]:
    query = SCOPES[index % len(SCOPES)]
    time.sleep(start_after_s)
    visits: list[Visit] = []
    for _ in range(ROUNDS if not pause_s else 1_000):
        for page in PAGES:
            if time.monotonic() > deadline:
                return visits
            visits.append(visit(url, page, query, timeout_s=VISIT_TIMEOUT_S))
            if pause_s:
                time.sleep(pause_s)
    return visits


@dataclass(frozen=True)
class Load:
    """The outcome of one load level."""

    visits: list[Visit]
    seconds: float
    peak_rss_mb: float

    @property
    def ok_times(self) -> list[float]:
        return sorted(v.seconds for v in self.visits if v.ok)

    @property
    def failures(self) -> int:
        return sum(not v.ok for v in self.visits)

    def percentile(self, share: float) -> float:
        times = self.ok_times
        if not times:
            return float("nan")
        return times[min(len(times) - 1, round(share * (len(times) - 1)))]


def run_users(server: Server, users: int, *, seconds: float, pause_s: float = 0.0) -> Load:
    """``users`` protocol clients at once for at most ``seconds``; peak server memory sampled."""
    peak = [rss_mb(server.pids())]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            peak.append(rss_mb(server.pids()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.monotonic()
    deadline = start + seconds
    stagger = pause_s / users if pause_s else 0.0
    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [
            pool.submit(_user, server.url, i, deadline=deadline, pause_s=pause_s, start_after_s=i * stagger)
            for i in range(users)
        ]
        visits = [v for f in futures for v in f.result()]
    elapsed = time.monotonic() - start
    done.set()
    sampler.join()
    return Load(visits, elapsed, max(peak))


def _warm(server: Server) -> None:
    """Every page of every scope once: the levels then measure visits whose parameters were seen."""
    for query in SCOPES:
        for page in PAGES:
            visit(server.url, page, query, timeout_s=180)


def protocol_rows(server: Server) -> list[Row]:
    _warm(server)
    idle = rss_mb(server.pids())
    rows: list[Row] = []
    for users in LEVELS:
        load = run_users(server, users, seconds=LEVEL_SECONDS)
        throughput = len(load.ok_times) / load.seconds
        target = users == 10 and server.label == "make serve"
        rows += [
            Row(
                f"{server.label}, {users} utilisateur(s) sans pause : page prête p95",
                load.percentile(0.95),
                "s",
                P95_TARGET_S if target else None,
                f"p50 {load.percentile(0.5):.2f} s ; {len(load.visits)} visites ; "
                f"échecs {load.failures}".replace(".", ","),
            ),
            Row(
                f"{server.label}, {users} utilisateur(s) : débit",
                throughput,
                "visites/s",
                THROUGHPUT_TARGET if target else None,
                higher_is_better=True,
            ),
        ]
        if load.failures or users >= 10:
            rows.append(Row(f"{server.label}, {users} utilisateur(s) : échecs", load.failures, "visites", 0))
        rows.append(
            Row(
                f"{server.label}, {users} utilisateur(s) : mémoire serveur par utilisateur",
                max(0.0, load.peak_rss_mb - idle) / users,
                "Mo",
                note=f"pic {load.peak_rss_mb:.0f} Mo, au repos {idle:.0f} Mo".replace(".", ","),
            )
        )
    return rows


def paced_rows(server: Server) -> list[Row]:
    load = run_users(server, PACED_USERS, seconds=PACED_SECONDS, pause_s=PACE_S)
    return [
        Row(
            f"{server.label}, {PACED_USERS} utilisateurs, {PACE_S:.0f} s entre les pages : page prête p95",
            load.percentile(0.95),
            "s",
            P95_TARGET_S,
            f"p50 {load.percentile(0.5):.2f} s ; {len(load.visits)} visites ; échecs {load.failures}".replace(
                ".", ","
            ),
        )
    ]


async def _browser_session(browser: Any, url: str, index: int, deadline: float) -> list[float]:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    query = SCOPES[index % len(SCOPES)]
    times: list[float] = []
    try:
        for path in PAGES:
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            await page.goto(f"{url}/{path}?{query}")
            await page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
                " && document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')",
                timeout=TIMEOUT_MS,
            )
            times.append(time.perf_counter() - start)
    finally:
        await context.close()
    return times


async def _browsers(url: str, sessions: int) -> tuple[list[float], int]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        deadline = time.monotonic() + BROWSER_SECONDS
        results = await asyncio.gather(
            *(_browser_session(browser, url, i, deadline) for i in range(sessions)), return_exceptions=True
        )
        await browser.close()
    times = [t for r in results if isinstance(r, list) for t in r]
    return times, sum(isinstance(r, BaseException) for r in results)


def browser_rows(server: Server, levels: tuple[int, ...] = BROWSER_LEVELS) -> list[Row]:
    rows = []
    for sessions in levels:
        times, failed = asyncio.run(_browsers(server.url, sessions))
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else float("nan")
        p50 = statistics.median(times) if times else float("nan")
        rows.append(
            Row(
                f"{server.label}, {sessions} session(s) Chromium : page prête p95",
                p95,
                "s",
                note=f"p50 {p50:.2f} s ; {len(times)} pages ; sessions en échec {failed}".replace(".", ","),
            )
        )
    return rows


MAP_STATE_JS = """() => {
    if (typeof map_div === 'undefined' || !map_div.eachLayer) { return 'pending'; }
    if (map_div.atlasBenchSeen) { return 'old'; }
    let points = 0;
    map_div.eachLayer(layer => {
        if (layer.feature && layer.feature.geometry && layer.feature.geometry.type === 'Point') { points++; }
    });
    return points > 0 ? 'drawn' : 'pending';
}"""


def redraw_rows(server: Server) -> list[Row]:
    """One user moves the distance slider; time until the page's map is drawn again (the map shows
    the share of inhabitants within the distance, so that each change redraws it)."""
    from playwright.sync_api import sync_playwright

    slider = ".st-key-f_radius input[type=range]"
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{server.url}/couverture?fond=none&reg=76&rayon=10&indicateur=share_covered")
        _wait_for_map_state(page, "drawn")
        for index in range(WIDGET_CHANGES + 1):
            _map_frame(page).evaluate("() => { map_div.atlasBenchSeen = true; }")
            start = time.perf_counter()
            page.locator(slider).press("ArrowRight" if index % 2 == 0 else "ArrowLeft")
            _wait_for_map_state(page, "drawn")
            if index:  # the first change computes a new distance; the others were seen before
                times.append(time.perf_counter() - start)
        browser.close()
    return [
        Row(
            f"{server.label}, 1 utilisateur : distance changée → carte redessinée (médiane)",
            statistics.median(times),
            "s",
            REDRAW_TARGET_S,
            f"{len(times)} changements 10 ↔ 15 km, Occitanie, navigateur compris",
        )
    ]


def _map_frame(page: Any) -> Any:
    handle = page.locator(FOLIUM_FRAME).first.element_handle(timeout=TIMEOUT_MS)
    return handle.content_frame()


def _wait_for_map_state(page: Any, state: str) -> None:
    """Poll the first map until ``MAP_STATE_JS`` says ``state`` (the iframe may be replaced)."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        try:
            frame = _map_frame(page)
            if frame is not None and frame.evaluate(MAP_STATE_JS) == state:
                return
        except PlaywrightError:  # the frame was replaced while being read
            pass
        time.sleep(0.01)
    raise TimeoutError(f"carte jamais « {state} »")


def _read_until_finished(ws: Any) -> None:
    """Read a session's messages until its script has finished (the session then stays open, idle)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    deadline = time.monotonic() + VISIT_TIMEOUT_S
    while time.monotonic() < deadline:
        message = ForwardMsg.FromString(ws.recv(timeout=VISIT_TIMEOUT_S))
        if message.WhichOneof("type") == "script_finished":
            return


def _open_sessions(server: Server, count: int) -> list[Any]:
    """``count`` sessions that have run a page each and stay open (idle, as browser tabs)."""
    from websockets.sync.client import connect
    from websockets.typing import Origin, Subprotocol

    from serve.client import rerun_request

    sockets = []
    host = server.url.split("//")[1]
    for index in range(count):
        ws = connect(
            f"ws://{host}/_stcore/stream",
            subprotocols=[Subprotocol("streamlit")],
            origin=Origin(server.url),
            max_size=None,
            proxy=None,
            ping_interval=None,
            close_timeout=2,
        )
        ws.send(rerun_request(PAGES[index % len(PAGES)], SCOPES[index % len(SCOPES)]))
        _read_until_finished(ws)
        sockets.append(ws)
    return sockets


def memory_rows() -> list[Row]:
    """Cycles of 60 sessions opened on one process, then closed: memory per session, and whether
    what they took comes back (the last cycles must not add to the first)."""
    with make_run("--server.disconnectedSessionTTL", str(SESSION_TTL_S)) as server:
        _warm(server)
        before = rss_mb(server.pids())
        after = []
        opened = 0.0
        for _ in range(MEMORY_CYCLES):
            sockets = _open_sessions(server, MEMORY_SESSIONS)
            opened = max(opened, rss_mb(server.pids()))
            for ws in sockets:
                ws.close()
            time.sleep(SESSION_TTL_S + 10)  # Streamlit drops closed sessions after their TTL
            visit(server.url, "", "fond=none")
            after.append(rss_mb(server.pids()))
    return [
        Row(
            f"Mémoire par session ouverte ({MEMORY_SESSIONS} sessions, 1 processus)",
            (opened - before) / MEMORY_SESSIONS,
            "Mo",
            note=f"avant {before:.0f} Mo, sessions ouvertes {opened:.0f} Mo".replace(".", ","),
        ),
        Row(
            f"Mémoire rendue : cycles 2 à {MEMORY_CYCLES} de {MEMORY_SESSIONS} sessions, en plus du 1er",
            after[-1] - after[0],
            "Mo",
            5.0 * (MEMORY_CYCLES - 1),
            note="après chaque cycle : " + ", ".join(f"{a:.0f}" for a in after) + " Mo ; session fermée "
            f"gardée {SESSION_TTL_S} s pour une reconnexion",
        ),
    ]


def _load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f}".replace(".", ",")


def _progress(rows: list[Row]) -> list[Row]:
    """Print ``rows`` at once on stderr (the table comes at the end of a ten-minute run)."""
    for row in rows:
        print(f"  {row.name} : {row.value:.2f} {row.unit} {row.note}", file=sys.stderr, flush=True)
    return rows


def rows() -> list[Row]:
    start_load = _load_note()
    result: list[Row] = []
    with make_run() as server:
        result += _progress(protocol_rows(server))
        result += _progress(browser_rows(server, BROWSER_LEVELS[:2]))
        result += _progress(redraw_rows(server))
    with make_serve() as server:
        result += _progress(protocol_rows(server))
        result += _progress(paced_rows(server))
        result += _progress(browser_rows(server))
        result += _progress(redraw_rows(server))
    result += _progress(memory_rows())
    result.append(
        Row(
            "Charge de la machine (1 min) à la fin du bench de charge",
            os.getloadavg()[0],
            "",
            note=f"au début {start_load} (1 / 5 min) ; {os.cpu_count()} cœurs partagés",
        )
    )
    return result
