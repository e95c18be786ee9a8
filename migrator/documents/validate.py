"""`migrator validate` on a document: each YAML code block is checked as a config, misses at document lines."""

from __future__ import annotations

from dataclasses import replace

from migrator.documents.front_end import code_blocks
from migrator.validate import Checked, Miss, Verdict, check_text

# The block that speaks for the document, as in `migrate`: what needs fixing first.
_PRECEDENCE = (Verdict.INVALID, Verdict.VALID, Verdict.SKIPPED, Verdict.NOT_RECIPE)


def check_document(path: str, text: str, suffix: str, pattern: str | None) -> Checked:
    checked = []
    for snippet in code_blocks(text, suffix):
        if snippet.suffix != ".yaml":
            continue
        result = check_text(path, snippet.text, pattern)
        if result.verdict is Verdict.ERROR:  # a block that does not parse is an illustration, as `migrate` has it
            continue
        misses = tuple(Miss(*snippet.position(miss.line, miss.column), miss.message) for miss in result.misses)
        checked.append(replace(result, misses=misses))
    if not checked:
        return Checked(path, Verdict.NOT_RECIPE)
    leading = min(checked, key=lambda result: _PRECEDENCE.index(result.verdict))
    return replace(leading, misses=tuple(miss for result in checked for miss in result.misses))
