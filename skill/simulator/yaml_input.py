"""YAML test files read safely: size, nesting and node limits, YAML 1.2 scalars, no duplicate keys.

Both test formats ``replay`` runs (the project's replay files and bespoken's skill-testing-ml
files) come through here. A test file is a small script, so anything far larger is refused
before it is parsed, with a message that says which limit and how large the file is: a 12 MB
file is refused in milliseconds instead of being parsed for minutes. Nesting deeper than any
test needs, and YAML whose node count explodes, are refused while parsing, so a
``[[[[...]]]]`` bomb is an error, never a ``RecursionError`` traceback.

Anchors may be written but aliases (``*name``) are refused: they share nodes, which is how a
small file grows into a huge (or recursive) structure. Scalars follow YAML 1.2: only
``true``/``false`` are booleans (``say: yes`` is the word "yes"), and times and dates stay text
until a key that wants a time parses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["LIMITS", "Limits", "YamlInputError", "read_documents"]


@dataclass(frozen=True)
class Limits:
    """How large a test file may be."""

    max_bytes: int = 1024 * 1024
    """The file's size; a replay file is a script of a few kilobytes."""
    max_depth: int = 32
    """Nesting of mappings and lists (a replay file needs about 6)."""
    max_nodes: int = 200_000
    """Scalars, mappings and lists in the whole file."""
    max_documents: int = 1000
    """``---``-separated documents (bespoken files: one a test)."""


LIMITS = Limits()


class YamlInputError(ValueError):
    """The file cannot be read as YAML within the limits; the message says why."""


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans, times as text, duplicate keys refused, and limits on
    nesting and size while composing (before any Python object is built)."""

    limits: Limits = LIMITS

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # shared or recursive nodes: a size bomb's tool
            line = _line(self)
            raise YamlInputError(f"YAML aliases (*name) are not supported (line {line})")
        self._depth += 1
        self._nodes += 1
        if self._depth > self.limits.max_depth:
            raise YamlInputError(
                f"nested deeper than {self.limits.max_depth} levels "
                f"(line {_line(self)})"
            )
        if self._nodes > self.limits.max_nodes:
            raise YamlInputError(f"more than {self.limits.max_nodes:,} YAML nodes")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be plain text", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: Path, limits: Limits = LIMITS) -> str:
    """The file's text, refused before reading when it is larger than ``limits.max_bytes``."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise YamlInputError(
                f"{_size(size)} is larger than the {_size(limits.max_bytes)} a test file may be"
            )
        with path.open("rb") as file:
            data = file.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise YamlInputError("no such file") from None
    except IsADirectoryError:
        raise YamlInputError("is a folder, not a file") from None
    except OSError as error:
        raise YamlInputError(f"cannot be read ({error.strerror or error})") from None
    if len(data) > limits.max_bytes:  # it grew while we looked
        raise YamlInputError(f"larger than the {_size(limits.max_bytes)} a test file may be")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise YamlInputError(f"not UTF-8 text (byte {error.start})") from None


def read_documents(path: Path, limits: Limits = LIMITS, text: str | None = None) -> list[Any]:
    """Every YAML document in the file (or in ``text``, already read from it)."""
    if text is None:
        text = read_text(path, limits)
    loader = _Loader(text)
    loader.limits = limits
    documents: list[Any] = []
    try:
        while loader.check_data():  # type: ignore[no-untyped-call]
            if len(documents) >= limits.max_documents:
                raise YamlInputError(f"more than {limits.max_documents:,} YAML documents")
            documents.append(loader.get_data())
    except yaml.YAMLError as error:
        raise YamlInputError(f"not valid YAML: {' '.join(str(error).split())}") from None
    except RecursionError:  # a defence in depth: the depth limit comes first
        raise YamlInputError(f"nested deeper than {limits.max_depth} levels") from None
    finally:
        loader.dispose()
    return documents


def _line(loader: _Loader) -> int:
    event: Any = loader.peek_event()  # type: ignore[no-untyped-call]
    return int(event.start_mark.line) + 1


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB"
    if count >= 1024:
        return f"{count / 1024:.0f} KiB"
    return f"{count} bytes"
