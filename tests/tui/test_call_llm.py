"""Objection help from a model in the live call: the card shows at once, the model's words
stream in under it without holding the screen up, and a missing model is one quiet line."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import Static

from coach.errors import LLMError
from coach.llm.config import LLMSettings
from coach.llm.objection import advisor
from coach.llm.server import LocalServer
from coach.scripts.model import Objection
from coach.tui.call_app import CallApp
from coach.tui.screens import Advisor, ObjectionScreen
from tests.tui.test_call_app import SIZE, session_for


def run_search(script_id: str, query: str, advise: Advisor, checks: Any) -> None:
    session = session_for(script_id)
    session.goto(session.script.stages[3].id)
    app = CallApp(session, advisor=advise)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("slash")
            await pilot.press(*query)
            await pilot.press("enter")
            assert isinstance(app.screen, ObjectionScreen)
            await checks(pilot, app.screen)

    asyncio.run(run())


def text(screen: ObjectionScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


@pytest.mark.parametrize(
    ("script_id", "query", "heading"),
    [
        ("car-dealer-en", "too expensive", "The model suggests"),
        ("car-dealer-ru", "дорого", "Модель предлагает"),
    ],
)
def test_the_card_is_at_once_and_the_model_streams_under_it(
    script_id: str, query: str, heading: str
) -> None:
    release = threading.Event()
    asked: list[tuple[str, str]] = []

    def slow(said: str, objection: Objection) -> Iterator[str]:
        asked.append((said, objection.category))
        yield "First, "
        release.wait(5)
        yield "then the rest."

    async def checks(pilot: Any, screen: ObjectionScreen) -> None:
        assert text(screen, "#objection-card").strip()  # the library card, not waiting
        started = time.monotonic()
        while "First," not in text(screen, "#objection-model"):
            await pilot.pause(0.05)
            assert time.monotonic() - started < 5
        assert heading in text(screen, "#objection-model")
        assert "the rest" not in text(screen, "#objection-model")
        await pilot.press("down")  # the screen answers keys while the model is mid-way
        release.set()
        while "then the rest." not in text(screen, "#objection-model"):
            await pilot.pause(0.05)
            assert time.monotonic() - started < 5

    run_search(script_id, query, slow, checks)
    assert asked == [(query, "price")]


def test_no_model_is_one_quiet_line_and_the_card_stays() -> None:
    def down(said: str, objection: Objection) -> Iterator[str]:
        raise LLMError("no LLM answers at http://127.0.0.1:9/v1: start one with `coach llm serve`")

    async def checks(pilot: Any, screen: ObjectionScreen) -> None:
        for _ in range(100):
            if "no model suggestion" in text(screen, "#objection-model"):
                break
            await pilot.pause(0.05)
        assert "coach llm serve" in text(screen, "#objection-model")
        assert text(screen, "#objection-card").strip()

    run_search("car-dealer-en", "too expensive", down, checks)


@pytest.mark.slow
def test_a_real_local_model_suggests_a_reply(llm_server: LocalServer) -> None:
    session = session_for("car-dealer-en")
    settings = LLMSettings(
        base_url=llm_server.base_url, model=llm_server.alias, timeout_s=120, retries=0
    )
    advise = advisor(session.raw, session.values, client_name="Anna", settings=settings)

    async def checks(pilot: Any, screen: ObjectionScreen) -> None:
        started = time.monotonic()
        while "The model suggests" not in text(screen, "#objection-model"):
            await pilot.pause(0.1)
            assert time.monotonic() - started < 120, text(screen, "#objection-model")
        while screen.asking is not None and screen.asking.is_running:  # the whole answer
            await pilot.pause(0.1)
            assert time.monotonic() - started < 120
        await pilot.pause(0.2)
        assert "no model suggestion" not in text(screen, "#objection-model")
        said = text(screen, "#objection-model").split("\n", 1)[-1]
        assert len(said.strip()) > 3

    run_search("car-dealer-en", "too expensive", advise, checks)
