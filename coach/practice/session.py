"""One practice conversation: the turns as they grow, journaled crash-safely, then scored.

Every turn is on disk (append-only JSONL, fsynced) before the screen shows it; at the end the
turns become a ``Transcript`` (rep = the trainee) scored with a rubric like a real call.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from coach.analysis import scorecard
from coach.analysis.analyse import analyse
from coach.analysis.rubric import Rubric
from coach.analysis.scorecard import Scorecard
from coach.analysis.transcript import WORDS_PER_SECOND, Role, Transcript, Utterance, to_json
from coach.call.journal import Journal, Replay, read_journal
from coach.config import user_data_dir
from coach.errors import CoachError
from coach.lexicon import normalise
from coach.scripts.model import Objection, Script, Stage, StageKind
from coach.scripts.render import filled_script

JOURNAL = "journal.jsonl"
TRANSCRIPT = "practice.transcript.json"
SCORECARD = "practice.scorecard.json"
SCORECARD_MD = "practice.scorecard.md"
TRIGGER_MATCH = 90  # rapidfuzz partial_ratio of a trigger inside what the client said
MIN_TURN_S = 0.4


def practice_dir() -> Path:
    """Where practice sessions live."""
    return user_data_dir() / "practice"


def new_practice_dir(script: Script, now: datetime | None = None) -> Path:
    moment = now or datetime.now()
    return practice_dir() / f"{moment:%Y%m%d-%H%M%S}-{script.id}"


def latest_unfinished(script_id: str, base: Path | None = None) -> Path | None:
    """The newest practice of this script that was not ended and scored (for --resume)."""
    root = base or practice_dir()
    if not root.is_dir():
        return None
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        if not folder.name.endswith(f"-{script_id}") or not (folder / JOURNAL).is_file():
            continue
        if not any(e.kind == "end" for e in read_journal(folder / JOURNAL).events):
            return folder
    return None


@dataclass(frozen=True)
class Turn:
    """One line of the practice call; times in seconds since it began."""

    role: Role
    text: str
    start: float = 0.0
    end: float = 0.0


@dataclass(frozen=True)
class PracticeResult:
    """The scored practice: the card and where it was saved."""

    scorecard: Scorecard
    transcript: Transcript
    transcript_path: Path
    scorecard_path: Path
    markdown_path: Path


def spoken_seconds(text: str, language: str) -> float:
    """How long saying the text takes at the language's usual pace."""
    rate = WORDS_PER_SECOND.get(language[:2], 2.5)
    return max(MIN_TURN_S, len(text.split()) / rate)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)


class PracticeSession:
    """A practice call in progress: add a turn, write it durably, keep the turns."""

    def __init__(
        self,
        script: Script,
        values: Mapping[str, str],
        folder: Path,
        *,
        persona: str = "skeptical",
        language: str | None = None,
        clock: Callable[[], float] = time.time,
        replayed: Replay | None = None,
    ) -> None:
        self.raw = script
        self.values = dict(values)
        self.script = filled_script(script, self.values)
        self.folder = folder
        self.persona = persona
        self.language = (language or script.language)[:2]
        self.clock = clock
        replayed = replayed if replayed is not None else read_journal(folder / JOURNAL)
        self.warnings = replayed.warnings
        self.turns: list[Turn] = []
        self.ended = False
        start = next((e for e in replayed.events if e.kind == "start"), None)
        for event in replayed.events:
            if event.kind == "say":
                data = event.data
                role = Role(str(data["role"]))
                self.turns.append(
                    Turn(role, str(data["text"]), float(data["start"]), float(data["end"]))
                )
            elif event.kind == "end":
                self.ended = True
        _end_torn_line(folder / JOURNAL)
        self.journal = Journal(folder / JOURNAL)
        if start is None:
            event = self.journal.append(
                "start",
                at=self.clock(),
                script=script.id,
                persona=persona,
                language=self.language,
                values=self.values,
            )
            self.started = event.at
        else:
            self.started = start.at

    @classmethod
    def resume(
        cls, script: Script, folder: Path, *, clock: Callable[[], float] = time.time
    ) -> PracticeSession:
        """Reopen a practice from its journal (a torn last line is skipped with a warning)."""
        replayed = read_journal(folder / JOURNAL)
        start = next((e for e in replayed.events if e.kind == "start"), None)
        if start is None:
            raise CoachError(f"{folder / JOURNAL}: no practice to resume in this journal")
        values = {str(k): str(v) for k, v in (start.data.get("values") or {}).items()}
        return cls(
            script,
            values,
            folder,
            persona=str(start.data.get("persona", "skeptical")),
            language=str(start.data.get("language", script.language)),
            clock=clock,
            replayed=replayed,
        )

    # --- turns ------------------------------------------------------------------------
    def say(self, role: Role, text: str, began: float | None = None) -> Turn:
        """Add one turn; on disk before it returns.

        A rep's turn ends when it is sent and lasts as long as saying it would (typing time is
        not talk time); a client's starts when its reply began.
        """
        text = " ".join(text.split())
        if not text:
            raise CoachError("an empty line is not a turn")
        now = self.clock()
        previous = self.turns[-1].end if self.turns else 0.0
        duration = spoken_seconds(text, self.language)
        if role is Role.rep:
            end = max(now - self.started, previous + duration)
            start = max(previous, end - duration)
        else:
            start = max((now if began is None else began) - self.started, previous)
            end = start + duration
        turn = Turn(role, text, round(start, 3), round(end, 3))
        self.journal.append(
            "say", at=now, role=role.value, text=text, start=turn.start, end=turn.end
        )
        self.turns.append(turn)
        return turn

    def rep_says(self, text: str) -> Turn:
        return self.say(Role.rep, text)

    def client_says(self, text: str, began: float | None = None) -> Turn:
        return self.say(Role.client, text, began)

    def note(self, text: str) -> None:
        """Something the screen told the trainee (a model failure), kept for the record."""
        self.journal.append("notice", at=self.clock(), text=text)

    # --- what the side panel shows ----------------------------------------------------
    def objections_raised(self) -> list[Objection]:
        """The script's objections the client has voiced so far, in order, each once."""
        out: list[Objection] = []
        for turn in self.turns:
            if turn.role is not Role.client:
                continue
            said = normalise(turn.text)
            for objection in self.script.objections:
                if objection in out:
                    continue
                if any(
                    len(normalise(t)) >= 4
                    and fuzz.partial_ratio(normalise(t), said) >= TRIGGER_MATCH
                    for t in objection.triggers
                ):
                    out.append(objection)
        return out

    def open_objection(self) -> Objection | None:
        """The doubt the client's last line raised, while the rep has not answered it yet."""
        if not self.turns or self.turns[-1].role is not Role.client:
            return None
        said = normalise(self.turns[-1].text)
        for objection in self.script.objections:
            for trigger in objection.triggers:
                wanted = normalise(trigger)
                if len(wanted) >= 4 and fuzz.partial_ratio(wanted, said) >= TRIGGER_MATCH:
                    return objection
        return None

    def current_stage(self) -> Stage:
        """The stage to work on now: the objection stage while a doubt is open, else the first
        stage after the furthest one the rep's lines reached."""
        stages = self.script.stages
        if self.open_objection() is not None:
            handling = self.script.stages_of(StageKind.objection)
            if handling:
                return handling[0]
        reps = [t for t in self.turns if t.role is Role.rep]
        if not reps:
            return stages[0]
        analysis = analyse(self.transcript(), self.script, classifier="rules")
        reached: set[StageKind] = set()
        for utterance, evidence in zip(
            analysis.transcript.utterances, analysis.stages, strict=True
        ):
            if utterance.speaker is Role.rep:
                reached |= {e.kind for e in evidence}
        first: dict[
            StageKind, int
        ] = {}  # each kind's first stage: an alternative close does not count as further
        for number, stage in enumerate(stages):
            first.setdefault(stage.kind, number)
        furthest = max((first[kind] for kind in reached if kind in first), default=-1)
        for stage in stages[furthest + 1 :]:
            if stage.kind not in reached and stage.kind is not StageKind.objection:
                return stage
        return stages[max(furthest, 0)]

    # --- the end ----------------------------------------------------------------------
    def transcript(self) -> Transcript:
        """The practice as a call: the trainee is the rep, the simulated client the client."""
        utterances = tuple(
            Utterance(
                index=number,
                speaker=turn.role,
                text=turn.text,
                start=turn.start,
                end=turn.end,
                label="Rep" if turn.role is Role.rep else "Client",
            )
            for number, turn in enumerate(self.turns)
        )
        return Transcript(
            utterances,
            language=self.language,
            title=f"{self.script.title} · practice ({self.persona})",
            source=str(self.folder / TRANSCRIPT),
            meta={"script": self.raw.id, "persona": self.persona, "practice": "true"},
        )

    def finish(self, rubric: Rubric, *, classifier: str = "hybrid") -> PracticeResult:
        """Score the rep's side with the rubric; save the transcript and the scorecard."""
        if not any(t.role is Role.rep for t in self.turns):
            raise CoachError("nothing to score: the rep has not said anything yet")
        transcript = self.transcript()
        card = scorecard.build(analyse(transcript, self.script, classifier=classifier), rubric)
        transcript_path = self.folder / TRANSCRIPT
        card_path = self.folder / SCORECARD
        markdown_path = self.folder / SCORECARD_MD
        _write_atomically(transcript_path, _json(to_json(transcript)))
        _write_atomically(card_path, _json(scorecard.to_dict(card)))
        _write_atomically(markdown_path, scorecard.to_markdown(card))
        self.journal.append("end", at=self.clock(), total=card.total, rubric=rubric.id)
        self.ended = True
        return PracticeResult(card, transcript, transcript_path, card_path, markdown_path)

    def close(self) -> None:
        self.journal.close()


def _end_torn_line(path: Path) -> None:
    """End a line a crash left half-written, so the next event starts a line of its own."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    with path.open("rb+") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) != b"\n":
            handle.write(b"\n")
            handle.flush()
            os.fsync(handle.fileno())


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
