"""Settings per file, as ruff: each file takes the closest pyproject.toml with a `[tool.migrator]` table, whatever
folder migrate runs from; `--config FILE` forces one; the command line wins over all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.cli import main
from tests.repos import RISKY, make_tree

TREE = {
    "repo1/pyproject.toml": "[tool.migrator]\npattern = 'te'\nexclude = ['legacy']\n",
    "repo1/examples/a.yaml": RISKY,
    "repo1/examples/legacy/b.yaml": RISKY,
    "repo1/sub/pyproject.toml": "[project]\nname = 'no-table'\n",  # passed over: repo1's table applies
    "repo1/sub/c.yaml": RISKY,
    "repo2/d.yaml": RISKY,
}


def _targets(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert main(["--check", "--no-progress", "--output-format", "json", *argv]) == 1
    return {file["path"]: file["target"] for file in json.loads(capsys.readouterr().out)["files"]}


@pytest.fixture
def projects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_tree(tmp_path, TREE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_file_takes_its_closest_table_from_a_parent_folder(
    projects: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _targets(["."], capsys) == {"repo1/examples/a.yaml": "te", "repo1/sub/c.yaml": "te", "repo2/d.yaml": "fp32"}
    assert _targets(["repo1/examples"], capsys) == {"repo1/examples/a.yaml": "te"}


def test_the_command_line_wins_over_every_table(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _targets(["--pattern", "fp32", "repo1"], capsys) == {
        "repo1/examples/a.yaml": "fp32",
        "repo1/sub/c.yaml": "fp32",
    }
    assert "repo1/examples/legacy/b.yaml" in _targets(["--exclude", "nothing", "repo1"], capsys)


def test_config_forces_one_table_for_every_file(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    targets = _targets(["--config", "repo1/pyproject.toml", "."], capsys)
    assert targets == {"repo1/examples/a.yaml": "te", "repo1/sub/c.yaml": "te", "repo2/d.yaml": "te"}


def test_a_missing_config_file_is_a_usage_error(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--config", "nowhere.toml", "."]) == 2
    assert "nowhere.toml: no such file" in capsys.readouterr().err


def test_an_invalid_nested_table_fails_its_files_only(projects: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (projects / "repo2" / "pyproject.toml").write_text("[tool.migrator]\npattern = 'fp16'\n")
    assert main(["--check", "--no-progress", "."]) == 2
    err = capsys.readouterr().err
    assert "repo2/d.yaml: error: " in err and "'fp16' is not one of" in err
    assert "repo1/examples/a.yaml: would migrate to pattern te" in err
