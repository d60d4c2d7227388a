"""Snapshots on disk: built once per data and code, read back, rebuilt when torn, never fatal."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from geo.io import snapshot
from geo.io.atlas import data_version, load_atlas
from geo.io.snapshot import load_or_build, snapshot_path


class Builder:
    """A build function that counts its calls."""

    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def test_built_once_then_read_back(tmp_path: Path) -> None:
    build = Builder(pd.DataFrame({"code": ["01001", "2A004"], "population": [800, 12]}))
    first = load_or_build("frame", "v1", build, folder=tmp_path)
    second = load_or_build("frame", "v1", build, folder=tmp_path)
    assert build.calls == 1
    pd.testing.assert_frame_equal(first, second)
    assert second is not first  # read from the file, not kept in memory here
    assert [p.name for p in tmp_path.iterdir()] == [snapshot_path("frame", "v1", folder=tmp_path).name]


def test_new_data_makes_a_new_snapshot_and_drops_the_old(tmp_path: Path) -> None:
    load_or_build("frame", "v1", Builder(1), folder=tmp_path)
    load_or_build("other", "v1", Builder(2), folder=tmp_path)
    build = Builder(3)
    assert load_or_build("frame", "v2", build, folder=tmp_path) == 3
    assert build.calls == 1
    names = sorted(p.name for p in tmp_path.iterdir())
    # The older snapshot of « frame » is gone; « other » is another name and stays.
    kept = [snapshot_path("frame", "v2", folder=tmp_path), snapshot_path("other", "v1", folder=tmp_path)]
    assert names == sorted(p.name for p in kept)


def test_code_and_libraries_are_part_of_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot_path("frame", "v1", folder=tmp_path)
    monkeypatch.setattr(snapshot, "code_fingerprint", lambda: "another version of geo/")
    assert snapshot_path("frame", "v1", folder=tmp_path) != before


def test_a_torn_file_is_rebuilt(tmp_path: Path) -> None:
    path = snapshot_path("frame", "v1", folder=tmp_path)
    path.write_bytes(b"\x80\x05not a pickle")
    build = Builder({"ok": True})
    assert load_or_build("frame", "v1", build, folder=tmp_path) == {"ok": True}
    assert build.calls == 1
    assert load_or_build("frame", "v1", Builder(None), folder=tmp_path) == {"ok": True}  # rewritten


def test_an_unwritable_folder_only_costs_a_rebuild(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    build = Builder([1, 2])
    assert load_or_build("frame", "v1", build, folder=blocked / "cache") == [1, 2]
    assert load_or_build("frame", "v1", build, folder=blocked / "cache") == [1, 2]
    assert build.calls == 2
    assert list(tmp_path.iterdir()) == [blocked]  # no temporary file left behind


def test_the_atlas_read_back_equals_the_atlas_loaded(tmp_path: Path) -> None:
    key = data_version()
    built = load_or_build("atlas", key, load_atlas, folder=tmp_path)
    unused = Builder(None)
    read = load_or_build("atlas", key, unused, folder=tmp_path)
    assert unused.calls == 0
    for name in ("places", "communes", "qpv", "france_services", "departements"):
        pd.testing.assert_frame_equal(getattr(read, name), getattr(built, name))
        assert getattr(read, name).crs == getattr(built, name).crs
    assert read.places_source == built.places_source


@dataclass(frozen=True)
class _Choice:
    zone: str
    radius_km: float
    themes: tuple[str, ...] = ()
    types: frozenset[int] = frozenset()


def test_a_stable_key_names_values_not_objects() -> None:
    key = snapshot.stable_key(("map", _Choice("metro", 10, ("food",), frozenset({3, 1}))))
    assert key == snapshot.stable_key(("map", _Choice("metro", 10, ("food",), frozenset({1, 3}))))
    assert key != snapshot.stable_key(("map", _Choice("metro", 10.5, ("food",), frozenset({1, 3}))))
    assert snapshot.stable_key((1, "1")) != snapshot.stable_key(("1", 1))
    assert snapshot.stable_key(True) != snapshot.stable_key(1)
    # Compared by identity, or too large to name: nothing is kept for them.
    assert snapshot.stable_key(("map", object())) is None
    assert snapshot.stable_key(pd.Series([1, 2])) is None


def _kept(tmp_path: Path, key: str, build: Builder, *, data: str = "v1", keep: int = 3) -> object:
    sources = (tmp_path / "code",)
    return snapshot.load_or_build_kept(
        "maps", key, data, build, keep=keep, sources=sources, libraries=("pandas",), folder=tmp_path / "cache"
    )


def test_kept_results_are_read_back_per_key_data_and_code(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "maps.py").write_text("COLOR = 'red'\n")
    build = Builder({"draw": "L.map()"})
    assert _kept(tmp_path, "a", build) == {"draw": "L.map()"}
    assert _kept(tmp_path, "a", build) == {"draw": "L.map()"}
    assert build.calls == 1
    _kept(tmp_path, "b", build)
    _kept(tmp_path, "a", build, data="v2")
    assert build.calls == 3
    snapshot.code_fingerprint.cache_clear()
    (tmp_path / "code" / "maps.py").write_text("COLOR = 'blue'\n")
    _kept(tmp_path, "a", build)
    assert build.calls == 4  # the code changed: what it wrote before is not read


def test_only_the_most_recently_used_results_stay(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    for key in ("a", "b", "c"):
        _kept(tmp_path, key, Builder(key))
        time.sleep(0.01)  # distinct modification times
    assert _kept(tmp_path, "a", Builder("never built")) == "a"  # read: now the most recent
    time.sleep(0.01)
    _kept(tmp_path, "d", Builder("d"))
    assert len(list((tmp_path / "cache" / "maps").iterdir())) == 3
    assert _kept(tmp_path, "b", Builder("b, built again")) == "b, built again"  # the least recent went
    assert _kept(tmp_path, "a", Builder("never built")) == "a"


def test_a_result_pickle_cannot_write_is_served_and_not_kept(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    build = Builder(lambda: None)
    assert callable(_kept(tmp_path, "a", build))
    _kept(tmp_path, "a", build)
    assert build.calls == 2
    assert list((tmp_path / "cache" / "maps").glob("*")) == []
