"""The YAML engine's decision, run on the recipe-shaped data a piece of Python code describes.

Python code never decides anything itself: it builds `{"model": ..., "optimizer": ...}` data and
asks `classify` and `make_plan`, then turns the plan's abstract changes into edits.

Suppressions are decided here too, per finding and before its edits are made: a finding whose lines carry a
`# migrator: ignore` comment is recorded as suppressed and its caller makes none of its edits.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from migrator import patterns
from migrator.core import suppressions
from migrator.core.changes import Change, KeyPath
from migrator.core.classify import Classification, RecipeShapeError, classify
from migrator.core.findings import Finding, Level, Rule
from migrator.core.outcome import LocatedFinding, Problem
from migrator.core.plan import Plan, Verdict, verdict
from migrator.core.settings import Options
from migrator.python.document import PythonDocument
from migrator.python.edits import EditSet
from migrator.python.values import Opaque
from migrator.rules import make_plan


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
    handled: set[ast.AST] = field(default_factory=set)
    directives: suppressions.Directives = suppressions.NONE
    suppressed: list[LocatedFinding] = field(default_factory=list)
    held: bool = False  # a suppressed error blocks the migration: the file stays as it is, quietly
    blocked: bool = False  # a warning blocks a config's migration: the file stays as it is, as a blocked YAML does
    reported: set[tuple[int, int, str]] = field(default_factory=set)  # (line, column, code) already reported
    classifications: list[Classification] = field(default_factory=list)  # of each recipe-shaped data decided

    def report(
        self, rule: Rule, message: str, node: ast.AST, changes: Iterable[Change] = (), path: KeyPath = ()
    ) -> bool:
        """Report a finding about `node`; False when a suppression comment on its lines covers it (make no edits then)."""
        finding = rule.finding(message, path, changes)
        if not self.keep([finding], lambda _: node, lambda _: self.doc.lines(node)):
            return False
        self.add(finding, node)
        return True

    def keep(
        self,
        findings: Sequence[Finding],
        node_of: Callable[[Finding], ast.AST],
        lines_about: Callable[[Finding], Collection[int]],
    ) -> list[Finding]:
        """The findings no suppression covers; the others are recorded as suppressed at `node_of(finding)`."""
        kept, suppressed = suppressions.partition(findings, lines_about, self.directives)
        if suppressed:
            self.relevant = True
        self.suppressed += (LocatedFinding(finding, *self.doc.where(node_of(finding))) for finding in suppressed)
        return kept

    def add(self, finding: Finding, node: ast.AST) -> None:
        """Record a finding once: several pairs (or plans) may reach the same code."""
        self.relevant = True
        located = LocatedFinding(finding, *self.doc.where(node))
        key = (located.line, located.column, finding.code)
        if key not in self.reported:
            self.reported.add(key)
            self.findings.append(located)

    def first_time(self, node: ast.AST) -> bool:
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
        for key in patterns.decision_keys(optimizer):
            if isinstance(optimizer.get(key), Opaque):
                return ("optimizer", key)
    return None


def plan_for(
    analysis: Analysis,
    data: Mapping[str, Any],
    where: Callable[[KeyPath], ast.AST],
    lines_of: Callable[[KeyPath], Collection[int]] | None = None,
) -> Plan | None:
    """The plan for this recipe-shaped data, without its suppressed findings; None when nothing is to be done.

    `where` locates a key path in the code; `lines_of` gives the lines whose suppression comment covers
    it (default: `doc.lines(where(path))`). A finding is covered on the lines of its own path and of the
    paths it edits, as in YAML.
    """
    try:
        classification = classify(data, analysis.options.include_peft)
    except RecipeShapeError:
        return None  # not config data after all (e.g. `{"model": model, "optimizer": optimizer}`)
    if classification not in analysis.classifications:
        analysis.classifications.append(classification)
    plan = make_plan(data, classification, analysis.options)
    if plan.target is None:
        return None
    analysis.relevant = True
    lines_of_path = lines_of or (lambda path: analysis.doc.lines(where(path)))
    findings = analysis.keep(
        plan.findings,
        lambda finding: where(finding.path),
        lambda finding: suppressions.lines_about(finding, lines_of_path),
    )
    kept = Plan(plan.target, tuple(findings))
    decision, blocker = verdict(plan, kept)
    if decision is Verdict.FAILED and blocker is not None:
        line, column = analysis.doc.where(where(blocker.path))
        analysis.failure = analysis.failure or Problem(f"{blocker.code} {blocker.message}", line, column)
    if decision is Verdict.BLOCKED:
        analysis.blocked = True  # every finding is reported, each fix as not done
        for finding in kept.findings:
            analysis.add(finding, where(finding.path))
        return None
    if decision is Verdict.FAILED:
        for finding in kept.findings:
            if finding.blocks and finding.rule.level is not Level.ERROR:  # an error is the failure itself
                analysis.add(finding, where(finding.path))
        return None
    if decision is Verdict.HELD:
        # A suppressed error, which would fail the file, still leaves all of it as it is (quietly);
        # a suppressed warning leaves this code.
        analysis.held = analysis.held or plan.failed
        return None
    analysis.targets.add(plan.target)
    return kept
