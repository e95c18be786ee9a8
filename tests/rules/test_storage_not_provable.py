"""MIG115 and the builder table: the storage dtype follows `model._target_` (core/builders.py); in Python, the
loading call (an unproven loader is reported, never assumed bf16)."""

from __future__ import annotations

import pytest

from migrator.core.findings import Level
from migrator.core.outcome import Outcome, Status
from tests.rules import cases
from tests.rules.cases import FP32, PYTHON, TE
from tests.tools import check_noop, check_transformed, run, sorted_codes

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
def test_kd_unset_storage_depends_on_the_automodel_version(pattern: str) -> None:
    source = "recipe: KnowledgeDistillationRecipeForNextTokenPrediction\n" + recipe(
        "  pretrained_model_name_or_path: x\n"
    )
    outcome = check_noop(source, pattern=pattern)
    assert outcome.status is Status.SKIPPED and sorted_codes(outcome) == ["MIG115"]
    assert "bf16 on the released nemo-automodel 0.7.0" in outcome.findings[0].finding.message


@pytest.mark.parametrize("pattern", ["te", "fp32"])
@pytest.mark.parametrize("case", list(UNPROVEN))
def test_unproven_storage_is_a_warning_at_the_target_line(case: str, pattern: str) -> None:
    model, why = UNPROVEN[case]
    outcome = check_noop(recipe(model), pattern=pattern)
    assert outcome.status is Status.SKIPPED
    assert outcome.classification is not None and outcome.classification.kind.value == "storage-unproven"
    assert sorted_codes(outcome) == ["MIG115"]
    (located,) = outcome.findings
    assert (located.line, located.column) == (2, 3)
    assert why in located.finding.message and "migrator verify" in located.finding.message


def test_unproven_storage_raises_nothing_else_not_even_an_error() -> None:
    source = recipe(f"  _target_: {HF_PRETRAINED}\n") + "  amsgrad: true\n" + FSDP2
    outcome = check_noop(source, pattern="te")
    assert outcome.status is Status.SKIPPED and sorted_codes(outcome) == ["MIG115"]


def test_suppressed_warning_keeps_the_file_quietly() -> None:
    source = (
        f"model:\n  _target_: {HF_PRETRAINED}  # migrator: ignore[MIG115]\noptimizer:\n  _target_: torch.optim.AdamW\n"
    )
    outcome = check_noop(source, pattern="fp32")
    assert sorted_codes(outcome) == [] and [s.finding.code for s in outcome.suppressed] == ["MIG115"]


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
    assert "MIG001" in sorted_codes(outcome) and "assumed bf16" in _message(outcome, "MIG001")


def test_written_dtype_on_hugging_face_is_proven() -> None:
    outcome = run(recipe(f"  _target_: {HF_PRETRAINED}\n  dtype: bfloat16\n"), pattern="fp32")
    assert outcome.status is Status.MIGRATED and sorted_codes(outcome) == ["MIG001", "MIG104"]


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
    assert outcome.status is Status.MIGRATED and sorted_codes(outcome) == ["MIG005"]
    assert outcome.new_text is not None and "torch_dtype" not in outcome.new_text


def test_gpt2_ignores_a_written_dtype() -> None:
    outcome = run(recipe(f"  _target_: {GPT2}\n  torch_dtype: bfloat16\n"), pattern="fp32")
    assert outcome.classification is not None and outcome.classification.pattern == "fp32"
    assert "MIG001" not in sorted_codes(outcome)


def test_gpt2_convert_never_writes_a_dtype() -> None:
    te = recipe(f"  _target_: {GPT2}\n", "transformer_engine.pytorch.optimizers.fused_adam.FusedAdam")
    outcome = run(te + "  master_weights: true\n", pattern="fp32", convert=True)
    assert outcome.status is Status.MIGRATED and "MIG006" in sorted_codes(outcome)
    assert outcome.new_text is not None and "torch_dtype" not in outcome.new_text
    outcome = run(recipe(f"  _target_: {GPT2}\n"), pattern="te", convert=True)
    assert outcome.status is Status.MIGRATED and "MIG006" in sorted_codes(outcome)
    assert outcome.new_text is not None and "torch_dtype" not in outcome.new_text


def test_hf_from_config_converts_to_te_with_bf16_written() -> None:
    outcome = run(recipe(BUILT_CONFIG), pattern="te", convert=True)
    assert "MIG006" in sorted_codes(outcome) and "MIG001" not in sorted_codes(outcome)
    assert outcome.new_text is not None and "\n  dtype: bfloat16\n" in outcome.new_text  # transformers 5's keyword


def test_hf_from_config_takes_the_config_dtype() -> None:
    model = f"  _target_: {HF_CONFIG}\n  config:\n    _target_: transformers.LlamaConfig\n    dtype: bfloat16\n"
    outcome = run(recipe(model), pattern="fp32")
    assert "MIG001" in sorted_codes(outcome) and "model.config dtype: bfloat16" in _message(outcome, "MIG001")
    assert outcome.new_text is not None and "\n  dtype: float32\n" in outcome.new_text


# -- Python: the same rule, raised by the Python front end (it never assumes bf16 storage) -----------------
PY_HF = "import torch\nfrom transformers import AutoModelForCausalLM\n"
PY_TRAIN = "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)\n"
NOT_PROVEN = "not proven bf16, not migrated"

PY_UNPROVEN = {
    "hf-from-pretrained": (
        PY_HF + "model = AutoModelForCausalLM.from_pretrained(path)\n" + PY_TRAIN,
        f"Hugging Face AutoModelForCausalLM.from_pretrained without a dtype loads the checkpoint's dtype: {NOT_PROVEN}",
        3,
    ),
    "unknown-loader": (
        "import torch\nmodel = M.from_pretrained(p)\n" + PY_TRAIN,
        f"the storage dtype is decided by `M.from_pretrained`: {NOT_PROVEN}",
        2,
    ),
    "a-mock-from-pretrained": (
        "import torch\nclass Mock:\n    @classmethod\n    def from_pretrained(cls, model_id, dtype=None):\n"
        "        return cls()\nmodel = Mock.from_pretrained('x')\n" + PY_TRAIN,
        f"the storage dtype is decided by `Mock.from_pretrained`: {NOT_PROVEN}",
        6,
    ),
    "dtype-the-builder-ignores": (
        "import torch\nfrom diffusers import UNet2DConditionModel\n"
        "model = UNet2DConditionModel.from_config(cfg, torch_dtype=torch.bfloat16)\n" + PY_TRAIN,
        "diffusers UNet2DConditionModel.from_config (ignores torch_dtype): the dtype written there has no effect; "
        "not migrated",
        3,
    ),
    "optimizer-class-held-in-a-variable": (
        PY_HF
        + "model = AutoModelForCausalLM.from_pretrained(p)\n"
        + "optimizer_class = bnb.optim.AdamW8bit if args.use_8bit_adam else torch.optim.AdamW\n"
        + "optimizer = optimizer_class(model.parameters(), lr=1e-5)\n",
        f"Hugging Face AutoModelForCausalLM.from_pretrained without a dtype loads the checkpoint's dtype: {NOT_PROVEN}",
        3,
    ),
}


@pytest.mark.parametrize("pattern", [TE.name, FP32.name])
@pytest.mark.parametrize("case", list(PY_UNPROVEN))
def test_python_unproven_storage_is_reported_at_the_loading_call(case: str, pattern: str) -> None:
    source, why, line = PY_UNPROVEN[case]
    outcome = cases.check(PYTHON, source, None, [("MIG115", why)], pattern=pattern)
    (located,) = outcome.findings
    assert located.line == line and located.level is Level.WARNING


def test_python_unproven_storage_is_not_assumed_bf16() -> None:
    # --assume-bf16-storage is for recipes: the Python front end edits only what it proves.
    source, why, _ = PY_UNPROVEN["hf-from-pretrained"]
    cases.check(PYTHON, source, None, [("MIG115", why)], pattern=FP32.name, assume_bf16_storage=True)


@pytest.mark.parametrize(
    ("loading", "proven"),
    [
        pytest.param(
            "model = AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.bfloat16)\n",
            f"model = AutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.{FP32.storage_dtype})\n",
            id="written-bf16-dtype",
        ),
        pytest.param(
            "model = AutoModelForCausalLM.from_pretrained(path).to(torch.bfloat16)\n",
            f"model = AutoModelForCausalLM.from_pretrained(path).to(torch.{FP32.storage_dtype})\n",
            id="bf16-cast",
        ),
    ],
)
def test_python_proven_storage_is_migrated_instead(loading: str, proven: str) -> None:
    # The control for `hf-from-pretrained`: the same loader with bf16 proven in the file is decided (MIG001).
    cases.check(
        PYTHON,
        PY_HF + loading + PY_TRAIN,
        PY_HF + proven + PY_TRAIN,
        [("MIG001", f"moved to pattern `{FP32.name}`")],
        pattern=FP32.name,
    )


def test_python_automodel_loader_without_dtype_is_proven() -> None:
    source = (
        "import torch\n" + cases.AUTOMODEL_IMPORT + "model = NeMoAutoModelForCausalLM.from_pretrained(p)\n" + PY_TRAIN
    )
    after = source.replace("from_pretrained(p)", f"from_pretrained(p, torch_dtype=torch.{FP32.storage_dtype})")
    cases.check(PYTHON, source, after, [("MIG001", "(model.torch_dtype: unset)")], pattern=FP32.name)


def test_python_a_config_dtype_proves_nothing_for_a_builder_that_ignores_it() -> None:
    # diffusers' from_config drops a dtype, from its config too: only a cast would set the storage.
    source = (
        "import torch\nfrom diffusers import UNet2DConditionModel\nfrom transformers import AutoConfig\n"
        "def f(p):\n    config = AutoConfig.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        "    unet = UNet2DConditionModel.from_config(config)\n    opt = torch.optim.AdamW(unet.parameters())\n"
    )
    for pattern in (TE.name, FP32.name):
        cases.check(PYTHON, source, None, [("MIG115", "the dtype written there has no effect")], pattern=pattern)


def _message(outcome: Outcome, code: str) -> str:
    return next(located.finding.message for located in outcome.findings if located.finding.code == code)
