"""Before/after checks for Python sources through the whole Python front end."""

from __future__ import annotations

import textwrap

from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Options
from migrator.python import migrate_python
from tests.rules.cases import PYTHON, codes, transformed

__all__ = ["check_noop", "check_transformed", "codes", "run"]


def run(source: str, **options: object) -> Outcome:
    return migrate_python(textwrap.dedent(source), Options(**options))  # type: ignore[arg-type]


def check_noop(source: str, **options: object) -> Outcome:
    outcome = run(source, **options)
    assert outcome.status is not Status.FAILED, outcome.problem
    assert outcome.new_text is None, outcome.new_text
    return outcome


def check_transformed(before: str, after: str, **options: object) -> Outcome:
    return transformed(PYTHON, before, after, **options)
