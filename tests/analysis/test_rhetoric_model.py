"""The learned opinion on rhetorical questions: a question the rep makes a point with inside
a pitch is not counted as asked; questions the client is meant to answer stay. Tables in
English and Russian, against the bundled model."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.analysis import rhetoric_model
from coach.analysis.analyse import analyse
from coach.analysis.questions import Question
from coach.analysis.transcript import parse_text
from coach.scripts.model import QuestionForm, Spin, StageKind

PITCH = {
    "en": (
        "So here's what we do. We pick up from your warehouse every evening and deliver next "
        "morning across the city, with live tracking for your customers. {point} And every "
        "driver is insured, so breakages are on us. Could we set up a two-week trial?"
    ),
    "ru": (
        "Смотрите, как мы работаем. Забираем заказы со склада каждый вечер, утром доставляем по "
        "городу, клиент видит курьера на карте. {point} У нас доставка в срок по договору, а за "
        "опоздание мы платим штраф. Давайте попробуем две недели бесплатно?"
    ),
}
REPLY = {"en": "Maybe, what would it cost?", "ru": "Можно попробовать."}
ASK = {"en": "Could we set up a two-week trial?", "ru": "Давайте попробуем две недели бесплатно?"}


def call(language: str, rep: str, reply: str) -> str:
    closing = "Great." if language == "en" else "Отлично."
    return f"# language: {language}\nRep: {rep}\nClient: {reply}\nRep: {closing}\n"


# (language, a question the rep makes a point with, mid-pitch)
POINTS = [
    ("en", "Why pay a courier per parcel when you can have a flat monthly rate?"),
    ("en", "Why would you wait three days when you could have it tomorrow?"),
    ("en", "Where else will you find a rate like that?"),
    ("ru", "Кто сейчас будет терпеть опоздания?"),
    ("ru", "Зачем платить за каждую посылку, если можно платить фиксированно?"),
    ("ru", "Зачем ждать три дня, если можно получить завтра?"),
]


@pytest.mark.parametrize(("language", "point"), POINTS, ids=[p[1][:30] for p in POINTS])
def test_a_point_made_inside_a_pitch_is_not_counted_as_asked(language: str, point: str) -> None:
    transcript = parse_text(
        call(language, PITCH[language].format(point=point), REPLY[language]), "c"
    )
    rules = analyse(transcript, classifier="rules").questions_in(0)
    hybrid = analyse(transcript).questions_in(0)
    assert [q.text for q in rules] == [point, ASK[language]]  # the rules count it
    assert [q.text for q in hybrid] == [ASK[language]]  # the model does not


# (language, a rep turn of real questions, the client's answer)
ASKED = [
    ("en", "How many parcels do you send a day? And do you ship on weekends?", "About 200, no."),
    ("en", "Right. What happens when a parcel arrives late?", "They call us, angry."),
    ("en", "It's about forty a month, is that within budget?", "Yes, that works."),
    ("ru", "Сколько посылок в день отправляете? И в выходные работаете?", "Около двухсот, нет."),
    ("ru", "Понятно. А что происходит, когда посылка опаздывает?", "Звонят, ругаются."),
    ("ru", "Выходит около сорока тысяч в месяц, в бюджет укладывается?", "Да, нормально."),
]


@pytest.mark.parametrize(("language", "rep", "reply"), ASKED, ids=[a[1][:30] for a in ASKED])
def test_questions_the_client_answers_stay(language: str, rep: str, reply: str) -> None:
    transcript = parse_text(call(language, rep, reply), "c")
    rules = analyse(transcript, classifier="rules").questions_in(0)
    assert rules
    assert [q.text for q in analyse(transcript).questions_in(0)] == [q.text for q in rules]


def question(text: str, start: int) -> Question:
    return Question(text, start, start + len(text), QuestionForm.closed, Spin.situation, ("?",))


def test_features_tell_where_the_question_stands_in_the_turn() -> None:
    turn = "It's the box, right? Customers judge you by it. So do you print your logo?"
    point, asked = question("It's the box, right?", 0), question("do you print your logo?", 51)
    assert turn[asked.start : asked.end] == asked.text
    then_asks = rhetoric_model.features(turn, point, "en", [StageKind.teaser], "Yes.")
    ending = rhetoric_model.features(turn, asked, "en", [StageKind.teaser], "Yes, we do.")
    assert "after:question" in then_asks and "reply1:en:yes" not in then_asks
    assert {"after:none", "reply1:en:yes", "first:en:do", "stage:teaser", "before:1"} <= set(ending)
    going_on = rhetoric_model.features(turn[:48], point, "en", [], None)
    assert "after:statement:1" in going_on


def test_training_is_deterministic_and_learns_the_examples() -> None:
    examples = [
        (["bias", "after:statement:1", "w:en:why"], False),
        (["bias", "after:none", "w:en:how"], True),
        (["bias", "after:none", "w:en:what"], True),
    ] * 4
    first, second = rhetoric_model.train(examples), rhetoric_model.train(examples)
    assert first == second
    assert first.probability(examples[0][0]) < rhetoric_model.DROP
    assert first.probability(examples[1][0]) > rhetoric_model.DROP


def test_bundled_model_loads_and_saves_round_trip(tmp_path: Path) -> None:
    model = rhetoric_model.load_model()
    assert model is not None and model.languages == {"en", "ru"}
    path = tmp_path / "m.json"
    rhetoric_model.save(model, path)
    assert rhetoric_model.load_model.__wrapped__(path) == model  # type: ignore[attr-defined]
    assert rhetoric_model.load_model.__wrapped__(tmp_path / "absent.json") is None  # type: ignore[attr-defined]


def test_a_language_the_model_never_learned_is_left_to_the_rules() -> None:
    text = (
        "Meil on kõik ühes kohas. Miks maksta kolmele firmale, kui võib maksta ühele? "
        "Ja tugi on ööpäevaringne. Kas proovime kaks nädalat?"
    )
    transcript = parse_text(call("et", text, "Võib proovida."), "c")
    rules = analyse(transcript, classifier="rules")
    bundled = rhetoric_model.load_model()
    assert bundled is not None and not bundled.judges("et")
    kinds: list[list[StageKind]] = [[] for _ in transcript.utterances]
    assert rhetoric_model.revise(transcript, rules.questions, kinds, bundled) == rules.questions
    # a model that did learn Estonian judges it
    learned = rhetoric_model.train([(["bias", "w:et:miks"], False)] * 20, frozenset({"et"}))
    revised = rhetoric_model.revise(transcript, rules.questions, kinds, learned)
    assert len(revised[0]) < len(rules.questions[0])


@pytest.mark.parametrize(("language", "point"), [POINTS[0], POINTS[3]], ids=["en", "ru"])
def test_the_scorecard_lists_the_points_made_as_questions(language: str, point: str) -> None:
    from coach.analysis.rubric import load_rubric
    from coach.analysis.scorecard import build, to_dict, to_markdown
    from coach.config import BUNDLED_RUBRICS

    transcript = parse_text(
        call(language, PITCH[language].format(point=point), REPLY[language]), "c"
    )
    analysis = analyse(transcript)
    assert analysis.rhetorical[0] == (point,)
    assert analysis.metrics.rhetorical_questions == 1
    assert analysis.metrics.rep_questions == 1  # the call to action only
    card = build(analysis, load_rubric("discovery", [BUNDLED_RUBRICS]))
    data = to_dict(card)
    assert data["utterances"][0]["rhetorical"] == [point]
    assert "rhetorical" not in data["utterances"][1]
    assert data["metrics"]["rhetorical_questions"] == 1
    assert "rhetorical 1" in to_markdown(card)


@pytest.mark.parametrize(
    ("language", "turn", "point"),
    [
        ("en", "Who doesn't want a new truck, right? It tows everything.", "Who doesn't want"),
        ("ru", "Ну смотрите, разве лучше получить ещё три отказа? Мы подаём адресно.", "разве"),
    ],
)
def test_the_rules_own_rhetorical_cues_are_listed_too(language: str, turn: str, point: str) -> None:
    transcript = parse_text(call(language, turn, REPLY[language]), "c")
    for classifier in ("rules", "hybrid"):
        analysis = analyse(transcript, classifier=classifier)
        assert analysis.questions_in(0) == ()
        assert [p.startswith(point) for p in analysis.rhetorical[0]] == [True]


LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_weighing_gives_the_probability_of_the_feature_names(language: str) -> None:
    """The lookups that judge without building feature names agree with the names' sum on
    every question the rules find in the labelled calls, in both forms: each one's words,
    first and last words and pairs, place in the turn, stages and reply."""
    from coach.analysis.evaluate import load_labelled, variant
    from coach.analysis.turn_model import replies

    model = rhetoric_model.load_model()
    assert model is not None
    weighing = rhetoric_model.Weighing(model)
    seen = 0
    for path in sorted(LABELLED.glob(f"{language}-*.json")):
        for form in ("json", "asr"):
            transcript, _ = variant(load_labelled(path), form)
            analysis = analyse(transcript, classifier="rules")
            for utterance, reply in zip(transcript.utterances, replies(transcript), strict=True):
                stages = analysis.stage_kinds(utterance.index)
                for q in analysis.questions_in(utterance.index):
                    names = rhetoric_model.features(utterance.text, q, language, stages, reply)
                    expected = model.probability(names)
                    got = weighing.probability(utterance.text, q, language, stages, reply)
                    assert got == pytest.approx(expected, abs=1e-12), (path.name, q.text)
                    seen += 1
    assert seen > 100
