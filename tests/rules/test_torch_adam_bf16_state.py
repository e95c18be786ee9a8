from __future__ import annotations

import pytest

from tests.tools import check_noop, check_transformed, codes

ADAMW = """\
    model:
      torch_dtype: {dtype}
    optimizer:
      _target_: torch.optim.AdamW
      lr: 1.0e-5
      weight_decay: 0.01
"""


@pytest.mark.parametrize("dtype", ["bf16", "bfloat16", "torch.bfloat16", "BF16", "auto", "null", "~"])
def test_fp32_replaces_every_bf16_spelling(dtype: str) -> None:
    outcome = check_transformed(ADAMW.format(dtype=dtype), ADAMW.format(dtype="float32"), pattern="fp32")
    assert codes(outcome) == ["MIG001", "MIG104"]  # no distributed section: noted, nothing added


def test_fp32_inserts_missing_dtype_after_last_model_key() -> None:
    check_transformed(
        """\
        model:
          _target_: nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained
          # comment stays last
        optimizer:
          _target_: torch.optim.adam.Adam
        """,
        """\
        model:
          _target_: nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained
          torch_dtype: float32
          # comment stays last
        optimizer:
          _target_: torch.optim.adam.Adam
        """,
        pattern="fp32",
    )


def test_te_keeps_explicit_bf16_spelling_and_lr_formatting() -> None:
    check_transformed(
        """\
        model:
          torch_dtype: torch.bfloat16
        optimizer:
          _target_: torch.optim.AdamW
          lr: 1e-5  # peak
          weight_decay: 0.01
        """,
        """\
        model:
          torch_dtype: torch.bfloat16
        optimizer:
          _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam
          lr: 1e-5  # peak
          weight_decay: 0.01
          adam_w_mode: true
          bias_correction: true
          master_weights: true
          store_param_remainders: true
          exp_avg_dtype: torch.float32
          exp_avg_sq_dtype: torch.float32
        """,
        pattern="te",
    )


@pytest.mark.parametrize(
    ("weight_decay", "decoupled", "mode"),
    [
        pytest.param("0.01", "", "false", id="adam-l2"),
        pytest.param("1e-2", "", "false", id="adam-l2-yaml11-string"),
        pytest.param("0", "", "true", id="adam-no-decay"),
        pytest.param("0.01", "  decoupled_weight_decay: true\n", "true", id="adam-decoupled"),
    ],
)
def test_te_adam_w_mode_follows_the_update_rule(weight_decay: str, decoupled: str, mode: str) -> None:
    before = f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.Adam\n  weight_decay: {weight_decay}\n{decoupled}"
    outcome = check_transformed(
        before,
        "model:\n  torch_dtype: bf16\noptimizer:\n"
        "  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam\n"
        f"  weight_decay: {weight_decay}\n"
        f"  adam_w_mode: {mode}\n  bias_correction: true\n  master_weights: true\n"
        "  store_param_remainders: true\n  exp_avg_dtype: torch.float32\n  exp_avg_sq_dtype: torch.float32\n",
        pattern="te",
    )
    assert codes(outcome)[0] == "MIG001"


def test_noop_when_storage_is_float32() -> None:
    check_noop(ADAMW.format(dtype="float32"), pattern="fp32")


def test_noop_for_kd_recipe_with_unset_dtype() -> None:
    check_noop(
        """\
        recipe: KnowledgeDistillationRecipeForNextTokenPrediction
        model:
          pretrained_model_name_or_path: x
        optimizer:
          _target_: torch.optim.AdamW
        """,
        pattern="fp32",
    )


def test_noop_for_sgd() -> None:
    check_noop("model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.SGD\n", pattern="fp32")


def test_teacher_model_is_never_touched() -> None:
    check_transformed(
        "model:\n  torch_dtype: bf16\nteacher_model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n",
        "model:\n  torch_dtype: float32\nteacher_model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n",
        pattern="fp32",
    )


def test_hf_dtype_key_is_the_storage_key_when_torch_dtype_is_absent() -> None:
    before = "model:\n  _target_: transformers.AutoModelForCausalLM.from_pretrained\n  dtype: {}\noptimizer:\n  _target_: torch.optim.AdamW\n"
    check_transformed(before.format("bfloat16"), before.format("float32"), pattern="fp32")
