"""A YAML config loaded once with libyaml: its data (as AutoModel's `yaml.safe_load` sees it) and the
node tree with positions, used to locate keys for text splicing. Nothing is ever constructed from tags
beyond YAML's safe types.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any, NamedTuple

import yaml

from migrator.core.changes import KeyPath
from migrator.yaml.loading import (
    FAST_LOADER,
    MAX_DEPTH,
    MERGE_TAG,
    NOT_PLAIN,
    REFERENCE_LOADER,
    STR_TAG,
    YamlError,
    divergent_piece,
    loader_for,
    mark_error,
    plain_data,
    plain_question_in_flow,
    position,
    question_after_flow_opener,
)

# YAML 1.1 line breaks as libyaml counts them for marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
# Expanded node count allowed: real recipes have a few hundred; an alias bomb has billions.
MAX_EXPANDED_NODES = 1_000_000
_DEPTH_HINT = "no recipe nests this deep (real ones reach 7 levels); this file is generated or hostile"


class Entry(NamedTuple):
    """An explicit `key: value` pair inside `mapping` (a tuple: thousands are made per run)."""

    mapping: yaml.MappingNode
    key: yaml.ScalarNode
    value: yaml.Node


def _constructor_error(exc: yaml.constructor.ConstructorError) -> YamlError:
    problem = str(exc.problem)
    if "unhashable key" in problem:
        return mark_error(exc, "a list or mapping cannot be a key; AutoModel keys are names")
    tag = re.search(r"for the tag '([^']*)'", problem)
    if tag:
        shown = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        hint = "AutoModel loads with yaml.safe_load, which accepts only YAML's standard tags; remove the tag"
        return YamlError(f"unsafe or unknown tag `{shown}` (never constructed)", *position(exc), hint)
    return mark_error(exc, "only YAML's standard types are allowed (AutoModel loads with yaml.safe_load)")


def _composer_error(exc: yaml.composer.ComposerError) -> YamlError:
    if "single document" in str(exc.context):
        line, _ = position(exc)
        hint = "AutoModel reads exactly one document per file: split it into one file per document"
        return YamlError(f"a second YAML document starts at line {line}", line, 1, hint)
    return mark_error(exc, "fix the YAML at that position")


def _too_deep(line: int, column: int) -> YamlError:
    return YamlError(f"nested deeper than {MAX_DEPTH} levels", line, column, _DEPTH_HINT)


class YamlDocument:
    def __init__(self, text: str) -> None:
        self.text = text
        fast = FAST_LOADER is not REFERENCE_LOADER and not divergent_piece(text)
        try:
            self._load(FAST_LOADER if fast else REFERENCE_LOADER)
            if fast and question_after_flow_opener(text) and plain_question_in_flow(self.root):
                fast = False  # the reference loader decides, as below
                self._load(REFERENCE_LOADER)
        except yaml.MarkedYAMLError as exc:
            if not fast or "maximum nesting depth" in str(exc.problem):
                raise self._error(exc) from None
            # libyaml rejected it: the reference loader decides, and its message and position are AutoModel's.
            try:
                self._load(REFERENCE_LOADER)
            except yaml.MarkedYAMLError as reference:
                raise self._error(reference) from None
        except RecursionError:  # the pure-Python composer recurses per level: only generated or hostile files
            raise _too_deep(0, 0) from None

    def _load(self, loader_class: type) -> None:
        self._explicit: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}
        self._index: dict[int, dict[str, Entry]] = {}
        self._shared: set[int] = set()
        self._non_string_keys: list[yaml.Node] = []
        loader = loader_for(loader_class, self.text)
        try:
            self.root: yaml.Node | None = loader.get_single_node()
            self.data: Any = plain_data(self.root, loader, self.text)
            if self.data is NOT_PLAIN:
                self._shared = self._check_tree(self.root)
                self.data = loader.construct_document(self.root)
        finally:
            loader.dispose()

    def _error(self, exc: yaml.MarkedYAMLError) -> YamlError:
        if isinstance(exc, yaml.constructor.ConstructorError):
            return _constructor_error(exc)
        if isinstance(exc, yaml.composer.ComposerError):
            return _composer_error(exc)
        return self._syntax_error(exc)

    def _syntax_error(self, exc: yaml.MarkedYAMLError) -> YamlError:
        """libyaml's message, or a plain one for the two it words cryptically: tabs and deep nesting."""
        mark = exc.problem_mark
        if mark is not None and "maximum nesting depth" in str(exc.problem):
            return _too_deep(mark.line + 1, mark.column + 1)
        if mark is not None and mark.line < len(self.line_starts):
            start = self.line_starts[mark.line]
            end = self.line_starts[mark.line + 1] if mark.line + 1 < len(self.line_starts) else len(self.text)
            line_text = self.text[start:end]
            indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
            if "\t" in indent:
                column = line_text.index("\t") + 1
                return YamlError(
                    "tab character in the indentation",
                    mark.line + 1,
                    column,
                    "YAML indents with spaces only: replace the tab with spaces",
                )
            if line_text[mark.column : mark.column + 1] == "\t":
                hint = "AutoModel loads recipes with yaml.safe_load, which rejects a tab here: use spaces"
                return mark_error(exc, hint)
        return mark_error(exc, "fix the YAML syntax at that position")

    # -- positions -------------------------------------------------------------------------
    @cached_property
    def line_starts(self) -> list[int]:
        """Offset of each line, as libyaml counts lines (built only for files that are edited or fail)."""
        text = self.text
        if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
            return [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
        return [0, *itertools.accumulate(len(line) + 1 for line in text.split("\n")[:-1])]  # the common case, faster

    def offset(self, mark: yaml.Mark) -> int:
        return self.line_starts[mark.line] + mark.column

    def line_end(self, offset: int) -> int:
        """Offset just past the line break of the line that `offset` ends content on (or the end of text).

        Content that ends at a line start (a block scalar keeps its line break) ends on the line before.
        """
        if offset > 0 and self.text[offset - 1] in "\n\r\x85\u2028\u2029":
            return offset
        match = _LINE_BREAK.search(self.text, offset)
        return match.end() if match else len(self.text)

    @cached_property
    def newline(self) -> str:
        """The file's own line break for inserted lines: its most common one, so a stray `\r` (or a NEL,
        which YAML also reads as a break) never decides the style."""
        text = self.text
        crlf = text.count("\r\n")
        counts = {"\n": text.count("\n") - crlf, "\r\n": crlf, "\r": text.count("\r") - crlf}
        return max(counts, key=lambda newline: counts[newline])  # ties keep the first: `\n`

    # -- checks ----------------------------------------------------------------------------
    def _check_tree(self, root: yaml.Node) -> set[int]:
        """Reject duplicate keys, deep nesting and alias bombs; return ids of nodes reachable twice (anchors).

        One pass over every node of every file: kept to plain loops, it is a large part of a run's time.
        """
        seen: set[int] = set()
        shared: set[int] = set()
        explicit = self._explicit
        mapping_node, sequence_node = yaml.MappingNode, yaml.SequenceNode
        plain_keys = (STR_TAG, MERGE_TAG)
        stack: list[tuple[yaml.Node, int]] = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            node_id = id(node)
            if node_id in seen:
                shared.add(node_id)
                continue
            seen.add(node_id)
            node_type = type(node)
            if node_type is mapping_node:
                if depth > MAX_DEPTH:
                    raise _too_deep(node.start_mark.line + 1, node.start_mark.column + 1)
                # Construction flattens merge keys into node.value in place: keep what the text says.
                pairs = explicit[node_id] = list(node.value)
                self._check_duplicates(pairs)
                for key, value in pairs:
                    if key.tag not in plain_keys:
                        self._non_string_keys.append(key)
                    stack.append((key, depth + 1))
                    stack.append((value, depth + 1))
            elif node_type is sequence_node:
                if depth > MAX_DEPTH:
                    raise _too_deep(node.start_mark.line + 1, node.start_mark.column + 1)
                stack.extend((child, depth + 1) for child in node.value)
        if shared:
            self._check_expansion(root)
        return shared

    @staticmethod
    def _check_duplicates(pairs: list[tuple[yaml.Node, yaml.Node]]) -> None:
        names = [key.value for key, _ in pairs if type(key) is yaml.ScalarNode]
        if len(set(names)) == len(names):  # the usual case, decided without building marks
            return
        first_line: dict[tuple[str, str], int] = {}
        for key, _ in pairs:
            if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_TAG:
                continue
            ident = (key.tag, key.value)
            if ident in first_line:
                raise YamlError(
                    f"duplicate key `{key.value}` (first at line {first_line[ident]})",
                    key.start_mark.line + 1,
                    key.start_mark.column + 1,
                    "AutoModel silently keeps the last value; delete the one you do not mean",
                )
            first_line[ident] = key.start_mark.line + 1

    def _check_expansion(self, root: yaml.Node) -> None:
        """Aliases repeat their anchor's data: bound its expanded size (alias bombs) and depth (memoised, so linear)."""
        sizes: dict[int, tuple[int, int]] = {}  # node id -> (nodes, depth) with aliases expanded
        in_progress: set[int] = set()
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                in_progress.discard(id(node))
                below = [sizes[id(child)] for child in self.children(node)]
                total = 1 + sum(nodes for nodes, _ in below)
                depth = 1 + max((child_depth for _, child_depth in below), default=0)
                if depth > MAX_DEPTH:
                    raise _too_deep(node.start_mark.line + 1, node.start_mark.column + 1)
                if total > MAX_EXPANDED_NODES:  # the first node over the limit is where the bomb is
                    raise YamlError(
                        f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes",
                        node.start_mark.line + 1,
                        node.start_mark.column + 1,
                        "this looks like an alias bomb; no AutoModel recipe needs it",
                    )
                sizes[id(node)] = (total, depth)
                continue
            if id(node) in sizes:
                continue
            if id(node) in in_progress:
                raise YamlError(
                    "recursive alias: a node contains itself",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                    "yaml.safe_load cannot build it into a config; remove the alias",
                )
            in_progress.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in self.children(node) if id(child) not in sizes)

    # -- lookup ----------------------------------------------------------------------------
    def pairs(self, mapping: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
        """The key/value nodes as written (merge keys included, merged keys not)."""
        return self._explicit.get(id(mapping), mapping.value)

    def children(self, node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [item for pair in self.pairs(node) for item in pair]
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        return []

    def entries(self, mapping: yaml.MappingNode) -> Iterator[Entry]:
        for key, value in self.pairs(mapping):
            if isinstance(key, yaml.ScalarNode) and key.tag == STR_TAG:
                yield Entry(mapping, key, value)

    def entry(self, mapping: yaml.Node, name: str) -> Entry | None:
        if not isinstance(mapping, yaml.MappingNode):
            return None
        index = self._index.get(id(mapping))
        if index is None:  # duplicates were rejected at load, so each name has one entry
            index = self._index[id(mapping)] = {entry.key.value: entry for entry in self.entries(mapping)}
        return index.get(name)

    def walk(self, path: KeyPath) -> tuple[list[Entry], yaml.Node | None]:
        """The explicit entries along `path` (stops at the first missing key) and the node holding the next key."""
        found: list[Entry] = []
        node = self.root
        for name in path:
            entry = self.entry(node, name) if node is not None else None
            if entry is None:
                break
            found.append(entry)
            node = entry.value
        return found, node

    def first_non_string_key(self) -> yaml.Node | None:
        """The earliest key that loads as something other than a string (`1:`, `yes:`, `null:`)."""
        return min(self._non_string_keys, key=lambda key: (key.start_mark.line, key.start_mark.column), default=None)

    def is_shared(self, node: yaml.Node) -> bool:
        return id(node) in self._shared

    @property
    def has_aliases(self) -> bool:
        """Whether any node is reached twice: an alias (or a merge key) refers to an anchor."""
        return bool(self._shared)

    def line_of(self, path: KeyPath) -> tuple[int, int]:
        """1-based line and column of the deepest existing key on `path` (1, 1 if none)."""
        found, _ = self.walk(path)
        if not found:
            return 1, 1
        mark = found[-1].key.start_mark
        return mark.line + 1, mark.column + 1
