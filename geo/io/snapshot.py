"""A loaded, validated result kept on disk between server starts, keyed on its data and code.

Reading and validating every bundled file and projecting its points takes about 1.3 s of a
server's start; reading back the result of a previous start takes about 0.06 s
(:func:`load_or_build`). A snapshot's file name is a digest of:

- the key of its data (:func:`geo.io.atlas.data_version`: path and modification time of every
  dataset file, so a refreshed or rebuilt file makes a new snapshot);
- the source of the ``geo`` package and the versions of Python and of the libraries whose objects
  it holds (:func:`code_fingerprint`), so an upgrade or a code change makes a new one too.

:func:`load_or_build_kept` keeps many results of one kind the same way (the maps the app has
served, say), each also keyed on the parameters it was built from (:func:`stable_key`), the
least recently used removed beyond a stated number.

Snapshots are pickles: they are read only from the cache folder (:func:`cache_dir`), which only the
server's own user writes, as it writes ``static/vendor``. A snapshot that cannot be read is built
again; a folder that cannot be written only makes the next start slower.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
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
def code_fingerprint(sources: tuple[Path, ...] = (_GEO_DIR,), libraries: tuple[str, ...] = LIBRARIES) -> str:
    """A digest of the Python source in ``sources`` (folders or files; by default the ``geo``
    package) and of the versions of Python and of ``libraries``."""
    digest = hashlib.sha256(sys.version.encode())
    for library in libraries:
        try:
            digest.update(f"{library}={version(library)}".encode())
        except PackageNotFoundError:
            digest.update(f"{library}=absent".encode())
    for source in sources:
        for path in [source] if source.is_file() else sorted(source.rglob("*.py")):
            digest.update(f"{source.name}/{path.relative_to(source).as_posix()}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def stable_key(value: object) -> str | None:
    """A text that names ``value`` alike in every process, or None when there is none.

    Made of ``None``, booleans, numbers, strings, tuples, lists, sets, enums and dataclasses of
    these, compared by value (``hash`` and the ``repr`` of a set change from one process to the
    next). Anything else — an array, a frame, an object compared by identity — gives None: what
    it would name cannot be told apart safely, so nothing is kept on disk for it.
    """
    try:
        return _stable_text(value)
    except TypeError:
        return None


def _stable_text(value: object) -> str:
    if value is None or isinstance(value, bool | int | float | str):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, enum.Enum):
        return f"{type(value).__qualname__}.{value.name}"
    if isinstance(value, tuple | list):
        return f"{type(value).__name__}({','.join(_stable_text(v) for v in value)})"
    if isinstance(value, set | frozenset):
        return f"set({','.join(sorted(_stable_text(v) for v in value))})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(
            f"{f.name}={_stable_text(getattr(value, f.name))}" for f in dataclasses.fields(value)
        )
        return f"{type(value).__module__}.{type(value).__qualname__}({fields})"
    raise TypeError(f"no stable key for a {type(value).__name__}")


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
    if _write(path, value):
        for older in path.parent.glob(f"{name}-*.pickle"):
            if older != path:
                older.unlink(missing_ok=True)
    return value


def load_or_build_kept(
    kind: str,
    key: str,
    data_key: str,
    build: Callable[[], T],
    *,
    keep: int,
    sources: tuple[Path, ...],
    libraries: tuple[str, ...],
    folder: Path | None = None,
) -> T:
    """The result of ``kind`` named ``key`` (:func:`stable_key`) for ``data_key``, read back when
    the code in ``sources``, with these ``libraries``, wrote it; else ``build()``, written.

    The results of a kind share a subfolder; the ``keep`` most recently used stay, the others are
    removed when a new one is written.
    """
    fingerprint = code_fingerprint(sources, libraries)
    digest = hashlib.sha256(f"{key}\0{data_key}\0{fingerprint}".encode()).hexdigest()[:32]
    path = (folder or cache_dir()) / kind / f"{digest}.pickle"
    loaded = _read(path)
    if loaded is not None:
        _mark_used(path)
        return cast(T, loaded)
    value = build()
    if _write(path, value):
        _keep_latest(path.parent, keep)
    return value


def _mark_used(path: Path) -> None:
    with contextlib.suppress(OSError):  # removed meanwhile by another process, or a read-only folder
        os.utime(path)


def _keep_latest(folder: Path, keep: int) -> None:
    def used_at(path: Path) -> float:
        try:
            return path.stat().st_mtime
        except FileNotFoundError:
            return float("inf")  # gone already: nothing to remove

    for path in sorted(folder.glob("*.pickle"), key=used_at, reverse=True)[keep:]:
        path.unlink(missing_ok=True)


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


def _write(path: Path, value: object) -> bool:
    """Write ``value`` to ``path`` atomically (a concurrent start reads a whole file or none);
    False when it could not be written."""
    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as file:
            temporary = Path(file.name)
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError, AttributeError, TypeError) as error:
        # AttributeError, TypeError: an object pickle cannot write (a local function, a lock).
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        _log.warning("snapshot %s not written (%s): the next start builds it again", path.name, error)
        return False
    return True
