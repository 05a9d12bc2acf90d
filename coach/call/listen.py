"""Listen to a call while it happens and turn what is said into suggestions for the rep.

A worker thread reads audio (a recording played at its own pace with ``--listen-file``, or
the microphone), cuts it into utterances at pauses, transcribes each with faster-whisper,
and runs the analysis core's detectors on it: script questions the rep asked (ticks),
the stage the rep's words belong to, objections the client voiced, and the talk ratio.
The screen drains ``Listener.suggestions``; it never waits for the model.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from coach.analysis.audio import SAMPLE_RATE, rms
from coach.analysis.questions import find_questions
from coach.analysis.stages import objection_hits
from coach.errors import CoachError
from coach.lexicon import normalise
from coach.scripts.model import Script

FRAME_S = 0.03
PAUSE_S = 0.45  # this much quiet ends an utterance
MAX_UTTERANCE_S = 12.0  # a monologue is cut here so suggestions keep coming
MIN_UTTERANCE_S = 0.3
LEVEL = 0.012  # frame RMS that counts as speech (16 kHz float audio)
MATCH = 72  # token-set ratio for "the rep said this script question / line"
CHUNK_S = 0.1  # how much audio the source hands over at a time
# faster-whisper settings for one live utterance (the benchmark's bare run uses them too)
LIVE_DECODING: dict[str, Any] = {
    "beam_size": 1,
    "vad_filter": False,  # the endpointer already cut at pauses
    "condition_on_previous_text": False,
    "without_timestamps": True,
    "temperature": 0.0,  # no fallback re-decoding: live, a fast guess beats a slow one
}


@dataclass(frozen=True)
class Utterance:
    side: str  # "rep" | "client"
    start: float  # seconds into the call
    end: float
    audio: Any = field(repr=False, compare=False)


@dataclass(frozen=True)
class Suggestion:
    """Something the screen may act on. ``heard_end`` is the call time the utterance
    ended; ``ready`` the monotonic time the suggestion was made (for latency)."""

    kind: str  # tick | stage | objection | talk | heard | status
    data: dict[str, Any]
    heard_end: float = 0.0
    ready: float = 0.0


class Endpointer:
    """Cut a stream of samples into utterances at pauses (pure, no model)."""

    def __init__(self, side: str, rate: int = SAMPLE_RATE) -> None:
        self.side = side
        self.rate = rate
        self.frame = int(FRAME_S * rate)
        self.buffer: list[Any] = []
        self.pending: Any = None  # samples not yet a whole frame
        self.position = 0  # samples consumed
        self.start: int | None = None
        self.quiet = 0

    def feed(self, samples: Any) -> list[Utterance]:
        import numpy as np

        data = samples if self.pending is None else np.concatenate([self.pending, samples])
        out: list[Utterance] = []
        whole = len(data) - len(data) % self.frame
        for offset in range(0, whole, self.frame):
            frame = data[offset : offset + self.frame]
            loud = rms(frame) > LEVEL
            at = self.position
            self.position += len(frame)
            if self.start is None:
                if loud:
                    self.start, self.quiet, self.buffer = at, 0, [frame]
                continue
            self.buffer.append(frame)
            self.quiet = 0 if loud else self.quiet + len(frame)
            length = self.position - self.start
            if self.quiet >= PAUSE_S * self.rate or length >= MAX_UTTERANCE_S * self.rate:
                out += self._cut()
        self.pending = data[whole:]
        return out

    def flush(self) -> list[Utterance]:
        return self._cut() if self.start is not None else []

    def _cut(self) -> list[Utterance]:
        import numpy as np

        assert self.start is not None
        audio = np.concatenate(self.buffer)
        end = self.position - self.quiet
        start, self.start, self.buffer, self.quiet = self.start, None, [], 0
        if (end - start) / self.rate < MIN_UTTERANCE_S:
            return []
        return [Utterance(self.side, start / self.rate, end / self.rate, audio)]


class Detector:
    """What an utterance means for the script (pure; the text comes from the model)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.language = script.language
        self.questions = [
            (stage.id, n) for stage in script.stages for n in range(len(stage.questions))
        ]
        self.question_texts = [
            normalise(q.text) for stage in script.stages for q in stage.questions
        ]
        self.lines = [
            (stage.id, normalise(text))
            for stage in script.stages
            for text in [*stage.lines, *(q.text for q in stage.questions)]
        ]
        self.by_trigger = {(o.category, t): o.id for o in script.objections for t in o.triggers}
        self.talk = {"rep": 0.0, "client": 0.0}

    def side_of(self, text: str) -> str:
        """One mixed channel: questions and script lines are the rep's, the rest the client's."""
        wanted = normalise(text)
        if find_questions(text, self.language):
            return "rep"
        if any(fuzz.partial_ratio(line, wanted) >= 85 for _, line in self.lines if len(line) > 12):
            return "rep"
        return "client"

    def read(self, side: str, text: str, seconds: float) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = [("heard", {"side": side, "text": text})]
        self.talk[side] = self.talk.get(side, 0.0) + seconds
        total = sum(self.talk.values())
        if side == "rep":
            wanted = normalise(text)
            for question in find_questions(text, self.language):
                best = process.extractOne(
                    normalise(question.text),
                    self.question_texts,
                    scorer=fuzz.token_set_ratio,
                    score_cutoff=MATCH,
                )
                if best is not None:
                    stage_id, number = self.questions[best[2]]
                    out.append(("tick", {"stage": stage_id, "question": number}))
            scored = [(fuzz.token_set_ratio(wanted, line), stage) for stage, line in self.lines]
            if scored:
                score, stage = max(scored)
                if score >= MATCH + 8:
                    out.append(("stage", {"stage": stage}))
        else:
            seen: set[str] = set()
            for category, trigger in objection_hits(text, self.language, self.script):
                objection_id = self.by_trigger.get((category, trigger))
                if objection_id is None:  # a generic cue: the script's card for that category
                    objection_id = next(
                        (o.id for o in self.script.objections if o.category == category), None
                    )
                if objection_id and objection_id not in seen:
                    seen.add(objection_id)
                    out.append(("objection", {"id": objection_id, "text": text}))
        if total:
            out.append(("talk", {"rep_share": round(self.talk["rep"] / total, 3)}))
        return out


def file_chunks(path: Path, speed: float = 1.0) -> Iterator[tuple[float, list[Any]]]:
    """A recording handed over in CHUNK_S pieces at ``speed`` × real time (0: as fast as
    possible): (call seconds at the chunk's end, one array per channel)."""
    from coach.analysis.audio import load_recording

    recording = load_recording(path)
    step = int(CHUNK_S * SAMPLE_RATE)
    total = len(recording.channels[0])
    began = time.monotonic()
    for offset in range(0, total, step):
        end = min(total, offset + step)
        if speed > 0:
            delay = began + end / SAMPLE_RATE / speed - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        yield end / SAMPLE_RATE, [c[offset:end] for c in recording.channels]


def microphone_chunks() -> Iterator[tuple[float, list[Any]]]:
    """The default microphone, mono 16 kHz (needs the optional ``sounddevice`` package).
    Opens it now, so a missing microphone is a clear error before the call starts."""
    try:
        import sounddevice  # type: ignore[import-not-found]
    except (ImportError, OSError) as exc:
        raise CoachError(
            f"no microphone support here ({exc.__class__.__name__}); "
            "install it with: pip install -e '.[listen]'"
        ) from None
    chunks: queue.Queue[Any] = queue.Queue()

    def got(data: Any, *_: Any) -> None:
        chunks.put(data[:, 0].copy())

    try:
        stream = sounddevice.InputStream(
            samplerate=SAMPLE_RATE,
            channels=1,
            dtype="float32",
            callback=got,
            blocksize=int(CHUNK_S * SAMPLE_RATE),
        )
        stream.start()
    except Exception as exc:  # no device, no permission …
        raise CoachError(f"cannot open the microphone: {exc}") from None
    return _drain(stream, chunks)


def _drain(stream: Any, chunks: queue.Queue[Any]) -> Iterator[tuple[float, list[Any]]]:
    heard = 0.0
    try:
        while True:
            piece = chunks.get()
            heard += len(piece) / SAMPLE_RATE
            yield heard, [piece]
    finally:
        stream.stop()


class Listener(threading.Thread):
    """The worker: source → utterances → text → suggestions (put on ``suggestions``)."""

    def __init__(
        self,
        script: Script,
        source: Iterator[tuple[float, list[Any]]],
        model: Any,  # a WhisperModel, or a function that loads one (in the worker)
        *,
        rep_channel: int = 0,
    ) -> None:
        super().__init__(daemon=True, name="coach-listener")
        self.detector = Detector(script)
        self.source = source
        self.model = model
        self.rep_channel = rep_channel
        self.suggestions: queue.Queue[Suggestion] = queue.Queue()
        self.stopping = threading.Event()
        self.clock_origin = 0.0  # monotonic time call second 0 was heard
        self.latencies: list[float] = []

    def stop(self) -> None:
        self.stopping.set()

    def _emit(self, kind: str, data: dict[str, Any], heard_end: float = 0.0) -> None:
        self.suggestions.put(Suggestion(kind, data, heard_end, time.monotonic()))

    def run(self) -> None:
        try:
            self._listen()
        except CoachError as exc:
            self._emit("status", {"text": str(exc)})
        except Exception as exc:  # the call goes on without listening
            self._emit("status", {"text": f"listening stopped: {exc}"})

    def _listen(self) -> None:
        if callable(self.model) and not hasattr(self.model, "transcribe"):
            self.model = self.model()  # loaded here, so the screen never waits for it
        warm_up(self.model, self.detector.language)
        self._emit("status", {"text": "listening"})
        cutters: list[Endpointer] = []
        self.clock_origin = time.monotonic()
        for _, channels in self.source:
            if self.stopping.is_set():
                return
            if not cutters:
                sides = ["rep", "client"] if len(channels) == 2 else ["mixed"]
                if len(channels) == 2 and self.rep_channel == 1:
                    sides.reverse()
                cutters = [Endpointer(side) for side in sides]
            for cutter, samples in zip(cutters, channels, strict=False):
                for utterance in cutter.feed(samples):
                    self._hear(utterance)
        for cutter in cutters:
            for utterance in cutter.flush():
                self._hear(utterance)
        self._emit("status", {"text": "end of recording", "done": True})

    def _hear(self, utterance: Utterance) -> None:
        segments, _ = self.model.transcribe(
            utterance.audio, language=self.detector.language, **LIVE_DECODING
        )
        text = " ".join(s.text.strip() for s in segments).strip()
        if not text:
            return
        side = utterance.side
        if side == "mixed":
            side = self.detector.side_of(text)
        for kind, data in self.detector.read(side, text, utterance.end - utterance.start):
            self._emit(kind, data, utterance.end)


def warm_up(model: Any, language: str) -> None:
    """One throwaway pass, so the first real utterance is not the slow one."""
    import numpy as np

    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = (0.1 * np.sin(2 * np.pi * 200 * t)).astype(np.float32)
    segments, _ = model.transcribe(tone, language=language, **LIVE_DECODING)
    list(segments)


def load_model(name: str | None = None, threads: int = 2) -> Any:
    """The Whisper model for listening (the smallest installed one is fastest)."""
    from coach.analysis.transcribe import _model
    from coach.analysis.whisper_models import resolve

    return _model(resolve(name), threads)
