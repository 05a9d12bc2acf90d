"""Build test calls with known words and times: espeak-ng voices for English, Festival
(festvox-ru) for Russian, the client's Festival voice pitch-shifted so the two differ.

Used by the audio tests, the benchmark and the bundled example recording.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 16_000
GAP_S = 0.5

EN_CALL = [
    (
        "rep",
        "Hi, this is Anna from Acme Motors. You asked about the Toyota on our website. Is now a good time?",
    ),
    ("client", "Yes, I have a few minutes."),
    ("rep", "Great. What are you driving at the moment?"),
    ("client", "An old Honda Civic. It keeps breaking down, and the repairs cost a fortune."),
    ("rep", "What happens at work when it breaks down like that?"),
    ("client", "I am late, and my boss is not happy about it."),
    (
        "rep",
        "We have a reliable Toyota with low miles. Can you come in on Saturday for a test drive?",
    ),
    ("client", "Saturday morning works for me."),
    ("rep", "Perfect. Saturday at ten. I will send you a text with the address."),
]
RU_CALL = [
    ("rep", "Здравствуйте, меня зовут Ольга, автосалон Север. Вам удобно сейчас говорить?"),
    ("client", "Да, удобно, слушаю вас."),
    ("rep", "На какой машине вы сейчас ездите?"),
    ("client", "На старой машине, она часто ломается, ремонт очень дорогой."),
    ("rep", "Приезжайте в субботу на тест-драйв. Вам удобно в десять утра?"),
    ("client", "Да, в субботу в десять мне подходит."),
]
VOICES = {
    ("en", "rep"): ["espeak-ng", "-v", "en-us+m3", "-s", "155", "-p", "25"],
    ("en", "client"): ["espeak-ng", "-v", "en-gb+f3", "-s", "145", "-p", "85"],
}


@dataclass(frozen=True)
class Turn:
    role: str
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Call:
    language: str
    turns: tuple[Turn, ...]
    rep: np.ndarray
    client: np.ndarray

    @property
    def rep_talk_ratio(self) -> float:
        """Talk time measured on the clean tracks: sound, with pauses over 0.5 s left out."""
        rep, client = speech_seconds(self.rep), speech_seconds(self.client)
        return rep / (rep + client)


def speech_seconds(track: np.ndarray, pause_s: float = 0.5) -> float:
    frame = RATE // 100
    count = len(track) // frame
    loud = np.abs(track[: count * frame]).reshape(count, frame).max(axis=1) > 0.02
    total = 0
    start = None
    quiet = 0
    for i, is_loud in enumerate(loud):
        if is_loud:
            start = i if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet > pause_s * 100:
                total += i - quiet - start + 1
                start, quiet = None, 0
    if start is not None:
        total += count - quiet - start
    return total / 100


def tools_missing(language: str) -> str | None:
    """Why this machine cannot build a call, or None."""
    needed = ["espeak-ng"] if language == "en" else ["text2wave", "sox"]
    missing = [tool for tool in needed if shutil.which(tool) is None]
    return (
        f"missing {', '.join(missing)} (apt-get install espeak-ng festival festvox-ru sox)"
        if missing
        else None
    )


def _read(path: Path) -> np.ndarray:
    with wave.open(str(path)) as handle:
        rate, width = handle.getframerate(), handle.getsampwidth()
        data = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
        if handle.getnchannels() > 1:
            data = data[:: handle.getnchannels()]
    assert width == 2
    audio = data.astype(np.float32) / 32768.0
    if rate != RATE:  # linear resampling is enough for TTS test speech
        times = np.arange(0, len(audio) / rate, 1 / RATE)
        audio = np.interp(times, np.arange(len(audio)) / rate, audio).astype(np.float32)
    return audio


def _trim(audio: np.ndarray) -> np.ndarray:
    loud = np.where(np.abs(audio) > 0.02)[0]
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio


def _speak(language: str, role: str, text: str, folder: Path) -> np.ndarray:
    out = folder / "say.wav"
    if language == "en":
        subprocess.run([*VOICES[(language, role)], "-w", str(out), text], check=True)
    else:
        source = folder / "say.txt"
        source.write_text(text, encoding="utf-8")
        raw = folder / "raw.wav"
        subprocess.run(
            ["text2wave", "-eval", "(voice_msu_ru_nsh_clunits)", str(source), "-o", str(raw)],
            check=True,
            capture_output=True,
        )
        shift = "0" if role == "rep" else "700"  # the client speaks higher, like another person
        subprocess.run(["sox", str(raw), str(out), "pitch", shift, "rate", str(RATE)], check=True)
    return _trim(_read(out))


def build_call(language: str) -> Call:
    lines = EN_CALL if language == "en" else RU_CALL
    parts: list[tuple[str, np.ndarray]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for role, text in lines:
            parts.append((role, _speak(language, role, text, Path(tmp))))
    total = sum(len(a) for _, a in parts) + int(GAP_S * RATE) * (len(parts) + 1)
    rep, client = np.zeros(total, np.float32), np.zeros(total, np.float32)
    turns = []
    cursor = int(GAP_S * RATE)
    for (role, audio), (_, text) in zip(parts, lines, strict=True):
        track = rep if role == "rep" else client
        track[cursor : cursor + len(audio)] = audio * 0.8
        turns.append(Turn(role, text, cursor / RATE, (cursor + len(audio)) / RATE))
        cursor += len(audio) + int(GAP_S * RATE)
    return Call(language, tuple(turns), rep, client)


def write_wav(path: Path, channels: list[np.ndarray], rate: int = RATE) -> Path:
    data = np.stack(channels, axis=1) if len(channels) > 1 else channels[0][:, None]
    if rate != RATE:
        times = np.arange(0, len(data) / RATE, 1 / rate)
        data = np.stack(
            [
                np.interp(times, np.arange(len(data)) / RATE, data[:, c])
                for c in range(data.shape[1])
            ],
            axis=1,
        )
    pcm = (np.clip(data, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(data.shape[1])
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path


def stereo(call: Call, path: Path, rate: int = RATE) -> Path:
    """Rep on the left, client on the right."""
    return write_wav(path, [call.rep, call.client], rate)


def mono(call: Call, path: Path, rate: int = RATE) -> Path:
    return write_wav(path, [call.rep + call.client], rate)


def encode(source: Path, target: Path, codec: str, rate: int = 48_000) -> Path:
    """Re-encode a wav with PyAV (mp3, opus in ogg, aac in m4a, flac) for format tests."""
    import av

    with av.open(str(source)) as reader:
        stream_in = reader.streams.audio[0]
        layout = "stereo" if stream_in.codec_context.channels == 2 else "mono"
        with av.open(str(target), mode="w") as writer:
            stream = writer.add_stream(codec, rate=rate, layout=layout)
            resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate)
            for frame in reader.decode(stream_in):
                frame.pts = None
                for converted in resampler.resample(frame):
                    for packet in stream.encode(converted):
                        writer.mux(packet)
            for packet in stream.encode(None):
                writer.mux(packet)
    return target
