"""AppTest of the « Données » page: upload, mapping, report, session-only use of the import."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.conftest import open_app
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "import"
PAGE = "pages/data.py"


def _file(name: str) -> tuple[str, bytes, str]:
    return (name, (FIXTURES / name).read_bytes(), "text/csv")


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table_with(at: AppTest, column: str):
    """The first dataframe shown that has ``column`` (AppTest does not expose dataframe keys)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _upload(at: AppTest, *names: str) -> AppTest:
    at.file_uploader(key="data_upload").set_value([_file(n) for n in names])
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_without_upload_explains_and_shows_bundled_source() -> None:
    at = open_app(page=PAGE)
    assert not at.exception
    assert at.title[0].value == "Données"
    assert any("Déposez un fichier" in i.value for i in at.info)
    assert any("Liste consolidée intégrée" in m.value for m in at.markdown)
    # The refresh section says how to refresh when nothing was refreshed.
    assert any("make refresh" in i.value for i in at.info)


def test_census_2026_is_recognised_and_imported_for_the_session() -> None:
    at = _upload(open_app(page=PAGE), "bdftl-2026-01-fiche-identite.csv", "bdftl-2026-02-activites.csv")
    assert any("Recensement France Tiers-Lieux 2026" in s.value for s in at.success)
    # Personal columns are announced as dropped, and absent from the preview.
    assert any("EMAIL" in c.value and "TELEPHONE" in c.value for c in at.caption)
    preview = _table_with(at, "ID_UNIQUE")
    assert "NOM" in preview.columns
    assert not {"EMAIL", "TELEPHONE", "Mail"} & set(preview.columns)
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    metrics = _metrics(at)
    assert metrics["Lignes lues"] == "9"
    assert metrics["Rejetées"] == "1"
    assert int(metrics["Acceptées"]) + int(metrics["Rejetées"]) == 9
    assert metrics["dont placées approximativement"] == "4"
    rejected = _table_with(at, "motif")
    assert rejected["NOM"].tolist() == ["Lieu fantôme"]
    assert "Atlantide" in rejected["motif"].iat[0]
    assert any("Import : bdftl-2026-01-fiche-identite.csv" in m.value for m in at.markdown)

    # Every page now uses the import: the overview (metropolitan France by default) counts the
    # 7 imported places of the Hexagone and Corsica, La Réunion's one is in its own zone.
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert _metrics(at)["Tiers-lieux dans le périmètre"] == "7"
    at.selectbox(key="f_zone").select("974").run()
    assert _metrics(at)["Tiers-lieux dans le périmètre"] == "1"
    at.selectbox(key="f_zone").select("metro").run()

    # Back to the bundled list.
    at.switch_page(PAGE).run()
    at.button(key="data_reset").click().run()
    assert not at.exception
    at.switch_page("pages/overview.py").run()
    assert _metrics(at)["Tiers-lieux dans le périmètre"] == "1\u202f910"


def test_import_does_not_leak_to_another_session() -> None:
    at = _upload(open_app(page=PAGE), "liste_xss.csv")
    at.button(key="data_import").click().run()
    assert not at.exception
    other = open_app(page="pages/overview.py")
    assert _metrics(other)["Tiers-lieux dans le périmètre"] == "1\u202f910"


def test_free_list_mapping_can_be_corrected_and_add_mode_keeps_bundled_places() -> None:
    at = _upload(open_app(page=PAGE), "reseau_occitanie_cp1252.csv")
    assert at.selectbox(key="data_map_name").value == "Nom du lieu"
    assert at.selectbox(key="data_map_lat").value == "Latitude"
    assert at.multiselect(key="data_map_typology").value == ["Type de lieu"]
    # Without coordinates columns, rows are placed at their commune (postcode + name).
    at.selectbox(key="data_map_lon").select("").run()
    at.selectbox(key="data_map_lat").select("").run()
    at.radio(key="data_mode").set_value("Ajouter à la liste intégrée").run()
    at.button(key="data_import").click().run()
    assert not at.exception, at.exception
    metrics = _metrics(at)
    assert metrics["Lignes lues"] == "9"
    assert int(metrics["Acceptées"]) + int(metrics["Rejetées"]) == 9
    assert metrics["Acceptées"] == metrics["dont placées approximativement"]
    at.switch_page("pages/overview.py").run()
    total = int(_metrics(at)["Tiers-lieux dans le périmètre"].replace("\u202f", ""))
    assert total == 1910 + int(metrics["Acceptées"])


def test_missing_name_mapping_gives_a_french_error() -> None:
    at = _upload(open_app(page=PAGE), "liste_lambert93.csv")
    at.selectbox(key="data_map_name").select("").run()
    at.button(key="data_import").click().run()
    assert not at.exception
    assert any("colonne du nom du lieu" in e.value for e in at.error)


def test_unsupported_file_gives_a_french_error() -> None:
    at = open_app(page=PAGE)
    at.file_uploader(key="data_upload").set_value([("notes.csv", b"\x00\x01\x02binaire", "text/csv")])
    at.run()
    assert not at.exception
    assert any("binaire" in e.value for e in at.error)


def test_report_download_button_is_offered(tmp_path: Path) -> None:
    at = _upload(open_app(page=PAGE), "casse.csv")
    at.button(key="data_import").click().run()
    assert not at.exception
    assert _metrics(at)["Rejetées"] == "3"
    assert any("mal formée" in v for v in _table_with(at, "motif")["motif"])


def test_refreshed_files_are_listed_and_preferred(tmp_path: Path, monkeypatch) -> None:
    import json

    from geo.io import LOCAL_DIR_ENV, read_dataset

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
