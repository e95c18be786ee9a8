"""From a classification and the options to the findings (and their changes) for one config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from migrator import patterns
from migrator.changes import Change
from migrator.classify import Classification, Kind
from migrator.rules import RULES, Context, Finding, Level, Options

_MIGRATABLE = (Kind.RISKY, Kind.INCOMPLETE_TE, Kind.ON_PATTERN)


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


def target_pattern(classification: Classification, options: Options, has_model: bool = True) -> str | None:
    kind = classification.kind
    if kind is Kind.RISKY:
        return options.pattern
    # Pattern fp32 lives in model.torch_dtype: without a model section there is nothing to convert to.
    convert = options.convert and (has_model or options.pattern != "fp32")
    if kind is Kind.INCOMPLETE_TE:  # completing it is the least change; --convert asks for the chosen pattern
        return options.pattern if convert else "te"
    if kind is Kind.ON_PATTERN:
        return options.pattern if convert else classification.pattern
    return None


def make_plan(data: Mapping[str, Any], classification: Classification, options: Options) -> Plan:
    target = target_pattern(classification, options, isinstance(data.get("model"), Mapping))
    if target is None or classification.kind not in _MIGRATABLE:
        return Plan(None)
    optimizer_target = (data.get("optimizer") or {}).get("_target_")
    current = "te" if optimizer_target in patterns.TE_FUSED_ADAM_TARGETS else "torch"
    ctx = Context(data, classification, options, target, current)
    findings = [finding for code in sorted(RULES) for finding in RULES[code].check(ctx)]
    return Plan(target, tuple(findings))
