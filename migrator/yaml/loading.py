"""Reading YAML as AutoModel's `yaml.safe_load` reads it, at libyaml's speed.

libyaml composes the node tree (the reference, PyYAML's pure-Python loader, takes the texts where the two can
differ); the common tree, plain data under string keys, is built in one pass; anything else is built by
PyYAML's SafeConstructor itself. Nothing is ever constructed from tags beyond YAML's safe types.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

try:  # libyaml is bundled in PyYAML's wheels: about 10x faster than the pure-Python loader
    from yaml import CSafeLoader as FAST_LOADER
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as FAST_LOADER  # type: ignore[assignment]


# AutoModel loads recipes with `yaml.safe_load`: PyYAML's pure-Python loader, which is the reference.
REFERENCE_LOADER = yaml.SafeLoader

STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
# Nesting allowed: real recipes reach 7 levels. libyaml stops at 1000, but deep data would exhaust
# Python's recursion in the comparisons downstream long before that.
MAX_DEPTH = 100

# Memos shared by every file of a run (values repeat across recipes), each cleared when it reaches the limit:
# far above a large run's distinct values (about 2,000 in the 511 configs), far below a memory concern.
_MEMO_LIMIT = 100_000
_PLAIN_SCALAR_TAGS: dict[str | None, str] = {}  # a plain scalar's text -> its resolved tag
_BUILT_SCALARS: dict[tuple[str, str], Any] = {}  # (tag, text) -> its int, float, bool or None
# Scalar tags the plain builder builds with SafeConstructor's own functions; any other tag takes its path.
_SCALAR_BUILDERS = {
    tag: yaml.SafeLoader.yaml_constructors[tag]
    for tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")
}

# Where libyaml accepts a text the pure-Python loader rejects, or reads it differently (found by the property
# test in tests/test_loader_divergence.py; listed in the README): tabs as separators (`a: x<TAB># c`, `a:<TAB>b`,
# `[a,<TAB>b]`), a BOM, NEL, LS or PS inside the text, a comment glued to a block scalar header (`|# c`), an
# empty tag `!` (libyaml reads "" where safe_load reads null), a `?` inside a plain scalar of a flow collection
# (`[a?b]`, checked on libyaml's tree: a `?` in a comment or a quoted string is common and harmless), a reserved
# directive (`%FOO`, which libyaml rejects and safe_load ignores). Such texts are parsed by the reference loader;
# none of the 511 real recipes is.
_DIVERGENT_CHARACTERS = ("\t", "\ufeff", "\x85", "\u2028", "\u2029")
_HEADER_INDICATORS = frozenset("-+0123456789")
_TAG_END = re.compile(r"!(?=[\s,\]}]|$)")  # the node's tag ends right after `!`: empty when it also starts there
_TAG_START = frozenset(" \t\r\n[{,")
_RESERVED_DIRECTIVE = re.compile(r"(?:^|(?<=\r))%(?!(?:YAML|TAG)[ \t])", re.MULTILINE)


def divergence_possible(text: str) -> bool:
    """Whether libyaml might accept or read `text` differently from the reference loader."""
    return divergent_piece(text) or question_after_flow_opener(text)


def divergent_piece(text: str) -> bool:
    """Cheap on purpose, as it runs on every file: substring tests first, and regexes that start with a literal."""
    if any(character in text for character in _DIVERGENT_CHARACTERS):
        return True
    if _header_comment(text):
        return True
    if "%" in text and _RESERVED_DIRECTIVE.search(text):
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


def question_after_flow_opener(text: str) -> bool:
    # Two linear scans: a regex here backtracks on deep nesting.
    openers = [index for index in (text.find("["), text.find("{")) if index >= 0]
    return bool(openers) and text.find("?", min(openers)) >= 0


def plain_question_in_flow(root: yaml.Node | None) -> bool:
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


class _MemoisedResolver(FAST_LOADER):  # type: ignore[misc, valid-type]
    """The fast loader, with the resolver's answers memoised (a recipe repeats its keys and values across files)
    and the per-node path-resolver hooks skipped: safe_load registers no path resolver, so they do nothing."""

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool]) -> str:
        # As Resolver.resolve without path resolvers: a plain scalar's tag depends on its text alone.
        if kind is not yaml.ScalarNode:
            return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG
        if not implicit[0]:
            return STR_TAG
        tag = _PLAIN_SCALAR_TAGS.get(value)
        if tag is None:
            if len(_PLAIN_SCALAR_TAGS) >= _MEMO_LIMIT:
                _PLAIN_SCALAR_TAGS.clear()
            tag = _PLAIN_SCALAR_TAGS[value] = super().resolve(kind, value, implicit)
        return tag

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


def loader_for(loader_class: type, text: str) -> yaml.constructor.SafeConstructor:
    """A loader of `loader_class` for `text`: the fast one with its resolver memoised."""
    return (_MemoisedResolver if loader_class is FAST_LOADER else loader_class)(text)


class _NotPlain(Exception):
    """The tree holds something the plain builder leaves to PyYAML's constructor."""


NOT_PLAIN = object()  # `plain_data`'s answer for a tree it leaves to the constructor (None is a document's data)


def _anchor_possible(text: str) -> bool:
    """Whether `text` may hold an anchor (without one there is no alias). An anchor starts a token, so its `&`
    follows a separator or an indicator, never a letter or a digit (`W&B` in a comment is no anchor)."""
    start = text.find("&")
    while start >= 0:
        if start == 0 or not text[start - 1].isalnum():
            return True
        start = text.find("&", start + 1)
    return False


def plain_data(root: yaml.Node | None, constructor: yaml.constructor.SafeConstructor, text: str) -> Any:
    """What `construct_document` builds from `text`'s tree when it has no alias, merge key or unusual tag, and
    only string keys, each once, nested at most MAX_DEPTH deep: in one pass, about three times faster. For any
    other tree `NOT_PLAIN`: the constructor (and the checks that word its errors) decides."""
    if root is None:
        return None
    if _anchor_possible(text):
        return NOT_PLAIN
    try:
        return _build(root, 1, constructor)
    except _NotPlain:
        return NOT_PLAIN


# Module-level functions, not closures: a recursive closure is a reference cycle that would keep each file's
# loader alive until the cycle collector runs, which the raised GC thresholds make rare.
def _build(node: yaml.Node, depth: int, constructor: yaml.constructor.SafeConstructor) -> Any:
    node_type = type(node)
    if node_type is yaml.ScalarNode:
        return node.value if node.tag == STR_TAG else _scalar(node, constructor)
    if depth > MAX_DEPTH:
        raise _NotPlain
    if node_type is yaml.MappingNode and node.tag == _MAP_TAG:
        data: dict[str, Any] = {}
        for key, value in node.value:
            name = key.value
            if type(key) is not yaml.ScalarNode or key.tag != STR_TAG or name in data:
                raise _NotPlain
            # A string value, the most common node, without a call.
            if value.tag == STR_TAG and type(value) is yaml.ScalarNode:
                data[name] = value.value
            else:
                data[name] = _build(value, depth + 1, constructor)
        return data
    if node_type is yaml.SequenceNode and node.tag == _SEQ_TAG:
        return [_build(child, depth + 1, constructor) for child in node.value]
    raise _NotPlain


def _scalar(node: yaml.ScalarNode, constructor: yaml.constructor.SafeConstructor) -> Any:
    key = (node.tag, node.value)
    try:
        return _BUILT_SCALARS[key]
    except KeyError:
        pass
    builder = _SCALAR_BUILDERS.get(node.tag)
    if builder is None:
        raise _NotPlain
    try:
        value = builder(constructor, node)
    except Exception:  # the constructor's own error, worded by its path
        raise _NotPlain from None
    if len(_BUILT_SCALARS) >= _MEMO_LIMIT:
        _BUILT_SCALARS.clear()
    _BUILT_SCALARS[key] = value  # ints, floats, bools and None: immutable, so one object may serve every file
    return value


class YamlError(Exception):
    """A problem with the file itself: message, 1-based line and column, and what to do."""

    def __init__(self, message: str, line: int = 0, column: int = 0, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


def position(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (0, 0)


def mark_error(exc: yaml.MarkedYAMLError, hint: str) -> YamlError:
    message = " ".join(part for part in (exc.context, exc.problem) if part)
    return YamlError(message or str(exc), *position(exc), hint)


def load_data(text: str) -> Any:
    """The data only, as AutoModel's loader builds it: for re-reading text this tool wrote itself."""
    loader = loader_for(REFERENCE_LOADER if divergence_possible(text) else FAST_LOADER, text)
    try:
        root = loader.get_single_node()
        data = plain_data(root, loader, text)
        return loader.construct_document(root) if data is NOT_PLAIN else data
    except yaml.MarkedYAMLError as exc:
        raise mark_error(exc, "the edited text no longer parses") from None
    finally:
        loader.dispose()
