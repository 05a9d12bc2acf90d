"""Metrics as pure functions of small hand-made calls whose answers are known."""

from __future__ import annotations

import pytest

from coach.analysis.analyse import analyse
from coach.analysis.metrics import (
    filler_rate,
    interactivity,
    longest_monologue,
    max_questions_in_a_row,
    pitch_before_first_reply,
    talk_ratio,
)
from coach.analysis.transcript import Role, parse_text

CALL = """\
[00:00 - 00:10] Rep: Hi, this is Anna from Acme. Is now a good time?
[00:10 - 00:12] Client: Yes, sure.
[00:12 - 00:20] Rep: What are you driving now? And how old is it?
[00:20 - 00:50] Client: A 2011 Civic, about ten years old, and it is falling apart on me every winter.
[00:50 - 01:40] Rep: We have a great range, um, you know, new and used, with finance from four percent and a free check. You can come in on Saturday. I can also send the details.
[01:40 - 01:41] Client: Mm-hm.
[01:41 - 02:00] Rep: Does Saturday at ten work for you?
[02:00 - 02:10] Client: Saturday at ten is fine, see you then.
"""


@pytest.fixture
def call():  # type: ignore[no-untyped-def]
    return parse_text(CALL, "call.txt")


def test_talk_ratio_by_time(call) -> None:  # type: ignore[no-untyped-def]
    ratio, basis = talk_ratio(call)
    rep = 10 + 8 + 50 + 19
    client = 2 + 30 + 1 + 10
    assert basis == "time"
    assert ratio == pytest.approx(rep / (rep + client))


def test_monologues_ignore_backchannels(call) -> None:  # type: ignore[no-untyped-def]
    assert longest_monologue(call, Role.rep) == pytest.approx(70.0)  # 00:50 → 02:00
    assert longest_monologue(call, Role.client) == pytest.approx(30.0)


def test_interactivity_counts_switches_per_minute(call) -> None:  # type: ignore[no-untyped-def]
    assert interactivity(call) == pytest.approx(7 / (130 / 60))


def test_pitch_before_first_substantive_reply(call) -> None:  # type: ignore[no-untyped-def]
    # "Yes, sure." is two words: the first real answer is the Civic at 00:20
    assert pitch_before_first_reply(call) == pytest.approx(18.0)


def test_questions_in_a_row_and_first_question(call) -> None:  # type: ignore[no-untyped-def]
    analysis = analyse(call)
    assert max_questions_in_a_row(call, analysis.questions) == 2
    metrics = analysis.metrics
    assert metrics.rep_questions == 4
    assert metrics.time_to_first_question_s is not None
    assert 5 < metrics.time_to_first_question_s < 10


@pytest.mark.parametrize(
    ("language", "lines", "rate"),
    [
        ("en", ["Rep: Um, so, you know, it is like really good.", "Client: Ok."], 100 * 3 / 9),
        ("ru", ["Менеджер: Ну, как бы, в общем, это хорошо.", "Клиент: Ага."], 100 * 3 / 7),
        ("en", ["Rep: It is very good.", "Client: Ok."], 0.0),
    ],
)
def test_filler_rate(language: str, lines: list[str], rate: float) -> None:
    call = parse_text(f"# language: {language}\n" + "\n".join(lines), "f.txt")
    assert filler_rate(call) == pytest.approx(rate)


def test_words_stand_in_without_timestamps() -> None:
    call = parse_text("Rep: one two three four five six\nClient: one two", "w.txt")
    ratio, basis = talk_ratio(call)
    assert (ratio, basis) == (pytest.approx(0.75), "words")
    metrics = analyse(call).metrics
    assert metrics.talk_basis == "words"
    assert metrics.longest_rep_monologue_s is None and metrics.interactivity is None
