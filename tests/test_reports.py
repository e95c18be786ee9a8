"""Report formats as views of the same results: SARIF (checked against the official schema), JSON, GitHub, Markdown."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from migrator.core.outcome import FileResult
from migrator.core.settings import Mode, Options, Settings
from migrator.report import FORMATS, render
from migrator.rules import RULES
from migrator.runner import run
from tests.repos import BROKEN, CLEAN, RISKY, make_tree

TP2 = "model: {}\ndistributed:\n  tp_size: 2\noptimizer:\n  _target_: torch.optim.AdamW\n"
AMSGRAD = "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n  amsgrad: true\n"
SUPPRESSED = RISKY.replace("optimizer:\n", "optimizer:  # migrator: ignore[MIG001, MIG999]\n")
PEFT = "model: {}\npeft:\n  dim: 8\noptimizer:\n  _target_: torch.optim.AdamW\n"


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema from MIGRATOR_SARIF_SCHEMA (set by .ci/run); set but missing is a failure."""
    value = os.environ.get("MIGRATOR_SARIF_SCHEMA")
    if not value:
        pytest.skip("MIGRATOR_SARIF_SCHEMA is not set (.ci/run sets it)")
    path = Path(value)
    if not path.is_file():
        pytest.fail(f"MIGRATOR_SARIF_SCHEMA={value} is not a file")
    schema: dict[str, Any] = json.loads(path.read_text())
    return schema


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[FileResult]:
    files = {
        "a/risky.yaml": RISKY,
        "a/clean.yaml": CLEAN,
        "broken.yaml": BROKEN,
        "tp.yaml": TP2,
        "amsgrad.yaml": AMSGRAD,
        "sup.yaml": SUPPRESSED,
        "peft.yaml": PEFT,
        "dir with space/r.yaml": RISKY,
    }
    make_tree(tmp_path, files, git_repo=True)
    monkeypatch.chdir(tmp_path)
    return run(Settings((".",), Options(pattern="te"), Mode.CHECK, jobs=1))


def test_sarif_validates_against_the_official_schema(results: list[FileResult], sarif_schema: dict[str, Any]) -> None:
    document = json.loads(render("sarif", results, Mode.CHECK))
    jsonschema.Draft7Validator(sarif_schema).validate(document)


def test_sarif_has_what_code_scanning_needs(results: list[FileResult]) -> None:
    (run_,) = json.loads(render("sarif", results, Mode.CHECK))["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == sorted(RULES)
    assert all(
        rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["markdown"]
        for rule in rules
    )
    by_rule = {
        (result["ruleId"], result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for result in run_["results"]
    }
    assert ("MIG001", "a/risky.yaml") in by_rule and ("MIG001", "dir%20with%20space/r.yaml") in by_rule
    assert ("MIG101", "amsgrad.yaml") in by_rule and ("MIG102", "tp.yaml") in by_rule
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    suppressed = [r["ruleId"] for r in run_["results"] if r.get("suppressions")]
    assert "MIG001" in suppressed
    notifications = run_["invocations"][0]["toolExecutionNotifications"]
    assert {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notifications} == {
        "broken.yaml",
        "sup.yaml",
    }
    assert run_["invocations"][0]["executionSuccessful"] is False


def test_sarif_uris_are_relative_to_the_repository_root_from_a_subfolder(
    results: list[FileResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path / "a")
    sub = run(Settings((".",), Options(pattern="te"), Mode.CHECK, jobs=1))
    (run_,) = json.loads(render("sarif", sub, Mode.CHECK))["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]}
    assert "a/risky.yaml" in uris and all(uri.startswith("a/") for uri in uris)


def test_json_lists_every_file_with_codes(results: list[FileResult]) -> None:
    document = json.loads(render("json", results, Mode.CHECK))
    files = {entry["path"]: entry for entry in document["files"]}
    assert files["a/risky.yaml"]["status"] == "would-migrate" and files["a/risky.yaml"]["classification"] == "risky"
    assert {f["code"] for f in files["a/risky.yaml"]["findings"]} >= {"MIG001", "MIG003", "MIG005"}
    assert files["broken.yaml"]["problem"]["line"] == 4
    assert files["peft.yaml"]["skip_reason"] == "peft"
    assert [f["suppressed"] for f in files["sup.yaml"]["findings"] if f["code"] == "MIG001"] == [True]
    assert "8 files scanned" in document["summary"]["text"]


def test_github_annotations_are_escaped_and_skip_suppressed(results: list[FileResult]) -> None:
    lines = render("github", results, Mode.CHECK).splitlines()
    assert any(line.startswith("::error file=broken.yaml,line=4,col=1,title=migrator::") for line in lines)
    assert any(
        line.startswith("::error file=amsgrad.yaml,line=5,col=3,title=MIG101 unmigratable-optimizer-argument::")
        for line in lines
    )
    assert not any(line.startswith("::warning file=sup.yaml") and "MIG001" in line for line in lines)
    assert lines[-1].startswith("::notice title=migrator::8 files scanned")


def test_markdown_summarises_groups_drops_and_leftovers(results: list[FileResult]) -> None:
    text = render("markdown", results, Mode.CHECK)
    assert "### Would migrate to pattern `te` (3)" in text
    assert "### Dropped settings" in text and "`foreach`: TE FusedAdam does not accept it; would remove it" in text
    left = text.split("### Left for a human")[1]
    assert "MIG102" in left and "MIG101" in left and "broken.yaml" in left and "suppressed" in left
    assert "<summary>peft (1)</summary>" in text
    assert "| risky |" in text


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_format_renders_an_empty_run(output_format: str) -> None:
    assert render(output_format, [], Mode.CHECK).endswith("\n")
