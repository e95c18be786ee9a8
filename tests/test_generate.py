"""`migrator generate`: skeletons on both patterns, with and without PEFT, and `--from CONFIG`."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from ruamel.yaml import YAML

from migrator import generate, patterns, schema
from migrator.cli import group_main
from migrator.core import automodel, changes
from migrator.core.classify import classify
from migrator.core.outcome import Status
from migrator.core.settings import Options
from migrator.patterns import te
from migrator.rules import make_plan
from migrator.yaml.front_end import migrate_yaml
from tests.conftest import FIXTURES

CASES = [
    pytest.param(pattern, peft, id=f"{pattern}{'-peft' if peft else ''}")
    for pattern in sorted(patterns.PATTERNS)
    for peft in (False, True)
]


@pytest.mark.parametrize(("pattern", "peft"), CASES)
def test_skeleton_validates_and_loads_with_a_plain_yaml_loader(pattern: str, peft: bool) -> None:
    text = generate.skeleton(pattern, peft=peft)
    data = yaml.safe_load(text)
    assert data == generate.recipe_data(pattern, peft=peft)  # every float stays a float under YAML 1.1
    assert schema.violations(data, pattern) == []
    assert ("peft" in data) == peft
    assert next(iter(data)) == "recipe"  # AutoModel's lint rule


@pytest.mark.parametrize(("pattern", "peft"), CASES)
def test_skeleton_round_trips(pattern: str, peft: bool) -> None:
    text = generate.skeleton(pattern, peft=peft)
    rt = YAML()
    rt.width = 4096
    rt.indent(mapping=2, sequence=4, offset=2)
    stream = io.StringIO()
    rt.dump(rt.load(text), stream)
    assert stream.getvalue() == text
    assert (
        migrate_yaml(text, Options(pattern=pattern, include_peft=peft)).status is Status.UNCHANGED
    )  # nothing left to migrate


@pytest.mark.parametrize(("pattern", "peft"), CASES)
def test_every_key_the_pattern_writes_carries_a_comment(pattern: str, peft: bool) -> None:
    base = generate.base_recipe(generate.DEFAULT_MODEL, peft)
    plan = make_plan(base, classify(base, include_peft=peft), Options(pattern=pattern, include_peft=peft))
    written = [change.path for change in plan.changes if isinstance(change, changes.Set)]
    written += [(*path, key) for path in written if path[-1] == "mp_policy" for key in patterns.MP_POLICY]
    assert written, "the base recipe must need the pattern"
    text = generate.skeleton(pattern, peft=peft)
    for path in written:
        assert generate.why(".".join(path), pattern), path
        assert re.search(rf"^\s*{re.escape(path[-1])}:[^\n]*  # \S", text, re.MULTILINE), path


def test_pattern_blocks_come_from_patterns_py() -> None:
    on_te = generate.recipe_data("te")
    assert on_te["optimizer"]["_target_"] == automodel.TE_FUSED_ADAM
    assert {key: on_te["optimizer"][key] for key in te.SETTINGS} == dict(te.SETTINGS)
    assert on_te["model"]["torch_dtype"] == patterns.PATTERNS["te"].storage_dtype
    fp32 = generate.recipe_data("fp32")
    assert fp32["optimizer"]["_target_"] == patterns.PATTERNS["fp32"].optimizer_target
    assert fp32["model"]["torch_dtype"] == patterns.PATTERNS["fp32"].storage_dtype
    assert on_te["distributed"]["mp_policy"] == fp32["distributed"]["mp_policy"] == dict(patterns.MP_POLICY)


# -- the command --------------------------------------------------------------------------------
def test_cli_prints_skeleton_with_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert group_main(["generate", "--pattern", "fp32", "--model", "/models/qwen3", "--peft"]) == 0
    out = capsys.readouterr().out
    data = yaml.safe_load(out)
    assert data["model"]["pretrained_model_name_or_path"] == "/models/qwen3"
    assert "`migrator generate --pattern fp32 --model /models/qwen3 --peft`" in out


def test_cli_needs_a_pattern() -> None:
    assert group_main(["generate"]) == 2


def test_from_prints_the_migrated_config_and_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = FIXTURES / "te" / "adamw_unset_dtype"
    path = tmp_path / "config.yaml"
    path.write_bytes((case / "input.yaml").read_bytes())
    assert group_main(["generate", "--pattern", "te", "--from", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == (case / "expected.yaml").read_text()
    assert "MIG001" in captured.err
    assert path.read_bytes() == (case / "input.yaml").read_bytes()


def test_from_converts_a_config_on_the_other_pattern(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(generate.skeleton("fp32"))
    assert group_main(["generate", "--pattern", "te", "--from", str(path)]) == 0
    assert schema.violations(yaml.safe_load(capsys.readouterr().out), "te") == []


def test_from_a_config_left_alone_prints_it_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (FIXTURES / "te" / "tensor_parallel_left_alone" / "input.yaml").read_text()
    path = tmp_path / "config.yaml"
    path.write_text(source)
    assert group_main(["generate", "--pattern", "te", "--from", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == source
    assert "MIG102" in captured.err and "does not follow pattern te" in captured.err


def test_from_a_config_that_fails_prints_nothing_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("model:\n  a: 1\n  a: 2\n")
    assert group_main(["generate", "--pattern", "te", "--from", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "duplicate key" in captured.err


def test_from_with_peft_migrates_a_peft_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "lora.yaml"
    path.write_text(generate.skeleton("te", peft=True).replace("torch_dtype: bfloat16", "torch_dtype: bf16"))
    assert group_main(["generate", "--pattern", "fp32", "--from", str(path)]) == 1  # PEFT is skipped by default
    capsys.readouterr()
    assert group_main(["generate", "--pattern", "fp32", "--from", str(path), "--peft"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["model"]["torch_dtype"] == "float32"


def test_from_and_model_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("model: {}\n")
    assert group_main(["generate", "--pattern", "te", "--from", str(path), "--model", "x"]) == 2
