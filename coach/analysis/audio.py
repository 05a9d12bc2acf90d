"""Read call recordings (wav, flac, mp3, m4a, ogg/opus via PyAV) into 16 kHz channels.

Bad files get a clear AudioError; a silent channel is reported, not transcribed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.errors import AudioError
from coach.files import sha256_of

SAMPLE_RATE = 16_000
SILENCE_RMS = 1e-3  # below this a channel holds no speech worth transcribing
MAX_SECONDS = 4 * 3600
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".m4a", ".ogg", ".opus", ".aac", ".wma", ".webm", ".mp4")


@dataclass(frozen=True)
class Recording:
    """A decoded recording: one or two 16 kHz float32 channels and what the file said."""

    path: Path
    channels: tuple[Any, ...]  # numpy arrays
    source_rate: int
    source_channels: int
    sha256: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def duration_s(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE if self.channels else 0.0

    @property
    def stereo(self) -> bool:
        return len(self.channels) == 2


def _probe(path: Path) -> tuple[int, int, float]:
    """(sample rate, channels, duration) of the first audio stream."""
    import av

    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            streams = [s for s in container.streams if s.type == "audio"]
            if not streams:
                raise AudioError("no audio stream in the file", file=path)
            stream = streams[0]
            context = stream.codec_context
            rate = int(getattr(stream, "rate", 0) or getattr(context, "sample_rate", 0) or 0)
            channels = int(getattr(stream, "channels", 0) or getattr(context, "channels", 0) or 0)
            duration = float(container.duration or 0) / 1_000_000 if container.duration else 0.0
            return rate, channels, duration
    except AudioError:
        raise
    except Exception as exc:  # av raises many kinds for junk input
        raise AudioError(f"not a readable audio file ({type(exc).__name__})", file=path) from None


def rms(samples: Any) -> float:
    import numpy as np

    if len(samples) == 0:
        return 0.0
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def load_recording(path: Path, channels: str = "auto") -> Recording:
    """Decode a recording. ``channels``: "auto" (stereo when two channels hold different
    audio), "stereo" (rep and client on separate channels) or "mono" (mix down)."""
    from faster_whisper import decode_audio

    if not path.is_file():
        raise AudioError("no such file", file=path)
    if path.stat().st_size == 0:
        raise AudioError("the file is empty", file=path)
    rate, count, duration = _probe(path)
    if duration > MAX_SECONDS:
        raise AudioError(
            f"recording is {duration / 3600:.1f} h long; the limit is {MAX_SECONDS // 3600} h",
            file=path,
        )
    warnings: list[str] = []
    try:
        if count >= 2 and channels != "mono":
            left, right = decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=True)
            decoded: tuple[Any, ...] = (left, right)
        else:
            decoded = (decode_audio(str(path), sampling_rate=SAMPLE_RATE),)
    except Exception as exc:
        raise AudioError(f"cannot decode the audio ({type(exc).__name__})", file=path) from None
    if not len(decoded[0]):
        raise AudioError("the recording holds no audio samples", file=path)
    loudness = [rms(c) for c in decoded]
    if max(loudness) < SILENCE_RMS:
        raise AudioError("the recording is silent", file=path)
    if len(decoded) == 2:
        import numpy as np

        quiet = [i for i, level in enumerate(loudness) if level < SILENCE_RMS]
        same = np.allclose(decoded[0], decoded[1], atol=1e-3)
        if quiet and channels != "stereo":
            side = "left" if quiet[0] == 0 else "right"
            warnings.append(f"the {side} channel is silent: the call is treated as mono")
            decoded = (decoded[1 - quiet[0]],)
        elif same and channels != "stereo":
            warnings.append("both channels carry the same audio: the call is treated as mono")
            decoded = (decoded[0],)
        elif quiet:
            side = "left" if quiet[0] == 0 else "right"
            warnings.append(f"the {side} channel is silent")
    return Recording(path, decoded, rate, count, sha256_of(path), tuple(warnings))
