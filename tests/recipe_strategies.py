"""Hypothesis strategies: AutoModel-shaped recipes written in the many styles real YAML uses, and random
mutations of the golden fixtures.

A recipe is generated as data whose leaves are YAML spellings (`bf16`, `'bf16'`, `1e-5`, `~`, an empty
value), then written out with per-block choices: 2/4-space indentation, block or flow mappings and
sequences, indented or flush sequences, quoted keys, comments before keys, after values and at block ends,
blank lines, a `---` start, CRLF, a BOM and a missing final newline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.conftest import FIXTURES

Tree = dict[str, Any]  # leaves are YAML spellings (str), inner nodes dicts and lists

RECIPES = [
    "TrainFinetuneRecipeForNextTokenPrediction",
    "nemo_automodel.recipes.llm.train_ft.TrainFinetuneRecipeForNextTokenPrediction",
    "FinetuneRecipeForVLM",
    "KnowledgeDistillationRecipeForNextTokenPrediction",
    "FinetuneRecipeForMultimodal",
    "TrainEagle3Recipe",
]
OPTIMIZERS = [
    "torch.optim.AdamW",
    "torch.optim.Adam",
    "torch.optim.adamw.AdamW",
    "transformer_engine.pytorch.optimizers.fused_adam.FusedAdam",
    "nemo_automodel.components.optim.FlashAdamW",
]
DTYPES = [
    "bf16",
    "bfloat16",
    "torch.bfloat16",
    "Bfloat16",
    "auto",
    "null",
    "~",
    "",
    "float32",
    "torch.float32",
    "float16",
]
BUILDERS = [  # mostly AutoModel's own loader; one of each other kind in core/builders.py
    "nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained",
    "nemo_automodel.NeMoAutoModelForCausalLM.from_pretrained",
    "transformers.AutoModelForCausalLM.from_pretrained",
    "nemo_automodel.components.models.gpt2.build_gpt2_model",
    "my_project.build_model",
]
NUMBERS = ["1.0e-5", "1e-5", "3e-4", "0.0001", "0", "0.0", "0.01", "1", "2"]
BOOLS = ["true", "false", "True", "False"]
WORDS = ["meta-llama/Llama-3.2-1B", "train", "squad", "a b", "x:y", "#not-a-comment", "'quoted'", "ünïcödé"]


def quoted(text: str) -> st.SearchStrategy[str]:
    """A string value spelled plain, single- or double-quoted (plain only where YAML keeps it a string)."""
    single = "'" + text.replace("'", "''") + "'"
    double = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    # Conservative: a plain scalar must read back as this string in block and flow context alike.
    plain_safe = (
        bool(text) and text == text.strip() and text[0] not in "'\"&*!|>%@`-?" and not set(text) & set(":#,[]{}")
    )
    return st.sampled_from([text, single, double] if plain_safe else [single, double])


def spelled(values: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(values).flatmap(
        lambda value: (
            quoted(value)
            if value and value not in ("null", "~") and not value[0].isdigit() and value not in BOOLS
            else st.just(value)
        )
    )


def optional(draw: Callable[[Any], Any], strategy: st.SearchStrategy[Any], present: float = 0.5) -> Any:
    return draw(strategy) if draw(st.floats(0, 1)) < present else None


@st.composite
def recipe_trees(draw: Callable[[Any], Any]) -> Tree:
    sections: Tree = {}
    if draw(st.booleans()):
        sections["recipe"] = draw(st.sampled_from(RECIPES))
    model: Tree = {"_target_": draw(st.sampled_from(BUILDERS))}
    model["pretrained_model_name_or_path"] = draw(quoted("meta-llama/Llama-3.2-1B"))
    if draw(st.booleans()):
        model["torch_dtype"] = draw(spelled(DTYPES))
    sections["model"] = model
    optimizer: Tree = {"_target_": draw(st.sampled_from(OPTIMIZERS)), "lr": draw(st.sampled_from(NUMBERS))}
    if draw(st.booleans()):
        optimizer["betas"] = ["0.9", draw(st.sampled_from(["0.999", "0.95"]))]
    # Each optimizer gets only arguments its class accepts: a valid recipe, whatever the migration does to it.
    if "FusedAdam" in optimizer["_target_"]:
        own = [("master_weights", BOOLS), ("exp_avg_dtype", ["torch.float32", "torch.bfloat16"])]
    else:
        own = [("foreach", BOOLS), ("fused", BOOLS), ("amsgrad", ["false", "False", "true"])]
    for key, values in [("eps", ["1e-8", "1.0e-8"]), ("weight_decay", NUMBERS), *own]:
        value = optional(draw, st.sampled_from(values), 0.3)
        if value is not None:
            optimizer[key] = value
    sections["optimizer"] = optimizer
    if draw(st.booleans()):
        distributed: Tree = {}
        strategy = optional(draw, st.sampled_from(["fsdp2", "megatron_fsdp", "ddp"]), 0.7)
        if strategy:
            distributed["strategy"] = strategy
        distributed["tp_size"] = draw(st.sampled_from(["1", "1", "2"]))
        if draw(st.booleans()):
            distributed["sequence_parallel"] = draw(st.sampled_from(BOOLS))
        # Only FSDP2 accepts an mp_policy key at all (the others raise): a valid recipe has none there.
        policy = optional(draw, st.sampled_from(["null", "partial"]), 0.3) if strategy in (None, "fsdp2") else None
        if policy == "partial":
            distributed["mp_policy"] = {
                "param_dtype": "bfloat16",
                "output_dtype": draw(spelled(["float32", "bfloat16"])),
            }
        elif policy:
            distributed["mp_policy"] = policy
        sections["distributed"] = distributed
    if draw(st.floats(0, 1)) < 0.15:
        sections["peft"] = draw(
            st.sampled_from(["null", {"_target_": "nemo_automodel.components._peft.lora.PeftConfig", "dim": "8"}])
        )
    sections["dataset"] = {
        "_target_": "nemo_automodel.components.datasets.llm.squad.make_squad_dataset",
        "split": draw(spelled(WORDS)),
    }
    if draw(st.booleans()):
        sections["step_scheduler"] = {"global_batch_size": "32", "ckpt_every_steps": draw(st.sampled_from(NUMBERS))}
    if draw(st.booleans()):
        sections["callbacks"] = [{"name": draw(spelled(WORDS))}, draw(spelled(WORDS))]
    order = draw(st.permutations(list(sections)))
    return {key: sections[key] for key in order}


@dataclass
class _Writer:
    draw: Callable[[Any], Any]
    step: int
    flush_sequences: bool
    comments: int = 0

    def comment(self) -> str:
        self.comments += 1
        return f"# note {self.comments}"

    def maybe(self, chance: float) -> bool:
        return bool(self.draw(st.floats(0, 1)) < chance)

    def key(self, name: str) -> str:
        return self.draw(st.sampled_from([name, name, f'"{name}"', f"'{name}'"]))

    def flow(self, value: Any) -> str:
        if isinstance(value, dict):
            gap = self.draw(st.sampled_from(["", " "]))
            items = ", ".join(f"{self.key(k)}: {self.flow(v)}" for k, v in value.items())
            return "{" + gap + items + gap + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.flow(item) for item in value) + "]"
        return value if value else "null"  # an empty flow value would read as a missing one

    def inline_comment(self) -> str:
        return self.draw(st.sampled_from([" ", "  ", "   "])) + self.comment() if self.maybe(0.2) else ""

    def mapping(self, tree: Tree, indent: int) -> list[str]:
        lines: list[str] = []
        pad = " " * indent
        for name, value in tree.items():
            if self.maybe(0.1):
                lines.append("")
            if self.maybe(0.15):
                lines.append(self.draw(st.sampled_from([pad, ""])) + self.comment())
            head = f"{pad}{self.key(name)}:"
            if isinstance(value, (dict, list)) and value and not self.maybe(0.25):
                lines.append(head + self.inline_comment())
                lines.extend(
                    self.mapping(value, indent + self.step) if isinstance(value, dict) else self.sequence(value, indent)
                )
            elif isinstance(value, (dict, list)):
                lines.append(f"{head} {self.flow(value)}{self.inline_comment()}")
            else:
                lines.append((f"{head} {value}" if value else head) + self.inline_comment())
        if self.maybe(0.1):
            lines.append(pad + self.comment())
        return lines

    def sequence(self, items: list[Any], parent_indent: int) -> list[str]:
        indent = parent_indent if self.flush_sequences else parent_indent + self.step
        return [" " * indent + "- " + self.flow(item) for item in items]


@dataclass(frozen=True)
class RecipeText:
    text: str  # without BOM
    bom: bool

    @property
    def raw(self) -> bytes:
        return (("\ufeff" if self.bom else "") + self.text).encode("utf-8")


@st.composite
def recipe_texts(draw: Callable[[Any], Any]) -> RecipeText:
    tree = draw(recipe_trees())
    writer = _Writer(draw, draw(st.sampled_from([2, 4])), draw(st.booleans()))
    lines = writer.mapping(tree, 0)
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["---", "# header comment", "# header\n---"])))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(line.replace("\n", newline) for line in lines)
    if draw(st.booleans()) or not text:
        text += newline
    return RecipeText(text, draw(st.booleans()))


# -- fixture mutations ---------------------------------------------------------------------------
FIXTURE_TEXTS = [path.read_bytes().decode("utf-8-sig") for path in sorted(FIXTURES.glob("*/*/input.yaml"))]
TOKENS = [
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!foo ",
    "!!str ",
    "# c",
    "'",
    '"',
    "---\n",
    "...\n",
    "? ",
    "|\n",
    ">\n",
    "<<: *a\n",
    "\t",
    "\r",
    "\n",
    "  ",
    "~",
    "null",
    "true",
    "1e-5",
    "%YAML 1.1\n",
    "\ufeff",
    "\x85",
    "\u2028",
    "é",
]


def _mutation(text: str, kind: str, at: float, token: str) -> str:
    lines = text.splitlines(keepends=True) or [""]
    line = min(int(at * len(lines)), len(lines) - 1)
    where = min(int(at * len(text)), len(text))
    if kind == "delete-line":
        return "".join(lines[:line] + lines[line + 1 :])
    if kind == "duplicate-line":
        return "".join(lines[: line + 1] + lines[line:])
    if kind == "swap-lines" and line + 1 < len(lines):
        return "".join([*lines[:line], lines[line + 1], lines[line], *lines[line + 2 :]])
    if kind == "indent-line":
        return "".join([*lines[:line], "  " + lines[line], *lines[line + 1 :]])
    if kind == "dedent-line":
        return "".join(
            [*lines[:line], lines[line][min(2, len(lines[line]) - len(lines[line].lstrip(" "))) :], *lines[line + 1 :]]
        )
    if kind == "insert-token":
        return text[:where] + token + text[where:]
    if kind == "delete-char":
        return text[:where] + text[where + 1 :]
    if kind == "truncate":
        return text[:where]
    if kind == "crlf":
        return text.replace("\r\n", "\n").replace("\n", "\r\n")
    if kind == "cr-only":
        return text.replace("\r\n", "\n").replace("\n", "\r")
    return text


MUTATIONS = [
    "delete-line",
    "duplicate-line",
    "swap-lines",
    "indent-line",
    "dedent-line",
    "insert-token",
    "delete-char",
    "truncate",
    "crlf",
    "cr-only",
]


@st.composite
def mutated_fixtures(draw: Callable[[Any], Any]) -> str:
    text = draw(st.sampled_from(FIXTURE_TEXTS))
    for _ in range(draw(st.integers(1, 3))):
        text = _mutation(
            text,
            draw(st.sampled_from(MUTATIONS)),
            draw(st.floats(0, 1, exclude_max=True)),
            draw(st.sampled_from(TOKENS)),
        )
    return text
