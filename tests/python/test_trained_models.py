"""Optimizers over a loaded model: MIG001-MIG004 through the Python front end (pattern te and fp32)."""

from __future__ import annotations

import pytest

from migrator.core.outcome import Status
from tests.python.tools import check_noop, check_transformed, codes, run

LOAD = "model = NeMoAutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.bfloat16)\n"
TE_ARGS = "adam_w_mode=True, bias_correction=True, master_weights=True, store_param_remainders=True, exp_avg_dtype=torch.float32, exp_avg_sq_dtype=torch.float32"
TE_IMPORT = "from transformer_engine.pytorch.optimizers.fused_adam import FusedAdam\n"  # after the last import
AUTOMODEL = "from nemo_automodel import NeMoAutoModelForCausalLM\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "import torch\n" + LOAD + "opt = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.1)\n",
            "import torch\n"
            + TE_IMPORT
            + LOAD
            + f"opt = FusedAdam(model.parameters(), lr=1e-5, weight_decay=0.1, {TE_ARGS})\n",
            id="torch.optim.AdamW attribute",
        ),
        pytest.param(
            "import torch as th\n"
            + LOAD.replace("torch.", "th.")
            + "opt = th.optim.adamw.AdamW(model.parameters(), weight_decay=0.1)\n",
            "import torch as th\n"
            + TE_IMPORT
            + LOAD.replace("torch.", "th.")
            + f"opt = FusedAdam(model.parameters(), weight_decay=0.1, {TE_ARGS.replace('torch.', 'th.')})\n",
            id="import torch as th, torch.optim.adamw spelling",
        ),
        pytest.param(
            "import torch\nfrom torch.optim import AdamW\n"
            + LOAD
            + "opt = AdamW(model.parameters(), weight_decay=0.1)\n",
            "import torch\n" + TE_IMPORT + LOAD + f"opt = FusedAdam(model.parameters(), weight_decay=0.1, {TE_ARGS})\n",
            id="from torch.optim import AdamW, import removed",
        ),
        pytest.param(
            "import torch\nfrom torch import optim\n"
            + LOAD
            + "opt = optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\n",
            "import torch\n"
            + TE_IMPORT
            + LOAD
            + f"opt = FusedAdam(model.parameters(), lr=1e-3, weight_decay=0.01, {TE_ARGS.replace('adam_w_mode=True', 'adam_w_mode=False')})\n",
            id="Adam with weight decay is L2: adam_w_mode False",
        ),
        pytest.param(
            "import torch\n" + LOAD + "opt = torch.optim.AdamW(model.parameters())\n",
            "import torch\n"
            + TE_IMPORT
            + LOAD
            + f"opt = FusedAdam(model.parameters(), {TE_ARGS}, weight_decay=0.01)\n",
            id="AdamW implicit weight decay written out",
        ),
        pytest.param(
            "import torch\n"
            + LOAD
            + "opt = torch.optim.AdamW(model.parameters(), weight_decay=0.1, foreach=False, fused=True, amsgrad=False)\n",
            "import torch\n" + TE_IMPORT + LOAD + f"opt = FusedAdam(model.parameters(), weight_decay=0.1, {TE_ARGS})\n",
            id="rejected arguments dropped",
        ),
        pytest.param(
            "import torch\n"
            + AUTOMODEL
            + "model = NeMoAutoModelForCausalLM.from_config(cfg)\nopt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n",
            "import torch\n"
            + AUTOMODEL
            + TE_IMPORT
            + f"model = NeMoAutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16)\nopt = FusedAdam(model.parameters(), weight_decay=0.1, {TE_ARGS})\n",
            id="AutoModel loader: unset dtype written as bfloat16",
        ),
        pytest.param(
            "import torch\n"
            + LOAD
            + "params = list(model.parameters())\nopt = torch.optim.AdamW(params, weight_decay=0.1)\n",
            "import torch\n"
            + TE_IMPORT
            + LOAD
            + f"params = list(model.parameters())\nopt = FusedAdam(params, weight_decay=0.1, {TE_ARGS})\n",
            id="parameters through a variable",
        ),
    ],
)
def test_te(before: str, after: str) -> None:
    check_transformed(before, after, pattern="te")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "import torch\n" + LOAD + "opt = torch.optim.AdamW(model.parameters())\n",
            "import torch\n" + LOAD.replace("bfloat16", "float32") + "opt = torch.optim.AdamW(model.parameters())\n",
            id="torch dtype attribute",
        ),
        pytest.param(
            'import torch\nmodel = M.from_pretrained(p, dtype="bfloat16").to("cuda")\nopt = torch.optim.Adam(model.parameters())\n',
            'import torch\nmodel = M.from_pretrained(p, dtype="float32").to("cuda")\nopt = torch.optim.Adam(model.parameters())\n',
            id="dtype keyword, string kept a string, .to(device) chained",
        ),
        pytest.param(
            "import torch\nfrom torch import bfloat16\nmodel = M.from_pretrained(p, torch_dtype=bfloat16)\nopt = torch.optim.AdamW(model.parameters())\n",
            "import torch\nmodel = M.from_pretrained(p, torch_dtype=torch.float32)\nopt = torch.optim.AdamW(model.parameters())\n",
            id="from torch import bfloat16, import removed",
        ),
        pytest.param(
            "from torch.optim import AdamW\n"
            + AUTOMODEL
            + "model = NeMoAutoModelForCausalLM.from_config(c, torch_dtype=None)\nopt = AdamW(model.parameters())\n",
            "from torch.optim import AdamW\n"
            + AUTOMODEL
            + "import torch\nmodel = NeMoAutoModelForCausalLM.from_config(c, torch_dtype=torch.float32)\nopt = AdamW(model.parameters())\n",
            id="None is bf16 for AutoModel; import torch added",
        ),
        pytest.param(
            "import torch\n" + LOAD + "model = model.to(torch.bfloat16)\nopt = torch.optim.AdamW(model.parameters())\n",
            "import torch\n" + LOAD + "model = model.to(torch.float32)\nopt = torch.optim.AdamW(model.parameters())\n",
            id="reassigned through a cast: the cast sets the storage",
        ),
        pytest.param(
            "import torch\nmodel = M.from_pretrained(p).to(torch.bfloat16)\nopt = torch.optim.AdamW(model.parameters())\n",
            "import torch\nmodel = M.from_pretrained(p).to(torch.float32)\nopt = torch.optim.AdamW(model.parameters())\n",
            id="cast after loading",
        ),
        pytest.param(
            "import torch\nmodel = M.from_pretrained(p)\nmodel.bfloat16()\nopt = torch.optim.AdamW(model.parameters())\n",
            "import torch\nmodel = M.from_pretrained(p)\nmodel.float()\nopt = torch.optim.AdamW(model.parameters())\n",
            id="bare .bfloat16() statement",
        ),
    ],
)
def test_fp32(before: str, after: str) -> None:
    check_transformed(before, after, pattern="fp32")


@pytest.mark.parametrize(
    ("source", "pattern"),
    [
        pytest.param("import torch\n" + LOAD + "model.eval()\n", "te", id="inference only"),
        pytest.param(
            "import torch\n" + LOAD + "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
            "fp32",
            id="SGD is not the Adam family",
        ),
        pytest.param(
            "import torch\n" + LOAD.replace("bfloat16", "float32") + "opt = torch.optim.AdamW(model.parameters())\n",
            "fp32",
            id="already fp32",
        ),
        pytest.param(
            "import torch\n" + LOAD.replace("bfloat16", "float32") + "opt = torch.optim.AdamW(model.parameters())\n",
            "te",
            id="on pattern fp32 without --convert",
        ),
        pytest.param(
            "import torch\nlinear = torch.nn.Linear(2, 2)\nopt = torch.optim.AdamW(linear.parameters())\n",
            "te",
            id="model not loaded here",
        ),
        pytest.param(
            "import torch\n" + LOAD + "draft = Draft(model.config)\nopt = torch.optim.AdamW(draft.parameters())\n",
            "te",
            id="a new model built from the loaded one's config",
        ),
        pytest.param(
            "import torch\nmodel = AutoModelForCausalLM.from_config(cfg)\nopt = torch.optim.AdamW(model.parameters())\n",
            "te",
            id="unknown builder, unset dtype: not proven",
        ),
        pytest.param(
            "import torch\nmodel = M.from_config(c, torch_dtype=None)\nopt = torch.optim.AdamW(model.parameters())\n",
            "fp32",
            id="None means the builder's default: not proven",
        ),
    ],
)
def test_noop(source: str, pattern: str) -> None:
    check_noop(source, pattern=pattern)


def test_amsgrad_true_fails_the_file() -> None:
    outcome = run("import torch\n" + LOAD + "opt = torch.optim.AdamW(model.parameters(), amsgrad=True)\n", pattern="te")
    assert outcome.status is Status.FAILED and outcome.new_text is None
    assert outcome.problem is not None and outcome.problem.message.startswith("MIG101") and outcome.problem.line == 3


def test_incomplete_fused_adam_completed_whatever_the_pattern() -> None:
    before = (
        "import torch\nfrom transformer_engine.pytorch.optimizers.fused_adam import FusedAdam\n"
        + LOAD
        + "opt = FusedAdam(model.parameters(), master_weights=False)\n"
    )
    after = before.replace(
        "master_weights=False)",
        "master_weights=True, bias_correction=True, store_param_remainders=True, exp_avg_dtype=torch.float32, exp_avg_sq_dtype=torch.float32)",
    )
    assert codes(check_transformed(before, after, pattern="fp32")) == ["MIG004"]


def test_convert_te_to_fp32() -> None:
    before = (
        "import torch\nfrom transformer_engine.pytorch.optimizers import FusedAdam\n"
        + LOAD
        + f"opt = FusedAdam(model.parameters(), weight_decay=0.1, {TE_ARGS})\n"
    )
    after = (
        "import torch\n"
        + LOAD.replace("bfloat16", "float32")
        + "opt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n"
    )
    check_transformed(before, after, pattern="fp32", convert=True)


def test_syntax_error_reported_with_line() -> None:
    outcome = run("import torch\ndef broken(:\n    torch.optim.AdamW(M.from_pretrained(p).parameters())\n")
    assert outcome.status is Status.FAILED and outcome.problem is not None and outcome.problem.line == 2


def test_comments_and_layout_of_kept_arguments_survive() -> None:
    before = """\
        import torch
        model = M.from_pretrained(p, torch_dtype=torch.bfloat16)
        opt = torch.optim.AdamW(
            model.parameters(),
            # learning rate from the sweep
            lr=1e-5,  # keep
            foreach=False,  # TE rejects it
            weight_decay=0.1
        )
        """
    after = """\
        import torch
        from transformer_engine.pytorch.optimizers.fused_adam import FusedAdam
        model = M.from_pretrained(p, torch_dtype=torch.bfloat16)
        opt = FusedAdam(
            model.parameters(),
            # learning rate from the sweep
            lr=1e-5,  # keep
            weight_decay=0.1,
            adam_w_mode=True,
            bias_correction=True,
            master_weights=True,
            store_param_remainders=True,
            exp_avg_dtype=torch.float32,
            exp_avg_sq_dtype=torch.float32
        )
        """
    check_transformed(before, after, pattern="te")
