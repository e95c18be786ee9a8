"""The quick start's example recipes do what the README says: one pending change, one open config, exit 1;
pattern fp32 fixes both and the gate goes green."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from migrator.cli import main
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples"


def _report(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict]]:
    code = main(["--no-progress", "--output-format", "json", *argv, "examples"])
    return code, {Path(file["path"]).name: file for file in json.loads(capsys.readouterr().out)["files"]}


def test_examples_are_recipes_that_safe_load() -> None:
    names = sorted(path.name for path in EXAMPLES.glob("*.yaml"))
    assert len(names) == 4
    for name in names:
        assert isinstance(yaml.safe_load((EXAMPLES / name).read_text()), dict)


def test_quick_start_exits_1_for_a_pending_change_and_an_open_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    code, files = _report(["--check", "--pattern", "te"], capsys)
    assert code == 1
    statuses = {name: (file["status"], file["open"]) for name, file in files.items()}
    assert statuses == {
        "llama3_2_1b_squad.yaml": ("would-migrate", False),
        "qwen3_8b_squad_tp2.yaml": ("skipped", True),
        "llama3_2_1b_squad_peft.yaml": ("skipped", False),
        "llama3_2_1b_squad_fp32.yaml": ("unchanged", False),
    }
    assert main(["--no-progress", "--pattern", "fp32", "examples"]) == 0
    assert main(["--no-progress", "--check", "examples"]) == 0
    assert main(["--no-progress", "--check", "--pattern", "te", "examples"]) == 0
