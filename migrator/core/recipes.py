"""Which AutoModel recipe a config runs, and how that recipe treats precision (facts §1.3, §2.3)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class Family(enum.Enum):
    TRAIN = "train"  # train_ft, VLM, benchmark, seq-cls, dLLM, retrieval: YAML optimizer + dtype honoured
    KD = "kd"  # resolve_storage_dtype turns unset/None/auto into float32 for torch optimizers
    BAGEL = "bagel"  # raw instantiate: no dtype-string conversion; unset storage is float32
    DIFFUSION = "diffusion"  # own fsdp:/ddp: sections; mp_policy overwritten at run time
    SPECULATIVE = "speculative"  # draft optimizer hard-coded (or recipe-built); dtype not configurable


_SPECULATIVE = frozenset(
    {
        "TrainEagle1Recipe",
        "TrainEagle2Recipe",
        "TrainEagle3Recipe",
        "TrainVispecRecipe",
        "TrainVispecStage1Recipe",
        "TrainDFlashRecipe",
        "TrainDFlash2Recipe",
        "TrainDominoRecipe",
        "TrainJetSpecRecipe",
        "TrainDSparkRecipe",
    }
)
_KD = frozenset({"KnowledgeDistillationRecipeForNextTokenPrediction", "KnowledgeDistillationRecipeForVLM"})
_BAGEL = frozenset({"FinetuneRecipeForMultimodal", "PretrainRecipeForMultimodal"})
_DIFFUSION = frozenset({"TrainDiffusionRecipe"})
# Recipe-less diffusion configs are recognised by the sections only that recipe reads; KD configs by their teacher.
DIFFUSION_SECTIONS = ("flow_matching", "fsdp", "ddp")
KD_SECTIONS = ("teacher_model",)


def recipe_name(data: Mapping[str, Any]) -> str | None:
    """The recipe class name, from a bare name, a dotted path or `{_target_: path}`."""
    recipe = data.get("recipe")
    if isinstance(recipe, Mapping):
        recipe = recipe.get("_target_")
    if not isinstance(recipe, str) or not recipe.strip():
        return None
    return recipe.strip().rsplit(".", 1)[-1]


def recipe_names(family: Family) -> frozenset[str]:
    """The recipe classes of a family, by name (the pattern schemas match the `recipe` key against them)."""
    by_family = {Family.SPECULATIVE: _SPECULATIVE, Family.KD: _KD, Family.BAGEL: _BAGEL, Family.DIFFUSION: _DIFFUSION}
    return by_family.get(family, frozenset())


def family_of(data: Mapping[str, Any]) -> Family:
    name = recipe_name(data)
    if name is None:
        if "recipe_args" in data:
            return Family.SPECULATIVE
        if any(section in data for section in DIFFUSION_SECTIONS):
            return Family.DIFFUSION
        if any(section in data for section in KD_SECTIONS):
            return Family.KD
        return Family.TRAIN
    for names, family in (
        (_SPECULATIVE, Family.SPECULATIVE),
        (_KD, Family.KD),
        (_BAGEL, Family.BAGEL),
        (_DIFFUSION, Family.DIFFUSION),
    ):
        if name in names:
            return family
    return Family.TRAIN
