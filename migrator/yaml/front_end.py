"""One YAML config's text in, its outcome out: load, classify, plan, splice, verify. No files here."""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml

from migrator import schema
from migrator.core import changes as changes_mod
from migrator.core import suppressions
from migrator.core.changes import KeyPath
from migrator.core.classify import Classification, Kind, RecipeShapeError, classify
from migrator.core.findings import Finding
from migrator.core.outcome import (
    BLOCKED_BY_WARNING,
    SKIP_REASONS,
    SUPPRESSED_BLOCKER,
    LocatedFinding,
    Outcome,
    Problem,
    Status,
)
from migrator.core.plan import Plan, Verdict, verdict
from migrator.core.settings import Options
from migrator.rules import make_plan
from migrator.yaml.document import YamlDocument
from migrator.yaml.loading import YamlError
from migrator.yaml.splice import splice_with_edits
from migrator.yaml.text_edits import OverlappingEdits
from migrator.yaml.verify import VerificationError, verify_edited

SUFFIXES = (".yaml", ".yml")
# A top-level `model:`/`optimizer:` key opening a mapping. Only consulted for files that do not load: a
# broken recipe is an error to report, a broken mkdocs.yml, Helm template or CloudFormation file is not ours.
_RECIPE_SECTION_LINE = re.compile(r"""^(["']?)(?:model|optimizer)\1[ \t]*:[ \t]*(?:[{&!#]|\r?$)""", re.MULTILINE)


# Jinja (and similar) template markup: such a file only becomes YAML once rendered.
_TEMPLATE_MARKUP = re.compile(r"\{%|\{\{|\{#")


def _template_problem(text: str) -> Problem | None:
    """For a file that does not load: it is a template, not a config, when it holds template markup."""
    match = _TEMPLATE_MARKUP.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return Problem(
        f"looks like a template (`{match.group()}` at line {line}), not YAML: exclude it",
        line,
        column,
        "add it to --exclude or to `exclude` in [tool.migrator]; migrate the rendered config instead",
    )


def _not_recipe(reason: str) -> Outcome:
    return Outcome(Status.NOT_RECIPE, Classification(Kind.NOT_RECIPE, reason))


def migrate_yaml(text: str, options: Options, directives: suppressions.Directives | None = None) -> Outcome:
    try:
        doc = YamlDocument(text)
    except YamlError as exc:
        if not _RECIPE_SECTION_LINE.search(text):
            return _not_recipe(
                f"no top-level `model`/`optimizer` section, and not loadable by yaml.safe_load: {exc.message}"
            )
        problem = _template_problem(text) or Problem(exc.message, exc.line, exc.column, exc.hint)
        return Outcome(Status.FAILED, problem=problem)
    if doc.root is None:
        return _not_recipe("empty: no YAML content (blank or only comments)")
    try:
        classification = classify(doc.data, options.include_peft, options.assume_bf16_storage)
    except RecipeShapeError as exc:
        line, column = doc.line_of(exc.path)
        return Outcome(Status.FAILED, problem=Problem(str(exc), line, column, "fix the section's shape by hand"))
    if classification.kind is Kind.NOT_RECIPE:
        return Outcome(Status.NOT_RECIPE, classification)
    key = doc.first_non_string_key()
    if key is not None:
        shown = key.value if isinstance(key, yaml.ScalarNode) else key.id
        problem = Problem(
            f"key `{shown}` is not a string (YAML reads it as {key.tag.rsplit(':', 1)[-1]})",
            key.start_mark.line + 1,
            key.start_mark.column + 1,
            "AutoModel config keys are names: quote the key if it is meant as one, or remove it",
        )
        return Outcome(Status.FAILED, classification, problem=problem)
    if classification.kind in SKIP_REASONS:
        return Outcome(Status.SKIPPED, classification, skip_reason=SKIP_REASONS[classification.kind])
    plan = make_plan(doc.data, classification, options)
    if directives is None:
        directives = suppressions.parse(text)
    kept, suppressed = suppressions.partition(
        plan.findings, lambda finding: suppressions.lines_about(finding, lambda path: key_lines(doc, path)), directives
    )
    return _apply_plan(doc, classification, plan, Plan(plan.target, tuple(kept)), _locate(doc, suppressed))


def _locate(doc: YamlDocument, findings: Iterable[Finding]) -> tuple[LocatedFinding, ...]:
    """Findings with their positions, in the order of the file (as every report lists them)."""
    located = (LocatedFinding(finding, *doc.line_of(finding.path)) for finding in findings)
    return tuple(sorted(located, key=lambda item: (item.line, item.column)))


def key_lines(doc: YamlDocument, path: KeyPath) -> list[int]:
    """The lines of the keys along `path` that exist: a comment on a block's opener covers what is inside."""
    found, _ = doc.walk(path)
    return [entry.key.start_mark.line + 1 for entry in found]


def _apply_plan(
    doc: YamlDocument, classification: Classification, full: Plan, plan: Plan, suppressed: tuple[LocatedFinding, ...]
) -> Outcome:
    """`full` holds every finding (a suppressed blocker still blocks), `plan` only the unsuppressed ones."""

    def outcome(status: Status, **kwargs: object) -> Outcome:
        return Outcome(
            status, classification, plan.target, _locate(doc, plan.findings), suppressed=suppressed, **kwargs
        )  # type: ignore[arg-type]

    decision, blocker = verdict(full, plan)
    if decision is Verdict.HELD:
        return outcome(Status.SKIPPED, skip_reason=SUPPRESSED_BLOCKER)
    if decision is Verdict.FAILED and blocker is not None:
        line, column = doc.line_of(blocker.path)
        return outcome(Status.FAILED, problem=Problem(f"{blocker.code} {blocker.message}", line, column))
    if decision is Verdict.BLOCKED:
        return outcome(Status.SKIPPED, skip_reason=BLOCKED_BY_WARNING)
    planned = plan.changes
    if not planned:
        return outcome(Status.UNCHANGED)
    try:
        new_text, edits = splice_with_edits(doc, planned)
        written = verify_edited(doc, edits, new_text, changes_mod.apply(doc.data, planned))
    except YamlError as exc:
        return outcome(Status.FAILED, problem=Problem(exc.message, exc.line, exc.column, exc.hint))
    except (VerificationError, OverlappingEdits) as exc:
        return outcome(Status.FAILED, problem=Problem(str(exc), hint="please report this file; it was left untouched"))
    # The promise is a config on the pattern, so the result must pass the pattern's schema too.
    missed = _pattern_misses(written, plan.target, suppressed)
    if missed:
        line, column = doc.line_of(missed[0].key_path)
        message = f"the result would not follow pattern {plan.target}: {missed[0].message}"
        return outcome(
            Status.FAILED, problem=Problem(message, line, column, "fix that key by hand; the file was left untouched")
        )
    return outcome(Status.MIGRATED, new_text=new_text)


def _pattern_misses(data: object, target: str | None, suppressed: Iterable[LocatedFinding]) -> list[schema.Violation]:
    """What the result misses of its pattern, except what a suppressed finding would have written there."""
    if target is None:
        return []
    waived = suppressions.waived_by(located.finding for located in suppressed)
    return [miss for miss in schema.violations(data, target) if not waived(miss.key_path)]
