"""The script that renders a territory's briefing pack to PNG images (``python -m tools.render_pack``)."""

from __future__ import annotations

import pytest

from tools.render_pack import main, missing_tools


def test_unknown_territory_is_reported_in_french_without_traceback(tmp_path, capsys) -> None:
    assert main(["commune:99999", "--sortie", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "commune:99999 : Territoire inconnu" in err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir())


@pytest.mark.e2e
def test_pack_and_its_images_are_written(tmp_path, capsys) -> None:
    """The PDF, the deck and the HTML map, their images with the tools present, and a French
    line for each tool this machine lacks (Chromium always runs: the browser tests need it)."""
    status = main(["commune:89418", "--sortie", str(tmp_path), "--dpi", "30"])
    folder = tmp_path / "commune-89418"
    names = {path.name for path in folder.iterdir()}
    assert {name.rsplit(".", 1)[-1] for name in names} >= {"pdf", "pptx", "html", "png"}
    assert "carte.png" in names
    missing = missing_tools()
    assert ("pdf-1.png" in names) == ("pdftoppm" not in missing)
    assert ("diapo-01.png" in names) == (not {"pdftoppm", "soffice"} & set(missing))
    err = capsys.readouterr().err
    for explanation in missing.values():
        assert explanation in err
    assert status == (1 if missing else 0)
