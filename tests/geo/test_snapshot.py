"""Snapshots on disk: built once per data and code, read back, rebuilt when torn, never fatal."""

from __future__ import annotations

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
