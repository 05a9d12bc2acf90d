"""One live call: the script, the rep's values and the journal, with every action durable.

The TUI calls these methods and redraws from ``state``; nothing here imports Textual, so
the same flows run (and are tested) without a screen.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from coach.call import reminders
from coach.call.journal import Journal, Replay, read_journal
from coach.call.state import OUTCOMES, CallState, apply, next_stage, replay
from coach.config import user_data_dir
from coach.errors import CoachError
from coach.scripts.model import END, Script, Stage, StageKind
from coach.scripts.render import fill, filled_script

JOURNAL = "journal.jsonl"
RECORD = "record.json"


def calls_dir() -> Path:
    """Where call journals and records live (the review tools read them from here)."""
    return user_data_dir() / "calls"


def _slug(text: str) -> str:
    return re.sub(r"[^\w-]+", "-", text, flags=re.UNICODE).strip("-").lower()[:40] or "client"


def new_call_dir(script: Script, client: str | None, now: datetime | None = None) -> Path:
    moment = now or datetime.now()
    name = f"{moment:%Y%m%d-%H%M%S}-{script.id}-{_slug(client or 'client')}"
    return calls_dir() / name


def latest_unfinished(script_id: str | None = None, base: Path | None = None) -> Path | None:
    """The newest call directory whose journal has no ``end`` event (for ``--resume``)."""
    root = base or calls_dir()
    if not root.is_dir():
        return None
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        journal = folder / JOURNAL
        if not journal.is_file():
            continue
        events = read_journal(journal).events
        if not events or any(e.kind == "end" for e in events):
            continue
        start = next((e for e in events if e.kind == "start"), None)
        if script_id is None or (start is not None and start.data.get("script") == script_id):
            return folder
    return None


@dataclass(frozen=True)
class Booking:
    """What the outcome screen saves besides the journal."""

    record: Path
    reminders_json: Path | None
    reminders_ics: Path | None
    confirmation: str | None


class CallSession:
    """A call in progress: apply an action, write it durably, keep the state."""

    def __init__(
        self,
        script: Script,
        values: Mapping[str, str],
        folder: Path,
        client: str | None = None,
        *,
        clock: Any = time.time,
        replayed: Replay | None = None,
    ) -> None:
        self.raw = script
        self.values = dict(values)
        self.script = filled_script(script, self.values)
        self.folder = folder
        self.client = client
        self.clock = clock
        replayed = replayed if replayed is not None else read_journal(folder / JOURNAL)
        self.warnings = replayed.warnings
        self.state: CallState = replay(self.script, replayed.events)
        self.journal = Journal(folder / JOURNAL)
        if self.state.started is None:
            self._do(
                "start",
                script=script.id,
                stage=self.script.stages[0].id,
                client=client,
                values=self.values,
            )
        elif self.state.stage is None and self.state.ended is None:
            self._do("goto", stage=self.script.stages[0].id)

    @classmethod
    def resume(cls, script: Script, folder: Path, *, clock: Any = time.time) -> CallSession:
        """Reopen a call from its journal, with the values and client it started with."""
        replayed = read_journal(folder / JOURNAL)
        start = next((e for e in replayed.events if e.kind == "start"), None)
        if start is None:
            raise CoachError(f"{folder / JOURNAL}: no call to resume in this journal")
        if start.data.get("script") != script.id:
            raise CoachError(
                f"{folder / JOURNAL}: this call used script {start.data.get('script')!r}, "
                f"not {script.id!r}"
            )
        values = {str(k): str(v) for k, v in (start.data.get("values") or {}).items()}
        return cls(script, values, folder, start.data.get("client"), clock=clock, replayed=replayed)

    # --- actions ----------------------------------------------------------------------
    def _do(self, kind: str, **data: Any) -> None:
        event = self.journal.append(kind, at=self.clock(), **data)
        self.state = apply(self.state, event)

    @property
    def stage(self) -> Stage | None:
        return self.script.stage(self.state.stage) if self.state.stage else None

    def goto(self, stage_id: str) -> None:
        if stage_id != END and all(s.id != stage_id for s in self.script.stages):
            raise CoachError(f"{self.script.id}: no stage {stage_id!r}")
        if stage_id != self.state.stage:
            self._do("goto", stage=stage_id)

    def forward(self) -> None:
        if self.state.stage is not None:
            self.goto(next_stage(self.script, self.state.stage))

    def back(self) -> None:
        ids = [s.id for s in self.script.stages]
        if self.state.stage in ids and ids.index(self.state.stage) > 0:
            self.goto(ids[ids.index(self.state.stage) - 1])

    def branch(self, number: int) -> None:
        """Take the client's answer ``number`` (0-based) of the current stage."""
        stage = self.stage
        if stage is None or not 0 <= number < len(stage.branches):
            return
        self.goto(stage.branches[number].next)

    def tick(self, number: int) -> None:
        """Tick (or untick) question ``number`` (0-based) of the current stage."""
        stage = self.stage
        if stage is None or not 0 <= number < len(stage.questions):
            return
        on = (stage.id, number) not in self.state.ticked
        self._do("tick", stage=stage.id, question=number, on=on)

    def mark_asked(self, stage_id: str, number: int) -> bool:
        """Listening heard the rep ask a script question: tick it (never untick)."""
        if (stage_id, number) in self.state.ticked:
            return False
        self._do("tick", stage=stage_id, question=number, on=True, source="listen")
        return True

    def follow(self, stage_id: str) -> bool:
        """Listening heard a later stage's words: move there (never back)."""
        ids = [s.id for s in self.script.stages]
        if self.state.stage not in ids or stage_id not in ids:
            return False
        if ids.index(stage_id) <= ids.index(self.state.stage):
            return False
        self._do("goto", stage=stage_id, source="listen")
        return True

    def note_heard(self, kind: str, **data: Any) -> None:
        """Keep what listening suggested in the journal (the state ignores it)."""
        self._do("heard", what=kind, **data)

    def open_objection(self, objection_id: str) -> None:
        self._do("objection", id=objection_id)

    def set_notes(self, text: str) -> None:
        if text != self.state.notes:
            self._do("notes", text=text)

    def set_outcome(
        self,
        result: str,
        when: str | None = None,
        reason: str | None = None,
        channel: str | None = None,
    ) -> None:
        if result not in OUTCOMES:
            raise CoachError(f"unknown outcome {result!r}; one of: {', '.join(OUTCOMES)}")
        self._do("outcome", result=result, when=when, reason=reason, channel=channel)

    # --- closing ----------------------------------------------------------------------
    def close_stage(self) -> Stage | None:
        return next((s for s in self.raw.stages if s.kind is StageKind.close), None)

    def confirmation(self, when: datetime | None) -> str | None:
        """The written confirmation, with the booked date and time filled in."""
        stage = self.close_stage()
        if stage is None or stage.confirmation is None:
            return None
        values = dict(self.values)
        if when is not None:
            values["visit_date"] = when.strftime("%Y-%m-%d")
            values["visit_time"] = when.strftime("%H:%M")
            values.setdefault("callback_time", when.strftime("%Y-%m-%d %H:%M"))
        values.setdefault("client_name", self.client or "")
        try:
            return fill(stage.confirmation, values)
        except CoachError:
            return None

    def finish(self) -> Booking:
        """End the call: write the record and, for a booking, the reminder plan."""
        if self.state.ended is None:
            self._do("end")
        outcome = self.state.outcome
        when = read_when(outcome.when) if outcome and outcome.when else None
        text = self.confirmation(when) if outcome and outcome.result == "booked" else None
        json_path = ics_path = None
        if outcome and outcome.result == "booked" and when is not None:
            booked = datetime.fromtimestamp(self.state.ended or self.clock())
            plan = reminders.plan(
                booked, when, outcome.channel or "sms", text or "", self.script.language
            )
            json_path = self.folder / "reminders.json"
            json_path.write_text(
                json.dumps(reminders.to_json(plan), ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
            ics_path = self.folder / "reminders.ics"
            ics_path.write_text(
                reminders.to_ics(
                    plan, when, " · ".join(filter(None, [self.script.title, self.client]))
                ),
                encoding="utf-8",
            )
        if text:
            (self.folder / "confirmation.txt").write_text(text + "\n", encoding="utf-8")
        record = self.folder / RECORD
        record.write_text(
            json.dumps(self.record(text), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        self.journal.close()
        return Booking(record, json_path, ics_path, text)

    def record(self, confirmation: str | None = None) -> dict[str, Any]:
        """The call as the review tools read it."""
        state = self.state
        outcome = state.outcome
        return {
            "script": self.script.id,
            "language": self.script.language,
            "client": self.client,
            "rep": self.values.get("rep_name"),
            "started": _iso(state.started),
            "ended": _iso(state.ended),
            "seconds": round((state.ended or self.clock()) - (state.started or 0.0), 1),
            "stages": [
                {"id": s, "seconds": round(state.seconds.get(s, 0.0), 1)} for s in state.visited
            ],
            "questions": [
                {"stage": s, "question": q, "text": self.script.stage(s).questions[q].text}
                for s, q in sorted(state.ticked)
            ],
            "objections": list(state.objections),
            "notes": state.notes,
            "outcome": None if outcome is None else asdict(outcome),
            "confirmation": confirmation,
        }

    def close(self) -> None:
        self.journal.close()


def _iso(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment).isoformat(timespec="seconds")


def read_when(text: str) -> datetime | None:
    """A date-time the rep typed, or None when it does not read as one (yet)."""
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    return None


def parse_when(text: str) -> datetime:
    """A date-time the rep typed (YYYY-MM-DD HH:MM or DD.MM.YYYY HH:MM), or a clear error."""
    moment = read_when(text)
    if moment is None:
        raise CoachError(f"cannot read {text!r} as a date and time; use YYYY-MM-DD HH:MM")
    return moment
