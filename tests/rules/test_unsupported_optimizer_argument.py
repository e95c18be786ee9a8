from __future__ import annotations

import pytest

from tests.tools import check_transformed, codes, run

TE = "  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam\n"
TE_TAIL = (
    "  adam_w_mode: true\n  bias_correction: true\n  master_weights: true\n  store_param_remainders: true\n"
    "  exp_avg_dtype: torch.float32\n  exp_avg_sq_dtype: torch.float32\n"
)


@pytest.mark.parametrize(
    "line",
    [
        "foreach: false",
        "foreach: true  # fast",
        "fused: True",
        "amsgrad: false",
        "capturable: false",
        "differentiable: false",
        "maximize: false",
    ],
)
def test_rejected_argument_line_removed(line: str) -> None:
    outcome = check_transformed(
        f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.Adam\n  {line}\n  lr: 1.0e-5\n",
        f"model:\n  torch_dtype: bf16\noptimizer:\n{TE}  lr: 1.0e-5\n{TE_TAIL}",
        pattern="te",
    )
    assert "MIG003" in codes(outcome)


def test_rejected_argument_in_flow_mapping_removed() -> None:
    check_transformed(
        "model: {torch_dtype: bf16}\noptimizer: {_target_: torch.optim.Adam, foreach: false, lr: 1.0e-5}\n",
        "model: {torch_dtype: bf16}\noptimizer: {_target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam, lr: 1.0e-5, "
        "adam_w_mode: true, bias_correction: true, master_weights: true, store_param_remainders: true, "
        "exp_avg_dtype: torch.float32, exp_avg_sq_dtype: torch.float32}\n",
        pattern="te",
    )


def test_noop_for_fp32_pattern_keeps_foreach() -> None:
    outcome = run(
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.Adam\n  foreach: false\n", pattern="fp32"
    )
    assert outcome.new_text is not None and "foreach: false" in outcome.new_text
    assert "MIG003" not in codes(outcome)


def test_argument_from_merge_key_cannot_be_removed() -> None:
    outcome = run(
        "base: &b\n  foreach: false\nmodel:\n  torch_dtype: bf16\noptimizer:\n  <<: *b\n  _target_: torch.optim.Adam\n",
        pattern="te",
    )
    assert outcome.status.value == "failed"
    assert outcome.problem is not None and "merge key" in outcome.problem.message
