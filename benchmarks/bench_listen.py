"""Listen-mode latency: from the moment a speaker stops to the suggestion on the queue,
with the recording played at real time (issue 6 target: under 2 s on 2 cores). Side by
side: the bare faster-whisper call on the same utterances, which is the floor.
Run: .venv/bin/python benchmarks/bench_listen.py [RECORDING] [SCRIPT]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from coach.call.listen import (
    LIVE_DECODING,
    PAUSE_S,
    Endpointer,
    Listener,
    file_chunks,
    load_model,
    warm_up,
)
from coach.config import BUNDLED_TEMPLATES
from coach.scripts.loader import load_script

ROOT = Path(__file__).resolve().parents[1]


def bare_seconds(model: object, recording: Path, language: str) -> list[float]:
    """faster-whisper alone on each utterance the endpointer cuts."""
    from coach.analysis.audio import load_recording

    warm_up(model, language)
    out = []
    for number, channel in enumerate(load_recording(recording).channels):
        cutter = Endpointer(str(number))
        for utterance in [*cutter.feed(channel), *cutter.flush()]:
            start = time.perf_counter()
            segments, _ = model.transcribe(  # type: ignore[attr-defined]
                utterance.audio, language=language, **LIVE_DECODING
            )
            list(segments)
            out.append(time.perf_counter() - start)
    return out


def main() -> None:
    recording = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else ROOT / "examples/recordings/en-car-dealer-call.flac"
    )
    script = load_script(sys.argv[2] if len(sys.argv) > 2 else "car-dealer-en", [BUNDLED_TEMPLATES])
    model = load_model(None)
    bare = bare_seconds(model, recording, script.language)
    listener = Listener(script, file_chunks(recording, speed=1.0), model)
    listener.start()
    listener.join()
    latencies = []
    while not listener.suggestions.empty():
        s = listener.suggestions.get_nowait()
        if s.kind == "heard":
            latencies.append(s.ready - (listener.clock_origin + s.heard_end))
    print(f"{recording.name}: {len(latencies)} utterances, real-time playback, 2 threads")
    print(f"{'what':<52}{'median s':>10}{'p90 s':>8}{'max s':>8}")

    def row(name: str, values: list[float]) -> None:
        ordered = sorted(values)
        p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
        print(f"{name:<52}{statistics.median(values):>10.2f}{p90:>8.2f}{max(values):>8.2f}")

    row("bare faster-whisper on one utterance", bare)
    row(f"coach: speaker stops -> suggestion (incl. {PAUSE_S} s pause)", latencies)
    print(f"under 2 s: {sum(v < 2.0 for v in latencies)}/{len(latencies)}")


if __name__ == "__main__":
    main()
