"""Check a parsed JSON value against the JSON Schema subset structured answers use.

Covers type, enum, const, properties/required/additionalProperties, items, min/max lengths,
items and values; enough to tell a model what it got wrong. Pydantic classes validate themselves.
"""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def schema_problems(value: Any, schema: dict[str, Any], where: str = "answer") -> list[str]:
    """Every way the value breaks the schema, each as 'path: what'."""
    problems: list[str] = []
    expected = schema.get("type")
    if expected is not None:
        names = expected if isinstance(expected, list) else [expected]
        if not any(_is(value, name) for name in names):
            return [f"{where}: expected {' or '.join(names)}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: must be one of {schema['enum']}, got {value!r}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: must be {schema['const']!r}")
    if isinstance(value, str):
        problems += _bounds(where, len(value), schema, "minLength", "maxLength", "characters")
    if isinstance(value, list):
        problems += _bounds(where, len(value), schema, "minItems", "maxItems", "items")
        items = schema.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                problems += schema_problems(item, items, f"{where}[{index}]")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where}: must be at least {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where}: must be at most {schema['maximum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                problems.append(f"{where}: missing '{key}'")
        for key, item in value.items():
            if key in properties:
                problems += schema_problems(item, properties[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: unexpected '{key}'")
    return problems


def _is(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(name, (object,)))


def _bounds(
    where: str, size: int, schema: dict[str, Any], low: str, high: str, unit: str
) -> list[str]:
    out = []
    if low in schema and size < schema[low]:
        out.append(f"{where}: needs at least {schema[low]} {unit}, has {size}")
    if high in schema and size > schema[high]:
        out.append(f"{where}: allows at most {schema[high]} {unit}, has {size}")
    return out
