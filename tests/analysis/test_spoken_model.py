"""The learned opinion on questions found in speech without punctuation: openings the rules
took for questions in a statement are dropped, real questions stay, written calls and the
turn model's own questions are left alone. English and Russian, against the bundled model."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.analysis import spoken_model
from coach.analysis.analyse import analyse
from coach.analysis.questions import Question
from coach.analysis.transcript import parse_text
from coach.scripts.model import QuestionForm, Spin


def call(language: str, rep: str, client: str) -> str:
    closing = "okay" if language == "en" else "понятно"
    return (
        f"# language: {language}\nRep: {rep}\nClient: {client}\nRep: {closing}\nClient: {closing}\n"
    )


def test_a_statement_opened_like_a_question_is_dropped() -> None:
    rep = "да смотрите а чем старше машина тем выше риск понимаете поэтому мы и советуем каско"
    transcript = parse_text(call("ru", rep, "угу"), "c.txt")
    rules = analyse(transcript, classifier="rules").questions_in(0)
    assert [q.evidence[0] for q in rules] == ["a-question"]  # the rules take it for one
    assert analyse(transcript).questions_in(0) == ()


# (language, a rep turn of real questions without punctuation, the client's answer)
ASKED = [
    ("en", "and how many people use the system every day", "about forty"),
    ("en", "which is the bigger problem for you the price or the delays", "the delays"),
    ("ru", "а сколько человек у вас в офисе", "человек сорок"),
    ("ru", "что вам важнее цена или сроки", "сроки конечно"),
]


@pytest.mark.parametrize(("language", "rep", "client"), ASKED, ids=[a[1][:24] for a in ASKED])
def test_real_questions_stay(language: str, rep: str, client: str) -> None:
    transcript = parse_text(call(language, rep, client), "c.txt")
    rules = analyse(transcript, classifier="rules").questions_in(0)
    assert rules
    assert [q.text for q in analyse(transcript).questions_in(0)] == [q.text for q in rules]


def doubting() -> spoken_model.SpokenModel:
    """A model that doubts every question."""
    return spoken_model.train([(["bias"], False)] * 20)


def test_written_calls_and_the_turn_models_questions_are_left_alone() -> None:
    written = parse_text(call("en", "So how many people use it?", "About forty."), "c.txt")
    found = analyse(written, classifier="rules").questions
    kinds: list[list] = [[] for _ in written.utterances]
    assert spoken_model.revise(written, found, kinds, doubting()) == found

    spoken = parse_text(call("en", "so you have about forty people", "yes forty"), "c.txt")
    text = spoken.utterances[0].text
    added = Question(text, 0, len(text), QuestionForm.closed, Spin.situation, ("reply", "model"))
    rules_own = Question(text, 0, len(text), QuestionForm.closed, Spin.situation, ("asr",))
    questions = ((added, rules_own), (), (), ())
    assert spoken_model.revise(spoken, questions, kinds, doubting()) == ((added,), (), (), ())


def test_features_add_how_the_rules_found_it() -> None:
    question = Question("how many people", 4, 19, QuestionForm.open, Spin.situation, ("asr",))
    names = spoken_model.features("and how many people use it", question, "en", [], "forty")
    assert "found:asr" in names and "first:en:how" in names and "after:statement:0" in names


def test_training_is_deterministic_and_the_bundled_model_round_trips(tmp_path: Path) -> None:
    examples = [(["bias", "found:a-question"], False), (["bias", "found:asr"], True)] * 5
    assert spoken_model.train(examples) == spoken_model.train(examples)
    model = spoken_model.load_model()
    assert model is not None and len(model.weights) > 1000
    spoken_model.save(model, tmp_path / "m.json")
    assert spoken_model.load_model.__wrapped__(tmp_path / "m.json") == model  # type: ignore[attr-defined]
    assert spoken_model.load_model.__wrapped__(tmp_path / "absent.json") is None  # type: ignore[attr-defined]
