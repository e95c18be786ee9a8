"""Whole-file golden cases: fixtures/<pattern>/<case>/{input,expected}.yaml (+ options.json).

Set MIGRATOR_UPDATE_FIXTURES=1 to rewrite the expected files, then review them in the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from migrator.engine import Status, migrate_yaml
from migrator.files import decode
from migrator.rules import Options
from tests.conftest import FIXTURES

CASES = sorted(path.parent for path in FIXTURES.glob("*/*/input.yaml"))


def _options(case: Path) -> Options:
    extra = json.loads((case / "options.json").read_text()) if (case / "options.json").exists() else {}
    return Options(pattern=case.parent.name, **extra)


def _migrate(raw: bytes, options: Options) -> bytes:
    source = decode(raw)
    outcome = migrate_yaml(source.text, options)
    assert outcome.status is not Status.FAILED, outcome.problem
    return source.restore(outcome.new_text) if outcome.new_text is not None else raw


@pytest.mark.parametrize("case", CASES, ids=[f"{case.parent.name}/{case.name}" for case in CASES])
def test_golden(case: Path) -> None:
    options = _options(case)
    result = _migrate((case / "input.yaml").read_bytes(), options)
    expected_path = case / "expected.yaml"
    if os.environ.get("MIGRATOR_UPDATE_FIXTURES") == "1":
        expected_path.write_bytes(result)
    assert result == expected_path.read_bytes()
    assert _migrate(result, options) == result, "a second run must be a no-op"
    yaml.safe_load(result.decode("utf-8-sig"))


def test_every_pattern_has_fixtures() -> None:
    assert {case.parent.name for case in CASES} == {"te", "fp32"}
