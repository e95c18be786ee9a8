"""Meta tests: every rule is documented, tested and listed in the README (django-upgrade style)."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

from migrator import rules
from migrator.core.findings import Rule
from migrator.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_codes_are_stable_and_unique() -> None:
    assert all(re.fullmatch(r"MIG\d{3}", code) for code in RULES)
    assert len({rule.slug for rule in RULES.values()}) == len(RULES)


def test_every_rule_is_documented_in_ruff_shape() -> None:
    for rule in RULES.values():
        assert rule.doc.startswith("## What it does"), rule.code
        assert "## Why" in rule.doc, rule.code


def test_every_rule_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for rule in RULES.values():
        assert f"| {rule.code} | {rule.slug}" in readme, rule.code


def test_every_rule_is_exercised_by_the_tests() -> None:
    tests = "\n".join(path.read_text() for path in (ROOT / "tests").rglob("test_*.py"))
    for code in RULES:
        assert code in tests, f"{code} has no test"


def test_every_rule_is_listed_by_a_fresh_process() -> None:
    """The registry fills as `migrator.rules` loads: a command that only lists rules must still see all of them."""
    listed = subprocess.run(
        [sys.executable, "-m", "migrator", "rules"], capture_output=True, text=True, check=True
    ).stdout
    assert [line.split()[0] for line in listed.splitlines()] == sorted(RULES)


def _codes_by_module() -> dict[str, set[str]]:
    """The codes each rule module registers, by module name (`implicit_mp_policy`, ...)."""
    found: dict[str, set[str]] = {}
    for module in pkgutil.iter_modules(rules.__path__):
        namespace = vars(importlib.import_module(f"{rules.__name__}.{module.name}"))
        found[module.name] = {
            value.code
            for value in namespace.values()
            if isinstance(value, Rule) and (value.check is None or value.check.__module__ == namespace["__name__"])
        }
    return found


def test_tests_mirror_the_rule_modules() -> None:
    by_module = _codes_by_module()
    assert len(by_module) == len(RULES) and set().union(*by_module.values()) == set(RULES)
    test_files = {path.stem.removeprefix("test_") for path in (ROOT / "tests" / "rules").glob("test_*.py")}
    assert test_files - {"registry"} == set(by_module)
    for module, codes in by_module.items():
        text = (ROOT / "tests" / "rules" / f"test_{module}.py").read_text()
        assert all(code in text for code in codes), f"test_{module}.py does not name {codes}"
