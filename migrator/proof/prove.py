"""One recipe's proof: AutoModel loads it, builds a tiny model and the recipe's optimizer, and a few CPU steps
show the dtype Adam keeps its state in.

The model is a 2-layer Llama built offline by `NeMoAutoModelForCausalLM.from_config` from the recipe's own
`torch_dtype`/`dtype` keys, so AutoModel's dtype resolution decides the storage dtype (unset or `auto` ->
bf16). The optimizer is built by `RecipeConfig(cfg).optimizer.build(model)`, as the recipes do.
"""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from migrator import patterns
from migrator.core import automodel
from migrator.core.recipes import Family, family_of, recipe_name
from migrator.proof import environment, te_signature

STEPS = 2
FP32 = "float32"
TINY_LLAMA = dict(
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    vocab_size=128,
)


class Verdict(enum.Enum):
    FP32_STATE = "fp32 state"
    LOW_PRECISION_STATE = "bf16 state"  # the label names the real dtype when it is not bf16
    NO_MASTER_WEIGHTS = "bf16 weights: TE FusedAdam without fp32 master weights"
    TE_VERIFIED = "TE arguments verified (not executed)"
    PEFT = "PEFT: adapters only"
    NOT_APPLICABLE = "not applicable"
    COULD_NOT_LOAD = "could not load"


@dataclass(frozen=True)
class Proof:
    path: str
    verdict: Verdict
    detail: str = ""  # why (not applicable), the exact error (could not load), how (executed TE)
    recipe: str | None = None
    storage_dtype: str | None = None
    optimizer: str | None = None
    exp_avg: str | None = None
    exp_avg_sq: str | None = None
    mp_policy: str | None = None  # the effective FSDP2 MixedPrecisionPolicy, as AutoModel builds it
    mp_policy_changes: tuple[str, ...] = ()  # `field default->value` against the installed AutoModel's default
    placeholders: tuple[str, ...] = ()  # credential variables this config read as verify's placeholder

    @property
    def label(self) -> str:
        if self.verdict is Verdict.LOW_PRECISION_STATE:
            low = sorted({self.exp_avg, self.exp_avg_sq} - {FP32, None}) or ["bfloat16"]
            return f"{_short('bfloat16' if 'bfloat16' in low else low[0])} state"
        if self.verdict in (Verdict.NOT_APPLICABLE, Verdict.COULD_NOT_LOAD):
            return f"{self.verdict.value}: {self.detail}"
        return self.verdict.value

    @property
    def pattern(self) -> str | None:
        """The recommended pattern this proof shows the config on, if any."""
        if self.verdict is Verdict.TE_VERIFIED or (
            self.verdict is Verdict.FP32_STATE and self.optimizer == "FusedAdam"
        ):
            return _pattern_running(automodel.TE_FUSED_ADAM)
        if self.verdict is Verdict.FP32_STATE:
            return _pattern_running(automodel.TORCH_ADAMW)
        return None


class _NotApplicable(Exception):
    pass


class Prover:
    """Proves configs one after another in this process; AutoModel's imports are paid once, here."""

    def __init__(self) -> None:
        import torch

        with environment.quiet():
            from nemo_automodel import NeMoAutoModelForCausalLM
            from nemo_automodel.components.config.loader import load_yaml_config
            from nemo_automodel.recipes._dist_utils import parse_distributed_section
            from nemo_automodel.recipes._typed_config import RecipeConfig
            from transformers import LlamaConfig

        self._torch = torch
        self._auto_model = NeMoAutoModelForCausalLM
        self._load_yaml_config = load_yaml_config
        self._parse_distributed_section = parse_distributed_section
        self._recipe_config = RecipeConfig
        self._tiny_config = LlamaConfig(**TINY_LLAMA)
        self._models: dict[str, Any] = {}
        self._te_class: type | None = None
        self._real_te = environment.real_te_fused_adam()
        self.real_te_version = te_signature.installed_version() if self._real_te is not None else None
        self.default_mp_policy = self._mp_policy({"strategy": "fsdp2"})

    def prove_text(self, text: str, shown: str) -> Proof:
        """Proof of a config not on disk yet (`migrate --verify`), through the same file loader."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "recipe.yaml"
            path.write_text(text, encoding="utf-8")
            return self.prove_file(path, shown, text)

    def prove_file(self, path: Path, shown: str, text: str | None = None) -> Proof:
        text = path.read_text(encoding="utf-8") if text is None else text
        with ExitStack() as stack:
            stack.enter_context(environment.quiet())
            stack.enter_context(environment.cpu_device())
            stack.enter_context(environment.one_thread())
            placeholders = stack.enter_context(environment.placeholder_credentials())
            try:
                proof = self._prove(path, shown, _names_te(text))
            except _NotApplicable as why:
                proof = Proof(shown, Verdict.NOT_APPLICABLE, str(why))
            except te_signature.SignatureUnavailable as exc:
                proof = Proof(shown, Verdict.COULD_NOT_LOAD, str(exc))
        return _with(proof, placeholders=tuple(name for name in placeholders if name in text))

    def _prove(self, path: Path, shown: str, mentions_te: bool) -> Proof:
        stand_in = self._stand_in_factory(mentions_te)
        try:
            with stand_in():
                cfg = self._load_yaml_config(path)
        except Exception as exc:
            return Proof(shown, Verdict.COULD_NOT_LOAD, _error(exc))
        raw = cfg.raw_config if isinstance(cfg.raw_config, dict) else {}
        family = family_of(raw)
        recipe = recipe_name(raw) or f"({family.value} recipe, unnamed)"
        if family is Family.SPECULATIVE:
            raise _NotApplicable("speculative-decoding recipe: it builds the draft optimizer itself")
        if not isinstance(raw.get("model"), dict):
            raise _NotApplicable("no `model` section")
        if not isinstance(raw.get("optimizer"), dict):
            raise _NotApplicable("no `optimizer` section")
        base = Proof(shown, Verdict.COULD_NOT_LOAD, recipe=recipe)
        try:
            mp_policy, changes = self._effective_mp_policy(raw)
            base = _with(base, mp_policy=mp_policy, mp_policy_changes=changes)
            model = self._model(cfg.model)
            base = _with(base, storage_dtype=_dtype_name(next(model.parameters()).dtype))
            with stand_in():
                optimizer_config = self._recipe_config(cfg).optimizer
            kind, name = self._optimizer_kind(optimizer_config)
            base = _with(base, optimizer=name)
            if raw.get("peft") is not None:
                return _with(base, verdict=Verdict.PEFT, detail="bf16 storage is fine: only the adapters train")
            if kind is None:
                raise _NotApplicable(f"{name} is neither torch Adam/AdamW nor TE FusedAdam")
            with stand_in():
                optimizers = optimizer_config.build(model)
        except _NotApplicable:
            raise
        except Exception as exc:
            return _with(base, detail=_error(exc))
        if kind == "fused-adam-stand-in":
            return _te_arguments(base, optimizers)
        self._step(model, optimizers)
        return _state(base, optimizers, executed_te=kind == "fused-adam")

    def _stand_in_factory(self, mentions_te: bool) -> Callable[[], AbstractContextManager[None]]:
        """What to enter around loading and building: TE's stand-in where the config names TE and TE is absent."""
        if not mentions_te or self._real_te is not None:
            return nullcontext
        if self._te_class is None:
            self._te_class = te_signature.stand_in_class(te_signature.load(), self._torch.optim.Optimizer)
        return partial(environment.te_stand_in, self._te_class)

    def _model(self, model_node: Any) -> Any:
        """The tiny model in the storage dtype AutoModel resolves from the recipe's keys (one per spelling)."""
        torch_dtype, dtype = model_node.get("torch_dtype", "auto"), model_node.get("dtype", None)
        key = repr((torch_dtype, dtype))
        if key not in self._models:
            model = self._auto_model.from_config(self._tiny_config, torch_dtype=torch_dtype, dtype=dtype)
            if self._real_te is not None:
                model = model.cuda()
            self._models[key] = model
        return self._models[key]

    def _optimizer_kind(self, optimizer_config: Any) -> tuple[str | None, str]:
        """('torch' | 'fused-adam' | 'fused-adam-stand-in' | None, class name) of what the config builds."""
        from nemo_automodel.components.optim import optimizer as automodel_optim

        factory = getattr(optimizer_config, "factory", None)
        if factory is None:
            typed = {
                automodel_optim.AdamConfig: self._torch.optim.Adam,
                automodel_optim.AdamWConfig: self._torch.optim.AdamW,
            }
            factory = typed.get(type(optimizer_config), type(optimizer_config))
            if isinstance(optimizer_config, automodel_optim.FusedAdamConfig):
                factory = self._real_te or self._te_class
        name = getattr(factory, "__name__", type(factory).__name__)
        if factory is not None and factory is self._te_class:
            return "fused-adam-stand-in", name
        if factory is not None and factory is self._real_te:
            return "fused-adam", name
        if isinstance(factory, type) and issubclass(factory, self._torch.optim.Adam | self._torch.optim.AdamW):
            return "torch", name
        return None, name

    def _effective_mp_policy(self, raw: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
        """The policy AutoModel's distributed-section parser builds, and what differs from its default."""
        distributed = raw.get("distributed")
        policy = self._mp_policy(distributed) if isinstance(distributed, dict) else None
        if policy is None:
            return None, ()
        default = self.default_mp_policy or {}
        changes = tuple(
            f"{name} {default.get(name)}->{value}" for name, value in policy.items() if default.get(name) != value
        )
        return ", ".join(f"{name}={value}" for name, value in policy.items()), changes

    def _mp_policy(self, distributed: dict[str, Any]) -> dict[str, str] | None:
        parsed = self._parse_distributed_section(dict(distributed))
        policy = getattr(parsed.get("strategy_config"), "mp_policy", None)
        if policy is None:
            return None
        fields = ("param_dtype", "reduce_dtype", "output_dtype", "cast_forward_inputs")
        return {name: _short(_dtype_name(getattr(policy, name))) for name in fields}

    def _step(self, model: Any, optimizers: list[Any]) -> None:
        torch = self._torch
        device = next(model.parameters()).device
        tokens = torch.randint(0, TINY_LLAMA["vocab_size"], (2, 8), generator=torch.Generator().manual_seed(0)).to(
            device
        )
        for _ in range(STEPS):
            model(input_ids=tokens, labels=tokens).loss.backward()
            for optimizer in optimizers:
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)


def _state(base: Proof, optimizers: list[Any], executed_te: bool) -> Proof:
    """The verdict from the dtypes Adam actually allocated for `exp_avg` and `exp_avg_sq`."""
    found: dict[str, set[str]] = {"exp_avg": set(), "exp_avg_sq": set()}
    for optimizer in optimizers:
        for state in optimizer.state.values():
            for key, names in found.items():
                if key in state:
                    names.add(_dtype_name(state[key].dtype))
    exp_avg, exp_avg_sq = ("/".join(sorted(names)) or "none" for names in found.values())
    fp32 = exp_avg == exp_avg_sq == FP32
    detail = (
        "TE FusedAdam constructed and stepped on CUDA"
        if executed_te
        else f"{STEPS} steps on {base.storage_dtype} parameters"
    )
    verdict = Verdict.FP32_STATE if fp32 else Verdict.LOW_PRECISION_STATE
    return _with(base, verdict=verdict, detail=detail, exp_avg=exp_avg, exp_avg_sq=exp_avg_sq)


def _te_arguments(base: Proof, optimizers: list[Any]) -> Proof:
    """TE's stand-in accepted the call; the bound arguments say what TE would keep."""
    bound = optimizers[0]._bound
    exp_avg, exp_avg_sq = _dtype_name(bound["exp_avg_dtype"]), _dtype_name(bound["exp_avg_sq_dtype"])
    master = bound["master_weights"] and _dtype_name(bound["master_weight_dtype"]) == FP32
    signature = f"TE {type(optimizers[0]).te_version} signature and guards"
    base = _with(base, exp_avg=exp_avg, exp_avg_sq=exp_avg_sq)
    if exp_avg == exp_avg_sq == FP32 and (master or base.storage_dtype == FP32):
        return _with(
            base, verdict=Verdict.TE_VERIFIED, detail=f"{signature}; fp32 master weights" if master else signature
        )
    if not master and exp_avg == exp_avg_sq == FP32:
        return _with(
            base, verdict=Verdict.NO_MASTER_WEIGHTS, detail=f"{signature}; the bf16 parameters take each update"
        )
    return _with(base, verdict=Verdict.LOW_PRECISION_STATE, detail=signature)


def _names_te(text: str) -> bool:
    """Whether a config may build TE's FusedAdam: by its import path, or through AutoModel's `FusedAdamConfig`."""
    return "transformer_engine" in text or "fusedadam" in text.lower().replace("_", "")


def _with(proof: Proof, **changes: Any) -> Proof:
    return replace(proof, **changes)


def _dtype_name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.")


def _short(name: str | None) -> str:
    kinds = {"float32": automodel.FP32, "bfloat16": automodel.BF16, "float16": automodel.FP16}
    return kinds.get(name or "", name or "none")


def _pattern_running(optimizer_target: str) -> str | None:
    pattern = patterns.running(optimizer_target)
    return pattern.name if pattern is not None else None


def _error(exc: BaseException) -> str:
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
