"""`migrator demo`: the bf16-Adam-state trap, measured on a CPU.

The same 2-layer MLP regression is trained three times with AdamW and bf16 autocast compute:
(a) bf16 storage — what an unset `torch_dtype` gives, so Adam's moments are bf16;
(b) fp32 storage — pattern `fp32`;
(c) bf16 storage with an fp32 master copy and fp32 moments — what pattern `te` does. TE's FusedAdam needs
    CUDA, so where it does not run this is emulated in torch: AdamW steps fp32 master weights and the bf16
    model gets a rounded copy after each step, which is what FusedAdam(master_weights=True) computes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrator.proof.environment import one_thread, real_te_fused_adam

DEFAULT_STEPS = 3000
LEARNING_RATE = 1e-4
INPUTS, HIDDEN, BATCH = 8, 32, 64


@dataclass(frozen=True)
class Curve:
    name: str
    storage: str
    state: str  # dtype of exp_avg / exp_avg_sq, read from the optimizer after training
    losses: list[float]
    note: str = ""

    @property
    def final(self) -> float:
        return self.losses[-1]


def run(steps: int = DEFAULT_STEPS, seed: int = 0) -> list[Curve]:
    import torch

    with one_thread():
        return _three_runs(torch, steps, seed)


def _three_runs(torch: Any, steps: int, seed: int) -> list[Curve]:
    torch.manual_seed(seed)
    inputs = torch.randn(BATCH, INPUTS)
    targets = torch.tanh(inputs @ torch.randn(INPUTS, 1) * 0.1)  # small and smooth: fp32 fits it to ~1e-5
    initial = _mlp(torch, seed).state_dict()
    return [
        _train(torch, "bf16 storage (unset torch_dtype)", torch.bfloat16, False, initial, inputs, targets, steps),
        _train(torch, "fp32 storage (pattern fp32)", torch.float32, False, initial, inputs, targets, steps),
        _train(
            torch,
            "bf16 storage + fp32 master and moments (pattern te)",
            torch.bfloat16,
            True,
            initial,
            inputs,
            targets,
            steps,
        ),
    ]


def _mlp(torch: Any, seed: int) -> Any:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(INPUTS, HIDDEN), torch.nn.GELU(), torch.nn.Linear(HIDDEN, 1))


def _train(
    torch: Any, name: str, storage: Any, master: bool, initial: dict[str, Any], inputs: Any, targets: Any, steps: int
) -> Curve:
    model = _mlp(torch, 0)
    model.load_state_dict(initial)
    model.to(storage)
    # Pattern te: the optimizer owns fp32 copies of the weights; its moments follow their dtype (fp32).
    masters = (
        [parameter.detach().float().requires_grad_() for parameter in model.parameters()]
        if master
        else list(model.parameters())
    )
    optimizer = torch.optim.AdamW(masters, lr=LEARNING_RATE)
    losses = []
    for _ in range(steps):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = torch.nn.functional.mse_loss(model(inputs).float(), targets)
        loss.backward()
        if master:
            _step_master_copy(torch, model, masters, optimizer.step)
        else:
            optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        model.zero_grad(set_to_none=True)
        losses.append(loss.item())
    state = optimizer.state[masters[0]]
    note = "TE absent: master copy emulated in torch" if master and not _te_steps(torch) else ""
    return Curve(
        name, str(storage).removeprefix("torch."), str(state["exp_avg"].dtype).removeprefix("torch."), losses, note
    )


def _step_master_copy(torch: Any, model: Any, masters: list[Any], step: Callable[[], None]) -> None:
    with torch.no_grad():
        for parameter, master in zip(model.parameters(), masters, strict=False):
            master.grad = parameter.grad.float()
        step()
        for parameter, master in zip(model.parameters(), masters, strict=False):
            parameter.copy_(master)  # rounds to the bf16 storage, as FusedAdam writes back its master weights


def _te_steps(torch: Any) -> bool:

    return real_te_fused_adam() is not None


def table(curves: list[Curve]) -> str:
    rows = [("run", "storage", "Adam state", "final loss", "")]
    rows += [(curve.name, curve.storage, curve.state, f"{curve.final:.3g}", curve.note) for curve in curves]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        + (f"  ({row[4]})" if row[4] else "")
        for row in rows
    ]
    ratio = curves[0].final / curves[1].final if curves[1].final > 0 else float("inf")
    return "\n".join(lines) + f"\nbf16 state ends {ratio:.0f}x higher than fp32 storage\n"


def plot(curves: list[Curve], path: Path, steps: int) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no display: write the file only
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 4.5), dpi=100)
    for curve in curves:
        axes.plot(
            range(1, len(curve.losses) + 1), curve.losses, label=f"{curve.name}: {curve.final:.2g}", linewidth=1.2
        )
    axes.set_yscale("log")
    axes.set_xlabel("step")
    axes.set_ylabel("training loss (MSE, log scale)")
    axes.set_title(f"2-layer MLP regression, AdamW lr {LEARNING_RATE:.0e}, bf16 autocast, {steps} steps on CPU")
    axes.legend()
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    pyplot.close(figure)


def main(steps: int, output: Path | None) -> str:
    started = time.perf_counter()
    curves = run(steps)
    if output is not None:
        plot(curves, output, steps)
    where = f"; picture: {output}" if output is not None else ""
    return table(curves) + f"{steps} steps per run, {time.perf_counter() - started:.1f} s{where}\n"
