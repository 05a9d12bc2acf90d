"""Sentence splitting and word counting, English and Russian."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from coach.lexicon import normalise
from coach.text import (
    ALNUM_RUN,
    WORD,
    _split_words,
    alnum_runs,
    said_words,
    split_sentences,
    words,
)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("en", "Hi there. How are you?", ["Hi there.", "How are you?"]),
        (
            "en",
            "Dr. Smith will see you. Is Tuesday fine?",
            ["Dr. Smith will see you.", "Is Tuesday fine?"],
        ),
        (
            "en",
            "Rates from 2.9 % a year! Want a quote?",
            ["Rates from 2.9 % a year!", "Want a quote?"],
        ),
        ("en", "It's big, e.g. seven seats. Come in?", ["It's big, e.g. seven seats.", "Come in?"]),
        ("en", "Well… okay. Sure!", ["Well… okay.", "Sure!"]),
        ("en", "no punctuation at all", ["no punctuation at all"]),
        ("en", "He said “yes.” Then left.", ["He said “yes.”", "Then left."]),
        ("en", "", []),
        ("ru", "Добрый день. Удобно говорить?", ["Добрый день.", "Удобно говорить?"]),
        ("ru", "Это т.е. скидка. Приедете?", ["Это т.е. скидка.", "Приедете?"]),
        (
            "ru",
            "Цена 1.5 млн руб. в месяц. Записать вас?",
            ["Цена 1.5 млн руб. в месяц.", "Записать вас?"],
        ),
        ("ru", "Ул. Ленина, д. 5. Ждём вас!", ["Ул. Ленина, д. 5.", "Ждём вас!"]),
        ("ru", "Он сказал «да». Потом ушёл.", ["Он сказал «да».", "Потом ушёл."]),
    ],
)
def test_split_sentences(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Hi, I'm Anna from Acme.", 5),
        ("A 2019 RAV4 — low miles.", 5),
        ("Тест-драйв в субботу, хорошо?", 4),
        ("Здравствуйте! Это Ольга.", 3),
    ],
)
def test_words(text: str, count: int) -> None:
    assert len(words(text)) == count


@pytest.mark.parametrize(
    ("reference", "hypothesis", "rate"),
    [
        ("Is now a good time?", "is now a good time", 0.0),
        ("Is now a good time?", "is our good time", 0.4),
        ("Приезжайте в субботу.", "приезжайте в свободу", 1 / 3),
        ("ещё раз", "еще раз", 0.0),
        ("one two", "", 1.0),
    ],
)
def test_word_error_rate(reference: str, hypothesis: str, rate: float) -> None:
    from coach.analysis.wer import word_error_rate

    assert word_error_rate(reference, hypothesis) == pytest.approx(rate)


# characters that decide where words begin and end: joiners, edge punctuation, the
# underscore (a \w the word pattern leaves out), odd spaces, letters whose case changes size
_TRICKY = list("abAB1_-'’` .,!?«»()[]ёЁ\u00a0\u2009\u2028\x1c\x85\t\n—–:;\"“”„ﬁ²½٣İǅΣςßщЩ")


def tricky_texts(seed: int, count: int = 20000) -> Iterator[str]:
    """Short random strings of _TRICKY and 300 random characters: where word patterns and
    their fast stand-ins could part ways."""
    rng = random.Random(seed)
    alphabet = _TRICKY + [chr(rng.randrange(32, 0x3000)) for _ in range(300)]
    for _ in range(count):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 14)))


@pytest.mark.parametrize(
    "text",
    [
        "Well, um... you know: it's a pre-approval, isn't it?",
        "«Ну, как бы», — сказал он. Ёлки-палки, т.е. всё?!",
        "x-um hmm_ok (кто-то)[да] 2.5% 24/7 e-mail’s",
        "",
        "   ",
    ],
)
def test_said_words_split_fast_as_the_word_pattern_does(text: str) -> None:
    assert _split_words(normalise(text)) == WORD.findall(normalise(text))
    assert list(said_words(text)) == WORD.findall(normalise(text))


def test_said_words_split_fast_as_the_word_pattern_does_on_random_text() -> None:
    for text in tricky_texts(4):
        assert _split_words(text) == WORD.findall(text), repr(text)


def test_alnum_runs_split_fast_as_the_pattern_does() -> None:
    """What the SPIN model reads a question as: runs of letters and digits."""
    for text in ["Don't you think it's pre-approved?", "«Ну, как бы», — т.е. всё?!", "a_b (x)"]:
        assert alnum_runs(normalise(text)) == ALNUM_RUN.findall(normalise(text))
    for text in tricky_texts(5):
        assert alnum_runs(text) == ALNUM_RUN.findall(text), repr(text)
