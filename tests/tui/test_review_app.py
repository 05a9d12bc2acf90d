"""The review screens driven by Textual's Pilot over a real SQLite store, at 80×24."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from coach.errors import CoachError
from coach.feedback import feedback_note
from coach.store import BEST, CALL, CallFilter, Store
from coach.tui.review_app import ReviewApp
from coach.tui.review_screens import CallScreen, QueueScreen, TextPrompt, parse_filter
from tests.test_feedback import fill_store, scorecard

SIZE = (80, 24)
Steps = Callable[[Pilot[Any], ReviewApp], Awaitable[None]]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    fill_store(tmp_path / "calls.db")
    return tmp_path / "calls.db"


def drive(
    db: Path,
    steps: Steps,
    language: str = "en",
    which: CallFilter | None = None,
    author: str | None = None,
) -> ReviewApp:
    store = Store(db)
    app = ReviewApp(
        store, which or CallFilter(), language, feedback_dir=db.parent / "feedback", author=author
    )

    async def run() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await steps(pilot, app)
            await pilot.pause()

    try:
        asyncio.run(run())
    finally:
        store.close()
    return app


def call_screen(app: ReviewApp) -> CallScreen:
    assert isinstance(app.screen, CallScreen)
    return app.screen


def queue_reps(app: ReviewApp) -> list[str | None]:
    return [c.rep for c in app.queue]


def test_queue_lists_calls_newest_first_and_enter_opens_one(db: Path) -> None:
    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        assert isinstance(app.screen, QueueScreen)
        assert queue_reps(app) == ["gleb", "вера", "boris", "anna"]
        assert app.screen.query_one("#queue", DataTable).row_count == 4
        await pilot.press("down", "enter")
        screen = call_screen(app)
        assert screen.detail is not None and screen.detail.summary.rep == "вера"
        transcript = screen.query_one("#transcript", OptionList)
        assert transcript.option_count == len(scorecard("ru-car-dealer-good")["utterances"])
        prompts = [str(o.prompt) for o in transcript.options]
        assert any("[S closed]" in p for p in prompts)  # a SPIN badge with the form
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.query_one("#queue", DataTable).cursor_row == 1

    drive(db, steps)


def test_selecting_a_criterion_jumps_to_its_evidence(db: Path) -> None:
    card = scorecard("en-car-dealer-poor")
    row, criterion = next((i, c) for i, c in enumerate(card["criteria"]) if len(c["evidence"]) > 1)
    first, second = (e["utterance"] for e in criterion["evidence"][:2])

    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        await pilot.press("down", "down", "enter")  # boris, the poor English call
        screen = call_screen(app)
        await pilot.press("tab", *["down"] * row, "enter")
        transcript = screen.query_one("#transcript", OptionList)
        assert screen.selected_utterance() == first
        assert transcript.highlighted == screen.positions[first]
        assert criterion["label"] in str(screen.query_one("#criterion-detail", Static).render())
        await pilot.press("enter")  # again: the next piece of evidence
        assert screen.selected_utterance() == second

    drive(db, steps)


def test_comments_are_in_the_database_when_the_screen_confirms(db: Path) -> None:
    card = scorecard("ru-car-dealer-poor")

    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        await pilot.press("enter", "down", "down", "c")
        assert isinstance(app.screen, TextPrompt)
        await pilot.press(*"Ask first", "enter")
        await pilot.press("C", *"Too long a pitch", "enter")
        await pilot.press("c", "escape")  # a cancelled comment stores nothing
        screen = call_screen(app)
        assert "✎ Ask first" in str(
            screen.query_one("#transcript", OptionList).get_option_at_index(2).prompt
        )
        assert "Too long a pitch" in str(screen.query_one("#metrics", Static).render())

    app = drive(db, steps)
    with Store(db) as store:  # a fresh connection: it is on disk
        comments = store.comments(app.queue[0].id)
    assert [(c.utterance, c.body) for c in comments] == [
        (CALL, "Too long a pitch"),
        (card["utterances"][2]["index"], "Ask first"),
    ]


def test_comments_and_notes_carry_the_lead_s_name(db: Path) -> None:
    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        await pilot.press("enter", "C", *"Good close", "enter", "f")

    app = drive(db, steps, author="Olga Lead")
    with Store(db) as store:
        [comment] = store.comments(app.queue[0].id)
    assert comment.author == "Olga Lead"
    [note] = (db.parent / "feedback").glob("*.md")
    assert "Olga Lead" in note.read_text(encoding="utf-8")


def test_best_practice_toggles_on_the_utterance_and_the_call(db: Path) -> None:
    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        await pilot.press("enter", "down", "b", "down", "b", "b", "B")
        prompt = str(
            call_screen(app).query_one("#transcript", OptionList).get_option_at_index(1).prompt
        )
        assert "★" in prompt
        assert call_screen(app).sub_title.endswith("★")

    app = drive(db, steps)
    with Store(db) as store:
        tags = {(t.utterance, t.tag) for t in store.tags(app.queue[0].id)}
    assert tags == {(1, BEST), (CALL, BEST)}  # utterance 2 was marked and unmarked


@pytest.mark.parametrize("language", ["en", "ru"])
def test_feedback_is_exported_to_the_feedback_folder(db: Path, language: str) -> None:
    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        await pilot.press("enter", "C", *"Well done", "enter", "f")

    app = drive(db, steps, language)
    call = app.queue[0]
    expected = db.parent / "feedback" / f"2026-11-05-gleb-call{call.id}.md"
    assert app.last_feedback == expected
    with Store(db) as store:
        assert expected.read_text(encoding="utf-8") == feedback_note(store.call(call.id), language)
    assert "Well done" in expected.read_text(encoding="utf-8")


def test_next_and_previous_walk_the_queue(db: Path) -> None:
    seen: list[str | None] = []

    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        await pilot.press("enter")
        for key in ("n", "n", "n", "n", "p"):  # the fourth n is past the end: stays
            await pilot.press(key)
            detail = call_screen(app).detail
            assert detail is not None
            seen.append(detail.summary.rep)
        await pilot.press("escape")
        assert app.screen.query_one("#queue", DataTable).cursor_row == 2

    drive(db, steps)
    assert seen == ["вера", "boris", "anna", "anna", "boris"]


def test_filter_and_sort_the_queue_by_keyboard(db: Path) -> None:
    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        await pilot.press("slash", *"missed:close min:30", "enter")
        assert queue_reps(app) == ["gleb", "boris"]
        await pilot.press("slash", "ctrl+u", *"since:2026-11-03 until:2026-11-04", "enter")
        assert queue_reps(app) == ["вера", "boris"]
        await pilot.press("slash", "ctrl+u", *"rep:nobody", "enter")
        assert app.queue == []
        assert app.screen.query_one("#queue-empty", Static).display
        await pilot.press("slash", "ctrl+u", "enter")  # empty clears the filter
        await pilot.press("s")  # by score, highest first
        assert queue_reps(app)[:2] == ["anna", "вера"]
        await pilot.press("r")
        assert queue_reps(app)[-2:] == ["вера", "anna"]
        await pilot.press("slash", "ctrl+u", *"bogus", "enter")  # an error, filter kept
        assert len(app.queue) == 4

    drive(db, steps)


def test_tag_filter_sees_best_practice(db: Path) -> None:
    with Store(db) as store:
        store.toggle_tag(store.calls()[-1].id, BEST)

    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        assert queue_reps(app) == ["anna"]

    drive(db, steps, which=CallFilter(tag=BEST))


def test_russian_labels(db: Path) -> None:
    async def steps(pilot: Pilot[Any], app: ReviewApp) -> None:
        table = app.screen.query_one("#queue", DataTable)
        assert [str(c.label) for c in table.columns.values()][:2] == ["Дата", "Менеджер"]
        await pilot.press("enter")
        screen = call_screen(app)
        assert screen.query_one("#transcript").border_title == "Расшифровка"
        assert "Менеджер" in str(
            screen.query_one("#transcript", OptionList).get_option_at_index(0).prompt
        )
        assert "речь менеджера" in str(screen.query_one("#metrics", Static).render())
        await pilot.press("question_mark")
        assert "Очередь" in str(app.screen.query_one("#help-box", Static).render())

    drive(db, steps, "ru")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", CallFilter()),
        ("rep:anna team:north", CallFilter(rep="anna", team="north")),
        ("since:2026-11-01 until:2026-11-30", CallFilter(since="2026-11-01", until="2026-11-30")),
        (
            "min:60 max:80.5 missed:close tag:best",
            CallFilter(min_score=60, max_score=80.5, missed="close", tag="best"),
        ),
        ("rep:'Вера Петрова'", CallFilter(rep="Вера Петрова")),
    ],
)
def test_parse_filter(text: str, expected: CallFilter) -> None:
    assert parse_filter(text, CallFilter(rep="old")) == expected


@pytest.mark.parametrize("text", ["rep", "colour:red", "min:high", "rep:'open"])
def test_parse_filter_rejects_what_it_cannot_read(text: str) -> None:
    with pytest.raises(CoachError):
        parse_filter(text, CallFilter())


def test_cli_says_why_there_is_nothing_to_review(tmp_path: Path, coach: Any) -> None:
    missing = coach("review", "--db", str(tmp_path / "none.db"))
    assert missing.code == 1 and "coach ingest" in missing.err
    Store(tmp_path / "empty.db").close()
    empty = coach("review", "--db", str(tmp_path / "empty.db"))
    assert empty.code == 1 and "empty" in empty.err and "Traceback" not in empty.err
    fill_store(tmp_path / "calls.db")
    none = coach("review", "--db", str(tmp_path / "calls.db"), "--rep", "nobody")
    assert none.code == 1 and "no stored call matches" in none.err
    bad = coach("review", "--db", str(tmp_path / "calls.db"), "--until", "someday")
    assert bad.code == 1 and "YYYY-MM-DD" in bad.err
