"""Recordings → Transcript with faster-whisper: per channel, word times, the right speaker.

Stereo calls are transcribed channel by channel and merged by time, so who said what is
exact; which channel is the rep comes from ``--rep-channel`` or from what each side says.
Mono calls are split into two voices (``coach.analysis.diarize``). Talk time comes from
word timestamps, never from segment edges. Hallucinations on silence are filtered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from coach.analysis.audio import SAMPLE_RATE, Recording, load_recording, rms
from coach.analysis.questions import find_questions
from coach.analysis.transcript import Role, Transcript, Utterance, Word
from coach.analysis.whisper_models import resolve
from coach.errors import AudioError
from coach.lexicon import find_cue, lexicon
from coach.scripts.model import Script

PAUSE_S = 1.5  # a pause this long inside one channel starts a new utterance
LOW_RATE = 8_000  # phone audio: a softer VAD threshold finds its speech
MIN_SPEECH_FRACTION = 0.02  # less speech than this on a loud channel → retry without VAD
Progress = Callable[[str, float], None]  # (what, fraction 0–1)


@dataclass(frozen=True)
class TranscribeOptions:
    """Everything that changes the result; it is part of the cache key."""

    model: str | None = None
    language: str | None = None  # None: detect
    channels: str = "auto"  # auto | stereo | mono
    rep_channel: str | None = None  # left | right
    beam_size: int = 5
    vad_threshold: float | None = None  # None: 0.35 for phone audio, else 0.5
    hotwords: str | None = None
    cpu_threads: int = 2
    use_script_vocabulary: bool = True


@dataclass(frozen=True)
class Attribution:
    """How rep and client were told apart, and how sure that is."""

    method: str  # "stereo", "stereo (--rep-channel)", "diarized", "single voice"
    rep: str  # which channel / voice is the rep
    confidence: float
    note: str = ""


@dataclass
class _Segment:
    words: list[Word]
    channel: int
    no_speech: float = 0.0


@cache
def _model(name: str, threads: int) -> Any:
    from faster_whisper import WhisperModel

    try:
        return WhisperModel(name, device="cpu", compute_type="int8", cpu_threads=threads)
    except Exception as exc:  # hub unreachable, corrupt files …
        raise AudioError(
            f"cannot load the Whisper model '{name}': {exc}; run: coach models install base"
        ) from None


def script_vocabulary(script: Script | None, limit: int = 60) -> str | None:
    """Names and terms a script makes likely: company, product, industry words."""
    if script is None:
        return None
    words: dict[str, None] = {}
    for variable in script.variables:
        for value in (variable.example, variable.default):
            if value and not value.startswith("["):
                for word in re.findall(r"[^\W\d_][\w'’-]*", value):
                    if word[:1].isupper():
                        words.setdefault(word)
    for stage in script.stages:
        for text in [*stage.lines, *(q.text for q in stage.questions)]:
            for word in re.findall(r"(?<![.!?]\s)(?<!^)\b[A-ZА-ЯЁ][\w-]{2,}", text):
                words.setdefault(word)
    return " ".join(list(words)[:limit]) or None


def _is_loop(text: str) -> bool:
    """ "thank you thank you thank you…": Whisper repeating itself on noise or silence."""
    tokens = text.lower().split()
    if len(tokens) < 8:
        return False
    for size in (1, 2, 3, 4):
        grams = [" ".join(tokens[i : i + size]) for i in range(0, len(tokens) - size + 1, size)]
        if grams and max(grams.count(g) for g in set(grams)) / len(grams) > 0.6:
            return True
    return False


def _transcribe_channel(
    model: Any,
    audio: Any,
    options: TranscribeOptions,
    language: str | None,
    rate: int,
    channel: int,
    hotwords: str | None,
) -> list[_Segment]:
    threshold = options.vad_threshold or (0.35 if rate and rate <= LOW_RATE else 0.5)

    def run(vad: bool) -> list[_Segment]:
        segments, _ = model.transcribe(
            audio,
            language=language,
            beam_size=options.beam_size,
            word_timestamps=True,
            vad_filter=vad,
            vad_parameters={"threshold": threshold, "min_silence_duration_ms": 500},
            condition_on_previous_text=False,
            no_speech_threshold=0.6,
            compression_ratio_threshold=2.4,
            log_prob_threshold=-1.0,
            hallucination_silence_threshold=2.0,
            hotwords=hotwords,
        )
        out = []
        for segment in segments:
            if segment.compression_ratio > 2.6 or _is_loop(segment.text):
                continue
            if segment.no_speech_prob > 0.6 and segment.avg_logprob < -0.8:
                continue
            words = [
                Word(w.word.strip(), float(w.start), float(w.end), float(w.probability))
                for w in (segment.words or [])
                if w.word.strip()
            ]
            if words:
                out.append(_Segment(words, channel, float(segment.no_speech_prob)))
        return out

    found = run(vad=True)
    spoken = sum(w.end - w.start for s in found for w in s.words)
    seconds = len(audio) / SAMPLE_RATE
    if seconds and spoken / seconds < MIN_SPEECH_FRACTION and rms(audio) > 0.01:
        found = run(vad=False)  # the VAD missed speech on this line: listen to all of it
    return _heard(found, audio)


def _heard(segments: list[_Segment], audio: Any) -> list[_Segment]:
    """Drop words placed where the channel is silent: Whisper invents them there (on a
    stereo line that silence is the other side talking)."""
    import numpy as np

    frame = SAMPLE_RATE // 100
    count = len(audio) // frame
    if count == 0:
        return segments
    energy = np.abs(audio[: count * frame]).reshape(count, frame).max(axis=1)
    loud = float(np.percentile(energy, 95))
    threshold = max(loud * 0.05, 1e-3)
    out = []
    for segment in segments:
        words = []
        for word in segment.words:
            # the middle half of the word must be heard: its edges may run into silence
            quarter = (word.end - word.start) / 4
            a = int((word.start + quarter) * 100)
            b = max(int((word.end - quarter) * 100), a + 1)
            if a < count and float(energy[a:b].max(initial=0.0)) >= threshold:
                words.append(word)
        if words:
            out.append(_Segment(words, segment.channel, segment.no_speech))
    return out


def _utterances(segments: Sequence[_Segment]) -> list[tuple[int, list[Word]]]:
    """Words of each channel grouped into turns at pauses; (channel, words) in time order."""
    turns: list[tuple[int, list[Word]]] = []
    for channel in sorted({s.channel for s in segments}):
        words = [w for s in segments if s.channel == channel for w in s.words]
        words.sort(key=lambda w: w.start)
        current: list[Word] = []
        for word in words:
            if current and word.start - current[-1].end > PAUSE_S:
                turns.append((channel, current))
                current = []
            current.append(word)
        if current:
            turns.append((channel, current))
    return sorted(turns, key=lambda t: t[1][0].start)


def _join(words: Sequence[Word]) -> str:
    text = " ".join(w.text for w in words)
    return re.sub(r"\s+([,.!?;:…])", r"\1", text).strip()


def rep_score(texts: Sequence[str], language: str, script: Script | None) -> float:
    """How much a side sounds like the rep: introduces a company, asks the questions,
    says the script's lines."""
    data = lexicon(language)
    greeting = [str(c) for c in (data.get("stages") or {}).get("greeting", [])]
    score = 0.0
    for position, text in enumerate(texts):
        weight = 2.0 if position < 3 else 1.0
        if find_cue(text, greeting):
            score += weight
        score += 0.5 * len(find_questions(text, language))
    if script is not None:
        from rapidfuzz import fuzz

        lines = [
            line
            for stage in script.stages
            for line in [*stage.lines, *(q.text for q in stage.questions)]
            if "{{" not in line
        ]
        for text in texts:
            if lines and max(fuzz.partial_ratio(text.lower(), line.lower()) for line in lines) > 80:
                score += 1.0
    return score


def _pick_rep(
    sides: dict[int, list[str]], language: str, script: Script | None
) -> tuple[int, float]:
    """The side that sounds like the rep, and a 0.5–1 confidence from the score margin."""
    scores = {side: rep_score(texts, language, script) for side, texts in sides.items()}
    ordered = sorted(scores, key=lambda s: scores[s], reverse=True)
    if len(ordered) < 2:
        return ordered[0], 0.5
    top, second = scores[ordered[0]], scores[ordered[1]]
    confidence = 0.5 + 0.5 * (top - second) / max(1.0, top + second)
    return ordered[0], round(confidence, 2)


def _detect_language(model: Any, recording: Recording) -> str:
    import numpy as np

    loudest = max(recording.channels, key=rms)
    language, _, _ = model.detect_language(np.asarray(loudest[: SAMPLE_RATE * 30]))
    return str(language)


def transcribe_recording(
    path: Path,
    options: TranscribeOptions = TranscribeOptions(),
    script: Script | None = None,
    progress: Progress | None = None,
) -> tuple[Transcript, Attribution]:
    """Transcribe one call recording into a Transcript with rep and client told apart."""
    report = progress or (lambda _what, _fraction: None)
    report("decoding", 0.0)
    recording = load_recording(path, options.channels)
    model = _model(resolve(options.model), options.cpu_threads)
    language = options.language or _detect_language(model, recording)
    hotwords = options.hotwords
    if hotwords is None and options.use_script_vocabulary:
        hotwords = script_vocabulary(script)
    segments: list[_Segment] = []
    for index, audio in enumerate(recording.channels):
        report(
            f"transcribing channel {index + 1}/{len(recording.channels)}",
            index / len(recording.channels),
        )
        segments += _transcribe_channel(
            model, audio, options, language, recording.source_rate, index, hotwords
        )
    report("attributing speakers", 0.95)
    turns = _utterances(segments)
    warnings = list(recording.warnings)
    if recording.stereo:
        sides = {c: [_join(w) for ch, w in turns if ch == c] for c in (0, 1)}
        if options.rep_channel is not None:
            rep = 0 if options.rep_channel == "left" else 1
            attribution = Attribution("stereo (--rep-channel)", options.rep_channel, 1.0)
        else:
            rep, confidence = _pick_rep(sides, language, script)
            attribution = Attribution("stereo", "left" if rep == 0 else "right", confidence)
        roles = {rep: Role.rep, 1 - rep: Role.client}
        labelled = [(roles[channel], words) for channel, words in turns]
    else:
        from coach.analysis.diarize import split_voices

        voices, confidence = split_voices(recording.channels[0], turns, PAUSE_S)
        turns = voices
        sides = {v: [_join(w) for voice, w in turns if voice == v] for v in {t[0] for t in turns}}
        if len(sides) < 2:
            labelled = [(Role.rep, words) for _, words in turns]
            attribution = Attribution(
                "single voice", "the only voice", 0.0, "only one voice was heard"
            )
        else:
            rep, rep_confidence = _pick_rep(sides, language, script)
            roles = {rep: Role.rep, 1 - rep: Role.client}
            labelled = [(roles[voice], words) for voice, words in turns]
            attribution = Attribution(
                "diarized", f"voice {rep + 1}", round(min(confidence, rep_confidence), 2)
            )
    if attribution.confidence < 0.6:
        warnings.append(
            f"speaker attribution is uncertain ({attribution.method}, confidence "
            f"{attribution.confidence:.0%}): check who the rep is, or pass --rep-channel"
        )
    utterances = tuple(
        Utterance(
            index=i,
            speaker=role,
            text=_join(words),
            start=words[0].start,
            end=words[-1].end,
            words=tuple(words),
        )
        for i, (role, words) in enumerate(labelled)
    )
    if not utterances:
        raise AudioError("no speech was recognised in the recording", file=path)
    report("done", 1.0)
    meta = {"script": script.id} if script else {}
    transcript = Transcript(
        utterances=utterances,
        language=language,
        title=path.stem,
        source=str(path),
        meta=meta,
        warnings=tuple(warnings),
    )
    return transcript, attribution


def cache_key(
    recording_hash: str, options: TranscribeOptions, model_path: str, script: Script | None
) -> str:
    import hashlib

    payload = json.dumps(
        {
            "audio": recording_hash,
            "model": model_path,
            "options": asdict(options),
            "script": script.id if script else None,
            "version": 1,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


@dataclass
class Cached:
    transcript: Transcript
    attribution: Attribution
    from_cache: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
