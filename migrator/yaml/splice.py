"""Turn abstract changes into text edits on the original YAML text.

Only the bytes of the keys being changed move: a replaced scalar keeps its line and comment, an
inserted key takes its siblings' indentation and goes right after the last key of its block (before
the block's trailing comments and blank lines), a removed key takes exactly its own lines.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from typing import Any

import yaml

from migrator.core.changes import Change, Delete, KeyPath, Set, dotted
from migrator.yaml.document import Entry, YamlDocument
from migrator.yaml.loading import YamlError
from migrator.yaml.text_edits import TextEdit, apply_edits

_DEFAULT_INDENT_STEP = 2


def splice(doc: YamlDocument, changes: Iterable[Change]) -> str:
    return splice_with_edits(doc, changes)[0]


def splice_with_edits(doc: YamlDocument, changes: Iterable[Change]) -> tuple[str, list[TextEdit]]:
    """The edited text and the text edits that made it (verification checks only what they touched)."""
    splicer = _Splicer(doc)
    for change in _fold_missing_parents(doc, changes):
        splicer.add(change)
    edits = splicer.edits + splicer.flow_deletions()
    text = apply_edits(doc.text, edits)
    if text.endswith(("\n", "\r")) and not doc.text.endswith(("\n", "\r")):
        # The deleted last lines left the breaks before them (blank lines too): keep the missing final newline.
        # (Verification re-reads the result, so a block scalar whose value those breaks were is never changed.)
        text = text.rstrip("\r\n")
    return text, edits


@functools.lru_cache(maxsize=256)
def _render_scalar_cached(kind: type, value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=1_000_000, allow_unicode=True)
    return text.split("\n...", 1)[0].strip()


def render_scalar(value: Any) -> str:
    """One scalar in the spelling PyYAML (and so AutoModel) reads back as the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _render_scalar_cached(type(value), value)


def render_quoted(value: str, quote: str) -> str:
    """A replacing string in the quote style of the value it replaces (`'bf16'` -> `'float32'`)."""
    if quote == "'":
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def render_flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_scalar(key)}: {render_flow(item)}" for key, item in value.items()) + "}"
    return render_scalar(value)


def _fold_missing_parents(doc: YamlDocument, changes: Iterable[Change]) -> list[Change]:
    """Sets under a missing mapping become one nested Set on the deepest existing one."""
    folded: list[Change] = []
    nested: dict[KeyPath, dict[str, Any]] = {}
    for change in changes:
        found, _ = doc.walk(change.path[:-1])
        depth = len(found)
        if isinstance(change, Delete) or depth == len(change.path) - 1:
            folded.append(change)
            continue
        anchor = change.path[: depth + 1]
        if anchor not in nested:
            nested[anchor] = {}
            folded.append(Set(anchor, nested[anchor]))
        tree = nested[anchor]
        for key in change.path[depth + 1 : -1]:
            tree = tree.setdefault(key, {})
        tree[change.path[-1]] = change.value
    return folded


class _Splicer:
    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.edits: list[TextEdit] = []
        # Flow entries to delete, per mapping: neighbours share a comma, so runs are cut together.
        self._flow_doomed: dict[int, tuple[yaml.MappingNode, set[int]]] = {}
        self._step: int | None = None

    def _refuse(self, path: KeyPath, why: str, node: yaml.Node | None = None) -> YamlError:
        line, column = self.doc.line_of(path)
        if node is not None:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
        return YamlError(
            f"cannot edit `{dotted(path)}`: {why}", line, column, "make this change by hand, then run migrate again"
        )

    def _check_owned(self, path: KeyPath, entries: list[Entry]) -> None:
        for entry in entries:
            for node in (entry.mapping, entry.value):
                if self.doc.is_shared(node):
                    raise self._refuse(path, "it is part of an anchored block reused by an alias", node)

    def add(self, change: Change) -> None:
        found, _parent = self.doc.walk(change.path[:-1])
        if len(found) < len(change.path) - 1:
            raise self._refuse(change.path, "a parent key is missing")  # Deletes of absent keys never planned
        mapping = found[-1].value if found else self.doc.root
        self._check_owned(change.path, found)
        if mapping is not None and self.doc.is_shared(mapping):
            raise self._refuse(change.path, "it is part of an anchored block reused by an alias", mapping)
        entry = self.doc.entry(mapping, change.path[-1]) if mapping is not None else None
        if isinstance(change, Delete):
            if entry is None:
                raise self._refuse(change.path, "the key comes from a merge key (<<); remove it where it is defined")
            self._delete(change.path, entry)
        elif entry is not None:
            if self.doc.is_shared(entry.value):
                raise self._refuse(change.path, "its value is an alias", entry.value)
            self._replace(change.path, entry, change.value)
        elif isinstance(mapping, yaml.MappingNode):
            self._insert(change.path, mapping, change.value)
        elif found and isinstance(mapping, yaml.ScalarNode) and mapping.tag.endswith(":null"):
            self._replace(change.path[:-1], found[-1], {change.path[-1]: change.value})
        else:
            raise self._refuse(change.path, "its parent is not a mapping", mapping)

    # -- indentation -----------------------------------------------------------------------
    def _nesting_step(self, mapping_path: KeyPath, column: int) -> int:
        """Indent a new nested block like the block it goes into (2 or 4 ...), else like the file."""
        if mapping_path:
            parent_column = self.doc.line_of(mapping_path)[1] - 1
            if column > parent_column:
                return column - parent_column
        if self._step is None:
            self._step = _find_step(self.doc) or _DEFAULT_INDENT_STEP
        return self._step

    def _block_lines(self, mapping: dict[str, Any], indent: int, step: int) -> list[str]:
        lines = []
        for key, value in mapping.items():
            if isinstance(value, dict):
                lines.append(" " * indent + f"{render_scalar(key)}:")
                lines.extend(self._block_lines(value, indent + step, step))
            else:
                lines.append(" " * indent + f"{render_scalar(key)}: {render_scalar(value)}")
        return lines

    # -- edits -----------------------------------------------------------------------------
    def _insert(self, path: KeyPath, mapping: yaml.MappingNode, value: Any) -> None:
        item = {path[-1]: value}
        if mapping.flow_style:
            entries = self.doc.pairs(mapping)
            if entries:
                at = _content_end(self.doc, entries[-1][1])
                self.edits.append(TextEdit(at, at, ", " + render_flow(item)[1:-1]))
            else:
                at = self.doc.offset(mapping.start_mark) + 1
                self.edits.append(TextEdit(at, at, render_flow(item)[1:-1]))
            return
        pairs = self.doc.pairs(mapping)
        column = pairs[0][0].start_mark.column
        lines = self._block_lines(item, column, self._nesting_step(path[:-1], column))
        self._append_lines(_content_end(self.doc, pairs[-1][1]), lines)

    def _append_lines(self, content_end: int, lines: list[str]) -> None:
        """Insert whole lines after the line holding `content_end`."""
        newline = self.doc.newline
        at = self.doc.line_end(content_end)
        text = newline.join(lines) + newline
        if at == len(self.doc.text) and not self.doc.text.endswith(("\n", "\r")):
            text = newline + text[: -len(newline)]  # keep the file's missing final newline
        self.edits.append(TextEdit(at, at, text))

    def _replace(self, path: KeyPath, entry: Entry, value: Any) -> None:
        node = entry.value
        if not isinstance(node, yaml.ScalarNode):
            raise self._refuse(path, "replacing a collection is not supported", node)
        start, end = self.doc.offset(node.start_mark), self.doc.offset(node.end_mark)
        if isinstance(value, dict) and not entry.mapping.flow_style:
            colon = self.doc.offset(entry.key.end_mark)
            colon = self.doc.text.index(":", colon) + 1
            if start != end:  # `key: null  # c` -> `key:  # c`, then the block below
                self.edits.append(TextEdit(colon, end, ""))
            step = self._nesting_step(path[:-1], entry.key.start_mark.column)
            self._append_lines(end, self._block_lines(value, entry.key.start_mark.column + step, step))
            return
        text = (
            render_quoted(value, node.style)
            if isinstance(value, str) and node.style in ("'", '"')
            else render_flow(value)
        )
        if start == end:  # empty value right after the colon: `key:` -> `key: value`
            text = " " + text
        self.edits.append(TextEdit(start, end, text))

    def _delete(self, path: KeyPath, entry: Entry) -> None:
        key_start = self.doc.offset(entry.key.start_mark)
        value_end = _content_end(self.doc, entry.value)
        if entry.mapping.flow_style:
            index = next(i for i, (key, _) in enumerate(self.doc.pairs(entry.mapping)) if key is entry.key)
            self._flow_doomed.setdefault(id(entry.mapping), (entry.mapping, set()))[1].add(index)
            return
        line_start = self.doc.line_starts[entry.key.start_mark.line]
        if self.doc.text[line_start:key_start].strip():
            raise self._refuse(path, "the key does not start its own line", entry.key)
        if not isinstance(entry.value, yaml.ScalarNode) and not entry.value.flow_style:
            raise self._refuse(path, "removing a nested block is not supported", entry.value)
        self.edits.append(TextEdit(line_start, self.doc.line_end(value_end), ""))

    def flow_deletions(self) -> list[TextEdit]:
        """One cut per run of adjacent doomed entries (cut one by one, two cuts would claim the same comma)."""
        edits = []
        for mapping, doomed in self._flow_doomed.values():
            pairs = self.doc.pairs(mapping)
            for first in sorted(doomed):
                if first - 1 in doomed:
                    continue
                last = first
                while last + 1 in doomed:
                    last += 1
                start = self.doc.offset(pairs[first][0].start_mark)
                edits.append(self._flow_delete(start, _content_end(self.doc, pairs[last][1])))
        return edits

    def _flow_delete(self, start: int, end: int) -> TextEdit:
        text = self.doc.text
        after = end
        while after < len(text) and text[after] in " \t":
            after += 1
        if after < len(text) and text[after] == ",":  # `a: 1, b: 2` -> `b: 2`
            after += 1
            while after < len(text) and text[after] in " \t":
                after += 1
            return TextEdit(start, after, "")
        before = start
        while before > 0 and text[before - 1] in " \t":
            before -= 1
        if before > 0 and text[before - 1] == ",":  # last item: drop the comma before it
            before -= 1
        return TextEdit(before, end, "")


def _content_end(doc: YamlDocument, node: yaml.Node) -> int:
    """Offset just past the last character of the node's own content (block collections end later)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and doc.children(node):
        node = doc.children(node)[-1]
    return doc.offset(node.end_mark)


def _find_step(doc: YamlDocument) -> int | None:
    stack = [doc.root] if isinstance(doc.root, yaml.MappingNode) else []
    while stack:
        mapping = stack.pop(0)
        for key, value in doc.pairs(mapping):
            if isinstance(value, yaml.MappingNode) and not value.flow_style and doc.pairs(value):
                child_column = doc.pairs(value)[0][0].start_mark.column
                if child_column > key.start_mark.column:
                    return child_column - key.start_mark.column
                stack.append(value)
    return None
