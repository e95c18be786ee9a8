"""`migrator validate`: do configs follow a recommended pattern? Each miss is reported at its key's line.

A config is checked against its pattern's JSON Schema (`schema.py`); without `--pattern` it is valid
when either pattern accepts it. Configs the tool does not cover (not applicable, PEFT) are skipped,
exactly as `migrate` skips them, so the two commands never disagree about what is in scope.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from migrator import config, documents, patterns, schema
from migrator.core import suppressions
from migrator.core.classify import Kind, RecipeShapeError, classify
from migrator.core.outcome import SKIP_FILE, SKIP_REASONS, Status
from migrator.core.settings import Options, Settings
from migrator.documents import markdown
from migrator.documents.front_end import code_blocks, ignore_before
from migrator.files import FileError, display_path, read_source
from migrator.process import CODE_OF_NAME
from migrator.report import plural
from migrator.runner import select_and_warn
from migrator.yaml.document import YamlDocument
from migrator.yaml.front_end import SUFFIXES as YAML_SUFFIXES
from migrator.yaml.front_end import key_lines, migrate_yaml
from migrator.yaml.loading import YamlError


class Verdict(enum.Enum):
    VALID = "valid"
    INVALID = "invalid"
    SKIPPED = "skipped"
    NOT_RECIPE = "not-recipe"
    ERROR = "error"  # could not be checked: unreadable, not YAML, bad YAML


@dataclass(frozen=True)
class Miss:
    """One requirement missed, at the 1-based line and column of the key (or of its nearest parent)."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Checked:
    path: str
    verdict: Verdict
    pattern: str | None = None  # the pattern it follows (valid) or was measured against (invalid)
    misses: tuple[Miss, ...] = ()
    note: str = ""  # the fix (invalid), why (skipped) or what went wrong (error)


def check_text(
    path: str,
    text: str,
    pattern: str | None,
    options: Options | None = None,
    directives: suppressions.Directives | None = None,
) -> Checked:
    """`options`: the file's settings (PEFT, storage, rules not selected); `directives`: its suppression comments
    (default: read from `text`)."""
    options = Options() if options is None else options
    directives = suppressions.parse(text) if directives is None else directives
    directives = directives.with_names(CODE_OF_NAME).ignoring(options.ignored)
    if directives.skip_file:
        return Checked(path, Verdict.SKIPPED, note=SKIP_FILE)
    try:
        doc = YamlDocument(text)
    except YamlError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        return Checked(path, Verdict.ERROR, misses=(Miss(exc.line, exc.column, exc.message + hint),))
    try:
        classification = classify(doc.data, options.include_peft, options.assume_bf16_storage)
    except RecipeShapeError as exc:
        return Checked(
            path, Verdict.INVALID, pattern, (Miss(*doc.line_of(exc.path), str(exc)),), "fix the section's shape by hand"
        )
    if classification.kind is Kind.NOT_RECIPE:
        return Checked(path, Verdict.NOT_RECIPE)
    if classification.kind in SKIP_REASONS:
        return Checked(path, Verdict.SKIPPED, note=f"{SKIP_REASONS[classification.kind]}: {classification.reason}")
    candidates = [pattern] if pattern else list(patterns.PATTERNS)
    missed = {name: _unsuppressed(doc, text, name, options, directives) for name in candidates}
    # Measured against the pattern it comes closest to: a torch config is reported against fp32, TE against te.
    closest = min(candidates, key=lambda name: len(missed[name]))
    if not missed[closest]:
        return Checked(path, Verdict.VALID, closest)
    misses = sorted(
        (Miss(*doc.line_of(violation.key_path), violation.message) for violation in missed[closest]),
        key=lambda miss: (miss.line, miss.column),
    )
    return Checked(path, Verdict.INVALID, closest, tuple(misses), fix_hint(text, closest))


def _unsuppressed(
    doc: YamlDocument, text: str, pattern: str, options: Options, directives: suppressions.Directives
) -> list[schema.Violation]:
    """What `doc` misses of `pattern`, except misses a suppression comment covers: a bare `# migrator: ignore` on
    the key's line (or on a parent key's), or any comment that suppresses the finding whose fix would have
    written that key (as `migrate` waives them in what it writes)."""
    violations = schema.violations(doc.data, pattern)
    if not violations or (not directives.ignores and not directives.everywhere):
        return violations
    bare = {line for line, codes in directives.ignores if codes is None}
    outcome = migrate_yaml(text, replace(options, pattern=pattern, convert=True), directives)
    waived = suppressions.waived_by(located.finding for located in outcome.suppressed)
    return [
        violation
        for violation in violations
        if not bare.intersection(key_lines(doc, violation.key_path)) and not waived(violation.key_path)
    ]


def fix_hint(text: str, pattern: str) -> str:
    """The `migrate` command that puts this config on `pattern`, found by running it in memory."""
    for convert in (False, True):
        outcome = migrate_yaml(text, Options(pattern=pattern, convert=convert))
        if outcome.status is Status.MIGRATED and outcome.target == pattern:  # migrate validates what it writes
            return f"run `migrate --pattern {pattern}{' --convert' if convert else ''}` to fix it"
        if outcome.status is Status.FAILED and outcome.problem is not None:
            return f"migrate cannot fix it ({outcome.problem.message}); fix it by hand"
        blocker = next((located.finding for located in outcome.findings if located.finding.blocks), None)
        if blocker is not None:
            return f"migrate leaves it unchanged ({blocker.code} {blocker.message}); fix it by hand"
    return "fix it by hand"


def check_file(path: Path, pattern: str | None, options: Options | None = None) -> Checked:
    shown = display_path(path)
    if not path.name.lower().endswith(YAML_SUFFIXES + documents.SUFFIXES):
        note = f"unsupported file type `{path.suffix}` (pass .yaml, .yml, .md, .mdx or .rst files)"
        return Checked(shown, Verdict.ERROR, note=note)
    try:
        source = read_source(path)
    except FileError as exc:
        return Checked(shown, Verdict.ERROR, note=f"{exc.message} ({exc.hint})" if exc.hint else exc.message)
    if path.suffix in documents.SUFFIXES:
        return check_document(shown, source.text, path.suffix, pattern, options)
    return check_text(shown, source.text, pattern, options)


def run(
    settings: Settings | Sequence[str], pattern: str | None = None, on_warning: Callable[[str], None] | None = None
) -> list[Checked]:
    """Every YAML file and document under the paths, found as `migrate` finds them (git's view inside a work tree,
    `exclude` and the rest of [tool.migrator]), each checked with its settings: with `settings.overrides`, the
    command line's over the closest `[tool.migrator]` of the file, as `migrate` has it; else `settings.options`.

    `pattern` (the command line's) wins; else a `pattern` written in the file's settings; else either pattern."""
    if not isinstance(settings, Settings):
        settings = Settings(tuple(settings))
    config.forget()
    results = []
    for path, problem in select_and_warn(settings, YAML_SUFFIXES + documents.SUFFIXES, on_warning):
        if problem is not None:
            results.append(Checked(display_path(path), Verdict.ERROR, note=f"{problem.message} ({problem.hint})"))
            continue
        try:
            options, wanted = _settings_of(path, settings, pattern)
        except config.ConfigError as exc:
            results.append(Checked(display_path(path), Verdict.ERROR, note=str(exc)))
            continue
        results.append(check_file(path, wanted, options))
    return results


def _settings_of(path: Path, settings: Settings, pattern: str | None) -> tuple[Options, str | None]:
    if settings.overrides is None:
        return settings.options, pattern  # --config: the command line resolved it against that file
    options = config.options_for(path.parent, settings.overrides)
    return options, pattern or config.nearest(path.parent).values.get("pattern")


def _lines(result: Checked) -> list[str]:
    if result.verdict is Verdict.SKIPPED:
        return [f"{result.path}: skipped ({result.note})"]
    prefix = "error: " if result.verdict is Verdict.ERROR else ""
    lines = [f"{result.path}:{miss.line}:{miss.column}: {prefix}{miss.message}" for miss in result.misses]
    if result.verdict is Verdict.INVALID:
        lines.append(f"{result.path}: does not follow pattern {result.pattern}: {result.note}")
    elif result.verdict is Verdict.ERROR and result.note:
        lines.append(f"{result.path}: error: {result.note}")
    return lines


def render_report(results: Iterable[Checked]) -> str:
    results = list(results)
    counts = Counter(result.verdict for result in results)
    lines = [line for result in results for line in _lines(result)]
    parts = [
        f"{counts[Verdict.VALID]} valid",
        f"{counts[Verdict.INVALID]} invalid",
        f"{counts[Verdict.SKIPPED]} skipped",
        plural(counts[Verdict.NOT_RECIPE], "not a recipe", "not recipes"),
        plural(counts[Verdict.ERROR], "error"),
    ]
    lines.append(plural(len(results), "file") + " checked: " + ", ".join(parts))
    return "\n".join(lines) + "\n"


def summary(results: Sequence[Checked]) -> str:
    """The report's last line: how many files were checked, and each verdict's count."""
    return render_report(results).splitlines()[-1]


def render(output_format: str, results: Sequence[Checked]) -> str:
    """The report in `output_format` (any of `migrate`'s; `text` is the human report)."""
    from migrator.report import validation

    return validation.render(output_format, results, summary(results), render_report(results))


def exit_code(results: Iterable[Checked]) -> int:
    verdicts = {result.verdict for result in results}
    if Verdict.ERROR in verdicts:
        return 2
    return 1 if Verdict.INVALID in verdicts else 0


# The block that speaks for the document, as in `migrate`: what needs fixing first.
_DOCUMENT_PRECEDENCE = (Verdict.INVALID, Verdict.VALID, Verdict.SKIPPED, Verdict.NOT_RECIPE)


def check_document(path: str, text: str, suffix: str, pattern: str | None, options: Options | None = None) -> Checked:
    if suppressions.parse(text, document=True).skip_file:
        return Checked(path, Verdict.SKIPPED, note=SKIP_FILE)
    checked = []
    lines = markdown.split_lines(text)
    for snippet in code_blocks(text, suffix):
        if snippet.suffix != ".yaml":
            continue
        # `<!-- migrator: ignore -->` above a block: none of its misses is reported (with codes: those rules')
        ignored, codes = ignore_before(lines, snippet.block)
        if ignored and codes is None:
            checked.append(Checked(path, Verdict.SKIPPED, note="suppressed: `migrator: ignore` above the block"))
            continue
        directives = suppressions.parse(snippet.text).ignoring(codes or frozenset())
        result = check_text(path, snippet.text, pattern, options, directives)
        if result.verdict is Verdict.ERROR:  # a block that does not parse is an illustration, as `migrate` has it
            continue
        misses = tuple(Miss(*snippet.position(miss.line, miss.column), miss.message) for miss in result.misses)
        checked.append(replace(result, misses=misses))
    if not checked:
        return Checked(path, Verdict.NOT_RECIPE)
    leading = min(checked, key=lambda result: _DOCUMENT_PRECEDENCE.index(result.verdict))
    return replace(leading, misses=tuple(miss for result in checked for miss in result.misses))
