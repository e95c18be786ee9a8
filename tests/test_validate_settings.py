"""`migrator validate` honours what `migrate` honours: [tool.migrator] per file, --config, excludes, suppression
comments, the output formats and -o."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from migrator.cli import group_main
from migrator.core.settings import Options
from migrator.validate import check_text
from migrator.yaml.front_end import migrate_yaml
from tests.repos import make_tree
from tests.test_reports import sarif_schema  # noqa: F401 (a fixture)
from tests.test_validate import RISKY

ON_FP32 = migrate_yaml(RISKY, Options(pattern="fp32")).new_text or ""
TE_TABLE = '[tool.migrator]\npattern = "te"\n'


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def make(files: dict[str, str]) -> Path:
        make_tree(tmp_path, {name: textwrap.dedent(text) for name, text in files.items()})
        monkeypatch.chdir(tmp_path)
        return tmp_path

    return make


def _validate(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = group_main(["validate", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- settings -------------------------------------------------------------------------------------
def test_each_file_takes_the_pattern_of_its_closest_settings(tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"te/pyproject.toml": TE_TABLE, "te/c.yaml": ON_FP32, "free/c.yaml": ON_FP32})
    code, _, err = _validate(capsys, ".")
    assert code == 1
    assert "te/c.yaml: does not follow pattern te" in err
    assert "free/c.yaml" not in err and "1 valid, 1 invalid" in err


def test_the_command_line_pattern_wins_over_the_settings(tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"te/pyproject.toml": TE_TABLE, "te/c.yaml": ON_FP32})
    assert _validate(capsys, "--pattern", "fp32", ".")[0] == 0


def test_config_file_holds_for_every_file(tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"settings/pyproject.toml": TE_TABLE, "c.yaml": ON_FP32})
    assert _validate(capsys, ".")[0] == 0
    code, _, err = _validate(capsys, "--config", "settings/pyproject.toml", ".")
    assert code == 1 and "c.yaml: does not follow pattern te" in err


def test_an_invalid_settings_table_is_a_usage_error(tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"pyproject.toml": '[tool.migrator]\npattern = "bf16"\n', "c.yaml": ON_FP32})
    assert _validate(capsys, "--config", "pyproject.toml", ".")[0] == 2


def test_include_peft_from_the_settings_checks_peft_configs(tree, capsys: pytest.CaptureFixture[str]) -> None:
    peft = "peft:\n  dim: 8\n" + RISKY
    tree({"pyproject.toml": "[tool.migrator]\ninclude-peft = true\n", "lora.yaml": peft})
    code, _, err = _validate(capsys, ".")
    assert code == 1 and "lora.yaml: does not follow pattern" in err


# -- discovery -------------------------------------------------------------------------------------
def test_exclude_from_the_settings(tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"pyproject.toml": '[tool.migrator]\nexclude = ["drafts"]\n', "drafts/risky.yaml": RISKY, "c.yaml": ON_FP32})
    code, _, err = _validate(capsys, ".")
    assert code == 0 and "drafts" not in err and "1 file checked" in err


def test_exclude_options(tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"drafts/risky.yaml": RISKY, "old/risky.yaml": RISKY, "c.yaml": ON_FP32})
    assert _validate(capsys, "--exclude", "drafts", "--extend-exclude", "old", ".")[0] == 0
    assert _validate(capsys, "--exclude", "drafts", "drafts/risky.yaml")[0] == 1  # named: checked
    assert _validate(capsys, "--exclude", "drafts", "--force-exclude", "drafts/risky.yaml")[0] == 0


# -- suppression comments --------------------------------------------------------------------------
def _missed_keys(text: str, pattern: str = "fp32") -> list[str]:
    return [miss.message.split(":")[0] for miss in check_text("c.yaml", text, pattern).misses]


def test_a_rule_suppressed_where_it_would_write_a_key_waives_that_miss() -> None:
    assert _missed_keys(RISKY) == ["model.torch_dtype", "distributed.mp_policy"]
    suppressed = RISKY.replace("distributed:", "distributed:  # migrator: ignore[MIG005]")
    assert _missed_keys(suppressed) == ["model.torch_dtype"]
    by_name = RISKY.replace("distributed:", "distributed:  # migrator: ignore[implicit-mp-policy]")
    assert _missed_keys(by_name) == ["model.torch_dtype"]
    other_rule = RISKY.replace("distributed:", "distributed:  # migrator: ignore[MIG101]")
    assert _missed_keys(other_rule) == ["model.torch_dtype", "distributed.mp_policy"]


def test_a_bare_ignore_on_the_key_waives_its_miss(tree, capsys: pytest.CaptureFixture[str]) -> None:
    text = RISKY.replace("torch_dtype: bf16", "torch_dtype: bf16  # migrator: ignore").replace(
        "distributed:", "distributed:  # migrator: ignore"
    )
    assert _missed_keys(text) == []
    tree({"c.yaml": text, "skipped.yaml": "# migrator: skip-file\n" + RISKY})
    code, _, err = _validate(capsys, "--pattern", "fp32", ".")
    assert code == 0 and "skipped.yaml: skipped (skip-file)" in err


def test_rules_ignored_in_the_settings_waive_their_misses(tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"pyproject.toml": '[tool.migrator]\nignore = ["MIG005"]\n', "c.yaml": RISKY})
    _, _, err = _validate(capsys, "--pattern", "fp32", ".")
    assert "torch_dtype" in err and "mp_policy" not in err


# -- output formats and -o -------------------------------------------------------------------------
@pytest.fixture
def mixed(tree) -> Path:
    return tree({"risky.yaml": RISKY, "ok.yaml": ON_FP32, "broken.yaml": "model: [\n"})


def test_json(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(capsys, "--pattern", "fp32", "--output-format", "json", ".")
    assert code == 2 and err == ""
    document = json.loads(out)
    assert document["command"] == "validate" and document["summary"]["invalid"] == 1
    files = {entry["path"]: entry for entry in document["files"]}
    assert files["ok.yaml"]["verdict"] == "valid" and files["broken.yaml"]["verdict"] == "error"
    assert [(miss["line"], miss["code"]) for miss in files["risky.yaml"]["misses"]] == [
        (4, "pattern-fp32"),
        (5, "pattern-fp32"),
    ]


def test_sarif(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(capsys, "--pattern", "fp32", "--output-format", "sarif", ".")
    assert code == 2 and err == ""
    (run,) = json.loads(out)["runs"]
    located = [
        (result["ruleId"], result["locations"][0]["physicalLocation"]["region"]["startLine"])
        for result in run["results"]
    ]
    assert located == [("pattern-fp32", 4), ("pattern-fp32", 5)]
    assert {rule["id"] for rule in run["tool"]["driver"]["rules"]} == {"pattern-fp32", "pattern-te"}
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "error" and not run["invocations"][0]["executionSuccessful"]


def test_sarif_validates_against_the_official_schema(
    mixed: Path,
    capsys: pytest.CaptureFixture[str],
    sarif_schema: dict[str, Any],  # noqa: F811
) -> None:
    _, out, _ = _validate(capsys, "--pattern", "fp32", "--output-format", "sarif", ".")
    jsonschema.Draft7Validator(sarif_schema).validate(json.loads(out))


def test_github(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(capsys, "--pattern", "fp32", "--output-format", "github", ".")
    assert code == 2 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("::error file=broken.yaml,line=2,col=1,")
    assert any(line.startswith("::error file=risky.yaml,line=4,col=3,title=migrator pattern-fp32::") for line in lines)
    assert lines[-1].startswith("::notice title=migrator::3 files checked: 1 valid, 1 invalid")


def test_markdown(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(capsys, "--pattern", "fp32", "--output-format", "markdown", ".")
    assert code == 2 and err == ""
    assert out.startswith("## migrator validate report\n")
    assert "| `risky.yaml:4` | fp32 | model.torch_dtype: " in out
    assert "| `risky.yaml` | fp32 | run `migrate --pattern fp32` to fix it |" in out


def test_text_is_the_default_and_the_settings_can_choose_a_format(tree, capsys: pytest.CaptureFixture[str]) -> None:
    tree({"c.yaml": RISKY})
    code, out, err = _validate(capsys, ".")
    assert code == 1 and out == "" and "c.yaml: does not follow pattern" in err
    (Path("pyproject.toml")).write_text('[tool.migrator]\noutput-format = "json"\n')
    code, out, err = _validate(capsys, ".")
    assert code == 1 and err == "" and json.loads(out)["summary"]["invalid"] == 1


def test_output_file(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _validate(capsys, "--output-format", "json", "-o", "report.json", "--pattern", "fp32", ".")
    assert code == 2 and out == "" and "risky.yaml: does not follow pattern fp32" in err
    assert json.loads(Path("report.json").read_text())["summary"]["files"] == 3


def test_output_file_in_a_missing_folder_is_a_usage_error_before_any_work(
    tree, capsys: pytest.CaptureFixture[str]
) -> None:
    tree({"c.yaml": RISKY})
    code, out, err = _validate(capsys, "-o", "missing/report.json", ".")
    assert code == 2 and out == ""
    assert "folder missing does not exist" in err and "c.yaml" not in err


def test_a_document_comment_above_a_block_waives_its_misses(tree, capsys: pytest.CaptureFixture[str]) -> None:
    block = "```yaml\n" + RISKY + "```\n"
    tree({"bare.md": "<!-- migrator: ignore -->\n" + block, "coded.md": "<!-- migrator: ignore[MIG005] -->\n" + block})
    _, _, err = _validate(capsys, "--pattern", "fp32", "bare.md", "coded.md")
    assert "bare.md: skipped (suppressed: `migrator: ignore` above the block)" in err
    assert "coded.md:6:3: model.torch_dtype" in err and "mp_policy" not in err


@pytest.mark.parametrize("command", [["validate"], ["migrate", "--check"]])
@pytest.mark.parametrize("option", ["--exclude", "--extend-exclude"])
def test_an_exclude_glob_that_matches_nothing_is_warned_about(
    tree: Any, capsys: pytest.CaptureFixture[str], command: list[str], option: str
) -> None:
    tree({"configs/a.yaml": ON_FP32, "legacy/b.yaml": ON_FP32})
    group_main([*command, option, "legacy/**", option, "lgacy/**", "."])
    err = capsys.readouterr().err
    assert "warning: exclude glob `lgacy/**` matched nothing" in err
    assert "`legacy/**`" not in err  # the glob that excluded something is not mentioned


@pytest.mark.parametrize("command", [["validate"], ["migrate", "--check"]])
def test_a_run_that_finds_no_file_says_so(tree: Any, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    tree({"notes.txt": "no config here\n", "legacy/b.yaml": ON_FP32})
    code = group_main([*command, "--exclude", "legacy", "."])
    assert code == 0  # nothing to fix, as ruff has it; but not silently
    assert "warning: no file found to check (*.yaml, *.yml, " in capsys.readouterr().err
