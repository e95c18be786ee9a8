"""Command line: `migrate` (the main job) and the `migrator` group that holds it and later commands."""

from __future__ import annotations

import sys
from typing import Any, Sequence

import click

from migrator import __version__, patterns
from migrator.report import diff as diff_report
from migrator.report import text as text_report
from migrator.rules import Options
from migrator.runner import Mode, Settings, exit_code, run

_PATTERN_HELP = "; ".join(f"{name}: {pattern.title}" for name, pattern in patterns.PATTERNS.items())


@click.command(
    "migrate",
    epilog="Exit status: 0 nothing to do or all written; 1 changes pending (--check/--diff); "
    "2 usage error or a file failed (wins over 1).",
)
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")
@click.option("--pattern", type=click.Choice(sorted(patterns.PATTERNS)), default="fp32", show_default=True, help=f"Pattern to migrate to ({_PATTERN_HELP}).")
@click.option("--check", is_flag=True, help="Write nothing; list what would change; exit 1 if anything would.")
@click.option("--diff", is_flag=True, help="Write nothing; print a unified diff (git apply accepts it) to stdout; exit 1 if not empty.")
@click.option("--include-peft", is_flag=True, help="Also migrate PEFT/LoRA configs (left alone by default: bf16 storage is fine there).")
@click.option("--convert", is_flag=True, help="Also convert configs already on the other recommended pattern.")
@click.option("--force", is_flag=True, help="Move to TE FusedAdam even with tp_size > 1 (TE state is not sharded by TP).")
@click.option("-v", "--verbose", is_flag=True, help="Also show notes for files left unchanged.")
@click.version_option(__version__, prog_name="migrator")
def migrate_command(paths: tuple[str, ...], pattern: str, check: bool, diff: bool, include_peft: bool, convert: bool, force: bool, verbose: bool) -> int:
    """Rewrite AutoModel YAML recipes to a precision-safe pattern, touching only what must change.

    PATH is a file or a directory (searched for *.yaml, *.yml and *.py); the default is the current directory.
    Every other byte of a file stays as it was, and each edit is re-parsed and checked before it is written.

    \b
    Examples:
      migrate --pattern te examples/          rewrite in place
      migrate --check .                       CI gate: exit 1 if anything would change
      migrate --diff configs/a.yaml | git apply
    """
    if check and diff:
        raise click.UsageError("--check and --diff exclude each other")
    mode = Mode.CHECK if check else Mode.DIFF if diff else Mode.WRITE
    settings = Settings(paths or (".",), Options(pattern, convert, force, include_peft), mode)
    results = run(settings)
    if mode is Mode.DIFF:
        sys.stdout.write(diff_report.render(results))
    sys.stderr.write(text_report.render(results, mode, verbose))
    return exit_code(results, mode)


@click.group()
@click.version_option(__version__, prog_name="migrator")
def cli() -> None:
    """migrator: move NeMo AutoModel recipes off bf16 Adam state (pattern te or fp32)."""


cli.add_command(migrate_command)


def _invoke(command: click.Command, argv: Sequence[str] | None, name: str) -> int:
    try:
        result: Any = command.main(args=list(argv) if argv is not None else None, prog_name=name, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    return result if isinstance(result, int) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `migrate` console script."""
    return _invoke(migrate_command, argv, "migrate")


def group_main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `migrator` console script."""
    return _invoke(cli, argv, "migrator")
