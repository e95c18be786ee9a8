"""MIG113 test-code-not-edited (Python only): test code is reported with what would change, and left as it is
unless `--include-tests` is given."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.core.outcome import Status
from migrator.core.settings import Options
from migrator.process import migrate_text
from tests.rules.cases import (
    AUTOMODEL_IMPORT,
    FP32,
    PYTHON,
    PYTHON_TEST_CODE,
    TE,
    check,
    codes,
    one_line_calls,
    te_arguments,
)

NOT_MADE = "test code: the changes above are not made; pass --include-tests to make them"
HEAD = "import torch\n" + AUTOMODEL_IMPORT
# AutoModel's loader with no dtype: bf16 storage, so the optimizer below is what MIG001 migrates.
SOURCE = HEAD + "model = NeMoAutoModelForCausalLM.from_config(cfg)\noptimizer = torch.optim.AdamW(model.parameters())\n"
TO_FP32 = (
    HEAD + f"model = NeMoAutoModelForCausalLM.from_config(cfg, torch_dtype=torch.{FP32.storage_dtype})\n"
    "optimizer = torch.optim.AdamW(model.parameters())\n"
)
TO_TE = (
    HEAD
    + "from transformer_engine.pytorch.optimizers.fused_adam import FusedAdam\n"
    + "model = NeMoAutoModelForCausalLM.from_config(cfg, torch_dtype=torch.bfloat16)\n"
    + f"optimizer = FusedAdam(model.parameters(), {te_arguments()}, weight_decay=0.01)\n"
)


# Left as it is, each fix reads as not done (the file is left unchanged).
def not_moved(pattern: str) -> tuple[str, str]:
    return ("MIG001", f"keeps Adam state in bf16; not moved to pattern `{pattern}`: the file is left unchanged")


NOT_WRITTEN_OUT = (
    "MIG002",
    "weight_decay is implicit (the current optimizer's default is 0.01, TE FusedAdam's differs); not written out",
)


@pytest.mark.parametrize(
    ("pattern", "after", "findings", "unedited"),
    [
        pytest.param(
            FP32.name, TO_FP32, [("MIG001", f"moved to pattern `{FP32.name}`")], [not_moved(FP32.name)], id="fp32"
        ),
        pytest.param(
            TE.name,
            TO_TE,
            [("MIG001", f"moved to pattern `{TE.name}`"), ("MIG002", "written out as 0.01")],
            [not_moved(TE.name), NOT_WRITTEN_OUT],
            id="te",
        ),
    ],
)
def test_reported_not_edited_unless_included(pattern: str, after: str, findings: list, unedited: list) -> None:
    # What would change is listed, then MIG113 on the first finding's line; the file stays as it is.
    outcome = check(PYTHON_TEST_CODE, SOURCE, None, [*unedited, ("MIG113", NOT_MADE)], pattern=pattern)
    assert outcome.findings[-1].line == outcome.findings[0].line == 4
    # --include-tests makes the same changes as outside test code.
    check(PYTHON_TEST_CODE, SOURCE, after, findings, pattern=pattern, include_tests=True)
    check(PYTHON, SOURCE, after, findings, pattern=pattern)


def test_test_code_with_nothing_to_change_is_not_reported() -> None:
    on_pattern = TO_FP32
    check(PYTHON_TEST_CODE, on_pattern, None, [], pattern=FP32.name)


@pytest.mark.parametrize("name", ["test_train.py", "train_test.py", "conftest.py", "tests/unit/train.py"])
def test_test_code_is_found_by_its_path(name: str) -> None:
    outcome, _ = migrate_text(SOURCE, ".py", Options(pattern=TE.name), Path(name))
    assert outcome.status is Status.UNCHANGED and outcome.new_text is None
    assert codes(outcome) == ["MIG001", "MIG002", "MIG113"]
    included, _ = migrate_text(SOURCE, ".py", Options(pattern=TE.name, include_tests=True), Path(name))
    assert included.status is Status.MIGRATED and one_line_calls(included.new_text or "") == TO_TE


def test_a_training_script_is_edited() -> None:
    outcome, _ = migrate_text(SOURCE, ".py", Options(pattern=TE.name), Path("train.py"))
    assert outcome.status is Status.MIGRATED and "MIG113" not in codes(outcome)
