"""Import in a real headless Chromium: upload a list, see it on the overview map, XSS stays inert."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.conftest import ROOT
from tests.e2e.helpers import (
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


def _open_data_page(page, app_url: str) -> None:
    # Through the app's own navigation: a fresh server can answer a first deep link with
    # « Page not found » (pages are registered by the first script run).
    page.goto(f"{app_url}/?fond=none")
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Données", exact=True).click()
    page.get_by_role("heading", name="Données", exact=True).wait_for(timeout=TIMEOUT_MS)
    wait_for_app(page)


def _import(page, *names: str) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [str(FIXTURES / n) for n in names]
    )
    page.get_by_role("button", name="Importer").wait_for(timeout=TIMEOUT_MS)
    wait_for_app(page)
    page.get_by_role("button", name="Importer").click()
    page.get_by_text("Rapport de qualité de l'import").wait_for(timeout=TIMEOUT_MS)
    wait_for_app(page)


def test_uploaded_list_is_on_the_overview_map_and_hostile_names_are_inert(app_url, page) -> None:
    dialogs: list[str] = []
    page.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _open_data_page(page.page, app_url)
    _import(page.page, "liste_xss.csv")
    metric = page.page.locator('[data-testid="stMetric"]').filter(has_text="Acceptées")
    assert metric.locator('[data-testid="stMetricValue"]').inner_text() == "3"

    # Same session: go to the overview through the app's navigation, not a new page load.
    page.page.get_by_role("link", name="Voir les lieux sur la carte de la vue d'ensemble").click()
    wait_for_app(page.page)
    page.page.get_by_role("heading", name="Vue d'ensemble", exact=True).wait_for(timeout=TIMEOUT_MS)
    assert count_map_points(page.page) == 3
    frame = map_frame(page.page)
    handle = page.page.locator('iframe[src*="/component/streamlit_folium.st_folium/"]').first.element_handle()
    texts = handle.content_frame().evaluate(OPEN_TOOLTIPS_JS)
    assert any(XSS_NAME in text for text in texts), texts
    assert any(TEMPLATE_NAME in text for text in texts), texts
    assert any("Import : liste_xss.csv" in text for text in texts)
    # The name is shown as text: no <img src="x"> anywhere, no alert.
    assert frame.locator('img[src="x"]').count() == 0
    assert page.page.locator('img[src="x"]').count() == 0
    assert "Import : liste_xss.csv" in page.page.locator('[data-testid="stMain"]').inner_text()
    assert dialogs == []
    assert_no_exception(page.page)
    assert non_tile_blocked(page.blocked) == []
    assert page.errors == []


def test_census_import_report_downloads_with_every_rejected_row(app_url, page) -> None:
    _open_data_page(page.page, app_url)
    _import(page.page, "bdftl-2026-01-fiche-identite.csv", "bdftl-2026-02-activites.csv")
    assert page.page.get_by_text("Format reconnu : Recensement France Tiers-Lieux 2026").count() == 1
    with page.page.expect_download(timeout=TIMEOUT_MS) as info:
        page.page.get_by_role("button", name="Télécharger le rapport complet (CSV)").click()
    text = info.value.path().read_text(encoding="utf-8-sig")
    report = pd.read_csv(io.StringIO(text), sep=";", comment="#", dtype=str)
    assert len(report) == 9
    rejected = report[report["statut"] == "rejeté"]
    assert rejected["NOM"].tolist() == ["Lieu fantôme"]
    assert "EMAIL" not in report.columns
    assert_no_exception(page.page)
    assert page.errors == []
