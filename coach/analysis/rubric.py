"""Rubrics: weighted criteria a scored call is measured against (model, loading, checks).

A criterion reads one metric of the scorecard (FORMATS.md §2) against a target band,
or runs one named check (a stage covered, the script's required questions asked …).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from coach.errors import Problem, RubricError
from coach.scripts.model import ID_PATTERN, LocatedModel, StageKind, _Strict
from coach.validation import problem_at, sort_problems, suggest, validate_located
from coach.yamlsource import YAML_SUFFIXES, LocatedDict, load_yaml_file, locate, yaml_files

# Metrics a criterion may read: FORMATS.md §2 `metrics`, plus the analysis extras.
METRICS: dict[str, str] = {
    "rep_talk_ratio": "rep talk time / (rep + client talk time), 0–1",
    "rep_questions": "questions the rep asked",
    "open_questions": "open questions the rep asked",
    "closed_questions": "closed questions the rep asked",
    "open_question_share": "open questions / all rep questions, 0–1",
    "spin_counts.situation": "situation questions",
    "spin_counts.problem": "problem questions",
    "spin_counts.implication": "implication questions",
    "spin_counts.need_payoff": "need-payoff questions",
    "longest_rep_monologue_s": "longest uninterrupted rep turn, seconds",
    "longest_client_monologue_s": "longest uninterrupted client turn, seconds",
    "interactivity": "speaker switches per minute",
    "rep_words_per_minute": "rep speaking pace",
    "time_to_first_question_s": "seconds until the rep's first question",
    "max_questions_in_a_row": "most rep questions asked with no client answer between them",
    "pitch_before_first_reply_s": "seconds the rep talks before the client first answers",
    "filler_rate": "filler words per 100 rep words",
    "stages_covered": "how many of the script's required stages were covered",
    "duration_s": "call length, seconds",
}


class Check(StrEnum):
    """Named checks that are not a single number."""

    stage_covered = "stage_covered"  # the `stage` kind happened in the call
    stages_in_order = "stages_in_order"  # covered stages follow the script's order
    required_questions = "required_questions"  # the script's required questions were asked
    close_complete = "close_complete"  # date/time, reminder and written confirmation agreed
    teaser_call_to_action = "teaser_call_to_action"  # the pitch ended with an invitation


class Severity(StrEnum):
    minor = "minor"
    major = "major"
    critical = "critical"


class Target(_Strict):
    """A band the metric should fall in; either end may be open."""

    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _band(self) -> Target:
        if self.min is None and self.max is None:
            raise ValueError("a target needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"target min {self.min} is above max {self.max}")
        return self


class Criterion(_Strict):
    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
    label: Annotated[str, Field(min_length=1)]
    description: str = ""
    weight: Annotated[float, Field(gt=0, le=100, strict=True)]
    metric: str | None = Field(default=None, description="A metric name (see `coach rubric show`).")
    check: Check | None = None
    stage: StageKind | None = Field(default=None, description="For check: stage_covered.")
    target: Target | None = None
    tolerance: Annotated[float, Field(ge=0)] | None = Field(
        default=None,
        description="Partial credit: the score falls linearly to 0 over this distance "
        "outside the target band (no tolerance: all or nothing).",
    )
    severity: Severity = Severity.major

    @model_validator(mode="after")
    def _one_source(self) -> Criterion:
        if (self.metric is None) == (self.check is None):
            raise ValueError("a criterion reads exactly one of `metric` or `check`")
        if self.metric is not None:
            if self.metric not in METRICS:
                raise ValueError(
                    f"unknown metric '{self.metric}'" + suggest(self.metric, list(METRICS))
                )
            if self.target is None:
                raise ValueError(f"metric '{self.metric}' needs a `target` (min and/or max)")
        if self.check is Check.stage_covered and self.stage is None:
            raise ValueError("check 'stage_covered' needs `stage:` (a stage kind)")
        if self.check is not None and self.target is not None:
            raise ValueError("a check is passed or failed: it takes no `target`")
        if self.tolerance is not None and self.target is None:
            raise ValueError("`tolerance` only applies to a metric with a target")
        return self


class Rubric(LocatedModel):
    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
    title: Annotated[str, Field(min_length=1)]
    version: Annotated[int, Field(ge=1, strict=True)] = 1
    description: str = ""
    pass_mark: Annotated[float, Field(ge=0, le=100)] = Field(
        default=60, description="Total (out of 100) a call needs to pass."
    )
    criteria: Annotated[list[Criterion], Field(min_length=1)]

    @property
    def total_weight(self) -> float:
        return sum(c.weight for c in self.criteria)


@dataclass(frozen=True)
class RubricEntry:
    id: str
    title: str
    version: int
    criteria: int
    path: Path


def rubric_files(dirs: Sequence[Path]) -> list[Path]:
    return yaml_files(dirs)


def list_rubrics(dirs: Sequence[Path]) -> list[RubricEntry]:
    entries: dict[str, RubricEntry] = {}
    for path in rubric_files(dirs):
        data, _ = load_yaml_file(path)
        if not isinstance(data, dict):
            continue
        rid = str(data.get("id") or path.stem)
        criteria = data.get("criteria")
        version = data.get("version", 1)
        entries.setdefault(
            rid,
            RubricEntry(
                id=rid,
                title=str(data.get("title", "")),
                version=version if isinstance(version, int) else 1,
                criteria=len(criteria) if isinstance(criteria, list) else 0,
                path=path,
            ),
        )
    return sorted(entries.values(), key=lambda e: e.id)


def find_rubric(ref: str, dirs: Sequence[Path]) -> Path:
    if ref.endswith(YAML_SUFFIXES) or "/" in ref:
        return Path(ref)
    for folder in dirs:
        for suffix in YAML_SUFFIXES:
            if (folder / f"{ref}{suffix}").is_file():
                return folder / f"{ref}{suffix}"
    known = list_rubrics(dirs)
    for entry in known:
        if entry.id == ref:
            return entry.path
    raise RubricError(f"no rubric '{ref}'" + suggest(ref, [e.id for e in known]))


def _duplicates(data: LocatedDict, source: Path) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    criteria = data.get("criteria")
    for index, item in enumerate(criteria if isinstance(criteria, list) else []):
        ident = item.get("id") if isinstance(item, dict) else None
        if isinstance(ident, str):
            if ident in seen:
                where = locate(data, ("criteria", index, "id"))
                problems.append(problem_at(f"duplicate criterion id '{ident}'", where, str(source)))
            seen.add(ident)
    return problems


def load_rubric(ref: str | Path, dirs: Sequence[Path] = ()) -> Rubric:
    """Load and validate a rubric; RubricError lists every problem with its line."""
    path = ref if isinstance(ref, Path) else find_rubric(ref, dirs)
    data, problems = load_yaml_file(path)
    if data is None:
        raise RubricError(problems=problems)
    if not isinstance(data, LocatedDict):
        raise RubricError("a rubric must be a mapping (id, title, criteria)", file=path, line=1)
    problems += _duplicates(data, path)
    rubric, found = validate_located(Rubric, data, path)
    problems += found
    if problems or rubric is None:
        raise RubricError(problems=sort_problems(problems))
    assert isinstance(rubric, Rubric)
    return rubric
