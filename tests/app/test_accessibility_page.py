"""AppTest of the accessibility statement."""

from __future__ import annotations

import pytest

from tests.app.conftest import open_app

PAGE = "pages/accessibility.py"


def test_statement_has_the_rgaa_sections() -> None:
    at = open_app(page=PAGE)
    assert not at.exception
    assert at.title[0].value == "Accessibilité"
    headers = [h.value for h in at.header]
    for section in ("État de conformité", "Contenus non accessibles", "Retour d'information et contact"):
        assert section in headers
    text = " ".join(m.value for m in at.markdown)
    assert "non conforme" in text
    assert "Défenseur des droits" in text


def test_contact_comes_from_the_deployment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATLAS_CONTACT_ACCESSIBILITE", "accessibilite@exemple.fr")
    at = open_app(page=PAGE)
    assert any("accessibilite@exemple.fr" in m.value for m in at.markdown)
