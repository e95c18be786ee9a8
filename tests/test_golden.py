"""Whole-file golden cases: fixtures/<pattern>/<case>/{input,expected}.{yaml,py,md,mdx,rst} (+ options.json).

Set MIGRATOR_UPDATE_FIXTURES=1 to rewrite the expected files, then review them in the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from migrator.core.outcome import Status
from migrator.core.settings import Options
from migrator.documents import SUFFIXES as DOCUMENT_SUFFIXES
from migrator.documents.front_end import code_blocks
from migrator.files import decode
from migrator.process import front_end
from tests.conftest import FIXTURES

SUFFIXES = (".yaml", ".py", ".md", ".mdx", ".rst")
INPUTS = sorted(path for suffix in SUFFIXES for path in FIXTURES.glob(f"*/*/input{suffix}"))


def _options(case: Path) -> Options:
    extra = json.loads((case / "options.json").read_text()) if (case / "options.json").exists() else {}
    return Options(pattern=case.parent.name, **extra)


def _migrate(raw: bytes, options: Options, suffix: str) -> bytes:
    source = decode(raw)
    migrate = front_end(suffix)
    assert migrate is not None
    outcome = migrate(source.text, options)
    assert outcome.status is not Status.FAILED, outcome.problem
    return source.restore(outcome.new_text) if outcome.new_text is not None else raw


def _parses(result: bytes, suffix: str) -> None:
    text = result.decode("utf-8-sig")
    if suffix == ".py":
        compile(text, "expected.py", "exec", dont_inherit=True)
    elif suffix in DOCUMENT_SUFFIXES:
        for snippet in code_blocks(text, suffix):
            _parses(snippet.text.encode(), snippet.suffix)
    else:
        yaml.safe_load(text)


@pytest.mark.parametrize(
    "input_path", INPUTS, ids=[f"{p.parent.parent.name}/{p.parent.name}{p.suffix}" for p in INPUTS]
)
def test_golden(input_path: Path) -> None:
    case, suffix = input_path.parent, input_path.suffix
    options = _options(case)
    result = _migrate(input_path.read_bytes(), options, suffix)
    expected_path = case / f"expected{suffix}"
    if os.environ.get("MIGRATOR_UPDATE_FIXTURES") == "1":
        expected_path.write_bytes(result)
    assert result == expected_path.read_bytes()
    assert _migrate(result, options, suffix) == result, "a second run must be a no-op"
    _parses(result, suffix)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_pattern_has_fixtures(suffix: str) -> None:
    assert {path.parent.parent.name for path in INPUTS if path.suffix == suffix} == {"te", "fp32"}
