"""The rules: one module per rule, each registering its `Rule` under a stable code; and the plan they make.

A rule with a `check` looks at one classified config (a `Context`) and yields `Finding`s carrying the abstract
changes that fix it. A rule raised only by the Python front end has no `check`: its module builds the finding.
Rules never see text or files.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from migrator import patterns
from migrator.core.classify import Classification, Kind
from migrator.core.findings import RULES, Finding, Level, Rule, register
from migrator.core.plan import Plan, planned_target
from migrator.core.settings import Options

__all__ = ["RULES", "Context", "Finding", "Level", "Options", "Rule", "make_plan", "rule"]


@dataclass(frozen=True)
class Context:
    """One config as the rules see it, with the migration already decided."""

    data: Mapping[str, Any]
    classification: Classification
    options: Options
    target: str  # the name of the pattern this config ends on

    @property
    def optimizer(self) -> Mapping[str, Any]:
        return self.data.get("optimizer") or {}

    @property
    def model(self) -> Mapping[str, Any]:
        return self.data.get("model") or {}

    @property
    def pattern(self) -> patterns.Pattern:
        return patterns.PATTERNS[self.target]

    @property
    def switches_optimizer_class(self) -> bool:
        """The config's optimizer is not the target pattern's class (torch Adam to TE FusedAdam, or back)."""
        return not self.pattern.runs(self.optimizer.get("_target_"))


def rule(
    code: str, slug: str, summary: str, level: Level, doc: str
) -> Callable[[Callable[[Context], Iterable[Finding]]], Rule]:
    """Decorate a rule module's check function; the module docstring is the rule's documentation."""

    def decorator(check: Callable[[Context], Iterable[Finding]]) -> Rule:
        return register(Rule(code, slug, summary, level, doc.strip(), check))

    return decorator


def python_rule(code: str, slug: str, summary: str, level: Level, doc: str) -> Rule:
    """A rule only the Python front end raises (through `Rule.finding`): YAML values are always literal."""
    return register(Rule(code, slug, summary, level, doc.strip()))


def make_plan(data: Mapping[str, Any], classification: Classification, options: Options) -> Plan:
    if classification.kind is Kind.UNDECIDABLE:
        # Imported here: rule modules import this package.
        from migrator.rules.value_not_decidable import interpolated_values

        return Plan(None, tuple(interpolated_values(data)))
    target = planned_target(data, classification, options)
    if target is None:
        return Plan(None)
    ctx = Context(data, classification, options, target)
    return Plan(target, tuple(finding for code in sorted(RULES) for finding in RULES[code].findings(ctx)))


def _import_rules() -> None:
    for module in pkgutil.iter_modules(__path__, f"{__name__}."):
        importlib.import_module(module.name)


_import_rules()
