"""Imports flow one way: pages → ui → geo, and inside geo render → analysis → io → primitives.

Read from the source with :mod:`ast` (nothing is imported), so that a rule broken in a
function body or under ``TYPE_CHECKING`` is caught too. A module's layer is its folder
(``geo/io``, ``geo/analysis``, ``geo/render``); a module flat at the top of ``geo/`` must be
declared a primitive below: a new one fails this test until it is put in a folder or declared.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

PRIMITIVES = {
    "_errors",
    "_validate",
    "crs",
    "fmt",
    "search",
    "territory",
    "themes",
    "typologies",
}
"""The flat modules at the top of ``geo/``: small shared vocabulary (errors, CRS, French
formatting, territories, themes, commune types); they import only each other."""

LAYER_FOLDERS = ("io", "analysis", "render")
"""``geo/io`` reads, checks, places, links and writes datasets and files; ``geo/analysis``
computes numbers only (tables and dataclasses, no figure); ``geo/render`` draws maps, charts
and documents. The folder a module is in is its layer."""

ALLOWED = {
    "primitives": {"primitives"},
    "io": {"primitives", "io"},
    "analysis": {"primitives", "io", "analysis"},
    "render": {"primitives", "io", "analysis", "render"},
}
"""Which layers the modules of a layer may import."""

STREAMLIT = {"streamlit", "streamlit_folium"}
RENDERING_LIBRARIES = {"folium", "branca", "plotly", "matplotlib"}
"""Drawing libraries, for the render layer only."""

PUBLIC_PRIVATE_MODULES = {"geo._errors"}
"""Underscored modules whose names pages may import: the typed errors they catch."""

GEO = ROOT / "geo"


def module_name(path: Path) -> str:
    """``geo/render/briefing/pdf.py`` → ``geo.render.briefing.pdf``; ``__init__.py`` → the package."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


GEO_MODULES = {module_name(path): path for path in sorted(GEO.rglob("*.py"))}


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in ``path``, anywhere in the file, relative ones resolved.

    ``from geo.render.briefing import content`` yields both ``geo.render.briefing`` and
    ``geo.render.briefing.content``.
    """
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                if f"{module}.{alias.name}" in GEO_MODULES:
                    yield node.lineno, f"{module}.{alias.name}"


def layer_of(module: str) -> str | None:
    """The layer of a ``geo`` module: its folder, or ``primitives`` for a declared flat module
    (``None`` for the ``geo`` package itself or an undeclared flat module)."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "geo":
        return None
    if parts[1] in LAYER_FOLDERS:
        return parts[1]
    return "primitives" if parts[1] in PRIMITIVES else None


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_every_geo_module_is_in_a_layer() -> None:
    unclassified = [name for name in GEO_MODULES if name != "geo" and layer_of(name) is None]
    assert not unclassified, (
        f"modules flat in geo/ but not declared primitives: {unclassified}; move each to geo/io, "
        "geo/analysis or geo/render (the layer whose rules its imports follow), or add it to "
        "PRIMITIVES in tests/test_import_direction.py"
    )
    stale = sorted(f"geo.{name}" for name in PRIMITIVES if f"geo.{name}" not in GEO_MODULES)
    assert not stale, f"declared primitives that are no module flat in geo/: {stale}"


@pytest.mark.parametrize("package", ["", *LAYER_FOLDERS])
def test_geo_and_its_layer_packages_import_nothing(package: str) -> None:
    """Importing ``geo.io.x`` must not load the whole layer: the ``__init__`` files stay docstrings."""
    init = GEO / package / "__init__.py"
    assert init.is_file(), f"{init.relative_to(ROOT)} missing"
    assert not list(imported_modules(init)), f"{init.relative_to(ROOT)} must stay a docstring"


def test_geo_never_imports_streamlit() -> None:
    found = [
        f"{where(path, line)} imports {module}"
        for path in GEO_MODULES.values()
        for line, module in imported_modules(path)
        if module.split(".")[0] in STREAMLIT
    ]
    assert not found, "geo/ must not import Streamlit (pages and ui/ do):\n" + "\n".join(found)


def test_geo_never_imports_the_app_and_ui_never_imports_pages() -> None:
    """The app's own layers: geo knows nothing of ui/ nor pages/, ui/ nothing of pages/."""
    ui_files = sorted((ROOT / "ui").rglob("*.py"))
    found = [
        f"{where(path, line)} imports {module}"
        for path in GEO_MODULES.values()
        for line, module in imported_modules(path)
        if module.split(".")[0] in ("ui", "pages", "app")
    ] + [
        f"{where(path, line)} imports {module}"
        for path in ui_files
        for line, module in imported_modules(path)
        if module.split(".")[0] in ("pages", "app")
    ]
    assert not found, "imports must flow pages → ui → geo:\n" + "\n".join(found)


def test_importing_all_of_geo_loads_no_streamlit() -> None:
    """The transitive check the source reading cannot make (a dependency that pulls Streamlit in)."""
    modules = sorted(n for n in GEO_MODULES if n != "geo" and not n.endswith(".__main__"))  # main runs
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'streamlit_folium'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_geo_layers_import_downwards_only() -> None:
    found = []
    for name, path in GEO_MODULES.items():
        layer = layer_of(name)
        if layer is None:
            continue
        for line, module in imported_modules(path):
            top = module.split(".")[0]
            if top in RENDERING_LIBRARIES and layer != "render":
                found.append(f"{where(path, line)}: {layer} module imports the drawing library {module}")
            target = layer_of(module) if top == "geo" else None
            if target is not None and target not in ALLOWED[layer]:
                found.append(f"{where(path, line)}: {layer} module imports {module} ({target})")
    assert not found, "imports must flow render → analysis → io → primitives:\n" + "\n".join(found)


def _private_imports(path: Path, tree: ast.AST, geo_aliases: set[str]) -> Iterator[str]:
    """Imports of private geo modules or names; collects the names geo modules are bound to."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "geo":
            module = node.module or ""
            private_module = any(part.startswith("_") for part in module.split("."))
            if private_module and module not in PUBLIC_PRIVATE_MODULES:
                yield f"{where(path, node.lineno)} imports from the private module {module}"
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield f"{where(path, node.lineno)} imports the private name {module}.{alias.name}"
                if f"{module}.{alias.name}" in GEO_MODULES:
                    geo_aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in (a for a in node.names if a.name.split(".")[0] == "geo"):
                if any(part.startswith("_") for part in alias.name.split(".")):
                    yield f"{where(path, node.lineno)} imports the private module {alias.name}"
                geo_aliases.add(alias.asname or alias.name.split(".")[0])


def _private_attributes(path: Path, tree: ast.AST, geo_aliases: set[str]) -> Iterator[str]:
    """``geo.x._y`` reached through a name bound to a geo module."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name | ast.Attribute)
            and ast.unparse(node.value).split(".")[0] in geo_aliases
        ):
            yield f"{where(path, node.lineno)} reaches the private name {ast.unparse(node)}"


def public_use_violations(path: Path) -> Iterator[str]:
    """Private names of geo imported or reached (``geo.x._y``, ``from geo.x import _y``) by ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    geo_aliases: set[str] = set()
    yield from _private_imports(path, tree, geo_aliases)
    yield from _private_attributes(path, tree, geo_aliases)


def test_pages_and_ui_use_only_public_names_of_geo() -> None:
    callers = [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "ui").rglob("*.py"))]
    found = [violation for path in callers for violation in public_use_violations(path)]
    assert not found, "pages, ui/ and app.py must use geo through its public names:\n" + "\n".join(found)
