"""The JSON Schema of each pattern, built from `migrator.patterns` (each pattern
owns its fragment) and `core/recipes.py` (nothing is spelled twice).

`schemas/pattern-<name>.schema.json` are this module's output, committed for editors and other tools;
a test fails when they differ from `build(name)`. Regenerate them with `python -m migrator.schema`.

A schema says what a recipe on the pattern must hold and nothing about unrelated sections. Recipe
families are told apart the way `recipes.family_of` does (KD and BAGEL resolve unset storage to fp32;
diffusion recipes never take `distributed.mp_policy`), so a schema agrees with `classify`.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrator import config, patterns
from migrator.core import automodel
from migrator.core.recipes import DIFFUSION_SECTIONS
from migrator.core.schema_blocks import (
    ANY_DTYPE,
    InstancePath,
    Schema,
    diffusion_recipe,
    forbidden,
    fsdp2_distributed,
    under,
)

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


def schema_id(pattern: str) -> str:
    return f"urn:migrator:schema:pattern-{pattern}"


def file_name(pattern: str) -> str:
    return f"pattern-{pattern}.schema.json"


# -- requirements shared by both patterns ------------------------------------------------------
def _section_shapes() -> Schema:
    return {
        "title": "The sections a pattern reads are mappings",
        "required": ["optimizer"],
        "description": "a training recipe needs an `optimizer` mapping",
        "properties": {
            "optimizer": {"type": "object", "description": "`optimizer` must be a mapping"},
            "model": {"type": "object", "description": "`model` must be a mapping"},
            "distributed": {"type": ["object", "null"], "description": "`distributed` must be a mapping"},
        },
    }


def _mp_policy() -> Schema:
    properties: Schema = {"_target_": {"type": "string", "description": "the policy class AutoModel instantiates"}}
    for key, value in patterns.MP_POLICY.items():
        if isinstance(value, bool):
            properties[key] = {"type": "boolean", "description": f"`{key}` is passed through as a bool"}
        elif automodel.dtype_kind(value) is not None:
            properties[key] = ANY_DTYPE
    return {
        "title": "Explicit FSDP2 mixed-precision policy",
        "description": "the FSDP2 policy is written out in full; values may differ from `default`, the recommended block (equal to FSDP2's own)",
        "default": dict(patterns.MP_POLICY),
        "type": "object",
        "required": list(patterns.MP_POLICY),
        "properties": properties,
    }


def _mp_policy_rules() -> list[Schema]:
    explicit = under(
        "distributed",
        {
            "required": ["mp_policy"],
            "description": "FSDP2 runs need an explicit mixed-precision policy here (the recommended block is AutoModel's source default; `migrator verify` shows what it changes on the installed release)",
            "properties": {"mp_policy": _mp_policy()},
        },
    )
    required = {
        "title": "Explicit mp_policy under FSDP2",
        "if": fsdp2_distributed(),
        "then": {"if": diffusion_recipe(), "else": explicit},
    }
    strategies = sorted(automodel.NO_MP_POLICY_STRATEGIES)
    rejecting_strategy = under(
        "distributed", {"type": "object", "required": ["strategy"], "properties": {"strategy": {"enum": strategies}}}
    )
    rejected = {
        "title": "No mp_policy where AutoModel rejects it",
        "if": {"required": ["distributed"], **rejecting_strategy},
        "then": under(
            "distributed",
            {
                "properties": {
                    "mp_policy": forbidden(
                        f"AutoModel raises ValueError for `mp_policy` under {', '.join(strategies)}; remove it"
                    )
                }
            },
        ),
    }
    return [required, rejected]


def build(pattern: str) -> Schema:
    """The JSON Schema of `pattern` as plain data (the committed file is its JSON)."""
    rules = patterns.PATTERNS[pattern].schema_rules()
    return {
        "$schema": DIALECT,
        "$id": schema_id(pattern),
        "title": f"AutoModel recipe on pattern {pattern}: {patterns.PATTERNS[pattern].title}",
        "description": f"What a NeMo AutoModel training recipe must hold to keep its Adam state precise on pattern `{pattern}`. "
        "Generated from migrator/patterns/; sections not named here are not constrained.",
        "type": "object",
        "allOf": [_section_shapes(), under("optimizer", rules.optimizer), *rules.rules, *_mp_policy_rules()],
    }


@functools.cache
def build_cached(pattern: str) -> Schema:
    """`build` once per process; callers must not mutate the result."""
    return build(pattern)


def dumps(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# -- validation --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Violation:
    """One requirement a config misses: where (keys into the data) and why."""

    path: InstancePath
    message: str

    @property
    def key_path(self) -> tuple[str, ...]:
        """The leading string keys of `path`: what `YamlDocument.line_of` can locate."""
        keys: list[str] = []
        for part in self.path:
            if not isinstance(part, str):
                break
            keys.append(part)
        return tuple(keys)


@functools.cache
def validator(pattern: str) -> Any:
    """Compiled once per pattern and process.

    jsonschema-rs, not python-jsonschema: it checks a migrated config in ~7 us instead of ~300 us
    and imports in 16 ms instead of 60 ms, which keeps `migrate --check` near its parse time.
    """
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(build_cached(pattern))


def _subschema(pattern: str, schema_path: Iterable[str | int]) -> Any:
    node: Any = build_cached(pattern)
    for part in schema_path:
        node = node[part]
    return node


def _violation(pattern: str, error: Any) -> Violation:
    """Where the error is, and the reason written on the failing subschema (jsonschema's words as a fallback)."""
    import jsonschema_rs

    path: InstancePath = tuple(error.instance_path)
    kind = error.kind
    *owner_path, _keyword = error.schema_path
    owner = _subschema(pattern, owner_path)
    reason = owner.get("description") if isinstance(owner, dict) else None
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        path, found = (*path, kind.property), " (missing)"
    elif isinstance(kind, jsonschema_rs.ValidationErrorKind.Not):
        found = ""
    else:
        found = f" (found {json.dumps(error.instance, default=str)})"
    where = ".".join(str(part) for part in path) or "<root>"
    return Violation(path, f"{where}: {reason or error.message}{found}")


# The only top-level keys a pattern schema reads; the rest of a config is never looked at.
READ_SECTIONS = ("recipe", "optimizer", "model", "distributed", *DIFFUSION_SECTIONS)
_JSON_SCALARS = (str, int, float, bool, type(None))


def _json_safe(value: Any) -> Any:
    """YAML can hold dates, bytes and non-string keys, which a JSON Schema validator cannot take: stringify them."""
    if isinstance(value, dict):
        return {key if isinstance(key, str) else str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value if isinstance(value, _JSON_SCALARS) else str(value)


def schema_view(data: Any) -> Any:
    """What a schema sees of a config: the sections it reads, as JSON data."""
    if not isinstance(data, dict):
        return _json_safe(data)
    return {key: _json_safe(data[key]) for key in READ_SECTIONS if key in data}


def violations(data: Any, pattern: str) -> list[Violation]:
    """Every requirement of `pattern` that `data` misses, once each, ordered by path."""
    compiled = validator(pattern)
    data = schema_view(data)
    if compiled.is_valid(data):  # the usual case for migrate, and cheaper than collecting errors
        return []
    found = {
        (violation.path, violation.message): violation
        for violation in (_violation(pattern, error) for error in compiled.iter_errors(data))
    }
    return sorted(found.values(), key=lambda violation: [str(part) for part in violation.path])


CONFIG_FILE_NAME = "config.schema.json"


def published() -> dict[str, Schema]:
    """Every schema the repository publishes in schemas/, by file name."""
    documents = {file_name(pattern): build(pattern) for pattern in patterns.PATTERNS}
    documents[CONFIG_FILE_NAME] = config.schema()
    return documents


def write_all(folder: Path = SCHEMA_DIR) -> list[Path]:
    written = []
    for name, document in published().items():
        path = folder / name
        path.write_text(dumps(document), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else SCHEMA_DIR):
        print(written_path)
