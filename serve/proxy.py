"""``make serve``: one Streamlit process per core behind nginx, supervised.

Layout: nginx listens on ``--address:--port`` and spreads browsers over N Streamlit
processes (:mod:`serve.run`, on free ports of 127.0.0.1) with WebSocket proxying and
session affinity (a cookie, see ``nginx.conf.template``). The supervisor

- starts the processes with the production options (no file watcher, XSRF protection,
  one cookie secret shared by all so that a browser moved to another process stays valid),
- waits until each one has answered ``/_stcore/health`` and served a page before nginx
  starts, and checks ``/_stcore/health`` every few seconds afterwards (a process that
  stops answering is restarted),
- on ``SIGHUP`` restarts the processes one at a time (rolling restart: open pages move to
  another process and keep their settings), and stops everything on ``SIGTERM`` / Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from serve.client import visit

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
HEALTH_EVERY_S = 5.0
HEALTH_FAILURES_BEFORE_RESTART = 3
READY_TIMEOUT_S = 180.0
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")
MISSING_NGINX = (
    "nginx est introuvable : « make serve » place l'Atlas derrière nginx (paquet Debian). "
    "Installez-le avec « apt-get install nginx » (ou « sudo apt-get install nginx »), "
    "ou lancez un seul processus avec « make run »."
)


class ServeError(RuntimeError):
    """A French explanation of why the production mode cannot start."""


@dataclass
class Backend:
    """One Streamlit process behind nginx."""

    port: int
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    health_failures: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Supervisor:
    """nginx plus the Streamlit processes, started, watched and stopped together."""

    listen_address: str
    listen_port: int
    n_backends: int
    run_dir: Path
    log_dir: Path
    backends: list[Backend] = field(default_factory=list)
    nginx: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        """Start every Streamlit process, wait until they serve pages, then start nginx."""
        nginx = nginx_binary()
        self.env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            # Shared by all processes: an XSRF cookie set by one is valid on the others.
            "STREAMLIT_SERVER_COOKIE_SECRET": os.environ.get("ATLAS_COOKIE_SECRET") or secrets.token_hex(32),
        }
        self.backends = [Backend(port=free_port()) for _ in range(self.n_backends)]
        for backend in self.backends:
            self._spawn(backend)
        for backend in self.backends:
            self._wait_ready(backend)
        config = self.run_dir / "nginx.conf"
        config.write_text(nginx_config(self), encoding="utf-8")
        check = subprocess.run(
            [nginx, "-t", "-q", *self._nginx_paths(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.returncode:
            raise ServeError(f"configuration nginx refusée : {check.stderr.strip()}")
        self.nginx = subprocess.Popen([nginx, *self._nginx_paths(config)])
        _wait_for(f"http://{_client_host(self.listen_address)}:{self.listen_port}/_atlas/nginx-health", 30)
        (self.run_dir / "serve.pid").write_text(str(os.getpid()), encoding="utf-8")

    def _nginx_paths(self, config: Path) -> list[str]:
        """Prefix, configuration and start-up error log in the run folder (no root needed)."""
        return ["-p", str(self.run_dir), "-c", str(config), "-e", str(self.run_dir / "nginx-error.log")]

    def _spawn(self, backend: Backend) -> None:
        backend.log = open(self.log_dir / f"streamlit-{backend.port}.log", "ab")  # noqa: SIM115
        backend.process = subprocess.Popen(
            [sys.executable, "-m", "serve.run", *streamlit_options(backend.port)],
            cwd=ROOT,
            env=self.env,
            stdout=backend.log,
            stderr=subprocess.STDOUT,
        )
        backend.health_failures = 0

    def _wait_ready(self, backend: Backend) -> None:
        """Health endpoint answering, then one page served (the warm-up is under way)."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            assert backend.process is not None
            if backend.process.poll() is not None:
                raise ServeError(
                    f"le processus Streamlit du port {backend.port} s'est arrêté "
                    f"(journal : {self.log_dir / f'streamlit-{backend.port}.log'})"
                )
            if _healthy(backend.url) and visit(backend.url, "", timeout_s=READY_TIMEOUT_S).ok:
                return
            time.sleep(0.2)
        raise ServeError(f"le processus Streamlit du port {backend.port} ne répond pas")

    def rolling_restart(self) -> None:
        """Restart the processes one at a time; nginx sends their users to the others meanwhile."""
        for backend in self.backends:
            self._stop_backend(backend)
            self._spawn(backend)
            self._wait_ready(backend)
            _say(f"processus du port {backend.port} redémarré")

    def watch(self) -> None:
        """Restart a process that exited or no longer answers its health check."""
        for backend in self.backends:
            assert backend.process is not None
            if backend.process.poll() is None and _healthy(backend.url):
                backend.health_failures = 0
                continue
            backend.health_failures += 1
            if (
                backend.process.poll() is not None
                or backend.health_failures >= HEALTH_FAILURES_BEFORE_RESTART
            ):
                _say(f"processus du port {backend.port} sans réponse : redémarrage")
                self._stop_backend(backend)
                self._spawn(backend)
        if self.nginx is not None and self.nginx.poll() is not None:
            raise ServeError("nginx s'est arrêté")

    def stop(self) -> None:
        """nginx first (no new connection), then every Streamlit process."""
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: finish the requests under way
            _wait_exit(self.nginx, 10)
        for backend in self.backends:
            self._stop_backend(backend)

    @staticmethod
    def _stop_backend(backend: Backend) -> None:
        if backend.process is not None and backend.process.poll() is None:
            backend.process.terminate()
            _wait_exit(backend.process, 15)
        if backend.log is not None:
            backend.log.close()


def nginx_binary() -> str:
    """Path of Debian's nginx, or a :class:`ServeError` saying how to install it."""
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise ServeError(MISSING_NGINX)


def max_upload_mb() -> int:
    """``server.maxUploadSize`` of ``.streamlit/config.toml`` (Streamlit's default: 200)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    return int(config.get("server", {}).get("maxUploadSize", 200))


def streamlit_options(port: int) -> list[str]:
    """``streamlit run`` options of a production process listening on 127.0.0.1:``port``."""
    return [
        *("--server.port", str(port), "--server.address", "127.0.0.1"),
        *("--server.headless", "true", "--server.fileWatcherType", "none", "--server.runOnSave", "false"),
        *("--server.enableXsrfProtection", "true", "--browser.gatherUsageStats", "false"),
    ]


def nginx_config(supervisor: Supervisor) -> str:
    """``nginx.conf.template`` filled in for ``supervisor``'s address, processes and run folder."""
    upload_mb = max_upload_mb()
    values = {
        "run_dir": str(supervisor.run_dir),
        "listen": f"{_nginx_address(supervisor.listen_address)}:{supervisor.listen_port}",
        "upstream_servers": "\n".join(
            f"        server 127.0.0.1:{b.port} max_fails=1 fail_timeout=3s;" for b in supervisor.backends
        ),
        "n_backends": str(len(supervisor.backends)),
        "upload_mb": str(upload_mb),
        "body_mb": str(upload_mb + 1),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    left = re.findall(r"\{[a-z_]+\}", text)
    if left:
        raise ServeError(f"modèle nginx : valeurs manquantes {left}")
    return text


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _nginx_address(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _client_host(address: str) -> str:
    return "127.0.0.1" if address in ("0.0.0.0", "::", "") else address


def _healthy(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return bool(response.read().strip() == b"ok")
    except OSError:
        return False


def _wait_for(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise ServeError(f"{url} ne répond pas")


def _wait_exit(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _say(text: str) -> None:
    print(f"Atlas (make serve) : {text}", file=sys.stderr, flush=True)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m serve", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8501")))
    parser.add_argument("--address", default=os.environ.get("ATLAS_ADDRESS", "127.0.0.1"))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("ATLAS_WORKERS", "0")) or len(os.sched_getaffinity(0)),
        help="processus Streamlit (par défaut : un par cœur utilisable)",
    )
    parser.add_argument(
        "--run-dir", type=Path, default=None, help="dossier de nginx.conf, du pid et des journaux"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Run until SIGTERM / Ctrl-C; SIGHUP restarts the Streamlit processes one at a time."""
    args = _parse(argv)
    run_dir = args.run_dir or Path(tempfile.gettempdir()) / f"atlas-serve-{args.port}"
    run_dir.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(args.address, args.port, max(1, args.workers), run_dir, run_dir)
    requests: list[str] = []
    wake = threading.Event()

    def request(kind: str) -> None:
        requests.append(kind)
        wake.set()

    signal.signal(signal.SIGHUP, lambda *_: request("restart"))
    signal.signal(signal.SIGTERM, lambda *_: request("stop"))
    try:
        supervisor.start()
        _say(
            f"{supervisor.n_backends} processus Streamlit derrière nginx sur "
            f"http://{_client_host(args.address)}:{args.port} (journaux : {run_dir})"
        )
        while "stop" not in requests:
            wake.wait(HEALTH_EVERY_S)
            wake.clear()
            if "stop" in requests:
                break
            if "restart" in requests:
                requests.remove("restart")
                supervisor.rolling_restart()
            supervisor.watch()
    except ServeError as exc:
        _say(str(exc))
        return 2
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()
    return 0
