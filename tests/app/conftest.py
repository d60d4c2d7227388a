"""AppTest helpers: run the real app (``app.py`` + ``st.navigation``) on a chosen page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def open_app(
    page: str | None = None, query: dict[str, str] | None = None, *, timeout: float = 180
) -> AppTest:
    """The app opened as from a shared link: ``query`` in the URL, then ``page`` if given.

    AppTest first runs the default page, whose URL sync drops the other pages' parameters:
    they are set again before switching, as a link opened on the page itself would.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.switch_page(page)
        at.run()
    return at


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
