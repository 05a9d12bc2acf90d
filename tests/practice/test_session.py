"""The practice journal survives a kill; the finished practice is scored like a real call."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from coach.analysis.rubric import load_rubric
from coach.analysis.transcript import Role
from coach.config import BUNDLED_RUBRICS
from coach.errors import CoachError
from coach.practice.client import ScriptedClient
from coach.practice.persona import persona
from coach.practice.session import (
    JOURNAL,
    SCORECARD,
    TRANSCRIPT,
    PracticeSession,
    latest_unfinished,
    new_practice_dir,
    practice_dir,
    spoken_seconds,
)
from tests.practice.conftest import bundled, ticking

LINES = {
    "car-dealer-en": [
        "Hello, this is Anna from AutoCity, you left a request on our website.",
        "How do you use your car today?",
        "What bothers you most about it?",
        "We have the model you looked at in stock, with a test drive this week.",
        "I understand, the finance starts at 4 percent, so the payment is lower.",
        "Our trade-in bonus adds to the price we give for your car.",
        "Can you come tomorrow at 5 pm?",
    ],
    "car-dealer-ru": [
        "Здравствуйте, это Анна из АвтоСити, вы оставляли заявку на сайте.",
        "Как вы сейчас пользуетесь машиной?",
        "Что вам больше всего не нравится в ней?",
        "Машина, которую вы смотрели, есть в наличии, тест-драйв на этой неделе.",
        "Понимаю, кредит от 4 процентов, платёж будет ниже.",
        "С бонусом трейд-ин за вашу машину дадут больше.",
        "Приезжайте завтра в 15:00?",
    ],
}


def play(session: PracticeSession, lines: list[str]) -> None:
    client = ScriptedClient(session.script, persona(session.persona), session.language)
    session.client_says(client.opening())
    for line in lines:
        session.rep_says(line)
        session.client_says("".join(client.reply(session.turns)))


def test_a_practice_lives_in_the_data_directory() -> None:
    script = bundled("car-dealer-en")
    folder = new_practice_dir(script)
    assert folder.parent == practice_dir()
    assert folder.name.endswith("-car-dealer-en")


@pytest.mark.parametrize("script_id", ["car-dealer-en", "car-dealer-ru"])
def test_every_turn_is_in_the_journal_and_survives_a_torn_last_line(
    practice: Callable[..., PracticeSession], script_id: str
) -> None:
    session = practice(script_id, "busy")
    play(session, LINES[script_id][:3])
    said = [(t.role, t.text) for t in session.turns]
    journal = session.folder / JOURNAL
    # no close(): as after kill -9, then half a line written when the power went
    with journal.open("a", encoding="utf-8") as handle:
        handle.write('{"v":1,"kind":"say","at":1,"role":"rep","text":"Half a li')
    again = PracticeSession.resume(bundled(script_id), session.folder, clock=ticking(2_000))
    assert [(t.role, t.text) for t in again.turns] == said
    assert again.persona == "busy" and again.language == script_id[-2:]
    assert again.values == session.values
    assert len(again.warnings) == 1 and "unreadable journal line" in again.warnings[0]
    assert again.started == session.started
    again.rep_says("Still here")  # the practice goes on after the torn line
    assert PracticeSession.resume(bundled(script_id), session.folder).turns[-1].text == "Still here"


def test_resume_finds_the_last_unfinished_practice_of_the_script() -> None:
    from coach.scripts.render import variable_values

    assert latest_unfinished("car-dealer-en") is None
    script = bundled("car-dealer-en")
    values = variable_values(script, {}, use_examples=True)
    session = PracticeSession(
        script, values, new_practice_dir(script), persona="busy", clock=ticking()
    )
    play(session, LINES["car-dealer-en"][:2])
    session.close()
    assert latest_unfinished("car-dealer-en") == session.folder
    assert latest_unfinished("car-dealer-ru") is None
    again = PracticeSession.resume(bundled("car-dealer-en"), session.folder)
    again.finish(load_rubric("discovery", [BUNDLED_RUBRICS]), classifier="rules")
    again.close()
    assert latest_unfinished("car-dealer-en") is None  # scored: nothing left to go on with


def test_resume_needs_a_journal(tmp_path: object) -> None:
    from pathlib import Path

    with pytest.raises(CoachError, match="no practice to resume"):
        PracticeSession.resume(bundled("car-dealer-en"), Path(str(tmp_path)) / "none")


def test_turn_times_follow_the_clock_and_never_overlap(
    practice: Callable[..., PracticeSession],
) -> None:
    session = practice("car-dealer-en")
    play(session, LINES["car-dealer-en"])
    previous = 0.0
    for turn in session.turns:
        assert turn.start >= previous
        assert turn.end > turn.start
        previous = turn.end
    rep = [t for t in session.turns if t.role is Role.rep]
    # a rep's turn lasts as long as saying it, not as long as typing it
    assert [t.end - t.start for t in rep] == pytest.approx(
        [spoken_seconds(t.text, "en") for t in rep], abs=0.01
    )


def test_an_empty_line_is_not_a_turn(practice: Callable[..., PracticeSession]) -> None:
    with pytest.raises(CoachError, match="empty"):
        practice("car-dealer-en").rep_says("   ")


@pytest.mark.parametrize("script_id", ["car-dealer-en", "car-dealer-ru"])
def test_scoring_a_practice_scores_the_trainee_as_the_rep(
    practice: Callable[..., PracticeSession], script_id: str
) -> None:
    session = practice(script_id, "price-focused")
    play(session, LINES[script_id])
    result = session.finish(load_rubric("discovery", [BUNDLED_RUBRICS]))
    card = result.scorecard
    rep_side = [u.text for u in card.analysis.transcript.of(Role.rep)]
    assert rep_side == LINES[script_id]
    assert card.analysis.transcript.language == script_id[-2:]
    assert 0 <= card.total <= 100
    assert card.analysis.metrics.rep_questions >= 2
    assert {o.category for o in card.analysis.objections} >= {"price"}
    saved = json.loads((session.folder / SCORECARD).read_text(encoding="utf-8"))
    assert saved["total"] == card.total and saved["rubric"] == "discovery"
    assert saved["script"] == script_id
    words = json.loads((session.folder / TRANSCRIPT).read_text(encoding="utf-8"))
    assert [u["text"] for u in words["utterances"] if u["speaker"] == "rep"] == LINES[script_id]
    assert result.markdown_path.read_text(encoding="utf-8").startswith("# Scorecard")
    kinds = [line for line in (session.folder / JOURNAL).read_text().splitlines()]
    assert '"kind":"end"' in kinds[-1]


def test_nothing_to_score_before_the_rep_speaks(
    practice: Callable[..., PracticeSession],
) -> None:
    session = practice("car-dealer-en")
    session.client_says("Hello?")
    with pytest.raises(CoachError, match="nothing to score"):
        session.finish(load_rubric("discovery", [BUNDLED_RUBRICS]))


@pytest.mark.parametrize(
    ("script_id", "lines", "stage"),
    [
        ("car-dealer-en", [], "compliance"),
        ("car-dealer-en", LINES["car-dealer-en"][:1], "small_talk"),
        ("car-dealer-ru", LINES["car-dealer-ru"][:1], "small_talk"),
    ],
)
def test_current_stage_follows_the_rep(
    practice: Callable[..., PracticeSession], script_id: str, lines: list[str], stage: str
) -> None:
    session = practice(script_id)
    play(session, lines)
    assert session.current_stage().id == stage


def test_an_open_objection_shows_the_objection_stage(
    practice: Callable[..., PracticeSession],
) -> None:
    session = practice("car-dealer-en", "price-focused")
    play(session, LINES["car-dealer-en"][:4])
    card = session.open_objection()
    assert card is not None and card.id == "price_too_high"
    assert session.current_stage().id == "objections"
    assert [o.id for o in session.objections_raised()] == ["price_too_high"]
