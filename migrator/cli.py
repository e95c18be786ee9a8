"""Command line: `migrate` (the main job) and the `migrator` group that holds it, `rules`, `explain`,
`validate` and `generate`.

Thin glue: options -> frozen `Settings` -> `runner.run` -> reports. Heavy modules (the engine, report
formats) are imported inside the commands so `--version` and `--help` stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import click

from migrator import __version__, patterns
from migrator.core.settings import Mode, Settings, Shown

if TYPE_CHECKING:
    from migrator.core.outcome import FileResult
from migrator.report import FORMATS, MACHINE_FORMATS

_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


class FileSize(click.ParamType):
    """A byte count: `1048576`, `512K`, `2M` (binary units)."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        number, unit = (text[:-1], text[-1]) if text[-1:] in _SIZE_UNITS else (text, "")
        if not number.isdigit() or int(number) == 0:
            self.fail(f"{value!r} is not a size like 1048576, 512K or 2M", param, ctx)
        return int(number) * _SIZE_UNITS[unit]


_PATTERN_HELP = "; ".join(f"{name}: {pattern.title}" for name, pattern in patterns.PATTERNS.items())


# Options `migrate` and `validate` share: the same discovery, settings and reports.
_RESPECT_GITIGNORE = click.option(
    "--respect-gitignore/--no-respect-gitignore",
    default=None,
    help="Inside a git work tree, search only files git tracks or would track. [default: on]",
)
_OUTPUT_FORMAT = click.option(
    "--output-format",
    type=click.Choice(FORMATS),
    default=None,
    help="Report format; machine formats go to stdout or --output-file (the text report to stderr). [default: text]",
)
_OUTPUT_FILE = click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report there instead of stdout.",
)
_CONFIG = click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Take [tool.migrator] from this pyproject.toml for every file (default: each file's closest one).",
)


@click.command(
    "migrate",
    epilog="Exit status: 0 nothing to do or all written; 1 changes pending (--check/--diff) or open findings "
    "(a risky config left unchanged, a value read from the environment; any mode); "
    "2 usage error or a file failed (wins over 1); 130/143 stopped by Ctrl-C/SIGTERM after the files in hand. "
    "Defaults come from [tool.migrator] in the closest pyproject.toml that has one, per file (or --config FILE); "
    "the command line wins.",
)
@click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")
@click.option(
    "--pattern",
    type=click.Choice(sorted(patterns.PATTERNS)),
    default=None,
    help=f"Pattern to migrate to ({_PATTERN_HELP}). [default: {patterns.DEFAULT}]",
)
@click.option("--check", is_flag=True, help="Write nothing; list what would change; exit 1 if anything would.")
@click.option(
    "--diff",
    is_flag=True,
    help="Write nothing; print a unified diff (git apply accepts it) to stdout; exit 1 if not empty.",
)
@click.option(
    "--include-peft/--no-include-peft",
    default=None,
    help="Also migrate PEFT/LoRA configs (left alone by default: bf16 storage is fine there).",
)
@click.option(
    "--include-tests/--no-include-tests",
    default=None,
    help="Also edit Python test code (test_*.py, *_test.py, conftest.py, tests/ folders); else it is only reported.",
)
@click.option(
    "--assume-bf16-storage/--no-assume-bf16-storage",
    default=None,
    help="Migrate torch Adam YAML configs whose storage dtype the file does not decide (a Hugging Face checkpoint's, "
    "a custom builder's) as bf16 storage; without it they are left unchanged with a warning (MIG115). Python code is never assumed: it needs proof.",
)
@click.option(
    "--convert/--no-convert", default=None, help="Also convert configs already on the other recommended pattern."
)
@click.option(
    "--force/--no-force",
    default=None,
    help="Move to TE FusedAdam even with tp_size > 1 (TE state is not sharded by TP).",
)
@click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="GLOB",
    help="Never search files or folders matching GLOB (repeatable; replaces [tool.migrator] exclude).",
)
@click.option("--select", multiple=True, metavar="RULE", help="Apply only these rules (code or name; repeatable).")
@click.option("--ignore", multiple=True, metavar="RULE", help="Do not apply these rules (code or name; repeatable).")
@click.option(
    "--extend-select", multiple=True, metavar="RULE", help="Apply these rules on top of --select (repeatable)."
)
@click.option(
    "--extend-exclude",
    "extend_exclude",
    multiple=True,
    metavar="GLOB",
    help="Exclude GLOB too, on top of --exclude or [tool.migrator] exclude (repeatable).",
)
@click.option(
    "--force-exclude/--no-force-exclude",
    default=None,
    help="Apply --exclude to files named on the command line too (for pre-commit).",
)
@_RESPECT_GITIGNORE
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes. [default: one per CPU]")
@_OUTPUT_FORMAT
@_OUTPUT_FILE
@click.option(
    "--stdin-filename",
    default=None,
    metavar="PATH",
    help="With PATH `-`: the file standard input stands for (its suffix and its settings). [default: stdin.yaml]",
)
@_CONFIG
@click.option(
    "--no-progress", is_flag=True, help="Never show the progress bar (it shows only on a terminal, for long runs)."
)
@click.option(
    "--max-file-size",
    type=FileSize(),
    default=None,
    help="Fail files larger than this (bytes, or with K/M/G) instead of parsing them. [default: 1M]",
)
@click.option("-q", "--quiet", is_flag=True, help="Print findings and problems only: no summary, no progress bar.")
@click.option("--statistics", is_flag=True, help="Print how many findings each rule raised instead of each finding.")
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when changes are pending or findings stay open (a file that failed still exits 2).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    default=None,
    help="Also show notes for files left unchanged, and why each non-recipe was left alone.",
)
@click.option(
    "--verify",
    is_flag=True,
    help="Prove each migrated YAML recipe with AutoModel and torch before writing it (needs the `verify` extra; one process).",
)
@click.version_option(__version__, prog_name="migrator")
def migrate_command(
    paths: tuple[str, ...],
    check: bool,
    diff: bool,
    output_file: str | None,
    no_progress: bool,
    quiet: bool,
    statistics: bool,
    exit_zero: bool,
    stdin_filename: str | None,
    verify: bool,
    **options: Any,
) -> int:
    """Rewrite AutoModel YAML recipes, Python launch scripts and the code blocks of documentation pages to a
    precision-safe pattern, touching only what must change.

    PATH is a file or a directory (searched for *.yaml, *.yml, *.py, *.md, *.mdx and *.rst; inside a git work
    tree only files git tracks or would track); the default is the current directory. Every other byte of a file stays as it
    was, and each edit is re-parsed and checked before it is written.

    \b
    Examples:
      migrate --pattern te examples/          rewrite in place
      migrate --check .                       CI gate: exit 1 if anything would change
      migrate --diff configs/a.yaml | git apply
      migrate --check --output-format sarif -o migrator.sarif .
    """
    from migrator import config

    if check and diff:
        raise click.UsageError("--check and --diff exclude each other")
    if output_file is not None:
        _check_output_folder(output_file)
    if verify:
        _require_proof_extra()
    config_file = options.pop("config")
    command_line = {key: (value or None) if key in _LISTS else value for key, value in options.items()}
    try:
        project = config.load_file(Path(config_file)) if config_file else config.load(Path.cwd())
    except config.ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    values = config.merge(command_line, project)
    # Without --config each file takes the closest [tool.migrator] to it; the command line wins over all.
    overrides = None if config_file else tuple((key, command_line[key]) for key in config.PER_FILE_KEYS)
    try:
        engine_options = config.options_of(values)
    except config.ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    output_format = values["output_format"]
    if diff and output_format in MACHINE_FORMATS and output_file is None:
        raise click.UsageError(
            f"--diff prints the patch on stdout: give --output-file for --output-format {output_format}"
        )
    settings = Settings(
        paths or (".",),
        engine_options,
        Mode.CHECK if check else Mode.DIFF if diff else Mode.WRITE,
        values["jobs"],
        values["exclude"],
        values["force_exclude"],
        values["respect_gitignore"],
        str(project.root),
        FileSize().convert(values["max_file_size"], None, None),
        overrides=overrides,
        extend_exclude=values["extend_exclude"],
        given_globs=options["exclude"] + options["extend_exclude"],
        verify=verify,
    )
    shown = Shown(values["verbose"], quiet, statistics)
    if paths == ("-",):
        if settings.mode is Mode.WRITE and output_format in MACHINE_FORMATS and output_file is None:
            raise click.UsageError("with `-` the migrated text goes to stdout: give --output-file for a machine format")
        code = _stdin_and_report(settings, stdin_filename or "stdin.yaml", output_format, output_file, shown)
    elif stdin_filename is not None:
        raise click.UsageError("--stdin-filename applies to PATH `-` (standard input)")
    else:
        code = _run_and_report(settings, output_format, output_file, shown, progress=not (no_progress or quiet))
    return 0 if exit_zero and code == 1 else code


def _require_proof_extra() -> None:
    from migrator.proof import ExtraMissing, require_extra

    try:
        require_extra()
    except ExtraMissing as exc:
        raise click.ClickException(f"--verify {exc}") from None


_LISTS = ("exclude", "extend_exclude", "select", "ignore", "extend_select")  # repeatable: empty means not given


def _check_output_folder(output_file: str) -> None:
    """Before any file is touched: a report that cannot be written would be lost after the work is done."""
    folder = Path(output_file).parent
    if not folder.is_dir():
        raise click.UsageError(f"--output-file {output_file}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise click.UsageError(f"--output-file {output_file}: folder {folder} is not writable")


def _stdin_and_report(settings: Settings, name: str, output_format: str, output_file: str | None, shown: Shown) -> int:
    """`migrate -`: standard input in; the migrated text (write mode) or the diff out; the report as for files."""
    from migrator.process import process_stdin
    from migrator.runner import exit_code

    result, output = process_stdin(sys.stdin.buffer.read(), name, settings)
    if settings.mode is Mode.WRITE:
        sys.stdout.buffer.write(output)
        sys.stdout.flush()
    _report([result], settings.mode, output_format, output_file, shown)
    return exit_code([result], settings.mode)


def _report(results: list[FileResult], mode: Mode, output_format: str, output_file: str | None, shown: Shown) -> None:
    from migrator import report
    from migrator.report import colour
    from migrator.report import text as text_report

    if mode is Mode.DIFF:
        from migrator.report import diff as diff_report  # difflib: only --diff needs it

        sys.stdout.write(diff_report.render(results))
    machine_on_stdout = output_format in MACHINE_FORMATS and output_file is None
    if not machine_on_stdout:  # a machine format on stdout is all the run prints
        human = text_report.render(results, mode, shown)
        sys.stderr.write(colour.colourize(human) if colour.enabled(sys.stderr) else human)
    if output_format in MACHINE_FORMATS or output_file:
        rendered = report.render(output_format, results, mode, shown.verbose)
        if output_file:
            Path(output_file).write_text(rendered, encoding="utf-8")
        else:
            sys.stdout.write(rendered)


def _warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


def _run_and_report(
    settings: Settings, output_format: str, output_file: str | None, shown: Shown, progress: bool
) -> int:
    from migrator.interrupt import stop_on_signals
    from migrator.report.progress import ProgressBar
    from migrator.runner import exit_code, run

    bar = ProgressBar(sys.stderr) if progress else None
    try:
        with stop_on_signals() as stop:
            results = run(settings, bar.update if bar else None, stop, _warn)
    finally:
        if bar:
            bar.close()
    _report(results, settings.mode, output_format, output_file, shown)
    if stop.requested:
        sys.stderr.write(stop.notice(len(results)))
        return stop.exit_code
    return exit_code(results, settings.mode)


class _Group(click.Group):
    """Imports the proof commands (migrator/proof/commands.py) only when one is asked for or listed."""

    PROOF_COMMANDS: ClassVar[dict[str, str]] = {"verify": "verify_command", "demo": "demo_command"}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.PROOF_COMMANDS])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.PROOF_COMMANDS:
            from migrator.proof import commands

            return getattr(commands, self.PROOF_COMMANDS[name])  # type: ignore[no-any-return]
        return super().get_command(ctx, name)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="migrator")
def cli() -> None:
    """migrator: move NeMo AutoModel recipes off bf16 Adam state (pattern te or fp32)."""


@cli.command("rules")
@click.option(
    "--output-format", type=click.Choice(("text", "json")), default="text", help="Table or JSON. [default: text]"
)
def rules_command(output_format: str) -> None:
    """List every rule: code, name, level (as reports give it; fixable when migrate fixes it), summary."""
    from migrator.explain import rules_json, rules_table

    click.echo(rules_json() if output_format == "json" else rules_table(), nl=False)


@cli.command("explain")
@click.argument("code")
def explain_command(code: str) -> None:
    """Show what rule CODE (MIG001, or its name) does, why, a before/after example and references."""
    from migrator.explain import UnknownRule, explain

    try:
        click.echo(explain(code), nl=False)
    except UnknownRule as exc:
        raise click.UsageError(str(exc)) from None


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


# -- schemas: `validate` and `generate` (logic in migrator/validate.py and migrator/generate.py) --
@click.command(
    "validate",
    epilog="Exit status: 0 every config valid (skipped ones included); 1 any invalid; 2 usage error or a path could "
    "not be checked (wins over 1). Defaults come from [tool.migrator] in the closest pyproject.toml that has one, per "
    "file (or --config FILE); the command line wins.",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option(
    "--pattern",
    type=click.Choice(sorted(patterns.PATTERNS)),
    default=None,
    help="The pattern configs must follow (default: [tool.migrator] pattern, else either).",
)
@click.option(
    "--include-peft/--no-include-peft", default=None, help="Also check PEFT/LoRA configs (skipped by default)."
)
@click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="GLOB",
    help="Never search files or folders matching GLOB (repeatable).",
)
@click.option(
    "--extend-exclude", "extend_exclude", multiple=True, metavar="GLOB", help="Exclude GLOB too (repeatable)."
)
@click.option(
    "--force-exclude/--no-force-exclude", default=None, help="Apply --exclude to files named on the command line too."
)
@_RESPECT_GITIGNORE
@_OUTPUT_FORMAT
@_OUTPUT_FILE
@_CONFIG
def validate_command(
    paths: tuple[str, ...], pattern: str | None, output_file: str | None, config: str | None, **options: Any
) -> int:
    """Check that AutoModel YAML recipes follow a recommended pattern (its JSON Schema in schemas/).

    Each miss is reported as path:line:col at the offending key, with the migrate command that fixes it.
    Not-applicable and PEFT configs are listed as skipped. Files are found, and settings and
    `# migrator: ignore` comments honoured, as `migrate` does.

    \b
    Examples:
      migrator validate examples/
      migrator validate --pattern te configs/llama.yaml
      migrator validate --output-format sarif -o validate.sarif .
    """
    from migrator import config as config_mod
    from migrator import validate

    if output_file is not None:
        _check_output_folder(output_file)
    command_line = {key: (value or None) if key in _LISTS else value for key, value in options.items()}
    command_line["pattern"] = pattern
    config_mod.forget()  # settings are read afresh for each run (a pyproject.toml may have changed in this process)
    try:
        project = config_mod.load_file(Path(config)) if config else config_mod.load(Path.cwd())
        values = config_mod.merge(command_line, project)
        engine_options = config_mod.options_of(values)
    except config_mod.ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if config:  # one file's settings for all: its pattern, when it names one, is the pattern to follow
        pattern = pattern or project.values.get("pattern")
    overrides = None if config else tuple((key, command_line.get(key)) for key in config_mod.PER_FILE_KEYS)
    settings = Settings(
        paths,
        engine_options,
        exclude=values["exclude"],
        force_exclude=values["force_exclude"],
        respect_gitignore=values["respect_gitignore"],
        root=str(project.root),
        overrides=overrides,
        extend_exclude=values["extend_exclude"],
        given_globs=options["exclude"] + options["extend_exclude"],
    )
    results = validate.run(settings, pattern, _warn)
    output_format = values["output_format"]
    if not (output_format in MACHINE_FORMATS and output_file is None):  # a machine format on stdout is all it prints
        sys.stderr.write(validate.render_report(results))
    if output_format in MACHINE_FORMATS or output_file:
        rendered = validate.render(output_format, results)
        if output_file:
            Path(output_file).write_text(rendered, encoding="utf-8")
        else:
            sys.stdout.write(rendered)
    return validate.exit_code(results)


@click.command(
    "generate",
    epilog="Exit status: 0 printed a config on the pattern; 1 (--from) printed it unchanged, off the pattern; 2 usage error or the config failed.",
)
@click.option(
    "--pattern", type=click.Choice(sorted(patterns.PATTERNS)), required=True, help=f"The pattern ({_PATTERN_HELP})."
)
@click.option(
    "--model",
    default=None,
    metavar="NAME_OR_PATH",
    help="Hugging Face model id or local path (default: meta-llama/Llama-3.2-1B).",
)
@click.option("--peft", is_flag=True, help="Add a LoRA `peft` block; with --from, also migrate a PEFT config.")
@click.option(
    "--from",
    "source",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    metavar="CONFIG",
    help="Print CONFIG migrated to the pattern instead (the file is not touched).",
)
def generate_command(pattern: str, model: str | None, peft: bool, source: str | None) -> int:
    """Print a fine-tuning recipe on a pattern, each recommended key commented with why.

    \b
    Examples:
      migrator generate --pattern te > llama_te.yaml
      migrator generate --pattern fp32 --model Qwen/Qwen3-0.6B --peft
      migrator generate --pattern te --from examples/llama.yaml
    """
    from migrator import generate
    from migrator.core.outcome import FileResult
    from migrator.report import text as text_report

    if source is None:
        sys.stdout.write(generate.skeleton(pattern, model or generate.DEFAULT_MODEL, peft))
        return 0
    if model is not None:
        raise click.UsageError("--model applies to a new recipe, not to --from")
    migrated = generate.from_config(Path(source), pattern, include_peft=peft)
    shown = Shown(peft_option="--peft")
    sys.stderr.write(text_report.render([FileResult(source, migrated.outcome)], Mode.CHECK, shown))
    if migrated.text is None:
        return 2
    sys.stdout.write(migrated.text)
    if not migrated.on_pattern:
        sys.stderr.write(f"{source}: printed unchanged; it does not follow pattern {pattern}\n")
        return 1
    return 0


cli.add_command(validate_command)
cli.add_command(generate_command)
