"""MIG106 optimizer-not-linked (Python only): optimizer and model loading are not both visible; nothing changed."""

from __future__ import annotations

import pytest

from migrator.core.outcome import Status
from tests.rules.cases import AUTOMODEL_IMPORT, FP32, PYTHON, TE, check

NOT_LOADED_HERE = "AdamW: its parameters do not come from a model loaded here (from_pretrained/from_config)"
SHARD_HEAD = "import torch\nfrom torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard\n"
ADAMW = "    opt = torch.optim.AdamW(model.parameters())\n"


@pytest.mark.parametrize(
    ("source", "part", "line"),
    [
        pytest.param(
            "import torch\ndef f(params):\n    model = M.from_pretrained(p)\n    opt = torch.optim.AdamW(params)\n",
            NOT_LOADED_HERE,
            4,
            id="parameters-from-an-argument",
        ),
        pytest.param(
            SHARD_HEAD
            + "def f():\n    model = torch.nn.Linear(2, 2)\n    fully_shard(model)\n"
            + ADAMW
            + "    ref = M.from_pretrained(p)\n",
            NOT_LOADED_HERE,
            6,
            id="model-not-loaded-here",
        ),
        pytest.param(
            SHARD_HEAD
            + "def f():\n    model = M.from_pretrained(p, torch_dtype=torch.float32)\n    fully_shard(model)\n",
            "model sharded here but its optimizer is built elsewhere: storage dtype and mp_policy left as they are",
            5,
            id="sharded-but-optimizer-built-elsewhere",
        ),
    ],
)
def test_reported_and_left_unchanged(source: str, part: str, line: int) -> None:
    outcome = check(PYTHON, source, None, [("MIG106", part)], pattern=FP32.name)
    assert outcome.findings[0].line == line


def test_linked_optimizer_is_migrated_instead() -> None:
    # The control: the same optimizer over the loaded model's parameters is decided (MIG001); the model is
    # AutoModel's, whose unset dtype is bf16 (an unknown loader's would prove nothing: MIG115).
    head = "import torch\n" + AUTOMODEL_IMPORT + "def f():\n"
    before = head + "    model = NeMoAutoModelForCausalLM.from_pretrained(p)\n" + ADAMW
    after = (
        head
        + f"    model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.{FP32.storage_dtype})\n"
        + ADAMW
    )
    check(PYTHON, before, after, [("MIG001", f"moved to pattern `{FP32.name}`")], pattern=FP32.name)


def test_a_linear_layer_test_is_not_reported() -> None:
    # No model is loaded anywhere: a unit test of a torch module is not a training script.
    source = "import torch\nlinear = torch.nn.Linear(2, 2)\nopt = torch.optim.AdamW(linear.parameters())\n"
    check(PYTHON, source, None, [], Status.NOT_RECIPE, pattern=TE.name)
