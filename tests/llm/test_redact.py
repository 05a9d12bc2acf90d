from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coach.llm.redact import Redaction, StreamRestorer, classify_digits, luhn_ok, redact, restore

NAMES = ["Анна Смирнова", "Иван Петров", "Sarah Jones", "Tom"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English
        ("Call me on +1 415-555-0123 tomorrow", "Call me on [PHONE_1] tomorrow"),
        ("my number is (415) 555-0123.", "my number is [PHONE_1]."),
        ("UK: +44 20 7946 0958", "UK: [PHONE_1]"),
        ("write to sarah.jones+cars@example.co.uk please", "write to [EMAIL_1] please"),
        ("card 4111 1111 1111 1111 exp 12/27", "card [CARD_1] exp 12/27"),
        ("card 4111-1111-1111-1111", "card [CARD_1]"),
        ("Amex 378282246310005", "Amex [CARD_1]"),
        ("IBAN GB82 WEST 1234 5698 7654 32", "IBAN [ACCOUNT_1]"),
        ("IBAN DE89370400440532013000", "IBAN [ACCOUNT_1]"),
        ("account 12345678901234", "account [ACCOUNT_1]"),
        ("Sarah Jones asked Tom", "[NAME_1] [NAME_2] asked [NAME_3]"),
        ("Sarah's car", "[NAME_1]'s car"),
        # Russian
        ("Мой телефон +7 (912) 345-67-89", "Мой телефон [PHONE_1]"),
        ("звоните 8 912 345 67 89 после обеда", "звоните [PHONE_1] после обеда"),
        ("или 89123456789", "или [PHONE_1]"),
        ("почта anna.smirnova@mail.ru", "почта [EMAIL_1]"),
        ("карта 2200 7001 2345 6781", "карта [CARD_1]"),
        ("счёт 40817810099991234567", "счёт [ACCOUNT_1]"),
        ("счёт 40817 810 0 9999 1234567", "счёт [ACCOUNT_1]"),
        ("Анна, добрый день", "[NAME_1], добрый день"),
        ("у Анны вопрос", "у [NAME_1] вопрос"),
        ("передайте Анне", "передайте [NAME_1]"),
        ("позовите Анну", "позовите [NAME_1]"),
        ("с Анной Смирновой", "с [NAME_1] [NAME_2]"),
        ("Ивану Петрову перезвонить", "[NAME_1] [NAME_2] перезвонить"),
        ("Иваном", "[NAME_1]"),
    ],
)
def test_redact_table(text: str, expected: str) -> None:
    redacted, _ = redact(text, NAMES)
    assert redacted == expected


@pytest.mark.parametrize(
    "text",
    [
        "The price is 2 500 000 rubles",
        "Цена 1 990 000 ₽, платёж 25 000 в месяц",
        "Встреча 26.11.2026 в 14:30",
        "It costs $32,500 and the 2021 model has 45,000 miles",
        "card 4111 1111 1111 1112 fails Luhn but is long",  # becomes an account, see below
        "Anastasia and Annabel are other people",
        "Иванов и Иванова не наши клиенты",
        "Tomorrow at ten",
    ],
)
def test_what_is_not_personal_stays(text: str) -> None:
    redacted, redaction = redact(text, NAMES)
    if "Luhn" in text:
        assert "[ACCOUNT_1]" in redacted and "[CARD" not in redacted
    else:
        assert redacted == text, redaction.originals


def test_the_same_value_gets_the_same_placeholder() -> None:
    redaction = Redaction()
    first, _ = redact("Анна: +7 912 345 67 89", NAMES, redaction)
    second, _ = redact("Анне перезвонить на +7 912 345 67 89", NAMES, redaction)
    assert first == "[NAME_1]: [PHONE_1]"
    assert second == "[NAME_1] перезвонить на [PHONE_1]"


def test_restore_puts_the_name_as_given() -> None:
    redacted, redaction = redact("Позовите Анну к телефону", NAMES)
    assert restore("Скажите [NAME_1], что мы ждём её", redaction) == "Скажите Анна, что мы ждём её"
    assert restore(redacted, redaction) == "Позовите Анна к телефону"  # case is not kept


def test_unknown_placeholders_are_left_alone() -> None:
    _, redaction = redact("+7 912 345 67 89", [])
    assert restore("[PHONE_1] or [PHONE_9]", redaction) == "+7 912 345 67 89 or [PHONE_9]"


@pytest.mark.parametrize(
    ("digits", "kind"),
    [
        ("4111111111111111", "CARD"),
        ("40817810099991234567", "ACCOUNT"),
        ("+7 912 345 67 89", "PHONE"),
        ("555-0123", "PHONE"),
        ("2 500 000", None),
        ("2026", None),
    ],
)
def test_classify_digits(digits: str, kind: str | None) -> None:
    assert classify_digits(digits) == kind


def test_luhn() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")


# --- round trip -----------------------------------------------------------------------------
PII = st.sampled_from(
    [
        "+7 (912) 345-67-89",
        "8 912 345 67 89",
        "+1 415-555-0123",
        "anna.smirnova@mail.ru",
        "j.doe@example.com",
        "4111 1111 1111 1111",
        "2200700123456781",
        "40817810099991234567",
        "GB82 WEST 1234 5698 7654 32",
        "Анна",
        "Смирнова",
        "Иван",
        "Sarah",
        "Jones",
    ]
)
WORDS = st.sampled_from(
    [
        "звоните",
        "please call",
        "цена",
        "2 500 000",
        "ok",
        "позже",
        "at 14:30",
        "—",
        "и",
        "or",
        "26.11.2026",
    ]
)
TEXTS = st.lists(st.one_of(PII, WORDS), min_size=1, max_size=12).map(" ".join)


@given(TEXTS)
def test_round_trip(text: str) -> None:
    redacted, redaction = redact(text, NAMES)
    assert restore(redacted, redaction) == text
    for original in redaction.originals.values():
        assert original not in redacted


@given(TEXTS, st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=40))
def test_stream_restorer_matches_restore(text: str, cuts: list[int]) -> None:
    redacted, redaction = redact(text, NAMES)
    chunks, rest = [], redacted
    for size in cuts:
        if not rest:
            break
        chunks.append(rest[:size])
        rest = rest[size:]
    chunks.append(rest)
    restorer = StreamRestorer(redaction)
    out = "".join(restorer.feed(c) for c in chunks) + restorer.flush()
    assert out == text
