"""The learned turn-end opinion for speech without punctuation: the client's reply decides
whether the rep's turn asked. Tables in English and Russian, against the bundled model."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.analysis import turn_model
from coach.analysis.analyse import analyse
from coach.analysis.questions import find_questions
from coach.analysis.transcript import parse_text


def call(language: str, rep: str, client: str) -> str:
    closing = "okay" if language == "en" else "понятно"
    return f"# language: {language}\nRep: {rep}\nClient: {client}\nRep: {closing}\n"


# (language, rep turn without punctuation, client's reply, questions the rep's turn holds)
REPLIES = [
    ("en", "so you've had the van about three years now", "yeah three years in march", 1),
    ("en", "so you've had the van about three years now", "mm-hm", 0),
    ("en", "you mentioned the roof was done ten years ago", "yes about ten years", 1),
    ("en", "and the current system handles the night shift too", "no that's the problem", 1),
    ("en", "great i'll send the quote over tonight", "okay thanks", 0),
    ("ru", "и так каждый месяц приходится переплачивать", "ну да так и есть", 1),
    ("ru", "и так каждый месяц приходится переплачивать", "угу", 0),
    ("ru", "то есть машина нужна в первую очередь для работы", "нет в основном для семьи", 1),
    ("ru", "то есть машина нужна в первую очередь для работы", "понятно спасибо", 0),
    ("ru", "и дочка в этом году идёт в первый класс", "да снимаем двушку на юго-западе", 1),
    ("ru", "мы работаем с двенадцатью банками", "угу", 0),
]


@pytest.mark.parametrize(
    ("language", "rep", "client", "count"),
    REPLIES,
    ids=[f"{r[0]}-{r[1][:24]}-{r[2][:12]}" for r in REPLIES],
)
def test_the_reply_says_whether_the_turn_asked(
    language: str, rep: str, client: str, count: int
) -> None:
    analysis = analyse(parse_text(call(language, rep, client), "c.txt"))
    found = analysis.questions_in(0)
    assert len(found) == count, [q.text for q in found]
    if count:
        assert found[-1].end == len(rep)
        assert rep[found[-1].start : found[-1].end] == found[-1].text


@pytest.mark.parametrize(
    ("language", "rep", "client"),
    [
        ("en", "you've had the van about three years now.", "yeah three years in march"),
        ("ru", "И так каждый месяц приходится переплачивать.", "Ну да, так и есть."),
    ],
)
def test_punctuated_turns_are_left_to_the_rules(language: str, rep: str, client: str) -> None:
    """A full stop is the writer's own word that the turn did not ask."""
    analysis = analyse(parse_text(call(language, rep, client), "c.txt"))
    assert analysis.questions_in(0) == ()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_rules_classifier_does_not_consult_the_model(language: str) -> None:
    rep, client = REPLIES[0 if language == "en" else 5][1:3]
    transcript = parse_text(call(language, rep, client), "c.txt")
    assert analyse(transcript, classifier="rules").questions_in(0) == ()
    assert len(analyse(transcript).questions_in(0)) == 1


def test_features_read_the_turn_end_the_rules_and_the_reply() -> None:
    text = "so which plan are you on now"
    names = turn_model.features(text, "en", find_questions(text, "en"), "yeah the basic one")
    assert {
        "bias",
        "last:en:now",
        "last2:en:on_now",
        "rule_end:asr",
        "reply1:en:yeah",
        "reply2:en:yeah_the",
    } <= set(names)
    assert "reply:none" in turn_model.features(text, "en", [], None)


def test_replies_are_the_clients_next_line_only() -> None:
    transcript = parse_text("Rep: a\nRep: b\nClient: c\nRep: d\n", "c.txt")
    assert turn_model.replies(transcript) == [None, "c", None, None]


def test_training_is_deterministic_and_learns_the_examples() -> None:
    def names(reply: str) -> list[str]:
        return turn_model.features("you drive a van", "en", [], reply)

    examples = [(names("yes a transit"), True), (names("okay"), False)] * 4
    first, second = turn_model.train(examples), turn_model.train(examples)
    assert first == second
    assert first.probability(names("yes a transit")) > 0.5 > first.probability(names("okay"))


def test_bundled_model_round_trip_and_absence(tmp_path: Path) -> None:
    model = turn_model.load_model()
    assert model is not None and len(model.weights) > 500
    path = tmp_path / "m.json"
    turn_model.save(model, path)
    assert turn_model.load_model.__wrapped__(path) == model  # type: ignore[attr-defined]
    assert turn_model.load_model.__wrapped__(tmp_path / "absent.json") is None  # type: ignore[attr-defined]


def test_cross_validation_reports_rules_and_model_per_language() -> None:
    root = Path(__file__).resolve().parents[2]
    paths = sorted((root / "tests" / "data" / "labelled").glob("*.json"))[:4]
    result = turn_model.cross_validate(paths)
    assert {"rules:all", "model:all"} <= set(result)
    assert all(0.0 <= v <= 1.0 for v in result.values())


@pytest.mark.parametrize(
    ("language", "rep", "client"),
    [
        ("en", "so you've had the van about three years now", "Yeah, three years in March."),
        ("ru", "и так каждый месяц приходится переплачивать", "Ну да, так и есть."),
    ],
)
def test_a_line_without_punctuation_in_a_punctuated_call_is_left_alone(
    language: str, rep: str, client: str
) -> None:
    """Where the writer punctuates, a line without "?" did not ask, whatever the reply."""
    opening = "Hello, this is Anna." if language == "en" else "Здравствуйте, это Анна."
    text = (
        f"# language: {language}\nRep: {opening}\nClient: {client}\nRep: {rep}\n"
        f"Client: {client}\nRep: {opening}\n"
    )
    transcript = parse_text(text, "c.txt")
    assert not turn_model.written_without_punctuation(transcript)
    assert analyse(transcript).questions_in(2) == ()


# the reply answers the rules' question, which the turn ran on from: one question to the
# end of the turn, not a second one made of its last words; but words that open a
# question of their own after it ("…aren't you | did you get…") stay a question of their own
RUNS_ON = [
    (
        "ru",
        "а михаил успевает по ним по всем в суд подавать или часть так и висит",
        "да какое там успевает он в месяц подаёт штук три",
        ["а михаил успевает по ним по всем в суд подавать или часть так и висит"],
    ),
    (
        "ru",
        "а бывает такое что приказ есть у приставов лежит а денег всё равно нет",
        "постоянно лежит исполнительное и тишина",
        ["а бывает такое что приказ есть у приставов лежит а денег всё равно нет"],
    ),
    (
        "en",
        "so you're in leeds aren't you did you get any of the snow",
        "a bit yeah",
        ["so you're in leeds aren't you", "did you get any of the snow"],
    ),
]


@pytest.mark.parametrize(
    ("language", "rep", "client", "questions"), RUNS_ON, ids=[r[1][:30] for r in RUNS_ON]
)
def test_a_question_the_turn_runs_on_from_takes_the_rest_of_the_turn(
    language: str, rep: str, client: str, questions: list[str]
) -> None:
    analysis = analyse(parse_text(call(language, rep, client), "c.txt"))
    assert [q.text for q in analysis.questions_in(0)] == questions
