"""What a call is measured with: its script, its rubric and (for ``--classifier llm``) the
question labeller. Shared by `coach score`, `coach analyse`, `coach batch` and practice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coach.analysis.rubric import Rubric, load_rubric
from coach.analysis.transcript import Transcript
from coach.config import Settings
from coach.errors import ScriptError
from coach.scripts.loader import load_script
from coach.scripts.model import Script, StageKind

DEFAULT_RUBRIC = "discovery"
AFTER_SALE_RUBRIC = "after-sale"


def pick_rubric(rubric: str | None, script: Script | None, settings: Settings) -> Rubric:
    """The named rubric, else one that fits the script (after-sale calls have their own)."""
    if rubric is None:
        after_sale = script is not None and any(s.kind is StageKind.feedback for s in script.stages)
        rubric = AFTER_SALE_RUBRIC if after_sale else DEFAULT_RUBRIC
    return load_rubric(rubric, settings.rubric_dirs)


def pick_script(name: str | None, transcript: Transcript, settings: Settings) -> Script | None:
    """--script, else the transcript's own `# script:` header, else the generic skeleton."""
    from_header = not name and bool(transcript.meta.get("script"))
    name = name or transcript.meta.get("script")
    if not name:
        return None
    ref: str | Path = Path(name) if Path(name).is_file() else name
    try:
        return load_script(ref, settings.template_dirs)
    except ScriptError as exc:
        if not from_header or exc.problems[0].file is not None:
            raise
        raise ScriptError(
            f"'# script: {name}' header: {exc.problems[0].message}",
            file=transcript.source,
            line=_header_line(transcript.source, "script"),
        ) from None


def _header_line(source: str | None, key: str) -> int | None:
    if not source or not Path(source).is_file():
        return None
    with Path(source).open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.lstrip().startswith("#") and line.split(":", 1)[0].strip("# ").lower() == key:
                return number
    return None


def question_labeller(classifier: str) -> Any:
    """The LLM labeller for --classifier llm (None otherwise); analysis gets it injected."""
    if classifier != "llm":
        return None
    from coach.llm.classify import LLMQuestionLabeller

    return LLMQuestionLabeller()
