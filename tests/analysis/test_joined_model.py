"""The learned opinion on two questions found side by side in speech without punctuation:
one question the rules split at a second opening is one again, written calls, lines of the
script and questions far apart are left alone. English and Russian, against the bundled
model and against models that always or never join."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.analysis import joined_model
from coach.analysis.analyse import analyse
from coach.analysis.evaluate import GoldQuestion
from coach.analysis.questions import Question
from coach.analysis.transcript import parse_text
from coach.analysis.turn_model import SpokenCall
from coach.scripts.model import QuestionForm, Spin
from tests.analysis.test_spoken_model import call  # the same four-turn call

# (language, one question that runs through two clauses, without punctuation; the answer)
RUN_ON = [
    ("en", "tell me a bit about the plant what kind of lines are you running over there", "juice"),
    ("en", "so how many shops have you got and roughly how much coffee goes through", "two"),
    ("ru", "расскажите как у вас сейчас устроена доставка кто этим занимается", "сами возим"),
    ("ru", "расскажите как вы сейчас ищете клиентов где берёте заявки", "авито в основном"),
]


@pytest.mark.parametrize(("language", "rep", "client"), RUN_ON, ids=[r[1][:28] for r in RUN_ON])
def test_one_question_the_rules_split_is_one_again(language: str, rep: str, client: str) -> None:
    transcript = parse_text(call(language, rep, client), "c.txt")
    rules = analyse(transcript, classifier="rules").questions_in(0)
    assert len(rules) == 2  # the rules start a second question at the second opening
    (question,) = analyse(transcript).questions_in(0)
    assert (question.start, question.end) == (rules[0].start, rules[1].end)
    assert question.evidence[0] == rules[0].evidence[0]
    assert question.evidence[-1] == joined_model.JOINED


def always() -> joined_model.JoinedModel:
    return joined_model.train([(["bias"], True)] * 20)


def never() -> joined_model.JoinedModel:
    return joined_model.train([(["bias"], False)] * 20)


def asked(text: str, phrase: str, *evidence: str, from_script: bool = False) -> Question:
    start = text.index(phrase)
    return Question(
        phrase,
        start,
        start + len(phrase),
        QuestionForm.open,
        Spin.situation,
        evidence or ("asr",),
        from_script=from_script,
    )


SPOKEN = "tell me about the plant what lines do you run"


def spoken_call(rep: str = SPOKEN) -> tuple:
    transcript = parse_text(call("en", rep, "juice mostly"), "c.txt")
    return transcript, transcript.utterances[0].text


def test_the_model_decides_and_the_joined_question_spans_both() -> None:
    transcript, text = spoken_call()
    pair = (asked(text, "tell me about the plant"), asked(text, "what lines do you run"))
    questions = (pair, (), (), ())
    assert joined_model.revise(transcript, questions, never()) == questions
    ((one,), *rest) = joined_model.revise(transcript, questions, always())
    assert rest == [(), (), ()]
    assert one.text == text and (one.start, one.end) == (0, len(text))
    assert one.evidence[0] == "asr" and one.evidence[-1] == joined_model.JOINED
    assert one.form is QuestionForm.open  # labelled again over all its words


def test_written_calls_script_lines_and_questions_far_apart_stay_two() -> None:
    written = parse_text(
        call("en", "Tell me about the plant. What lines do you run?", "Juice."), "c"
    )
    text = written.utterances[0].text
    pair = (asked(text, "Tell me about the plant"), asked(text, "What lines do you run"))
    assert joined_model.revise(written, (pair, (), (), ()), always()) == (pair, (), (), ())

    transcript, text = spoken_call()
    script = (
        asked(text, "tell me about the plant", "script", from_script=True),
        asked(text, "what lines do you run"),
    )
    assert joined_model.revise(transcript, (script, (), (), ()), always())[0] == script

    far = "how big is the plant we make labels for bottlers like you what lines do you run"
    transcript, text = spoken_call(far)
    apart = (asked(text, "how big is the plant"), asked(text, "what lines do you run"))
    assert joined_model.revise(transcript, (apart, (), (), ()), always())[0] == apart


def test_a_join_keeps_the_turn_models_mark() -> None:
    _, text = spoken_call()
    first = asked(text, "tell me about the plant")
    second = asked(text, "what lines do you run", "reply", "model")
    one = joined_model.joined(text, "en", first, second)
    assert joined_model.LEARNED in one.evidence  # the spoken model leaves it alone


@pytest.mark.parametrize(
    ("language", "text", "first", "second", "classes"),
    [
        ("en", SPOKEN, "tell me about the plant", "what lines do you run", "classes:word_wh"),
        ("en", "is it email or is it text", "is it email", "or is it text", "classes:aux_choice"),
        (
            "ru",
            "а сколько у вас машин кто их возит",
            "а сколько у вас машин",
            "кто их возит",
            "classes:marker_wh",
        ),
        ("ru", "вы на месте или в офисе", "вы на месте", "или в офисе", "classes:word_choice"),
    ],
)
def test_features_read_word_classes_lengths_and_how_each_was_found(
    language: str, text: str, first: str, second: str, classes: str
) -> None:
    names = joined_model.features(
        text, asked(text, first), asked(text, second, "tag"), language, last=True
    )
    assert classes in names
    assert "how:asr_tag" in names and "gap:0" in names and "last:True" in names
    assert f"words2:{len(second.split())}" in names


def test_pairs_are_labelled_one_when_a_single_gold_question_covers_both() -> None:
    transcript, text = spoken_call()
    first, second = asked(text, "tell me about the plant"), asked(text, "what lines do you run")
    found = [(first, second), (), (), ()]

    def labels(*gold: tuple[int, int]) -> list[bool]:
        wanted = tuple(GoldQuestion(a, b, "open", "situation") for a, b in gold)
        spoken = SpokenCall(Path("c.json"), transcript, [wanted, (), (), ()], found)
        return [one for _, one in joined_model.pair_examples(spoken, found)]

    assert labels((0, len(text))) == [True]
    assert labels((first.start, first.end), (second.start, second.end)) == [False]
    assert labels((second.start, second.end)) == [False]


def test_training_is_deterministic_and_the_bundled_model_round_trips(tmp_path: Path) -> None:
    examples = [(["bias", "len2:0"], True), (["bias", "len2:5"], False)] * 5
    assert joined_model.train(examples) == joined_model.train(examples)
    model = joined_model.load_model()
    assert model is not None and len(model.weights) > 50
    joined_model.save(model, tmp_path / "m.json")
    assert joined_model.load_model.__wrapped__(tmp_path / "m.json") == model  # type: ignore[attr-defined]
    assert joined_model.load_model.__wrapped__(tmp_path / "absent.json") is None  # type: ignore[attr-defined]
