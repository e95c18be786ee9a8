"""Project defaults from `[tool.migrator]` in the closest pyproject.toml that has one, checked against its JSON Schema.

`schema()` is the single description of the table; `schemas/config.schema.json` is its committed output
for editors (`python -m migrator.schema` writes it, a test keeps it equal). It needs only a handful of
JSON Schema keywords, interpreted here, so a run never pays for importing `jsonschema`; a test checks this
reading agrees with `jsonschema` on valid and invalid tables.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from migrator.core.settings import DEFAULT_MAX_FILE_SIZE, Options
from migrator.patterns import DEFAULT, PATTERNS
from migrator.report import FORMATS
from migrator.rules import RULES  # importing the package registers every rule

_TYPES: Mapping[str, type | tuple[type, ...]] = {
    "string": str,
    "boolean": bool,
    "integer": int,
    "array": list,
    "object": dict,
}


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class ProjectConfig:
    root: Path  # the folder of the pyproject.toml, or the start folder when there is none
    source: Path | None = None
    values: Mapping[str, Any] = field(default_factory=dict)  # keys as written (`include-peft`)


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    def option(description: str, **rule: Any) -> dict[str, Any]:
        return {"description": description, **rule}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:migrator:schema:config",
        "title": "[tool.migrator] in pyproject.toml",
        "description": "Project defaults for `migrate`; an option given on the command line wins over the same key here.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "pattern": option("Pattern risky configs are migrated to (`--pattern`).", enum=sorted(PATTERNS)),
            "exclude": option(
                "Globs of files and folders never searched (`--exclude`; the command line replaces this list). Matched against the path relative to this pyproject.toml's folder, each parent folder and each name.",
                type="array",
                items={"type": "string"},
            ),
            "extend-exclude": option(
                "Globs excluded on top of `exclude` (`--extend-exclude` adds to them).",
                type="array",
                items={"type": "string"},
            ),
            **{
                key: option(what, type="array", items={"type": "string"})
                for key, what in (
                    ("select", "Rules to apply, by code or name (`--select`); default: all."),
                    ("ignore", "Rules not to apply, by code or name (`--ignore`)."),
                    ("extend-select", "Rules to apply on top of `select` (`--extend-select`)."),
                )
            },
            "force-exclude": option(
                "Apply `exclude` to files named on the command line too (`--force-exclude`; what pre-commit needs).",
                type="boolean",
            ),
            "respect-gitignore": option(
                "Inside a git work tree search only files git tracks or would track (`--respect-gitignore`).",
                type="boolean",
            ),
            "include-peft": option("Also migrate PEFT/LoRA configs (`--include-peft`).", type="boolean"),
            "include-tests": option("Also edit Python test code (`--include-tests`).", type="boolean"),
            "convert": option(
                "Also convert configs already on the other recommended pattern (`--convert`).", type="boolean"
            ),
            "force": option("Move to TE FusedAdam even with tp_size > 1 (`--force`).", type="boolean"),
            "assume-bf16-storage": option(
                "Migrate torch Adam configs whose storage dtype the file does not decide as bf16 storage (`--assume-bf16-storage`).",
                type="boolean",
            ),
            "jobs": option("Worker processes (`--jobs`); default: one per available CPU.", type="integer", minimum=1),
            "output-format": option("Report format (`--output-format`).", enum=list(FORMATS)),
            "max-file-size": option(
                "Fail files larger than this instead of parsing them (`--max-file-size`): bytes, or a size like `512K`, `2M`.",
                type=["integer", "string"],
            ),
            "verbose": option(
                "Also print notes for configs that needed nothing, and why each non-recipe was left alone (`-v`).",
                type="boolean",
            ),
        },
    }


def nearest(folder: Path) -> ProjectConfig:
    """The settings of the closest pyproject.toml with a `[tool.migrator]` table, from `folder` upwards (as ruff
    finds its settings): a pyproject.toml without the table is passed over. Cached per folder for the run."""
    folder = Path(os.path.abspath(folder))
    cached = _NEAREST.get(folder)
    if cached is None:
        table = _table(folder / "pyproject.toml")
        if table is not None:
            cached = ProjectConfig(folder, folder / "pyproject.toml", table)
        elif folder.parent == folder:
            cached = ProjectConfig(folder)  # none anywhere: no settings (and no excludes, so the root does not matter)
        else:
            cached = nearest(folder.parent)
        _NEAREST[folder] = cached
    return cached


_NEAREST: dict[Path, ProjectConfig] = {}
_OPTIONS: dict[tuple[Path | None, Path, tuple[tuple[str, Any], ...]], Options] = {}


def forget() -> None:
    """Start a run afresh: a pyproject.toml may have changed since the last run in this process."""
    _NEAREST.clear()
    _OPTIONS.clear()


def load(start: Path) -> ProjectConfig:
    """The settings that apply in `start` (a folder); empty, rooted at `start`, when no table is found."""
    project = nearest(start)
    return project if project.source is not None else ProjectConfig(Path(os.path.abspath(start)))


def load_file(source: Path) -> ProjectConfig:
    """`--config FILE`: that file's `[tool.migrator]` for every file of the run (empty if it has none)."""
    if not source.is_file():
        raise ConfigError(f"{source}: no such file")
    source = Path(os.path.abspath(source))
    return ProjectConfig(source.parent, source, _table(source) or {})


def _table(source: Path) -> Mapping[str, Any] | None:
    """A pyproject.toml's checked `[tool.migrator]`, or None when the file or the table is absent."""
    if not source.is_file():
        return None
    # Imported here: most folders of a run hold no pyproject.toml.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(source, "rb") as handle:
            document = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read: {exc}") from None
    table = document.get("tool", {}).get("migrator")
    if table is None:
        return None
    errors = validate(table)
    if errors:
        raise ConfigError(f"{source}: [tool.migrator] " + "; ".join(errors))
    return table


def validate(value: Any, node: Mapping[str, Any] | None = None, where: str = "") -> list[str]:
    """Errors of `value` against the config schema (the keywords it uses: type, enum, minimum, items, properties)."""
    node = schema() if node is None else node
    label = where or "table"
    expected = node.get("type")
    if expected is not None and not _has_type(value, expected):
        return [f"{label}: expected {expected}, got {type(value).__name__} {value!r}"]
    if "enum" in node and value not in node["enum"]:
        return [f"{label}: {value!r} is not one of " + ", ".join(map(str, node["enum"]))]
    if "minimum" in node and value < node["minimum"]:
        return [f"{label}: {value!r} is less than {node['minimum']}"]
    errors: list[str] = []
    if "items" in node:
        for index, item in enumerate(value):
            errors += validate(item, node["items"], f"{label}[{index}]")
    properties = node.get("properties")
    if properties is not None:
        for key, item in value.items():
            if key in properties:
                errors += validate(item, properties[key], key)
            elif node.get("additionalProperties") is False:
                errors.append(f"unknown key `{key}` (known: {', '.join(properties)})")
    return errors


def _has_type(value: Any, expected: str | list[str]) -> bool:
    if isinstance(expected, list):
        return any(_has_type(value, one) for one in expected)
    if isinstance(value, bool):  # bool is an int subclass; JSON Schema keeps them apart
        return expected == "boolean"
    return isinstance(value, _TYPES[expected])


# What a setting is when neither the command line nor [tool.migrator] gives it.
DEFAULTS: Mapping[str, Any] = {
    "pattern": DEFAULT,
    "exclude": (),
    "force_exclude": False,
    "respect_gitignore": True,
    "include_peft": False,
    "include_tests": False,
    "convert": False,
    "force": False,
    "assume_bf16_storage": False,
    "jobs": None,
    "output_format": "text",
    "extend_exclude": (),
    "select": None,
    "ignore": (),
    "extend_select": (),
    "max_file_size": DEFAULT_MAX_FILE_SIZE,
    "verbose": False,
}


def merge(command_line: Mapping[str, Any], project: ProjectConfig) -> dict[str, Any]:
    """Effective values for DEFAULTS' keys: the command line (when given, i.e. not None) wins over the project."""
    merged = {}
    for key, default in DEFAULTS.items():
        given = command_line.get(key)
        from_project = project.values.get(key.replace("_", "-"), default)
        merged[key] = given if given is not None else from_project
    merged["exclude"] = tuple(merged["exclude"])
    merged["extend_exclude"] = tuple(merged["extend_exclude"])
    return merged


# The settings that may differ per file; the others (jobs, output format, ...) hold for the whole run.
PER_FILE_KEYS = (
    "pattern",
    "convert",
    "force",
    "include_peft",
    "assume_bf16_storage",
    "include_tests",
    "exclude",
    "select",
    "ignore",
    "extend_select",
)


def options_for(folder: Path, overrides: tuple[tuple[str, Any], ...]) -> Options:
    """The engine options for a file in `folder`: the command line's `overrides` over its project's settings.
    Computed once per project and run: every file pays only the folder lookup."""
    project = nearest(folder)
    key = (project.source, project.root, overrides)
    options = _OPTIONS.get(key)
    if options is None:
        options = _OPTIONS[key] = options_of(merge(dict(overrides), project))
    return options


def options_of(values: Mapping[str, Any]) -> Options:
    """The engine options among merged settings; an unknown rule in a selection is a ConfigError."""
    ignored = frozenset(RULES) - selected_rules(values["select"], values["ignore"], values["extend_select"])
    return Options(
        values["pattern"],
        values["convert"],
        values["force"],
        values["include_peft"],
        assume_bf16_storage=values["assume_bf16_storage"],
        include_tests=values["include_tests"],
        ignored=ignored,
    )


def selected_rules(select: Iterable[str] | None, ignore: Iterable[str], extend_select: Iterable[str]) -> frozenset[str]:
    """The codes a run applies: `select` (default: all) plus `extend_select`, minus `ignore`; codes or names."""
    chosen = frozenset(RULES) if select is None else _codes(select)
    return (chosen | _codes(extend_select)) - _codes(ignore)


def _codes(names: Iterable[str]) -> frozenset[str]:
    by_name = {rule.slug: code for code, rule in RULES.items()}
    codes = set()
    for name in names:
        code = name.upper() if name.upper() in RULES else by_name.get(name.lower())
        if code is None:
            raise ConfigError(f"unknown rule `{name}` (see `migrator rules`)")
        codes.add(code)
    return frozenset(codes)
