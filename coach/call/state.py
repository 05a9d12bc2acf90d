"""The state of a live call as a pure function of its journal's events.

The TUI appends events; this module folds them into where the call is: current stage,
stages visited with the time spent, questions ticked, objections opened, notes, outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from coach.call.journal import Event
from coach.scripts.model import END, Script

OUTCOMES = ("booked", "callback", "not_interested", "not_target")


@dataclass(frozen=True)
class Outcome:
    result: str  # one of OUTCOMES
    when: str | None = None  # ISO date-time of the key step or the callback
    reason: str | None = None  # why not interested
    channel: str | None = None  # how the reminder goes


@dataclass(frozen=True)
class CallState:
    script_id: str
    started: float | None = None
    stage: str | None = None
    entered: float | None = None  # when the current stage was entered
    visited: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)  # stage → time spent
    ticked: frozenset[tuple[str, int]] = frozenset()  # (stage id, question index)
    objections: tuple[str, ...] = ()  # objection ids opened, in order
    notes: str = ""
    outcome: Outcome | None = None
    ended: float | None = None

    def time_in_stage(self, now: float) -> float:
        """Seconds spent in the current stage so far, earlier visits included."""
        spent = self.seconds.get(self.stage or "", 0.0)
        return spent + (now - self.entered if self.entered is not None else 0.0)


def _leave(state: CallState, at: float) -> CallState:
    if state.stage is None or state.entered is None:
        return state
    seconds = dict(state.seconds)
    seconds[state.stage] = seconds.get(state.stage, 0.0) + max(0.0, at - state.entered)
    return replace(state, seconds=seconds, entered=None)


def apply(state: CallState, event: Event) -> CallState:
    """One event applied to the state (unknown kinds are ignored: newer journals replay)."""
    data, at = event.data, event.at
    if event.kind == "start":
        first = str(data.get("stage")) if data.get("stage") else None
        return replace(
            state, started=at, stage=first, entered=at, visited=(first,) if first else ()
        )
    if event.kind == "goto":
        target = str(data["stage"])
        left = _leave(state, at)
        if target == END:
            return replace(left, stage=None)
        visited = left.visited if target in left.visited else (*left.visited, target)
        return replace(left, stage=target, entered=at, visited=visited)
    if event.kind == "tick":
        key = (str(data["stage"]), int(data["question"]))
        ticked = state.ticked - {key} if not data.get("on", True) else state.ticked | {key}
        return replace(state, ticked=frozenset(ticked))
    if event.kind == "objection":
        return replace(state, objections=(*state.objections, str(data["id"])))
    if event.kind == "notes":
        return replace(state, notes=str(data.get("text", "")))
    if event.kind == "outcome":
        outcome = Outcome(
            str(data["result"]), data.get("when"), data.get("reason"), data.get("channel")
        )
        return replace(state, outcome=outcome)
    if event.kind == "end":
        return replace(_leave(state, at), ended=at)
    return state


def replay(script: Script, events: Iterable[Event]) -> CallState:
    """The call's state after all its events."""
    state = CallState(script.id)
    for event in events:
        state = apply(state, event)
    return state


def next_stage(script: Script, stage_id: str) -> str:
    """Where the script goes after a stage when no branch is taken."""
    ids = [s.id for s in script.stages]
    stage = script.stage(stage_id)
    if stage.next is not None:
        return stage.next
    index = ids.index(stage_id)
    return ids[index + 1] if index + 1 < len(ids) else END
