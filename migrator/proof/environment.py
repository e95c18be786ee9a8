"""The process state a proof runs in: placeholder credentials, a CPU answer to CUDA, a quiet AutoModel, TE's stand-in.

Each piece is a context manager that puts back what it changed, so `migrate --verify` leaves the process as
it found it.
"""

from __future__ import annotations

import importlib.machinery
import itertools
import logging
import os
import sys
import types
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

# Credentials recipes interpolate (`${HF_TOKEN}`); the proof downloads nothing, so a placeholder loads them.
DUMMY_ENV = ("HF_TOKEN", "WANDB_API_KEY")
DUMMY_VALUE = "migrator-verify-placeholder"
TE_MODULES = (
    "transformer_engine",
    "transformer_engine.pytorch",
    "transformer_engine.pytorch.optimizers",
    "transformer_engine.pytorch.optimizers.fused_adam",
)
# Libraries that log or warn at import and on every build; the proof reports what matters itself.
NOISY_LOGGERS = ("nemo_automodel", "transformers", "torchao", "torch", "root")


@contextmanager
def placeholder_credentials() -> Iterator[tuple[str, ...]]:
    """Set each unset credential variable to a placeholder; yields the names set."""
    unset = tuple(name for name in DUMMY_ENV if name not in os.environ)
    os.environ.update({name: DUMMY_VALUE for name in unset})
    try:
        yield unset
    finally:
        for name in unset:
            os.environ.pop(name, None)


@contextmanager
def cpu_device() -> Iterator[None]:
    """Without CUDA, answer `torch.cuda.current_device()` with the CPU (AutoModel's model builder asks it)."""
    import torch

    if torch.cuda.is_available():
        yield
        return
    original = torch.cuda.current_device
    torch.cuda.current_device = lambda: torch.device("cpu")  # type: ignore[assignment]
    try:
        yield
    finally:
        torch.cuda.current_device = original  # type: ignore[assignment]


@contextmanager
def one_thread() -> Iterator[None]:
    """Tiny tensors: handing each op to a second thread costs more than the op (10x slower on a busy 2-core machine)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@contextmanager
def quiet() -> Iterator[None]:
    levels = {name: logging.getLogger(name if name != "root" else None).level for name in NOISY_LOGGERS}
    for name in NOISY_LOGGERS:
        logging.getLogger(name if name != "root" else None).setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name if name != "root" else None).setLevel(level)


@contextmanager
def te_stand_in(fused_adam: type) -> Iterator[None]:
    """Make `transformer_engine.pytorch.optimizers[.fused_adam].FusedAdam` resolve to `fused_adam`.

    Installed only around loading a config and building its optimizer, so AutoModel's model code (which asks
    `find_spec("transformer_engine")` at import) never sees it.
    """
    saved = {name: sys.modules.get(name) for name in TE_MODULES}
    for name in TE_MODULES:
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=name != TE_MODULES[-1])
        module.__path__ = []  # type: ignore[attr-defined]
        sys.modules[name] = module
    for parent, child in itertools.pairwise(TE_MODULES):
        setattr(sys.modules[parent], child.rsplit(".", 1)[-1], sys.modules[child])
    sys.modules[TE_MODULES[2]].FusedAdam = fused_adam  # type: ignore[attr-defined]
    sys.modules[TE_MODULES[3]].FusedAdam = fused_adam  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def real_te_fused_adam() -> type | None:
    """TE's own FusedAdam where TE imports and CUDA is there to step it; else None."""
    import torch

    if not torch.cuda.is_available():
        return None
    try:
        from transformer_engine.pytorch.optimizers import FusedAdam
    except Exception:  # TE raises various errors without its compiled part
        return None
    return FusedAdam  # type: ignore[no-any-return]
