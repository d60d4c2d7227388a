"""Import in a real headless Chromium: French uploader, verdicts and choices before the import, the map."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.conftest import ROOT
from tests.e2e.helpers import (
    FOLIUM_FRAME,
    TIMEOUT_MS,
    assert_no_exception,
    count_map_points,
    map_frame,
    non_tile_blocked,
    wait_for_app,
)

pytestmark = pytest.mark.e2e

FIXTURES = ROOT / "tests" / "fixtures" / "import"
XSS_NAME = "<img src=x onerror=alert(1)>"
TEMPLATE_NAME = "Atelier {{ 7*7 }} {% if x %}"  # must stay text, never be evaluated
ENGLISH = (
    "Upload",
    "Drag and drop",
    "per file",
    "MB",
    "Browse",
    "must be",
    "Remove",
    "Add files",
    "Help for",
)

OPEN_TOOLTIPS_JS = """() => {
    const texts = [];
    map_div.eachLayer(layer => {
        if (layer.feature && layer.feature.geometry && layer.feature.geometry.type === 'Point'
            && layer.getTooltip && layer.getTooltip()) {
            layer.openTooltip();
            texts.push(layer.getTooltip().getElement().innerText);
        }
    });
    return texts;
}"""

SHOWN_TEXT_JS = """(selector) => {
    // What the uploader says, to the eye and to a screen reader: its text and its accessible names.
    const out = [];
    for (const root of document.querySelectorAll(selector)) {
        out.push(root.innerText);
        for (const element of [root, ...root.querySelectorAll('*')]) {
            for (const name of ['aria-label', 'title']) {
                if (element.getAttribute(name)) out.push(element.getAttribute(name));
            }
        }
    }
    return out.filter(text => text && text.trim());
}"""


def _open_data_page(page, app_url: str) -> None:
    # Through the app's own navigation: a fresh server can answer a first deep link with
    # « Page not found » (pages are registered by the first script run).
    page.goto(f"{app_url}/?fond=none")
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Données", exact=True).click()
    page.get_by_role("heading", name="Données", exact=True).wait_for(timeout=TIMEOUT_MS)
    page.locator('[data-testid="stFileUploaderDropzone"]').wait_for(timeout=TIMEOUT_MS)
    wait_for_app(page)


def _upload(page, *paths: str) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(list(paths))
    page.get_by_text("Le verdict de chaque ligne").wait_for(timeout=TIMEOUT_MS)
    wait_for_app(page)


def _choose(page, option: str, *, nth: int = 0) -> None:
    page.locator('[data-testid="stRadio"]').get_by_text(option, exact=True).nth(nth).click()
    wait_for_app(page)


def _metric(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def _shown(page) -> list[str]:
    return page.evaluate(
        SHOWN_TEXT_JS, '[data-testid="stFileUploader"], [data-testid="stTooltipErrorContent"]'
    )


def test_the_uploader_speaks_french_with_the_real_limit(app_url, page, tmp_path) -> None:
    # Streamlit's uploader texts are translated by ui/french_shell.js as they are drawn.
    _open_data_page(page.page, app_url)
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stFileUploaderDropzone\"]').innerText.includes('Mo')"
    )
    shown = " | ".join(_shown(page.page))
    assert "20 Mo au plus par fichier" in shown
    assert not [word for word in ENGLISH if word in shown], shown
    # While a file is dragged over the zone.
    transfer = page.page.evaluate_handle(
        "() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'a.csv')); return d; }"
    )
    page.page.dispatch_event(
        '[data-testid="stFileUploaderDropzone"]', "dragenter", {"dataTransfer": transfer}
    )
    page.page.get_by_text("Glissez-déposez le fichier ici").wait_for(timeout=TIMEOUT_MS)
    shown = " | ".join(_shown(page.page))
    assert not [word for word in ENGLISH if word in shown], shown
    page.page.dispatch_event(
        '[data-testid="stFileUploaderDropzone"]', "dragleave", {"dataTransfer": transfer}
    )
    # A file over the limit is refused by the browser: in French, in Mo.
    big = tmp_path / "trop_gros.csv"
    big.write_bytes(b"a" * (21 * 1024 * 1024))
    page.page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    page.page.locator('[data-testid="stFileChip"][aria-invalid="true"]').wait_for(timeout=TIMEOUT_MS)
    page.page.locator('[data-testid="stFileChip"]').hover(force=True)
    page.page.get_by_text("Le fichier doit faire au plus 20 Mo.").wait_for(timeout=TIMEOUT_MS)
    shown = " | ".join(_shown(page.page))
    assert "22,0 Mo" in shown
    assert not [word for word in ENGLISH if word in shown], shown
    assert page.errors == []


def test_a_list_with_inconsistent_rows_shows_the_verdicts_and_waits_for_the_choice(app_url, page) -> None:
    _open_data_page(page.page, app_url)
    _upload(page.page, str(FIXTURES / "reseau_points_douteux.csv"))
    assert _metric(page.page, "Lignes lues") == "11"
    assert _metric(page.page, "Incohérentes") == "3"
    assert _metric(page.page, "Corrigées") == "2"
    main = page.page.locator('[data-testid="stMain"]')
    assert "3 lignes incohérentes attendent votre choix" in main.inner_text()
    assert "Point loin de la commune déclarée" in main.inner_text()
    assert main.get_by_text("Lignes à vérifier").count() == 1
    button = page.page.get_by_role("button", name="Importer les lieux", exact=True)
    assert button.is_disabled()
    # One choice per kind: the far point goes to its declared commune, the others keep their point.
    _choose(page.page, "placer au point de la commune déclarée", nth=1)
    _choose(page.page, "garder le point (et la commune où il tombe)", nth=0)
    _choose(page.page, "les garder dans la commune retenue")
    button = page.page.get_by_role("button", name="Importer 10 lieux — ajouter à la liste intégrée")
    assert button.is_enabled()
    with page.page.expect_download(timeout=TIMEOUT_MS) as info:
        page.page.get_by_role("button", name="Télécharger le rapport (Excel)").click()
    book = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes()))
    rows = list(book["Rapport"].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 12
    outcomes = {r[header.index("Identifiant")]: r[header.index("suite donnée")] for r in rows[1:]}
    assert outcomes["BFC-03"] == "importé : placer au point de la commune déclarée"
    button.click()
    page.page.get_by_text("Import effectué").wait_for(timeout=TIMEOUT_MS)
    wait_for_app(page.page)
    assert_no_exception(page.page)
    assert page.errors == []


def test_uploaded_list_is_on_the_overview_map_and_hostile_names_are_inert(app_url, page) -> None:
    dialogs: list[str] = []
    page.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open_data_page(page.page, app_url)
    _upload(page.page, str(FIXTURES / "liste_xss.csv"))
    assert _metric(page.page, "Exactes") == "3"
    _choose(page.page, "Remplacer la liste intégrée")
    page.page.get_by_role("button", name="Importer 3 lieux — remplacer la liste intégrée").click()
    page.page.get_by_text("Import effectué").wait_for(timeout=TIMEOUT_MS)
    wait_for_app(page.page)
    # Same session: go to the overview through the app's navigation, not a new page load.
    page.page.get_by_role("link", name="Voir les lieux sur la carte de la vue d'ensemble").click()
    wait_for_app(page.page)
    page.page.get_by_role("heading", name="Vue d'ensemble", exact=True).wait_for(timeout=TIMEOUT_MS)
    assert count_map_points(page.page) == 3
    frame = map_frame(page.page)
    handle = page.page.locator(FOLIUM_FRAME).first.element_handle()
    texts = handle.content_frame().evaluate(OPEN_TOOLTIPS_JS)
    assert any(XSS_NAME in text for text in texts), texts
    assert any(TEMPLATE_NAME in text for text in texts), texts
    assert any("Import : liste_xss.csv" in text for text in texts)
    assert frame.locator('img[src="x"]').count() == 0
    assert page.page.locator('img[src="x"]').count() == 0
    assert "Import : liste_xss.csv" in page.page.locator('[data-testid="stMain"]').inner_text()
    assert dialogs == []
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []
