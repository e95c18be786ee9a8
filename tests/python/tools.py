"""Before/after checks for Python sources through the whole Python front end."""

from __future__ import annotations

import textwrap

from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Options
from migrator.python import migrate_python


def run(source: str, **options: object) -> Outcome:
    return migrate_python(textwrap.dedent(source), Options(**options))  # type: ignore[arg-type]


def check_noop(source: str, **options: object) -> Outcome:
    outcome = run(source, **options)
    assert outcome.status is not Status.FAILED, outcome.problem
    assert outcome.new_text is None, outcome.new_text
    return outcome


def check_transformed(before: str, after: str, **options: object) -> Outcome:
    outcome = run(before, **options)
    assert outcome.status is Status.MIGRATED, outcome.problem or outcome.findings
    assert outcome.new_text == textwrap.dedent(after)
    compile(outcome.new_text, "after.py", "exec", dont_inherit=True)
    again = run(outcome.new_text, **options)
    assert again.new_text is None, f"not idempotent:\n{again.new_text}"
    return outcome


def codes(outcome: Outcome) -> list[str]:
    return [located.finding.code for located in outcome.findings]
