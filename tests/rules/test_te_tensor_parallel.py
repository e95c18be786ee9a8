"""MIG102 te-tensor-parallel (warning): no switch to TE FusedAdam under `tp_size > 1` unless `--force`."""

from __future__ import annotations

import pytest

from migrator.core.outcome import BLOCKED_BY_WARNING, Status
from migrator.core.settings import Options
from tests.rules.cases import FP32, PYTHON, TE, TE_TARGET, YAML, check, codes, mp_policy_yaml, python_literal, te_yaml

BF16_ADAMW = "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n"
LEFT = ("MIG102", f"tp_size > 1: TE FusedAdam state is not sharded by TP; left unchanged (use --pattern {FP32.name}")
MOVED = ("MIG001", f"moved to pattern `{TE.name}`")
DECAY = ("MIG002", "written out as")
POLICY = "distributed.mp_policy is implicit under FSDP2 (AutoModel's default: bf16 parameters, fp32 reduction)"
MADE_EXPLICIT = ("MIG005", f"{POLICY}; policy written out")
# Left unchanged, each fix reads as not done, blocked by MIG102.
BLOCKED = "the file is left unchanged (MIG102)"
NOT_MOVED = ("MIG001", f"keeps Adam state in bf16; not moved to pattern `{TE.name}`: {BLOCKED}")
DECAY_NOT_WRITTEN = (
    "MIG002",
    f"weight_decay is implicit (the current optimizer's default is 0.01, TE FusedAdam's differs); not written out: {BLOCKED}",
)
POLICY_NOT_WRITTEN = ("MIG005", f"{POLICY}; not written out: {BLOCKED}")


@pytest.mark.parametrize("tp_size", ["2", "8", "'4'"])
def test_left_unchanged_with_a_warning(tp_size: str) -> None:
    outcome = check(
        YAML,
        BF16_ADAMW + f"distributed:\n  tp_size: {tp_size}\n",
        None,
        [NOT_MOVED, DECAY_NOT_WRITTEN, POLICY_NOT_WRITTEN, LEFT],
        Status.SKIPPED,
        pattern=TE.name,
    )
    assert outcome.skip_reason == BLOCKED_BY_WARNING and outcome.findings[-1].line == 6


CONFIG_DICT = python_literal(
    {"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": "torch.optim.AdamW"}, "distributed": {"tp_size": 2}}
)


def test_python_config_dict_left_unchanged_as_the_yaml_config_is() -> None:
    outcome = check(
        PYTHON,
        f"cfg = {CONFIG_DICT}\n",
        None,
        [NOT_MOVED, DECAY_NOT_WRITTEN, POLICY_NOT_WRITTEN, LEFT],
        Status.SKIPPED,
        pattern=TE.name,
    )
    assert outcome.skip_reason == BLOCKED_BY_WARNING


def test_a_blocked_config_leaves_the_whole_python_file_unchanged() -> None:
    """Training code the front end would edit on its own stays as it is beside a blocked config."""
    source = (
        "import torch\n"
        "from nemo_automodel import NeMoAutoModelForCausalLM\n"
        "model = NeMoAutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.bfloat16)\n"
        "opt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n"
        f"cfg = {CONFIG_DICT}\n"
    )
    outcome = PYTHON.migrate(source, Options(pattern=TE.name))
    assert outcome.status is Status.SKIPPED and outcome.skip_reason == BLOCKED_BY_WARNING
    assert outcome.new_text is None
    assert codes(outcome).count("MIG001") == 2 and "MIG102" in codes(outcome)


def test_migrates_with_force() -> None:
    before = BF16_ADAMW + "distributed:\n  tp_size: 2\n"
    after = (
        f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: {TE_TARGET}\n"
        + te_yaml()
        + "  weight_decay: 0.01\ndistributed:\n  tp_size: 2\n"
        + mp_policy_yaml()
    )
    check(YAML, before, after, [MOVED, DECAY, MADE_EXPLICIT], pattern=TE.name, force=True)


@pytest.mark.parametrize(
    ("tp_size", "pattern"),
    [pytest.param("1", TE.name, id="tp-size-1"), pytest.param("2", FP32.name, id="fp32-shards-its-state")],
)
def test_not_raised(tp_size: str, pattern: str) -> None:
    outcome = YAML.migrate(BF16_ADAMW + f"distributed:\n  tp_size: {tp_size}\n", Options(pattern=pattern))
    assert outcome.status is Status.MIGRATED and "MIG102" not in codes(outcome)
