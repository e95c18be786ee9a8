"""One file's pipeline: read, parse its suppression comments once, run its front end, write what verified.

The front ends (`migrator.yaml`, `migrator.python`) turn text into a core `Outcome` and never touch files.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from migrator import config, documents, patterns, python, schema
from migrator.core import suppressions
from migrator.core.classify import Kind
from migrator.core.findings import RULES
from migrator.core.outcome import SKIP_FILE, SUPPRESSED_BLOCKER, FileResult, Outcome, Problem, Status, failed
from migrator.core.plan import MIGRATABLE
from migrator.core.settings import Mode, Options, Settings
from migrator.files import FileError, decode, display_path, read_limited, resolve_inside, write_atomic
from migrator.yaml import front_end as yaml_front_end

FrontEnd = Callable[[str, Options, suppressions.Directives], Outcome]


def _migrate_document(
    text: str, options: Options, directives: suppressions.Directives | None = None, *, suffix: str
) -> Outcome:
    from migrator.documents.front_end import migrate_document  # the page readers load only for pages

    return migrate_document(text, options, directives, suffix=suffix)


FRONT_ENDS: dict[str, FrontEnd] = {
    **{suffix: yaml_front_end.migrate_yaml for suffix in yaml_front_end.SUFFIXES},
    **{suffix: python.migrate_python for suffix in python.SUFFIXES},
    **{suffix: functools.partial(_migrate_document, suffix=suffix) for suffix in documents.SUFFIXES},
}
# Every suffix a front end accepts; discovery searches folders for exactly these.
SUPPORTED_SUFFIXES = tuple(FRONT_ENDS)

# Parsing allocates many short-lived containers that reference counting frees; the default gen-0 threshold
# (700) makes the cycle collector scan them again and again for nothing (about 7% of a run's time).
PARSING_GC_THRESHOLD = (50_000, 20, 20)


@contextmanager
def tuned_for_parsing() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(*PARSING_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


# `# migrator: ignore[...]` takes a rule's name as well as its code, as `migrator explain` does.
CODE_OF_NAME = {rule.slug.upper(): code for code, rule in RULES.items()}


def load_lazy_parts() -> None:
    """Load now what the pipeline otherwise loads on first use (the schema validators): a pool's workers are
    forked after this and inherit it, instead of each loading it again."""
    for pattern in patterns.PATTERNS:
        schema.validator(pattern)


def front_end(suffix: str) -> FrontEnd | None:
    return FRONT_ENDS.get(suffix)


def migrate_text(
    text: str, suffix: str, options: Options, path: Path | None = None
) -> tuple[Outcome, tuple[Problem, ...]]:
    """A file's text through its front end, with the notices about its suppression comments."""
    migrate = FRONT_ENDS[suffix]
    if suffix in python.SUFFIXES and path is not None and python.is_test_code(path):
        migrate = python.migrate_test_code
    directives = suppressions.parse(text, python=suffix in python.SUFFIXES, document=suffix in documents.SUFFIXES)
    directives = directives.with_names(CODE_OF_NAME)
    directives = directives.ignoring(options.ignored)
    notices = tuple(
        Problem(f"unknown rule code `{code}` in a `# migrator: ignore` comment", line, 1, "see `migrator rules`")
        for line, code in directives.unknown_codes(RULES)
    )
    if directives.skip_file:
        return Outcome(Status.SKIPPED, skip_reason=SKIP_FILE), notices
    outcome = migrate(text, options, directives)
    if _suppressions_consulted(outcome, suffix):
        notices += tuple(
            Problem(f"unused suppression `{_directive(codes)}`: nothing it names is found here", line, 1, "remove it")
            for line, codes in directives.unused()
            # an unknown code is reported as such; a rule not selected suppresses nothing by design
            if codes is None or (codes <= RULES.keys() and not codes <= options.ignored)
        )
    if options.ignored:  # a rule not selected is not reported, not even as suppressed
        outcome = replace(
            outcome, suppressed=tuple(item for item in outcome.suppressed if item.finding.code not in options.ignored)
        )
    return outcome, notices


def _suppressions_consulted(outcome: Outcome, suffix: str) -> bool:
    """Whether the front end weighed findings against the file's suppressions (it did not for a file it skipped
    or could not read), so that an unused one is really unused."""
    if suffix in python.SUFFIXES:
        return outcome.status in (Status.MIGRATED, Status.UNCHANGED) or outcome.skip_reason == SUPPRESSED_BLOCKER
    kind = outcome.classification.kind if outcome.classification is not None else None
    return kind in (*MIGRATABLE, Kind.UNDECIDABLE)


def _directive(codes: frozenset[str] | None) -> str:
    return "# migrator: ignore" + (f"[{', '.join(sorted(codes))}]" if codes else "")


def options_for(path: Path, settings: Settings) -> Options:
    if settings.overrides is None:
        return settings.options
    return config.options_for(path.parent, settings.overrides)


def process_file(path: Path, settings: Settings) -> FileResult:
    shown = display_path(path)
    try:
        suffix = _suffix(path)
        real_path = resolve_inside(path, settings.roots)
        raw = read_limited(real_path, settings.max_file_size)
        result, new_bytes = _migrate_bytes(raw, suffix, path, shown, settings)
        if new_bytes is not None and settings.mode is Mode.WRITE:
            write_atomic(real_path, new_bytes, original=raw)
        return result
    except Exception as exc:
        return _failure(shown, exc)


def process_stdin(raw: bytes, name: str, settings: Settings) -> tuple[FileResult, bytes]:
    """Standard input, processed as the file `name` would be (its suffix, its settings): the result, and the bytes
    to print in write mode (the migrated text, or the input as it came)."""
    try:
        if len(raw) > settings.max_file_size:
            raise FileError(
                f"{len(raw):,} bytes, over the size limit of {settings.max_file_size:,}", "raise --max-file-size"
            )
        result, new_bytes = _migrate_bytes(raw, _suffix(Path(name)), Path(name), name, settings)
        return result, raw if new_bytes is None else new_bytes
    except Exception as exc:
        return _failure(name, exc), raw


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()  # `c.YAML` is YAML
    if suffix not in FRONT_ENDS:
        raise FileError(f"unsupported file type `{path.suffix}`", "pass " + " or ".join(SUPPORTED_SUFFIXES) + " files")
    return suffix


def _migrate_bytes(
    raw: bytes, suffix: str, path: Path, shown: str, settings: Settings
) -> tuple[FileResult, bytes | None]:
    """A file's bytes through its front end: the result, and the new bytes when it is migrated."""
    source = decode(raw)
    outcome, notices = migrate_text(source.text, suffix, options_for(path, settings), Path(shown))
    if outcome.status is not Status.MIGRATED or outcome.new_text is None:
        return FileResult(shown, outcome, notices=notices), None
    if settings.verify and suffix in yaml_front_end.SUFFIXES:
        unproven = _failed_proof(outcome, shown)
        if unproven is not None:
            return FileResult(shown, unproven, notices=notices), None
    new_bytes = source.restore(outcome.new_text)
    outcome = replace(outcome, new_text=None)
    if settings.mode is Mode.DIFF:
        return FileResult(shown, outcome, raw.decode("utf-8"), new_bytes.decode("utf-8"), notices), new_bytes
    return FileResult(shown, outcome, notices=notices), new_bytes


def _failure(shown: str, exc: Exception) -> FileResult:
    if isinstance(exc, FileError):
        return failed(shown, exc.message, exc.hint)
    if isinstance(exc, config.ConfigError):
        return failed(shown, str(exc), "fix the settings there")
    if isinstance(exc, OSError):
        return failed(shown, f"cannot read or write: {exc.strerror or exc}", "check permissions and free space")
    # One file's bug must never stop the run.
    import traceback  # only for a file that raised

    detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return failed(shown, f"internal error: {detail}", "please report this file")


def _failed_proof(outcome: Outcome, shown: str) -> Outcome | None:
    """`migrate --verify`: a migrated recipe whose proof with AutoModel and torch fails is not written."""
    from migrator.proof.gate import failed_proof  # lazy: torch and AutoModel load only for --verify

    why = failed_proof(outcome.new_text or "", shown)
    if why is None:
        return None
    problem = Problem(why, hint="run `migrator verify` on the migrated file for details")
    return replace(outcome, status=Status.FAILED, problem=problem, new_text=None)
