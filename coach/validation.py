"""Turn pydantic validation errors into located, human problems with "did you mean".

Shared by the script and rubric loaders: a loc like ``("stages", 3, "kind")`` becomes
``script.yaml:42:11: stages[3].kind: unknown value 'pitch' (did you mean 'teaser'?)``.
"""

from __future__ import annotations

import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from rapidfuzz import process

from coach.errors import Problem
from coach.scripts.model import LocatedModel
from coach.yamlsource import LocatedDict, LocatedList, Location, locate


def dotted(path: tuple[str | int, ...]) -> str:
    """``("stages", 3, "kind")`` → ``stages[3].kind``."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + step
    return out or "(top level)"


def suggest(word: str, choices: list[str], cutoff: float = 70) -> str:
    """A " (did you mean 'x'?)" suffix, or nothing when no choice is close."""
    if not choices or not word:
        return ""
    match = process.extractOne(word, choices, score_cutoff=cutoff)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _inner_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        out += _inner_models(arg)
    return out


def _inner_enums(annotation: Any) -> list[type[Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [annotation]
    out: list[type[Enum]] = []
    if isinstance(annotation, types.UnionType) or typing.get_args(annotation):
        for arg in typing.get_args(annotation):
            out += _inner_enums(arg)
    return out


def model_at(model: type[BaseModel], path: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping found at ``path``."""
    current: type[BaseModel] | None = model
    for step in path:
        if isinstance(step, int) or current is None:
            continue
        field = current.model_fields.get(step)
        if field is None:
            return None
        inner = _inner_models(field.annotation)
        current = inner[0] if inner else None
    return current


def _field_enum(model: type[BaseModel], path: tuple[str | int, ...]) -> type[Enum] | None:
    if not path or not isinstance(path[-1], str):
        return None
    parent = model_at(model, path[:-1])
    field = parent.model_fields.get(path[-1]) if parent else None
    enums = _inner_enums(field.annotation) if field else []
    return enums[0] if enums else None


def _context(data: Any, path: tuple[str | int, ...]) -> str:
    """Name the nearest enclosing item by its id, e.g. " in stage 'teaser'"."""
    node = data
    label = ""
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, LocatedDict) and isinstance(node.get("id"), str):
            label = f" ('{node['id']}')"
    return label


def describe(error: ErrorDetails, model: type[BaseModel], data: Any) -> str:
    path = tuple(error["loc"])
    kind = error["type"]
    where = dotted(path)
    if kind == "missing":
        parent = dotted(path[:-1])
        return f"{parent}{_context(data, path[:-1])}: missing required key '{path[-1]}'"
    if kind == "extra_forbidden":
        parent_model = model_at(model, path[:-1])
        choices = list(parent_model.model_fields) if parent_model else []
        return (
            f"{dotted(path[:-1])}{_context(data, path[:-1])}: unknown key '{path[-1]}'"
            + suggest(str(path[-1]), choices)
        )
    given = error.get("input")
    if kind == "enum":
        enum = _field_enum(model, path)
        values = [str(m.value) for m in enum] if enum else []
        hint = suggest(str(given), values) if isinstance(given, str) else ""
        allowed = f"; one of: {', '.join(values)}" if values else ""
        return f"{where}: unknown value {given!r}{hint}{allowed}"
    if kind == "too_short":
        least = (error.get("ctx") or {}).get("min_length", 1)
        what = "item" if least == 1 else "items"
        return f"{where}{_context(data, path[:-1])}: needs at least {least} {what}, got none"
    message = error["msg"].removeprefix("Value error, ")
    if kind in {"value_error", "assertion_error"}:
        return f"{where}{_context(data, path)}: {message}"
    shown = repr(given)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{where}: {message[0].lower()}{message[1:]}, got {shown}"


def problems_from(exc: ValidationError, model: type[BaseModel], data: Any) -> list[Problem]:
    """One located problem per validation error, in file order."""
    errors = exc.errors()
    # A typo'd key ("titel") also makes the real one ("title") missing: report it once.
    misspelt = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            path = tuple(error["loc"])
            parent = model_at(model, path[:-1])
            match = process.extractOne(
                str(path[-1]), list(parent.model_fields) if parent else [], score_cutoff=70
            )
            if match:
                misspelt.add((*path[:-1], match[0]))
    out = []
    for error in errors:
        if error["type"] == "missing" and tuple(error["loc"]) in misspelt:
            continue
        where = locate(data, tuple(error["loc"]))
        out.append(_problem(describe(error, model, data), where))
    return sort_problems(out)


def _problem(message: str, where: Location | None) -> Problem:
    if where is None:
        return Problem(message)
    return Problem(message, where.file, where.line, where.column)


def problem_at(message: str, where: Location | None, file: str | None = None) -> Problem:
    """A problem at a known location (or just naming the file)."""
    if where is None:
        return Problem(message, file)
    return _problem(message, where)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file or "", p.line or 0, p.column or 0))


def all_locations(data: Any) -> dict[tuple[str | int, ...], Location]:
    """Every path inside located data, mapped to where it was written."""
    out: dict[tuple[str | int, ...], Location] = {}

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, LocatedDict):
            if node.location is not None:
                out.setdefault(path, node.location)
            for key, value in node.items():
                if key in node.key_locations:
                    out[(*path, key)] = node.key_locations[key]
                walk(value, (*path, key))
        elif isinstance(node, LocatedList):
            if node.location is not None:
                out.setdefault(path, node.location)
            for index, value in enumerate(node):
                if index < len(node.item_locations):
                    out[(*path, index)] = node.item_locations[index]
                walk(value, (*path, index))

    walk(data, ())
    return out


def validate_located(
    model: type[BaseModel], data: LocatedDict, source: Path
) -> tuple[Any, list[Problem]]:
    """Validate located data; return the model (or None) and located problems."""
    try:
        value = model.model_validate(data)
    except ValidationError as exc:
        return None, problems_from(exc, model, data)
    if isinstance(value, LocatedModel):
        value.attach_origin(str(source), all_locations(data))
    return value, []
