"""The `rowdb` command, run as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rowdb(*args: str, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    return subprocess.run([sys.executable, "-m", "rowdb", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def test_help_lists_commands(tmp_path):
    result = rowdb("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "init" in result.stdout


def test_init_creates_a_store_and_is_repeatable(tmp_path):
    result = rowdb("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Initialized empty rowdb repository" in result.stdout
    assert (tmp_path / ".rowdb" / "data.mdb").exists()
    again = rowdb("init", cwd=tmp_path)
    assert again.returncode == 0
    assert "Reinitialized" in again.stdout


def test_init_with_repo_flag(tmp_path):
    result = rowdb("--repo", str(tmp_path / "elsewhere"), "init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "elsewhere" / ".rowdb" / "data.mdb").exists()


def test_init_in_unwritable_place_is_a_clear_error(tmp_path):
    target = tmp_path / "file"
    target.write_text("not a folder")
    result = rowdb("--repo", str(target), "init", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("rowdb: error:")
    assert "Traceback" not in result.stderr


def test_unknown_command_is_refused(tmp_path):
    result = rowdb("frobnicate", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
