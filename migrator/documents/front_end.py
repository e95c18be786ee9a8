"""A documentation file's text in, its outcome out: every YAML or Python code block is migrated as a snippet.

Each block goes through the existing front end for its language (same classification, rules, in-block
`# migrator: ignore` comments, splicing and verification). Positions are mapped back to the document, and
only the content lines of edited blocks are rewritten, each through its own container prefix. A block is
one config: what happens to the document is the sum of what happened to its blocks (`combine`).
"""

from __future__ import annotations

import ast
import bisect
import difflib
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from migrator import python
from migrator.core import automodel, suppressions
from migrator.core.classify import Classification, Kind
from migrator.core.outcome import SUPPRESSED_BLOCKER, LocatedFinding, Outcome, Problem, Status
from migrator.core.settings import Options
from migrator.documents import markdown, rst
from migrator.documents.blocks import BlockOutcome, combine
from migrator.rules.recipe_fragment import recipe_fragment
from migrator.yaml.document import YamlDocument
from migrator.yaml.front_end import migrate_yaml
from migrator.yaml.loading import YamlError

# The info-string word that names a block's language, and the suffix of the front end that reads it.
LANGUAGES = {"yaml": ".yaml", "yml": ".yaml", "python": ".py", "py": ".py"}
SNIPPET_FRONT_ENDS = {".yaml": migrate_yaml, ".py": python.migrate_python}
# Line breaks as each front end counts lines, so a snippet's (line, column) finds its offset.
_SNIPPET_BREAKS = {".yaml": re.compile("\r\n|[\r\n\x85\u2028\u2029]"), ".py": re.compile("\r\n|[\r\n]")}
UNPARSABLE = "does not parse"
NOT_VERIFIED = "please report this file; it was left untouched"


class Snippet:
    """One block's text with the way back from its positions to the document's."""

    def __init__(self, block: markdown.FencedBlock, suffix: str) -> None:
        self.block = block
        self.suffix = suffix
        self.text = block.text
        self._line_starts = [0] + [match.end() for match in _SNIPPET_BREAKS[suffix].finditer(self.text)]
        self._content_starts = []
        offset = 0
        for line in block.lines:
            self._content_starts.append(offset)
            offset += len(line.content)

    def position(self, line: int, column: int) -> tuple[int, int]:
        """A 1-based snippet (line, column) as a document (line, column); line 0 (no line) is the opening fence."""
        if line <= 0:
            return self.block.opener + 1, 0
        offset = self._line_starts[min(line, len(self._line_starts)) - 1] + max(column - 1, 0)
        index = max(bisect.bisect_right(self._content_starts, offset) - 1, 0)
        content = self.block.lines[index]
        return content.number + 1, (len(content.prefix) + offset - self._content_starts[index] + 1) if column else 0

    def parses(self) -> bool:
        try:
            if self.suffix == ".py":
                ast.parse(self.text)
            else:
                YamlDocument(self.text)
        except (SyntaxError, ValueError, YamlError):
            return False
        return True

    def locate(self, found: Iterable[LocatedFinding]) -> tuple[LocatedFinding, ...]:
        return tuple(LocatedFinding(found.finding, *self.position(found.line, found.column)) for found in found)

    def problem(self, problem: Problem) -> Problem:
        line, column = self.position(problem.line, problem.column)
        return replace(problem, line=line, column=column)

    def lines_for(self, new_text: str) -> str:
        """The document lines holding `new_text`: unchanged lines byte for byte, new ones behind the block's prefix."""
        old = [line.content for line in self.block.lines]
        new = _split(new_text)
        written = []
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
            for index in range(new_end - new_start):
                if tag == "equal":
                    line = self.block.lines[old_start + index]
                    written.append(line.prefix + line.content)
                    continue
                # A replaced line keeps the prefix of the line it replaces (a blockquote's `>` spacing, say).
                replaced = old_start + index < old_end
                prefix = self.block.lines[old_start + index].prefix if replaced else self.block.indent
                content = new[new_start + index]
                written.append((prefix if content.strip("\r\n") else prefix.rstrip(" \t")) + content)
        return "".join(written)


def _split(text: str) -> list[str]:
    return [line for _, line in markdown.split_lines(text)]


def scan(text: str, suffix: str) -> list[markdown.FencedBlock]:
    """Every code block of a document, whatever its language."""
    if suffix == ".rst":
        return rst.code_blocks(text)
    return markdown.fenced_blocks(text, mdx=suffix == ".mdx")


def code_blocks(text: str, suffix: str) -> list[Snippet]:
    """The document's YAML and Python blocks that hold something."""
    found = scan(text, suffix)
    return [Snippet(block, LANGUAGES[block.language]) for block in found if block.language in LANGUAGES and block.lines]


def ignore_before(lines: list[tuple[int, str]], block: markdown.FencedBlock) -> tuple[bool, frozenset[str] | None]:
    """The `<!-- migrator: ignore[...] -->` on the last line above the opening fence that is not blank; `lines`
    are the document's, as `markdown.split_lines` gives them."""
    number = block.opener - 1
    while number >= 0 and not lines[number][1].strip(" \t\r\n>"):
        number -= 1
    return suppressions.document_ignore(lines[number][1]) if number >= 0 else (False, None)


def migrate_blocks(text: str, options: Options, suffix: str) -> list[tuple[Snippet, BlockOutcome]]:
    lines = markdown.split_lines(text)
    snippets = code_blocks(text, suffix)
    return [(snippet, migrate_block(snippet, options, ignore_before(lines, snippet.block))) for snippet in snippets]


def migrate_document(
    text: str, options: Options, directives: suppressions.Directives | None = None, *, suffix: str
) -> Outcome:
    """A document through its code blocks; its own comments are read per block (`directives` holds only skip-file)."""
    results = migrate_blocks(text, options, suffix)
    combined = combine([result for _, result in results])
    edited = [(snippet, result.outcome.new_text) for snippet, result in results if result.outcome.new_text]
    if combined.status is not Status.MIGRATED or not edited:
        return combined
    new_text = _splice(text, edited)
    problem = _unverified(new_text, edited, suffix)
    if problem is not None:
        return replace(combined, status=Status.FAILED, problem=problem)
    return replace(combined, new_text=new_text)


def migrate_block(snippet: Snippet, options: Options, ignore: tuple[bool, frozenset[str] | None]) -> BlockOutcome:
    outcome = SNIPPET_FRONT_ENDS[snippet.suffix](snippet.text, options, None)
    classification = outcome.classification
    fragment = False
    if outcome.status is Status.SKIPPED and classification is not None and classification.kind is Kind.NOT_APPLICABLE:
        partial = _partial(snippet)
        if partial is True:
            return BlockOutcome(Outcome(Status.NOT_RECIPE, classification))
        if isinstance(partial, LocatedFinding):
            outcome, fragment = _fragment_outcome(snippet, partial, classification), True
    findings, suppressed = snippet.locate(outcome.findings), snippet.locate(outcome.suppressed)
    problem = snippet.problem(outcome.problem) if outcome.problem is not None else None
    if problem is not None and not snippet.parses():
        # Pages abbreviate (`...` placeholders, MDX comments inside a block): an illustration, not a broken file.
        opener = snippet.block.opener + 1
        reason = f"the block at line {opener} does not parse ({problem.message} at line {problem.line})"
        unparsable = Classification(Kind.NOT_APPLICABLE, reason)
        return BlockOutcome(Outcome(Status.SKIPPED, unparsable, skip_reason=UNPARSABLE))
    ignored, codes = ignore
    if ignored and any(codes is None or located.finding.code in codes for located in findings):
        # A block is one config: its comment leaves the whole block as written, findings reported as suppressed.
        left = Outcome(Status.SKIPPED, outcome.classification, outcome.target, suppressed=findings + suppressed)
        return BlockOutcome(replace(left, skip_reason=SUPPRESSED_BLOCKER), fragment)
    return BlockOutcome(replace(outcome, findings=findings, suppressed=suppressed, problem=problem), fragment)


def _partial(snippet: Snippet) -> LocatedFinding | bool:
    """For a YAML block the engine finds not applicable: a fragment's note, True for a section shown alone."""
    if snippet.suffix != ".yaml":
        return False
    doc = YamlDocument(snippet.text)  # it loaded in the engine
    data: Any = doc.data
    optimizer = data.get("optimizer") if isinstance(data, dict) else None
    if not isinstance(optimizer, dict) or "_target_" not in optimizer:
        return True  # a model without optimizer, an optimizer override without its class
    target = optimizer["_target_"]
    if isinstance(data.get("model"), dict) or target not in automodel.TORCH_ADAM_TARGETS:
        return False
    message = f"{target} without a model section: its Adam state is bf16 unless the recipe it goes into stores float32"
    return LocatedFinding(recipe_fragment.finding(message, ("optimizer",)), *doc.line_of(("optimizer",)))


def _fragment_outcome(snippet: Snippet, note: LocatedFinding, classification: Classification) -> Outcome:
    """A fragment's outcome, its note in snippet positions; `# migrator: ignore` on the optimizer line covers it."""
    line, _ = snippet.position(note.line, note.column)
    noted = replace(classification, reason=f"recipe fragment at line {line}: {note.finding.message}")
    if suppressions.parse(snippet.text).covers(recipe_fragment.code, {note.line}):
        return Outcome(Status.SKIPPED, noted, suppressed=(note,), skip_reason=SUPPRESSED_BLOCKER)
    return Outcome(Status.SKIPPED, noted, findings=(note,), skip_reason="fragment")


def _splice(text: str, edited: list[tuple[Snippet, str]]) -> str:
    pieces, cursor = [], 0
    for snippet, new_text in sorted(edited, key=lambda item: item[0].block.opener):
        first, last = snippet.block.lines[0], snippet.block.lines[-1]
        pieces += [text[cursor : first.start], snippet.lines_for(new_text)]
        cursor = last.start + len(last.prefix) + len(last.content)
    return "".join([*pieces, text[cursor:]])


def _unverified(new_text: str, edited: list[tuple[Snippet, str]], suffix: str) -> Problem | None:
    """Read the written document back: the same blocks, the edited ones holding exactly the engine's text."""
    found = {block.opener: block.text for block in scan(new_text, suffix)}
    shift = 0  # lines added above the block
    for snippet, new in sorted(edited, key=lambda item: item[0].block.opener):
        if found.get(snippet.block.opener + shift) != new:
            message = "an edited code block does not read back as written"
            return Problem(message, snippet.block.opener + 1, 0, NOT_VERIFIED)
        shift += len(_split(new)) - len(snippet.block.lines)
    return None
