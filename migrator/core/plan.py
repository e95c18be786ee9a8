"""A config's plan (its findings and their changes) and the one policy for blockers and suppressions."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from migrator import patterns
from migrator.core.changes import Change
from migrator.core.classify import Classification, Kind
from migrator.core.findings import Finding, Level
from migrator.core.settings import Options

MIGRATABLE = (Kind.RISKY, Kind.UNPROVEN, Kind.INCOMPLETE_TE, Kind.ON_PATTERN)


@dataclass(frozen=True)
class Plan:
    target: str | None
    findings: tuple[Finding, ...] = ()

    @property
    def blocked_by(self) -> Finding | None:
        return next((finding for finding in self.findings if finding.blocks), None)

    @property
    def failed(self) -> bool:
        return any(finding.blocks and finding.rule.level is Level.ERROR for finding in self.findings)

    @property
    def changes(self) -> list[Change]:
        if self.blocked_by is not None:
            return []
        return [change for finding in self.findings for change in finding.changes]


class Verdict(enum.Enum):
    APPLY = "apply"  # make the changes of the findings no suppression covers
    BLOCKED = "blocked"  # a reported warning blocks: left unchanged on purpose
    FAILED = "failed"  # a reported error blocks: the config cannot be migrated faithfully
    HELD = "held"  # every blocker is suppressed: suppressing never makes the tool change more, so nothing changes


def verdict(full: Plan, kept: Plan) -> tuple[Verdict, Finding | None]:
    """What to do with a plan: `full` holds every finding, `kept` those no suppression covers."""
    blocker = kept.blocked_by
    if blocker is not None:
        return (Verdict.FAILED if kept.failed else Verdict.BLOCKED), blocker
    if full.blocked_by is not None:
        return Verdict.HELD, full.blocked_by
    return Verdict.APPLY, None


def target_pattern(classification: Classification, options: Options, has_model: bool = True) -> str | None:
    """The pattern a config ends on, or None when it is not migrated."""
    kind = classification.kind
    if kind in (Kind.RISKY, Kind.UNPROVEN):  # an unproven one only gets MIG115, which holds it
        return options.pattern
    # A pattern that lives in `model` has nothing to convert to without a model section.
    convert = options.convert and (has_model or not patterns.PATTERNS[options.pattern].needs_model_section)
    if kind in (
        Kind.INCOMPLETE_TE,
        Kind.ON_PATTERN,
    ):  # completing it is the least change; --convert asks for the chosen one
        return options.pattern if convert else classification.pattern
    return None


def planned_target(data: Mapping[str, Any], classification: Classification, options: Options) -> str | None:
    if classification.kind not in MIGRATABLE:
        return None
    return target_pattern(classification, options, "model" in data)
