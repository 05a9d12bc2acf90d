from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from coach.errors import LLMError
from coach.llm.prompts import LANGUAGES, TASKS, render_prompt, specs, template_variables

EXAMPLES: dict[str, dict[str, Any]] = {
    "objection_reply": {
        "en": {
            "objection": "It's too expensive",
            "library_answer": "I hear you, it's a lot of money. What monthly payment would feel comfortable?",
            "follow_up_question": "What monthly payment would you be comfortable with?",
            "script_title": "Car dealer — inbound web lead",
            "key_step": "visit",
            "product_facts": ["2021 Skoda Octavia Estate", "Trade-in valuation in the showroom"],
            "client_name": "[NAME_1]",
        },
        "ru": {
            "objection": "Дорого",
            "library_answer": "Понимаю, сумма серьёзная. Давайте сравним итоговые суммы.",
            "script_title": "Автосалон — входящая заявка",
            "key_step": "visit",
            "product_facts": [],
        },
    },
    "coaching_summary": {
        "en": {
            "transcript": "Rep: Hello, it's Anna from Oakfield Motors.\nClient: Hi.",
            "findings": ["talk ratio 81 % (target 40–55 %)", "2 open questions"],
            "rep_name": "Anna",
            "script_title": "Car dealer",
        },
        "ru": {
            "transcript": "Менеджер: Здравствуйте!\nКлиент: Добрый день.",
            "findings": ["доля речи менеджера 81 % (цель 40–55 %)"],
        },
    },
    "script_draft": {
        "en": {
            "industry": "dental clinic",
            "product": "implants",
            "key_step": "visit",
            "cold": False,
        },
        "ru": {
            "industry": "B2B SaaS",
            "product": "CRM для отдела продаж",
            "key_step": "demo",
            "cold": True,
            "audience": "коммерческие директора",
            "notes": "без давления",
        },
    },
    "roleplay_client": {
        "en": {
            "product": "a used car",
            "persona": "a careful father of two who drives 30 km a day",
            "objections": ["too expensive", "I need to talk to my wife"],
            "difficulty": "hard",
        },
        "ru": {
            "product": "квартира в новостройке",
            "persona": "молодая семья, ипотека",
            "objections": ["нет первоначального взноса"],
            "script_title": "Застройщик",
        },
    },
    "classify_question": {
        "en": {"question": "How do you use the car today?", "context": "I drive to work."},
        "ru": {"question": "Сколько человек в семье?"},
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("task", TASKS)
def test_prompt_renders_as_the_golden_file(
    task: str, language: str, golden: Callable[[str, str], None]
) -> None:
    prompt = render_prompt(task, language, EXAMPLES[task][language])
    assert prompt.system and prompt.user
    assert "{{" not in prompt.text() and "{%" not in prompt.text()
    golden(f"llm/{task}.{language}.txt", prompt.text())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("task", TASKS)
def test_templates_use_only_declared_variables(task: str, language: str) -> None:
    assert template_variables(task, language) <= specs()[task].variables


def test_every_task_has_both_languages_and_examples() -> None:
    assert set(TASKS) == {
        "objection_reply",
        "coaching_summary",
        "script_draft",
        "roleplay_client",
        "classify_question",
    }
    assert set(EXAMPLES) == set(TASKS)


def test_missing_variables_are_listed() -> None:
    with pytest.raises(LLMError) as caught:
        render_prompt("objection_reply", "en", {"objection": "too expensive"})
    message = str(caught.value)
    assert "missing variable(s) key_step, library_answer, product_facts, script_title" in message
    assert "optionally client_name, follow_up_question" in message


def test_unknown_variables_are_named() -> None:
    with pytest.raises(LLMError, match=r"unknown variable\(s\) colour"):
        render_prompt("classify_question", "ru", {"question": "Что?", "colour": "red"})


@pytest.mark.parametrize(
    ("task", "language", "message"),
    [("haiku", "en", "no prompt 'haiku'"), ("classify_question", "de", "no language 'de'")],
)
def test_unknown_task_or_language(task: str, language: str, message: str) -> None:
    with pytest.raises(LLMError, match=message):
        render_prompt(task, language, {"question": "?"})
