"""The JSON Schema of each pattern, built from `patterns.py` and `recipes.py` (nothing is spelled twice).

`schemas/pattern-<name>.schema.json` are this module's output, committed for editors and other tools;
a test fails when they differ from `build(name)`. Regenerate them with `python -m migrator.schema`.

A schema says what a recipe on the pattern must hold and nothing about unrelated sections. Recipe
families are told apart the way `recipes.family_of` does (KD and BAGEL resolve unset storage to fp32;
diffusion recipes never take `distributed.mp_policy`), so a schema agrees with `classify`.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Union

from migrator import patterns
from migrator.recipes import DIFFUSION_SECTIONS, Family, recipe_names

Schema = dict[str, Any]
DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
FORBIDDEN: Schema = {"not": {}}
InstancePath = tuple[Union[str, int], ...]


def schema_id(pattern: str) -> str:
    return f"urn:migrator:schema:pattern-{pattern}"


def file_name(pattern: str) -> str:
    return f"pattern-{pattern}.schema.json"


# -- building blocks ---------------------------------------------------------------------------
def _any_case(spellings: Iterable[str], exact: Iterable[str] = ()) -> str:
    """An anchored regex for the spellings in any letter case (dtype_from_str lower-cases, §2.1) and
    the `exact` ones as written (`auto` is special-cased before lower-casing).

    Character classes, not a flag: ECMA-262 regexes (the dialect's) have no inline flags.
    """

    def one(spelling: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in spelling)

    return "^(?:" + "|".join([*map(re.escape, exact), *map(one, spellings)]) + ")$"


def _dtype(spellings: Iterable[str], description: str) -> Schema:
    return {"type": "string", "pattern": _any_case(spellings), "description": description}


def _dtype_or_unset(spellings: Iterable[str], description: str) -> Schema:
    """A dtype spelling, `auto` or null (`pattern` applies to strings only, so no anyOf is needed)."""
    return {"type": ["null", "string"], "pattern": _any_case(spellings, exact=[patterns.AUTO]), "description": description}


def _forbidden(description: str) -> Schema:
    return {**FORBIDDEN, "description": description}


def _under(section: str, schema: Schema) -> Schema:
    return {"properties": {section: schema}}


FP32_DTYPE = _dtype(patterns.FP32_SPELLINGS, "a float32 spelling AutoModel accepts: " + ", ".join(patterns.FP32_SPELLINGS))
ANY_DTYPE = _dtype(
    patterns.BF16_SPELLINGS + patterns.FP32_SPELLINGS + patterns.FP16_SPELLINGS,
    "a dtype spelling AutoModel's dtype_from_str accepts (`fp32` and `fp16` are KeyErrors)",
)


# The predicates below let keywords dispatch on type instead of branching with `anyOf`: fewer branches
# to evaluate on every file migrate writes, and a failure names one reason instead of a list of branches.
def _recipe_key(name_pattern: str) -> Schema:
    """The `recipe` key names a class matching the regex: bare or dotted, or as `{_target_: dotted}` (§1.2)."""
    name = {"type": ["string", "object"], "pattern": name_pattern, "required": ["_target_"]}  # each keyword applies to one type
    return {"required": ["recipe"], "properties": {"recipe": {**name, "properties": {"_target_": {"type": "string", "pattern": name_pattern}}}}}


def _recipe_in(family: Family) -> Schema:
    names = "|".join(sorted(recipe_names(family)))
    return _recipe_key(r"^\s*(?:.*\.)?(?:" + names + r")\s*$")


def _diffusion_recipe() -> Schema:
    """TrainDiffusionRecipe by name, or no recipe name and a section only that recipe reads (as `family_of`)."""
    return {
        "if": _recipe_key(r"\S"),
        "then": _recipe_in(Family.DIFFUSION),
        "else": {"anyOf": [{"required": [section]} for section in DIFFUSION_SECTIONS]},
    }


def _fsdp2_distributed() -> Schema:
    """`distributed` runs FSDP2: strategy fsdp2, or none and no or a legacy FSDP2 `_target_` (§4.1, §4.6)."""
    by_strategy = {"properties": {"strategy": {"enum": sorted(patterns.FSDP2_STRATEGIES)}}}
    by_default = {"properties": {"_target_": {"enum": [None, *sorted(patterns.FSDP2_LEGACY_TARGETS)]}}}
    no_strategy = {"properties": {"strategy": {"type": "null"}}}
    return {"required": ["distributed"], **_under("distributed", {"type": "object", "if": no_strategy, "then": by_default, "else": by_strategy})}


def _storage(dtype: Schema, when_unset: Schema | None = None) -> Schema:
    """What `model` must hold for its storage dtype: `torch_dtype`, or HF's `dtype` when only that is
    written (as `classify.storage_key` decides); `when_unset` applies when neither is."""
    by_hf_key: Schema = {"if": {"required": ["dtype"]}, "then": {"properties": {"dtype": dtype}}}
    if when_unset is not None:
        by_hf_key["else"] = when_unset
    return {"if": {"required": ["torch_dtype"]}, "then": {"properties": {"torch_dtype": dtype}}, "else": by_hf_key}


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
        elif patterns.dtype_kind(value) is not None:
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
    explicit = _under(
        "distributed",
        {
            "required": ["mp_policy"],
            "description": "FSDP2 runs need an explicit mixed-precision policy here (the recommended block equals the default)",
            "properties": {"mp_policy": _mp_policy()},
        },
    )
    required = {"title": "Explicit mp_policy under FSDP2", "if": _fsdp2_distributed(), "then": {"if": _diffusion_recipe(), "else": explicit}}
    strategies = sorted(patterns.NO_MP_POLICY_STRATEGIES)
    rejecting_strategy = _under("distributed", {"type": "object", "required": ["strategy"], "properties": {"strategy": {"enum": strategies}}})
    rejected = {
        "title": "No mp_policy where AutoModel rejects it",
        "if": {"required": ["distributed"], **rejecting_strategy},
        "then": _under(
            "distributed",
            {"properties": {"mp_policy": _forbidden(f"AutoModel raises ValueError for `mp_policy` under {', '.join(strategies)}; remove it")}},
        ),
    }
    return [required, rejected]


# -- the two patterns --------------------------------------------------------------------------
@dataclass(frozen=True)
class PatternRules:
    optimizer: Schema  # what `optimizer` must hold
    rules: list[Schema]  # the rest of the pattern's requirements, each with its reason


def _te_rules() -> PatternRules:
    properties: Schema = {
        "_target_": {"enum": sorted(patterns.TE_FUSED_ADAM_TARGETS), "description": f"pattern te runs Transformer Engine FusedAdam (`{patterns.TE_FUSED_ADAM}`)"},
        "master_weights": {
            "const": patterns.TE_OPTIMIZER_SETTINGS["master_weights"],
            "description": "`master_weights: true` keeps fp32 master weights (TE's default is False: bf16 weights updated in place)",
        },
    }
    for key in patterns.TE_STATE_DTYPE_KEYS:
        properties[key] = {**FP32_DTYPE, "description": f"`{key}` must keep the Adam state in fp32 (absent means TE's fp32 default)"}
    for key in patterns.TE_REJECTED_ARGUMENTS:
        properties[key] = _forbidden(f"TE FusedAdam does not accept `{key}` (TypeError or RuntimeError); remove it")
    optimizer = {
        "title": "TE FusedAdam with fp32 master weights and fp32 Adam state",
        # One `required` per key, so a missing key is reported with its own reason.
        "allOf": [{"required": [key], "description": properties[key]["description"]} for key in ("_target_", "master_weights")],
        "properties": properties,
    }
    torch_dtype = _dtype_or_unset(
        patterns.BF16_SPELLINGS + patterns.FP32_SPELLINGS,
        f"pattern te stores parameters in bf16 (unset, auto, null or {', '.join(patterns.BF16_SPELLINGS)}); float32 works too; fp16 and misspelled dtypes do not",
    )
    storage = {"title": "bf16 parameter storage", **_under("model", _storage(torch_dtype))}
    # BAGEL instantiates the optimizer raw: a dtype string reaches TE unconverted and fails TE's check (§3.3).
    bagel = {
        "title": "BAGEL: no TE state dtype strings",
        "if": _recipe_in(Family.BAGEL),
        "then": _under(
            "optimizer",
            {"properties": {key: _forbidden(f"BAGEL hands `{key}` to TE as a string, which TE rejects; drop it (TE's default is fp32)") for key in patterns.TE_STATE_DTYPE_KEYS}},
        ),
    }
    return PatternRules(optimizer, [storage, bagel])


def _fp32_rules() -> PatternRules:
    # TE arguments torch rejects: TE-only keys that are not also torch arguments (TE_REJECTED_ARGUMENTS are torch's).
    te_only = [key for key in patterns.TE_ONLY_ARGUMENTS if key not in patterns.TE_REJECTED_ARGUMENTS]
    properties: Schema = {
        "_target_": {"enum": sorted(patterns.TORCH_ADAM_TARGETS), "description": f"pattern fp32 runs torch Adam/AdamW (`{patterns.TORCH_ADAMW}`)"}
    }
    for key in te_only:
        properties[key] = _forbidden(f"torch Adam/AdamW does not accept the TE argument `{key}` (TypeError); remove it")
    optimizer = {
        "title": "torch Adam/AdamW",
        "description": f"pattern fp32 needs `_target_: {patterns.TORCH_ADAMW}` (or another torch Adam spelling)",
        "required": ["_target_"],
        "properties": properties,
    }
    fp32 = {**FP32_DTYPE, "description": f"pattern fp32 stores parameters in float32: write `{patterns.PATTERNS['fp32'].storage_dtype}`"}
    kd_storage = _dtype_or_unset(patterns.FP32_SPELLINGS, "KD recipes resolve unset, null or auto storage to float32; a written dtype must be a float32 spelling")
    bagel_storage = {**fp32, "description": "BAGEL stores parameters in float32 when torch_dtype is unset; a written one must be a float32 spelling"}
    unset = {
        "required": ["torch_dtype"],
        "description": f"unset means bf16 for this recipe; pattern fp32 writes `torch_dtype: {patterns.PATTERNS['fp32'].storage_dtype}`",
    }
    storage = {
        "title": "float32 parameter storage (KD and BAGEL recipes default to it)",
        "if": _recipe_in(Family.KD),
        "then": _under("model", _storage(kd_storage)),
        "else": {
            "if": _recipe_in(Family.BAGEL),
            "then": _under("model", _storage(bagel_storage)),
            "else": _under("model", _storage(fp32, when_unset=unset)),
        },
    }
    model_required = {"title": "A model section", "required": ["model"], "description": "pattern fp32 needs a `model` section: the storage dtype is set there"}
    return PatternRules(optimizer, [model_required, storage])


_RULES = {"te": _te_rules, "fp32": _fp32_rules}


def build(pattern: str) -> Schema:
    """The JSON Schema of `pattern` as plain data (the committed file is its JSON)."""
    rules = _RULES[pattern]()
    return {
        "$schema": DIALECT,
        "$id": schema_id(pattern),
        "title": f"AutoModel recipe on pattern {pattern}: {patterns.PATTERNS[pattern].title}",
        "description": f"What a NeMo AutoModel training recipe must hold to keep its Adam state precise on pattern `{pattern}`. "
        "Generated from migrator/patterns.py; sections not named here are not constrained.",
        "type": "object",
        "allOf": [_section_shapes(), _under("optimizer", rules.optimizer), *rules.rules, *_mp_policy_rules()],
    }


@functools.lru_cache(maxsize=None)
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


@functools.lru_cache(maxsize=None)
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
        path, found = path + (kind.property,), " (missing)"
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
    found = {(violation.path, violation.message): violation for violation in (_violation(pattern, error) for error in compiled.iter_errors(data))}
    return sorted(found.values(), key=lambda violation: [str(part) for part in violation.path])


CONFIG_FILE_NAME = "config.schema.json"


def published() -> dict[str, Schema]:
    """Every schema the repository publishes in schemas/, by file name."""
    from migrator import config

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
