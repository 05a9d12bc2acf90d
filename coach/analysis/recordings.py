"""Recordings to transcripts, cached by audio hash, model and options.

Runs in worker processes (``coach analyse --jobs``, ``coach batch``): takes and returns
plain data, and each process loads the speech model once.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from coach.analysis.transcribe import TranscribeOptions, cache_key
from coach.analysis.transcript import Transcript, parse_json, to_json
from coach.analysis.whisper_models import cache_dir, resolve
from coach.files import sha256_of


def _cache_file(key: str) -> Path:
    return cache_dir().parent / "transcripts" / f"{key}.json"


def transcribe_cached(
    path: Path,
    options: TranscribeOptions,
    script_ref: str | None,
    template_dirs: list[str],
    use_cache: bool,
    events: Any = None,
) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """Transcribe one recording (or read it back from the cache). Runs in worker processes:
    takes and returns plain data."""
    from coach.analysis.transcribe import transcribe_recording
    from coach.scripts.loader import load_script

    script = load_script(script_ref, [Path(d) for d in template_dirs]) if script_ref else None
    key = cache_key(sha256_of(path), options, resolve(options.model), script)
    cached = _cache_file(key)
    if use_cache and cached.is_file():
        data = json.loads(cached.read_text(encoding="utf-8"))
        data["transcript"]["source"] = str(path)
        return data["transcript"], data["attribution"], True

    def progress(what: str, fraction: float) -> None:
        if events is not None:
            events(str(path), what, fraction)

    transcript, attribution = transcribe_recording(path, options, script, progress)
    document = to_json(transcript)
    document["source"] = str(path)
    document["warnings"] = list(transcript.warnings)
    document["meta"] = transcript.meta
    record = {"transcript": document, "attribution": asdict(attribution)}
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(".partial")
    temporary.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    temporary.replace(cached)
    return document, record["attribution"], False


def transcript_from(document: dict[str, Any]) -> Transcript:
    transcript = parse_json(json.dumps(document, ensure_ascii=False), document["source"])
    return replace(
        transcript,
        warnings=tuple(document.get("warnings", ())),
        meta={str(k): str(v) for k, v in document.get("meta", {}).items()},
    )
