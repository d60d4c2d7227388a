"""The warm start (and the load bench) visit every page the app declares."""

from __future__ import annotations

import re

from serve.run import WARM_PAGES
from tests.conftest import ROOT


def test_every_page_of_the_navigation_is_warmed() -> None:
    declared = re.findall(r'url_path="([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
    assert WARM_PAGES[0] == ""  # the default page (« vue-d-ensemble ») first
    assert set(declared) - {"vue-d-ensemble"} == set(WARM_PAGES[1:])
