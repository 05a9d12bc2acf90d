"""Listening during a call: pauses cut utterances, detectors turn text into suggestions,
and a real Whisper model drives the real screen from a recording."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coach.call.listen import (
    PAUSE_S,
    Detector,
    Endpointer,
    Listener,
    Suggestion,
    file_chunks,
    microphone_chunks,
)
from coach.config import BUNDLED_TEMPLATES
from coach.scripts.loader import load_script

ROOT = Path(__file__).resolve().parents[2]
RECORDING = ROOT / "examples" / "recordings" / "en-car-dealer-call.flac"
RATE = 16_000


def burst(seconds: float, loud: bool = True) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.2 * np.sin(2 * np.pi * 220 * t) if loud else np.zeros_like(t)).astype(np.float32)


def test_pauses_cut_utterances_at_the_right_times() -> None:
    audio = np.concatenate(
        [burst(0.5, False), burst(1.2), burst(0.8, False), burst(2.0), burst(1.0, False)]
    )
    cutter = Endpointer("rep")
    found = []
    for offset in range(0, len(audio), 1600):  # 0.1 s chunks, as a stream arrives
        found += cutter.feed(audio[offset : offset + 1600])
    found += cutter.flush()
    assert [(round(u.start, 1), round(u.end, 1)) for u in found] == [(0.5, 1.7), (2.5, 4.5)]
    assert all(u.side == "rep" for u in found)


def test_a_short_pause_does_not_cut_and_a_monologue_is_cut() -> None:
    cutter = Endpointer("client")
    short_gap = np.concatenate(
        [burst(1.0), burst(PAUSE_S / 2, False), burst(1.0), burst(1.0, False)]
    )
    assert len(cutter.feed(short_gap)) == 1
    long_talk = cutter.feed(np.concatenate([burst(30.0), burst(1.0, False)]))
    assert len(long_talk) == 3  # cut every 12 s so suggestions keep coming


def test_clicks_are_not_utterances() -> None:
    cutter = Endpointer("rep")
    assert cutter.feed(np.concatenate([burst(0.1), burst(1.0, False)])) == []


@pytest.mark.parametrize(
    ("script_id", "side", "text", "kind", "expected"),
    [
        (
            "car-dealer-en",
            "rep",
            "So what are you driving at the moment?",
            "tick",
            ("situation", 0),
        ),
        ("car-dealer-ru", "rep", "А на чём сейчас ездите?", "tick", ("situation", 0)),
        (
            "car-dealer-en",
            "client",
            "Honestly, that's too expensive for me.",
            "objection",
            "price",
        ),
        (
            "car-dealer-ru",
            "client",
            "Нет, это слишком дорого для нас.",
            "objection",
            "price",
        ),
        (
            "car-dealer-en",
            "client",
            "Just send me an email with the details.",
            "objection",
            "send_email",
        ),
        (
            "car-dealer-ru",
            "client",
            "Пришлите всё на почту, я посмотрю.",
            "objection",
            "send_email",
        ),
    ],
)
def test_detector_reads_ticks_and_objections_in_both_languages(
    script_id: str, side: str, text: str, kind: str, expected: Any
) -> None:
    detector = Detector(load_script(script_id, [BUNDLED_TEMPLATES]))
    found = detector.read(side, text, 2.0)
    if kind == "tick":
        assert ("tick", {"stage": expected[0], "question": expected[1]}) in found
    else:
        ids = [d["id"] for k, d in found if k == "objection"]
        categories = {o.id: o.category for o in detector.script.objections}
        assert ids and categories[ids[0]] == expected  # the card of that category


@pytest.mark.parametrize(
    ("script_id", "text"),
    [("car-dealer-en", "Yes, I have a few minutes."), ("car-dealer-ru", "Да, удобно, слушаю вас.")],
)
def test_small_talk_suggests_nothing(script_id: str, text: str) -> None:
    detector = Detector(load_script(script_id, [BUNDLED_TEMPLATES]))
    assert [k for k, _ in detector.read("client", text, 1.0)] == ["heard", "talk"]


def test_talk_share_counts_both_sides() -> None:
    detector = Detector(load_script("car-dealer-en", [BUNDLED_TEMPLATES]))
    detector.read("rep", "Hello there.", 3.0)
    found = dict(detector.read("client", "Hi.", 1.0))
    assert found["talk"] == {"rep_share": 0.75}


@pytest.mark.parametrize(
    ("script_id", "text", "side"),
    [
        ("car-dealer-en", "What are you driving at the moment?", "rep"),
        ("car-dealer-en", "An old Honda, it keeps breaking down.", "client"),
        ("car-dealer-ru", "На чём вы сейчас ездите?", "rep"),
        ("car-dealer-ru", "На старой машине, она часто ломается.", "client"),
    ],
)
def test_one_mixed_channel_is_split_by_what_is_said(script_id: str, text: str, side: str) -> None:
    assert Detector(load_script(script_id, [BUNDLED_TEMPLATES])).side_of(text) == side


def test_no_microphone_is_a_clear_error_before_the_call() -> None:
    from coach.errors import CoachError

    try:
        source = microphone_chunks()
    except CoachError as exc:  # no sounddevice, no PortAudio, or no device
        assert "microphone" in str(exc)
    else:  # a machine with a microphone: it hands over audio
        _, channels = next(source)
        assert len(channels) == 1


# --- with the real model ------------------------------------------------------------
REQUIRED = os.environ.get("COACH_REQUIRE_AUDIO") == "1"


@pytest.fixture(scope="module")
def whisper() -> Any:
    from coach.call.listen import load_model
    from coach.errors import CoachError

    try:
        return load_model(None)
    except CoachError as exc:
        if REQUIRED:
            pytest.fail(f"the audio tests are required here: {exc}")
        pytest.skip(str(exc))


def drain(listener: Listener) -> list[Suggestion]:
    listener.join(timeout=300)
    out = []
    while not listener.suggestions.empty():
        out.append(listener.suggestions.get_nowait())
    return out


def test_listening_to_a_real_recording(whisper: Any) -> None:
    script = load_script("car-dealer-en", [BUNDLED_TEMPLATES])
    listener = Listener(script, file_chunks(RECORDING, speed=0), whisper)
    listener.start()
    found = drain(listener)
    heard = [s.data for s in found if s.kind == "heard"]
    assert len(heard) >= 8
    assert {h["side"] for h in heard} == {"rep", "client"}
    assert any("driving" in h["text"].lower() and h["side"] == "rep" for h in heard)
    ticks = [(s.data["stage"], s.data["question"]) for s in found if s.kind == "tick"]
    assert ("situation", 0) in ticks
    share = [s.data["rep_share"] for s in found if s.kind == "talk"][-1]
    assert 0.5 < share < 0.8  # the rep talks more, the client well over a fifth
    assert found[-1].kind == "status" and found[-1].data.get("done")


def test_the_screen_follows_a_real_recording(whisper: Any, tmp_path: Path) -> None:
    from textual.widgets import Static

    from coach.call.session import CallSession
    from coach.scripts.render import variable_values
    from coach.tui.call_app import CallApp

    script = load_script("car-dealer-en", [BUNDLED_TEMPLATES])
    values = variable_values(script, {}, use_examples=True)
    session = CallSession(script, values, tmp_path / "call", "Tom")
    listener = Listener(script, file_chunks(RECORDING, speed=0), whisper)
    app = CallApp(session, listener=listener)

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            listener.join(timeout=300)
            await pilot.pause(0.5)
            assert "You talk" in str(app.query_one("#rail", Static).render())
            await pilot.press("n")  # the keys still work

    asyncio.run(run())
    assert ("situation", 0) in session.state.ticked
    assert "situation" in session.state.visited  # followed forward from compliance
