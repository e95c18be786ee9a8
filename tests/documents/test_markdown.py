"""The fence scanner against CommonMark's rules for fenced code blocks and their containers."""

from __future__ import annotations

import textwrap

from migrator.documents import rst
from migrator.documents.markdown import FencedBlock, fenced_blocks


def blocks(source: str, mdx: bool = False) -> list[FencedBlock]:
    return fenced_blocks(textwrap.dedent(source), mdx)


def contents(block: FencedBlock) -> list[tuple[str, str]]:
    return [(line.prefix, line.content) for line in block.lines]


def test_backtick_and_tilde_fences_with_info_words() -> None:
    found = blocks(
        """\
        ```YAML title="a.yaml"
        a: 1
        ```
        ~~~py
        b = 2
        ~~~
        """
    )
    assert [(block.language, block.info, block.text) for block in found] == [
        ("yaml", 'YAML title="a.yaml"', "a: 1\n"),
        ("py", "py", "b = 2\n"),
    ]


def test_language_is_the_leading_name_of_the_info_string() -> None:
    infos = ["yaml", "YML title=x", "yaml{2-4}", "python:train.py", "{.yaml}", ""]
    assert [FencedBlock(info, 0, (), "").language for info in infos] == ["yaml", "yml", "yaml", "python", "", ""]


def test_closing_fence_needs_the_same_character_and_at_least_the_length() -> None:
    [block] = blocks(
        """\
        ````yaml
        ```
        ~~~~
        ```` not a closer: it has an info string
        `````
        after
        """
    )
    assert block.text == "```\n~~~~\n```` not a closer: it has an info string\n"


def test_backtick_info_string_may_not_hold_a_backtick() -> None:
    # Not an opener: the later ``` opens an empty block instead.
    found = fenced_blocks("```yaml `x`\na: 1\n```\n")
    assert [(block.language, block.opener, block.text) for block in found] == [("", 2, "")]


def test_four_spaces_are_indented_code_in_markdown_but_a_fence_in_mdx() -> None:
    source = "    ```yaml\n    a: 1\n    ```\n"
    assert fenced_blocks(source) == []
    [block] = fenced_blocks(source, mdx=True)
    assert contents(block) == [("    ", "a: 1\n")]


def test_content_loses_at_most_the_fence_indentation() -> None:
    [block] = fenced_blocks("  ```yaml\n    a: 1\n b: 2\nc: 3\n  ```\n")
    assert contents(block) == [("  ", "  a: 1\n"), (" ", "b: 2\n"), ("", "c: 3\n")]


def test_unclosed_fence_runs_to_the_end_of_the_document() -> None:
    [block] = fenced_blocks("text\n```yaml\na: 1\nb: 2")
    assert block.text == "a: 1\nb: 2"


def test_list_item_content_keeps_its_indentation_as_prefix() -> None:
    [block] = blocks(
        """\
        1. Step:

           ```yaml
           a:
             b: 1

           c: 2
           ```
        2. Next
        """
    )
    assert contents(block) == [("   ", "a:\n"), ("   ", "  b: 1\n"), ("", "\n"), ("   ", "c: 2\n")]
    assert block.indent == "   "


def test_fence_on_the_list_marker_line_inserts_behind_spaces() -> None:
    [block] = fenced_blocks("- ```yaml\n  a: 1\n  ```\n")
    assert contents(block) == [("  ", "a: 1\n")] and block.indent == "  "


def test_a_less_indented_line_ends_the_list_item_and_its_unclosed_block() -> None:
    [block, after] = fenced_blocks("- ```yaml\n  a: 1\nb: 2\n```python\nx = 1\n```\n")
    assert block.text == "a: 1\n" and after.language == "python"


def test_nested_list_items() -> None:
    [block] = blocks(
        """\
        - outer
          - inner
            ```yaml
            a: 1
            ```
        """
    )
    assert contents(block) == [("    ", "a: 1\n")]


def test_blockquote_prefixes_are_kept_and_a_line_without_one_ends_the_block() -> None:
    [quoted, plain] = fenced_blocks("> ```yaml\n> a: 1\n>\n>b: 2\nc: 3\n```yaml\nd: 4\n```\n")
    assert contents(quoted) == [("> ", "a: 1\n"), (">", "\n"), (">", "b: 2\n")]
    assert quoted.indent == "> " and plain.text == "d: 4\n"


def test_list_inside_blockquote() -> None:
    [block] = fenced_blocks("> 1. x\n>    ```yaml\n>    a: 1\n>    ```\n")
    assert contents(block) == [(">    ", "a: 1\n")] and block.indent == ">    "


def test_crlf_and_tabs() -> None:
    [block] = fenced_blocks("\t```yaml\r\na:\t1\r\n```\r\n", mdx=True)
    assert contents(block) == [("", "a:\t1\r\n")]
    [block] = fenced_blocks("```yaml\r\na: 1\r\n```\r\n")
    assert contents(block) == [("", "a: 1\r\n")]


def test_opener_line_numbers() -> None:
    found = fenced_blocks("a\n\n```yaml\nx: 1\n```\n\n```py\ny = 1\n```\n")
    assert [block.opener for block in found] == [2, 6]


def test_rst_directives_with_options_nested_and_trailing_blank_lines() -> None:
    source = textwrap.dedent(
        """\
        .. code-block:: yaml
           :caption: a.yaml

           a:
             b: 1

           c: 2


        * item

          .. code:: python

                x = 1

        .. code-block:: yaml
        Not content: the directive has no body.
        """
    )
    first, second = rst.code_blocks(source)
    assert (first.language, first.opener, first.indent) == ("yaml", 0, "   ")
    assert contents(first) == [("   ", "a:\n"), ("   ", "  b: 1\n"), ("", "\n"), ("   ", "c: 2\n")]
    assert (second.language, contents(second), second.indent) == ("python", [(" " * 8, "x = 1\n")], " " * 8)


def test_an_empty_list_item_in_a_crlf_page_is_a_container() -> None:
    [block] = fenced_blocks("-\r\n  ```yaml\r\n  a: 1\r\n  ```\r\n")
    assert contents(block) == [("  ", "a: 1\r\n")]
