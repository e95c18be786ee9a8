"""MIG107 optimizer-chosen-at-run-time (Python only): `getattr(torch.optim, name)(...)`; nothing changed."""

from __future__ import annotations

import pytest

from tests.rules.cases import AUTOMODEL_IMPORT, PYTHON, TE, check, te_arguments, te_import_in

CHOSEN = "optimizer class chosen at run time with getattr(torch.optim, ...): not migrated"
# An AutoModel loader with no dtype: bf16 storage, proven (core/builders.py).
LOAD = "    model = NeMoAutoModelForCausalLM.from_pretrained(p)\n"


@pytest.mark.parametrize(
    ("source", "line"),
    [
        pytest.param(
            "import torch\n"
            + AUTOMODEL_IMPORT
            + "def f(args):\n"
            + LOAD
            + "    opt = getattr(torch.optim, args.optimizer)(model.parameters(), lr=1e-5)\n",
            5,
            id="getattr-on-torch-optim",
        ),
        pytest.param(
            "import torch.optim as optim\n"
            + AUTOMODEL_IMPORT
            + "def f(name):\n"
            + LOAD
            + "    opt = getattr(optim, name)(model.parameters())\n",
            5,
            id="module-alias",
        ),
    ],
)
def test_reported_and_left_unchanged(source: str, line: int) -> None:
    outcome = check(PYTHON, source, None, [("MIG107", CHOSEN)], pattern=TE.name)
    assert outcome.findings[0].line == line


def test_explicit_class_is_migrated_instead() -> None:
    before = (
        "import torch\n"
        + AUTOMODEL_IMPORT
        + "def f(args):\n"
        + LOAD
        + "    opt = torch.optim.AdamW(model.parameters(), weight_decay=0.1)\n"
    )
    after = (
        "import torch\n" + AUTOMODEL_IMPORT + "def f(args):\n"
        "    model = NeMoAutoModelForCausalLM.from_pretrained(p, torch_dtype=torch.bfloat16)\n"
        + te_import_in()
        + f"    opt = FusedAdam(model.parameters(), weight_decay=0.1, {te_arguments()})\n"
    )
    check(PYTHON, before, after, [("MIG001", "(model.torch_dtype: unset)")], pattern=TE.name)
