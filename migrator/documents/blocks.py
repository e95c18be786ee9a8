"""What happened to a document, from what happened to each of its code blocks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from migrator.core.classify import Classification, Kind
from migrator.core.outcome import LocatedFinding, Outcome, Status

# The block that speaks for the document: a failure first (nothing is written), then an edit, then a block
# left alone for a reason the user should read, then a recipe already on its pattern.
_PRECEDENCE = (Status.FAILED, Status.MIGRATED, Status.SKIPPED, Status.UNCHANGED, Status.NOT_RECIPE)
NO_RECIPE_BLOCK = Classification(Kind.NOT_RECIPE, "no YAML or Python code block holds a recipe")


@dataclass(frozen=True)
class BlockOutcome:
    outcome: Outcome  # positions already in the document
    fragment: bool = False


def combine(blocks: Sequence[BlockOutcome]) -> Outcome:
    """The document's outcome: the leading block's status and classification, every block's findings."""
    if not blocks:
        return Outcome(Status.NOT_RECIPE, NO_RECIPE_BLOCK)
    leading = min((block.outcome for block in blocks), key=lambda outcome: _PRECEDENCE.index(outcome.status))
    if leading.status is Status.NOT_RECIPE:
        return Outcome(Status.NOT_RECIPE, NO_RECIPE_BLOCK)
    findings = sorted((found for block in blocks for found in block.outcome.findings), key=_position)
    suppressed = sorted((found for block in blocks for found in block.outcome.suppressed), key=_position)
    return Outcome(
        leading.status,
        leading.classification,
        leading.target,
        tuple(findings),
        problem=leading.problem,
        skip_reason=leading.skip_reason,
        suppressed=tuple(suppressed),
    )


def _position(found: LocatedFinding) -> tuple[int, int]:
    return found.line, found.column
