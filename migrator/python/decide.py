"""The YAML engine's decision, run on the recipe-shaped data a piece of Python code describes.

Python code never decides anything itself: it builds `{"model": ..., "optimizer": ...}` data and
asks `classify` and `make_plan`, then turns the plan's abstract changes into edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import libcst as cst

from migrator import optimizer_changes
from migrator.changes import Change, KeyPath
from migrator.classify import ConfigError, classify
from migrator.engine import LocatedFinding, Problem
from migrator.plan import Plan, make_plan
from migrator.python.document import PythonDocument
from migrator.python.edits import EditSet
from migrator.python.values import Opaque
from migrator.rules import RULES, Finding, Level, Options


@dataclass
class Analysis:
    """Everything learnt about one file: its edits, findings, and whether it must fail."""

    doc: PythonDocument
    options: Options
    edits: EditSet
    findings: list[LocatedFinding] = field(default_factory=list)
    targets: set[str] = field(default_factory=set)
    failure: Problem | None = None
    relevant: bool = False  # something a rule looks at was found
    handled: set[cst.CSTNode] = field(default_factory=set)

    def report(self, code: str, message: str, node: cst.CSTNode, changes: Iterable[Change] = (), path: KeyPath = ()) -> None:
        self.add(RULES[code].finding(message, path, changes), node)

    def add(self, finding: Finding, node: cst.CSTNode) -> None:
        self.relevant = True
        self.findings.append(LocatedFinding(finding, *self.doc.where(node)))

    def first_time(self, node: cst.CSTNode) -> bool:
        """True once per node: several plans may reach the same call."""
        if node in self.handled:
            return False
        self.handled.add(node)
        return True


def undecidable_key(data: Mapping[str, Any]) -> KeyPath | None:
    """The first value the decision reads that the code does not give literally."""
    model, optimizer = data.get("model"), data.get("optimizer")
    if isinstance(model, Mapping) and isinstance(model.get("torch_dtype"), Opaque):
        return ("model", "torch_dtype")
    if isinstance(optimizer, Mapping):
        for key in optimizer_changes.decision_keys(optimizer):
            if isinstance(optimizer.get(key), Opaque):
                return ("optimizer", key)
    return None


def plan_for(analysis: Analysis, data: Mapping[str, Any], where: Callable[[KeyPath], cst.CSTNode]) -> Plan | None:
    """The plan for this recipe-shaped data, or None when nothing is to be done (reasons are reported)."""
    try:
        classification = classify(data, analysis.options.include_peft)
    except ConfigError:
        return None  # not config data after all (e.g. `{"model": model, "optimizer": optimizer}`)
    plan = make_plan(data, classification, analysis.options)
    if plan.target is None:
        return None
    analysis.relevant = True
    blocker = plan.blocked_by
    if blocker is not None:
        node = where(blocker.path)
        if plan.failed:
            line, column = analysis.doc.where(node)
            analysis.failure = analysis.failure or Problem(f"{blocker.code} {blocker.message}", line, column)
        for finding in plan.findings:
            if finding.blocks and finding.rule.level is not Level.ERROR:  # an error is the failure itself
                analysis.add(finding, where(finding.path))
        return None
    analysis.targets.add(plan.target)
    return plan
