"""Proof before edit: storage must be shown bf16 and training shown to reach a torch Adam that nothing else manages.

Each case is one class of wrong edit found on real repositories (issue 12); each is left unchanged with the
finding that says why. The cases of one rule live in its rule test in tests/rules/ (MIG111 managers, MIG112
dtypes chosen by code, MIG113 test code, MIG115 unproven storage).
"""

from __future__ import annotations

import pytest

from migrator.core.outcome import Status
from tests.python.tools import check_noop, check_transformed, codes, run

HF = "import torch\nfrom transformers import AutoModelForCausalLM\n"
AUTOMODEL = "import torch\nfrom nemo_automodel import NeMoAutoModelForCausalLM\n"
TRAIN = "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)\n"


@pytest.mark.parametrize("pattern", ["te", "fp32"])
@pytest.mark.parametrize(
    ("source", "code"),
    [
        pytest.param(
            "import torch\nfrom diffusers import UNet2DConditionModel\nunet = UNet2DConditionModel.from_config(cfg)\n"
            "optimizer = torch.optim.AdamW(unet.parameters())\n",
            None,
            id="HF from_config without dtype is fp32",
        ),
        pytest.param(
            AUTOMODEL
            + "model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            + "optimizer = torch.optim.AdamW(model.parameters())\n"
            + "model = NeMoAutoModelForCausalLM.from_pretrained(out, torch_dtype=torch.float32)\n"
            + "model.eval()\n",
            "MIG001",
            id="a reload after training is not what the optimizer trains",
        ),
    ],
)
def test_not_edited_without_proof(source: str, code: str | None, pattern: str) -> None:
    outcome = run(source, pattern=pattern)
    if code == "MIG001":  # the trained (first) model is migrated; the reload below is not touched
        assert outcome.status is Status.MIGRATED and outcome.new_text is not None
        assert outcome.new_text.endswith(
            "model = NeMoAutoModelForCausalLM.from_pretrained(out, torch_dtype=torch.float32)\nmodel.eval()\n"
        )
        return
    outcome = check_noop(source, pattern=pattern)
    if code is not None:
        assert code in codes(outcome), outcome.findings


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            HF + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n" + TRAIN,
            HF + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.float32)\n" + TRAIN,
            id="explicit bf16 load",
        ),
        pytest.param(
            HF + "model = AutoModelForCausalLM.from_pretrained(p)\nmodel.to(torch.bfloat16)\n" + TRAIN,
            HF + "model = AutoModelForCausalLM.from_pretrained(p)\nmodel.to(torch.float32)\n" + TRAIN,
            id="bare .to(torch.bfloat16) statement",
        ),
        pytest.param(
            HF
            + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            + 'no_decay = ["bias", "LayerNorm.weight"]\n'
            + "groups = [\n"
            + '    {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},\n'
            + '    {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},\n'
            + "]\n"
            + "optimizer = torch.optim.AdamW(groups, lr=1e-5)\n",
            HF
            + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.float32)\n"
            + 'no_decay = ["bias", "LayerNorm.weight"]\n'
            + "groups = [\n"
            + '    {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)], "weight_decay": 0.01},\n'
            + '    {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)], "weight_decay": 0.0},\n'
            + "]\n"
            + "optimizer = torch.optim.AdamW(groups, lr=1e-5)\n",
            id="grouped parameters",
        ),
        pytest.param(
            HF
            + "def grouped(model):\n    return [{'params': list(model.parameters())}]\n"
            + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            + "optimizer = torch.optim.AdamW(grouped(model), lr=1e-5)\n",
            HF
            + "def grouped(model):\n    return [{'params': list(model.parameters())}]\n"
            + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.float32)\n"
            + "optimizer = torch.optim.AdamW(grouped(model), lr=1e-5)\n",
            id="a helper of this module taking the model",
        ),
        pytest.param(
            HF + "model = AutoModelForCausalLM.from_pretrained(p).to('cuda', dtype=torch.bfloat16)\n" + TRAIN,
            HF + "model = AutoModelForCausalLM.from_pretrained(p).to('cuda', dtype=torch.float32)\n" + TRAIN,
            id=".to(device, dtype=...) chained",
        ),
        pytest.param(
            HF
            + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            + "def train():\n    return torch.optim.AdamW(model.parameters())\n",
            HF
            + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.float32)\n"
            + "def train():\n    return torch.optim.AdamW(model.parameters())\n",
            id="a global model trained in a function",
        ),
        pytest.param(
            HF
            + "config = AutoConfig.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
            + "model = AutoModelForCausalLM.from_config(config)\n"
            + TRAIN,
            HF
            + "config = AutoConfig.from_pretrained(p, torch_dtype=torch.float32)\n"
            + "model = AutoModelForCausalLM.from_config(config)\n"
            + TRAIN,
            id="built from a bf16 config",
        ),
    ],
)
def test_proven_bf16_training_still_migrates(before: str, after: str) -> None:
    check_transformed(before, after, pattern="fp32")


def test_a_parameter_shadows_a_global_model() -> None:
    source = (
        HF
        + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        + "def build(model):\n    return torch.optim.AdamW(model.parameters())\n"
    )
    assert codes(check_noop(source, pattern="fp32")) == ["MIG106"]


def test_an_optimizer_class_held_in_a_variable_is_reported_after_the_storage_proof() -> None:
    held = "optimizer_class = bnb.optim.AdamW8bit if args.use_8bit_adam else torch.optim.AdamW\n"
    train = "optimizer = optimizer_class(model.parameters(), lr=1e-5)\n"
    proven = HF + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n" + held + train
    assert codes(check_noop(proven, pattern="te")) == ["MIG107"]
    unproven = HF + "model = AutoModelForCausalLM.from_pretrained(p)\n" + held + train
    assert codes(check_noop(unproven, pattern="te")) == ["MIG115"]


def test_fp16_cast_is_outside_both_patterns() -> None:
    check_noop(HF + "model = AutoModelForCausalLM.from_pretrained(p)\nmodel.half()\n" + TRAIN, pattern="fp32")


def test_tensor_parallel_load_under_te_is_a_warning_like_mig102() -> None:
    source = (
        HF + 'model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16, tp_plan="auto")\n' + TRAIN
    )
    assert codes(check_noop(source, pattern="te")) == ["MIG102"]
    assert run(source, pattern="te", force=True).status is Status.MIGRATED
    assert run(source, pattern="fp32").status is Status.MIGRATED


def test_dtensor_tensor_parallel_under_te_is_a_warning_like_mig102() -> None:
    source = (
        HF
        + "from torch.distributed.tensor.parallel import ColwiseParallel, parallelize_module\n"
        + "model = AutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        + 'parallelize_module(model, mesh, {"lm_head": ColwiseParallel()})\n'
        + TRAIN
    )
    outcome = check_noop(source, pattern="te")
    assert [(f.finding.code, f.line) for f in outcome.findings] == [("MIG102", 5)]


def test_each_finding_once() -> None:
    source = (
        HF
        + "model = AutoModelForCausalLM.from_pretrained(path)\n"
        + "optimizer = torch.optim.AdamW(list(model.parameters()) + list(model.parameters()))\n"
    )
    findings = [(f.finding.code, f.line, f.column) for f in check_noop(source).findings]
    assert len(findings) == len(set(findings)) == 1


def test_kd_config_dict_without_recipe_keeps_its_fp32_default() -> None:
    source = 'cfg = {"model": {}, "teacher_model": {}, "optimizer": {"_target_": "torch.optim.AdamW", "lr": 0.01}}\n'
    check_noop(source, pattern="te")
    check_noop(source, pattern="fp32")
