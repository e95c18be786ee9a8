"""MIG115 and the builder table: the storage dtype follows `model._target_` (core/builders.py)."""

from __future__ import annotations

import pytest

from migrator.core.outcome import Status
from tests.tools import check_noop, check_transformed, codes, run

HF_PRETRAINED = "transformers.AutoModelForCausalLM.from_pretrained"
HF_CONFIG = "transformers.AutoModelForCausalLM.from_config"
GPT2 = "nemo_automodel.components.models.gpt2.build_gpt2_model"
FSDP2 = "distributed:\n  strategy: fsdp2\n"


def recipe(model: str, optimizer: str = "torch.optim.AdamW") -> str:
    return f"model:\n{model}optimizer:\n  _target_: {optimizer}\n  lr: 1.0e-5\n"


UNPROVEN = {
    "hf-from-pretrained": (f"  _target_: {HF_PRETRAINED}\n", "loads the checkpoint's dtype"),
    "hf-from-config-of-checkpoint": (
        f"  _target_: {HF_CONFIG}\n  config:\n    _target_: transformers.AutoConfig.from_pretrained\n",
        "builds in its config's dtype, here the checkpoint's",
    ),
    "retrieval-encoder": ("  _target_: nemo_automodel.NeMoAutoModelBiEncoder.from_pretrained\n", "checkpoint's dtype"),
    "unknown-builder": ("  _target_: my_project.models.build\n", "decided by `my_project.models.build`"),
}


@pytest.mark.parametrize("pattern", ["te", "fp32"])
@pytest.mark.parametrize("case", list(UNPROVEN))
def test_unproven_storage_is_a_warning_at_the_target_line(case: str, pattern: str) -> None:
    model, why = UNPROVEN[case]
    outcome = check_noop(recipe(model), pattern=pattern)
    assert outcome.status is Status.SKIPPED
    assert outcome.classification is not None and outcome.classification.kind.value == "storage-unproven"
    assert codes(outcome) == ["MIG115"]
    (located,) = outcome.findings
    assert (located.line, located.column) == (2, 3)
    assert why in located.finding.message and "migrator verify" in located.finding.message


def test_unproven_storage_raises_nothing_else_not_even_an_error() -> None:
    source = recipe(f"  _target_: {HF_PRETRAINED}\n") + "  amsgrad: true\n" + FSDP2
    outcome = check_noop(source, pattern="te")
    assert outcome.status is Status.SKIPPED and codes(outcome) == ["MIG115"]


def test_suppressed_warning_keeps_the_file_quietly() -> None:
    source = (
        f"model:\n  _target_: {HF_PRETRAINED}  # migrator: ignore[MIG115]\noptimizer:\n  _target_: torch.optim.AdamW\n"
    )
    outcome = check_noop(source, pattern="fp32")
    assert codes(outcome) == [] and [s.finding.code for s in outcome.suppressed] == ["MIG115"]


@pytest.mark.parametrize(
    ("pattern", "after"),
    [
        (
            "fp32",
            f"model:\n  _target_: {HF_PRETRAINED}\n  dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n",
        ),
        (
            "te",
            f"model:\n  _target_: {HF_PRETRAINED}\n  dtype: bfloat16\noptimizer:\n"
            "  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam\n  adam_w_mode: true\n"
            "  bias_correction: true\n  master_weights: true\n  store_param_remainders: true\n"
            "  exp_avg_dtype: torch.float32\n  exp_avg_sq_dtype: torch.float32\n  weight_decay: 0.01\n",
        ),
    ],
)
def test_assume_bf16_storage_migrates_it_as_risky(pattern: str, after: str) -> None:
    before = f"model:\n  _target_: {HF_PRETRAINED}\noptimizer:\n  _target_: torch.optim.AdamW\n"
    outcome = check_transformed(before, after, pattern=pattern, assume_bf16_storage=True)
    assert codes(outcome)[0] == "MIG001" and "assumed bf16" in outcome.findings[0].finding.message


def test_written_dtype_on_hugging_face_is_proven() -> None:
    outcome = run(recipe(f"  _target_: {HF_PRETRAINED}\n  dtype: bfloat16\n"), pattern="fp32")
    assert outcome.status is Status.MIGRATED and codes(outcome) == ["MIG001", "MIG104"]


def test_te_needs_no_proof() -> None:
    source = recipe(f"  _target_: {HF_PRETRAINED}\n", "transformer_engine.pytorch.optimizers.FusedAdam")
    outcome = check_noop(source + "  master_weights: true\n", pattern="te")
    assert outcome.classification is not None and outcome.classification.kind.value == "on-pattern"


BUILT_CONFIG = f"  _target_: {HF_CONFIG}\n  config:\n    _target_: transformers.LlamaConfig\n    num_hidden_layers: 2\n"


@pytest.mark.parametrize("pattern", ["te", "fp32"])
@pytest.mark.parametrize(
    "model", [f"  _target_: {GPT2}\n  n_layer: 2\n", BUILT_CONFIG], ids=["gpt2", "hf-built-config"]
)
def test_fp32_builders_are_on_pattern_fp32_only_the_policy_is_added(model: str, pattern: str) -> None:
    before = recipe(model) + FSDP2
    outcome = run(before, pattern=pattern)
    assert outcome.status is Status.MIGRATED and codes(outcome) == ["MIG005"]
    assert outcome.new_text is not None and "torch_dtype" not in outcome.new_text


def test_gpt2_ignores_a_written_dtype() -> None:
    outcome = run(recipe(f"  _target_: {GPT2}\n  torch_dtype: bfloat16\n"), pattern="fp32")
    assert outcome.classification is not None and outcome.classification.pattern == "fp32"
    assert "MIG001" not in codes(outcome)


def test_gpt2_convert_never_writes_a_dtype() -> None:
    te = recipe(f"  _target_: {GPT2}\n", "transformer_engine.pytorch.optimizers.fused_adam.FusedAdam")
    outcome = run(te + "  master_weights: true\n", pattern="fp32", convert=True)
    assert outcome.status is Status.MIGRATED and "MIG006" in codes(outcome)
    assert outcome.new_text is not None and "torch_dtype" not in outcome.new_text
    outcome = run(recipe(f"  _target_: {GPT2}\n"), pattern="te", convert=True)
    assert outcome.status is Status.MIGRATED and "MIG006" in codes(outcome)
    assert outcome.new_text is not None and "torch_dtype" not in outcome.new_text


def test_hf_from_config_converts_to_te_with_bf16_written() -> None:
    outcome = run(recipe(BUILT_CONFIG), pattern="te", convert=True)
    assert "MIG006" in codes(outcome) and "MIG001" not in codes(outcome)
    assert outcome.new_text is not None and "\n  dtype: bfloat16\n" in outcome.new_text  # transformers 5's keyword


def test_hf_from_config_takes_the_config_dtype() -> None:
    model = f"  _target_: {HF_CONFIG}\n  config:\n    _target_: transformers.LlamaConfig\n    dtype: bfloat16\n"
    outcome = run(recipe(model), pattern="fp32")
    assert codes(outcome)[0] == "MIG001" and "model.config dtype: bfloat16" in outcome.findings[0].finding.message
    assert outcome.new_text is not None and "\n  dtype: float32\n" in outcome.new_text
