from __future__ import annotations

import pytest

from tests.tools import check_noop, check_transformed, codes


@pytest.mark.parametrize("pattern", ["te", "fp32"])
def test_completed_to_te_whatever_the_pattern(pattern: str) -> None:
    outcome = check_transformed(
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.FusedAdam\n"
        "  exp_avg_dtype: torch.bfloat16  # small\n",
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.FusedAdam\n"
        "  exp_avg_dtype: torch.float32  # small\n  bias_correction: true\n  master_weights: true\n"
        "  store_param_remainders: true\n  exp_avg_sq_dtype: torch.float32\n",
        pattern=pattern,
    )
    assert codes(outcome)[0] == "MIG004"


def test_master_weights_false_set_true_in_place() -> None:
    check_transformed(
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.FusedAdam\n"
        "  master_weights: false\n  store_param_remainders: false\n",
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.FusedAdam\n"
        "  master_weights: true\n  store_param_remainders: false\n  bias_correction: true\n"
        "  exp_avg_dtype: torch.float32\n  exp_avg_sq_dtype: torch.float32\n",
        pattern="te",
    )


def test_noop_when_only_precision_safe_keys_are_missing() -> None:
    check_noop(
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: transformer_engine.pytorch.optimizers.FusedAdam\n  master_weights: true\n",
        pattern="te",
    )
