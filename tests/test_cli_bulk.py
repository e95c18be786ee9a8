"""`migrate` over whole repositories: every exit-code row, [tool.migrator], output routing, diff == write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.cli import group_main, main
from migrator.rules import RULES
from tests.repos import (
    BROKEN,
    CLEAN,
    INTERPOLATED,
    RISKY,
    RISKY_MIGRATED_FP32,
    RISKY_TP,
    RISKY_TP_SUPPRESSED,
    commit_all,
    git,
    make_tree,
)


@pytest.mark.parametrize(
    ("files", "argv", "code"),
    [
        pytest.param({"a.yaml": CLEAN}, ["--check"], 0, id="0 nothing to do"),
        pytest.param({"a.yaml": RISKY, "b.yaml": CLEAN}, [], 0, id="0 everything written"),
        pytest.param({"a.yaml": RISKY}, ["--check"], 1, id="1 check pending"),
        pytest.param({"a.yaml": RISKY}, ["--diff"], 1, id="1 diff pending"),
        pytest.param({"a.yaml": RISKY_TP}, ["--pattern", "te"], 1, id="1 open after a write run"),
        pytest.param({"a.yaml": RISKY_TP}, ["--pattern", "te", "--check"], 1, id="1 open in check mode"),
        pytest.param({"a.yaml": RISKY_TP}, ["--pattern", "te", "--diff"], 1, id="1 open in diff mode"),
        pytest.param({"a.yaml": INTERPOLATED}, ["--check"], 1, id="1 open undecidable value"),
        pytest.param({"a.yaml": RISKY_TP}, ["--pattern", "te", "--force"], 0, id="0 open fixed by --force"),
        pytest.param({"a.yaml": RISKY_TP_SUPPRESSED}, ["--pattern", "te", "--check"], 0, id="0 open suppressed"),
        pytest.param({"a.yaml": RISKY}, ["--pattern", "fp16"], 2, id="2 usage error"),
        pytest.param(
            {"a.yaml": RISKY, "pyproject.toml": "[tool.migrator]\npattern = 'fp16'\n"},
            ["--check"],
            2,
            id="2 invalid config",
        ),
        pytest.param({"a.yaml": BROKEN}, [], 2, id="2 file failed"),
        pytest.param({"a.yaml": RISKY, "b.yaml": BROKEN}, ["--check"], 2, id="2 failed wins over pending"),
    ],
)
def test_exit_code_table(
    files: dict[str, str], argv: list[str], code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, files, git_repo=True)
    monkeypatch.chdir(tmp_path)
    assert main(argv) == code


def test_project_settings_apply_and_the_command_line_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = '[tool.migrator]\npattern = "te"\nexclude = ["legacy"]\ninclude-peft = true\n'
    make_tree(
        tmp_path, {"pyproject.toml": pyproject, "recipes/a.yaml": RISKY, "recipes/legacy/b.yaml": RISKY}, git_repo=True
    )
    monkeypatch.chdir(tmp_path / "recipes")  # the nearest pyproject.toml is found upwards
    assert main(["--check", "--output-format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["target"]) for f in report["files"]] == [("a.yaml", "te")]
    assert main(["--check", "--output-format", "json", "--pattern", "fp32", "--exclude", "nothing"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["target"]) for f in report["files"]] == [("a.yaml", "fp32"), ("legacy/b.yaml", "fp32")]


def test_unknown_config_key_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"pyproject.toml": "[tool.migrator]\npatern = 'te'\n", "a.yaml": RISKY})
    monkeypatch.chdir(tmp_path)
    assert main(["--check"]) == 2
    assert "unknown key `patern`" in capsys.readouterr().err


def test_pre_commit_style_call_skips_excluded_staged_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.migrator]\nexclude = ['vendored']\nforce-exclude = true\n",
            "a.yaml": RISKY,
            "vendored/b.yaml": RISKY,
        },
        git_repo=True,
    )
    monkeypatch.chdir(tmp_path)
    assert main(["a.yaml", "vendored/b.yaml"]) == 0
    assert (tmp_path / "a.yaml").read_text() == RISKY_MIGRATED_FP32
    assert (tmp_path / "vendored/b.yaml").read_text() == RISKY


def test_human_report_on_stderr_machine_report_on_stdout_or_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"a.yaml": RISKY})
    monkeypatch.chdir(tmp_path)
    assert main(["--check", "--output-format", "github"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("::warning file=a.yaml,line=12,col=1,title=MIG005 implicit-mp-policy::")  # file order
    assert "::warning file=a.yaml,line=17,col=3,title=MIG001 torch-adam-bf16-state::" in out
    assert err == ""  # a machine format on stdout is all the run prints
    assert main(["--check", "--output-format", "sarif", "--output-file", "out.sarif"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "1 would migrate" in err
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"


def test_diff_with_a_machine_format_on_stdout_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_tree(tmp_path, {"a.yaml": RISKY})
    monkeypatch.chdir(tmp_path)
    assert main(["--diff", "--output-format", "json"]) == 2
    assert main(["--diff", "--output-format", "json", "-o", "r.json"]) == 1


def test_diff_in_a_nested_repo_applies_with_git_apply_and_equals_a_write_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"a/b/one.yaml": RISKY, "a/two.yaml": RISKY, "c/clean.yaml": CLEAN, "README.md": "x"}
    make_tree(tmp_path, files, git_repo=True)
    commit_all(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["--diff", "--pattern", "te", "--jobs", "2"]) == 1
    patch = capsys.readouterr().out
    subprocess.run(["git", "apply", "--check", "-"], input=patch.encode(), check=True, cwd=tmp_path)
    subprocess.run(["git", "apply", "-"], input=patch.encode(), check=True, cwd=tmp_path)
    applied = {name: (tmp_path / name).read_bytes() for name in files}
    git(tmp_path, "checkout", "--", ".")
    assert main(["--pattern", "te"]) == 0
    assert applied == {name: (tmp_path / name).read_bytes() for name in files}
    assert applied["a/b/one.yaml"] != RISKY.encode()


def test_rules_lists_every_code_and_explain_prints_the_docstring(capsys: pytest.CaptureFixture[str]) -> None:
    assert group_main(["rules"]) == 0
    listing = capsys.readouterr().out
    assert [line.split()[0] for line in listing.splitlines()] == sorted(RULES)
    assert group_main(["explain", "MIG001"]) == 0
    text = capsys.readouterr().out
    assert (
        text.startswith("# MIG001 (torch-adam-bf16-state)") and "## Why is this bad?" in text and "## Example" in text
    )
    assert group_main(["explain", "implicit-mp-policy"]) == 0
    assert "MIG005" in capsys.readouterr().out
    assert group_main(["explain", "MIG999"]) == 2
    assert "unknown rule" in capsys.readouterr().err


def test_suppressed_findings_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(
        tmp_path,
        {
            "a.yaml": RISKY.replace("optimizer:\n", "optimizer:  # migrator: ignore\n"),
            "b.yaml": "# migrator: skip-file\n" + RISKY,
        },
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--check"]) == 1  # mp_policy is still pending in a.yaml
    err = capsys.readouterr().err
    assert "a.yaml:17:3: suppressed: MIG001" in err
    assert "b.yaml: skipped (skip-file)" in err
    assert "1 finding suppressed" in err


def test_cli_import_stays_light() -> None:
    # `migrate --version`/`--help` must not pay for the engine, report formats, jsonschema, nor the proof (torch, AutoModel).
    probe = "import sys, migrator.cli; print(sorted(m for m in ('migrator.engine', 'migrator.runner', 'jsonschema', 'libcst', 'yaml', 'migrator.proof', 'torch', 'nemo_automodel', 'matplotlib') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout.strip()
    assert loaded == "[]"


def test_an_output_file_in_a_missing_folder_is_a_usage_error_before_any_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"a.yaml": RISKY})
    monkeypatch.chdir(tmp_path)
    assert main(["--output-format", "json", "-o", "missing/report.json", "a.yaml"]) == 2
    assert "folder missing does not exist" in capsys.readouterr().err
    assert (tmp_path / "a.yaml").read_text() == RISKY
