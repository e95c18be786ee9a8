"""MIG101 (error), MIG102 and MIG103 (warnings): the file is left exactly as it was."""

from __future__ import annotations

import pytest

from migrator.core.outcome import Status
from tests.tools import check_noop, codes, run

BF16_ADAMW = "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n"


@pytest.mark.parametrize("line", ["amsgrad: true", "maximize: true"])
def test_unmigratable_argument_fails_the_file(line: str) -> None:
    outcome = run(BF16_ADAMW + f"  {line}\n", pattern="te")
    assert outcome.status is Status.FAILED and outcome.new_text is None
    assert outcome.problem is not None and outcome.problem.line == 5 and "MIG101" in outcome.problem.message


def test_bias_correction_false_blocks_conversion_to_torch() -> None:
    outcome = run(
        "model:\n  torch_dtype: float32\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.FusedAdam\n"
        "  master_weights: true\n  bias_correction: false\n",
        pattern="fp32",
        convert=True,
    )
    assert outcome.status is Status.FAILED


def test_amsgrad_true_is_fine_for_fp32() -> None:
    assert run(BF16_ADAMW + "  amsgrad: true\n", pattern="fp32").status is Status.MIGRATED


def test_tensor_parallel_left_unchanged_with_warning() -> None:
    outcome = check_noop(BF16_ADAMW + "distributed:\n  tp_size: 2\n", pattern="te")
    assert outcome.status is Status.SKIPPED and "MIG102" in codes(outcome)


def test_tensor_parallel_migrates_with_force() -> None:
    assert run(BF16_ADAMW + "distributed:\n  tp_size: 2\n", pattern="te", force=True).status is Status.MIGRATED


def test_bagel_cannot_express_te() -> None:
    outcome = check_noop("recipe: PretrainRecipeForMultimodal\n" + BF16_ADAMW, pattern="te")
    assert outcome.status is Status.SKIPPED and "MIG103" in codes(outcome)


def test_bagel_unset_storage_is_already_fp32() -> None:
    outcome = check_noop(
        "recipe: FinetuneRecipeForMultimodal\nmodel: {}\noptimizer:\n  _target_: torch.optim.AdamW\n", pattern="fp32"
    )
    assert outcome.status is Status.UNCHANGED
