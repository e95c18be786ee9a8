"""ruff's conveniences: -q, --statistics, --exit-zero, --extend-exclude; machine formats on stdout print nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrator.cli import main
from tests.repos import BROKEN, RISKY, RISKY_TP, make_tree


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_tree(tmp_path, {"a.yaml": RISKY, "tp.yaml": RISKY_TP, "legacy/b.yaml": RISKY})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_quiet_prints_findings_without_the_summary(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "-q", "a.yaml"]) == 1
    err = capsys.readouterr().err
    assert "a.yaml:17:3: MIG001" in err and "scanned" not in err


def test_statistics_count_findings_per_rule(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--no-progress", "--pattern", "te", "--statistics", "a.yaml", "tp.yaml"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[:2] == ["2  MIG001  [*] torch-adam-bf16-state", "2  MIG003  [*] unsupported-optimizer-argument"]
    assert "1  MIG102  [ ] te-tensor-parallel" in lines and lines[-1].startswith("2 files scanned")


def test_exit_zero_turns_pending_and_open_into_success_but_not_failures(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", "--exit-zero", "--pattern", "te", "a.yaml", "tp.yaml"]) == 0
    (tree / "broken.yaml").write_text(BROKEN)
    assert main(["--check", "--exit-zero", "broken.yaml"]) == 2


def test_extend_exclude_adds_to_the_table(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "pyproject.toml").write_text("[tool.migrator]\nexclude = ['legacy']\n")
    main(["--check", "--no-progress", "--output-format", "json", "--extend-exclude", "tp.yaml", "."])
    assert [file["path"] for file in json.loads(capsys.readouterr().out)["files"]] == ["a.yaml"]


@pytest.mark.parametrize("output_format", ["json", "sarif", "github"])
def test_a_machine_format_on_stdout_is_all_that_is_printed(
    output_format: str, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", "--output-format", output_format, "a.yaml"]) == 1
    out, err = capsys.readouterr()
    assert out and err == ""


def test_ignore_by_name_drops_a_rule_and_its_edits(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--check", "--no-progress", "--output-format", "json", "--ignore", "implicit-mp-policy", "a.yaml"])
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    assert "MIG005" not in {finding["code"] for finding in findings} and findings  # not even as suppressed
    assert main(["--no-progress", "--ignore", "MIG005", "a.yaml"]) == 0
    assert "mp_policy" not in (tree / "a.yaml").read_text()


def test_select_and_extend_select_from_the_table_and_the_command_line(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / "pyproject.toml").write_text("[tool.migrator]\nselect = ['MIG005']\n")
    main(["--check", "--no-progress", "--output-format", "json", "a.yaml"])
    assert [f["code"] for f in json.loads(capsys.readouterr().out)["files"][0]["findings"]] == ["MIG005"]
    main(["--check", "--no-progress", "--output-format", "json", "--extend-select", "torch-adam-bf16-state", "a.yaml"])
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["files"][0]["findings"]}
    assert codes == {"MIG001", "MIG005"}


def test_an_ignored_blocker_holds_the_file_and_is_not_open(tree: Path) -> None:
    assert main(["--check", "--no-progress", "--pattern", "te", "--ignore", "MIG102", "tp.yaml"]) == 0
    assert (tree / "tp.yaml").read_text() == RISKY_TP


def test_an_unknown_rule_is_a_usage_error(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check", "--select", "nope", "a.yaml"]) == 2
    assert "unknown rule `nope`" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "coloured"), [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)]
)
def test_colour_only_when_asked_for_or_on_a_terminal(
    env: dict[str, str], coloured: bool, tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    main(["--check", "--no-progress", "a.yaml"])
    err = capsys.readouterr().err
    assert ("\x1b[" in err) == coloured
    assert "a.yaml" in err and "MIG001" in err
