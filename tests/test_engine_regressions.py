"""Engine bugs found by the property tests, pinned as before/after cases."""

from __future__ import annotations

import pytest

from migrator.core import automodel
from migrator.core.outcome import Status
from tests.tools import check_transformed, run, sorted_codes

TE = automodel.TE_FUSED_ADAM


def test_adjacent_flow_entries_are_deleted_together() -> None:
    # Each deletion claimed the comma between the two last entries: OverlappingEdits escaped the engine.
    check_transformed(
        f"""\
        model:
          torch_dtype: bf16
        optimizer: {{_target_: {TE}, lr: 1.0e-5, bias_correction: true, master_weights: true, store_param_remainders: true}}
        """,
        """\
        model:
          torch_dtype: float32
        optimizer: {_target_: torch.optim.AdamW, lr: 1.0e-5, weight_decay: 0.0}
        """,
        pattern="fp32",
        convert=True,
    )


def test_adjacent_flow_entries_in_the_middle_keep_the_rest() -> None:
    check_transformed(
        f"""\
        model: {{torch_dtype: bf16}}
        optimizer: {{_target_: {TE}, master_weights: true, store_param_remainders: true, lr: 1.0e-5, weight_decay: 0.1}}
        """,
        """\
        model: {torch_dtype: float32}
        optimizer: {_target_: torch.optim.AdamW, lr: 1.0e-5, weight_decay: 0.1}
        """,
        pattern="fp32",
        convert=True,
    )


def test_convert_moves_incomplete_te_to_the_chosen_pattern_in_one_run() -> None:
    # Was completed to `te` first, then converted to `fp32` by a second run: not idempotent.
    outcome = check_transformed(
        f"""\
        model:
          torch_dtype: bf16
        optimizer:
          _target_: {TE}
          lr: 1.0e-5
          exp_avg_dtype: torch.bfloat16
        """,
        """\
        model:
          torch_dtype: float32
        optimizer:
          _target_: torch.optim.AdamW
          lr: 1.0e-5
          weight_decay: 0.0
        """,
        pattern="fp32",
        convert=True,
    )
    assert "MIG006" in sorted_codes(outcome) and "MIG004" not in sorted_codes(outcome)


def test_without_convert_incomplete_te_is_still_completed_to_te() -> None:
    outcome = run(f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: {TE}\n", pattern="fp32")
    assert outcome.status is Status.MIGRATED and outcome.target == "te" and "MIG004" in sorted_codes(outcome)


def test_deep_data_fails_cleanly_instead_of_recursion_error() -> None:
    # 400 nested lists loaded fine but blew Python's recursion limit in verify's deep comparison.
    outcome = run(
        "model:\n  torch_dtype: bf16\noptimizer:\n  _target_: torch.optim.AdamW\nx: " + "[" * 400 + "]" * 400 + "\n"
    )
    assert outcome.status is Status.FAILED and outcome.problem is not None
    assert outcome.problem.message == "nested deeper than 100 levels"


@pytest.mark.parametrize(
    "blank_lines",
    [
        pytest.param("", id="last-line"),  # the deleted last line took its line break along
        pytest.param("\n", id="after-a-blank-line"),  # the blank line above it became the end (found by fuzzing)
    ],
)
def test_deleting_the_last_line_keeps_a_missing_final_newline(blank_lines: str) -> None:
    check_transformed(
        f"model:\n  torch_dtype: bf16\noptimizer:\n  _target_: {TE}\n  weight_decay: 0.0\n{blank_lines}  master_weights: true",
        "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n  weight_decay: 0.0",
        pattern="fp32",
        convert=True,
    )


def test_inserted_lines_use_the_files_line_ending_not_a_stray_nel() -> None:
    # The first YAML line break was taken as the file's style, even a NEL (U+0085) inside a value.
    outcome = run(
        "recipe: x\x85\r\nmodel:\r\n  torch_dtype: bf16\r\noptimizer:\r\n  _target_: torch.optim.AdamW\r\n",
        pattern="te",
    )
    assert outcome.new_text is not None and "\x85" not in outcome.new_text.replace("recipe: x\x85", "")


def test_deleting_the_last_keys_keeps_a_missing_final_newline_across_blank_lines() -> None:
    # Found by the property test: a blank line before the deleted last key left a final line break behind.
    source = (
        "model:\n  torch_dtype: float32\noptimizer:\n"
        "  _target_: transformer_engine.pytorch.optimizers.fused_adam.FusedAdam\n  weight_decay: 1.0e-5\n"
        "  # c\n  master_weights: true\n\n  exp_avg_dtype: torch.float32"
    )
    outcome = run(source, pattern="fp32", convert=True)
    assert outcome.new_text == (
        "model:\n  torch_dtype: float32\noptimizer:\n  _target_: torch.optim.AdamW\n  weight_decay: 1.0e-5\n  # c"
    )
