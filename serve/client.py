"""A minimal client of Streamlit's browser protocol: one websocket session, one rerun per page visit.

It sends what the browser sends when a link is opened (a ``BackMsg`` asking to rerun the
script for a page and a query string) and reads the ``ForwardMsg`` replies until the script
has finished, without drawing anything. When the page holds what is under its map back until
the map is drawn (``atlas_report_drawn``, see :mod:`ui.after_map`), it then sends what the map's
frame sends once painted (from the map's fragment, with the hashes of the large messages it
already has, which the server then does not send again), and waits for the run of the parts
held back too, as a browser would. The warm-up of a new server process and the load benchmark
use it: ten real browsers on two cores would mostly measure the browsers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect
from websockets.typing import Origin, Subprotocol

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass(frozen=True)
class Visit:
    """What one page visit cost the client: time to the end of the script run and bytes received."""

    page: str
    seconds: float
    bytes_received: int
    error: str = ""
    """Empty when the page ran to its end without an exception shown."""
    runs: int = 1
    """Script runs of the visit: 2 when the page held a part back until its map was drawn."""

    @property
    def ok(self) -> bool:
        return not self.error


def visit(
    base_url: str, page: str, query: str = "", *, timeout_s: float = 60.0, report_maps: bool = True
) -> Visit:
    """Open ``page`` (a URL path such as ``couverture``, ``""`` for the default page) as a new session.

    ``query`` is the query string without ``?``; ``report_maps=False`` does not say the maps
    drawn, so the parts a page holds back under its map are not run. Never raises for a slow,
    failing or closed server: the returned :class:`Visit` says what went wrong in ``error``.
    """
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    start = time.perf_counter()
    received = 0
    try:
        with connect(
            f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream",
            subprotocols=[Subprotocol("streamlit")],
            origin=Origin(f"{parts.scheme}://{parts.netloc}"),
            open_timeout=timeout_s,
            max_size=None,
            compression=None,
            proxy=None,
            ping_interval=None,  # a visit lasts seconds; no keepalive thread needed
        ) as websocket:
            websocket.send(rerun_request(page, query))
            waiting_maps: dict[str, MapReport] = {}
            cached: set[str] = set()
            runs = 1
            while True:
                remaining = timeout_s - (time.perf_counter() - start)
                if remaining <= 0:
                    return Visit(page, time.perf_counter() - start, received, "délai dépassé")
                data = websocket.recv(timeout=remaining)
                received += len(data)
                message = ForwardMsg.FromString(data if isinstance(data, bytes) else data.encode())
                problem = _problem(message)
                if problem:
                    return Visit(page, time.perf_counter() - start, received, problem)
                waiting_maps.update(_map_asking_to_report(message))
                if message.metadata.cacheable:
                    cached.add(message.hash)
                if message.WhichOneof("type") == "script_finished":
                    if message.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue  # another run follows (the map's report reruns the parts held back)
                    if message.script_finished in FINISHED and waiting_maps and report_maps:
                        websocket.send(rerun_request(page, query, drawn_maps=waiting_maps, cached=cached))
                        waiting_maps, runs = {}, runs + 1
                        continue
                    if message.script_finished in FINISHED:
                        return Visit(page, time.perf_counter() - start, received, runs=runs)
                    return Visit(page, time.perf_counter() - start, received, "exécution interrompue")
    except TimeoutError:
        return Visit(page, time.perf_counter() - start, received, "délai dépassé")
    except (OSError, ValueError, WebSocketException) as exc:  # refused, reset, closed, bad handshake
        return Visit(page, time.perf_counter() - start, received, f"connexion : {type(exc).__name__}")


@dataclass(frozen=True)
class MapReport:
    """What a map's frame sends once painted: the session's token, from the map's fragment."""

    token: str
    fragment_id: str


def rerun_request(
    page: str,
    query: str,
    *,
    drawn_maps: Mapping[str, MapReport] | None = None,
    cached: Collection[str] = (),
) -> bytes:
    """The ``BackMsg`` a browser sends to run the script for ``page`` with ``query`` (and, once
    it has painted them, the value the frames of the maps ``drawn_maps`` report; ``cached``: the
    hashes of the messages it keeps)."""
    message = BackMsg()
    message.rerun_script.query_string = query
    message.rerun_script.page_name = page
    message.rerun_script.cached_message_hashes.extend(sorted(cached))
    for widget_id, report in (drawn_maps or {}).items():
        state = message.rerun_script.widget_states.widgets.add()
        state.id = widget_id
        state.json_value = json.dumps({"drawn": report.token})
        message.rerun_script.fragment_id = report.fragment_id
    return message.SerializeToString()


def _map_asking_to_report(message: ForwardMsg) -> dict[str, MapReport]:
    """The id of the map frame in ``message`` and what it is to report once drawn, when it asks
    (else nothing)."""
    if message.WhichOneof("type") != "delta" or message.delta.WhichOneof("type") != "new_element":
        return {}
    element = message.delta.new_element
    if element.WhichOneof("type") != "component_instance":
        return {}
    arguments = json.loads(element.component_instance.json_args or "{}")
    token = arguments.get("atlas_report_drawn")
    if not token:
        return {}
    return {element.component_instance.id: MapReport(token, message.delta.fragment_id)}


def _problem(message: ForwardMsg) -> str:
    """An exception box or a « page not found » in ``message`` (empty string when none)."""
    kind = message.WhichOneof("type")
    if kind == "page_not_found":
        return "page introuvable"
    if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
        element = message.delta.new_element
        if element.WhichOneof("type") == "exception":
            return f"exception : {element.exception.type}: {element.exception.message}"
    return ""


def warm_up(base_url: str, pages: tuple[str, ...], *, timeout_s: float = 120.0) -> list[Visit]:
    """Visit ``pages`` in turn, so that imports, data and the shared caches are ready for users."""
    return [visit(base_url, page, timeout_s=timeout_s) for page in pages]
