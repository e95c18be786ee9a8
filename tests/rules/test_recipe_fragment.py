"""MIG114 recipe-fragment (documents only): a torch Adam optimizer block without its model section is a note."""

from __future__ import annotations

import pytest

from migrator.core.outcome import Status
from tests.documents.test_front_end import migrate, where


def test_an_optimizer_alone_is_a_fragment_note_at_its_line() -> None:
    outcome = migrate(
        """\
        Swap the optimizer:

        ```yaml
        # only the optimizer
        optimizer:
          _target_: torch.optim.Adam
        ```
        """
    )
    assert outcome.status is Status.SKIPPED and outcome.skip_reason == "fragment"
    assert where(outcome, "MIG114") == [(5, 1)]
    assert "line 5" in outcome.classification.reason


@pytest.mark.parametrize(
    "source",
    [
        "```yaml\noptimizer:  # migrator: ignore[MIG114]\n  _target_: torch.optim.AdamW\n```\n",
        "<!-- migrator: ignore -->\n```yaml\noptimizer:\n  _target_: torch.optim.AdamW\n```\n",
    ],
)
def test_a_fragment_note_can_be_suppressed(source: str) -> None:
    outcome = migrate(source)
    assert outcome.findings == () and [located.finding.code for located in outcome.suppressed] == ["MIG114"]
