"""The Python front end as the runner sees it: gate, lazy import, discovery, report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.cli import main
from migrator.core.outcome import Status
from migrator.core.settings import Options
from migrator.process import front_end
from migrator.python import migrate_python
from migrator.python.render import width
from migrator.rules import RULES
from tests.conftest import FIXTURES


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("def f(:\n    model = M.from_pretrained(p)\n", id="a loader but nothing that trains"),
        pytest.param("def f(:\n    torch.optim.AdamW(params)\n", id="an optimizer but no model loaded here"),
        pytest.param("def f(:\n    config.torch_dtype = torch.bfloat16\n", id="a dtype that is not a recipe key"),
    ],
)
def test_text_without_needles_is_not_parsed(source: str) -> None:
    migrate = front_end(".py")
    assert migrate is not None
    assert migrate(source, Options()).status is Status.NOT_RECIPE  # a syntax error, never parsed


def test_yaml_only_run_never_imports_libcst(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes((FIXTURES / "fp32" / "unset_dtype_inserted" / "input.yaml").read_bytes())
    code = f"import sys; from migrator.cli import main; main(['--check', {str(tmp_path)!r}]); print('libcst' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_folder_run_rewrites_python_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = FIXTURES / "fp32" / "py_unset_dtype_inserted"
    (tmp_path / "train.py").write_bytes((case / "input.py").read_bytes())
    assert main([str(tmp_path)]) == 0
    assert (tmp_path / "train.py").read_bytes() == (case / "expected.py").read_bytes()
    assert "train.py:6:13: MIG001" in capsys.readouterr().err


def test_syntax_error_fails_the_file_and_others_continue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import torch\nopt = torch.optim.AdamW(M.from_pretrained(p).parameters(),\n")
    (tmp_path / "train.py").write_bytes((FIXTURES / "fp32" / "py_unset_dtype_inserted" / "input.py").read_bytes())
    assert main(["--check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "broken.py:2:" in err and "would migrate" in err


@pytest.mark.parametrize("code", ["MIG105", "MIG106", "MIG107", "MIG108", "MIG109"])
def test_python_rules_are_documented(code: str) -> None:
    rule = RULES[code]
    assert "## What it does" in rule.doc and "## Example" in rule.doc
    # raised by the Python front end; in YAML only MIG105 has a check (an environment reference: undecidable)
    assert (rule.check is not None) == (code == "MIG105")


def test_deeply_nested_expressions_are_analysed_and_rewritten() -> None:
    chain = " + ".join(["a"] * 1500)  # ast.parse accepts it; a walk at the default recursion limit would not
    source = (
        "import torch\nmodel = M.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        f"opt = torch.optim.AdamW(model.parameters())\nx = {chain}\n"
    )
    migrate = front_end(".py")
    assert migrate is not None
    outcome = migrate(source, Options(pattern="fp32"))
    assert outcome.status is Status.MIGRATED and outcome.new_text == source.replace("bfloat16", "float32")


@pytest.mark.parametrize(
    ("case", "status", "reason"),
    [
        pytest.param("te/py_inference_unchanged", "not-recipe", "no model loading call with an optimizer", id="gate"),
        pytest.param("te/py_from_config_unchanged", "unchanged", "float32 parameter storage", id="on-pattern"),
        pytest.param("te/py_peft_and_reload_unchanged", "unchanged", "only notes were raised", id="notes"),
        pytest.param("te/py_mock_loader_unchanged", "unchanged", "only warnings were raised", id="warnings"),
        pytest.param("fp32/py_string_dtype", "would-migrate", "keeps Adam state in bf16", id="migrated"),
    ],
)
def test_python_outcomes_say_why(case: str, status: str, reason: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / case / "input.py"
    main(["--check", "--output-format", "json", str(path)])
    (record,) = json.loads(capsys.readouterr().out)["files"]
    assert record["status"] == status and reason in record["reason"]


def test_parsed_file_with_nothing_to_look_at_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "load.py"
    path.write_text("import torch\nmodel = M.from_pretrained(p)\nprint(torch.optim)\n")  # passes the gate only
    main(["--check", "-v", str(path)])
    assert "load.py: not a recipe: parsed, but no model loading call trained by an optimizer" in capsys.readouterr().err


def test_verbose_names_why_python_files_were_left_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "tool.py").write_text("print('hello')\n")
    case = FIXTURES / "te" / "py_peft_and_reload_unchanged"
    (tmp_path / "train.py").write_bytes((case / "input.py").read_bytes())
    main(["--check", "-v", str(tmp_path)])
    err = capsys.readouterr().err
    assert "tool.py: not a recipe: no model loading call with an optimizer or FSDP2, and no recipe config key" in err
    assert "train.py: unchanged: only notes were raised; nothing to edit" in err


PY_CASES = sorted(FIXTURES.glob("*/py_*/expected.py"))


@pytest.mark.parametrize("expected", PY_CASES, ids=[f"{p.parent.parent.name}/{p.parent.name}" for p in PY_CASES])
def test_edited_calls_fit_the_files_own_width(expected: Path) -> None:
    """Lines an edit writes are no longer than the file's longest line (at least 88); dict literals are not wrapped."""
    before = (expected.parent / "input.py").read_text()
    written = set(expected.read_text().splitlines()) - set(before.splitlines())
    too_long = [line for line in written if len(line) > width(before) and "{" not in line]
    assert not too_long


def test_width_is_the_longest_line_and_at_least_88() -> None:
    assert width("x = 1\n") == 88
    assert width("y = 2\n" + "#" * 130 + "\n") == 130


def test_a_tab_indented_call_is_wrapped_with_tabs() -> None:
    source = (
        "import torch\nfrom nemo_automodel import NeMoAutoModelForCausalLM\n\n\ndef build(config):\n"
        '\tmodel = NeMoAutoModelForCausalLM.from_config(config, trust_remote_code=True, attn_implementation="sdpa")\n'
        "\treturn torch.optim.AdamW(model.parameters(), lr=2e-5)\n"
    )
    outcome = migrate_python(source, Options(pattern="fp32"))
    assert outcome.new_text is not None
    assert (
        "\tmodel = NeMoAutoModelForCausalLM.from_config(\n\t\tconfig,\n\t\ttrust_remote_code=True,\n"
        '\t\tattn_implementation="sdpa",\n\t\ttorch_dtype=torch.float32,\n\t)\n'
    ) in outcome.new_text


def test_a_python_syntax_error_has_a_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.py"
    path.write_text("import torch\nopt = torch.optim.AdamW(M.from_pretrained(p).parameters(),\n")
    main(["--check", "--output-format", "json", str(path)])
    (record,) = json.loads(capsys.readouterr().out)["files"]
    assert record["status"] == "failed" and record["reason"] == "not valid Python: nothing could be decided"
