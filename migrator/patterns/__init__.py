"""The recommended precision patterns, one module each; the single source of their canonical values.

Adding a pattern: a module with its `Pattern` object, and one line in `_REGISTERED` below.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from migrator.patterns import fp32, te
from migrator.patterns.pattern import MP_POLICY, SHARED_EXPLANATIONS, Pattern, SchemaRules

__all__ = [
    "DEFAULT",
    "MP_POLICY",
    "PATTERNS",
    "SHARED_EXPLANATIONS",
    "Pattern",
    "SchemaRules",
    "choices",
    "decision_keys",
    "running",
]

_REGISTERED = (te.PATTERN, fp32.PATTERN)

# Read at call time everywhere, so a test can register a throwaway pattern in this dict.
PATTERNS: dict[str, Pattern] = {pattern.name: pattern for pattern in _REGISTERED}
DEFAULT = fp32.PATTERN.name


def decision_keys(optimizer: Mapping[str, Any]) -> tuple[str, ...]:
    """Every optimizer key some pattern's decision reads, `_target_` first."""
    return (
        "_target_",
        *dict.fromkeys(key for pattern in PATTERNS.values() for key in pattern.decision_keys(optimizer)),
    )


def choices(fits: Callable[[Pattern], bool]) -> str:
    """`--pattern NAME` for every registered pattern that fits, for advice in messages."""
    return " or ".join(f"--pattern {pattern.name}" for pattern in PATTERNS.values() if fits(pattern))


def running(optimizer_target: object) -> Pattern | None:
    """The pattern whose optimizer class this is, if any."""
    return next((pattern for pattern in PATTERNS.values() if pattern.runs(optimizer_target)), None)
