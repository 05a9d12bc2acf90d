from __future__ import annotations

from typing import Any

import pytest

from coach.llm.schema import schema_problems

SCHEMA = {
    "type": "object",
    "properties": {
        "reply": {"type": "string", "minLength": 1, "maxLength": 10},
        "tone": {"enum": ["calm", "warm"]},
        "score": {"type": "integer", "minimum": 0, "maximum": 10},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
    },
    "required": ["reply", "score"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ({"reply": "ok", "score": 3}, []),
        ({"reply": "ok", "score": 3.0, "tags": ["a"]}, []),
        ([], ["answer: expected object, got list"]),
        ({"score": 3}, ["answer: missing 'reply'"]),
        (
            {"reply": "", "score": 11},
            [
                "answer.reply: needs at least 1 characters, has 0",
                "answer.score: must be at most 10",
            ],
        ),
        ({"reply": "ok", "score": True}, ["answer.score: expected integer, got bool"]),
        (
            {"reply": "ok", "score": 1, "tone": "angry"},
            ["answer.tone: must be one of ['calm', 'warm'], got 'angry'"],
        ),
        (
            {"reply": "ok", "score": 1, "tags": [1, "b", "c"]},
            [
                "answer.tags: allows at most 2 items, has 3",
                "answer.tags[0]: expected string, got int",
            ],
        ),
        ({"reply": "ok", "score": 1, "extra": 1}, ["answer: unexpected 'extra'"]),
    ],
)
def test_schema_problems(value: Any, problems: list[str]) -> None:
    assert schema_problems(value, SCHEMA) == problems
