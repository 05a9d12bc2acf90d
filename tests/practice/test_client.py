"""The scripted client (no model) and the model client's fallback, in English and Russian."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coach.analysis.transcript import Role
from coach.llm.config import LLMSettings
from coach.llm.server import free_port
from coach.practice.client import (
    ModelClient,
    ScriptedClient,
    SimulatedClient,
    objection_line,
    proposed_time,
)
from coach.practice.persona import persona
from coach.practice.session import PracticeSession


def talk(session: PracticeSession, client: SimulatedClient, *lines: str) -> list[str]:
    """The rep says each line; the client's whole replies, in order."""
    if not session.turns:
        session.client_says(client.opening())
    replies = []
    for line in lines:
        session.rep_says(line)
        replies.append("".join(client.reply(session.turns)))
        session.client_says(replies[-1])
    return replies


def scripted(session: PracticeSession) -> ScriptedClient:
    return ScriptedClient(session.script, persona(session.persona), session.language)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Can you come tomorrow at 5 pm?", "tomorrow at 5 pm"),
        ("Shall we say Thursday at 10:30?", "Thursday at 10:30"),
        ("Let's meet on the 12th", "on the 12th"),
        ("Would 2026-12-01 14:00 work?", "2026-12-01 14:00"),
        ("Can we meet next week?", "next week"),
        ("How do you use your car today?", None),
        ("I have 3 cars", None),
        ("Приезжайте завтра в 15:00", "завтра в 15:00"),
        ("Удобно в четверг в 11?", "в четверг в 11"),
        ("Давайте в 12 часов", "в 12 часов"),
        ("Как вы сегодня?", None),
        ("У меня 2 машины", None),
    ],
)
def test_proposed_time(text: str, expected: str | None) -> None:
    assert proposed_time(text) == expected


@pytest.mark.parametrize(
    ("script_id", "hello", "greeting"),
    [
        ("car-dealer-en", "Hello, this is Anna from AutoCity.", "Hello?"),
        ("car-dealer-ru", "Здравствуйте, это Анна из АвтоСити.", "Алло?"),
    ],
)
def test_picks_up_and_greets_back(
    practice: Callable[..., PracticeSession], script_id: str, hello: str, greeting: str
) -> None:
    session = practice(script_id)
    client = scripted(session)
    assert client.opening() == greeting
    (reply,) = talk(session, client, hello)
    assert reply.split(".")[0] in {"Hello", "Hi", "Здравствуйте", "Добрый день"}
    assert reply.endswith("?")  # and asks what the call is about


@pytest.mark.parametrize(
    ("script_id", "question"),
    [
        ("car-dealer-en", "How do you use your car now?"),
        ("car-dealer-ru", "Как вы сейчас пользуетесь машиной?"),
    ],
)
def test_answers_a_question_briefly(
    practice: Callable[..., PracticeSession], script_id: str, question: str
) -> None:
    session = practice(script_id, "price-focused")
    client = scripted(session)
    _, answer = talk(
        session, client, "Hello" if script_id.endswith("en") else "Здравствуйте", question
    )
    assert 1 <= len(answer.split()) <= 12
    assert not session.objections_raised()


@pytest.mark.parametrize(
    ("script_id", "name", "first", "second"),
    [
        ("car-dealer-en", "price-focused", "price_too_high", "trade_in_value_too_low"),
        ("car-dealer-ru", "price-focused", "price", "tradein_low"),
        ("car-dealer-en", "busy", "no_time", "send_email"),
        ("car-dealer-ru", "busy", "no_time", "send_email"),
        ("car-dealer-en", "skeptical", "trust", "bad_experience_elsewhere"),
        ("car-dealer-ru", "skeptical", "trust", "bad_experience"),
    ],
)
def test_raises_the_personas_objections_in_turn(
    practice: Callable[..., PracticeSession], script_id: str, name: str, first: str, second: str
) -> None:
    session = practice(script_id, name)
    client = scripted(session)
    en = script_id.endswith("en")
    pitch = (
        "We have a new model in stock with a good offer."
        if en
        else "У нас новая модель и хорошее предложение."
    )
    handle = (
        "I understand, and that is exactly why we offer a test drive first."
        if en
        else "Понимаю, именно поэтому мы предлагаем сначала тест-драйв."
    )
    replies = talk(session, client, "Hello" if en else "Здравствуйте", pitch, handle, pitch)
    line = objection_line(session.script.objections[0], persona(name), session.language)
    assert line  # every card can be said
    assert [o.id for o in session.objections_raised()] == [first, second]
    assert replies[2].split()[0].rstrip(",.") in {"Okay", "Hm", "I", "Ну", "Хм", "Понятно"}


@pytest.mark.parametrize(
    ("script_id", "lines", "agreed"),
    [
        (
            "car-dealer-en",
            [
                "Hello, this is Anna from AutoCity.",
                "We have the model you looked at in stock.",
                "I understand, the finance starts at 4 percent, so the payment is lower.",
                "Our trade-in bonus adds to the price we give for your car.",
                "Can you come tomorrow at 5 pm?",
            ],
            "All right, tomorrow at 5 pm suits me. Let's do it.",
        ),
        (
            "car-dealer-ru",
            [
                "Здравствуйте, это Анна из АвтоСити.",
                "Машина, которую вы смотрели, есть в наличии.",
                "Понимаю, кредит от 4 процентов, платёж будет ниже.",
                "С бонусом трейд-ин за вашу машину дадут больше.",
                "Приезжайте завтра в 15:00?",
            ],
            "Хорошо, завтра в 15:00 мне подходит. Договорились.",
        ),
    ],
)
def test_agrees_once_objections_are_handled_and_a_time_is_proposed(
    practice: Callable[..., PracticeSession], script_id: str, lines: list[str], agreed: str
) -> None:
    session = practice(script_id, "price-focused")
    client = scripted(session)
    replies = talk(session, client, *lines)
    assert replies[-1] == agreed
    assert len(session.objections_raised()) == 2
    bye = talk(session, client, "Thank you!")
    assert bye[0] in {"Thank you, goodbye.", "Спасибо, до свидания."}


def test_a_time_before_the_objections_brings_the_next_one(
    practice: Callable[..., PracticeSession],
) -> None:
    session = practice("car-dealer-en", "busy")
    client = scripted(session)
    replies = talk(session, client, "Hello, this is Anna.", "Can you come tomorrow at 5 pm?")
    assert "I don't have time" in replies[-1]
    assert "suits me" not in replies[-1]


def test_a_short_reply_does_not_handle_an_objection(
    practice: Callable[..., PracticeSession],
) -> None:
    session = practice("car-dealer-en", "busy")
    client = scripted(session)
    talk(session, client, "Hello, this is Anna.", "We have a great offer for you.")
    assert session.objections_raised()
    (pressed,) = talk(session, client, "Okay.")
    assert pressed in {"That's not really an answer.", "And?"}


def test_replies_stream_word_by_word(practice: Callable[..., PracticeSession]) -> None:
    session = practice("car-dealer-en")
    client = scripted(session)
    session.client_says(client.opening())
    session.rep_says("Hello, this is Anna from AutoCity.")
    chunks = list(client.reply(session.turns))
    assert len(chunks) > 3
    assert "".join(chunks) == client.next_line(session.turns)


def test_model_messages_put_the_rep_as_user(practice: Callable[..., PracticeSession]) -> None:
    session = practice("car-dealer-ru", "busy")
    client = ModelClient(session.script, persona("busy"), session.language)
    talk(session, scripted(session), "Здравствуйте, это Анна.")
    messages = client.messages(session.turns)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant"]
    assert "занятой клиент" in messages[0]["content"]
    assert "нет времени" in messages[0]["content"]
    assert messages[3]["content"] == "Здравствуйте, это Анна."


def test_model_down_falls_back_to_the_scripted_client_with_a_notice(
    practice: Callable[..., PracticeSession],
) -> None:
    session = practice("car-dealer-en", "busy")
    nobody = LLMSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", retries=0, timeout_s=2)
    client = ModelClient(session.script, persona("busy"), session.language, settings=nobody)
    session.client_says(client.opening())
    session.rep_says("Hello, this is Anna from AutoCity.")
    reply = "".join(client.reply(session.turns))
    assert reply == scripted(session).next_line(session.turns)
    notice = client.take_notice()
    assert notice is not None and "scripted client" in notice
    assert client.take_notice() is None  # said once
    assert client.down  # and the model is not asked again
    session.rep_says("How do you use your car?")
    assert "".join(client.reply(session.turns)) == scripted(session).next_line(session.turns)
    assert role_order(session) == [Role.client, Role.rep, Role.rep]


def role_order(session: PracticeSession) -> list[Role]:
    return [t.role for t in session.turns]
