"""The production mode's pieces without a browser: nginx configuration, options, protocol client."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from serve import proxy
from serve.client import visit
from serve.proxy import Backend, ServeError, Supervisor, max_upload_mb, nginx_binary, nginx_config
from tests.e2e.helpers import free_port, streamlit_server


def _supervisor(tmp_path: Path, ports: tuple[int, ...] = (41001, 41002)) -> Supervisor:
    supervisor = Supervisor("127.0.0.1", 8501, len(ports), tmp_path, tmp_path)
    supervisor.backends = [Backend(port=port) for port in ports]
    return supervisor


def test_nginx_config_proxies_websockets_with_affinity_and_the_upload_limit(tmp_path: Path) -> None:
    text = nginx_config(_supervisor(tmp_path))
    assert re.findall(r"server 127\.0\.0\.1:(\d+) max_fails", text) == ["41001", "41002"]
    assert "hash $atlas_route consistent;" in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_set_header Connection $connection_upgrade;" in text
    assert "proxy_set_header Host $http_host;" in text  # the port too: Streamlit checks the Origin
    assert f"client_max_body_size {max_upload_mb() + 1}m;" in text
    assert "listen 127.0.0.1:8501;" in text
    assert str(tmp_path) in text
    assert not re.search(r"\{[a-z_]+\}", text)


def test_upload_limit_follows_streamlit_config() -> None:
    config = (proxy.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert f"maxUploadSize = {max_upload_mb()}" in config


def test_nginx_accepts_the_generated_config(tmp_path: Path) -> None:
    config = tmp_path / "nginx.conf"
    config.write_text(nginx_config(_supervisor(tmp_path)), encoding="utf-8")
    check = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


def test_missing_nginx_is_explained_in_french(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proxy.shutil, "which", lambda _name: None)
    with pytest.raises(ServeError, match="apt-get install nginx"):
        nginx_binary()


def test_processes_run_without_file_watcher_and_with_xsrf() -> None:
    options = proxy.streamlit_options(41001)
    pairs = dict(zip(options[::2], options[1::2], strict=True))
    assert pairs["--server.fileWatcherType"] == "none"
    assert pairs["--server.enableXsrfProtection"] == "true"
    assert pairs["--server.address"] == "127.0.0.1"


def test_visit_of_a_closed_port_reports_instead_of_raising() -> None:
    result = visit(f"http://127.0.0.1:{free_port()}", "", timeout_s=2)
    assert not result.ok
    assert result.error.startswith("connexion")


def test_a_visit_reports_the_map_drawn_as_a_browser_does() -> None:
    """The first page of a session holds what is under its map back until the map's frame says
    it is drawn: the protocol client says it too (two runs, also for a map with nothing held
    under it), so the load bench pays what a browser makes the server do; a page without a map
    runs once."""
    with streamlit_server() as url:
        visits = [visit(url, page) for page in ("", "zones-blanches", "a-propos")]
        visits.append(visit(url, "", report_maps=False))  # as the warm-up first does
    assert all(v.ok for v in visits), [v.error for v in visits]
    assert [v.runs for v in visits] == [2, 2, 1, 1]
