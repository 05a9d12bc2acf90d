"""Transcript importers (FORMATS.md §1): plain text, JSON, SRT and VTT → one Transcript.

Tables of (input, expected); byte-level inputs are written to tmp_path, small whole calls
live in tests/data/transcripts/. Each case names the exact line (and column) of the problem.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from coach.analysis.metrics import talk_ratio
from coach.analysis.transcript import (
    Role,
    Transcript,
    TranscriptError,
    load_transcript,
    parse_transcript,
    single_spaced,
)
from coach.errors import Problem
from tests.conftest import Run
from tests.test_text import tricky_texts

Coach = Callable[..., Run]

DATA = Path(__file__).resolve().parent.parent / "data" / "transcripts"
REP, CLIENT = Role.rep, Role.client


def problems_of(text: str, path: str, **kwargs: str) -> list[Problem]:
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(text, path, **kwargs)
    return caught.value.problems


def load_problems(path: Path, **kwargs: str) -> list[Problem]:
    with pytest.raises(TranscriptError) as caught:
        load_transcript(path, **kwargs)
    return caught.value.problems


def shown(problems: list[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def turns(transcript: Transcript) -> list[tuple[Role, str | None, float | None, float | None, str]]:
    return [(u.speaker, u.label, u.start, u.end, u.text) for u in transcript.utterances]


# --- 1. plain text --------------------------------------------------------------------------
def test_text_file_headers_timestamps_continuations_and_ends() -> None:
    transcript = load_transcript(DATA / "timed.txt")
    assert transcript.meta == {
        "language": "en",
        "title": "Solar panels, first call",
        "script": "b2b-discovery",
    }
    assert transcript.language == "en"
    assert transcript.title == "Solar panels, first call"
    assert transcript.source == str(DATA / "timed.txt")
    assert transcript.timed
    assert transcript.warnings == ()
    assert turns(transcript) == [
        (REP, "Rep", 3.0, 7.0, "Good morning, this is Anna from Helio Roofs."),
        (CLIENT, "Client", 7.0, 9.5, "Hi."),
        (
            REP,
            "Rep",
            9.5,
            15.25,
            "How is the weather over there today? It has been raining here all week.",
        ),
        (CLIENT, "Client", 15.25, 20.0, "Sunny, thanks."),
        (REP, "Rep", 20.0, 26.0, "What made you look at solar panels?"),
        # the last end is estimated: 6 words at 2.5 words/s (English)
        (CLIENT, "Client", 30.0, pytest.approx(32.4), "The bills went up last winter."),
    ]
    assert [u.line for u in transcript.utterances] == [4, 5, 6, 8, 9, 10]
    assert [u.index for u in transcript.utterances] == list(range(6))


@pytest.mark.parametrize(
    ("stamp", "start", "end"),
    [
        ("00:03", 3.0, 5.0),  # mm:ss
        ("12:34", 754.0, 756.0),
        ("01:02:03", 3723.0, 3725.0),  # hh:mm:ss
        ("10:00:00", 36000.0, 36002.0),
        ("00:00:09.5", 9.5, 11.5),  # hh:mm:ss.ms
        ("00:00:09.250", 9.25, 11.25),
        ("00:01:02.007", 62.007, 64.007),
        ("1:05,250", 65.25, 67.25),  # m:ss,ms
        ("1:05,5", 65.5, 67.5),
        ("00:03 - 00:04", 3.0, 4.0),  # a range says where it ends
        ("00:03-00:04.5", 3.0, 4.5),
        ("00:03 – 00:04", 3.0, 4.0),  # en dash, as word processors write it
        ("00:00:03,000 - 00:00:07,000", 3.0, 7.0),
    ],
)
def test_text_timestamp_forms(stamp: str, start: float, end: float) -> None:
    following = start + 2  # without a range, the utterance ends where this one starts
    clock = f"{int(following // 3600):02d}:{int(following // 60 % 60):02d}:{following % 60:06.3f}"
    transcript = parse_transcript(f"[{stamp}] Rep: Hello.\n[{clock}] Client: Hi.", "t.txt")
    first = transcript.utterances[0]
    assert (first.start, first.end) == (pytest.approx(start), pytest.approx(end))


@pytest.mark.parametrize(
    ("language", "text", "duration"),
    [
        ("en", "Yes.", 1.0),  # at least a second
        ("en", "one two three four five six seven eight nine ten", 4.0),  # 2.5 words/s
        ("ru", "раз два три четыре пять шесть семь восемь девять десять одиннадцать", 5.0),
        ("et", " ".join(["sõna"] * 21), 10.0),  # 2.1 words/s
        ("no", " ".join(["ord"] * 23), 10.0),  # 2.3 words/s
        ("de", " ".join(["Wort"] * 12), 5.0),  # unknown language: 2.4 words/s
    ],
)
def test_text_last_end_is_estimated_from_its_words(
    language: str, text: str, duration: float
) -> None:
    transcript = parse_transcript(
        f"# language: {language}\n[00:10] Rep: Hello.\n[00:12] Client: {text}", "t.txt"
    )
    assert transcript.language == language
    last = transcript.utterances[-1]
    assert (last.start, last.end) == (12.0, pytest.approx(12.0 + duration))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rep: Hello.\nHow are you?\nClient: Fine.", ["Hello. How are you?", "Fine."]),
        ("Rep: Hello.\n   indented, too\n\nClient: Fine.", ["Hello. indented, too", "Fine."]),
        (  # a colon after four words is text, not a speaker
            "Rep: One more thing.\nthe price we agreed: 500 a month\nClient: Fine.",
            ["One more thing. the price we agreed: 500 a month", "Fine."],
        ),
        (  # a comma means a sentence, not a label
            "Rep: Hello.\nWell, to be honest: no.\nClient: Fine.",
            ["Hello. Well, to be honest: no.", "Fine."],
        ),
        (
            "Менеджер: Добрый день.\nУдобно говорить?\nКлиент: Да.",
            ["Добрый день. Удобно говорить?", "Да."],
        ),
        (
            "[00:01] Rep: Hello.\nAnyone there?\n[00:04] Client: Yes.",
            ["Hello. Anyone there?", "Yes."],
        ),
        pytest.param(
            "Rep: Can we meet\nat 10:30 tomorrow?\nClient: Fine.",
            ["Can we meet at 10:30 tomorrow?", "Fine."],
        ),
    ],
)
def test_text_line_without_speaker_continues_previous(text: str, expected: list[str]) -> None:
    transcript = parse_transcript(text, "t.txt")
    assert [u.text for u in transcript.utterances] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Rep: Hello.\nClient: Hi.\nRep: How are you?",
        "# language: ru\nМенеджер: Добрый день.\nКлиент: Здравствуйте.",
        "Rep: Time is 10:30.\nClient: Fine.",  # a colon inside the text is text
    ],
)
def test_text_without_timestamps_is_untimed(text: str) -> None:
    transcript = parse_transcript(text, "t.txt")
    assert not transcript.timed
    assert transcript.duration_s is None
    assert all(u.start is None and u.end is None for u in transcript.utterances)
    assert transcript.warnings == ()
    assert talk_ratio(transcript)[1] == "words"


@pytest.mark.parametrize(
    ("text", "missing", "total"),
    [
        ("[00:01] Rep: Hello.\nClient: Hi.", 1, 2),
        ("Rep: Hello.\n[00:03] Client: Hi.\nRep: Good.", 2, 3),
    ],
)
def test_text_mixed_timed_and_untimed_warns(text: str, missing: int, total: int) -> None:
    transcript = parse_transcript(text, "t.txt")
    assert not transcript.timed
    assert f"{missing} of {total} utterances have no timestamp" in " ".join(transcript.warnings)
    assert talk_ratio(transcript)[1] == "words"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Rep: Hello.\n[12:xx] Client: Hi.",
            [(2, "cannot read timestamp [12:xx]")],
        ),
        ("[1:02:03:04] Rep: Hello.\nClient: Hi.", [(1, "cannot read timestamp [1:02:03:04]")]),
        ("Hello there.\nRep: Hello.", [(1, "the first line must start with a speaker")]),
        ("[00:05] Rep: Hello.\n[00:03] Client: Hi.", [(2, "before the previous utterance")]),
        ("[00:05 - 00:03] Rep: Hello.\n[00:06] Client: Hi.", [(1, "ends before it starts")]),
        (  # each unknown label once, at its first line
            "# language: en\n\nRep: Hello.\nBoss: Who?\nBoss: Who is it?\nChef: Hm.",
            [(4, "unknown speaker 'Boss'"), (6, "unknown speaker 'Chef'")],
        ),
        ("Менеджер: Алло.\nДиректор: Слушаю.", [(2, "unknown speaker 'Директор'")]),
        pytest.param(
            "[00:01] Hello, is anyone there?\nRep: Hello.",
            [(1, "speaker")],
            id="timestamp-without-speaker",
        ),
    ],
)
def test_text_errors_name_the_line(text: str, expected: list[tuple[int, str]]) -> None:
    problems = problems_of(text, "call.txt")
    assert [p.line for p in problems] == [line for line, _ in expected], shown(problems)
    assert all(p.file == "call.txt" for p in problems)
    for problem, (_, fragment) in zip(problems, expected, strict=True):
        assert fragment in problem.message
        assert "cannot read timestamp [00:01]" not in problem.message


# --- 2. speaker labels -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Rep", REP),
        ("REP", REP),
        ("rep", REP),
        ("Agent", REP),
        ("Seller", REP),
        ("Sales", REP),
        ("Sales Rep", REP),
        ("Manager", REP),
        ("Operator", REP),
        ("SDR", REP),
        ("sdr", REP),
        ("Менеджер", REP),
        ("МЕНЕДЖЕР", REP),
        ("Продавец", REP),
        ("Оператор", REP),
        ("Консультант", REP),
        ("Müüja", REP),
        ("MÜÜJA", REP),
        ("Konsultant", REP),
        ("Selger", REP),
        ("Rådgiver", REP),
        ("Client", CLIENT),
        ("CLIENT", CLIENT),
        ("Customer", CLIENT),
        ("Prospect", CLIENT),
        ("Buyer", CLIENT),
        ("Lead", CLIENT),
        ("Клиент", CLIENT),
        ("кЛиЕнТ", CLIENT),
        ("Покупатель", CLIENT),
        ("Klient", CLIENT),
        ("Ostja", CLIENT),
        ("Kunde", CLIENT),
        ("KJØPER", CLIENT),
    ],
)
def test_speaker_label_maps_to_role(label: str, role: Role) -> None:
    transcript = parse_transcript(f"[00:01] {label}: Hello.\n", "labels.txt")
    (utterance,) = transcript.utterances
    assert utterance.speaker is role
    assert utterance.label == label


@pytest.mark.parametrize(
    ("text", "line", "label"),
    [
        ("Rep: Hello.\nBoss: Who is it?", 2, "Boss"),
        ("Anna: Hello.\nClient: Hi.", 1, "Anna"),
        ("# language: ru\nМенеджер: Алло.\n\nДиректор: Слушаю.", 4, "Директор"),
        ("Müüja: Tere.\nÜlemus: Tere.", 2, "Ülemus"),
    ],
)
def test_unknown_label_names_file_line_and_suggests_rep(text: str, line: int, label: str) -> None:
    (problem,) = problems_of(text, "calls/unknown.txt")
    assert (problem.file, problem.line) == ("calls/unknown.txt", line)
    assert f"unknown speaker '{label}'" in problem.message
    assert "--rep" in problem.message
    assert str(problem).startswith(f"calls/unknown.txt:{line}: ")


def test_unknown_label_in_a_file() -> None:
    path = DATA / "unknown_speaker.txt"
    (problem,) = load_problems(path)
    assert (problem.file, problem.line) == (str(path), 5)
    assert "'Boss'" in problem.message and "--rep" in problem.message


@pytest.mark.parametrize("rep_label", ["Anna", "anna", " ANNA "])
def test_rep_label_makes_every_other_label_a_client(rep_label: str) -> None:
    text = "Anna: Hello.\nMark: Hi.\nRep: Also me?\nМенеджер: И я?\nBoss: Hm."
    transcript = parse_transcript(text, "t.txt", rep_label=rep_label)
    assert [(u.label, u.speaker) for u in transcript.utterances] == [
        ("Anna", REP),
        ("Mark", CLIENT),
        ("Rep", CLIENT),
        ("Менеджер", CLIENT),
        ("Boss", CLIENT),
    ]


def test_rep_label_on_a_file() -> None:
    path = DATA / "named_speakers.txt"
    assert {p.line for p in load_problems(path)} == {2, 3}
    transcript = load_transcript(path, rep_label="Anna")
    assert [u.speaker for u in transcript.utterances] == [REP, CLIENT, REP, CLIENT]


# --- 3. JSON ----------------------------------------------------------------------------------
def test_json_file_roles_labels_words_and_extra_keys() -> None:
    transcript = load_transcript(DATA / "call.json")
    assert transcript.language == "en"
    assert transcript.title == "Heat pump follow-up"
    assert turns(transcript) == [
        (REP, "rep", 0.0, 3.2, "Good morning, Mark."),
        (CLIENT, "Customer", 3.4, 4.1, "Hi."),
        (REP, "Agent", None, None, "How are the bills?"),
    ]
    first = transcript.utterances[0]
    assert [(w.text, w.start, w.end, w.probability) for w in first.words] == [
        ("Good", 0.1, 0.4, 0.98),
        ("morning,", 0.4, 0.9, 0.95),
        ("Mark.", 1.0, 1.4, None),
    ]
    assert transcript.utterances[1].words == ()
    assert "1 of 3 utterances have no timestamp" in " ".join(transcript.warnings)


def test_json_with_rep_label() -> None:
    text = json.dumps(
        {"utterances": [{"speaker": "Anna", "text": "Hello."}, {"speaker": "Mark", "text": "Hi."}]}
    )
    transcript = parse_transcript(text, "t.json", rep_label="Anna")
    assert [u.speaker for u in transcript.utterances] == [REP, CLIENT]


# Line 7 holds the utterance object under test.
JSON_TEMPLATE = """{
  "schema_version": 1,
  "language": "en",
  "title": "Line numbers",
  "utterances": [
    {"speaker": "rep", "start": 1.0, "end": 3.0, "text": "Hello, this is Anna."},
    BAD,
    {"speaker": "rep", "start": 9.0, "end": 10.0, "text": "Talk soon."}
  ]
}
"""


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ('{"speaker": "client", "start": 4.0, "text": "Hi."}', "give both start and end"),
        ('{"speaker": "client", "end": 4.0, "text": "Hi."}', "give both start and end"),
        ('{"speaker": "client", "start": -1.0, "end": 4.0, "text": "Hi."}', "negative time"),
        ('{"speaker": "client", "start": 5.0, "end": 4.0, "text": "Hi."}', "ends before it starts"),
        (
            '{"speaker": "client", "start": 0.5, "end": 2.0, "text": "Hi."}',
            "before the previous utterance",
        ),
        ('{"speaker": "client", "start": "4", "end": 5, "text": "Hi."}', "utterances[1]:"),
        ('{"speaker": "client", "start": true, "end": 5, "text": "Hi."}', "number"),
        ('{"speaker": "client", "start": 4, "end": 5}', 'missing "text"'),
        ('{"speaker": "", "start": 4, "end": 5, "text": "Hi."}', 'missing "speaker"'),
        ('{"start": 4, "end": 5, "text": "Hi."}', 'missing "speaker"'),
        (
            '{"speaker": "client",\n     "start": 4.0,\n     "text": "Hi."}',
            "give both start and end",
        ),
        pytest.param(
            '{"speaker": "Boss", "start": 4, "end": 5, "text": "Hi."}',
            "unknown speaker 'Boss'",
            id="unknown-speaker",
        ),
        pytest.param(
            '{"speaker": "client", "start": NaN, "end": 5, "text": "Hi."}',
            "number",
            marks=(),
            id="nan",
        ),
        pytest.param(
            '{"speaker": "client", "start": 4, "end": Infinity, "text": "Hi."}',
            "number",
            marks=(),
            id="infinity",
        ),
    ],
)
def test_json_utterance_errors_name_its_line(bad: str, fragment: str) -> None:
    problems = problems_of(JSON_TEMPLATE.replace("BAD", bad), "t.json")
    assert {(p.file, p.line) for p in problems} == {("t.json", 7)}, shown(problems)
    assert any(fragment in p.message for p in problems), shown(problems)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            '{\n  "speakers": [{"id": "rep"}, {"id": "client"}],\n  "utterances": [\n'
            '    {"speaker": "rep", "start": 0, "end": 1, "text": "Hello."},\n'
            '    {"speaker": "client", "start": 2, "text": "Hi."}\n  ]\n}',
            5,
            id="extra-list-before-utterances",
        ),
        pytest.param(
            '{\n  "utterances": [\n    {"speaker": "rep", "text": "Hello."},\n    5,\n'
            '    {"speaker": "client", "text": 7}\n  ]\n}',
            4,
            id="non-object-item",
        ),
    ],
)
def test_json_line_numbers_survive_odd_shapes(text: str, line: int) -> None:
    problems = problems_of(text, "t.json")
    assert problems[0].line == line, shown(problems)
    assert all(p.line is not None for p in problems), shown(problems)


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        (
            JSON_TEMPLATE.replace("BAD", '{"speaker": "client", "text": "Hi.",}'),
            7,
            41,  # the '}' after the trailing comma
            "Expecting property name",
        ),
        (
            JSON_TEMPLATE.replace("BAD,", '{"speaker": "client", "text": "Hi."}'),
            8,
            5,
            "Expecting ',' delimiter",
        ),
        (JSON_TEMPLATE.replace("BAD", "{'speaker': 'client'}"), 7, 6, "Expecting property name"),
        # a line break inside a string: the place it breaks
        ('{"utterances": [\n  {"speaker": "rep", "text": "Hello}\n]}', 2, 37, "control character"),
        # a string left open at the end: the place it opens
        ('{"utterances": [\n  {"speaker": "rep", "text": "Hello}', 2, 30, "Unterminated string"),
        ("", None, None, "the transcript is empty"),
    ],
)
def test_invalid_json_names_line_and_column(
    text: str, line: int, column: int, fragment: str
) -> None:
    (problem,) = problems_of(text, "t.json")
    assert (problem.file, problem.line, problem.column) == ("t.json", line, column)
    assert fragment in problem.message
    assert problem.message.startswith("invalid JSON") or not text.strip()


@pytest.mark.parametrize(
    "version",
    [
        "2",
        "0",
        '"2"',
        "null",
        pytest.param(
            "true",
        ),
    ],
)
def test_json_unsupported_schema_version(version: str) -> None:
    text = f'{{"schema_version": {version}, "utterances": [{{"speaker": "rep", "text": "Hi."}}]}}'
    (problem,) = problems_of(text, "t.json")
    assert problem.file == "t.json"
    assert "schema_version" in problem.message and "must be the number 1" in problem.message


@pytest.mark.parametrize(
    "text", ["[]", '{"turns": []}', '{"utterances": "Rep: Hello."}', '"hello"', "null"]
)
def test_json_without_utterance_list(text: str) -> None:
    (problem,) = problems_of(text, "t.json")
    assert (problem.file, problem.line) == ("t.json", 1)
    assert '"utterances" list' in problem.message


# --- 4. subtitles -----------------------------------------------------------------------------
def test_srt_file() -> None:
    transcript = load_transcript(DATA / "call.srt")
    assert transcript.timed
    assert turns(transcript) == [
        (REP, "Rep", 1.5, 4.0, "Good morning, this is Anna from Helio Roofs."),
        # the cue right after, with no speaker, continues the client's turn
        (CLIENT, "Client", 4.5, 7.0, "Hi, who is this? I did not catch that."),
        (REP, "Agent", 8.0, 10.0, "Anna, from Helio Roofs."),
    ]
    assert [u.line for u in transcript.utterances] == [3, 8, 16]


def test_vtt_file() -> None:
    transcript = load_transcript(DATA / "call.vtt")
    assert turns(transcript) == [
        (REP, "Rep", 1.5, 4.0, "Good morning, this is Anna from Helio Roofs."),
        (CLIENT, "Client", 4.5, 6.0, "Who is this?"),
        (REP, "Менеджер", 66.0, 68.0, "Анна, «Гелио»."),
    ]
    assert [u.line for u in transcript.utterances] == [7, 11, 14]


SRT_CUE = "{n}\n00:00:0{n},000 --> 00:00:0{n},900\n{text}\n\n"
VTT_HEAD = "WEBVTT\n\n"
VTT_CUE = "00:0{n}.000 --> 00:0{n}.900\n{text}\n\n"


def srt(*texts: str) -> str:
    return "".join(SRT_CUE.format(n=n, text=t) for n, t in enumerate(texts, start=1))


def vtt(*texts: str) -> str:
    return VTT_HEAD + "".join(VTT_CUE.format(n=n, text=t) for n, t in enumerate(texts, start=1))


@pytest.mark.parametrize(
    ("suffix", "text", "expected"),
    [
        (
            ".srt",
            srt("Rep: Hello.", "Client: Hi."),
            [(REP, "Rep", "Hello."), (CLIENT, "Client", "Hi.")],
        ),
        (
            ".srt",
            srt("[CSR] Hello.", "[Customer] Hi."),
            [(REP, "CSR", "Hello."), (CLIENT, "Customer", "Hi.")],
        ),
        (
            ".srt",
            srt("- Agent: Hello.", "- Client: Hi."),
            [(REP, "Agent", "Hello."), (CLIENT, "Client", "Hi.")],
        ),
        (
            ".srt",
            srt("(Rep) Hello.", "(Lead) Hi."),
            [(REP, "Rep", "Hello."), (CLIENT, "Lead", "Hi.")],
        ),
        (
            ".srt",
            srt("<i>Rep: Hello,</i>\n<b>how</b> are you?", '<font color="red">Client:</font> Hi.'),
            [(REP, "Rep", "Hello, how are you?"), (CLIENT, "Client", "Hi.")],
        ),
        (
            ".srt",
            srt("Менеджер: Добрый день.", "Клиент: Здравствуйте."),
            [(REP, "Менеджер", "Добрый день."), (CLIENT, "Клиент", "Здравствуйте.")],
        ),
        (
            ".vtt",
            vtt("<v Rep>Hello.</v>", "<v Client>Hi.</v>"),
            [(REP, "Rep", "Hello."), (CLIENT, "Client", "Hi.")],
        ),
        (
            ".vtt",
            vtt("<v.loud Rep>Hello.</v>", "<v.soft.slow Client>Hi.</v>"),
            [(REP, "Rep", "Hello."), (CLIENT, "Client", "Hi.")],
        ),
        (
            ".vtt",
            vtt("<v Rep><i>Hello</i>,\nhow are <b>you</b>?</v>", "<v Client>Hi."),
            [(REP, "Rep", "Hello, how are you?"), (CLIENT, "Client", "Hi.")],
        ),
        (
            ".vtt",
            vtt("Rep: Hello.", "Kunde: Hei."),
            [(REP, "Rep", "Hello."), (CLIENT, "Kunde", "Hei.")],
        ),
        (  # the reader goes by content when the suffix says nothing
            ".txt",
            vtt("<v Selger>Hei.</v>", "<v Kunde>Hei.</v>"),
            [(REP, "Selger", "Hei."), (CLIENT, "Kunde", "Hei.")],
        ),
        (  # a cue with no speaker right after the last one continues it
            ".vtt",
            vtt("<v Rep>Hello,", "how are you?", "<v Client>Hi."),
            [(REP, "Rep", "Hello, how are you?"), (CLIENT, "Client", "Hi.")],
        ),
    ],
)
def test_subtitle_speakers_and_text(
    suffix: str, text: str, expected: list[tuple[Role, str, str]]
) -> None:
    transcript = parse_transcript(text, f"call{suffix}")
    assert [(u.speaker, u.label, u.text) for u in transcript.utterances] == expected
    assert transcript.timed


@pytest.mark.parametrize(
    ("timing", "start", "end"),
    [
        ("00:00:01,500 --> 00:00:04,000", 1.5, 4.0),
        ("00:01.500 --> 00:04.000", 1.5, 4.0),
        ("01:02:03.250 --> 01:02:04.000", 3723.25, 3724.0),
        ("00:00:01.500 --> 00:00:04.000 align:start position:10%", 1.5, 4.0),
        ("00:01,5 --> 00:04", 1.5, 4.0),
    ],
)
def test_subtitle_cue_times(timing: str, start: float, end: float) -> None:
    transcript = parse_transcript(f"WEBVTT\n\n{timing}\n<v Rep>Hello.</v>\n", "call.vtt")
    (utterance,) = transcript.utterances
    assert (utterance.start, utterance.end) == (pytest.approx(start), pytest.approx(end))


@pytest.mark.parametrize(
    ("suffix", "text", "expected"),
    [
        (  # two seconds of silence: not a continuation
            ".srt",
            "1\n00:00:01,000 --> 00:00:02,000\nRep: Hello.\n\n"
            "2\n00:00:04,000 --> 00:00:05,000\nAnyone there?\n",
            [(7, "cue text must start with a speaker")],
        ),
        (".vtt", vtt("Hello.", "<v Client>Hi."), [(4, "cue text must start with a speaker")]),
        (".vtt", vtt("<v Boss>Hello.", "<v Client>Hi."), [(4, "unknown speaker 'Boss'")]),
        (
            ".vtt",
            (DATA / "out_of_order.vtt").read_text(encoding="utf-8"),
            [(7, "before the previous utterance")],
        ),
        (
            ".srt",
            "1\n00:00:05,000 --> 00:00:03,000\nRep: Hello.\n",
            [(3, "ends before it starts")],
        ),
        (".vtt", "WEBVTT\n\nNOTE nothing here\n", [(None, "no subtitle cues")]),
        (".srt", "Rep: Hello.\n", [(None, "no subtitle cues")]),
    ],
)
def test_subtitle_errors_name_the_line(
    suffix: str, text: str, expected: list[tuple[int | None, str]]
) -> None:
    problems = problems_of(text, f"call{suffix}")
    assert [p.line for p in problems] == [line for line, _ in expected], shown(problems)
    assert all(p.file == f"call{suffix}" for p in problems)
    for problem, (_, fragment) in zip(problems, expected, strict=True):
        assert fragment in problem.message


def test_srt_cue_without_blank_line_is_not_swallowed() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nRep: Hello.\n"
        "2\n00:00:02,000 --> 00:00:03,000\nClient: Hi.\n"
    )
    try:
        transcript = parse_transcript(text, "call.srt")
    except TranscriptError:
        return  # an error is a fair answer too
    assert all("-->" not in u.text for u in transcript.utterances)
    assert [u.speaker for u in transcript.utterances] == [REP, CLIENT]


# --- 5. bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "raw", "line", "column", "fragment"),
    [
        ("empty.txt", b"", None, None, "empty"),
        ("blank.txt", b"  \n\t\n\r\n", None, None, "empty"),
        ("comments.txt", b"# language: en\n# title: Nothing said\n", None, None, "empty"),
        ("empty.srt", b"", None, None, "the transcript is empty"),
        ("empty.vtt", b"WEBVTT\n", None, None, "no subtitle cues"),
        ("empty.json", b"", None, None, "the transcript is empty"),
        ("no_turns.json", b'{"utterances": []}', None, None, "empty"),
        ("junk.txt", b"Rep: Hello.\n\x00\x01\x02\xff\xfe junk", 2, None, "binary data (NUL byte)"),
        ("junk.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, None, "binary data"),
        ("latin1.txt", "Rep: Hello.\nClient: Café?\n".encode("latin-1"), 2, 12, "not UTF-8"),
        (
            "cp1251.txt",
            "# language: ru\nМенеджер: Добрый день.\n".encode("cp1251"),
            2,
            1,
            "not UTF-8 text (byte 0xcc)",
        ),
        ("utf16.txt", "Rep: Hello.\nClient: Hi.\n".encode("utf-16"), 1, 1, "UTF-16"),
        ("utf16.json", '{"utterances": []}'.encode("utf-16"), 1, 1, "UTF-16"),
        pytest.param(
            "utf16le.txt",
            "Rep: Hello.\nClient: Hi.\n".encode("utf-16-le"),
            1,
            1,
            "UTF-16",
            id="utf16-without-bom",
        ),
        ("bad_ts.txt", b"Rep: Hello.\n[12:xx] Client: Hi.\n", 2, None, "[12:xx]"),
    ],
)
def test_bad_input_is_one_located_problem(
    tmp_path: Path, name: str, raw: bytes, line: int | None, column: int | None, fragment: str
) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    (problem,) = load_problems(path)
    assert problem.file == str(path)
    assert (problem.line, problem.column) == (line, column), str(problem)
    assert fragment in problem.message


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffRep: Hello.\r\nClient: Hi.\r\n".encode())
    transcript = load_transcript(path)
    assert [(u.label, u.text) for u in transcript.utterances] == [
        ("Rep", "Hello."),
        ("Client", "Hi."),
    ]


@pytest.mark.parametrize(
    ("path", "text", "warning"),
    [
        ("t.txt", "Rep: Hello?\nAnyone there?\nRep: Hello!", "only the rep speaks"),
        ("t.txt", "Клиент: Алло?\nКлиент: Алло!", "no rep utterance"),
        ("t.json", '{"utterances": [{"speaker": "agent", "text": "Hello?"}]}', "only the rep"),
        ("t.vtt", vtt("<v Customer>Hello?"), "no rep utterance"),
    ],
)
def test_one_speaker_loads_with_a_warning(path: str, text: str, warning: str) -> None:
    transcript = parse_transcript(text, path)
    assert transcript.utterances
    assert len({u.speaker for u in transcript.utterances}) == 1
    assert any(warning in w for w in transcript.warnings), transcript.warnings


def test_bad_timestamp_file_names_the_line() -> None:
    path = DATA / "bad_timestamp.txt"
    (problem,) = load_problems(path)
    assert str(problem).startswith(f"{path}:3: cannot read timestamp [12:xx]")


# --- 6. scale ---------------------------------------------------------------------------------
SCALE = 100_000


def test_json_with_100k_utterances() -> None:
    data = {
        "schema_version": 1,
        "utterances": [
            {
                "speaker": "rep" if i % 2 == 0 else "client",
                "start": i * 2.0,
                "end": i * 2.0 + 1.5,
                "text": f"utterance number {i}",
            }
            for i in range(SCALE)
        ],
    }
    transcript = parse_transcript(json.dumps(data, indent=1), "big.json")
    assert len(transcript.utterances) == SCALE
    last = transcript.utterances[-1]
    assert (last.text, last.speaker, last.start) == ("utterance number 99999", CLIENT, 199998.0)


def test_text_with_100k_utterances() -> None:
    def stamp(seconds: int) -> str:
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"

    text = "\n".join(
        f"[{stamp(i * 2)}] {'Rep' if i % 2 == 0 else 'Client'}: utterance number {i}"
        for i in range(SCALE)
    )
    transcript = parse_transcript(text, "big.txt")
    assert len(transcript.utterances) == SCALE
    last = transcript.utterances[-1]
    assert (last.text, last.speaker, last.start, last.line) == (
        "utterance number 99999",
        CLIENT,
        199998.0,
        SCALE,
    )
    assert transcript.utterances[-2].end == 199998.0


# --- 7. the CLI -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("unknown_speaker.txt", 5),
        ("bad_timestamp.txt", 3),
        ("broken.json", 5),
        ("out_of_order.vtt", 7),
    ],
)
def test_cli_bad_transcript_exits_1_with_file_and_line(coach: Coach, name: str, line: int) -> None:
    path = DATA / name
    result = coach("score", str(path))
    assert result.code == 1, result.err
    assert f"{path}:{line}:" in result.err
    assert "Traceback" not in result.err
    assert result.out == ""


def test_cli_scores_a_good_transcript(coach: Coach) -> None:
    result = coach("score", str(DATA / "tiny.txt"))
    assert result.code == 0, result.err
    assert "tiny.txt" in result.out
    assert "Traceback" not in result.err


def test_cli_rep_names_the_rep(coach: Coach) -> None:
    path = str(DATA / "named_speakers.txt")
    without = coach("score", path)
    assert without.code == 1 and "--rep" in without.err
    with_rep = coach("score", "--rep", "Anna", "--format", "json", path)
    assert with_rep.code == 0, with_rep.err
    card = json.loads(with_rep.out)
    assert [u["speaker"] for u in card["utterances"]] == ["rep", "client", "rep", "client"]


TOP_KEYS = {
    "schema_version",
    "source",
    "language",
    "duration_s",
    "script",
    "rubric",
    "total",
    "max_total",
    "criteria",
    "stages",
    "metrics",
    "utterances",
}
METRIC_KEYS = {
    "talk_basis",
    "rep_talk_ratio",
    "rep_questions",
    "open_questions",
    "closed_questions",
    "spin_counts",
    "longest_rep_monologue_s",
    "longest_client_monologue_s",
    "interactivity",
    "rep_words_per_minute",
    "time_to_first_question_s",
}


def test_cli_json_has_the_scorecard_keys(coach: Coach) -> None:
    path = DATA / "tiny.txt"
    result = coach("score", "--format", "json", str(path))
    assert result.code == 0, result.err
    card = json.loads(result.out)
    assert TOP_KEYS - set(card) == set()
    assert METRIC_KEYS - set(card["metrics"]) == set()
    assert card["schema_version"] == 1
    assert card["source"] == str(path)
    assert card["language"] == "en"
    assert card["metrics"]["talk_basis"] == "time"
    assert len(card["utterances"]) == 4


def test_cli_fail_under_exits_3(coach: Coach) -> None:
    result = coach("score", "--fail-under", "101", str(DATA / "tiny.txt"))
    assert result.code == 3, result.err
    assert "below 101" in result.err


def test_cli_scores_every_transcript_in_a_directory(coach: Coach, tmp_path: Path) -> None:
    tiny = (DATA / "tiny.txt").read_text(encoding="utf-8")
    (tmp_path / "a.txt").write_text(tiny, encoding="utf-8")
    (tmp_path / "b.md").write_text(tiny, encoding="utf-8")
    for name in ("call.json", "call.srt", "call.vtt"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    (tmp_path / "notes.csv").write_text("not,a,transcript\n", encoding="utf-8")
    result = coach("score", "--format", "json", str(tmp_path))
    assert result.code == 0, result.err
    sources = sorted(Path(card["source"]).name for card in json.loads(result.out))
    assert sources == ["a.txt", "b.md", "call.json", "call.srt", "call.vtt"]


def test_cli_directory_with_one_bad_file_still_scores_the_rest(
    coach: Coach, tmp_path: Path
) -> None:
    (tmp_path / "good.txt").write_bytes((DATA / "tiny.txt").read_bytes())
    (tmp_path / "bad.txt").write_text("Rep: Hello.\nBoss: Who?\n", encoding="utf-8")
    result = coach("score", "--format", "json", str(tmp_path))
    assert result.code == 1
    assert f"{tmp_path / 'bad.txt'}:2:" in result.err and "Traceback" not in result.err
    assert Path(json.loads(result.out)["source"]).name == "good.txt"


# --- 8. talk ratio ----------------------------------------------------------------------------
TIMED_CALL = """\
[00:00 - 00:10] Rep: Hello, this is Anna from Helio Roofs calling about your roof.
[00:08 - 00:12] Client: Yes, hello.
[00:12] Rep: What made you look at solar panels?
[00:20 - 00:30] Client: The bills went up a lot last winter.
"""


@pytest.mark.parametrize(
    ("path", "text", "ratio", "basis"),
    [
        # rep 10 s + 8 s (ends where the next starts) = 18; client 4 s + 10 s = 14;
        # the 2 s overlap at 00:08-00:10 counts for both: 18 / 32
        ("t.txt", TIMED_CALL, 18 / 32, "time"),
        # the same words without times: rep 11 + 7 words, client 2 + 8 words
        (
            "t.txt",
            "\n".join(line.split("] ", 1)[1] for line in TIMED_CALL.splitlines()),
            18 / 28,
            "words",
        ),
        # Менеджер 6 + 7 words, Клиент 1 + 3 words
        ("untimed.txt", (DATA / "untimed.txt").read_text(encoding="utf-8"), 13 / 17, "words"),
        # one untimed line makes the whole call count words: rep 2 + 1, client 1
        ("t.txt", "[00:00] Rep: Hello there.\n[00:30] Client: Hi.\nRep: Bye.", 3 / 4, "words"),
        # per-word times beat padded segment edges: rep 1.0-4.0 = 3 s, client 2 s
        (
            "t.json",
            json.dumps(
                {
                    "utterances": [
                        {
                            "speaker": "rep",
                            "start": 0.0,
                            "end": 10.0,
                            "text": "Hello there.",
                            "words": [
                                {"word": "Hello", "start": 1.0, "end": 2.0},
                                {"word": "there.", "start": 2.5, "end": 4.0},
                            ],
                        },
                        {"speaker": "client", "start": 10.0, "end": 12.0, "text": "Hi."},
                    ]
                }
            ),
            3 / 5,
            "time",
        ),
    ],
)
def test_talk_ratio(path: str, text: str, ratio: float, basis: str) -> None:
    transcript = parse_transcript(text, path)
    assert talk_ratio(transcript) == (pytest.approx(ratio), basis)


def test_every_whitespace_but_the_space_is_unprintable() -> None:
    """What ``single_spaced`` relies on to leave a printable text as it is."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert [c for c in spaces if c.isprintable()] == [" "]
    assert all(c.split() == [] for c in spaces)


@pytest.mark.parametrize(
    "text",
    [
        "Hello there",
        " Hello",
        "Hello ",
        "Hello  there",
        "a\tb",
        "a\u00a0b",
        "Ну\u2028да",
        "x",
        "  ",
    ],
)
def test_single_spaced_joins_the_words_with_one_space(text: str) -> None:
    assert single_spaced(text) == " ".join(text.split())


def test_single_spaced_joins_the_words_with_one_space_on_random_text() -> None:
    for text in tricky_texts(11):
        assert single_spaced(text) == " ".join(text.split()), repr(text)
