"""Rules and their findings: the registry every front end raises findings through, keyed by a stable code.

A rule module under `migrator.rules` registers one `Rule`; a finding names its rule by code, so findings
stay plain picklable data.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from migrator.core.changes import Change, KeyPath
from migrator.core.classify import Kind


class Level(enum.Enum):
    FIX = "fix"  # changes the file
    INFO = "info"  # explains why something was not done
    WARNING = "warning"  # with `blocks`: file left unchanged on purpose
    ERROR = "error"  # the file cannot be migrated faithfully: it fails


@dataclass(frozen=True)
class Fix:
    """What a finding's changes do, in each tense a report needs: the report knows whether they happened."""

    would: str  # check/diff mode: "would move to pattern `te`"
    done: str  # written: "moved to pattern `te`"
    not_done: str  # left unchanged, followed by why: "not moved to pattern `te`"


@dataclass(frozen=True)
class Finding:
    code: str
    message: str  # what is wrong; with a `fix`, the report adds what the fix does or did
    path: KeyPath  # the key the finding is about, for line numbers
    changes: tuple[Change, ...] = ()
    blocks: bool = False  # leave the whole file unchanged
    fix: Fix | None = None

    @property
    def rule(self) -> Rule:
        return RULES[self.code]


RuleCheck = Callable[[Any], Iterable[Finding]]  # called with a `migrator.rules.Context`


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    summary: str
    level: Level
    doc: str = ""
    check: RuleCheck | None = None  # None: raised by the Python front end only, through `finding`
    sole_for: Kind | None = None  # configs of this kind get this rule's findings only (the others assume more)

    @property
    def reported_level(self) -> str:
        """The level every report gives its findings (SARIF's words): a fix is a warning until it is applied."""
        return _REPORTED_LEVEL[self.level]

    @property
    def fixable(self) -> bool:
        return self.level is Level.FIX

    def finding(
        self,
        message: str,
        path: KeyPath = (),
        changes: Iterable[Change] = (),
        blocks: bool = False,
        fix: Fix | None = None,
    ) -> Finding:
        return Finding(self.code, message, path, tuple(changes), blocks, fix)

    def findings(self, ctx: Any) -> Iterable[Finding]:
        return self.check(ctx) if self.check is not None else ()


_REPORTED_LEVEL = {Level.FIX: "warning", Level.WARNING: "warning", Level.INFO: "note", Level.ERROR: "error"}
RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in RULES or any(known.slug == rule.slug for known in RULES.values()):
        raise RuntimeError(f"duplicate rule {rule.code} {rule.slug}")
    RULES[rule.code] = rule
    return rule
