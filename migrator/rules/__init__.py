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
from migrator.core.builders import builder_of
from migrator.core.changes import Change
from migrator.core.classify import Classification, Kind, storage_key
from migrator.core.findings import RULES, Finding, Level, Rule, register
from migrator.core.plan import Plan, planned_target
from migrator.core.settings import Options

__all__ = ["RULES", "Context", "make_plan", "python_rule", "rule"]  # RULES: the registry, every rule loaded


@dataclass(frozen=True)
class Context:
    """One config as the rules see it, with the migration already decided."""

    data: Mapping[str, Any]
    classification: Classification
    options: Options
    target: str | None  # the name of the pattern this config ends on (None: a sole rule on a config not migrated)

    @property
    def optimizer(self) -> Mapping[str, Any]:
        return self.data.get("optimizer") or {}

    @property
    def model(self) -> Mapping[str, Any]:
        return self.data.get("model") or {}

    @property
    def pattern(self) -> patterns.Pattern:
        if self.target is None:
            raise LookupError("this config is not migrated: no target pattern")
        return patterns.PATTERNS[self.target]

    @property
    def storage_changes(self) -> list[Change]:
        """The target pattern's storage dtype, where the model's builder takes one (`build_gpt2_model` does not)."""
        if not builder_of(self.model.get("_target_")).honours_dtype:
            return []
        return self.pattern.storage_changes(self.model, storage_key(self.model), "model" in self.data)

    @property
    def switches_optimizer_class(self) -> bool:
        """The config's optimizer is not the target pattern's class (torch Adam to TE FusedAdam, or back)."""
        return not self.pattern.runs(self.optimizer.get("_target_"))


def rule(
    code: str, slug: str, summary: str, level: Level, doc: str, sole_for: Kind | None = None
) -> Callable[[Callable[[Context], Iterable[Finding]]], Rule]:
    """Decorate a rule module's check function; the module docstring is the rule's documentation."""

    def decorator(check: Callable[[Context], Iterable[Finding]]) -> Rule:
        return register(Rule(code, slug, summary, level, doc.strip(), check, sole_for))

    return decorator


def python_rule(code: str, slug: str, summary: str, level: Level, doc: str) -> Rule:
    """A rule that a front end raises itself (through `Rule.finding`), with nothing to check on recipe data."""
    return register(Rule(code, slug, summary, level, doc.strip()))


def make_plan(data: Mapping[str, Any], classification: Classification, options: Options) -> Plan:
    rules = [RULES[code] for code in sorted(RULES)]
    # A rule that speaks alone for a kind (an undecidable or unproven config) runs even where nothing migrates.
    sole = [rule for rule in rules if rule.sole_for is classification.kind]
    target = planned_target(data, classification, options)
    if target is None and not sole:
        return Plan(None)
    ctx = Context(data, classification, options, target)
    return Plan(target, tuple(finding for rule in sole or rules for finding in rule.findings(ctx)))


def _import_rules() -> None:
    for module in pkgutil.iter_modules(__path__, f"{__name__}."):
        importlib.import_module(module.name)


_import_rules()
