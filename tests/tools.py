"""Shared test helpers: before/after checks through the whole YAML engine (parse, splice, verify)."""

from __future__ import annotations

import textwrap

from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Options
from migrator.yaml.front_end import migrate_yaml
from tests.rules.cases import YAML, transformed

__all__ = ["check_noop", "check_transformed", "run", "sorted_codes"]


def run(source: str, **options: object) -> Outcome:
    return migrate_yaml(source, Options(**options))  # type: ignore[arg-type]


def check_noop(source: str, **options: object) -> Outcome:
    outcome = run(textwrap.dedent(source), **options)
    assert outcome.status is not Status.MIGRATED, outcome.new_text
    assert outcome.new_text is None
    return outcome


def check_transformed(before: str, after: str, **options: object) -> Outcome:
    return transformed(YAML, before, after, **options)


def sorted_codes(outcome: Outcome) -> list[str]:
    """The codes raised, in code order (reports list findings in file order)."""
    return sorted(located.finding.code for located in outcome.findings)
