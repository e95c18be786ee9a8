"""MIG111 precision-managed-elsewhere (Python only): DeepSpeed, accelerate, PEFT or a quantized load owns the
precision of a model a torch Adam trains; optimizer and storage dtype are left as they are."""

from __future__ import annotations

import pytest

from tests.rules.cases import AUTOMODEL_IMPORT, FP32, PYTHON, TE, check, te_arguments

LEFT = "optimizer and storage dtype left as they are"
HEAD = "import torch\n" + AUTOMODEL_IMPORT
# Proven bf16 storage (an AutoModel loader, dtype unset): without a manager, this is migrated (MIG001).
LOAD = "model = NeMoAutoModelForCausalLM.from_pretrained(p)\n"
TRAIN = "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5)\n"

MANAGED = {
    "deepspeed-initialize": (
        HEAD
        + "import deepspeed\n"
        + LOAD
        + TRAIN
        + "engine, *_ = deepspeed.initialize(model=model, optimizer=optimizer)\n",
        "DeepSpeed (`deepspeed.initialize`, line 6)",
        5,
    ),
    "accelerate-deepspeed-plugin": (
        HEAD
        + "from accelerate import Accelerator\nfrom accelerate.utils import DeepSpeedPlugin\n"
        + "accelerator = Accelerator(deepspeed_plugin=DeepSpeedPlugin(zero_stage=2))\n"
        + LOAD
        + TRAIN,
        "accelerate's DeepSpeed plugin (line 5)",
        7,
    ),
    "peft-adapters": (
        HEAD
        + "from peft import LoraConfig, get_peft_model\n"
        + LOAD
        + "model = get_peft_model(model, LoraConfig(r=8))\n"
        + TRAIN,
        "PEFT adapters (pass --include-peft to migrate anyway) (`peft.get_peft_model`, line 5)",
        6,
    ),
    "deepspeed-inside-a-function": (
        HEAD
        + "import deepspeed\ndef train(p):\n    "
        + LOAD
        + "    "
        + TRAIN
        + "    return deepspeed.initialize(model=model, optimizer=optimizer)\n",
        "DeepSpeed (`deepspeed.initialize`, line 7)",
        6,
    ),
    "int8-quantized-load": (
        HEAD + "model = NeMoAutoModelForCausalLM.from_pretrained(p, load_in_8bit=True)\n" + TRAIN,
        "quantized load (`load_in_8bit`, line 3)",
        4,
    ),
}


@pytest.mark.parametrize("pattern", [TE.name, FP32.name])
@pytest.mark.parametrize("case", list(MANAGED))
def test_reported_and_left_unchanged(case: str, pattern: str) -> None:
    source, owner, line = MANAGED[case]
    outcome = check(PYTHON, source, None, [("MIG111", f"{owner}: {LEFT}")], pattern=pattern)
    assert outcome.findings[0].line == line


def test_unmanaged_training_is_migrated_instead() -> None:
    # The control: the same model and optimizer with nothing else owning the precision.
    check(
        PYTHON,
        HEAD + LOAD + TRAIN,
        HEAD
        + "from transformer_engine.pytorch.optimizers.fused_adam import FusedAdam\n"
        + "model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        + f"optimizer = FusedAdam(model.parameters(), lr=1e-5, {te_arguments()}, weight_decay=0.01)\n",
        [("MIG001", f"moved to pattern `{TE.name}`"), ("MIG002", "written out as 0.01")],
        pattern=TE.name,
    )


def test_peft_is_migrated_when_asked() -> None:
    source = HEAD + "from peft import get_peft_model\n" + LOAD + "model = get_peft_model(model, cfg)\n" + TRAIN
    after = (
        HEAD
        + "from peft import get_peft_model\n"
        + f"model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.{FP32.storage_dtype})\n"
        + "model = get_peft_model(model, cfg)\n"
        + TRAIN
    )
    check(PYTHON, source, None, [("MIG111", "PEFT adapters")], pattern=FP32.name)
    check(PYTHON, source, after, [("MIG001", f"moved to pattern `{FP32.name}`")], pattern=FP32.name, include_peft=True)
