"""Every YAML golden fixture, put in a document inside each kind of container, migrates exactly as the file does."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.core.outcome import Status
from migrator.documents.front_end import code_blocks, migrate_document
from migrator.files import decode
from migrator.yaml.front_end import migrate_yaml
from tests.test_golden import INPUTS, _options

YAML_INPUTS = [path for path in INPUTS if path.suffix == ".yaml"]
# (suffix, what comes before the content, prefix of every content line, what comes after it)
CONTAINERS = {
    "top level": (".md", "```yaml\n", "", "```\n"),
    "list item": (".md", "1. Step:\n\n   ```yaml\n", "   ", "   ```\n"),
    "nested list": (".md", "- a\n  - b\n\n    ~~~yml\n", "    ", "    ~~~~\n"),
    "blockquote": (".md", "> Note:\n>\n> ````yaml\n", "> ", "> ````\n"),
    "list in quote": (".md", "> 1. x\n>\n>    ```yaml\n", ">    ", ">    ```\n"),
    "jsx": (".mdx", '<Tabs>\n  <Tab>\n    ```yaml title="recipe.yaml"\n', "    ", "    ```\n  </Tab>\n</Tabs>\n"),
    "rst directive": (".rst", ".. note::\n\n   .. code-block:: yaml\n      :caption: recipe.yaml\n\n", "      ", ""),
}


def _wrap(yaml_text: str, container: str) -> tuple[str, str]:
    suffix, head, prefix, tail = CONTAINERS[container]
    body = "".join(prefix + line if line.strip() else prefix.rstrip() + line for line in yaml_text.splitlines(True))
    return suffix, f"Intro\t text.\n\n{head}{body}{tail}\nAfter.\n"


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("input_path", YAML_INPUTS, ids=[p.parent.name for p in YAML_INPUTS])
def test_a_block_migrates_as_its_file_does(input_path: Path, container: str) -> None:
    yaml_text = decode(input_path.read_bytes()).text.lstrip("\ufeff")
    yaml_text += "" if yaml_text.endswith(("\n", "\r")) else "\n"  # a closing fence follows on its own line
    options = _options(input_path.parent)
    suffix, document = _wrap(yaml_text, container)
    alone, inside = migrate_yaml(yaml_text, options), migrate_document(document, options, suffix=suffix)
    if alone.status is Status.MIGRATED:
        assert inside.status is Status.MIGRATED, inside.problem
        [block] = code_blocks(inside.new_text, suffix)
        assert block.text == alone.new_text
        [original] = code_blocks(document, suffix)
        first, last = original.block.lines[0], original.block.lines[-1]
        assert inside.new_text.startswith(document[: first.start])
        assert inside.new_text.endswith(document[last.start + len(last.prefix + last.content) :])
        codes = [sorted(found.finding.code for found in outcome.findings) for outcome in (inside, alone)]
        assert codes[0] == codes[1]
        assert migrate_document(inside.new_text, options, suffix=suffix).status is not Status.MIGRATED
    else:
        assert inside.new_text is None
