"""A loaded, validated result kept on disk between server starts, keyed on its data and code.

Reading and validating every bundled file and projecting its points takes about 1.3 s of a
server's start; reading back the result of a previous start takes about 0.06 s
(:func:`load_or_build`). A snapshot's file name is a digest of:

- the key of its data (:func:`geo.io.atlas.data_version`: path and modification time of every
  dataset file, so a refreshed or rebuilt file makes a new snapshot);
- the source of the ``geo`` package and the versions of Python and of the libraries whose objects
  it holds (:func:`code_fingerprint`), so an upgrade or a code change makes a new one too.

Snapshots are pickles: they are read only from the cache folder (:func:`cache_dir`), which only the
server's own user writes, as it writes ``static/vendor``. A snapshot that cannot be read is built
again; a folder that cannot be written only makes the next start slower.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TypeVar, cast

T = TypeVar("T")

CACHE_DIR_ENV = "ATLAS_CACHE_DIR"
"""Environment variable naming the folder of snapshots (default: :data:`DEFAULT_CACHE_DIR`)."""
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache"
LIBRARIES = ("numpy", "pandas", "geopandas", "shapely", "pyproj", "pyarrow", "scipy")
"""Libraries whose objects a snapshot holds: another version of one makes a new snapshot."""
_GEO_DIR = Path(__file__).resolve().parents[1]

_log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """The folder of snapshots: ``$ATLAS_CACHE_DIR``, else ``.cache/`` in the repository."""
    return Path(os.environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR)


@cache
def code_fingerprint() -> str:
    """A digest of the ``geo`` package's source and of the Python and library versions."""
    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={version(library)}".encode())
        except PackageNotFoundError:
            digest.update(f"{library}=absent".encode())
    for path in sorted(_GEO_DIR.rglob("*.py")):
        digest.update(path.relative_to(_GEO_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def snapshot_path(name: str, data_key: str, *, folder: Path | None = None) -> Path:
    """Where the snapshot ``name`` of the data ``data_key`` built by this code is kept."""
    digest = hashlib.sha256(f"{data_key}\0{code_fingerprint()}".encode()).hexdigest()[:24]
    return (folder or cache_dir()) / f"{name}-{digest}.pickle"


def load_or_build(name: str, data_key: str, build: Callable[[], T], *, folder: Path | None = None) -> T:
    """The snapshot ``name`` of ``data_key`` when one was written by this code, else ``build()``,
    written as the new snapshot (replacing the older ones of ``name``)."""
    path = snapshot_path(name, data_key, folder=folder)
    loaded = _read(path)
    if loaded is not None:
        return cast(T, loaded)
    value = build()
    _write(path, value)
    return value


def _read(path: Path) -> object | None:
    try:
        with path.open("rb") as file:
            value: object = pickle.load(file)
    except FileNotFoundError:
        return None
    except Exception as error:  # a torn or foreign file: build it again
        _log.warning("snapshot %s unreadable (%s): rebuilt", path.name, error)
        return None
    return value


def _write(path: Path, value: object) -> None:
    """Write ``value`` to ``path`` atomically (a concurrent start reads a whole file or none)."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as file:
            temporary = Path(file.name)
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError) as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        _log.warning("snapshot %s not written (%s): the next start reads the files again", path.name, error)
        return
    prefix = path.name.rsplit("-", 1)[0]
    for older in path.parent.glob(f"{prefix}-*.pickle"):
        if older != path:
            older.unlink(missing_ok=True)
