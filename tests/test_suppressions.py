"""`# migrator: ignore[...]` and `# migrator: skip-file`: what they leave alone and how it is reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from migrator.core import suppressions
from migrator.core.outcome import SKIP_FILE, SUPPRESSED_BLOCKER, Outcome, Status
from migrator.core.settings import Mode, Options, Settings
from migrator.process import process_file
from tests.tools import check_noop, check_transformed, run, sorted_codes

RISKY_TE = """\
model:
  pretrained_model_name_or_path: x{model}
distributed:{distributed}
  strategy: fsdp2
optimizer:{optimizer}
  _target_: torch.optim.AdamW{target}
  lr: 1.0e-5
  foreach: false{foreach}
"""


def _config(**comments: str) -> str:
    return RISKY_TE.format(
        **{key: comments.get(key, "") for key in ("model", "distributed", "optimizer", "target", "foreach")}
    )


def _suppressed_codes(outcome: Outcome) -> list[str]:
    return sorted(located.finding.code for located in outcome.suppressed)


def test_without_comments_everything_is_migrated() -> None:
    outcome = run(_config(), pattern="te")
    assert outcome.status is Status.MIGRATED
    assert sorted_codes(outcome) == ["MIG001", "MIG002", "MIG003", "MIG005"]
    assert outcome.suppressed == ()


def test_ignore_on_the_block_opening_line_leaves_the_whole_block_alone() -> None:
    source = _config(optimizer="  # migrator: ignore")
    outcome = run(source, pattern="te")
    assert _suppressed_codes(outcome) == ["MIG001", "MIG002", "MIG003"]
    assert sorted_codes(outcome) == ["MIG005"]  # distributed is another block
    assert (
        outcome.new_text is not None
        and "torch.optim.AdamW" in outcome.new_text
        and "foreach: false" in outcome.new_text
    )


def test_ignore_on_a_key_line_with_its_code() -> None:
    outcome = run(_config(target="  # migrator: ignore[MIG001]"), pattern="te")
    assert "MIG001" in _suppressed_codes(outcome)
    assert (
        outcome.new_text is not None and "_target_: torch.optim.AdamW  # migrator: ignore[MIG001]" in outcome.new_text
    )


def test_ignore_with_another_code_does_not_suppress() -> None:
    outcome = run(_config(target="  # migrator: ignore[MIG005]"), pattern="te")
    assert _suppressed_codes(outcome) == []
    assert "MIG001" in sorted_codes(outcome)


def test_suppressing_one_edit_of_a_class_switch_keeps_the_whole_optimizer() -> None:
    # Dropping only the `foreach` removal would leave FusedAdam with an argument it rejects.
    outcome = run(_config(foreach="  # migrator: ignore[MIG003]"), pattern="te")
    assert _suppressed_codes(outcome) == ["MIG001", "MIG002", "MIG003"]
    assert sorted_codes(outcome) == ["MIG005"]


def test_ignore_on_an_edited_key_suppresses_the_finding_located_elsewhere() -> None:
    # pattern fp32: MIG001 is reported at optimizer._target_ but edits model.torch_dtype (inserted under model).
    outcome = run(_config(model="", distributed="").replace("model:\n", "model:  # migrator: ignore\n"))
    assert "MIG001" in _suppressed_codes(outcome)


def test_all_findings_suppressed_leaves_the_file_unchanged() -> None:
    source = _config(optimizer="  # migrator: ignore", distributed="  # migrator: ignore")
    outcome = check_noop(source, pattern="te")
    assert outcome.status is Status.UNCHANGED
    assert _suppressed_codes(outcome) == ["MIG001", "MIG002", "MIG003", "MIG005"]


def test_suppressed_blocker_still_leaves_the_file_unchanged() -> None:
    source = (
        "model: {}\ndistributed:\n  tp_size: 2  # migrator: ignore[MIG102]\noptimizer:\n  _target_: torch.optim.AdamW\n"
    )
    outcome = check_noop(source, pattern="te")
    assert outcome.status is Status.SKIPPED and outcome.skip_reason == SUPPRESSED_BLOCKER
    assert "MIG102" in _suppressed_codes(outcome)


def test_unrelated_hash_in_a_value_is_not_a_directive() -> None:
    source = _config().replace("x\n", "'x#migrator: ignore'\n", 1)
    assert run(source, pattern="te").suppressed == ()


def test_partly_suppressed_migration_keeps_the_comment_and_is_idempotent() -> None:
    outcome = check_transformed(
        """\
        model:
          torch_dtype: bf16
        distributed:  # migrator: ignore[MIG005]
          strategy: fsdp2
        optimizer:
          _target_: torch.optim.AdamW
        """,
        """\
        model:
          torch_dtype: float32
        distributed:  # migrator: ignore[MIG005]
          strategy: fsdp2
        optimizer:
          _target_: torch.optim.AdamW
        """,
    )
    assert _suppressed_codes(outcome) == ["MIG005"]


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        pytest.param("# migrator: ignore", (3, None), id="all codes"),
        pytest.param("# migrator: ignore[MIG001]", (3, frozenset({"MIG001"})), id="one code"),
        pytest.param(
            "#migrator:ignore[mig001, MIG003]", (3, frozenset({"MIG001", "MIG003"})), id="lowercase and spaces"
        ),
        pytest.param("# migrator: ignore[]", (3, None), id="empty list means all"),
    ],
)
def test_directive_parsing(comment: str, expected: tuple[int, frozenset[str] | None]) -> None:
    directives = suppressions.parse(f"a: 1\r\nb: 2\r\nc: 3  {comment}\n")
    assert directives.ignores == (expected,)
    assert not directives.skip_file


def test_skip_file_anywhere_skips_the_file_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("optimizer: [not yaml\n# migrator: skip-file (generated by a template)\n")
    result = process_file(path, Settings((str(path),), Options(), Mode.WRITE))
    assert result.status is Status.SKIPPED and result.outcome.skip_reason == SKIP_FILE


def test_unknown_code_in_a_suppression_is_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(textwrap.dedent(_config(target="  # migrator: ignore[MIG999]")))
    result = process_file(path, Settings((str(path),), Options(pattern="te"), Mode.CHECK))
    assert [(notice.line, "MIG999" in notice.message) for notice in result.notices] == [(6, True)]
