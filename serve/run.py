"""One Atlas server process: ``streamlit run app.py``, with data and pages ready before users come.

``make run`` starts one; ``make serve`` starts one per core behind nginx. Usage::

    python -m serve.run [--server.port 8501] [any other ``streamlit run`` option]

While Streamlit starts its web server, a background thread imports the heavy libraries and the
modules of the default page, and loads the bundled data into the shared cache (from the
snapshot of a previous start when there is one, :mod:`geo.io.snapshot`); once the server
answers, the same thread opens the default page (without what it holds back under its map),
then every page, through the websocket protocol (:mod:`serve.client`), so that the first
visitors do not pay for the national coverage and map.
"""

from __future__ import annotations

import compileall
import functools
import importlib
import importlib.metadata
import re
import sys
import threading
import time
import urllib.request
from pathlib import Path

# Imports Streamlit before the warm-up thread starts: Streamlit's Plotly theme (built at import)
# reads pandas from sys.modules, and a pandas half-imported by that thread breaks it.
from serve.client import visit, warm_up

WARM_PAGES = (
    "",
    "couverture",
    "zones-blanches",
    "services-publics",
    "thematiques",
    "fiche-territoire",
    "simulateur",
    "donnees",
    "a-propos",
    "accessibilite",
)
"""URL paths visited once at start-up, the default page first (the one a shared link opens most)."""
OTHER_PAGES_AFTER_S = 3.0
PRELOADED_MODULES = (
    "folium",
    "plotly.graph_objects",
    "ui.data",
    "geo.analysis.gaps",
    "geo.analysis.typology_coverage",
    "geo.io.export",
    "geo.render.charts",
    "geo.render.mapviews",
)
"""What the default page imports, but Streamlit components: imported before the server runtime
exists, they would not be registered (``ui.assets``, which declares the maps' frame, is left to the
first script run)."""


_MAY_NAME_A_COMPONENT = re.compile(r"streamlit|^name:\s*st[-_]", re.IGNORECASE | re.MULTILINE)


def quicker_component_scan() -> None:
    """Make Streamlit's search for installed components skip, unparsed, packages that cannot hold one.

    When its runtime starts, Streamlit looks in every installed package for components of its
    new API (``streamlit.components.v2``), parsing the metadata of each one to find those that
    name or require Streamlit: ~0.4 s before the server answers, with 100 packages. A package
    whose metadata does not even contain « streamlit » (nor a name starting with « st- »)
    fails each of Streamlit's own tests, so it is skipped on a plain text search; the others
    go through those tests unchanged (``tests/serve`` checks that the same components are found).
    The tests make it quicker too: ``AppTest`` searches once per app it opens.
    """
    from streamlit.components.v2 import manifest_scanner

    is_likely = manifest_scanner._is_likely_streamlit_component_package
    if hasattr(is_likely, "__wrapped__"):
        return  # quicker already

    @functools.wraps(is_likely)
    def may_hold_a_component(dist: importlib.metadata.Distribution) -> bool:
        text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
        return bool(_MAY_NAME_A_COMPONENT.search(text)) and is_likely(dist)

    manifest_scanner._is_likely_streamlit_component_package = may_hold_a_component


def _option(argv: list[str], name: str, default: str) -> str:
    """The value of ``--name value`` or ``--name=value`` in ``argv``."""
    for index, arg in enumerate(argv):
        if arg == f"--{name}" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return default


SOURCE_PACKAGES = ("geo", "ui", "serve")
"""The Atlas's packages, whose bytecode a start writes when Python does not (:func:`_compile_sources`)."""


def _compile_sources() -> None:
    """Write the bytecode of :data:`SOURCE_PACKAGES` where it is missing or older than its source.

    Python does it when it imports a module, unless ``PYTHONDONTWRITEBYTECODE`` is set (as in
    some CI and container images): every start would then compile the ~75 modules again, ~0.2 s
    of it. Up to date, this only compares dates; a folder that cannot be written changes nothing.
    """
    root = Path(__file__).resolve().parents[1]
    for package in SOURCE_PACKAGES:
        compileall.compile_dir(root / package, quiet=2)


def _preload() -> None:
    """Import the default page's modules and load the bundled data into the shared cache."""
    _compile_sources()
    for module in PRELOADED_MODULES:
        importlib.import_module(module)
    from ui.data import bundled_atlas

    bundled_atlas()


def _say(text: str) -> None:
    print(f"Atlas : {text}", file=sys.stderr, flush=True)


def _wait_for_health(base_url: str, *, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def _prepare(base_url: str) -> None:
    start = time.perf_counter()
    _preload()
    if not _wait_for_health(base_url, timeout_s=120):
        _say(f"préchauffage abandonné : le serveur ne répond pas sur {base_url}")
        return
    # The default page first, without what it holds back under its map; that part and the other
    # pages wait a little: the first visitors (often already there after a restart) should not
    # share the cores with it while their own first map is sent and drawn.
    visits = [visit(base_url, WARM_PAGES[0], timeout_s=120, report_maps=False)]
    time.sleep(OTHER_PAGES_AFTER_S)
    visits += warm_up(base_url, WARM_PAGES)  # the default page again, now whole
    failed = sorted({f"/{v.page} ({v.error})" for v in visits if not v.ok})
    if failed:
        _say("préchauffage : pages en erreur : " + ", ".join(failed))
    _say(
        f"prêt en {time.perf_counter() - start:.1f} s ({len(WARM_PAGES)} pages préchauffées)".replace(
            ".", ",", 1
        )
    )


def main(argv: list[str]) -> None:
    """Start Streamlit on ``app.py`` with ``argv`` options, and prepare the pages meanwhile."""
    port = _option(argv, "server.port", "8501")
    address = _option(argv, "server.address", "127.0.0.1")
    host = "127.0.0.1" if address in ("", "0.0.0.0") else address
    base_path = _option(argv, "server.baseUrlPath", "").strip("/")
    base_url = f"http://{host}:{port}" + (f"/{base_path}" if base_path else "")
    threading.Thread(target=_prepare, args=(base_url,), name="atlas-warm-up", daemon=True).start()

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    # A folder named pages/ makes Streamlit run the first session of a process as an old-style
    # multipage app (one page per file) until app.py's st.navigation says otherwise: a link to
    # /couverture then opens with a « Page not found » dialog over the page. Say it at once.
    PagesManager.uses_pages_directory = False
    quicker_component_scan()

    sys.argv = ["streamlit", "run", "app.py", *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
