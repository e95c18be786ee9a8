"""MIG001 torch-adam-bf16-state: torch Adam/AdamW over bf16 storage moved to the chosen pattern."""

from __future__ import annotations

from textwrap import dedent

import pytest

from migrator.core.outcome import Status
from tests.rules.cases import (
    AUTOMODEL_IMPORT,
    FP32,
    PYTHON,
    TE,
    TE_IMPORT,
    TE_TARGET,
    YAML,
    FrontEnd,
    check,
    python_literal,
    te_arguments,
    te_settings,
    te_yaml,
)

RISKY = "with bf16 parameters"
TO_FP32 = f"moved to pattern `{FP32.name}`"
TO_TE = f"moved to pattern `{TE.name}`"
NO_DISTRIBUTED = ("MIG104", "no distributed section")

ADAMW = """\
    model:
      torch_dtype: {dtype}
    optimizer:
      _target_: torch.optim.AdamW
      lr: 1.0e-5
      weight_decay: 0.01
"""
PY_LOAD = "model = NeMoAutoModelForCausalLM.from_pretrained(path, torch_dtype=torch.{dtype})\n"


@pytest.mark.parametrize(
    ("front", "before", "after", "findings", "pattern"),
    [
        pytest.param(
            YAML,
            ADAMW.format(dtype="bf16"),
            ADAMW.format(dtype=FP32.storage_dtype),
            [("MIG001", "(model.torch_dtype: bf16)"), NO_DISTRIBUTED],
            FP32.name,
            id="yaml-fp32",
        ),
        pytest.param(
            PYTHON,
            "import torch\n" + PY_LOAD.format(dtype="bfloat16") + "opt = torch.optim.AdamW(model.parameters())\n",
            "import torch\n"
            + PY_LOAD.format(dtype=FP32.storage_dtype)
            + "opt = torch.optim.AdamW(model.parameters())\n",
            [("MIG001", TO_FP32)],
            FP32.name,
            id="python-fp32",
        ),
        pytest.param(
            YAML,
            """\
            model:
              torch_dtype: torch.bfloat16
            optimizer:
              _target_: torch.optim.AdamW
              lr: 1e-5  # peak
              weight_decay: 0.01
            """,
            dedent(
                f"""\
                model:
                  torch_dtype: torch.bfloat16
                optimizer:
                  _target_: {TE_TARGET}
                  lr: 1e-5  # peak
                  weight_decay: 0.01
                """
            )
            + te_yaml(),
            [("MIG001", TO_TE), NO_DISTRIBUTED],
            TE.name,
            id="yaml-te-keeps-explicit-bf16-spelling-and-lr-formatting",
        ),
        pytest.param(
            PYTHON,
            "import torch\n"
            + PY_LOAD.format(dtype="bfloat16")
            + "opt = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.1)\n",
            "import torch\n"
            + TE_IMPORT
            + PY_LOAD.format(dtype="bfloat16")
            + f"opt = FusedAdam(model.parameters(), lr=1e-5, weight_decay=0.1, {te_arguments()})\n",
            [("MIG001", TO_TE)],
            TE.name,
            id="python-te",
        ),
        pytest.param(
            PYTHON,
            python_literal(
                {"model": {"torch_dtype": "bf16"}, "optimizer": {"_target_": "torch.optim.AdamW", "weight_decay": 0.1}}
            ).join(["cfg = ", "\n"]),
            python_literal(
                {
                    "model": {"torch_dtype": "bf16"},
                    "optimizer": {"_target_": TE_TARGET, "weight_decay": 0.1, **te_settings()},
                }
            ).join(["cfg = ", "\n"]),
            [NO_DISTRIBUTED, ("MIG001", TO_TE)],
            TE.name,
            id="python-config-dict-te",
        ),
    ],
)
def test_moved_to_the_pattern(front: FrontEnd, before: str, after: str, findings: list, pattern: str) -> None:
    check(front, before, after, findings, pattern=pattern)


@pytest.mark.parametrize("dtype", ["bf16", "bfloat16", "torch.bfloat16", "BF16", "auto", "null", "~"])
def test_fp32_replaces_every_bf16_spelling(dtype: str) -> None:
    findings = [("MIG001", f"(model.torch_dtype: {dtype if dtype not in ('null', '~') else None})"), NO_DISTRIBUTED]
    written = ("torch." if dtype.startswith("torch.") else "") + FP32.storage_dtype  # the file's spelling family
    check(YAML, ADAMW.format(dtype=dtype), ADAMW.format(dtype=written), findings, pattern=FP32.name)


@pytest.mark.parametrize(
    ("front", "before", "after", "findings"),
    [
        pytest.param(
            YAML,
            """\
            model:
              _target_: nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained
              # comment stays last
            optimizer:
              _target_: torch.optim.adam.Adam
            """,
            f"""\
            model:
              _target_: nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained
              torch_dtype: {FP32.storage_dtype}
              # comment stays last
            optimizer:
              _target_: torch.optim.adam.Adam
            """,
            [("MIG001", "(model.torch_dtype: unset)"), NO_DISTRIBUTED],
            id="yaml-after-last-model-key",
        ),
        pytest.param(
            PYTHON,
            "from torch.optim import AdamW\n" + AUTOMODEL_IMPORT + "model = NeMoAutoModelForCausalLM.from_config(c)\n"
            "opt = AdamW(model.parameters())\n",
            "from torch.optim import AdamW\n" + AUTOMODEL_IMPORT + "import torch\n"
            f"model = NeMoAutoModelForCausalLM.from_config(c, torch_dtype=torch.{FP32.storage_dtype})\n"
            "opt = AdamW(model.parameters())\n",
            [("MIG001", "(model.torch_dtype: unset)")],
            id="python-keyword-added-import-torch-added",
        ),
    ],
)
def test_fp32_inserts_a_missing_dtype(front: FrontEnd, before: str, after: str, findings: list) -> None:
    check(front, before, after, findings, pattern=FP32.name)


@pytest.mark.parametrize(
    ("weight_decay", "decoupled", "mode"),
    [
        pytest.param("0.01", "", False, id="adam-l2"),
        pytest.param("1e-2", "", False, id="adam-l2-yaml11-string"),
        pytest.param("0", "", True, id="adam-no-decay"),
        pytest.param("0.01", "  decoupled_weight_decay: true\n", True, id="adam-decoupled"),
    ],
)
def test_te_adam_w_mode_follows_the_update_rule(weight_decay: str, decoupled: str, mode: bool) -> None:
    head = "model:\n  torch_dtype: bf16\noptimizer:\n"
    check(
        YAML,
        head + f"  _target_: torch.optim.Adam\n  weight_decay: {weight_decay}\n{decoupled}",
        head + f"  _target_: {TE_TARGET}\n  weight_decay: {weight_decay}\n" + te_yaml(adam_w_mode=mode),
        [("MIG001", TO_TE)] + ([("MIG003", "`decoupled_weight_decay`")] if decoupled else []) + [NO_DISTRIBUTED],
        pattern=TE.name,
    )


def test_python_adam_with_weight_decay_is_l2() -> None:
    check(
        PYTHON,
        "import torch\nfrom torch import optim\n"
        + PY_LOAD.format(dtype="bfloat16")
        + "opt = optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\n",
        "import torch\n"
        + TE_IMPORT
        + PY_LOAD.format(dtype="bfloat16")
        + f"opt = FusedAdam(model.parameters(), lr=1e-3, weight_decay=0.01, {te_arguments(adam_w_mode=False)})\n",
        [("MIG001", TO_TE)],
        pattern=TE.name,
    )


@pytest.mark.parametrize(
    ("front", "source", "findings", "status"),
    [
        pytest.param(
            YAML, ADAMW.format(dtype="float32"), [NO_DISTRIBUTED], Status.UNCHANGED, id="yaml-storage-already-float32"
        ),
        pytest.param(
            YAML,
            "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.SGD\n",
            [],
            Status.SKIPPED,
            id="yaml-sgd-not-applicable",
        ),
        pytest.param(
            PYTHON,
            "import torch\n" + PY_LOAD.format(dtype="float32") + "opt = torch.optim.AdamW(model.parameters())\n",
            [],
            Status.UNCHANGED,
            id="python-storage-already-float32",
        ),
        pytest.param(
            PYTHON,
            "import torch\n" + PY_LOAD.format(dtype="bfloat16") + "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
            [],
            Status.NOT_RECIPE,
            id="python-sgd-not-looked-at",
        ),
    ],
)
def test_noop(front: FrontEnd, source: str, findings: list, status: Status) -> None:
    check(front, source, None, findings, status, pattern=FP32.name)


def test_teacher_model_is_never_touched() -> None:
    check(
        YAML,
        "model:\n  torch_dtype: bf16\nteacher_model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\n",
        f"model:\n  torch_dtype: {FP32.storage_dtype}\nteacher_model:\n  torch_dtype: bf16\n"
        "optimizer:\n  _target_: torch.optim.AdamW\n",
        [("MIG001", RISKY), NO_DISTRIBUTED],
        pattern=FP32.name,
    )


@pytest.mark.parametrize(
    ("front", "before"),
    [
        pytest.param(
            YAML,
            "model:\n  _target_: transformers.AutoModelForCausalLM.from_pretrained\n  dtype: {}\n"
            "optimizer:\n  _target_: torch.optim.AdamW\n",
            id="yaml",
        ),
        pytest.param(
            PYTHON,
            'import torch\nmodel = M.from_pretrained(p, dtype="{}").to("cuda")\nopt = torch.optim.Adam(model.parameters())\n',
            id="python-string-kept-a-string",
        ),
    ],
)
def test_hf_dtype_key_is_the_storage_key(front: FrontEnd, before: str) -> None:
    findings = [("MIG001", "bfloat16) keeps Adam state in bf16")] + ([NO_DISTRIBUTED] if front is YAML else [])
    check(front, before.format("bfloat16"), before.format(FP32.storage_dtype), findings, pattern=FP32.name)
