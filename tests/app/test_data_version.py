"""The data version (the key of every shared cache) is read from disk at most once a second."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from geo.io.datasets import LOCAL_DIR_ENV
from ui import data


def test_the_data_files_are_looked_at_once_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[str] = []

    def read() -> str:
        reads.append(f"v{len(reads) + 1}")
        return reads[-1]

    now = [1000.0]
    monkeypatch.setattr(data, "data_version", read)
    monkeypatch.setattr(data, "_last_check", [data._VersionCheck()])
    monkeypatch.setattr(data, "time", SimpleNamespace(monotonic=lambda: now[0]))  # this module's clock only
    assert [data.current_data_version() for _ in range(20)] == ["v1"] * 20  # one page run
    now[0] += data.VERSION_CHECK_S  # a second later, a refreshed file is seen
    assert data.current_data_version() == "v2"
    monkeypatch.setenv(LOCAL_DIR_ENV, "/another/folder")  # another folder of refreshed data: at once
    assert data.current_data_version() == "v3"
    assert reads == ["v1", "v2", "v3"]
