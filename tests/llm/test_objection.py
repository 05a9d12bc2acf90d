from __future__ import annotations

from pathlib import Path

import pytest

from coach.config import load_settings
from coach.errors import LLMError
from coach.llm.objection import library_answer, product_facts, reply_prompt
from coach.llm.server import resolve_model
from coach.scripts.loader import load_script


@pytest.fixture(scope="module")
def dirs() -> list[Path]:
    return load_settings().template_dirs


@pytest.mark.parametrize(
    ("script", "said", "card"),
    [
        ("car-dealer-en", "it's too expensive", "price_too_high"),
        ("car-dealer-ru", "дорого", "price"),
        ("car-dealer-ru", "мне некогда", None),
    ],
)
def test_library_answer(dirs: list[Path], script: str, said: str, card: str | None) -> None:
    answer = library_answer(load_script(script, dirs), said)
    if card is None:
        return  # any card or none; the point is no exception
    assert answer is not None and answer.objection.id == card
    assert answer.responses and "{{" not in " ".join(answer.responses)


def test_product_facts_and_prompt(dirs: list[Path]) -> None:
    script = load_script("car-dealer-en", dirs)
    facts = product_facts(script)
    assert facts[0] == script.title
    assert any("showroom visit" in f for f in facts)
    prompt = reply_prompt(script, "too expensive", library_answer(script, "too expensive"))
    assert prompt.language == "en"
    assert "too expensive" in prompt.user and "What monthly payment" in prompt.user


def test_prompt_without_a_card(dirs: list[Path]) -> None:
    script = load_script("car-dealer-ru", dirs)
    prompt = reply_prompt(script, "непонятно что", None)
    assert "(нет заготовленного ответа)" in prompt.user


def test_a_missing_model_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="no such model file"):
        resolve_model(tmp_path / "nope.gguf")
