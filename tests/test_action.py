"""The GitHub Action runs the command its steps say: the check step, run here as the runner would (inputs at their
defaults or as given), fails on a risky recipe and writes the SARIF the upload step reads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.repos import RISKY, RISKY_MIGRATED_FP32, make_tree

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _step_command(step_id: str, inputs: dict[str, str]) -> str:
    step = next(step for step in ACTION["runs"]["steps"] if step.get("id") == step_id)
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
    return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda match: values[match.group(1)], step["run"])


def _run_step(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(
        ["bash", "-c", command], cwd=cwd, capture_output=True, text=True, env={**os.environ, "PATH": path}
    )


def test_the_upload_step_reads_what_the_check_step_writes() -> None:
    steps = ACTION["runs"]["steps"]
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert (
        "--output-file migrator.sarif" in _step_command("check", {})
        and upload["with"]["sarif_file"] == "migrator.sarif"
    )
    assert upload["if"].startswith("always()")  # findings are uploaded when the check fails


@pytest.mark.parametrize(("files", "code"), [({"a.yaml": RISKY}, 1), ({"a.yaml": RISKY_MIGRATED_FP32}, 0)])
def test_the_check_step_fails_on_a_risky_recipe_and_writes_sarif(
    files: dict[str, str], code: int, tmp_path: Path
) -> None:
    make_tree(tmp_path, files)
    done = _run_step(_step_command("check", {}), tmp_path)
    assert done.returncode == code, done.stderr
    results = json.loads((tmp_path / "migrator.sarif").read_text())["runs"][0]["results"]
    assert bool(results) == bool(code) and "1 file scanned" in done.stderr


def test_inputs_reach_the_command(tmp_path: Path) -> None:
    make_tree(tmp_path, {"recipes/a.yaml": RISKY, "legacy/b.yaml": RISKY})
    done = _run_step(_step_command("check", {"pattern": "te", "args": "recipes"}), tmp_path)
    assert done.returncode == 1
    assert "would migrate to pattern te" in done.stderr and "legacy" not in done.stderr
