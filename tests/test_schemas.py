"""The pattern schemas: well-formed, committed as generated, and one source with patterns.py and classify."""

from __future__ import annotations

import itertools
import json
from typing import Any

import jsonschema
import pytest

from migrator import patterns, schema
from migrator.core import automodel, builders
from migrator.core.classify import Kind, classify, storage_key
from migrator.core.recipes import Family, recipe_names
from migrator.patterns import te
from tests.conftest import ROOT

PATTERNS = sorted(patterns.PATTERNS)
ABSENT = object()


def _recipe(pattern: str, **sections: Any) -> dict[str, Any]:
    """A recipe exactly on `pattern`, written from patterns.py's canonical values; sections override."""
    if pattern == "te":
        optimizer = {"_target_": automodel.TE_FUSED_ADAM, "lr": 1.0e-5, "adam_w_mode": True, **te.SETTINGS}
    else:
        optimizer = {"_target_": automodel.TORCH_ADAMW, "lr": 1.0e-5, "weight_decay": 0.01}
    data: dict[str, Any] = {
        "recipe": "TrainFinetuneRecipeForNextTokenPrediction",
        "model": {"pretrained_model_name_or_path": "m", "torch_dtype": patterns.PATTERNS[pattern].storage_dtype},
        "distributed": {"strategy": "fsdp2", "mp_policy": dict(patterns.MP_POLICY)},
        "optimizer": optimizer,
    }
    for name, value in sections.items():
        if value is ABSENT:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def _with(data: dict[str, Any], section: str, **keys: Any) -> dict[str, Any]:
    changed = dict(data[section])
    for key, value in keys.items():
        if value is ABSENT:
            changed.pop(key, None)
        else:
            changed[key] = value
    return {**data, section: changed}


def _paths(data: Any, pattern: str) -> list[tuple[Any, ...]]:
    return [violation.path for violation in schema.violations(data, pattern)]


# -- the files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern", PATTERNS)
def test_committed_schema_is_well_formed_draft_2020_12(pattern: str) -> None:
    document = json.loads((ROOT / "schemas" / schema.file_name(pattern)).read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == schema.schema_id(pattern)
    assert document["title"] and document["description"]
    assert all(rule.get("title") for rule in document["allOf"] if "if" in rule)


@pytest.mark.parametrize("name", sorted(schema.published()))
def test_committed_schema_is_what_the_code_generates(name: str) -> None:
    committed = (ROOT / "schemas" / name).read_text()
    assert committed == schema.dumps(schema.published()[name]), "stale schema: run `python -m migrator.schema`"


def test_schemas_folder_holds_exactly_the_published_schemas() -> None:
    assert sorted(path.name for path in (ROOT / "schemas").glob("*.json")) == sorted(schema.published())


@pytest.mark.parametrize("pattern", PATTERNS)
def test_python_jsonschema_agrees_with_the_fast_validator(pattern: str) -> None:
    reference = jsonschema.Draft202012Validator(schema.build(pattern))
    samples = [
        _recipe(name, **extra)
        for name in PATTERNS
        for extra in ({}, {"model": {}}, {"distributed": {"strategy": "ddp"}}, {"optimizer": 3})
    ]
    for sample in samples:
        assert reference.is_valid(sample) == (not schema.violations(sample, pattern)), sample


# -- every canonical value of patterns.py, checked through the schema ----------------------------
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_canonical_recipe_follows_its_pattern_only(pattern: str) -> None:
    assert _paths(_recipe(pattern), pattern) == []
    other = next(name for name in PATTERNS if name != pattern)
    assert ("optimizer", "_target_") in _paths(_recipe(pattern), other)


@pytest.mark.parametrize("target", sorted(automodel.TE_FUSED_ADAM_TARGETS))
def test_every_te_fused_adam_spelling_is_pattern_te(target: str) -> None:
    assert _paths(_with(_recipe("te"), "optimizer", _target_=target), "te") == []


@pytest.mark.parametrize("target", sorted(automodel.TORCH_ADAM_TARGETS))
def test_every_torch_adam_spelling_is_pattern_fp32(target: str) -> None:
    assert _paths(_with(_recipe("fp32"), "optimizer", _target_=target), "fp32") == []


@pytest.mark.parametrize("key", te.REJECTED_ARGUMENTS)
def test_arguments_te_rejects_are_reported_at_their_key(key: str) -> None:
    assert _paths(_with(_recipe("te"), "optimizer", **{key: False}), "te") == [("optimizer", key)]


@pytest.mark.parametrize("key", [key for key in te.ONLY_ARGUMENTS if key not in te.REJECTED_ARGUMENTS])
def test_te_only_arguments_are_rejected_under_fp32(key: str) -> None:
    assert _paths(_with(_recipe("fp32"), "optimizer", **{key: True}), "fp32") == [("optimizer", key)]


@pytest.mark.parametrize("key", te.PRECISION_KEYS)
def test_each_te_precision_setting_is_required_or_checked(key: str) -> None:
    wrong = False if te.SETTINGS[key] is True else "torch.bfloat16"
    assert _paths(_with(_recipe("te"), "optimizer", **{key: wrong}), "te") == [("optimizer", key)]
    absent = _paths(_with(_recipe("te"), "optimizer", **{key: ABSENT}), "te")
    assert absent == ([] if key in te.STATE_DTYPE_KEYS else [("optimizer", key)])  # TE's state default is fp32


@pytest.mark.parametrize(
    ("pattern", "spellings", "valid"),
    [
        ("fp32", automodel.FP32_SPELLINGS, True),
        ("fp32", automodel.BF16_SPELLINGS + automodel.FP16_SPELLINGS + (automodel.AUTO, "fp32", "FP32"), False),
        ("te", automodel.BF16_SPELLINGS + automodel.FP32_SPELLINGS + (automodel.AUTO,), True),
        ("te", (*automodel.FP16_SPELLINGS, "fp32", "bf 16", "AUTO"), False),
    ],
)
def test_storage_spellings_in_any_case(pattern: str, spellings: tuple[str, ...], valid: bool) -> None:
    cases = {spelling for spelling in spellings} | (
        {spelling.upper() for spelling in spellings if spelling != automodel.AUTO}
    )
    for spelling in sorted(cases):
        found = _paths(_with(_recipe(pattern), "model", torch_dtype=spelling), pattern)
        assert (found == []) == valid, spelling
        assert found in ([], [("model", "torch_dtype")])


@pytest.mark.parametrize("key", list(patterns.MP_POLICY))
def test_each_mp_policy_key_is_required_under_fsdp2(key: str) -> None:
    policy = {name: value for name, value in patterns.MP_POLICY.items() if name != key}
    data = _recipe("fp32", distributed={"strategy": "fsdp2", "mp_policy": policy})
    assert _paths(data, "fp32") == [("distributed", "mp_policy", key)]


def test_an_existing_policy_may_differ_from_the_recommended_values() -> None:
    policy = {
        **patterns.MP_POLICY,
        "output_dtype": "float32",
        "reduce_dtype": "bf16",
    }  # dLLM and BAGEL do this on purpose
    assert _paths(_recipe("fp32", distributed={"strategy": "fsdp2", "mp_policy": policy}), "fp32") == []
    misspelled = {**patterns.MP_POLICY, "reduce_dtype": "fp32"}
    assert _paths(_recipe("fp32", distributed={"mp_policy": misspelled}), "fp32") == [
        ("distributed", "mp_policy", "reduce_dtype")
    ]


@pytest.mark.parametrize(
    ("distributed", "needs_policy"),
    [
        ({"strategy": "fsdp2"}, True),
        ({"dp_size": 2}, True),
        ({"strategy": None}, True),
        *[({"_target_": target}, True) for target in sorted(automodel.FSDP2_LEGACY_TARGETS)],
        *[({"strategy": strategy}, False) for strategy in sorted(automodel.NO_MP_POLICY_STRATEGIES)],
        ({"_target_": "some.OtherManager"}, False),
        ({"strategy": "unknown"}, False),
        (ABSENT, False),
        (None, False),
    ],
)
def test_mp_policy_required_exactly_under_fsdp2(distributed: Any, needs_policy: bool) -> None:
    found = _paths(_recipe("te", distributed=distributed), "te")
    assert found == ([("distributed", "mp_policy")] if needs_policy else [])


@pytest.mark.parametrize("strategy", sorted(automodel.NO_MP_POLICY_STRATEGIES))
def test_mp_policy_rejected_where_automodel_raises(strategy: str) -> None:
    data = _recipe("te", distributed={"strategy": strategy, "mp_policy": dict(patterns.MP_POLICY)})
    assert _paths(data, "te") == [("distributed", "mp_policy")]


@pytest.mark.parametrize(
    "diffusion",
    [
        {"recipe": "TrainDiffusionRecipe"},
        {"recipe": ABSENT, "flow_matching": {}},
        {"recipe": ABSENT, "fsdp": {}},
        {"recipe": None, "ddp": {}},
    ],
)
def test_diffusion_recipes_never_need_mp_policy(diffusion: dict[str, Any]) -> None:
    assert _paths(_recipe("fp32", distributed={"strategy": "fsdp2"}, **diffusion), "fp32") == []
    assert _paths(
        _recipe("fp32", distributed={"strategy": "fsdp2"}, recipe="TrainFinetuneRecipeForNextTokenPrediction"), "fp32"
    ) == [("distributed", "mp_policy")]


def test_bagel_cannot_take_te_state_dtype_strings() -> None:
    bagel = _recipe("te", recipe="FinetuneRecipeForMultimodal")
    assert _paths(bagel, "te") == [("optimizer", key) for key in sorted(te.STATE_DTYPE_KEYS)]
    without = {**bagel, "optimizer": {k: v for k, v in bagel["optimizer"].items() if k not in te.STATE_DTYPE_KEYS}}
    assert _paths(without, "te") == []


def test_section_shapes_are_checked() -> None:
    assert _paths(_recipe("fp32", optimizer=[1]), "fp32") == [("optimizer",)]
    assert _paths(_recipe("fp32", optimizer=ABSENT), "fp32") == [("optimizer",)]
    assert ("model",) in _paths(_recipe("fp32", model="float32"), "fp32")
    assert _paths(["not", "a", "mapping"], "te") == [()]


def test_yaml_only_values_do_not_break_validation() -> None:
    import datetime

    data = _recipe("fp32", checkpoint={"when": datetime.date(2026, 1, 1), 3: b"x"})
    data["model"] = {**data["model"], "torch_dtype": datetime.date(2026, 1, 1)}
    assert _paths(data, "fp32") == [("model", "torch_dtype")]


# -- the schema decides what classify decides ---------------------------------------------------
_RECIPES = [
    None,
    "TrainFinetuneRecipeForNextTokenPrediction",
    *sorted(recipe_names(Family.KD)),
    *(f"nemo_automodel.recipes.multimodal.finetune.{name}" for name in sorted(recipe_names(Family.BAGEL))),
    {"_target_": "nemo_automodel.recipes.llm.kd.KnowledgeDistillationRecipeForNextTokenPrediction"},
]
_DTYPES = [
    ABSENT,
    None,
    automodel.AUTO,
    "Auto",
    *automodel.BF16_SPELLINGS,
    *automodel.FP32_SPELLINGS,
    "FLOAT32",
    "fp32",
    32,
]
_OPTIMIZERS = [
    *({"_target_": target, "weight_decay": 0.0} for target in sorted(automodel.TORCH_ADAM_TARGETS)),
    *({"_target_": target, **te.SETTINGS} for target in sorted(automodel.TE_FUSED_ADAM_TARGETS)),
    {"_target_": automodel.TE_FUSED_ADAM, "master_weights": True},
    {"_target_": automodel.TE_FUSED_ADAM, "master_weights": True, "exp_avg_dtype": "torch.bfloat16"},
    {"_target_": automodel.TE_FUSED_ADAM},
    {"_target_": "flashoptim.FlashAdamW"},
]


_STORAGE_KEYS = [("torch_dtype",), ("dtype",), ("torch_dtype", "dtype")]  # HF's `dtype` counts only without torch_dtype
_HF_CONFIG = "transformers.AutoModelForCausalLM.from_config"
_BUILDERS: list[dict[str, Any]] = [  # one of each kind in core/builders.py
    {},
    {"_target_": "nemo_automodel.NeMoAutoModelForCausalLM.from_config"},
    {"_target_": "nemo_automodel.NeMoAutoModelBiEncoder.from_pretrained"},
    {"_target_": "transformers.AutoModelForCausalLM.from_pretrained"},
    {"_target_": _HF_CONFIG, "config": {"_target_": "transformers.LlamaConfig"}},
    {"_target_": _HF_CONFIG, "config": {"_target_": "transformers.AutoConfig.from_pretrained"}},
    {"_target_": _HF_CONFIG, "config": {"_target_": "transformers.AutoConfig.from_pretrained", "dtype": "float32"}},
    {"_target_": _HF_CONFIG, "config": {"_target_": "transformers.LlamaConfig", "torch_dtype": "bfloat16"}},
    {"_target_": "nemo_automodel.components.models.gpt2.build_gpt2_model"},
    {"_target_": "my_project.build_model"},
]


def _grid() -> list[dict[str, Any]]:
    grid = []
    for recipe, dtype, optimizer, keys, builder in itertools.product(
        _RECIPES, _DTYPES, _OPTIMIZERS, _STORAGE_KEYS, _BUILDERS
    ):
        model: dict[str, Any] = {"pretrained_model_name_or_path": "m", **builder}
        if dtype is not ABSENT:
            model.update({key: dtype if index == 0 else "float16" for index, key in enumerate(keys)})
        data = {
            "model": model,
            "optimizer": optimizer,
            "distributed": {"strategy": "fsdp2", "mp_policy": dict(patterns.MP_POLICY)},
        }
        if recipe is not None:
            data = {"recipe": recipe, **data}
        grid.append(data)
    return grid


def _known_stricter(data: dict[str, Any], pattern: str) -> bool:
    """Where the schema is stricter than classify on purpose (classify only asks "is the Adam state precise?")."""
    if pattern != "te":
        return False
    dtype = data["model"].get(storage_key(data["model"]))
    fp16_or_misspelled = dtype not in (None, automodel.AUTO) and automodel.dtype_kind(dtype) not in ("bf16", "fp32")
    fp16_or_misspelled &= builders.builder_of(data["model"].get("_target_")).honours_dtype  # else it is moot
    bagel_state_strings = classify(data).family is Family.BAGEL and bool(
        set(te.STATE_DTYPE_KEYS) & data["optimizer"].keys()
    )
    return fp16_or_misspelled or bagel_state_strings


@pytest.mark.parametrize("pattern", PATTERNS)
def test_schema_accepts_exactly_what_classify_calls_on_pattern(pattern: str) -> None:
    for data in _grid():
        classification = classify(data)
        on_pattern = classification.kind is Kind.ON_PATTERN and classification.pattern == pattern
        valid = not schema.violations(data, pattern)
        assert valid == (on_pattern and not _known_stricter(data, pattern)), (data, classification)
