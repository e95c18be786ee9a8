"""One Python file's text in, its outcome out: parse with `ast`, analyse, edit (libcst), check the result compiles."""

from __future__ import annotations

from migrator.core import suppressions
from migrator.core.classify import Classification, Kind
from migrator.core.findings import Level
from migrator.core.outcome import BLOCKED_BY_WARNING, SUPPRESSED_BLOCKER, LocatedFinding, Outcome, Problem, Status
from migrator.core.settings import Options
from migrator.python import configs, training
from migrator.python.decide import Analysis
from migrator.python.document import PythonDocument, PythonSyntaxError, deep_recursion
from migrator.python.edits import EditSet
from migrator.rules.test_code_not_edited import test_code_not_edited


def analyse_text(
    text: str, options: Options, directives: suppressions.Directives | None = None, *, test_code: bool = False
) -> Outcome:
    try:
        doc = PythonDocument(text)
    except PythonSyntaxError as exc:
        return Outcome(
            Status.FAILED,
            Classification(Kind.NOT_APPLICABLE, "not valid Python: nothing could be decided"),
            problem=Problem(
                exc.message,
                exc.line,
                exc.column,
                "fix the syntax; the file was left untouched",
            ),
        )
    analysis = Analysis(
        doc,
        options,
        EditSet(doc),
        directives=directives if directives is not None else suppressions.parse(text, python=True),
    )
    training.analyse(analysis)
    configs.analyse_dicts(analysis)
    configs.analyse_overrides(analysis)
    findings = tuple(sorted(analysis.findings, key=lambda located: (located.line, located.column)))
    suppressed = tuple(sorted(analysis.suppressed, key=lambda located: (located.line, located.column)))
    target = options.pattern if len(analysis.targets) != 1 else next(iter(analysis.targets))
    decided = _decided(analysis)
    if analysis.failure is not None:
        return Outcome(Status.FAILED, decided, target, findings, problem=analysis.failure, suppressed=suppressed)
    if analysis.held:
        return Outcome(Status.SKIPPED, decided, target, findings, skip_reason=SUPPRESSED_BLOCKER, suppressed=suppressed)
    if analysis.blocked:  # as a blocked YAML config: nothing in the file is edited
        return Outcome(Status.SKIPPED, decided, target, findings, skip_reason=BLOCKED_BY_WARNING, suppressed=suppressed)
    if not analysis.edits:
        status = Status.UNCHANGED if analysis.relevant else Status.NOT_RECIPE
        return Outcome(status, _why_unchanged(analysis, findings), None, findings, suppressed=suppressed)
    if test_code and not options.include_tests:
        first = findings[0] if findings else None
        note = LocatedFinding(
            test_code_not_edited.finding(
                "test code: the changes above are not made; pass --include-tests to make them"
            ),
            first.line if first else 1,
            first.column if first else 1,
        )
        why = Classification(Kind.NOT_APPLICABLE, "test code: edits are reported, not made")
        return Outcome(Status.UNCHANGED, why, None, (*findings, note), suppressed=suppressed)
    migrated = decided or Classification(Kind.RISKY, "the findings above are what changes")
    from migrator.python.render import render  # lazy: only files that change pay for libcst

    try:
        with deep_recursion():
            new_text = render(analysis.edits)
    except RecursionError:
        problem = Problem(
            "nested too deeply for libcst to rewrite", 0, 0, "migrate this file by hand; it was left untouched"
        )
        return Outcome(Status.FAILED, migrated, target, findings, problem=problem, suppressed=suppressed)
    try:
        compile(new_text, "<migrated>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        problem = Problem(
            f"the edited code does not compile: {exc.msg}",
            exc.lineno or 0,
            exc.offset or 0,
            "please report this file; it was left untouched",
        )
        return Outcome(Status.FAILED, migrated, target, findings, problem=problem, suppressed=suppressed)
    if new_text == text:
        why = Classification(Kind.NOT_APPLICABLE, "the edits leave the text as it was")
        return Outcome(Status.UNCHANGED, why, None, findings, suppressed=suppressed)
    return Outcome(Status.MIGRATED, migrated, target, findings, new_text=new_text, suppressed=suppressed)


NOTHING_FOUND = (
    "parsed, but no model loading call trained by an optimizer or FSDP2 and no recipe-shaped config was found"
)


def _decided(analysis: Analysis) -> Classification | None:
    """What the engine decided on the file's recipe-shaped data (reasons joined when several differ)."""
    decided = [c for c in analysis.classifications if c.kind is not Kind.NOT_RECIPE]
    if not decided:
        return None
    reasons = list(dict.fromkeys(c.reason for c in decided))
    pattern = decided[0].pattern if len(decided) == 1 else None  # several: never "already on pattern"
    return Classification(decided[0].kind, "; ".join(reasons), decided[0].family, pattern)


def _why_unchanged(analysis: Analysis, findings: tuple[LocatedFinding, ...]) -> Classification:
    """Why a file that gets no edits needed none: the decisions made on its recipe-shaped data, else what was seen."""
    if not analysis.relevant:
        return Classification(Kind.NOT_RECIPE, NOTHING_FOUND)
    decided = _decided(analysis)
    if decided is not None:
        return decided
    if analysis.suppressed and not findings:
        return Classification(Kind.NOT_APPLICABLE, "every finding is suppressed by a `# migrator: ignore` comment")
    if findings and all(located.level is Level.INFO for located in findings):
        return Classification(Kind.NOT_APPLICABLE, "only notes were raised; nothing to edit")
    if findings:
        return Classification(Kind.NOT_APPLICABLE, "only warnings were raised; the code is left as it is")
    return Classification(Kind.NOT_APPLICABLE, "nothing a rule looks at needs a change")
