"""A minimal client of Streamlit's browser protocol: one websocket session, one rerun per page visit.

It sends what the browser sends when a link is opened (a ``BackMsg`` asking to rerun the
script for a page and a query string) and reads the ``ForwardMsg`` replies until the script
has finished, without drawing anything. The warm-up of a new server process and the load
benchmark use it: ten real browsers on two cores would mostly measure the browsers.
"""

from __future__ import annotations

import time
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

    @property
    def ok(self) -> bool:
        return not self.error


def visit(base_url: str, page: str, query: str = "", *, timeout_s: float = 60.0) -> Visit:
    """Open ``page`` (a URL path such as ``couverture``, ``""`` for the default page) as a new session.

    ``query`` is the query string without ``?``. Never raises for a slow, failing or closed
    server: the returned :class:`Visit` says what went wrong in ``error``.
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
                if message.WhichOneof("type") == "script_finished":
                    if message.script_finished in FINISHED:
                        return Visit(page, time.perf_counter() - start, received)
                    return Visit(page, time.perf_counter() - start, received, "exécution interrompue")
    except TimeoutError:
        return Visit(page, time.perf_counter() - start, received, "délai dépassé")
    except (OSError, ValueError, WebSocketException) as exc:  # refused, reset, closed, bad handshake
        return Visit(page, time.perf_counter() - start, received, f"connexion : {type(exc).__name__}")


def rerun_request(page: str, query: str) -> bytes:
    """The ``BackMsg`` a browser sends to run the script for ``page`` with ``query``."""
    message = BackMsg()
    message.rerun_script.query_string = query
    message.rerun_script.page_name = page
    return message.SerializeToString()


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
