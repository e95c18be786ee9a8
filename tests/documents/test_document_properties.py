"""Property test: generated recipes in generated pages (prose, containers, noise), every suffix and option.

The engine never raises on a page. A migrated page changes only content lines of its code blocks, each edited
block holds exactly what the YAML engine makes of it alone, and a second run changes nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrator.core.outcome import Status
from migrator.core.settings import Options
from migrator.documents.front_end import code_blocks, migrate_document, scan
from migrator.documents.markdown import split_lines
from migrator.yaml.front_end import migrate_yaml
from tests.documents.test_containers import CONTAINERS
from tests.recipe_strategies import recipe_texts
from tests.test_properties import EXAMPLES, options_strategy

NOISE = [
    "Some prose\twith a tab.\n",
    "- a list item\n",
    "> a quoted line\n",
    "\n",
    "<Note>\n",
    "</Note>\n",
    "<!-- a comment -->\n",
    "```bash\nls\n```\n",
    "    indented text\n",
    "---\n",
    "1. step\n",
]


@st.composite
def pages(draw: Callable[[Any], Any]) -> tuple[str, str]:
    suffix = draw(st.sampled_from([".md", ".mdx", ".rst"]))
    names = [name for name, container in CONTAINERS.items() if (container[0] == ".rst") == (suffix == ".rst")]
    pieces = []
    for _ in range(draw(st.integers(1, 3))):
        pieces += draw(st.lists(st.sampled_from(NOISE), max_size=3))
        _, head, prefix, tail = CONTAINERS[draw(st.sampled_from(names))]
        text = draw(recipe_texts()).text
        text += "" if text.endswith(("\n", "\r")) else "\n"
        body = "".join(prefix + line if line.strip() else prefix.rstrip() + line for line in text.splitlines(True))
        pieces += ["\n", head, body, tail, "\n"]
    return suffix, "".join(pieces)


def _block_lines(text: str, suffix: str) -> set[int]:
    return {line.number for snippet in code_blocks(text, suffix) for line in snippet.block.lines}


@settings(max_examples=max(EXAMPLES // 4, 50), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages(), options_strategy)
def test_pages_change_only_inside_blocks_and_as_the_engine_does(page: tuple[str, str], options: Options) -> None:
    suffix, text = page
    outcome = migrate_document(text, options, suffix=suffix)
    if outcome.status is not Status.MIGRATED:
        assert outcome.new_text is None
        return
    new_text = outcome.new_text
    assert new_text is not None
    old_lines, new_lines = text.splitlines(True), new_text.splitlines(True)
    inside_old, inside_new = _block_lines(text, suffix), _block_lines(new_text, suffix)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag != "equal":
            assert set(range(old_start, old_end)) <= inside_old and set(range(new_start, new_end)) <= inside_new
    for before, after in zip(code_blocks(text, suffix), code_blocks(new_text, suffix), strict=True):
        alone = migrate_yaml(before.text, options)
        assert after.text == (alone.new_text if alone.status is Status.MIGRATED else before.text)
    assert migrate_document(new_text, options, suffix=suffix).status is not Status.MIGRATED


SCANNER_PIECES = ["`", "```", "~~~", ">", "> ", "-", "1.", " ", "  ", "\t", "\n", "\r\n", "\r", "a", "yaml"]
SCANNER_ALPHABET = st.sampled_from(SCANNER_PIECES)


@settings(max_examples=max(EXAMPLES, 200), deadline=None)
@given(st.lists(SCANNER_ALPHABET, max_size=60).map("".join), st.sampled_from([".md", ".mdx", ".rst"]))
def test_scanners_split_any_text_into_prefix_and_content_of_its_own_lines(text: str, suffix: str) -> None:
    lines = dict(split_lines(text))
    for block in scan(text, suffix):
        numbers = [line.number for line in block.lines]
        assert numbers == sorted(set(numbers)) and all(number > block.opener for number in numbers)
        assert all(lines[line.start] == line.prefix + line.content for line in block.lines)
