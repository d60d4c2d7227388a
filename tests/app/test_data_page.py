"""AppTest of the « Données » page: upload, mapping, verdicts before import, choices, session-only use."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_app
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "import"
PAGE = "pages/data.py"
BUNDLED_METRO = 1910


def _file(name: str) -> tuple[str, bytes, str]:
    return (name, (FIXTURES / name).read_bytes(), "text/csv")


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _number(text: str) -> int:
    return int(text.replace("\u202f", ""))


def _table_with(at: AppTest, column: str):
    """The first dataframe shown that has ``column`` (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _upload(at: AppTest, *names: str) -> AppTest:
    at.file_uploader(key="data_upload").set_value([_file(n) for n in names])
    at.run()
    assert not at.exception, at.exception
    return at


def _overview_count(at: AppTest) -> int:
    at.switch_page("pages/overview.py").run()
    assert not at.exception, at.exception
    return _number(_metrics(at)["Tiers-lieux dans le périmètre"])


def test_page_without_upload_explains_and_shows_bundled_source() -> None:
    at = open_app(page=PAGE)
    assert not at.exception
    assert at.title[0].value == "Données"
    assert any("Déposez un fichier" in i.value for i in at.info)
    assert any("Liste consolidée intégrée" in m.value for m in at.markdown)
    assert at.file_uploader(key="data_upload").label == "Fichiers à importer"
    assert any("make refresh" in i.value for i in at.info)


def test_census_2026_verdicts_are_shown_before_the_import_for_the_session() -> None:
    at = _upload(open_app(page=PAGE), "bdftl-2026-01-fiche-identite.csv", "bdftl-2026-02-activites.csv")
    assert any("Recensement France Tiers-Lieux 2026" in s.value for s in at.success)
    assert any("EMAIL" in c.value and "TELEPHONE" in c.value for c in at.caption)
    preview = _table_with(at, "ID_UNIQUE")
    assert not {"EMAIL", "TELEPHONE", "Mail"} & set(preview.columns)
    # The summary by verdict, before anything is imported.
    metrics = _metrics(at)
    assert metrics["Lignes lues"] == "9"
    assert [
        metrics[k] for k in ("Exactes", "Corrigées", "Placées à la commune", "Incohérentes", "Rejetées")
    ] == [
        "3",
        "1",
        "4",
        "0",
        "1",
    ]
    doubtful = _table_with(at, "motif")
    assert len(doubtful) == 6  # every non-exact row
    assert "Lieu fantôme" in doubtful["nom"].tolist()
    assert "Atlantide" in doubtful.set_index("nom").at["Lieu fantôme", "motif"]
    assert any("Liste consolidée intégrée" in m.value for m in at.markdown)  # nothing counted yet
    at.radio(key="data_mode").set_value("Remplacer la liste intégrée").run()
    assert not at.button(key="data_import").disabled  # no inconsistent row: nothing to choose
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    assert any("Import effectué" in s.value for s in at.success)
    assert any("Import : bdftl-2026-01-fiche-identite.csv" in m.value for m in at.markdown)
    # The overview (metropolitan France) counts the 7 imported places of the Hexagone and Corsica.
    assert _overview_count(at) == 7
    at.selectbox(key="f_zone").select("974").run()
    assert _metrics(at)["Tiers-lieux dans le périmètre"] == "1"
    at.selectbox(key="f_zone").select("metro").run()
    at.switch_page(PAGE).run()
    at.button(key="data_reset").click().run()
    assert not at.exception
    assert _overview_count(at) == BUNDLED_METRO


def test_inconsistent_rows_wait_for_a_choice_per_kind() -> None:
    at = _upload(open_app(page=PAGE), "reseau_points_douteux.csv")
    assert (
        at.radio(key="data_mode").value == "Ajouter à la liste intégrée"
    )  # the default keeps the bundled list
    metrics = _metrics(at)
    assert metrics["Incohérentes"] == "3"
    assert metrics["Corrigées"] == "2"
    assert at.button(key="data_import").disabled
    assert any("Choisissez plus haut" in i.value for i in at.info)
    kinds = [r for r in at.radio if r.key and r.key.startswith("data_choice_")]
    assert {r.key for r in kinds} == {
        "data_choice_point_proche",
        "data_choice_point_eloigne",
        "data_choice_declaration_isolee",
    }
    assert all(r.value is None for r in kinds)  # nothing chosen for the user
    far = at.radio(key="data_choice_point_eloigne")
    assert "placer au point de la commune déclarée" in far.options
    at.radio(key="data_choice_point_eloigne").set_value("commune").run()
    at.radio(key="data_choice_point_proche").set_value("point").run()
    assert at.button(key="data_import").disabled  # one kind left
    at.radio(key="data_choice_declaration_isolee").set_value("rejet").run()
    assert not at.exception, at.exception
    assert not at.button(key="data_import").disabled
    assert "9 lieux" in at.button(key="data_import").label  # 11 rows, 1 rejected, 1 rejected by choice
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    # Added to the bundled list: the 9 imported places are all in metropolitan France.
    assert _overview_count(at) == BUNDLED_METRO + 9


def test_report_downloads_carry_every_row_and_the_choices(downloads: dict[str, Callable[[], object]]) -> None:
    at = _upload(open_app(page=PAGE), "casse.csv")
    assert not at.exception
    assert _metrics(at)["Rejetées"] == "3"
    assert any("mal formée" in v for v in _table_with(at, "motif")["motif"])
    book = openpyxl.load_workbook(io.BytesIO(downloads["rapport_import.xlsx"]()))  # type: ignore[arg-type]
    assert book.sheetnames == ["Rapport", "Paramètres et sources"]
    rows = list(book["Rapport"].iter_rows(values_only=True))
    assert rows[0][:3] == ("ligne", "verdict", "suite donnée")
    assert len(rows) == 1 + 4
    parameters = dict(book["Paramètres et sources"].iter_rows(min_row=2, values_only=True))
    assert "4 lignes lues" in parameters["Résumé"]
    assert isinstance(downloads["rapport_import.zip"](), bytes)


def test_free_list_mapping_and_theme_values_can_be_corrected() -> None:
    at = _upload(open_app(page=PAGE), "lieux_mediation_numerique.csv")
    assert at.selectbox(key="data_map_name").value == "nom"
    assert at.multiselect(key="data_map_typology").value == ["services"]
    assert any("aucun thème" in w.value for w in at.warning)
    numeric = at.multiselect(key="data_theme_numerique")
    assert numeric.value == ["Accès à internet"]
    numeric.set_value(list(numeric.options)).run()
    assert not at.exception, at.exception
    assert not any("aucun thème" in w.value for w in at.warning)
    # Without coordinate columns, rows are placed at their commune (postcode + name).
    at.selectbox(key="data_map_lon").select("").run()
    at.selectbox(key="data_map_lat").select("").run()
    assert _metrics(at)["Placées à la commune"] == "9"


def test_missing_name_mapping_gives_a_french_error() -> None:
    at = _upload(open_app(page=PAGE), "liste_lambert93.csv")
    at.selectbox(key="data_map_name").select("").run()
    assert not at.exception
    assert any("colonne du nom du lieu" in e.value for e in at.error)


def test_unsupported_file_gives_a_french_error() -> None:
    at = open_app(page=PAGE)
    at.file_uploader(key="data_upload").set_value([("notes.csv", b"\x00\x01\x02binaire", "text/csv")])
    at.run()
    assert not at.exception
    assert any("binaire" in e.value for e in at.error)
    at.file_uploader(key="data_upload").set_value([("image.png", b"\x89PNG\r\n", "image/png")])
    at.run()
    assert any("non pris en charge" in e.value for e in at.error)


def test_import_does_not_leak_to_another_session() -> None:
    at = _upload(open_app(page=PAGE), "liste_xss.csv")
    at.button(key="data_import").click().run()
    assert not at.exception
    other = open_app(page="pages/overview.py")
    assert _number(_metrics(other)["Tiers-lieux dans le périmètre"]) == BUNDLED_METRO


def _import(at: AppTest, *names: str) -> int:
    """Replace the bundled list by ``names`` and return the overview's count of places."""
    at = _upload(at.switch_page(PAGE).run(), *names)
    at.radio(key="data_mode").set_value("Remplacer la liste intégrée").run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    return _overview_count(at)


def test_a_new_import_replaces_what_was_computed_from_the_previous_one() -> None:
    """The same scope and filters after a second import: figures of the second list, not the first's."""
    alone = _import(open_app(), "liste_xss.csv")
    at = open_app()
    assert _import(at, "bdftl-2026-01-fiche-identite.csv", "bdftl-2026-02-activites.csv") == 7
    assert alone != 7
    assert _import(at, "liste_xss.csv") == alone


def test_refreshed_files_are_listed_and_preferred(tmp_path: Path, monkeypatch) -> None:
    import json

    from geo.io.datasets import LOCAL_DIR_ENV, read_dataset

    pvd = read_dataset("pvd").head(10)
    pvd.to_parquet(tmp_path / "pvd.parquet", index=False)
    manifest = {
        "pvd": {"date": "01/09/2026", "rows": 10, "rejected": 2, "sources": {"pvd": "https://exemple"}}
    }
    (tmp_path / "refresh.json").write_text(json.dumps(manifest), encoding="utf-8")
    monkeypatch.setenv(LOCAL_DIR_ENV, str(tmp_path))
    at = open_app(page=PAGE)
    assert not at.exception
    refreshed = _table_with(at, "Actualisé le")
    assert refreshed["Jeu de données"].tolist() == ["Petites villes de demain (communes)"]
    assert refreshed["Actualisé le"].tolist() == ["01/09/2026"]
    at.switch_page("pages/overview.py").run()
    covered = _metrics(at)["Communes Petites villes de demain couvertes"]
    assert int(covered.split("/")[1].replace("\u202f", "")) <= 10
