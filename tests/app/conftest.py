"""AppTest helpers: run the real app (``app.py`` + ``st.navigation``) on a chosen page."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from serve.run import quicker_component_scan
from tests.conftest import ROOT
from ui.after_map import MAP_DRAWN_KEY

# AppTest looks for installed components once per app it opens, as a server does when it starts.
quicker_component_scan()


def open_app(
    page: str | None = None,
    query: dict[str, str] | None = None,
    *,
    timeout: float = 180,
    map_drawn: bool = True,
) -> AppTest:
    """The app opened as from a shared link: ``query`` in the URL, then ``page`` if given.

    AppTest first runs the default page, whose URL sync drops the other pages' parameters:
    they are set again before switching, as a link opened on the page itself would. AppTest
    draws no map: ``map_drawn`` says the session has, as a browser tells the app once it has
    painted its first map (what is under a map not drawn yet waits for it, see ``ui.after_map``).
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if map_drawn:
        at.session_state[MAP_DRAWN_KEY] = True
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.switch_page(page)
        at.run()
    return at


def map_script(at: AppTest) -> str:
    """The Leaflet script of the page's one map: the argument of the ``atlasDrawMap(…)`` call
    sent to its frame."""
    components = at.get("component_instance")
    assert len(components) == 1
    draw = str(json.loads(components[0].proto.json_args)["feature_group"])
    return str(json.loads(draw[draw.index("(") + 1 : draw.rindex(")")]))


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], object]]:
    """File name → callable of every (deferred) download button registered by the runs."""
    captured: dict[str, Callable[[], object]] = {}
    original = MediaFileManager.add_deferred

    def recording(self: MediaFileManager, data: Callable[[], object], *args: object, **kwargs: object) -> str:
        captured[str(kwargs.get("file_name"))] = data
        return original(self, data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(MediaFileManager, "add_deferred", recording)
    return captured
