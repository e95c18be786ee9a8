"""Building blocks of the pattern JSON Schemas, shared by `migrator.schema` and each pattern's own fragment."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Union

from migrator.core import automodel, builders
from migrator.core.recipes import DIFFUSION_SECTIONS, Family, recipe_names

Schema = dict[str, Any]
FORBIDDEN: Schema = {"not": {}}
InstancePath = tuple[Union[str, int], ...]


def any_case(spellings: Iterable[str], exact: Iterable[str] = ()) -> str:
    """An anchored regex for the spellings in any letter case (dtype_from_str lower-cases, §2.1) and
    the `exact` ones as written (`auto` is special-cased before lower-casing).

    Character classes, not a flag: ECMA-262 regexes (the dialect's) have no inline flags.
    """

    def one(spelling: str) -> str:
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in spelling)

    return "^(?:" + "|".join([*map(re.escape, exact), *map(one, spellings)]) + ")$"


def dtype(spellings: Iterable[str], description: str) -> Schema:
    return {"type": "string", "pattern": any_case(spellings), "description": description}


def dtype_or_unset(spellings: Iterable[str], description: str) -> Schema:
    """A dtype spelling, `auto` or null (`pattern` applies to strings only, so no anyOf is needed)."""
    return {
        "type": ["null", "string"],
        "pattern": any_case(spellings, exact=[automodel.AUTO]),
        "description": description,
    }


def forbidden(description: str) -> Schema:
    return {**FORBIDDEN, "description": description}


def under(section: str, schema: Schema) -> Schema:
    return {"properties": {section: schema}}


# Not a PEFT run: `peft` absent or null (facts §5).
NOT_PEFT: Schema = under("peft", {"type": "null"})
FP32_DTYPE = dtype(
    automodel.FP32_SPELLINGS, "a float32 spelling AutoModel accepts: " + ", ".join(automodel.FP32_SPELLINGS)
)
ANY_DTYPE = dtype(
    automodel.BF16_SPELLINGS + automodel.FP32_SPELLINGS + automodel.FP16_SPELLINGS,
    "a dtype spelling AutoModel's dtype_from_str accepts (`fp32` and `fp16` are KeyErrors)",
)


# The predicates below let keywords dispatch on type instead of branching with `anyOf`: fewer branches
# to evaluate on every file migrate writes, and a failure names one reason instead of a list of branches.
def recipe_key(name_pattern: str) -> Schema:
    """The `recipe` key names a class matching the regex: bare or dotted, or as `{_target_: dotted}` (facts §1.2)."""
    name = {
        "type": ["string", "object"],
        "pattern": name_pattern,
        "required": ["_target_"],
    }  # each keyword applies to one type
    return {
        "required": ["recipe"],
        "properties": {"recipe": {**name, "properties": {"_target_": {"type": "string", "pattern": name_pattern}}}},
    }


def recipe_in(family: Family) -> Schema:
    names = "|".join(sorted(recipe_names(family)))
    return recipe_key(r"^\s*(?:.*\.)?(?:" + names + r")\s*$")


def diffusion_recipe() -> Schema:
    """TrainDiffusionRecipe by name, or no recipe name and a section only that recipe reads (as `family_of`)."""
    return {
        "if": recipe_key(r"\S"),
        "then": recipe_in(Family.DIFFUSION),
        "else": {"anyOf": [{"required": [section]} for section in DIFFUSION_SECTIONS]},
    }


def fsdp2_distributed() -> Schema:
    """`distributed` runs FSDP2: strategy fsdp2, or none and no or a legacy FSDP2 `_target_` (facts §4.1, §4.6)."""
    by_strategy = {"properties": {"strategy": {"enum": sorted(automodel.FSDP2_STRATEGIES)}}}
    by_default = {"properties": {"_target_": {"enum": [None, *sorted(automodel.FSDP2_LEGACY_TARGETS)]}}}
    no_strategy = {"properties": {"strategy": {"type": "null"}}}
    return {
        "required": ["distributed"],
        **under("distributed", {"type": "object", "if": no_strategy, "then": by_default, "else": by_strategy}),
    }


def storage(dtype: Schema, when_unset: Schema | None = None) -> Schema:
    """What `model` must hold for its storage dtype: `torch_dtype`, or HF's `dtype` when only that is
    written (as `classify.storage_key` decides); `when_unset` applies when neither is."""
    by_hf_key: Schema = {"if": {"required": ["dtype"]}, "then": {"properties": {"dtype": dtype}}}
    if when_unset is not None:
        by_hf_key["else"] = when_unset
    return {"if": {"required": ["torch_dtype"]}, "then": {"properties": {"torch_dtype": dtype}}, "else": by_hf_key}


def target_matches(name_pattern: str) -> Schema:
    """A `model` mapping whose `_target_` is a string matching the regex."""
    return {"required": ["_target_"], **under("_target_", {"type": "string", "pattern": name_pattern})}


def dtype_ignoring_builder() -> Schema:
    """`model._target_` names a builder that swallows a dtype argument and builds fp32 (`builders.py`)."""
    names = "|".join(map(re.escape, sorted(builders.DTYPE_IGNORING_BUILDERS)))
    return target_matches(r"^\s*(?:" + names + r")\s*$")


def by_builder(storage_rule: Schema) -> Schema:
    """`storage_rule` on a config, unless its model's builder ignores the storage dtype (anything written is moot)."""
    return {"if": {"required": ["model"], **under("model", dtype_ignoring_builder())}, "else": storage_rule}


def hf_loader(method: str) -> Schema:
    """`model._target_` is a Hugging Face `from_pretrained`/`from_config`, loaded without AutoModel's dtype handling."""
    return target_matches(r"^\s*" + re.escape(builders.HF_PACKAGE) + r"\..*\." + method + r"\s*$")


def config_gives(dtype: Schema) -> Schema:
    """A `model.config` that gives `dtype`: its own dtype key (as `builders.config_dtype` reads it), or, with
    none, a config built from its arguments (torch's default fp32, `builders.config_built`)."""
    written = {"not": {"type": "null"}}
    not_loaded = {"not": {"pattern": r"(?:^\s*|\.)" + builders.CHECKPOINT_CONFIG_METHOD + r"\s*$"}}
    built = {
        "required": ["_target_"],
        "description": "a config class built without a dtype builds the model in float32; one from a checkpoint in the checkpoint's dtype",
        **under("_target_", {"type": "string", **not_loaded}),
    }
    first, second = builders.CONFIG_DTYPE_KEYS
    return {
        "type": "object",
        "if": {"required": [first], **under(first, written)},
        "then": under(first, dtype),
        "else": {"if": {"required": [second], **under(second, written)}, "then": under(second, dtype), "else": built},
    }
