"""`migrate -` reads standard input as the file `--stdin-filename` names (its suffix and its settings): write mode
prints the migrated text, --check only reports, --diff prints the patch; exit codes as for files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.repos import BROKEN, CLEAN, RISKY, RISKY_MIGRATED_FP32, make_tree

_MAIN = "from migrator.cli import main; raise SystemExit(main())"


def _migrate(argv: list[str], text: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _MAIN, *argv], input=text, capture_output=True, text=True, cwd=cwd, check=False
    )


@pytest.mark.parametrize(
    ("argv", "text", "code", "out"),
    [
        pytest.param([], RISKY, 0, RISKY_MIGRATED_FP32, id="write prints the migrated text"),
        pytest.param([], CLEAN, 0, CLEAN, id="write passes an unchanged file through"),
        pytest.param(["--check"], RISKY, 1, "", id="check prints nothing on stdout"),
        pytest.param(["--check"], BROKEN, 2, "", id="a broken file fails"),
    ],
)
def test_stdin_modes(argv: list[str], text: str, code: int, out: str, tmp_path: Path) -> None:
    done = _migrate([*argv, "-", "--stdin-filename", "recipes/a.yaml"], text, tmp_path)
    assert (done.returncode, done.stdout) == (code, out), done.stderr
    assert done.stderr.splitlines()[-1].startswith("1 file scanned")


def test_diff_names_the_stdin_filename(tmp_path: Path) -> None:
    done = _migrate(["--diff", "-", "--stdin-filename", "recipes/a.yaml"], RISKY, tmp_path)
    assert done.returncode == 1 and done.stdout.startswith("--- a/recipes/a.yaml\n+++ b/recipes/a.yaml\n")


def test_the_stdin_filename_takes_its_projects_settings(tmp_path: Path) -> None:
    make_tree(tmp_path, {"repo/pyproject.toml": "[tool.migrator]\npattern = 'te'\n"})
    done = _migrate(["--check", "-", "--stdin-filename", "repo/a.yaml"], RISKY, tmp_path)
    assert "repo/a.yaml: would migrate to pattern te" in done.stderr


def test_stdin_filename_without_stdin_is_a_usage_error(tmp_path: Path) -> None:
    assert _migrate(["--stdin-filename", "a.yaml", "."], "", tmp_path).returncode == 2
