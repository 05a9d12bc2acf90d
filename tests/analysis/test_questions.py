"""Question finding and labelling, by tables in English and Russian, with and without "?"."""

from __future__ import annotations

import pytest

from coach.analysis.evaluate import asr_form
from coach.analysis.questions import (
    _TOKEN,
    Question,
    ScriptQuestion,
    Token,
    carries_on,
    extended_to_end,
    find_questions,
    tokenize,
    turn_end_question,
)
from coach.lexicon import normalise
from coach.scripts.model import QuestionForm, Spin
from tests.test_text import tricky_texts

O, C = QuestionForm.open, QuestionForm.closed
S, P, I, N = Spin.situation, Spin.problem, Spin.implication, Spin.need_payoff

# (language, utterance, expected questions as (text fragment, form, spin))
PUNCTUATED = [
    ("en", "What are you driving at the moment?", [("What are you driving", O, S)]),
    ("en", "Do you own the house, or are you renting?", [("Do you own", C, S)]),
    ("en", "So tell me a bit about your team.", [("tell me a bit", O, S)]),
    ("en", "I wonder what happens if the crack keeps spreading.", [("I wonder what", O, I)]),
    ("en", "How much would it help if you knew the rate upfront?", [("How much would it", O, N)]),
    ("en", "What worries you most about financing?", [("What worries", O, P)]),
    ("en", "Every missed payment shows up on your file, right?", [("shows up on your file", C, I)]),
    ("en", "Would Thursday or Saturday work better for you?", [("Thursday or Saturday", C, None)]),
    (
        "en",
        "Hi, is this Daniel? Have you got a couple of minutes?",
        [("is this Daniel", C, None), ("couple of minutes", C, None)],
    ),
    ("en", "Can I ask how your credit looks at the moment?", [("how your credit", O, S)]),
    ("en", "Which one suits?", [("Which one", C, None)]),
    ("en", "We have six lenders. Our fee is zero.", []),
    ("en", "Who doesn't want a new truck, right? It tows everything.", []),
    ("ru", "На чём вы сейчас ездите?", [("На чём", O, S)]),
    ("ru", "Покупку рассматриваете в кредит или за наличные?", [("в кредит или", C, S)]),
    (
        "ru",
        "Расскажите, что вас больше всего не устраивает в нынешней квартире?",
        [("Расскажите", O, P)],
    ),
    ("ru", "Удобно ли вам сейчас говорить?", [("Удобно ли", C, None)]),
    # asking for a piece of the client's data is open; a yes/no after "скажите" is not
    ("ru", "Подскажите, пожалуйста, вашу почту.", [("Подскажите", O, None)]),
    ("ru", "Почту подскажете?", [("Почту", O, None)]),
    ("ru", "Скажите, вы сейчас арендуете?", [("арендуете", C, S)]),
    ("en", "Can I take your surname and email for the booking?", [("surname", O, None)]),
    ("en", "Can you tell me if you're free on Friday?", [("free on Friday", C, None)]),
    ("ru", "А если ставки вырастут, что будет с платежом?", [("что будет", O, I)]),
    ("ru", "Насколько это упростило бы вам жизнь?", [("упростило бы", O, N)]),
    ("ru", "Каждая заявка ведь остаётся в кредитной истории, так?", [("Каждая заявка", C, I)]),
    ("en", "What would that end up costing you over a year?", [("costing you", O, I)]),
    ("ru", "Во что вам это обойдётся за год?", [("обойдётся", O, I)]),
    ("en", "How did that affect the meeting with the client?", [("affect", O, I)]),
    ("ru", "Как это отразилось на встрече с клиентом?", [("отразилось", O, I)]),
    ("en", "What's bothering you most about the cleaning?", [("bothering", O, P)]),
    ("ru", "Что вас больше всего напрягает в уборке?", [("напрягает", O, P)]),
    ("ru", "Мы работаем с двенадцатью банками. Уточните обязательно.", []),
    ("ru", "Ну смотрите, разве лучше получить ещё три отказа?", []),
    ("ru", "Всё ли вас устроило в прошлый раз?", [("устроило", C, P)]),
    ("ru", "Бывало, что нужную копию не могли найти?", [("Бывало", C, P)]),
    ("ru", "А у вас бывает такое, что посылки приходят мятые?", [("бывает такое", C, P)]),
    # a proposal asks yes or no, whatever it embeds
    ("ru", "Давайте я к вам подъеду, покажу, как это работает?", [("Давайте", C, None)]),
    ("en", "Shall I check which dates we've got for your road?", [("Shall I", C, None)]),
    # a tag after a comma asks yes/no, whatever question word the statement holds
    ("ru", "То есть где машина — видно было, а по топливу — ничего, так?", [("То есть", C, None)]),
    ("en", "And that's when the deals get lost, right?", [("that's when", C, I)]),
    # English: a question word after a lead-in clause asks
    (
        "en",
        "Just so I'm not wasting your time, how many people are on your sales team right now?",
        [("how many people", O, S)],
    ),
    # "which"/"какой" asks for information unless it picks from a set ("which one")
    ("en", "Which building is it?", [("Which building", O, S)]),
    ("ru", "Этаж у вас какой?", [("Этаж", O, S)]),
    ("ru", "Какой из них вам ближе?", [("Какой из них", C, S)]),
    # "что" after "тот же" relates, it does not ask
    ("ru", "Почта та же, что в заявке?", [("Почта", C, None)]),
    # a short "which is better" question picks one of the options offered before it
    ("ru", "Как вам удобнее?", [("Как вам", C, None)]),
    ("en", "What works better?", [("What works", C, S)]),
    # a question word set off by a comma or dash is a filler: the question is yes/no
    ("ru", "Как, укладываетесь по срокам?", [("укладываетесь", C, S)]),
    ("ru", "Сейчас вы туда как — на машине, на метро?", [("на машине", C, S)]),
    ("en", "What, you don't use a CRM at all?", [("a CRM", C, S)]),
    ("ru", "У вас часто свет отключают?", [("отключают", C, P)]),
    ("en", "Would you say it's getting worse over time?", [("getting worse", C, P)]),
    ("en", "Does that kind of thing happen often?", [("happen often", C, P)]),
    ("en", "What are you hoping to improve?", [("improve", O, P)]),
    ("ru", "Насколько вас вообще устраивает нынешний график?", [("устраивает", O, P)]),
    ("ru", "Бухгалтер справляется или уже на пределе?", [("справляется", C, P)]),
    ("en", "Does the noise cause any friction at home?", [("friction", C, P)]),
    ("en", "What's been bugging you about the current setup?", [("bugging", O, P)]),
    # a written "." sentence: a question word first is a statement, a request or an
    # auxiliary first still asks
    ("ru", "Смотрите, что мы можем предложить. Своя оптика в здании.", []),
    ("ru", "Так что разница не такая большая, как кажется.", []),
    ("en", "What I'd suggest is a quick visit next week.", []),
    ("en", "How it works is simple: we measure, then we quote.", []),
    ("en", "Tell me what you use at the moment.", [("Tell me what", O, S)]),
    ("ru", "Есть ли у вас сейчас поставщик.", [("Есть ли", C, S)]),
    # rhetorical questions ask nothing of the client
    ("ru", "Кто же откажется от такой цены? Это лучшее предложение.", []),
    ("ru", "Зачем вам переплачивать банку каждый месяц?", []),
    ("ru", "Где вы ещё такой закат увидите?", []),
    ("en", "Why settle for one teacher when you can have a whole school?", []),
    ("en", "What's the point of an alarm nobody responds to?", []),
]


@pytest.mark.parametrize(
    ("language", "utterance", "expected"),
    PUNCTUATED,
    ids=[f"{row[0]}-{row[1][:30]}" for row in PUNCTUATED],
)
def test_punctuated(
    language: str, utterance: str, expected: list[tuple[str, QuestionForm, Spin | None]]
) -> None:
    found = find_questions(utterance, language)
    assert [(q.form, q.spin) for q in found] == [(f, s) for _, f, s in expected], found
    for question, (fragment, _, _) in zip(found, expected, strict=True):
        assert fragment in question.text
        assert utterance[question.start : question.end].strip() == question.text


# Speech recognition output: lowercase, no punctuation at all.
UNPUNCTUATED = [
    ("en", "great so what are you driving now", 1),
    ("en", "okay that's a solid start can i ask how your credit looks at the moment", 1),
    ("en", "thanks that really helps what worries you most about financing", 1),
    ("en", "we work with six lenders and we start with a soft check", 0),
    ("en", "perfect would thursday or saturday work better for you", 1),
    ("en", "i hear you what time does your workday usually start", 1),
    ("en", "so what happens then every declined application shows up on your file right", 2),
    ("ru", "понял солярис планируете сдавать в трейд-ин или сами будете продавать", 1),
    ("ru", "понимаю а сейчас кроме джолиона что ещё рассматриваете", 1),
    ("ru", "отлично я смотрю заявку вы вечером оставили не спится машину выбираете", 1),
    ("ru", "добрый день это марина стоматология улыбка удобно сейчас говорить", 1),
    ("ru", "мы работаем с двенадцатью банками и подаём заявку адресно", 0),
    ("ru", "спасибо вам анна до воскресенья хорошего вечера", 0),
    # a question word at the very end of a turn asks; "что" there is a conjunction
    ("en", "we can fit the survey in on tuesday or friday morning so when works", 1),
    ("ru", "есть окна в среду и в пятницу какой удобнее", 1),
    ("ru", "я пришлю вам всё что нужно", 0),
    # a short turn opened by "а" asks, unless it is about us
    ("ru", "а спина давно беспокоит", 1),
    ("ru", "а я вам всё пришлю на почту", 0),
    # a question word joined by "and" goes on asking the same question
    ("ru", "а по каким дням у неё тренировки и во сколько заканчиваются", 1),
    ("en", "what days does she train and at what time does it finish", 1),
    # a condition addressed to the client is not a question: "если что, звоните"
    ("ru", "хорошо тогда если что звоните", 0),
    ("ru", "если в отпуск уезжаете", 0),
    # a choice put to the client after talk about someone else; "как лучше" ending a turn
    ("ru", "она сама попробует это же и её дорожка вам удобнее в субботу или в воскресенье", 1),
    ("ru", "в среду могу предложить в четырнадцать или в шестнадцать часов как лучше", 1),
    # "а если …" keeps the condition with the question «а» opens
    ("ru", "угу а если поставка сорвётся что это будет значить для магазина", 1),
    # the permission question at the end of a long opening
    (
        "ru",
        "добрый день это ольга компания светлый дом вы оставляли у нас заявку на окна "
        "и я звоню уточнить детали удобно сейчас пару минут поговорить",
        1,
    ),
    # a greeting, then the client's name, checks who answered; the name first only greets
    ("ru", "алло сергей петрович здравствуйте страховая компания гарант-полис меня зовут", 1),
    ("ru", "добрый день марина сергеевна", 1),
    ("ru", "елена здравствуйте это алина языковая школа полиглот", 0),
    ("ru", "алло добрый день меня зовут денис компания солнцедом", 0),
    # a wh-phrase and its inverted auxiliary are one question; an aside closes one
    ("en", "how many people do you have on payroll right now", 1),
    ("en", "got it what kind of dog have you got", 1),
    ("en", "where does the planning tend to fall down would you say", 1),
    ("en", "what is your budget is it fixed", 2),
    ("ru", "а сколько человек у вас в отделе как думаете", 1),
    # permission to go on, at the end of an opening
    ("ru", "звоню узнать как у вас устроена доставка две минуты найдётся", 1),
    ("ru", "вы оставляли заявку на грузовик можете сейчас говорить", 1),
    ("ru", "звонок рекламный и записывается вы не против если я продолжу", 1),
    # English checks by asking ("is this…"), so a name after "hi" only greets
    ("en", "hi sarah this is tom from ledgerly", 0),
    ("en", "hi is this daniel this is megan from riverside motors", 1),
]


@pytest.mark.parametrize(
    ("language", "utterance", "count"),
    UNPUNCTUATED,
    ids=[f"{row[0]}-{row[1][:30]}" for row in UNPUNCTUATED],
)
def test_without_punctuation(language: str, utterance: str, count: int) -> None:
    found = find_questions(utterance, language)
    assert len(found) == count, [q.text for q in found]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "So how are you paying at the moment, monthly or annually?"),
        ("ru", "А покупку как рассматриваете — в кредит или за наличные?"),
    ],
)
def test_the_same_question_is_found_without_punctuation(language: str, text: str) -> None:
    plain, _ = asr_form(text)
    assert len(find_questions(text, language)) == 1
    assert len(find_questions(plain, language)) == 1


def test_script_question_lends_its_labels() -> None:
    script = [ScriptQuestion("How would a bigger boot help you?", O, N)]
    [question] = find_questions("so how would a bigger boot help you", "en", script)
    assert (question.form, question.spin, question.from_script) == (O, N, True)


def test_script_question_found_even_without_any_cue() -> None:
    script = [ScriptQuestion("Машину для семьи выбираете?", C, S)]
    found = find_questions("хорошо машину для семьи выбираете спасибо", "ru", script)
    assert any(q.from_script and q.spin is S for q in found)


@pytest.mark.parametrize(
    ("language", "text", "spin"),
    [
        ("et", "Mis teid praegu kõige rohkem häirib?", P),
        ("et", "Kas teil on paar minutit?", None),
        ("no", "Hva skjer hvis dere ikke gjør noe?", I),
        ("no", "Passer det med torsdag?", None),
    ],
)
def test_estonian_and_norwegian_basics(language: str, text: str, spin: Spin | None) -> None:
    [question] = find_questions(text, language)
    assert question.spin is spin


@pytest.mark.parametrize(
    ("language", "turn", "expected"),
    [
        ("ru", "у нас группа по вторникам тогда вторник и четверг у неё свободны", "вторник"),
        ("ru", "мы всё привезём а собирать кто у вас будет", "кто"),
        ("en", "we have two options and the second one is cheaper so thursday works", "the"),
        ("en", "right so which of the two would suit you", "which"),
    ],
)
def test_the_end_of_a_turn_as_a_question(language: str, turn: str, expected: str) -> None:
    """When the reply shows a turn asked, its last clause (at most 8 words) is the question."""
    question = turn_end_question(turn, language, "reply")
    assert question is not None
    assert question.text.split()[0] == expected
    assert question.end == len(turn)
    assert turn[question.start : question.end] == question.text


def test_the_end_of_a_turn_starts_after_a_question_already_found() -> None:
    turn = "what do you drive now and is it paid off"
    question = turn_end_question(turn, "en", "reply", after=turn.index("now") + 3)
    assert question is not None and question.text == "is it paid off"


@pytest.mark.parametrize(
    ("language", "turn", "question", "goes_on"),
    [
        ("ru", "уложимся как вам вебинар кстати", "как вам вебинар", True),
        ("ru", "а что бы вам дало если бы можно было бегать дома", "а что бы вам дало", True),
        ("ru", "как вам вебинар мы пришлём запись на почту", "как вам вебинар", False),
        (
            "en",
            "what would it change if the invoices came in on time",
            "what would it change",
            True,
        ),
        (
            "en",
            "what do you drive now we have a great offer on vans",
            "what do you drive now",
            False,
        ),
    ],
)
def test_the_rest_of_a_turn_carries_on_its_question(
    language: str, turn: str, question: str, goes_on: bool
) -> None:
    start = turn.index(question)
    found = Question(question, start, start + len(question), O, None, ("asr",))
    assert carries_on(turn, language, found) is goes_on
    longer = extended_to_end(turn, language, found)
    assert (longer.start, longer.end, longer.text) == (start, len(turn), turn[start:])


@pytest.mark.parametrize(
    ("language", "run", "expected"),
    [
        (
            "en",
            "so a few hours a week adds up pretty fast doesn't it and with the missed calls "
            "has anyone gone elsewhere",
            ["a few hours a week adds up pretty fast doesn't it", "has anyone gone elsewhere"],
        ),
        (
            "ru",
            "ну и по деньгам это выходит дешевле не так ли а сколько вы сейчас платите",
            ["это выходит дешевле не так ли", "сколько вы сейчас платите"],
        ),
    ],
)
def test_a_tag_inside_a_run_closes_the_statement_before_it(
    language: str, run: str, expected: list[str]
) -> None:
    """Without punctuation, "…doesn't it" in the middle of a turn is the end of a tag
    question, not the start of one that runs on into the next sentence."""
    found = [q.text for q in find_questions(run, language)]
    assert len(found) == len(expected)
    for text, part in zip(found, expected, strict=True):
        assert part in text and "and with" not in text


def _tokens_by_pattern(text: str) -> list[Token]:
    """What tokenize gives, read straight off the token pattern (its slow, plain form)."""
    lowered = normalise(text)
    if len(lowered) != len(text):
        return [Token(normalise(m.group()), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    return [Token(lowered[m.start() : m.end()], m.start(), m.end()) for m in _TOKEN.finditer(text)]


@pytest.mark.parametrize(
    "text",
    [
        "So, how's the e-mail set-up going — isn't it O'Brien’s?",
        "Как дела с Ёлкой? Т.е. вы уже по-новому работаете, да",
        "don`t ask: İstanbul ﬁne 2.5% 24/7 x_y",
        "word word word, word",
        "",
    ],
)
def test_tokens_are_placed_where_the_token_pattern_finds_them(text: str) -> None:
    assert list(tokenize(text)) == _tokens_by_pattern(text)


def test_tokens_are_placed_where_the_token_pattern_finds_them_on_random_text() -> None:
    for text in tricky_texts(3):
        assert list(tokenize(text)) == _tokens_by_pattern(text), repr(text)
