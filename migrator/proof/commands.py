"""The `verify` and `demo` commands; `migrator.cli` registers them. Heavy imports happen inside the commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migrator import patterns
from migrator.proof import DEMO_MODULES, ExtraMissing, require_extra

if TYPE_CHECKING:
    from migrator.proof.report import Run


@click.command(
    "verify",
    epilog="Exit status: 0 every applicable config keeps fp32 Adam state (or passes TE's real signature); "
    "1 any keeps bf16 state (or is off --pattern); 2 any could not be loaded, a usage error or the extra is missing.",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option(
    "--pattern",
    type=click.Choice(sorted(patterns.PATTERNS)),
    default=None,
    help="Also require every proven config to be on this pattern (default: either).",
)
@click.option(
    "--output-format",
    type=click.Choice(("text", "json")),
    default="text",
    show_default=True,
    help="json goes to stdout or --output-file; text always to stderr.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the JSON report there instead of stdout.",
)
def verify_command(paths: tuple[str, ...], pattern: str | None, output_format: str, output_file: str | None) -> int:
    """Prove with AutoModel and torch, on the CPU, what dtype each YAML recipe's Adam state ends in.

    Each config is loaded by AutoModel's own loader; a 2-layer Llama is built offline through
    NeMoAutoModelForCausalLM.from_config in the storage dtype the config resolves to; the optimizer is
    built as the recipes build it and stepped twice; the real `exp_avg`/`exp_avg_sq` dtypes are reported.
    TE FusedAdam blocks are checked against TE's real constructor (read from its wheel, not imported)
    unless TE imports here. Needs the `verify` extra.

    \b
    Examples:
      migrator verify examples/llm_finetune/
      migrator verify --pattern te --output-format json -o proof.json configs/
    """
    from migrator.proof.report import exit_code, render_json, render_text

    run = _verify(paths, pattern)
    sys.stderr.write(render_text(run))
    if output_format == "json":
        if output_file:
            Path(output_file).write_text(render_json(run), encoding="utf-8")
        else:
            sys.stdout.write(render_json(run))
    return exit_code(run)


def _verify(paths: tuple[str, ...], pattern: str | None) -> Run:
    try:
        require_extra()
    except ExtraMissing as exc:
        raise click.ClickException(f"verify {exc}") from None
    from migrator.proof.verify import verify_paths

    return verify_paths(paths, pattern)


@click.command("demo")
@click.option(
    "--steps",
    type=click.IntRange(min=1),
    default=3000,
    show_default=True,
    help="Training steps per run (CI runs a few hundred).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default="migrator-demo.png",
    show_default=True,
    help="Where to write the loss curves (PNG).",
)
def demo_command(steps: int, output: str) -> int:
    """Train one tiny MLP three ways on the CPU and show what bf16 Adam state costs.

    AdamW, lr 1e-4, bf16 autocast: (a) bf16 storage, (b) fp32 storage (pattern fp32), (c) bf16 storage with an
    fp32 master copy and fp32 moments (pattern te; emulated in torch where TE does not run). Prints final
    losses and state dtypes, and writes the loss curves as a PNG. Needs the `verify` extra.
    """
    try:
        require_extra(DEMO_MODULES)
    except ExtraMissing as exc:
        raise click.ClickException(f"demo {exc}") from None
    from migrator.proof import demo

    click.echo(demo.main(steps, Path(output)), nl=False)
    return 0
