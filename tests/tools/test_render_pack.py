"""The script that renders a territory's briefing pack to PNG images (``python -m tools.render_pack``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tools.render_pack import main, missing_tools


def test_unknown_territory_is_reported_in_french_without_traceback(tmp_path, capsys) -> None:
    assert main(["commune:99999", "--sortie", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "commune:99999 : Territoire inconnu" in err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_unknown_format_is_refused_in_french(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["commune:89418", "--sortie", str(tmp_path), "--formats", "pdf,png"])
    assert exit_info.value.code == 2
    assert "--formats contient ['png']" in capsys.readouterr().err


@pytest.mark.e2e
def test_pack_and_its_images_are_written(tmp_path) -> None:
    """The PDF, the deck and the HTML map, the images asked for with the tools present, and a
    French line for each tool this machine lacks (Chromium always runs: the browser tests need it).

    Run as a user runs it, in its own process (Playwright's sync API cannot nest in the one
    the browser tests opened).
    """
    command = [sys.executable, "-m", "tools.render_pack", "commune:89418", "--sortie", str(tmp_path)]
    command += ["--dpi", "30", "--formats", "pdf,carte"]  # LibreOffice, optional, is slow to start
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    folder = tmp_path / "commune-89418"
    names = {path.name for path in folder.iterdir()}
    assert {name.rsplit(".", 1)[-1] for name in names} >= {"pdf", "pptx", "html", "png"}
    assert "carte.png" in names
    assert "diapo-01.png" not in names
    missing = missing_tools()
    assert ("pdf-1.png" in names) == ("pdftoppm" not in missing)
    for explanation in missing.values():
        assert explanation in result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == (1 if missing else 0)
    assert "Tonnerre (commune, 89) :" in result.stdout
