"""An objection answer in two steps: the script's library card at once, then the model's take.

The library part needs no model; the suggestion is grounded in that card and the script's facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from coach.call.search import ObjectionIndex
from coach.llm.client import Privacy, stream
from coach.llm.config import LLMSettings
from coach.llm.prompts import Prompt, render_prompt
from coach.scripts.model import Objection, Script, StageKind

MAX_FACTS = 12
_VARIABLE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class LibraryAnswer:
    objection: Objection
    matched: str
    score: float
    responses: list[str]
    follow_up_question: str | None


def _fill(text: str, values: Mapping[str, str]) -> str:
    """Known variables filled in, unknown ones shown as <name> (no example passes for fact)."""
    return _VARIABLE.sub(lambda m: values.get(m.group(1), f"<{m.group(1)}>"), text)


def _defaults(script: Script) -> dict[str, str]:
    return {v.name: v.default for v in script.variables if v.default is not None}


def library_answer(
    script: Script, said: str, values: Mapping[str, str] | None = None
) -> LibraryAnswer | None:
    """The best card in the script's objection library for what the client said."""
    hits = ObjectionIndex(script.objections).search(said, limit=1)
    if not hits or not said.strip():
        return None
    hit = hits[0]
    known = {**_defaults(script), **(values or {})}
    follow = hit.objection.follow_up_question
    return LibraryAnswer(
        objection=hit.objection,
        matched=hit.matched,
        score=hit.score,
        responses=[_fill(r, known) for r in hit.objection.responses],
        follow_up_question=_fill(follow, known) if follow else None,
    )


def product_facts(script: Script, values: Mapping[str, str] | None = None) -> list[str]:
    """What the script says about the offer: its description, variables, teaser lines."""
    known = {**_defaults(script), **(values or {})}
    facts = [script.title]
    if script.description:
        facts.append(" ".join(script.description.split()))
    for variable in script.variables:
        value = known.get(variable.name)
        if value and variable.description:
            facts.append(f"{variable.description}: {value}")
    for stage in script.stages_of(StageKind.teaser):
        facts += [_fill(line, known) for line in stage.lines]
    return facts[:MAX_FACTS]


def reply_prompt(
    script: Script,
    said: str,
    answer: LibraryAnswer | None,
    *,
    language: str | None = None,
    client_name: str | None = None,
    values: Mapping[str, str] | None = None,
) -> Prompt:
    lang = (language or script.language)[:2]
    none = "(нет заготовленного ответа)" if lang == "ru" else "(no prepared answer)"
    return render_prompt(
        "objection_reply",
        lang,
        {
            "objection": said,
            "library_answer": " ".join(answer.responses) if answer else none,
            "follow_up_question": answer.follow_up_question if answer else None,
            "script_title": script.title,
            "key_step": script.key_step,
            "product_facts": product_facts(script, values),
            "client_name": client_name,
        },
    )


def suggest_reply(
    script: Script,
    said: str,
    answer: LibraryAnswer | None,
    *,
    settings: LLMSettings | None = None,
    privacy: Privacy | None = None,
    language: str | None = None,
    client_name: str | None = None,
    max_tokens: int = 160,
) -> Iterator[str]:
    """The model's suggestion, streamed; LLMError when no model answers."""
    prompt = reply_prompt(script, said, answer, language=language, client_name=client_name)
    return stream(
        prompt.messages(),
        settings=settings,
        privacy=privacy or Privacy(),
        max_tokens=max_tokens,
        kind="objection_reply",
    )


Advisor = Callable[[str, Objection], Iterator[str]]


def advisor(
    script: Script,
    values: Mapping[str, str] | None = None,
    *,
    client_name: str | None = None,
    settings: LLMSettings | None = None,
) -> Advisor:
    """What the live call screen calls once the rep has the card on screen: the model's
    suggestion for what the client said, grounded in that card (streamed; LLMError when
    no model answers). Names of the call are redacted before a non-local endpoint."""
    known = {**_defaults(script), **(values or {})}
    names = tuple(n for n in (client_name, known.get("client_name"), known.get("rep_name")) if n)

    def advise(said: str, objection: Objection) -> Iterator[str]:
        follow = objection.follow_up_question
        answer = LibraryAnswer(
            objection=objection,
            matched=said,
            score=100.0,
            responses=[_fill(r, known) for r in objection.responses],
            follow_up_question=_fill(follow, known) if follow else None,
        )
        return suggest_reply(
            script,
            said or (objection.triggers[0] if objection.triggers else objection.category),
            answer,
            settings=settings,
            privacy=Privacy(names=names),
            client_name=client_name,
        )

    return advise
