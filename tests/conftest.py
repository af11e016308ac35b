"""Shared fixtures: real repositories in temporary folders, real LMDB files."""

from __future__ import annotations

import pytest

from rowdb.storage import open_store


@pytest.fixture
def store(tmp_path):
    """A NodeStore over a fresh repository in a temporary folder."""
    return open_store(tmp_path / "repo")
