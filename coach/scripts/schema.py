"""JSON Schemas of the script and rubric formats, committed next to the YAML for editors."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from coach.config import BUNDLED_RUBRICS, BUNDLED_TEMPLATES


def schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of ``kind`` ("script", "library" or "rubric")."""
    from coach.analysis.rubric import Rubric
    from coach.scripts.model import ObjectionLibrary, Script

    models: dict[str, type[BaseModel]] = {
        "script": Script,
        "library": ObjectionLibrary,
        "rubric": Rubric,
    }
    data: dict[str, Any] = models[kind].model_json_schema()
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    data["$id"] = f"coach-{kind}.schema.json"
    return data


def schema_text(kind: str) -> str:
    return json.dumps(schema(kind), ensure_ascii=False, indent=2) + "\n"


COMMITTED = {
    "script": BUNDLED_TEMPLATES / "script.schema.json",
    "library": BUNDLED_TEMPLATES / "libraries" / "library.schema.json",
    "rubric": BUNDLED_RUBRICS / "rubric.schema.json",
}
