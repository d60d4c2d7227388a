"""The first map of a visit comes first: what is under it waits until the browser has drawn it.

On the first page a visitor opens, the browser has everything to do at once: Streamlit's page,
the map's frame with Leaflet, and under the map the tables and charts, for which it first loads
the chart library (~5 MB of JavaScript). On a two-core machine that delays the map by one to
two seconds. So, until this session's browser has drawn a map:

- a map sent on this run asks its frame to say when it is painted (:func:`report_token`; the
  frame's side is ``ui.components.MAP_FRAME_SCRIPT``);
- what the page puts under it with :func:`below_first_map` (every chart does, see
  ``ui.components.show_chart``) keeps its place with a line of text, in fragments that share the
  key :data:`AFTER_MAP`;
- when the frame reports, :func:`map_drawn` reruns those fragments only, not the page: the
  server does the work of one page run, in two parts;
- when it has not reported within :data:`WAIT_AT_MOST_S` (a frame that failed to load), the page
  runs again, whole (:func:`_stop_waiting`).

Once a map is drawn, the session's later pages run in one go. A run that holds something back
keeps the link's parameters of the widgets it did not draw yet (``ui.state.hold_link_params``).
AppTest draws no map: ``tests/app/conftest.open_app`` says the session has (``map_drawn=False``
tests the held-back state).
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui.state import hold_link_params, sync_url

AFTER_MAP = "atlas-after-map"
"""Key of the fragments run again once the first map is drawn (:func:`_after_map`)."""
MAP_DRAWN_KEY = "_atlas_map_drawn"
"""Session-state key: this session's browser has drawn a map (nothing is held back any more)."""
_WAITING_KEY = "_atlas_map_waiting"
"""Session-state key: this run sent a map the browser has not drawn yet."""
_HELD_KEY = "_atlas_held_back"
"""Session-state key: this run registered :data:`AFTER_MAP` fragments."""
_TOKEN_KEY = "_atlas_session_token"
"""Session-state key: a random token of this session, which the map's frame sends back once drawn."""
_RUN_START_KEY = "_atlas_run_start"
"""Session-state key: when the last full run started (:func:`_stop_waiting`)."""
WAIT_AT_MOST_S = 5.0
"""Seconds after which what is held back is drawn anyway when the map has not reported: a frame
that failed to load must not hide the page's tables and charts."""
CHART_AFTER_MAP = "Le graphique s'affiche dès que la carte est dessinée…"
REST_AFTER_MAP = "La suite de la page s'affiche dès que la carte est dessinée…"


def begin_page() -> None:
    """Start a full run of the page: no map of it waits to be drawn yet, nothing is held back."""
    st.session_state[_WAITING_KEY] = False
    st.session_state[_HELD_KEY] = False
    st.session_state[_RUN_START_KEY] = time.monotonic()


def end_page() -> None:
    """End a full run: a map still waiting to be drawn reruns :data:`AFTER_MAP` once drawn,
    also when the page held nothing back (that rerun then draws nothing)."""
    if st.session_state.get(_WAITING_KEY) and not held_back():
        _hold(None, REST_AFTER_MAP, 0)


def held_back() -> bool:
    """Whether this run left part of the page to run once the map is drawn."""
    return bool(st.session_state.get(_HELD_KEY))


def report_token() -> str:
    """What a map sent on this run asks its frame to send back once painted: this session's
    token, or nothing once the session has drawn a map."""
    if st.session_state.get(MAP_DRAWN_KEY):
        return ""
    st.session_state[_WAITING_KEY] = True
    if _TOKEN_KEY not in st.session_state:
        st.session_state[_TOKEN_KEY] = secrets.token_hex(8)
    return str(st.session_state[_TOKEN_KEY])


def map_drawn(widget_key: str) -> None:
    """Callback of a map's frame (widget ``widget_key``): once it reports this session's map
    painted, rerun what was held back (:data:`AFTER_MAP`), not the page.

    A value with another session's token does not count: a page reconnected after a server
    restart sends the last value of its frame, which the frame then replaces.
    """
    value = st.session_state.get(widget_key)
    token = st.session_state.get(_TOKEN_KEY)
    if not (token and isinstance(value, dict) and value.get("drawn") == token):
        return
    st.session_state[MAP_DRAWN_KEY] = True
    if held_back():
        with contextlib.suppress(StreamlitAPIException):  # no such fragment any more
            st.rerun(AFTER_MAP)
    st.rerun()  # nothing to rerun alone (the run did not reach its end): run the page again


def below_first_map(
    body: Callable[[], object], *, placeholder: str = REST_AFTER_MAP, height: int = 400
) -> None:
    """Run ``body``, a part of the page under its map, or hold it back until this session's
    browser has drawn the map sent on this run (``placeholder`` and ``height`` keep its place)."""
    if st.session_state.get(_WAITING_KEY) and not st.session_state.get(MAP_DRAWN_KEY):
        _hold(body, placeholder, height)
    else:
        body()


def _hold(body: Callable[[], object] | None, placeholder: str, height: int) -> None:
    st.session_state[_HELD_KEY] = True
    if body is not None:
        hold_link_params()
    _after_map(body, placeholder, height)


@st.fragment(key=AFTER_MAP)
def _after_map(body: Callable[[], object] | None, placeholder: str, height: int) -> None:
    """``body`` once the session has drawn a map, its placeholder before (nothing for ``None``).
    Every call shares the key :data:`AFTER_MAP`: :func:`map_drawn` reruns them all at once."""
    if body is None:
        return
    if not st.session_state.get(MAP_DRAWN_KEY):
        with st.container(height=height, border=False):
            st.caption(placeholder)
            _stop_waiting()
        return
    body()
    sync_url()  # the link gets the values of the widgets drawn only now


@st.fragment(run_every=WAIT_AT_MOST_S)
def _stop_waiting() -> None:
    """Inside a placeholder, a fragment the browser reruns every :data:`WAIT_AT_MOST_S`: its first
    rerun means the map has not reported in time, so the session stops holding back and the page
    runs again, whole. Once the map reports, the placeholder and this fragment go (Streamlit then
    stops its timer)."""
    waited = time.monotonic() - st.session_state.get(_RUN_START_KEY, time.monotonic())
    if waited >= WAIT_AT_MOST_S - 0.5:  # not its first run, right after the placeholder's
        st.session_state[MAP_DRAWN_KEY] = True
        st.rerun()
