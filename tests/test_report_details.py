"""Small report and settings details users hit (issue 13, item 7): plurals, counts as data, statuses per mode,
suffix case, help text, finding order, SARIF URIs, and the run-wide settings [tool.migrator] accepts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import group_main, main, migrate_command
from tests.repos import CLEAN, RISKY, make_tree


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    main(["--no-progress", "--output-format", "json", *argv])
    return json.loads(capsys.readouterr().out)


def test_counts_are_singular_for_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"a.yaml": RISKY, "notes.yaml": "title: x\n"})
    monkeypatch.chdir(tmp_path)
    main(["--check", "a.yaml"])
    assert capsys.readouterr().err.splitlines()[-1].startswith("1 file scanned: 1 would migrate")
    main(["--check", "notes.yaml"])
    assert ", 1 not a recipe, " in capsys.readouterr().err


def test_json_summary_has_counts_and_check_mode_says_would_migrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"a.yaml": RISKY, "b.yaml": CLEAN})
    monkeypatch.chdir(tmp_path)
    report = _json(["--check", "."], capsys)
    summary = report["summary"]
    assert summary["files"] == 2 and summary["statuses"]["would-migrate"] == 1 and summary["statuses"]["unchanged"] == 1
    assert summary["open"] == 0 and summary["text"].startswith("2 files scanned")
    assert [file["status"] for file in report["files"]] == ["would-migrate", "unchanged"]
    assert [file["status"] for file in _json(["."], capsys)["files"]] == ["migrated", "unchanged"]


def test_upper_case_suffixes_are_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"c.YAML": RISKY, "d.Yml": RISKY})
    monkeypatch.chdir(tmp_path)
    assert [file["status"] for file in _json(["--check", "c.YAML"], capsys)["files"]] == ["would-migrate"]
    assert [file["path"] for file in _json(["--check", "."], capsys)["files"]] == ["c.YAML", "d.Yml"]


def test_help_shows_the_size_default_plainly() -> None:
    text = CliRunner().invoke(migrate_command, ["--help"], terminal_width=200).output
    assert "[default: 1M]" in text and "(1M)" not in text


def test_findings_are_listed_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"a.yaml": RISKY})
    monkeypatch.chdir(tmp_path)
    positions = [
        (f["line"], f["column"])
        for f in _json(["--check", "--pattern", "te", "a.yaml"], capsys)["files"][0]["findings"]
    ]
    assert len(positions) > 2 and positions == sorted(positions)


def test_sarif_uri_outside_the_root_is_absolute_without_a_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"inside/a.yaml": RISKY, "outside/b.yaml": RISKY})
    monkeypatch.chdir(tmp_path / "inside")
    main(["--check", "--no-progress", "--output-format", "sarif", "a.yaml", str(tmp_path / "outside" / "b.yaml")])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    artifacts = {json.dumps(r["locations"][0]["physicalLocation"]["artifactLocation"], sort_keys=True) for r in results}
    inside = {"uri": "a.yaml", "uriBaseId": "%SRCROOT%"}
    outside = {"uri": (tmp_path / "outside" / "b.yaml").resolve().as_uri()}
    assert artifacts == {json.dumps(inside, sort_keys=True), json.dumps(outside, sort_keys=True)}


def test_max_file_size_and_verbose_come_from_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(
        tmp_path,
        {
            "pyproject.toml": "[tool.migrator]\nmax-file-size = '100'\nverbose = true\n",
            "a.yaml": RISKY,
            "n.yaml": "x: 1\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--check", "--no-progress", "."]) == 2
    err = capsys.readouterr().err
    assert "over the size limit of 100" in err and "n.yaml: not a recipe" in err
    assert main(["--check", "--no-progress", "--max-file-size", "1M", "a.yaml"]) == 1  # the command line wins


def test_a_jinja_template_is_named_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    template = "model:\n  torch_dtype: bf16\n{% if te %}\noptimizer:\n  _target_: torch.optim.AdamW\n{% endif %}\n"
    make_tree(tmp_path, {"a.yaml": template})
    monkeypatch.chdir(tmp_path)
    assert main(["--check", "--no-progress", "a.yaml"]) == 2
    assert "a.yaml:3:1: error: looks like a template (`{%` at line 3), not YAML: exclude it" in capsys.readouterr().err


def test_a_suppression_takes_a_rule_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = RISKY.replace("distributed:\n", "distributed:  # migrator: ignore[implicit-mp-policy]\n")
    make_tree(tmp_path, {"a.yaml": text})
    monkeypatch.chdir(tmp_path)
    findings = _json(["--check", "a.yaml"], capsys)["files"][0]["findings"]
    assert [(f["code"], f["suppressed"]) for f in findings if f["code"] == "MIG005"] == [("MIG005", True)]
    assert not [f for f in findings if f["code"] is None]  # no `unknown rule code` notice


def test_rules_give_the_level_reports_use_in_text_and_json() -> None:
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from migrator.cli import group_main; raise SystemExit(group_main(['rules', '--output-format', 'json']))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout  # a fresh process: the registry must load itself
    rules = {rule["code"]: rule for rule in json.loads(listed)}
    assert rules["MIG001"]["level"] == "warning" and rules["MIG001"]["fixable"] is True
    assert rules["MIG104"]["level"] == "note" and rules["MIG104"]["fixable"] is False
    table = subprocess.run(
        [sys.executable, "-c", "from migrator.cli import group_main; raise SystemExit(group_main(['rules']))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "warning (fixable)" in table.splitlines()[0] and " fix " not in table


def test_peft_hints_name_each_commands_own_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    peft = make_tree(tmp_path, {"p.yaml": RISKY + "peft:\n  dim: 8\n"}) / "p.yaml"
    main(["--check", "--no-progress", str(peft)])
    assert "pass --include-peft to migrate it anyway" in capsys.readouterr().err
    group_main(["generate", "--pattern", "te", "--from", str(peft)])
    err = capsys.readouterr().err
    assert "pass --peft to migrate it anyway" in err and "--include-peft" not in err
    group_main(["validate", str(peft)])
    assert "--include-peft" not in capsys.readouterr().err


def test_exclude_globs_that_match_nothing_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"a.yaml": RISKY, "legacy/b.yaml": RISKY})
    monkeypatch.chdir(tmp_path)
    main(["--check", "--no-progress", "--exclude", "legacy", "--exclude", "legacyy", "--extend-exclude", "*.tmpl", "."])
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert [line.split("`")[1] for line in warnings] == ["legacyy", "*.tmpl"]


def test_a_suppression_that_suppresses_nothing_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = RISKY.replace("distributed:\n", "distributed:  # migrator: ignore[MIG005]\n").replace(
        "  dp_size: none\n", "  dp_size: none  # migrator: ignore[MIG102]\n"
    )
    make_tree(tmp_path, {"a.yaml": text, "notes.yaml": "title: x  # migrator: ignore\n"})
    monkeypatch.chdir(tmp_path)
    main(["--check", "--no-progress", "."])
    warnings = [line for line in capsys.readouterr().err.splitlines() if "unused suppression" in line]
    assert warnings == [
        "a.yaml:14:1: warning: unused suppression `# migrator: ignore[MIG102]`: nothing it names is found here (remove it)"
    ]  # MIG005's is used; a file that is not a recipe is not weighed against its comments


def test_verbose_says_why_an_unchanged_config_needed_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_tree(tmp_path, {"b.yaml": CLEAN})
    monkeypatch.chdir(tmp_path)
    main(["--check", "--no-progress", "-v", "b.yaml"])
    assert capsys.readouterr().err.startswith("b.yaml: unchanged: torch.optim.AdamW with float32 parameter storage")
