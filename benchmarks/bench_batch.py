"""Batch throughput: the same files through `coach batch` with 1 and 2 local workers and a
Dask LocalCluster, side by side in one run, against the plain library doing the same work
in a loop (faster-whisper alone for recordings; analysis + scoring alone for transcripts).

Run: .venv/bin/python benchmarks/bench_batch.py [RECORDINGS] [TRANSCRIPTS]
     (defaults: 6 recordings of ~38 s, 10,000 sixty-utterance transcripts)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_score import make_calls
from coach.analysis.audio import load_recording
from coach.analysis.transcribe import TranscribeOptions
from coach.analysis.whisper_models import resolve
from coach.batch import Plan, discover, run_batch
from coach.config import load_settings
from coach.store import Store

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "examples" / "recordings" / "en-car-dealer-call.flac"


def recordings(folder: Path, count: int) -> list[Path]:
    """COUNT different recordings: the example call with n tenths of a second of silence
    in front (different bytes, the same speech)."""
    import wave

    recording = load_recording(RECORDING)
    folder.mkdir(parents=True)
    rate = 16_000
    out = []
    for n in range(count):
        channels = [
            np.concatenate([np.zeros(rate * n // 10, dtype=np.float32), channel])
            for channel in recording.channels
        ]
        samples = np.stack(channels, axis=1) if len(channels) > 1 else channels[0][:, None]
        path = folder / f"2026-11-{n + 1:02d}-rep{n % 3}.wav"
        with wave.open(str(path), "wb") as handle:
            handle.setnchannels(samples.shape[1])
            handle.setsampwidth(2)
            handle.setframerate(rate)
            handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
        out.append(path)
    return out


def transcripts(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    for n, text in enumerate(make_calls(count)):
        data = json.loads(text)
        data["utterances"][-1]["text"] += f" ({n})"  # every call its own content
        (folder / f"2026-11-{n % 28 + 1:02d}-rep{n % 20}-{n:05d}.json").write_text(
            json.dumps(data, ensure_ascii=False), encoding="utf-8"
        )


def timed_batch(source: Path, db: Path, plan: Plan, backend: str, workers: int) -> float:
    jobs = discover(source)
    with Store(db) as store:
        started = time.perf_counter()
        summary = run_batch(store, jobs, plan, backend=backend, workers=workers)
        seconds = time.perf_counter() - started
    assert summary.failed == 0 and summary.done == len(jobs), summary
    return seconds


def plain_whisper(files: list[Path]) -> float:
    """faster-whisper alone: load once, transcribe every file, both channels, no VAD
    tuning, no scoring, no store — the floor."""
    from faster_whisper import WhisperModel

    started = time.perf_counter()
    model = WhisperModel(resolve(None), device="cpu", compute_type="int8", cpu_threads=2)
    for path in files:
        for channel in load_recording(path).channels:
            segments, _ = model.transcribe(channel, language="en", word_timestamps=True)
            list(segments)
    return time.perf_counter() - started


def plain_scoring(folder: Path) -> float:
    from coach.analysis.analyse import analyse
    from coach.analysis.rubric import load_rubric
    from coach.analysis.scorecard import build, to_dict
    from coach.analysis.transcript import load_transcript
    from coach.config import BUNDLED_RUBRICS

    rubric = load_rubric("discovery", [BUNDLED_RUBRICS])
    started = time.perf_counter()
    for path in sorted(folder.glob("*.json")):
        json.dumps(to_dict(build(analyse(load_transcript(path), None), rubric)))
    return time.perf_counter() - started


def row(label: str, seconds: float, count: int, audio_s: float | None = None) -> str:
    rate = f"{count / seconds * 3600:10,.0f} files/h"
    rtf = f"  {audio_s / seconds:5.1f}× real time" if audio_s else ""
    return f"{label:<34} {seconds:8.1f} s {rate}{rtf}"


def main() -> None:
    n_audio = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    n_text = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    settings = load_settings()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if n_audio:
            files = recordings(base / "audio", n_audio)
            audio_s = sum(load_recording(p).duration_s for p in files)
            print(f"{n_audio} recordings, {audio_s / 60:.1f} min of stereo audio, model base, int8")
            plan = Plan(
                settings=settings,
                script="car-dealer-en",
                classifier="rules",
                transcribe=TranscribeOptions(language="en", cpu_threads=2),
                use_cache=False,
            )
            print(row("plain faster-whisper loop", plain_whisper(files), n_audio, audio_s))
            for label, backend, workers in [
                ("coach batch, local, 1 worker", "local", 1),
                ("coach batch, local, 2 workers", "local", 2),
                ("coach batch, dask LocalCluster, 2", "dask", 2),
            ]:
                threads = max(1, 2 // workers)
                this = Plan(
                    settings=plan.settings,
                    script=plan.script,
                    classifier=plan.classifier,
                    transcribe=TranscribeOptions(language="en", cpu_threads=threads),
                    use_cache=False,
                )
                db = base / f"audio-{backend}-{workers}.db"
                print(row(label, timed_batch(base / "audio", db, this, backend, workers),
                          n_audio, audio_s))  # fmt: skip
        if n_text:
            transcripts(base / "text", n_text)
            print(f"\n{n_text} sixty-utterance transcripts (EN/RU), rubric discovery, rules")
            plan = Plan(settings=settings, classifier="rules")
            print(row("plain analyse + score loop", plain_scoring(base / "text"), n_text))
            for label, backend, workers in [
                ("coach batch, local, 1 worker", "local", 1),
                ("coach batch, local, 2 workers", "local", 2),
                ("coach batch, dask LocalCluster, 2", "dask", 2),
            ]:
                db = base / f"text-{backend}-{workers}.db"
                seconds = timed_batch(base / "text", db, plan, backend, workers)
                print(row(label, seconds, n_text))


if __name__ == "__main__":
    main()
