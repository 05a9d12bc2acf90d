"""Safe YAML reading that remembers where every value came from.

Scripts and rubrics are read through here so that any later problem (a pydantic
validation error, a lint finding) can be reported as ``file:line:column``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from coach.errors import Problem

MAX_FILE_BYTES = 1_000_000
YAML_SUFFIXES = (".yaml", ".yml")
MAX_NODES = 100_000  # values after alias expansion; a real script has a few thousand


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and column are 1-based."""

    file: str
    line: int
    column: int


class LocatedDict(dict[str, Any]):
    """A mapping that knows where it starts and where each of its keys stands."""

    location: Location | None
    key_locations: dict[str, Location]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.location = None
        self.key_locations = {}


class LocatedList(list[Any]):
    """A sequence that knows where it starts and where each item starts."""

    location: Location | None
    item_locations: list[Location]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.location = None
        self.item_locations = []


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: ``no`` (Norwegian) and ``on`` stay strings."""


# libyaml's parser when PyYAML was built with it (10× faster), same nodes and marks.
_CLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Yaml12CLoader(_CLoader):  # type: ignore[misc]
    """The same, on libyaml's parser where available."""


for _loader in (_Yaml12Loader, _Yaml12CLoader):
    _loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )


def load_plain(text: str) -> Any:
    """``yaml.safe_load`` with YAML 1.2 booleans: a cue list's "yes", "no" and "on" stay
    words, not True and False."""
    return yaml.load(text, Loader=_Yaml12CLoader)


def _loc(file: str, node: Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node graph into Located containers, collecting problems."""

    def __init__(self, loader: Any, file: str) -> None:
        self.loader = loader
        self.file = file
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()
        self.merged: dict[int, int] = {}

    def problem(self, node: Node, message: str) -> None:
        where = _loc(self.file, node)
        self.problems.append(Problem(message, where.file, where.line, where.column))

    def build(self, node: Node) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node)
        if isinstance(node, ScalarNode):
            return self.loader.construct_object(node, deep=True)
        if id(node) in self.active:
            self.problem(node, "an alias refers to itself (recursive YAML is not allowed)")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return self._sequence(node)
            if isinstance(node, MappingNode):
                return self._mapping(node)
        finally:
            self.active.discard(id(node))
        self.problem(node, f"unsupported YAML node {node.tag}")
        return None

    def _sequence(self, node: SequenceNode) -> LocatedList:
        out = LocatedList()
        out.location = _loc(self.file, node)
        for item in node.value:
            out.append(self.build(item))
            out.item_locations.append(_loc(self.file, item))
        return out

    def _mapping(self, node: MappingNode) -> LocatedDict:
        if id(node) not in self.merged:  # an aliased node is visited again, flattened once
            own = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
            self.loader.flatten_mapping(node)  # resolves `<<:` merge keys, merged pairs first
            self.merged[id(node)] = len(node.value) - own
        merged = self.merged[id(node)]
        out = LocatedDict()
        out.location = _loc(self.file, node)
        from_merge: set[str] = set()
        for position, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, "a key must be a plain word, not a list or mapping")
                continue
            key = self.loader.construct_object(key_node)
            key = "null" if key is None else str(key)
            if position < merged:
                from_merge.add(key)  # later merge sources and own keys override these
            elif key in from_merge:
                from_merge.discard(key)
            elif key in out:
                first = out.key_locations[key]
                self.problem(
                    key_node, f"duplicate key '{key}' (first defined on line {first.line})"
                )
                continue
            out.key_locations[key] = _loc(self.file, key_node)
            out[key] = self.build(value_node)
        return out


class _TooBig(Exception):
    def __init__(self, node: Node) -> None:
        self.node = node


def read_text(path: Path, *, max_bytes: int | None = None) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 text file, or say in one located problem why it cannot be."""
    name = str(path)
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [
                Problem(f"file is too large ({size:,} bytes; the limit is {max_bytes:,})", name)
            ]
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem("no such file", name)]
    except IsADirectoryError:
        return None, [Problem("is a directory, not a file", name)]
    except OSError as exc:
        return None, [Problem(f"cannot read: {exc.strerror or exc}", name)]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [Problem("UTF-16 text; save the file as UTF-8", name, 1, 1)]
    if b"\x00" in raw and _looks_utf16(raw):
        return None, [Problem("UTF-16 text; save the file as UTF-8", name, 1, 1)]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, [Problem("binary data (NUL byte), not a text file", name, line)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before[before.rfind(b"\n") + 1 :]
        column = len(line_start.decode("utf-8", errors="replace")) + 1
        return None, [
            Problem(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                name,
                line,
                column,
            )
        ]
    return text, []


def _tab_problems(text: str, file: str) -> list[Problem]:
    return [
        Problem("tab used for indentation; YAML needs spaces", file, number, match.start() + 1)
        for number, line in enumerate(text.splitlines(), start=1)
        if (match := re.match(r"[ ]*(\t)", line)) and line.strip()
    ]


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str, file: str) -> list[Problem]:
    if "'\\t'" in str(exc.problem) and (tabs := _tab_problems(text, file)):
        return tabs
    mark = exc.problem_mark or exc.context_mark
    problem = str(exc.problem)
    if exc.context_mark is not None and ("end of stream" in problem or "stream end" in problem):
        mark = exc.context_mark  # point at the quote or bracket left open, not past the end
    message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
    if mark is None:
        return [Problem(f"invalid YAML: {message}", file)]
    return [Problem(f"invalid YAML: {message}", file, mark.line + 1, mark.column + 1)]


def _looks_utf16(raw: bytes) -> bool:
    """Text saved as UTF-16 without a byte-order mark: every other byte is NUL."""
    sample = raw[:4000]
    if len(sample) < 4:
        return False
    half = len(sample) // 2
    return sample[1::2].count(0) > 0.6 * half or sample[0::2].count(0) > 0.6 * half


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text safely into Located containers; return data and all problems found."""
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [Problem("file is empty", file)]
    loader: Any = _Yaml12CLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError:
        # Ask the pure-Python parser again: its messages are the clearer, documented ones.
        loader.dispose()
        loader = _Yaml12Loader(text)
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            return None, _syntax_problem(exc, text, file)
        except yaml.YAMLError as exc:
            return None, [Problem(f"invalid YAML: {exc}", file)]
    finally:
        loader.dispose()
    if node is None:
        return None, [Problem("file is empty", file)]
    builder = _Builder(loader, file)
    try:
        data = builder.build(node)
    except _TooBig as big:
        where = _loc(file, big.node)
        return None, [
            Problem(
                f"the YAML expands to more than {MAX_NODES:,} values "
                "(an alias bomb?); write the values out instead",
                file,
                where.line,
                where.column,
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(f"invalid YAML value: {exc}", file)]
    if data is None:
        where = _loc(file, node)
        return None, [Problem("file is empty (the document holds no value)", file, where.line)]
    return data, builder.problems


def yaml_files(dirs: Sequence[Path]) -> list[Path]:
    """The YAML files directly inside each directory, directory by directory, sorted."""
    files: list[Path] = []
    for folder in dirs:
        if folder.is_dir():
            files += sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES)
    return files


def load_yaml_file(path: Path) -> tuple[Any, list[Problem]]:
    """Read and parse one YAML file; data is None when it could not be parsed at all."""
    text, problems = read_text(path)
    if text is None:
        return None, problems
    return parse_yaml(text, str(path))


def locate(data: Any, path: tuple[str | int, ...]) -> Location | None:
    """The most precise known location of ``path`` inside ``data``."""
    best: Location | None = getattr(data, "location", None)
    current = data
    for step in path:
        if isinstance(current, LocatedDict) and isinstance(step, str) and step in current:
            best = current.key_locations.get(step, best)
            current = current[step]
        elif (
            isinstance(current, LocatedList) and isinstance(step, int) and 0 <= step < len(current)
        ):
            best = current.item_locations[step]
            current = current[step]
        else:
            break
    return best
