"""`coach analyse`'s transcription against bare faster-whisper on the same files, same run.

Bare: WhisperModel.transcribe per channel with word timestamps and VAD, nothing else.
coach: transcribe_recording (per channel, hallucination guards, speaker attribution), with
and without vocabulary hints. Prints wall time, WER and peak memory (each in a fresh
process so the model load is counted the same way).
Run: .venv/bin/python benchmarks/bench_audio.py   (needs espeak-ng, festival, sox, a model)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HINTS = {"en": "Acme Motors Toyota Honda Civic", "ru": "Ольга Север тест-драйв"}


WORKER = r"""
import json, sys, time, resource
from pathlib import Path
mode, path, language, model, hints = sys.argv[1:6]
start = time.perf_counter()
if mode == "bare":
    from faster_whisper import WhisperModel, decode_audio
    whisper = WhisperModel(model, device="cpu", compute_type="int8", cpu_threads=2)
    channels = decode_audio(path, split_stereo=True)
    pieces = []
    for audio in channels:
        segments, _ = whisper.transcribe(audio, language=language, word_timestamps=True,
                                         vad_filter=True)
        pieces += [(s.start, s.text) for s in segments]
    text = " ".join(t for _, t in sorted(pieces))  # merged by time, like the call
else:
    from coach.analysis.transcribe import TranscribeOptions, transcribe_recording
    options = TranscribeOptions(model=model, language=language, hotwords=hints or None,
                                use_script_vocabulary=False)
    transcript, _ = transcribe_recording(Path(path), options)
    text = " ".join(u.text for u in transcript.utterances)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "text": text, "peak_mb": peak}))
"""


def measure(mode: str, path: Path, language: str, model: str, hints: str = "") -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", WORKER, mode, str(path), language, model, hints],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    from coach.analysis.wer import word_error_rate
    from coach.analysis.whisper_models import resolve
    from tests.audio.synth import build_call, stereo

    model = resolve(None)
    print(f"model {model}; times include loading the model; 2 cores")
    print(f"{'file':<22}{'what':<26}{'seconds':>9}{'x real':>8}{'WER':>7}{'peak MB':>9}")
    with tempfile.TemporaryDirectory() as folder:
        for language in ("en", "ru"):
            call = build_call(language)
            reference = " ".join(t.text for t in call.turns)
            for rate in (16000, 8000):
                path = stereo(call, Path(folder) / f"{language}-{rate}.wav", rate)
                length = len(call.rep) / 16000
                for label, mode, hints in (
                    ("bare faster-whisper", "bare", ""),
                    ("coach analyse", "coach", ""),
                    ("coach analyse + hints", "coach", HINTS[language]),
                ):
                    found = measure(mode, path, language, model, hints)
                    print(
                        f"{language}-stereo-{rate // 1000}k{'':<12}"[:22]
                        + f"{label:<26}{found['seconds']:>9.1f}"
                        f"{length / found['seconds']:>8.1f}"
                        f"{word_error_rate(reference, found['text']):>7.3f}{found['peak_mb']:>9.0f}"
                    )


if __name__ == "__main__":
    main()
