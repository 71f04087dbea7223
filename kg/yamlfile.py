"""YAML read with line numbers kept, so every error can name the file, the line and the field.

Timestamps are not resolved: `1905-10-13` stays the string the annotator wrote, because a
Julian date must never pass through Python's (Gregorian) `datetime.date`.
"""

from __future__ import annotations

import yaml

from kg.errors import AnnotationError, Location


class Node(dict):
    """A mapping that remembers the line of itself and of each of its keys."""

    path: str = ""
    line: int = 0
    start: int = 0          # character offset of its first key (of itself when empty)
    flow: bool = False
    key_lines: dict

    def loc(self, field: str | None = None) -> Location:
        return Location(self.path, self.key_lines.get(field, self.line) if field else self.line, field)


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    out = Node()
    out.path = loader.name
    out.line = node.start_mark.line + 1
    out.start = (node.value[0][0] if node.value else node).start_mark.index
    out.flow = bool(node.flow_style)
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise AnnotationError(f"key {key!r} appears twice in one mapping",
                                  Location(loader.name, key_node.start_mark.line + 1, str(key)))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class Seq(list):
    """A list that remembers the line of each item, so an item that is not a mapping can be named."""

    path: str = ""
    item_lines: list

    def loc(self, index: int, field: str | None = None) -> Location:
        return Location(self.path, self.item_lines[index] if index < len(self.item_lines) else None, field)


def _construct_sequence(loader, node):
    out = Seq(loader.construct_object(child, deep=True) for child in node.value)
    out.path = loader.name
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def item_loc(items, index: int) -> Location | None:
    """Where item `index` of a YAML list stands (None for a list not read from YAML)."""
    return items.loc(index) if isinstance(items, Seq) else None


def placed(exc: AnnotationError, items, index: int) -> AnnotationError:
    """An error without a place (an item that is not a mapping) gets the line of its list item."""
    return exc if exc.location is not None else AnnotationError(exc.message, item_loc(items, index))


def read_text(path) -> str:
    """A file's text exactly as stored (no newline translation); errors name the file."""
    from pathlib import Path
    try:
        return Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise AnnotationError("no such file", Location(str(path))) from None
    except UnicodeDecodeError as exc:
        raise AnnotationError(f"not UTF-8 (byte {exc.start})", Location(str(path))) from None
    except OSError as exc:
        raise AnnotationError(f"cannot read: {exc.strerror}", Location(str(path))) from None


def load(path) -> object:
    """Parse a YAML file; syntax errors become AnnotationError with the file and line."""
    return loads(read_text(path), path)


def loads(text: str, path) -> object:
    """Parse YAML text read from `path` (named in errors); mappings keep their lines and offsets."""
    loader = _Loader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise AnnotationError(f"invalid YAML: {exc.problem or exc}", Location(str(path), line)) from None
    finally:
        loader.dispose()
