"""A YAML config loaded once with libyaml: its data (as AutoModel's `yaml.safe_load` sees it) and the
node tree with positions, used to locate keys for text splicing. Nothing is ever constructed from tags
beyond YAML's safe types.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import yaml

try:  # libyaml is bundled in PyYAML's wheels: about 10x faster than the pure-Python loader
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _FastLoader  # type: ignore[assignment]

from migrator.core.changes import KeyPath

# AutoModel loads recipes with `yaml.safe_load`: PyYAML's pure-Python loader, which is the reference.
_ReferenceLoader = yaml.SafeLoader

# Where libyaml accepts a text the pure-Python loader rejects, or reads it differently (found by the property
# test in tests/test_loader_divergence.py; listed in the README): tabs as separators (`a: x<TAB># c`, `a:<TAB>b`,
# `[a,<TAB>b]`), a BOM, NEL, LS or PS inside the text, a comment glued to a block scalar header (`|# c`), an
# empty tag `!` (libyaml reads "" where safe_load reads null), a `?` inside a plain scalar of a flow collection
# (`[a?b]`, checked on libyaml's tree: a `?` in a comment or a quoted string is common and harmless). Such texts
# are parsed by the reference loader; none of the 511 real recipes is.
_DIVERGENT_CHARACTERS = ("\t", "\ufeff", "\x85", "\u2028", "\u2029")
_HEADER_INDICATORS = frozenset("-+0123456789")
_TAG_END = re.compile(r"!(?=[\s,\]}]|$)")  # the node's tag ends right after `!`: empty when it also starts there
_TAG_START = frozenset(" \t\r\n[{,")


def divergence_possible(text: str) -> bool:
    """Whether libyaml might accept or read `text` differently from the reference loader."""
    return _divergent_piece(text) or _question_after_flow_opener(text)


def _divergent_piece(text: str) -> bool:
    """Cheap on purpose, as it runs on every file: substring tests first, and regexes that start with a literal."""
    if any(character in text for character in _DIVERGENT_CHARACTERS):
        return True
    if _header_comment(text):
        return True
    return "!" in text and any(
        match.start() == 0 or text[match.start() - 1] in _TAG_START for match in _TAG_END.finditer(text)
    )


def _header_comment(text: str) -> bool:
    """A `#` right after a block scalar indicator and its chomping/indentation digits (`|#`, `>-#`, `|2#`).
    A find loop: `|` and `>` are rare in recipes, and a regex starting with a character class scans slowly."""
    for marker in "|>":
        start = text.find(marker)
        while start >= 0:
            end = start + 1
            while end < len(text) and text[end] in _HEADER_INDICATORS:
                end += 1
            if text.startswith("#", end):
                return True
            start = text.find(marker, start + 1)
    return False


def _question_after_flow_opener(text: str) -> bool:
    # Two linear scans: a regex here backtracks on deep nesting.
    openers = [index for index in (text.find("["), text.find("{")) if index >= 0]
    return bool(openers) and text.find("?", min(openers)) >= 0


def _plain_question_in_flow(root: yaml.Node | None) -> bool:
    """Whether libyaml's tree holds a plain scalar with a `?` inside a flow collection, which the reference loader
    rejects; a `?` in a comment or a quoted string (the usual case) does not count."""
    stack: list[tuple[yaml.Node, bool]] = [(root, False)] if root is not None else []
    seen: set[int] = set()
    while stack:
        node, in_flow = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if in_flow and not node.style and "?" in node.value:  # plain: style None (or "" from libyaml)
                return True
            continue
        inside = in_flow or bool(node.flow_style)
        children = node.value if isinstance(node, yaml.SequenceNode) else [item for pair in node.value for item in pair]
        stack.extend((child, inside) for child in children)
    return False


class _MemoisedResolver(_FastLoader):  # type: ignore[misc, valid-type]
    """The fast loader, with the resolver's answers memoised (a recipe repeats its keys and values across files)
    and the per-node path-resolver hooks skipped: safe_load registers no path resolver, so they do nothing."""

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        key = (kind, value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            if len(_RESOLVED) >= _RESOLVED_LIMIT:
                _RESOLVED.clear()
            tag = _RESOLVED[key] = super().resolve(kind, value, implicit)
        return tag

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_RESOLVED: dict[tuple[type, str | None, tuple[bool, bool]], str] = {}
_RESOLVED_LIMIT = 100_000


def _loader(loader_class: type, text: str) -> yaml.constructor.SafeConstructor:
    return (_MemoisedResolver if loader_class is _FastLoader else loader_class)(text)


class _NotPlain(Exception):
    """The tree holds something the plain builder leaves to PyYAML's constructor."""


_NOT_PLAIN = object()


_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
# Scalar tags built by SafeConstructor's own functions; any other tag takes the constructor's path.
_BUILT_SCALARS: dict[tuple[str, str], Any] = {}
_SCALAR_BUILDERS = {
    tag: yaml.SafeLoader.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")
}


def _anchor_possible(text: str) -> bool:
    """Whether `text` may hold an anchor (without one there is no alias). An anchor starts a token, so its `&`
    follows a separator or an indicator, never a letter or a digit (`W&B` in a comment is no anchor)."""
    start = text.find("&")
    while start >= 0:
        if start == 0 or not text[start - 1].isalnum():
            return True
        start = text.find("&", start + 1)
    return False


def _plain_data(root: yaml.Node | None, constructor: yaml.constructor.SafeConstructor, text: str) -> Any:
    """What `construct_document` builds from `text`'s tree when it has no alias, merge key or unusual tag, and
    only string keys, each once, nested at most MAX_DEPTH deep: in one pass, about three times faster. For any
    other tree `_NOT_PLAIN`: the constructor (and the checks that word its errors) decides."""
    if root is None:
        return None
    if _anchor_possible(text):
        return _NOT_PLAIN
    scalar_node, mapping_node, sequence_node = yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode
    scalars = _BUILT_SCALARS

    def scalar(node: yaml.ScalarNode) -> Any:
        key = (node.tag, node.value)
        try:
            return scalars[key]
        except KeyError:
            pass
        builder = _SCALAR_BUILDERS.get(node.tag)
        if builder is None:
            raise _NotPlain
        try:
            value = builder(constructor, node)
        except Exception:  # the constructor's own error, worded by its path
            raise _NotPlain from None
        if len(scalars) >= _RESOLVED_LIMIT:
            scalars.clear()
        scalars[key] = value  # ints, floats, bools and None: immutable, so one object may serve every file
        return value

    def build(node: yaml.Node, depth: int) -> Any:
        node_type = type(node)
        if node_type is scalar_node:
            return node.value if node.tag == _STR_TAG else scalar(node)
        if depth > MAX_DEPTH:
            raise _NotPlain
        if node_type is mapping_node and node.tag == _MAP_TAG:
            data: dict[str, Any] = {}
            for key, value in node.value:
                name = key.value
                if type(key) is not scalar_node or key.tag != _STR_TAG or name in data:
                    raise _NotPlain
                # A string value, the most common node, without a call.
                data[name] = (
                    value.value if value.tag == _STR_TAG and type(value) is scalar_node else build(value, depth + 1)
                )
            return data
        if node_type is sequence_node and node.tag == _SEQ_TAG:
            return [build(child, depth + 1) for child in node.value]
        raise _NotPlain

    try:
        return build(root, 1)
    except _NotPlain:
        return _NOT_PLAIN


# YAML 1.1 line breaks as libyaml counts them for marks.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
# Expanded node count allowed: real recipes have a few hundred; an alias bomb has billions.
MAX_EXPANDED_NODES = 1_000_000
# Nesting allowed: real recipes reach 7 levels. libyaml stops at 1000, but deep data would exhaust
# Python's recursion in the comparisons downstream long before that.
MAX_DEPTH = 100
_DEPTH_HINT = "no recipe nests this deep (real ones reach 7 levels); this file is generated or hostile"


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


def _position(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (0, 0)


def _mark_error(exc: yaml.MarkedYAMLError, hint: str) -> YamlError:
    message = " ".join(part for part in (exc.context, exc.problem) if part)
    return YamlError(message or str(exc), *_position(exc), hint)


def _constructor_error(exc: yaml.constructor.ConstructorError) -> YamlError:
    problem = str(exc.problem)
    if "unhashable key" in problem:
        return _mark_error(exc, "a list or mapping cannot be a key; AutoModel keys are names")
    tag = re.search(r"for the tag '([^']*)'", problem)
    if tag:
        shown = tag.group(1).replace("tag:yaml.org,2002:", "!!")
        hint = "AutoModel loads with yaml.safe_load, which accepts only YAML's standard tags; remove the tag"
        return YamlError(f"unsafe or unknown tag `{shown}` (never constructed)", *_position(exc), hint)
    return _mark_error(exc, "only YAML's standard types are allowed (AutoModel loads with yaml.safe_load)")


def _composer_error(exc: yaml.composer.ComposerError) -> YamlError:
    if "single document" in str(exc.context):
        line, _ = _position(exc)
        hint = "AutoModel reads exactly one document per file: split it into one file per document"
        return YamlError(f"a second YAML document starts at line {line}", line, 1, hint)
    return _mark_error(exc, "fix the YAML at that position")


def _too_deep(line: int, column: int) -> YamlError:
    return YamlError(f"nested deeper than {MAX_DEPTH} levels", line, column, _DEPTH_HINT)


class YamlDocument:
    def __init__(self, text: str) -> None:
        self.text = text
        fast = _FastLoader is not _ReferenceLoader and not _divergent_piece(text)
        try:
            self._load(_FastLoader if fast else _ReferenceLoader)
            if fast and _question_after_flow_opener(text) and _plain_question_in_flow(self.root):
                fast = False  # the reference loader decides, as below
                self._load(_ReferenceLoader)
        except yaml.MarkedYAMLError as exc:
            if not fast or "maximum nesting depth" in str(exc.problem):
                raise self._error(exc) from None
            # libyaml rejected it: the reference loader decides, and its message and position are AutoModel's.
            try:
                self._load(_ReferenceLoader)
            except yaml.MarkedYAMLError as reference:
                raise self._error(reference) from None
        except RecursionError:  # the pure-Python composer recurses per level: only generated or hostile files
            raise _too_deep(0, 0) from None

    def _load(self, loader_class: type) -> None:
        self._explicit: dict[int, list[tuple[yaml.Node, yaml.Node]]] = {}
        self._index: dict[int, dict[str, Entry]] = {}
        self._shared: set[int] = set()
        self._non_string_keys: list[yaml.Node] = []
        loader = _loader(loader_class, self.text)
        try:
            self.root: yaml.Node | None = loader.get_single_node()
            self.data: Any = _plain_data(self.root, loader, self.text)
            if self.data is _NOT_PLAIN:
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
                return _mark_error(exc, hint)
        return _mark_error(exc, "fix the YAML syntax at that position")

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
        plain_keys = (_STR_TAG, _MERGE_TAG)
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
            if isinstance(key, yaml.ScalarNode) and key.tag == _STR_TAG:
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


def load_data(text: str) -> Any:
    """The data only, as AutoModel's loader builds it: for re-reading text this tool wrote itself."""
    loader = _loader(_ReferenceLoader if divergence_possible(text) else _FastLoader, text)
    try:
        root = loader.get_single_node()
        data = _plain_data(root, loader, text)
        return loader.construct_document(root) if data is _NOT_PLAIN else data
    except yaml.MarkedYAMLError as exc:
        raise _mark_error(exc, "the edited text no longer parses") from None
    finally:
        loader.dispose()
