"""In-source suppressions: `# migrator: ignore`, `# migrator: ignore[MIG001, MIG003]`, `# migrator: skip-file`.

Front-end agnostic on purpose: directives are read from comment text (YAML and Python both use `#`), and a
front end only says which lines a finding is about (its key, the keys it edits, and their enclosing blocks).
Rules never see suppressions; a suppressed finding keeps its report entry and loses its changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from migrator.core.changes import Change, KeyPath

# A `#` that starts a comment: at the start of a line or after whitespace (not inside `a#b`).
_DIRECTIVE = re.compile(
    r"(?:^|(?<=\s))#\s*migrator:\s*(?P<kind>ignore|skip-file)\b(?:\[(?P<codes>[^\]\r\n]*)\])?", re.MULTILINE
)
# Documentation comments: HTML in Markdown (`<!-- migrator: ignore -->`), JSX in MDX (`{/* migrator: skip-file */}`),
# reStructuredText (`.. migrator: ignore`), starting a line: a page may show the directives in prose or inline code.
_DOCUMENT_DIRECTIVE = re.compile(
    r"^[ \t>]*(?:<!--|\{/\*|\.\.)\s*migrator:\s*(?P<kind>ignore|skip-file)\b(?:\[(?P<codes>[^\]\r\n]*)\])?",
    re.MULTILINE,
)
# Line breaks as each front end's parser counts them, so line numbers agree with its positions: YAML 1.1
# also breaks at NEL, LS and PS, which Python keeps inside a line (e.g. in a comment).
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_PYTHON_LINE_BREAK = re.compile("\r\n|[\r\n]")
_CODE_SEPARATOR = re.compile(r"[\s,]+")
_CLASS_KEY = "_target_"  # Hydra's class selector: edits inside one object depend on its class


@dataclass(frozen=True)
class Directives:
    skip_file: bool = False
    ignores: tuple[tuple[int, frozenset[str] | None], ...] = ()  # (1-based line, codes or None for all)
    everywhere: frozenset[str] = frozenset()  # codes ignored on every line (rules not selected for the run)
    # Lines whose directive suppressed something, so the unused ones can be reported (as ruff's RUF100).
    used: set[int] = field(default_factory=set, compare=False)

    def covers(self, code: str, lines: Collection[int]) -> bool:
        if code in self.everywhere:
            return True
        hits = [line for line, codes in self.ignores if line in lines and (codes is None or code in codes)]
        self.used.update(hits)
        return bool(hits)

    def unused(self) -> list[tuple[int, frozenset[str] | None]]:
        """The `ignore` directives that suppressed nothing, by line."""
        return [(line, codes) for line, codes in self.ignores if line not in self.used]

    def ignoring(self, codes: frozenset[str]) -> Directives:
        return Directives(self.skip_file, self.ignores, self.everywhere | codes) if codes else self

    def with_names(self, code_of: Mapping[str, str]) -> Directives:
        """Rule names written in place of codes (`ignore[implicit-mp-policy]`), as their codes; `code_of` maps
        upper-cased names (directives are read upper-cased) to codes."""
        ignores = tuple(
            (line, frozenset(code_of.get(code, code) for code in codes) if codes is not None else None)
            for line, codes in self.ignores
        )
        return Directives(self.skip_file, ignores, self.everywhere)

    def unknown_codes(self, known: Collection[str]) -> list[tuple[int, str]]:
        return [(line, code) for line, codes in self.ignores for code in sorted(codes or ()) if code not in known]


NONE = Directives()


def parse(text: str, python: bool = False, document: bool = False) -> Directives:
    """A document's `#` directives live in its code blocks, so there only a document comment skips the file."""
    if "migrator:" not in text:  # the common case costs one substring search
        return NONE
    skip_file = False
    ignores = []
    matches = [*_DIRECTIVE.finditer(text), *(_DOCUMENT_DIRECTIVE.finditer(text) if document else ())]
    for match in sorted(matches, key=lambda match: match.start()):
        if match["kind"] == "skip-file":
            skip_file = skip_file or not document or match.re is _DOCUMENT_DIRECTIVE
            continue
        line = 1 + len((_PYTHON_LINE_BREAK if python or document else _LINE_BREAK).findall(text, 0, match.start()))
        ignores.append((line, _codes(match)))
    return Directives(skip_file, tuple(ignores))


def document_ignore(line: str) -> tuple[bool, frozenset[str] | None]:
    """Whether a document line holds `<!-- migrator: ignore[...] -->`, and its codes (None: every code)."""
    match = _DOCUMENT_DIRECTIVE.search(line)
    if match is None or match["kind"] != "ignore":
        return False, None
    return True, _codes(match)


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    raw = match["codes"]
    codes = frozenset(code.upper() for code in _CODE_SEPARATOR.split(raw) if code) if raw is not None else None
    return codes or None


class Suppressible(Protocol):
    """What a finding must offer to be suppressed (engine `Finding`s, and any other front end's)."""

    @property
    def code(self) -> str: ...

    @property
    def path(self) -> KeyPath: ...

    @property
    def changes(self) -> tuple[Change, ...]: ...


F = TypeVar("F", bound=Suppressible)


def partition(
    findings: Sequence[F], lines_of: Callable[[F], Collection[int]], directives: Directives
) -> tuple[list[F], list[F]]:
    """(kept, suppressed). A finding is suppressed when a directive covers its code on one of its lines.

    Edits to one object that changes class go together: if any of them is suppressed, all are (keeping
    `_target_: FusedAdam` but not the removal of `foreach`, or the reverse, would break the recipe).
    """
    if not directives.ignores and not directives.everywhere:
        return list(findings), []
    suppressed = {index for index, finding in enumerate(findings) if directives.covers(finding.code, lines_of(finding))}
    for group in _class_switch_groups(findings):
        if group & suppressed:
            suppressed |= group
    kept = [finding for index, finding in enumerate(findings) if index not in suppressed]
    return kept, [finding for index, finding in enumerate(findings) if index in suppressed]


def lines_about(finding: Suppressible, lines_of: Callable[[KeyPath], Iterable[int]]) -> set[int]:
    """Lines whose comment covers a finding: those of the key it is about and of every key it edits."""
    return {line for path in finding_paths(finding) for line in lines_of(path)}


def finding_paths(finding: Suppressible) -> tuple[KeyPath, ...]:
    """The key a finding is about, then every key it edits."""
    return (finding.path, *(change.path for change in finding.changes))


def waived_by(suppressed: Iterable[Suppressible]) -> Callable[[KeyPath], bool]:
    """Whether a key is one a suppressed finding is about or would have written (or lies below one): a miss
    there is the user's choice, not the tool's."""
    paths = [path for finding in suppressed for path in finding_paths(finding)]
    return lambda key_path: any(key_path[: len(path)] == path for path in paths)


def _class_switch_groups(findings: Sequence[F]) -> Iterable[set[int]]:
    switched = {change.path[:-1] for finding in findings for change in finding.changes if change.path[-1] == _CLASS_KEY}
    for section in switched:
        yield {
            index
            for index, finding in enumerate(findings)
            if any(_inside(change.path, section) for change in finding.changes)
        }


def _inside(path: KeyPath, section: KeyPath) -> bool:
    return path[: len(section)] == section
