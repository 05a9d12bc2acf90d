"""The learned SPIN second opinion: reproducible training, a loadable model, a real effect."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.analysis import spin_model
from coach.analysis.analyse import analyse
from coach.analysis.questions import Question
from coach.analysis.transcript import load_transcript, parse_text
from coach.scripts.model import QuestionForm, Spin, StageKind

ROOT = Path(__file__).resolve().parents[2]


def question(text: str, spin: Spin | None = Spin.situation) -> Question:
    return Question(text, 0, len(text), QuestionForm.open, spin, ("?", "default:situation"))


def test_features_describe_words_rules_stage_and_place() -> None:
    names = spin_model.features(question("What bothers you?"), "en", [StageKind.problem], 0.5)
    assert {
        "w:en:bothers",
        "b:en:what_bothers",
        "rule:situation",
        "ev:default",
        "form:open",
        "stage:problem",
        "pos:1",
    } <= set(names)


def test_around_reads_the_rules_labels_of_two_questions_either_side() -> None:
    labels = [Spin.situation, None, Spin.problem, Spin.implication]
    context = spin_model.around([question("Q?", spin) for spin in labels])
    assert context[0] == ("start", "start", "none", "problem")
    assert context[2] == ("situation", "none", "implication", "end")
    assert context[3] == ("none", "problem", "end", "end")
    assert spin_model.around([]) == []


def test_the_same_words_take_their_type_from_the_questions_around_them() -> None:
    """ "How often does that happen?" among problem questions asks about the problem; among
    situation questions it asks about the situation."""
    ask = question("How often does that happen?")
    among_problems = ("situation", "problem", "problem", "implication")
    among_facts = ("situation", "situation", "situation", "none")
    examples = [
        (spin_model.features(ask, "en", [], 0.4, among_problems), "problem"),
        (spin_model.features(ask, "en", [], 0.4, among_facts), "situation"),
    ] * 5
    model = spin_model.train(examples)
    assert "around2:problem" in examples[0][0]
    assert model.predict(spin_model.features(ask, "en", [], 0.4, among_problems)) is Spin.problem
    assert model.predict(spin_model.features(ask, "en", [], 0.4, among_facts)) is Spin.situation


def test_training_is_deterministic_and_learns_the_examples() -> None:
    examples = [
        (spin_model.features(question("What happens if it breaks?"), "en", [], 0.4), "implication"),
        (spin_model.features(question("What car do you drive?"), "en", [], 0.2), "situation"),
        (spin_model.features(question("Can you come on Friday?"), "en", [], 0.9), "none"),
    ] * 3
    first, second = spin_model.train(examples), spin_model.train(examples)
    assert first == second
    assert first.predict(examples[0][0]) is Spin.implication
    assert first.predict(examples[2][0]) is None


def test_bundled_model_loads_and_saves_round_trip(tmp_path: Path) -> None:
    model = spin_model.load_model()
    assert model is not None and len(model.weights) > 1000
    path = tmp_path / "m.json"
    spin_model.save(model, path)
    assert spin_model.load_model.__wrapped__(path) == model  # type: ignore[attr-defined]


def test_without_a_model_file_the_rules_decide(tmp_path: Path) -> None:
    assert spin_model.load_model.__wrapped__(tmp_path / "absent.json") is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("classifier", ["rules", "hybrid"])
def test_both_classifiers_run(classifier: str) -> None:
    call = parse_text("Rep: What bothers you most about it?\nClient: The noise.", "c.txt")
    analysis = analyse(call, classifier=classifier)
    assert analysis.questions_in(0)[0].spin is Spin.problem


def test_unknown_classifier_is_refused() -> None:
    with pytest.raises(ValueError, match="classifier"):
        analyse(parse_text("Rep: Hi?\nClient: Hi.", "c.txt"), classifier="magic")


def test_rows_are_the_rows_of_the_named_features() -> None:
    """The hot path finds a question's weight rows without building its word features'
    names; they must be exactly the rows of ``features(…)``, known and unknown alike."""
    model = spin_model.load_model()
    assert model is not None
    blank = len(model._index)
    calls = sorted((ROOT / "tests" / "data" / "labelled").glob("*.json"))
    calls += sorted((ROOT / "tests" / "data" / "train").glob("*.json"))[:40]
    checked = 0
    for path in calls:
        transcript = load_transcript(path)
        analysis = analyse(transcript, classifier="rules")
        asked = [q for found in analysis.questions for q in found]
        for q, neighbours in zip(asked, spin_model.around(asked), strict=True):
            every = list(StageKind)
            kinds = every[checked % len(every) :][: checked % 3]
            place = (checked % 11) / 10.5
            odd = (*neighbours[:-1], "unheard") if checked % 5 == 0 else neighbours
            for around in (neighbours, odd):
                names = spin_model.features(q, transcript.language, kinds, place, around)
                expected = [model._index.get(n, blank) for n in names]
                assert model.rows(q, transcript.language, kinds, place, around) == expected
            checked += 1
    assert checked > 500
    rows = [model.rows(question("What bothers you about it?"), "en", [], 0.5)]
    names = [spin_model.features(question("What bothers you about it?"), "en", [], 0.5)]
    assert model.predict_rows(rows) == model.predict_all(names)
