"""The live-call screen driven by Textual's Pilot, in English and Russian, at 80×24."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from coach.call.journal import read_journal
from coach.call.session import CallSession, latest_unfinished, new_call_dir
from coach.config import BUNDLED_TEMPLATES
from coach.scripts.loader import load_script
from coach.scripts.render import variable_values
from coach.tui.call_app import CallApp
from coach.tui.screens import ObjectionScreen, OutcomeScreen

SIZE = (80, 24)


def session_for(script_id: str, client: str = "Anna") -> CallSession:
    script = load_script(script_id, [BUNDLED_TEMPLATES])
    values = variable_values(script, {"client_name": client}, use_examples=True)
    return CallSession(script, values, new_call_dir(script, client), client)


def drive(session: CallSession, steps: Callable[[Pilot[Any], CallApp], Awaitable[None]]) -> CallApp:
    app = CallApp(session)

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await steps(pilot, app)
            await pilot.pause()

    asyncio.run(run())
    return app


def shown(app: CallApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def kinds(session: CallSession) -> list[str]:
    return [e.kind for e in read_journal(session.folder / "journal.jsonl").events]


@pytest.mark.parametrize("script_id", ["car-dealer-en", "car-dealer-ru"])
def test_stages_move_forward_and_back_by_keyboard(script_id: str) -> None:
    session = session_for(script_id)
    ids = [s.id for s in session.script.stages]
    seen: list[str | None] = []

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("right")
        seen.append(session.state.stage)
        assert session.script.stage(ids[1]).title in shown(app, "#stage")
        await pilot.press("n", "left")
        seen.append(session.state.stage)

    drive(session, steps)
    assert seen == [ids[1], ids[1]]
    assert kinds(session) == ["start", "goto", "goto", "goto"]
    assert session.state.visited[:3] == (ids[0], ids[1], ids[2])


def test_ticking_a_question_marks_it_and_is_journaled() -> None:
    session = session_for("car-dealer-en")
    session.goto("situation")

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("2")
        assert "☑ 2" in shown(app, "#stage")
        assert "☐ 1" in shown(app, "#stage")
        await pilot.press("3", "3")  # ticked and unticked again

    drive(session, steps)
    assert session.state.ticked == frozenset({("situation", 1)})
    assert kinds(session).count("tick") == 3


def test_a_branch_key_jumps_to_the_answer_stage() -> None:
    session = session_for("car-dealer-en")
    session.goto("greeting")
    target = session.script.stage("greeting").branches[0].next

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("a")

    drive(session, steps)
    assert session.state.stage == target == "callback"


@pytest.mark.parametrize(
    ("script_id", "query", "category"),
    [
        ("car-dealer-en", "too expensive", "price"),
        ("car-dealer-en", "send me an email", "send_email"),
        ("car-dealer-ru", "дорого", "price"),
        ("car-dealer-ru", "пришлите на почту", "send_email"),
    ],
)
def test_objection_search_shows_the_card_and_escape_returns(
    script_id: str, query: str, category: str
) -> None:
    session = session_for(script_id)
    session.goto(session.script.stages[3].id)
    before = session.state.stage
    card: list[str] = []

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("slash")
        assert isinstance(app.screen, ObjectionScreen)
        await pilot.press(*query)
        await pilot.press("enter")
        card.append(str(app.screen.query_one("#objection-card", Static).render()))
        await pilot.press("escape")
        assert not isinstance(app.screen, ObjectionScreen)

    drive(session, steps)
    opened = session.state.objections
    assert len(opened) == 1
    objection = next(o for o in session.script.objections if o.id == opened[0])
    assert objection.category == category
    assert objection.responses[0][:30] in card[0].replace("\n", " ")
    assert session.state.stage == before


def test_notes_take_letters_and_escape_gives_keys_back() -> None:
    session = session_for("car-dealer-ru")
    first = session.state.stage

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("e")
        await pilot.press(*"n1 Хочет красную")
        await pilot.press("escape", "n")

    drive(session, steps)
    assert session.state.notes == "n1 Хочет красную"
    assert session.state.stage != first  # the last "n" moved the stage, not typed
    assert session.state.ticked == frozenset()  # the "1" typed, not ticked


def test_finishing_a_booked_call_writes_record_reminders_and_confirmation() -> None:
    session = session_for("car-dealer-en")
    result: list[Any] = []

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("o")
        assert isinstance(app.screen, OutcomeScreen)
        await pilot.press("tab", *"2030-06-14 10:30")
        await pilot.pause()
        preview = str(app.screen.query_one("#outcome-confirmation", Static).render())
        assert "10:30" in preview and "Anna" in preview
        await pilot.press("ctrl+y")
        assert "10:30" in app.clipboard
        await pilot.press("ctrl+s")
        await pilot.pause()

    app = drive(session, steps)
    result.append(app.return_value)
    booking = result[0]
    assert booking is not None
    record = booking.record.read_text(encoding="utf-8")
    assert '"result": "booked"' in record and "2030-06-14T10:30" in record
    assert "10:30" in (booking.confirmation or "")
    saved = (booking.record.parent / "confirmation.txt").read_text(encoding="utf-8")
    assert saved.strip() == booking.confirmation
    ics = booking.reminders_ics.read_text(encoding="utf-8")
    assert ics.count("BEGIN:VEVENT") == 4  # the visit, after the call, day before, 2 h before
    assert latest_unfinished("car-dealer-en") is None
    assert kinds(session)[-2:] == ["outcome", "end"]


def test_a_booking_without_a_date_is_refused_on_screen() -> None:
    session = session_for("car-dealer-en")

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("o", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OutcomeScreen)
        assert "date" in str(app.screen.query_one("#outcome-error", Static).render())
        await pilot.press("escape")

    drive(session, steps)
    assert session.state.outcome is None and session.state.ended is None


def test_resume_restores_the_call_where_it_was() -> None:
    session = session_for("car-dealer-ru")

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("right", "right", "1", "e", *"заметка", "escape")

    drive(session, steps)
    stage, ticked = session.state.stage, session.state.ticked
    session.journal.close()  # no "end": the app was left, as after a crash
    folder = latest_unfinished("car-dealer-ru")
    assert folder == session.folder
    again = CallSession.resume(load_script("car-dealer-ru", [BUNDLED_TEMPLATES]), folder)
    assert again.state.stage == stage and again.state.ticked == ticked
    assert again.state.notes == "заметка"

    async def check(pilot: Pilot[Any], app: CallApp) -> None:
        assert again.script.stage(stage or "").title in shown(app, "#stage")

    drive(again, check)


def test_help_screen_and_theme_switch() -> None:
    session = session_for("car-dealer-en")

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        await pilot.press("question_mark")
        assert "objection search" in str(app.screen.query_one("#help-box", Static).render())
        await pilot.press("escape", "ctrl+t")
        assert app.theme == "textual-light"

    drive(session, steps)


@pytest.mark.parametrize(
    ("script_id", "words"), [("car-dealer-en", "move on"), ("car-dealer-ru", "пора дальше")]
)
def test_overtime_on_a_stage_warns_the_rep(script_id: str, words: str) -> None:
    now = [1_000.0]
    script = load_script(script_id, [BUNDLED_TEMPLATES])
    values = variable_values(script, {}, use_examples=True)
    session = CallSession(script, values, new_call_dir(script, "x"), "x", clock=lambda: now[0])
    box = session.script.stages[0].timebox_s or 0

    async def steps(pilot: Pilot[Any], app: CallApp) -> None:
        assert not app.query_one("#warning").display
        now[0] += box * 2
        app.refresh_clock()
        await pilot.pause()
        assert app.query_one("#warning").display
        assert words in shown(app, "#warning")

    drive(session, steps)


def test_a_corrupt_journal_line_is_skipped_with_a_warning(tmp_path: Path) -> None:
    session = session_for("car-dealer-en")
    session.goto("small_talk")
    session.journal.close()
    with (session.folder / "journal.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"kind": "goto", "at": 1\n')  # torn write
    again = CallSession.resume(load_script("car-dealer-en", [BUNDLED_TEMPLATES]), session.folder)
    assert again.state.stage == "small_talk"
    assert len(again.warnings) == 1 and "journal.jsonl:3" in again.warnings[0]


RUNNER = """
import asyncio, sys
from coach.call.session import CallSession, new_call_dir
from coach.config import BUNDLED_TEMPLATES
from coach.scripts.loader import load_script
from coach.scripts.render import variable_values
from coach.tui.call_app import CallApp

script = load_script("car-dealer-ru", [BUNDLED_TEMPLATES])
values = variable_values(script, {}, use_examples=True)
session = CallSession(script, values, new_call_dir(script, "Ольга"), "Ольга")

async def main():
    async with CallApp(session).run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "right", "1", "slash", *"дорого", "enter", "escape")
        await pilot.press("e", *"перезвонить в 18:00")
        await pilot.pause()
        print(session.folder, flush=True)
        await asyncio.sleep(120)

asyncio.run(main())
"""


def test_killing_the_app_mid_call_loses_nothing(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-c", RUNNER], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert process.stdout is not None
        folder = Path(process.stdout.readline().strip())
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    script = load_script("car-dealer-ru", [BUNDLED_TEMPLATES])
    assert latest_unfinished("car-dealer-ru") == folder
    again = CallSession.resume(script, folder)
    stages = [s.id for s in script.stages]
    assert again.state.stage == stages[2]
    assert again.state.ticked == frozenset({(stages[2], 0)})
    assert len(again.state.objections) == 1
    assert again.state.notes == "перезвонить в 18:00"
    assert again.client == "Ольга"


def test_cli_errors_are_one_line(coach: Any) -> None:
    unknown = coach("call", "car-dealer-en", "--var", "colour=red")
    assert unknown.code == 1 and "unknown variable(s) colour" in unknown.err
    assert len(unknown.err.strip().splitlines()) == 1
    nothing = coach("call", "car-dealer-en", "--resume")
    assert nothing.code == 1 and "no unfinished call to resume" in nothing.err
    missing = coach("call", "no-such-script")
    assert missing.code == 1 and "no-such-script" in missing.err


def test_the_screen_speaks_english_and_russian() -> None:
    from coach.tui.labels import LABELS, labels

    assert set(LABELS["en"]) == set(LABELS["ru"])
    assert labels("ru")["then_ask"] != labels("en")["then_ask"]
    assert labels("et") == labels("en")  # no labels yet: English


class Suggesting:
    """Stands in for the listener thread: the screen only drains its queue."""

    def __init__(self, items: list[Any]) -> None:
        import queue

        self.suggestions: queue.Queue[Any] = queue.Queue()
        for item in items:
            self.suggestions.put(item)

    def start(self) -> None: ...

    def stop(self) -> None: ...


@pytest.mark.parametrize("script_id", ["car-dealer-en", "car-dealer-ru"])
def test_listening_suggestions_tick_follow_and_pop_the_card(script_id: str) -> None:
    from coach.call.listen import Suggestion

    session = session_for(script_id)
    card = next(o for o in session.script.objections if o.category == "price")
    feed = Suggesting(
        [
            Suggestion("tick", {"stage": "situation", "question": 1}),
            Suggestion("stage", {"stage": "situation"}),
            Suggestion("stage", {"stage": "greeting"}),  # backwards: ignored
            Suggestion("objection", {"id": card.id, "text": "…"}),
            Suggestion("talk", {"rep_share": 0.7}),
        ]
    )
    app = CallApp(session, listener=feed)  # type: ignore[arg-type]

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause(0.5)
            assert card.responses[0][:25] in shown(app, "#heard").replace("\n", " ")
            assert "70%" in shown(app, "#rail")
            assert "☐ 1" in shown(app, "#stage") and "☑ 2" in shown(app, "#stage")

    asyncio.run(run())
    assert session.state.stage == "situation"
    assert session.state.ticked == frozenset({("situation", 1)})
    heard = [e for e in read_journal(session.folder / "journal.jsonl").events if e.kind == "heard"]
    assert heard and heard[0].data["id"] == card.id
