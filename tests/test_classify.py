from __future__ import annotations

import pytest

from migrator.core.classify import Kind, RecipeShapeError, classify

ADAMW = {"_target_": "torch.optim.AdamW"}


@pytest.mark.parametrize(
    ("data", "kind", "pattern"),
    [
        pytest.param(None, Kind.NOT_RECIPE, None, id="empty"),
        pytest.param(["a"], Kind.NOT_RECIPE, None, id="sequence"),
        pytest.param({"jobs": {}}, Kind.NOT_RECIPE, None, id="ci-workflow"),
        pytest.param({"model": {}}, Kind.NOT_APPLICABLE, None, id="no-optimizer"),
        pytest.param(
            {"recipe": "TrainEagle3Recipe", "optimizer": {"lr": 1}}, Kind.NOT_APPLICABLE, None, id="speculative"
        ),
        pytest.param(
            {"recipe_args": {}, "optimizer": {"lr": 1}}, Kind.NOT_APPLICABLE, None, id="speculative-no-recipe"
        ),
        pytest.param({"model": {}, "optimizer": {"_target_": "dion.Muon"}}, Kind.NOT_APPLICABLE, None, id="muon"),
        pytest.param({"optimizer": ADAMW}, Kind.NOT_APPLICABLE, None, id="no-model"),
        pytest.param(
            {"model": {"torch_dtype": "fp32"}, "optimizer": ADAMW}, Kind.NOT_APPLICABLE, None, id="rejected-spelling"
        ),
        pytest.param({"model": {"torch_dtype": "half"}, "optimizer": ADAMW}, Kind.NOT_APPLICABLE, None, id="fp16"),
        pytest.param({"model": {}, "peft": {"dim": 8}, "optimizer": ADAMW}, Kind.PEFT, None, id="peft"),
        pytest.param({"model": {}, "peft": None, "optimizer": ADAMW}, Kind.RISKY, None, id="null-peft-is-not-peft"),
        pytest.param({"model": {}, "optimizer": ADAMW}, Kind.RISKY, None, id="unset"),
        pytest.param(
            {"model": {"torch_dtype": "AUTO"}, "optimizer": ADAMW}, Kind.NOT_APPLICABLE, None, id="AUTO-is-rejected"
        ),
        pytest.param({"model": {"torch_dtype": "torch.float"}, "optimizer": ADAMW}, Kind.ON_PATTERN, "fp32", id="fp32"),
        pytest.param(
            {"recipe": "a.b.KnowledgeDistillationRecipeForVLM", "model": {"torch_dtype": None}, "optimizer": ADAMW},
            Kind.UNPROVEN,
            None,
            id="kd-null-depends-on-the-automodel-version",
        ),
        pytest.param(
            {"recipe": {"_target_": "x.FinetuneRecipeForMultimodal"}, "model": {}, "optimizer": ADAMW},
            Kind.ON_PATTERN,
            "fp32",
            id="bagel-unset",
        ),
        pytest.param(
            {
                "model": {},
                "optimizer": {"_target_": "transformer_engine.pytorch.optimizers.FusedAdam", "master_weights": True},
            },
            Kind.ON_PATTERN,
            "te",
            id="te",
        ),
        pytest.param(
            {"model": {}, "optimizer": {"_target_": "transformer_engine.pytorch.optimizers.FusedAdam"}},
            Kind.INCOMPLETE_TE,
            "te",
            id="te-no-master",
        ),
    ],
)
def test_classification(data: object, kind: Kind, pattern: str | None) -> None:
    result = classify(data)
    assert (result.kind, result.pattern) == (kind, pattern), result.reason


def test_include_peft_classifies_the_rest() -> None:
    assert classify({"model": {}, "peft": {"dim": 8}, "optimizer": ADAMW}, include_peft=True).kind is Kind.RISKY


@pytest.mark.parametrize("section", ["model", "optimizer"])
def test_section_that_is_not_a_mapping_is_an_error(section: str) -> None:
    data = {"model": {}, "optimizer": ADAMW, section: "oops"}
    with pytest.raises(RecipeShapeError) as info:
        classify(data)
    assert info.value.path == (section,)


@pytest.mark.parametrize("dtype", ["float16", "fp32"])
def test_te_with_storage_outside_both_patterns_is_not_applicable(dtype: str) -> None:
    data = {
        "model": {"torch_dtype": dtype},
        "optimizer": {"_target_": "transformer_engine.pytorch.optimizers.FusedAdam", "master_weights": True},
    }
    assert classify(data).kind is Kind.NOT_APPLICABLE


KD = "KnowledgeDistillationRecipeForNextTokenPrediction"
TE = {"_target_": "transformer_engine.pytorch.optimizers.FusedAdam", "master_weights": True}


@pytest.mark.parametrize(
    ("data", "kind", "pattern"),
    [
        pytest.param({"recipe": KD, "model": {}, "optimizer": ADAMW}, Kind.UNPROVEN, None, id="kd-torch-by-version"),
        pytest.param(
            {"recipe": KD, "model": {}, "peft": {"dim": 8}, "optimizer": ADAMW}, Kind.RISKY, None, id="kd-peft-is-bf16"
        ),
        pytest.param({"recipe": KD, "model": {}, "optimizer": TE}, Kind.ON_PATTERN, "te", id="kd-te-stays-bf16"),
        pytest.param(
            {"recipe": KD, "model": {"_target_": "transformers.AutoModel.from_pretrained"}, "optimizer": ADAMW},
            Kind.UNPROVEN,
            None,
            id="kd-over-a-checkpoint-by-version",
        ),
        pytest.param(
            {"recipe": KD, "model": {"torch_dtype": "float32"}, "optimizer": ADAMW},
            Kind.ON_PATTERN,
            "fp32",
            id="kd-written",
        ),
        pytest.param(
            {
                "recipe": KD,
                "model": {
                    "_target_": "transformers.AutoModelForCausalLM.from_config",
                    "config": {"_target_": "x.LlamaConfig"},
                },
                "optimizer": ADAMW,
            },
            Kind.ON_PATTERN,
            "fp32",
            id="kd-over-a-built-config-is-fp32-on-every-version",
        ),
    ],
)
def test_kd_storage_depends_on_the_automodel_version_for_torch_optimizers_without_peft(
    data: dict, kind: Kind, pattern: str | None
) -> None:
    """KD resolves unset storage to float32 only where AutoModel has `resolve_storage_dtype` (not 0.7.0, which
    `migrator verify` measured keeping bf16): not provable from the file, unless the builder alone gives float32."""
    result = classify(data, include_peft=True)
    assert (result.kind, result.pattern) == (kind, pattern), result.reason


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained", Kind.RISKY),
        ("nemo_automodel._transformers.auto_model.NeMoAutoModelForImageTextToText.from_config", Kind.RISKY),
        ("nemo_automodel.NeMoAutoModelForCausalLM.from_config", Kind.RISKY),
        ("nemo_automodel.NeMoAutoModelCrossEncoder.from_pretrained", Kind.UNPROVEN),
        ("transformers.AutoModelForCausalLM.from_pretrained", Kind.UNPROVEN),
        ("transformers.AutoModelForCausalLM.from_config", Kind.UNPROVEN),  # no config: the checkpoint's
        ("nemo_automodel.components.models.gpt2.build_gpt2_model", Kind.ON_PATTERN),
        ("diffusers.FluxTransformer2DModel.from_pretrained", Kind.UNPROVEN),
        ("nemo_automodel.NeMoAutoModelForCausalLM.build", Kind.UNPROVEN),
    ],
)
def test_unset_storage_follows_the_builder(target: str, kind: Kind) -> None:
    result = classify({"model": {"_target_": target}, "optimizer": ADAMW})
    assert result.kind is kind, result.reason
    assumed = classify({"model": {"_target_": target}, "optimizer": ADAMW}, assume_bf16=True)
    assert assumed.kind is (Kind.RISKY if kind is Kind.UNPROVEN else kind)


def test_a_family_default_comes_before_the_builder() -> None:
    bagel = {"recipe": "FinetuneRecipeForMultimodal", "model": {"_target_": "my.build"}, "optimizer": ADAMW}
    assert classify(bagel).pattern == "fp32"
