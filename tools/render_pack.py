"""Render the briefing pack of a territory to PNG images, to look at it before handing it out.

Usage (from the repository root)::

    python -m tools.render_pack commune:89418 dep:34 "Occitanie" --sortie apercu/

For each territory: the PDF, the PowerPoint deck and the HTML map of the pack, then
``pdf-<n>.png`` (one per page, with ``pdftoppm`` from poppler-utils), ``diapo-<n>.png`` (one
per slide: LibreOffice headless converts the deck to PDF first) and ``carte.png`` (the HTML
map in headless Chromium, through Playwright, with the network cut). A missing tool is
reported and its images skipped; the exit status is then 1. ``--formats pdf,carte`` makes only
some of the images.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from geo._errors import AtlasError
from geo.analysis.profile import ProfileBasis, profile_basis, territory_profile
from geo.io.atlas import Atlas, load_atlas, load_commune_polygons
from geo.render.briefing import briefing_pack
from geo.search import resolve_territory
from geo.themes import THEMES

CHROMIUM = "/usr/bin/chromium"
FORMATS = ("pdf", "diapos", "carte")
"""Images the script can make: the PDF's pages, the slides, the HTML map."""
TIMEOUT_S = 240


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.render_pack",
        description="Génère le dossier de présentation de territoires et le rend en images PNG.",
    )
    parser.add_argument("territoires", nargs="+", help="clé (commune:89418, dep:34, reg:76), nom ou code")
    parser.add_argument(
        "--themes", default="", help=f"thèmes séparés par des virgules parmi {','.join(THEMES)}"
    )
    parser.add_argument("--rayon", type=float, default=10.0, help="distance d'accès en km (10 par défaut)")
    parser.add_argument("--sortie", type=Path, default=Path("apercu-dossier"), help="dossier des images")
    parser.add_argument("--dpi", type=int, default=80, help="résolution des images (80 par défaut)")
    parser.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help="images à produire, séparées par des virgules parmi "
        + ", ".join(FORMATS)
        + " (toutes par défaut)",
    )
    arguments = parser.parse_args(argv)
    arguments.formats = tuple(f for f in arguments.formats.split(",") if f)
    unknown = [f for f in arguments.formats if f not in FORMATS]
    if unknown:
        parser.error(f"--formats contient {unknown} mais doit être parmi {list(FORMATS)}")
    return arguments


def _pdf_to_png(pdf: Path, prefix: Path, dpi: int) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, timeout=TIMEOUT_S)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


def _slides_to_png(pptx: Path, prefix: Path, dpi: int) -> list[Path]:
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", work, str(pptx)],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_S,
        )
        return _pdf_to_png(Path(work) / (pptx.stem + ".pdf"), prefix, dpi)


def _html_to_png(page: Path, target: Path) -> Path:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            tab = browser.new_page(viewport={"width": 1600, "height": 1000})
            tab.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
            )
            tab.goto(page.resolve().as_uri(), wait_until="load")
            tab.locator(".atlas-legend").wait_for(timeout=TIMEOUT_S * 1000)  # the map is drawn
            tab.screenshot(path=str(target))
        finally:
            browser.close()
    return target


def missing_tools() -> dict[str, str]:
    """Tool → French explanation, for the tools this machine lacks."""
    needs = {
        "pdftoppm": "pdftoppm introuvable : installez poppler-utils (apt-get install poppler-utils)",
        "soffice": "LibreOffice introuvable : installez libreoffice-impress pour les diapositives",
    }
    missing = {tool: text for tool, text in needs.items() if shutil.which(tool) is None}
    if not Path(CHROMIUM).exists():
        missing["chromium"] = (
            f"Chromium introuvable ({CHROMIUM}) : installez le paquet chromium pour la carte"
        )
    return missing


def render(
    key: str,
    *,
    atlas: Atlas,
    basis: ProfileBasis,
    themes: tuple[str, ...],
    radius_km: float,
    out: Path,
    dpi: int,
    formats: tuple[str, ...] = FORMATS,
) -> list[Path]:
    """Write the pack of territory ``key`` (a key, a name or a code) and its images under ``out``.

    Returns the images made; those needing a tool this machine lacks are skipped (see
    :func:`missing_tools`).
    """
    territory = resolve_territory(basis.index, key)
    profile = territory_profile(atlas, basis, territory, themes=themes, radius_km=radius_km)
    pack = briefing_pack(basis, profile, generated_on=date.today())
    folder = out / f"{territory.level}-{territory.code}"
    folder.mkdir(parents=True, exist_ok=True)
    pdf, pptx, page = folder / f"{pack.basename}.pdf", folder / f"{pack.basename}.pptx", folder / "carte.html"
    pdf.write_bytes(pack.pdf)
    pptx.write_bytes(pack.pptx)
    page.write_bytes(pack.html)
    missing = missing_tools()
    made: list[Path] = []
    if "pdftoppm" not in missing:
        if "pdf" in formats:
            made += _pdf_to_png(pdf, folder / "pdf", dpi)
        if "diapos" in formats and "soffice" not in missing:
            made += _slides_to_png(pptx, folder / "diapo", dpi)
    if "carte" in formats and "chromium" not in missing:
        made.append(_html_to_png(page, folder / "carte.png"))
    print(f"{territory.label} : {len(made)} images dans {folder}")
    return made


def main(argv: list[str]) -> int:
    """Render every territory of ``argv``; 1 when one is unknown or a tool is missing, else 0."""
    arguments = _arguments(argv)
    themes = tuple(t for t in arguments.themes.split(",") if t)
    atlas = load_atlas()
    basis = profile_basis(atlas, load_commune_polygons())
    failed = False
    for key in arguments.territoires:
        try:
            render(
                key,
                atlas=atlas,
                basis=basis,
                themes=themes,
                radius_km=arguments.rayon,
                out=arguments.sortie,
                dpi=arguments.dpi,
                formats=arguments.formats,
            )
        except AtlasError as exc:
            print(f"{key} : {exc}", file=sys.stderr)
            failed = True
    for problem in missing_tools().values():
        print(problem, file=sys.stderr)
    return 1 if failed or missing_tools() else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
