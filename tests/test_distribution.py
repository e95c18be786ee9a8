"""The distribution has a name of its own on PyPI (`migrator` there is an unrelated project), used everywhere
a user installs or refers to it: pyproject, README install commands and CI recipe, pre-commit hooks."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import yaml

import migrator

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
DISTRIBUTION = "automodel-precision-migrator"


def test_pyproject_names_the_distribution_and_keeps_the_commands() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION
    assert set(project["scripts"]) == {"migrate", "migrator"}
    assert metadata.version(DISTRIBUTION) == migrator.__version__


def test_every_readme_install_command_names_the_distribution() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    installs = re.findall(r"pip install ([^\s#&]+(?: @ [^\s#&]+)?)", readme)
    assert installs
    for target in installs:
        # a local checkout (`.`, `-e`, a clone's folder) installs whatever its pyproject names
        if target.startswith((".", "-e", "'.", '".')):
            continue
        assert target.strip("\"'").startswith(DISTRIBUTION), target


def test_pre_commit_hooks_are_named_after_the_distribution() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == [DISTRIBUTION, f"{DISTRIBUTION}-check"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for hook in hooks:
        assert f"id: {hook['id']}" in readme or f"`{hook['id']}`" in readme
