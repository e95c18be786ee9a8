"""A YAML config loaded once with libyaml: its data (as AutoModel's `yaml.safe_load` sees it) and the
node tree with positions, used to locate keys for text splicing. Nothing is ever constructed from tags
beyond YAML's safe types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

import yaml

try:  # libyaml is bundled in PyYAML's wheels; the pure-Python loader is the same parser, slower
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

from migrator.changes import KeyPath

# YAML 1.1 line breaks as libyaml counts them for marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
# Expanded node count allowed: real recipes have a few hundred; an alias bomb has billions.
MAX_EXPANDED_NODES = 1_000_000


class YamlError(Exception):
    """A problem with the file itself: message, 1-based line and column, and what to do."""

    def __init__(self, message: str, line: int = 0, column: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


@dataclass(frozen=True)
class Entry:
    """An explicit `key: value` pair inside `mapping`."""

    mapping: yaml.MappingNode
    key: yaml.ScalarNode
    value: yaml.Node


def _mark_error(exc: yaml.MarkedYAMLError, hint: str) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    message = " ".join(part for part in (exc.context, exc.problem) if part)
    line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return YamlError(message or str(exc), line, column, hint)


class YamlDocument:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]
        self._explicit: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}
        self._shared: set[int] = set()
        loader = _Loader(text)
        try:
            self.root: yaml.Node | None = loader.get_single_node()
            if self.root is not None:
                self._shared = self._check_tree(self.root)
            self.data: Any = loader.construct_document(self.root) if self.root is not None else None
        except yaml.constructor.ConstructorError as exc:
            raise _mark_error(exc, "only YAML's standard tags are allowed (AutoModel loads with yaml.safe_load)") from None
        except yaml.composer.ComposerError as exc:
            raise _mark_error(exc, "AutoModel reads exactly one YAML document per file") from None
        except yaml.MarkedYAMLError as exc:
            raise _mark_error(exc, "fix the YAML syntax at that position") from None
        finally:
            loader.dispose()

    # -- positions -------------------------------------------------------------------------
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

    @property
    def newline(self) -> str:
        match = _LINE_BREAK.search(self.text)
        return match.group() if match else "\n"

    # -- checks ----------------------------------------------------------------------------
    def _check_tree(self, root: yaml.Node) -> set[int]:
        """Reject duplicate keys and alias bombs; return ids of nodes reachable twice (anchors)."""
        seen: set[int] = set()
        shared: set[int] = set()
        stack: list[yaml.Node] = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                shared.add(id(node))
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                # Construction flattens merge keys into node.value in place: keep what the text says.
                self._explicit[id(node)] = list(node.value)
                self._check_duplicates(node)
            stack.extend(self.children(node))
        if shared and self._expanded_size(root) > MAX_EXPANDED_NODES:
            raise YamlError(
                f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes",
                root.start_mark.line + 1,
                1,
                "this looks like an alias bomb; no AutoModel recipe needs it",
            )
        return shared

    @staticmethod
    def _check_duplicates(node: yaml.MappingNode) -> None:
        first_line: dict[tuple[str, str], int] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
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

    def _expanded_size(self, root: yaml.Node) -> int:
        """Nodes the data would hold with every alias expanded (memoised per node, so linear)."""
        sizes: dict[int, int] = {}
        in_progress: set[int] = set()
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                in_progress.discard(id(node))
                total = 1 + sum(sizes[id(child)] for child in self.children(node))
                sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
                continue
            if id(node) in sizes:
                continue
            if id(node) in in_progress:
                raise YamlError("recursive alias: a node contains itself", node.start_mark.line + 1, node.start_mark.column + 1)
            in_progress.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in self.children(node) if id(child) not in sizes)
        return sizes[id(root)]

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
            if isinstance(key, yaml.ScalarNode) and key.tag == _STR_TAG:
                yield Entry(mapping, key, value)

    def entry(self, mapping: yaml.Node, name: str) -> Entry | None:
        if not isinstance(mapping, yaml.MappingNode):
            return None
        return next((entry for entry in self.entries(mapping) if entry.key.value == name), None)

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

    def is_shared(self, node: yaml.Node) -> bool:
        return id(node) in self._shared

    def line_of(self, path: KeyPath) -> tuple[int, int]:
        """1-based line and column of the deepest existing key on `path` (1, 1 if none)."""
        found, _ = self.walk(path)
        if not found:
            return 1, 1
        mark = found[-1].key.start_mark
        return mark.line + 1, mark.column + 1

