"""The practice screen driven by Textual's Pilot: the scripted client, and once the real model."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from coach.analysis.rubric import load_rubric
from coach.analysis.transcript import Role
from coach.config import BUNDLED_RUBRICS, BUNDLED_TEMPLATES
from coach.llm.config import LLMSettings
from coach.practice.client import ModelClient, ScriptedClient, SimulatedClient
from coach.practice.persona import persona
from coach.practice.session import JOURNAL, SCORECARD, PracticeResult, PracticeSession
from coach.scripts.loader import load_script
from coach.scripts.render import variable_values
from coach.tui.practice_app import PracticeApp, PracticeHelpScreen, SayInput, ScoreScreen

SIZE = (80, 24)


def session_for(script_id: str, folder: Path, character: str = "price-focused") -> PracticeSession:
    script = load_script(script_id, [BUNDLED_TEMPLATES])
    values = variable_values(script, {}, use_examples=True)
    return PracticeSession(script, values, folder, persona=character)


def scripted(session: PracticeSession) -> ScriptedClient:
    return ScriptedClient(session.script, persona(session.persona), session.language)


def drive(
    session: PracticeSession,
    steps: Callable[[Pilot[Any], PracticeApp], Awaitable[None]],
    client: SimulatedClient | None = None,
) -> PracticeApp:
    app = PracticeApp(
        session,
        client or scripted(session),
        load_rubric("discovery", [BUNDLED_RUBRICS]),
        classifier="rules",
    )

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await steps(pilot, app)
            await pilot.pause()

    asyncio.run(run())
    return app


async def settle(pilot: Pilot[Any], app: PracticeApp, timeout_s: float = 10.0) -> None:
    """Wait until the client has finished answering (and scoring, if it runs)."""
    deadline = time.monotonic() + timeout_s
    while app.replying or app.scoring:
        assert time.monotonic() < deadline, "the client did not finish in time"
        await pilot.pause(0.05)
    await pilot.pause()


async def say(pilot: Pilot[Any], app: PracticeApp, text: str) -> None:
    app.query_one("#say", SayInput).value = text
    await pilot.press("enter")
    await settle(pilot, app)


def chat(app: PracticeApp) -> list[str]:
    return [str(w.render()) for w in app.query("#log .turn").results(Static)]


def side(app: PracticeApp) -> str:
    return str(app.query_one("#stage", Static).render()) + str(
        app.query_one("#raised", Static).render()
    )


def test_a_whole_practice_with_the_scripted_client(tmp_path: Path) -> None:
    session = session_for("car-dealer-en", tmp_path / "p")
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[Any], app: PracticeApp) -> None:
        assert chat(app) == ["Client: Hello?"]
        assert "Objections raised" in side(app) and "none yet" in side(app)
        await say(pilot, app, "Hello, this is Anna from AutoCity.")
        assert chat(app)[-2] == "You: Hello, this is Anna from AutoCity."
        assert chat(app)[-1].startswith("Client: H")
        await say(pilot, app, "How do you use your car today?")
        seen["answer"] = chat(app)[-1]
        await say(pilot, app, "We have the model you looked at in stock.")
        assert "Too expensive." in chat(app)[-1]
        assert "price: too expensive" in side(app)
        assert "Handling objections" in side(app)
        await say(pilot, app, "I understand, the finance starts at 4 percent, so it is lower.")
        await say(pilot, app, "Our trade-in bonus adds to the price we give for your car.")
        await say(pilot, app, "Can you come tomorrow at 5 pm?")
        assert "tomorrow at 5 pm suits me" in chat(app)[-1]
        assert app.query_one("#say", SayInput).value == ""
        await pilot.press("ctrl+e")
        await settle(pilot, app, 60)
        assert isinstance(app.screen, ScoreScreen)
        seen["score"] = str(app.screen.query_one("#score", Static).render())
        await pilot.press("escape")

    app = drive(session, steps)
    assert seen["answer"].startswith("Client: ") and "?" not in seen["answer"]
    assert "/ 100" in seen["score"]
    result = app.return_value
    assert isinstance(result, PracticeResult)
    first = result.transcript.of(Role.rep)[0].text
    assert first == "Hello, this is Anna from AutoCity."
    saved = json.loads((session.folder / SCORECARD).read_text(encoding="utf-8"))
    assert saved["total"] == result.scorecard.total
    assert f"{result.scorecard.total:g} / 100" in seen["score"]


def test_russian_labels_and_help(tmp_path: Path) -> None:
    session = session_for("car-dealer-ru", tmp_path / "p", "busy")
    seen: dict[str, Any] = {}

    async def steps(pilot: Pilot[Any], app: PracticeApp) -> None:
        await say(pilot, app, "Здравствуйте, это Анна из АвтоСити.")
        seen["chat"] = chat(app)
        seen["side"] = side(app)
        await pilot.press("question_mark")  # on an empty line: help, not a character
        seen["help"] = isinstance(app.screen, PracticeHelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+e")
        await settle(pilot, app, 60)
        seen["score"] = str(app.screen.query_one("#score", Static).render())

    drive(session, steps)
    assert seen["chat"][0] == "Клиент: Алло?"
    assert seen["chat"][1] == "Вы: Здравствуйте, это Анна из АвтоСити."
    assert seen["chat"][2].startswith("Клиент: ")
    assert "Возражения клиента" in seen["side"] and "пока нет" in seen["side"]
    assert seen["help"]
    assert "зачёт" in seen["score"] or "ниже проходного балла" in seen["score"]


def test_a_question_mark_in_a_line_is_typed(tmp_path: Path) -> None:
    session = session_for("car-dealer-en", tmp_path / "p")

    async def steps(pilot: Pilot[Any], app: PracticeApp) -> None:
        await pilot.press(*"Why", "question_mark")
        assert app.query_one("#say", SayInput).value == "Why?"
        assert not isinstance(app.screen, PracticeHelpScreen)

    drive(session, steps)


def test_end_before_speaking_says_there_is_nothing_to_score(tmp_path: Path) -> None:
    session = session_for("car-dealer-en", tmp_path / "p")

    async def steps(pilot: Pilot[Any], app: PracticeApp) -> None:
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not app.scoring and not isinstance(app.screen, ScoreScreen)
        assert any("nothing to score" in str(n.message) for n in app._notifications)

    drive(session, steps)


def test_quit_keeps_the_journal_and_resume_shows_it(tmp_path: Path) -> None:
    session = session_for("car-dealer-en", tmp_path / "p")

    async def steps(pilot: Pilot[Any], app: PracticeApp) -> None:
        await say(pilot, app, "Hello, this is Anna from AutoCity.")
        await pilot.press("ctrl+q")

    app = drive(session, steps)
    session.close()
    assert app.return_value is None
    journal = (session.folder / JOURNAL).read_text(encoding="utf-8")
    assert "Hello, this is Anna from AutoCity." in journal
    again = PracticeSession.resume(
        load_script("car-dealer-en", [BUNDLED_TEMPLATES]), session.folder
    )
    shown: list[str] = []

    async def look(pilot: Pilot[Any], app: PracticeApp) -> None:
        shown.extend(chat(app))

    drive(again, look)
    assert shown[:2] == ["Client: Hello?", "You: Hello, this is Anna from AutoCity."]
    assert len(shown) == 3


@pytest.mark.slow
def test_the_real_model_streams_the_client_and_the_screen_stays_responsive(
    tmp_path: Path,
    llm_settings: LLMSettings,
) -> None:
    session = session_for("car-dealer-en", tmp_path / "p", "busy")
    client = ModelClient(
        session.script, persona("busy"), "en", settings=llm_settings, max_tokens=48
    )
    lines = [
        "Hello, this is Anna from AutoCity.",
        "You left a request on our site about a new car. Which model are you looking at, and why?",
        "What matters most to you in the car, and how do you use the one you have now?",
        "I see. And when would you like to drive it: this week, or after the holidays?",
        "Understood. Who else decides on the purchase with you, and what is your budget?",
    ]
    seen: dict[str, Any] = {}

    def streamed(partial: list[str]) -> set[str]:
        return {" ".join(p.split()) for p in partial if p != "Client: …"}

    async def steps(pilot: Pilot[Any], app: PracticeApp) -> None:
        # A real model may answer "Hello?" in one or two chunks; the rep goes on
        # until one answer was seen growing on screen in three steps or more.
        for line in lines:
            partial: list[str] = []
            app.query_one("#say", SayInput).value = line
            await pilot.press("enter")
            deadline = time.monotonic() + 120
            typed = False
            while app.replying:
                assert time.monotonic() < deadline
                partial.append(chat(app)[-1])
                if not typed:  # keys still work while the model answers
                    await pilot.press(*"ok")
                    typed = app.query_one("#say", SayInput).value == "ok"
                    if typed and app.replying:
                        seen["typed_while_replying"] = True
                await pilot.pause(0.02)
            await pilot.pause()
            seen["partial"], seen["final"] = partial, chat(app)[-1]
            if len(streamed(partial)) >= 3:
                break

    drive(session, steps, client)
    assert seen.get("typed_while_replying") is True
    grown = streamed(seen["partial"])
    assert len(grown) >= 3, seen["partial"]  # the answer grew on screen, chunk by chunk
    assert all(seen["final"].startswith(p) for p in grown)
    assert len(seen["final"].split()) >= 2  # "Client:" and what the model said
    client_turns = [t for t in session.turns if t.role is Role.client]
    assert len(client_turns) >= 2 and all(t.text.strip() for t in client_turns)
    assert seen["final"] == f"Client: {client_turns[-1].text}"
    assert not client.down, client.take_notice()
    assert client.take_notice() is None
