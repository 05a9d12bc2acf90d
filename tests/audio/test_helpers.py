"""Audio helpers without a model: voices, loops, vocabulary, model resolution, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from coach.analysis import whisper_models
from coach.analysis.audio import load_recording
from coach.analysis.diarize import _pitch, speech_segments, two_means
from coach.analysis.transcribe import _is_loop, script_vocabulary
from coach.config import BUNDLED_TEMPLATES
from coach.errors import AudioError
from coach.scripts.loader import load_script
from tests.audio.synth import write_wav

RATE = 16000


def tone(freq: float, seconds: float, harmonics: int = 6) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, harmonics + 1))
    return (0.3 * wave / harmonics).astype(np.float32)


@pytest.mark.parametrize("freq", [90.0, 140.0, 220.0])
def test_pitch_of_a_voice_like_tone(freq: float) -> None:
    assert np.exp(_pitch(tone(freq, 0.6))) == pytest.approx(freq, rel=0.05)


def test_speech_segments_split_at_silence() -> None:
    gap = np.zeros(int(0.5 * RATE), dtype=np.float32)
    audio = np.concatenate([gap, tone(120, 1.0), gap, tone(200, 0.8), gap])
    segments = [(a / RATE, b / RATE) for a, b in speech_segments(audio)]
    assert len(segments) == 2
    assert segments[0][0] == pytest.approx(0.5, abs=0.03)
    assert segments[1][1] == pytest.approx(2.8, abs=0.03)


def test_two_means_finds_two_groups() -> None:
    rng = np.random.default_rng(0)
    points = np.concatenate([rng.normal(0, 0.1, (10, 3)), rng.normal(5, 0.1, (8, 3))])
    labels, separation = two_means(points)
    assert len(set(labels[:10])) == 1 and len(set(labels[10:])) == 1
    assert labels[0] != labels[10] and separation > 0.8


@pytest.mark.parametrize(
    ("text", "loop"),
    [
        ("thank you thank you thank you thank you thank you", True),
        ("so so so so so so so so so", True),
        ("we have six lenders and two of them specialise in credit", False),
        ("да да да", False),
    ],
)
def test_repetition_loops(text: str, loop: bool) -> None:
    assert _is_loop(text) is loop


@pytest.mark.parametrize("language", ["en", "ru"])
def test_script_vocabulary_holds_names(language: str) -> None:
    script = load_script(f"car-dealer-{language}", [BUNDLED_TEMPLATES])
    words = script_vocabulary(script)
    assert words is not None
    company = next(v.example for v in script.variables if v.name == "company")
    assert company is not None
    assert any(part in words for part in company.replace("«", " ").replace("»", " ").split())
    assert script_vocabulary(None) is None


def test_missing_model_says_what_to_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COACH_MODELS", str(tmp_path))
    monkeypatch.setattr(whisper_models, "_module_dir", lambda _module: None)
    with pytest.raises(AudioError, match="coach models install base"):
        whisper_models.resolve("base")


def test_model_directory_must_hold_a_model(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="not a CTranslate2 Whisper model"):
        whisper_models.resolve(str(tmp_path))


def test_assembly_checks_the_checksums(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    parts = tmp_path / "parts" / "data"
    parts.mkdir(parents=True)
    (parts / "model.bin.part1").write_bytes(b"not the real model")
    (parts / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(whisper_models, "_module_dir", lambda _module: parts)
    package = whisper_models.KNOWN["base"]
    with pytest.raises(AudioError, match="checksums"):
        whisper_models.assemble(package, tmp_path / "out")
    assert not (tmp_path / "out" / ".verified").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"RIFF0000WAVEjunk" * 50, "not a readable audio file")],
)
def test_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message):
        load_recording(path)


def test_silent_file(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "s.wav", [np.zeros(RATE, dtype=np.float32)])
    with pytest.raises(AudioError, match="silent"):
        load_recording(path)


def test_identical_channels_are_mono(tmp_path: Path) -> None:
    voice = tone(150, 1.0)
    recording = load_recording(write_wav(tmp_path / "d.wav", [voice, voice]))
    assert not recording.stereo
    assert any("same audio" in w for w in recording.warnings)
    forced = load_recording(write_wav(tmp_path / "e.wav", [voice, voice]), channels="stereo")
    assert forced.stereo
