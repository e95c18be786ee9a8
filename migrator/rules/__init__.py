"""Rule registry: one module per rule, discovered at import, keyed by a stable code.

A rule looks at one classified config (a `Context`) and yields `Finding`s; a finding
carries the abstract `changes` that fix it. Rules never see text or files.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from migrator.changes import Change, KeyPath
from migrator.classify import Classification
from migrator.settings import Options

__all__ = ["RULES", "Context", "Finding", "Level", "Options", "Rule", "register"]


class Level(enum.Enum):
    FIX = "fix"  # changes the file
    INFO = "info"  # explains why something was not done
    WARNING = "warning"  # with `blocks`: file left unchanged on purpose
    ERROR = "error"  # the file cannot be migrated faithfully: it fails


@dataclass(frozen=True)
class Context:
    """One config as the rules see it, with the migration already decided."""

    data: Mapping[str, Any]
    classification: Classification
    options: Options
    target: str  # the pattern this config ends on
    current: str  # 'te' or 'torch': the optimizer family it has now

    @property
    def optimizer(self) -> Mapping[str, Any]:
        return self.data.get("optimizer") or {}

    @property
    def model(self) -> Mapping[str, Any]:
        return self.data.get("model") or {}

    @property
    def switches_to_te(self) -> bool:
        return self.target == "te" and self.current == "torch"

    @property
    def switches_to_torch(self) -> bool:
        return self.target == "fp32" and self.current == "te"

    @property
    def switches_optimizer_class(self) -> bool:
        return self.switches_to_te or self.switches_to_torch


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: KeyPath  # the key the finding is about, for line numbers
    changes: tuple[Change, ...] = ()
    blocks: bool = False  # leave the whole file unchanged

    @property
    def rule(self) -> Rule:
        return RULES[self.code]


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    summary: str
    level: Level
    doc: str = ""
    check: Callable[[Context], Iterable[Finding]] = field(default=lambda ctx: ())

    def finding(self, message: str, path: KeyPath, changes: Iterable[Change] = (), blocks: bool = False) -> Finding:
        return Finding(self.code, message, path, tuple(changes), blocks)


RULES: dict[str, Rule] = {}


def register(code: str, slug: str, summary: str, level: Level, doc: str) -> Callable[[Callable[[Context], Iterable[Finding]]], Rule]:
    """Decorate a rule module's check function; the module docstring is the rule's documentation."""

    def decorator(check: Callable[[Context], Iterable[Finding]]) -> Rule:
        if code in RULES or any(rule.slug == slug for rule in RULES.values()):
            raise RuntimeError(f"duplicate rule {code} {slug}")
        rule = Rule(code, slug, summary, level, doc.strip(), check)
        RULES[code] = rule
        return rule

    return decorator


def _import_rules() -> None:
    for module in pkgutil.iter_modules(__path__, f"{__name__}."):
        importlib.import_module(module.name)


_import_rules()
