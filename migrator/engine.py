"""One YAML config's text in, its outcome out: load, classify, plan, splice, verify. No files here."""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

import yaml

from migrator import changes as changes_mod
from migrator import schema, suppressions
from migrator.changes import KeyPath
from migrator.classify import Classification, ConfigError, Kind, classify
from migrator.edits import OverlappingEdits
from migrator.plan import Plan, make_plan
from migrator.rules import Finding, Level, Options
from migrator.verify import VerificationError, verify_edited
from migrator.yaml_doc import YamlDocument, YamlError
from migrator.yaml_splice import splice_with_edits


class Status(enum.Enum):
    MIGRATED = "migrated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    NOT_RECIPE = "not-recipe"
    FAILED = "failed"


@dataclass(frozen=True)
class LocatedFinding:
    finding: Finding
    line: int
    column: int

    @property
    def level(self) -> Level:
        return self.finding.rule.level


@dataclass(frozen=True)
class Problem:
    """Why a file failed: what, where (1-based; 0 when not tied to a line) and what to do."""

    message: str
    line: int = 0
    column: int = 0
    hint: str = ""


@dataclass(frozen=True)
class Outcome:
    status: Status
    classification: Classification | None = None
    target: str | None = None
    findings: tuple[LocatedFinding, ...] = ()
    new_text: str | None = None
    problem: Problem | None = None
    skip_reason: str = field(default="")
    suppressed: tuple[LocatedFinding, ...] = ()  # left alone by a `# migrator: ignore` comment


_SKIP_KINDS = {Kind.NOT_APPLICABLE: "not applicable", Kind.PEFT: "peft"}
YAML_SUFFIXES = (".yaml", ".yml")
PYTHON_SUFFIXES = (".py",)
DOCUMENT_SUFFIXES = (".md", ".mdx", ".rst")  # their YAML and Python code blocks
# A top-level `model:`/`optimizer:` key opening a mapping. Only consulted for files that do not load: a
# broken recipe is an error to report, a broken mkdocs.yml, Helm template or CloudFormation file is not ours.
_RECIPE_SECTION_LINE = re.compile(r"""^(["']?)(?:model|optimizer)\1[ \t]*:[ \t]*(?:[{&!#]|\r?$)""", re.MULTILINE)
# Every suffix `front_end` accepts; discovery searches folders for exactly these.
SUPPORTED_SUFFIXES = YAML_SUFFIXES + PYTHON_SUFFIXES + DOCUMENT_SUFFIXES
SUPPRESSED_BLOCKER = "left unchanged (suppressed)"


def front_end(suffix: str) -> Callable[[str, Options], Outcome] | None:
    """The engine for a file type (one of SUPPORTED_SUFFIXES); other front ends are imported only when such a file is seen."""
    if suffix in YAML_SUFFIXES:
        return migrate_yaml
    if suffix in PYTHON_SUFFIXES:
        from migrator.python import migrate_python  # libcst is loaded only when a .py file is seen

        return migrate_python
    if suffix in DOCUMENT_SUFFIXES:
        from migrator.documents.front_end import migrate_document

        return functools.partial(migrate_document, suffix=suffix)
    return None


def _not_recipe(reason: str) -> Outcome:
    return Outcome(Status.NOT_RECIPE, Classification(Kind.NOT_RECIPE, reason))


def migrate_yaml(text: str, options: Options) -> Outcome:
    try:
        doc = YamlDocument(text)
    except YamlError as exc:
        if not _RECIPE_SECTION_LINE.search(text):
            return _not_recipe(f"no top-level `model`/`optimizer` section, and not loadable by yaml.safe_load: {exc.message}")
        return Outcome(Status.FAILED, problem=Problem(exc.message, exc.line, exc.column, exc.hint))
    if doc.root is None:
        return _not_recipe("empty: no YAML content (blank or only comments)")
    try:
        classification = classify(doc.data, options.include_peft)
    except ConfigError as exc:
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
    if classification.kind in _SKIP_KINDS:
        return Outcome(Status.SKIPPED, classification, skip_reason=_SKIP_KINDS[classification.kind])
    plan = make_plan(doc.data, classification, options)
    kept, suppressed = suppressions.partition(plan.findings, lambda finding: suppressions.lines_about(finding, lambda path: _key_lines(doc, path)), suppressions.parse(text))
    return _apply_plan(doc, classification, plan, Plan(plan.target, tuple(kept)), _locate(doc, suppressed))


def _locate(doc: YamlDocument, findings: Iterable[Finding]) -> tuple[LocatedFinding, ...]:
    return tuple(LocatedFinding(finding, *doc.line_of(finding.path)) for finding in findings)


def _key_lines(doc: YamlDocument, path: KeyPath) -> list[int]:
    """The lines of the keys along `path` that exist: a comment on a block's opener covers what is inside."""
    found, _ = doc.walk(path)
    return [entry.key.start_mark.line + 1 for entry in found]


def _apply_plan(doc: YamlDocument, classification: Classification, full: Plan, plan: Plan, suppressed: tuple[LocatedFinding, ...]) -> Outcome:
    """`full` holds every finding (a suppressed blocker still blocks), `plan` only the unsuppressed ones."""

    def outcome(status: Status, **kwargs: object) -> Outcome:
        return Outcome(status, classification, plan.target, _locate(doc, plan.findings), suppressed=suppressed, **kwargs)  # type: ignore[arg-type]

    blocker = full.blocked_by
    if blocker is not None:
        # Suppressing never makes the tool change more: a suppressed blocker keeps the file as it is, quietly.
        if blocker not in plan.findings:
            return outcome(Status.SKIPPED, skip_reason=SUPPRESSED_BLOCKER)
        line, column = doc.line_of(blocker.path)
        if full.failed:
            return outcome(Status.FAILED, problem=Problem(f"{blocker.code} {blocker.message}", line, column))
        return outcome(Status.SKIPPED, skip_reason="left unchanged (warning)")
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
        return outcome(Status.FAILED, problem=Problem(message, line, column, "fix that key by hand; the file was left untouched"))
    return outcome(Status.MIGRATED, new_text=new_text)


def _pattern_misses(data: object, target: str | None, suppressed: Iterable[LocatedFinding]) -> list[schema.Violation]:
    """What the result misses of its pattern, except what a suppressed finding would have written there."""
    if target is None:
        return []
    waived = [path for located in suppressed for path in suppressions.finding_paths(located.finding)]
    return [miss for miss in schema.violations(data, target) if not any(miss.key_path[: len(path)] == path for path in waived)]
