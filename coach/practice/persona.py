"""Who the simulated client is: a description for the model, objections first, and patience.

A persona orders the script's objection library (a price-focused client starts with price) and
says how many questions it answers before it pushes back with the next doubt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from coach.errors import CoachError
from coach.scripts.model import Objection


@dataclass(frozen=True)
class Persona:
    """One kind of client, described in English and Russian."""

    id: str
    description: dict[str, str]  # language -> who the client is (for the model)
    first: tuple[str, ...]  # objection categories this client raises before any other
    objections: int  # how many doubts it raises before it agrees to anything
    patience: int  # questions it answers before it pushes back with the next doubt
    difficulty: str  # easy, normal or hard (the roleplay prompt's scale)

    def describe(self, language: str) -> str:
        return self.description.get(language[:2], self.description["en"])

    def order(self, objections: Sequence[Objection]) -> list[Objection]:
        """The library in the order this client raises it: its categories first, then the rest."""
        rank = {category: number for number, category in enumerate(self.first)}
        return sorted(objections, key=lambda o: rank.get(o.category, len(rank)))

    def pick(self, objections: Sequence[Objection]) -> list[Objection]:
        """The doubts this client will raise, in order."""
        return self.order(objections)[: self.objections]


PERSONAS: dict[str, Persona] = {
    "skeptical": Persona(
        id="skeptical",
        description={
            "en": "a sceptical client who has been let down by salespeople before; "
            "doubts every claim and wants proof before trusting anyone",
            "ru": "недоверчивый клиент, которого уже подводили продавцы; "
            "сомневается в каждом слове и хочет доказательств",
        },
        first=("trust", "bad_experience", "competitor", "think_about_it"),
        objections=3,
        patience=3,
        difficulty="hard",
    ),
    "busy": Persona(
        id="busy",
        description={
            "en": "a busy client answering between meetings; short answers, "
            "wants the point fast and an easy way out of the call",
            "ru": "занятой клиент, отвечает между встречами; говорит коротко, "
            "хочет сразу к делу и ищет повод закончить разговор",
        },
        first=("no_time", "send_email", "not_now", "think_about_it"),
        objections=2,
        patience=2,
        difficulty="normal",
    ),
    "price-focused": Persona(
        id="price-focused",
        description={
            "en": "a price-focused client who compares offers; asks what it costs, "
            "says others are cheaper and wants a discount",
            "ru": "клиент, которого волнует цена; сравнивает предложения, "
            "говорит, что у других дешевле, и просит скидку",
        },
        first=("price", "credit", "competitor", "think_about_it"),
        objections=2,
        patience=3,
        difficulty="normal",
    ),
}
DEFAULT_PERSONA = "skeptical"


def persona(name: str) -> Persona:
    found = PERSONAS.get(name)
    if found is None:
        raise CoachError(f"no persona '{name}'; known: {', '.join(PERSONAS)}")
    return found
