"""`migrator generate`: a new fine-tuning recipe already on a pattern, or an existing one migrated.

The skeleton is not a second copy of the patterns: it starts as a plain torch AdamW recipe and is put
on the pattern by the same plan `migrate` runs (rules reading `migrator.patterns`), then checked against
the pattern's schema. ruamel.yaml writes it, so each recommended key can carry a comment saying why.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from migrator import patterns, schema
from migrator.core import automodel, changes
from migrator.core.classify import classify
from migrator.core.outcome import Outcome, Status
from migrator.core.settings import Options
from migrator.files import read_source
from migrator.rules import make_plan
from migrator.yaml.document import YamlDocument
from migrator.yaml.front_end import migrate_yaml

DEFAULT_MODEL = "meta-llama/Llama-3.2-1B"


def why(path: str, pattern: str) -> str | None:
    """Why a recommended key is there, as the pattern explains it (every key the plan writes has a reason)."""
    return patterns.PATTERNS[pattern].explanations.get(path) or patterns.SHARED_EXPLANATIONS.get(path)


def base_recipe(model: str, peft: bool) -> dict[str, Any]:
    """A runnable AutoModel LLM fine-tune (SQuAD) with a plain torch AdamW: the pattern is applied after."""
    squad = {
        "_target_": "nemo_automodel.components.datasets.llm.squad.make_squad_dataset",
        "dataset_name": "rajpurkar/squad",
    }
    loader = {
        "_target_": "torchdata.stateful_dataloader.StatefulDataLoader",
        "collate_fn": {"_target_": "nemo_automodel.components.datasets.utils.default_collater"},
    }
    recipe: dict[str, Any] = {
        "recipe": "TrainFinetuneRecipeForNextTokenPrediction",
        "step_scheduler": {
            "global_batch_size": 32,
            "local_batch_size": 4,
            "ckpt_every_steps": 1000,
            "val_every_steps": 100,
            "num_epochs": 1,
        },
        "dist_env": {"backend": "nccl", "timeout_minutes": 10},
        "rng": {"_target_": "nemo_automodel.components.training.rng.StatefulRNG", "seed": 1111, "ranked": True},
        "model": {
            "_target_": "nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained",
            "pretrained_model_name_or_path": model,
        },
    }
    if peft:
        recipe["peft"] = {
            "_target_": "nemo_automodel.components._peft.lora.PeftConfig",
            "match_all_linear": True,
            "dim": 8,
            "alpha": 32,
        }
    recipe.update(
        {
            "checkpoint": {
                "enabled": True,
                "checkpoint_dir": "checkpoints/",
                "model_save_format": "safetensors",
                "save_consolidated": True,
            },
            "distributed": {"strategy": "fsdp2", "tp_size": 1, "cp_size": 1},
            "loss_fn": {"_target_": "nemo_automodel.components.loss.masked_ce.MaskedCrossEntropy"},
            "dataset": {**squad, "split": "train"},
            "dataloader": {**loader, "shuffle": True},
            "validation_dataset": {**squad, "split": "validation", "limit_dataset_samples": 64},
            "validation_dataloader": loader,
            "optimizer": {
                "_target_": automodel.TORCH_ADAMW,
                "lr": 1.0e-5,
                "betas": [0.9, 0.95],
                "eps": 1.0e-8,
                "weight_decay": automodel.ADAMW_DEFAULT_WEIGHT_DECAY,
            },
            "lr_scheduler": {"lr_decay_style": "cosine", "min_lr": 1.0e-6},
        }
    )
    return recipe


def recipe_data(pattern: str, model: str = DEFAULT_MODEL, peft: bool = False) -> dict[str, Any]:
    """The skeleton on `pattern`, as data: the base recipe with `migrate`'s plan applied."""
    base = base_recipe(model, peft)
    options = Options(pattern=pattern, include_peft=peft)
    plan = make_plan(base, classify(base, include_peft=peft), options)
    data: dict[str, Any] = changes.apply(base, plan.changes)
    missed = schema.violations(data, pattern)
    if missed:  # the plan and the schema come from one source; if they disagree, that is a bug here
        raise RuntimeError(f"generated recipe does not follow pattern {pattern}: {missed[0].message}")
    return data


# -- YAML with comments ------------------------------------------------------------------------
def _float_text(value: float) -> str:
    """`1.0e-5`, never `1e-05`: YAML 1.1 (PyYAML, hence AutoModel) reads an exponent without a dot as a string."""
    mantissa, _, exponent = repr(value).partition("e")
    if not exponent:
        return mantissa
    return f"{mantissa if '.' in mantissa else mantissa + '.0'}e{int(exponent):+d}"


def _scalar_text(value: Any) -> str:
    """How a plain scalar is written (for aligning comments; the dump itself is ruamel's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_scalar_text, value)) + "]"
    return "" if isinstance(value, dict) else str(value)


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096  # never fold a long `_target_`
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    yaml.representer.add_representer(
        float, lambda representer, value: representer.represent_scalar("tag:yaml.org,2002:float", _float_text(value))
    )
    return yaml


_ALIGN_UP_TO = 48


def _commented(value: Any, pattern: str, path: str = "", depth: int = 0) -> Any:
    if isinstance(value, dict):
        node = CommentedMap(
            (key, _commented(item, pattern, f"{path}.{key}" if path else key, depth + 1)) for key, item in value.items()
        )
        reasons = {key: why(f"{path}.{key}" if path else key, pattern) for key in value}
        reasons = {key: reason for key, reason in reasons.items() if reason}
        # Comments aligned per block, two spaces after the longest line; a very long line is left out of it.
        widths = {key: 2 * depth + len(f"{key}: {_scalar_text(value[key])}".rstrip()) for key in reasons}
        aligned = max((width for width in widths.values() if width <= _ALIGN_UP_TO), default=0) + 2
        for key, reason in reasons.items():
            node.yaml_add_eol_comment(reason, key, column=aligned if widths[key] <= _ALIGN_UP_TO else widths[key] + 2)
        return node
    if isinstance(value, list):
        sequence = CommentedSeq(_commented(item, pattern, path, depth + 1) for item in value)
        if all(not isinstance(item, (dict, list)) for item in value):
            sequence.fa.set_flow_style()  # `betas: [0.9, 0.95]`, as AutoModel's examples write it
        return sequence
    return value


def commented_yaml(data: dict[str, Any], pattern: str, command: str) -> str:
    document = _commented(data, pattern)
    title = patterns.PATTERNS[pattern].title
    document.yaml_set_start_comment(
        f"AutoModel fine-tuning recipe on pattern {pattern}: {title}.\n"
        f"Generated by `{command}`; check edits with `migrator validate --pattern {pattern}`.\n"
        "Run: automodel <this file> --nproc-per-node <gpus>"
    )
    stream = io.StringIO()
    _yaml().dump(document, stream)
    # A blank line before each top-level section after the first, as AutoModel's examples have.
    lines = stream.getvalue().splitlines(keepends=True)
    first_key = next(index for index, line in enumerate(lines) if not line.startswith("#"))
    return "".join(
        ("\n" if index > first_key and line[:1] not in (" ", "#", "\n") else "") + line
        for index, line in enumerate(lines)
    )


def skeleton(pattern: str, model: str = DEFAULT_MODEL, peft: bool = False) -> str:
    command = (
        f"migrator generate --pattern {pattern}"
        + (f" --model {model}" if model != DEFAULT_MODEL else "")
        + (" --peft" if peft else "")
    )
    return commented_yaml(recipe_data(pattern, model, peft), pattern, command)


# -- --from CONFIG -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Migrated:
    text: str | None  # what to print; None when the file failed
    outcome: Outcome
    on_pattern: bool  # the printed text follows the pattern


def from_config(path: Path, pattern: str, include_peft: bool = False) -> Migrated:
    """The config moved to `pattern` (converted from the other one if need be); the file is not touched."""
    source = read_source(path)
    outcome = migrate_yaml(source.text, Options(pattern=pattern, convert=True, include_peft=include_peft))
    if outcome.status is Status.FAILED:
        return Migrated(None, outcome, False)
    text = outcome.new_text if outcome.new_text is not None else source.text
    in_scope = outcome.status in (Status.MIGRATED, Status.UNCHANGED)
    return Migrated(text, outcome, in_scope and not schema.violations(YamlDocument(text).data, pattern))
