"""Personas put the script's objections in their own order, in English and Russian scripts."""

from __future__ import annotations

import pytest

from coach.errors import CoachError
from coach.practice.persona import PERSONAS, persona
from tests.practice.conftest import bundled


@pytest.mark.parametrize(
    ("script_id", "name", "expected"),
    [
        ("car-dealer-en", "price-focused", ["price", "price", "credit"]),
        ("car-dealer-ru", "price-focused", ["price", "price", "credit"]),
        ("car-dealer-en", "busy", ["no_time", "send_email", "not_now"]),
        ("car-dealer-ru", "busy", ["no_time", "send_email", "not_now"]),
        ("car-dealer-en", "skeptical", ["trust", "bad_experience", "competitor"]),
        ("car-dealer-ru", "skeptical", ["trust", "bad_experience", "competitor"]),
        ("dental-en", "price-focused", ["price", "competitor", "think_about_it"]),
    ],
)
def test_persona_orders_objections_by_its_categories(
    script_id: str, name: str, expected: list[str]
) -> None:
    ordered = persona(name).order(bundled(script_id).objections)
    assert [o.category for o in ordered[:3]] == expected


@pytest.mark.parametrize("script_id", ["car-dealer-en", "car-dealer-ru"])
def test_order_keeps_every_objection_once(script_id: str) -> None:
    script = bundled(script_id)
    for character in PERSONAS.values():
        ordered = character.order(script.objections)
        assert sorted(o.id for o in ordered) == sorted(o.id for o in script.objections)
        assert len(character.pick(script.objections)) == character.objections


@pytest.mark.parametrize(
    ("name", "language", "word"), [("busy", "en", "busy"), ("busy", "ru", "занят")]
)
def test_persona_describes_itself_in_the_language(name: str, language: str, word: str) -> None:
    assert word in persona(name).describe(language)


def test_unknown_persona_lists_the_known_ones() -> None:
    with pytest.raises(CoachError, match="known: skeptical, busy, price-focused"):
        persona("angry")
