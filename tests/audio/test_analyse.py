"""`coach analyse` on real speech with a real Whisper model (slow; CI runs them).

The calls are synthesised with known words and times: English with two espeak-ng voices,
Russian with Festival (the client pitched up to sound like someone else).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from coach.analysis.metrics import talk_ratio
from coach.analysis.transcribe import TranscribeOptions, transcribe_recording
from coach.analysis.transcript import Transcript
from coach.analysis.wer import word_error_rate
from coach.analysis.whisper_models import installed_path
from tests.audio.synth import Call, build_call, mono, stereo, tools_missing, write_wav
from tests.conftest import Run

pytestmark = pytest.mark.slow
REQUIRED = os.environ.get("COACH_REQUIRE_AUDIO") == "1"  # CI: a skip would hide a gap


def _need(reason: str | None) -> None:
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"audio tests required but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    found = installed_path("base")
    _need(None if found else "the Whisper model is not installed (coach models install)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Call]:
    out = {}
    for language in ("en", "ru"):
        _need(tools_missing(language))
        out[language] = build_call(language)
    return out


@pytest.fixture(scope="session")
def files(calls: dict[str, Call], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("calls")
    out = {}
    for language, call in calls.items():
        out[f"{language}-stereo"] = stereo(call, folder / f"{language}-stereo.wav")
        out[f"{language}-stereo-8k"] = stereo(call, folder / f"{language}-stereo-8k.wav", 8000)
        out[f"{language}-mono-8k"] = mono(call, folder / f"{language}-mono-8k.wav", 8000)
    return out


def truth_role(call: Call, time: float) -> str:
    def distance(turn: object) -> float:
        start, end = turn.start, turn.end  # type: ignore[attr-defined]
        return 0.0 if start <= time <= end else min(abs(time - start), abs(time - end))

    return min(call.turns, key=distance).role


def attributed_share(call: Call, transcript: Transcript) -> float:
    """Share of recognised speech time given to the right side."""
    right = total = 0.0
    for utterance in transcript.utterances:
        for word in utterance.words:
            length = word.end - word.start
            total += length
            right += length * (
                truth_role(call, (word.start + word.end) / 2) == utterance.speaker.value
            )
    return right / total


def run(path: Path, language: str, model_dir: Path, **kwargs: str) -> Transcript:
    options = TranscribeOptions(model=str(model_dir), language=language, **kwargs)
    transcript, _ = transcribe_recording(path, options)
    return transcript


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("variant", ["stereo", "stereo-8k"])
def test_stereo_attribution_is_exact(
    language: str, variant: str, calls: dict[str, Call], files: dict[str, Path], model_dir: Path
) -> None:
    call = calls[language]
    transcript = run(files[f"{language}-{variant}"], language, model_dir)
    assert attributed_share(call, transcript) == pytest.approx(1.0)
    ratio, basis = talk_ratio(transcript)
    assert basis == "time"
    assert ratio == pytest.approx(call.rep_talk_ratio, abs=0.02)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_mono_phone_audio_separates_the_voices(
    language: str, calls: dict[str, Call], files: dict[str, Path], model_dir: Path
) -> None:
    call = calls[language]
    transcript = run(files[f"{language}-mono-8k"], language, model_dir)
    assert attributed_share(call, transcript) >= 0.90
    ratio, _ = talk_ratio(transcript)
    assert ratio == pytest.approx(call.rep_talk_ratio, abs=0.05)


@pytest.mark.parametrize(("language", "limit"), [("en", 0.10), ("ru", 0.25)])
def test_word_error_rate(
    language: str, limit: float, calls: dict[str, Call], files: dict[str, Path], model_dir: Path
) -> None:
    transcript = run(files[f"{language}-stereo"], language, model_dir)
    reference = " ".join(t.text for t in calls[language].turns)
    hypothesis = " ".join(u.text for u in transcript.utterances)
    assert word_error_rate(reference, hypothesis) <= limit


def test_rep_channel_can_be_named(files: dict[str, Path], model_dir: Path) -> None:
    transcript = run(files["en-stereo"], "en", model_dir, rep_channel="right")
    assert transcript.utterances[0].speaker.value == "client"  # the left side greets


def test_words_keep_times_and_probabilities(files: dict[str, Path], model_dir: Path) -> None:
    transcript = run(files["en-stereo"], "en", model_dir)
    for utterance in transcript.utterances:
        assert utterance.words
        assert utterance.start == utterance.words[0].start
        assert all(0 <= (w.probability or 0) <= 1 for w in utterance.words)
        assert all(
            a.start <= b.start for a, b in zip(utterance.words, utterance.words[1:], strict=False)
        )


def test_silent_channel_is_mono_with_a_warning(
    calls: dict[str, Call], model_dir: Path, tmp_path: Path
) -> None:
    call = calls["en"]
    path = write_wav(tmp_path / "one-side.wav", [call.rep, np.zeros_like(call.rep)])
    transcript = run(path, "en", model_dir)
    assert any("right channel is silent" in w for w in transcript.warnings)


def test_no_text_is_invented_on_noise(model_dir: Path, tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    noise = (rng.normal(0, 0.05, 16000 * 20)).astype(np.float32)
    path = write_wav(tmp_path / "noise.wav", [noise])
    try:
        transcript = run(path, "en", model_dir)
    except Exception as exc:  # "no speech was recognised" is the right answer
        assert "no speech" in str(exc)
        return
    assert sum(u.word_count for u in transcript.utterances) <= 3


Coach = Callable[..., Run]


def test_analyse_command_end_to_end(
    coach: Coach, files: dict[str, Path], model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = (
        "analyse",
        str(files["en-stereo"]),
        str(files["ru-mono-8k"]),
        "--out",
        str(out),
        "--model",
        str(model_dir),
        "--progress",
        "json",
    )
    first = coach(*args)
    assert first.code == 0, first.err
    transcript = json.loads((out / "en-stereo.transcript.json").read_text(encoding="utf-8"))
    assert transcript["utterances"][0]["words"][0]["probability"] is not None
    assert transcript["attribution"]["method"] == "stereo"
    scorecard = json.loads((out / "ru-mono-8k.scorecard.json").read_text(encoding="utf-8"))
    assert scorecard["metrics"]["talk_basis"] == "time"
    assert scorecard["attribution"]["method"] == "diarized"
    events = [json.loads(line) for line in first.err.splitlines() if line.startswith("{")]
    assert any("eta_s" in e for e in events)
    second = coach(*args)
    cached = [json.loads(line) for line in second.err.splitlines() if '"cached"' in line]
    assert cached and all(e["cached"] for e in cached)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the file is empty"), (b"not audio at all" * 100, "not a readable audio file")],
)
def test_bad_recordings_are_clear_errors(
    coach: Coach, tmp_path: Path, model_dir: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    result = coach(
        "analyse", str(path), "--model", str(model_dir), "--quiet", "--out", str(tmp_path / "out")
    )
    assert result.code == 1
    assert f"{path}: {message}" in result.err
    assert "Traceback" not in result.err


def test_silent_recording_is_an_error(coach: Coach, tmp_path: Path, model_dir: Path) -> None:
    path = write_wav(tmp_path / "silence.wav", [np.zeros(16000 * 3, dtype=np.float32)])
    result = coach(
        "analyse", str(path), "--model", str(model_dir), "--quiet", "--out", str(tmp_path / "out")
    )
    assert result.code == 1 and "silent" in result.err


@pytest.mark.parametrize(
    ("suffix", "codec", "rate"),
    [
        (".mp3", "libmp3lame", 44_100),
        (".ogg", "libopus", 48_000),
        (".m4a", "aac", 44_100),
        (".flac", "flac", 8_000),
    ],
)
def test_common_formats(
    suffix: str,
    codec: str,
    rate: int,
    calls: dict[str, Call],
    files: dict[str, Path],
    model_dir: Path,
    tmp_path: Path,
) -> None:
    from tests.audio.synth import encode

    path = encode(files["en-stereo"], tmp_path / f"call{suffix}", codec, rate)
    transcript = run(path, "en", model_dir)
    assert attributed_share(calls["en"], transcript) == pytest.approx(1.0)
    assert "toyota" in " ".join(u.text.lower() for u in transcript.utterances)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_rep_on_the_right_is_detected(
    language: str, calls: dict[str, Call], model_dir: Path, tmp_path: Path
) -> None:
    call = calls[language]
    path = write_wav(tmp_path / "swapped.wav", [call.client, call.rep])
    transcript, attribution = transcribe_recording(
        path, TranscribeOptions(model=str(model_dir), language=language)
    )
    assert attribution.rep == "right" and attribution.method == "stereo"
    assert attributed_share(call, transcript) == pytest.approx(1.0)
