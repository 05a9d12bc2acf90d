"""The call-script format: pydantic models a trainer's YAML is validated against.

Every model forbids unknown keys so a typo ("qestions") is an error, not a silent no-op.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from coach.yamlsource import Location

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
Identifier = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=1)]
END = "end"  # a branch or stage `next` that ends the call


class StageKind(StrEnum):
    """The fixed stage vocabulary of FORMATS.md §3."""

    compliance = "compliance"
    greeting = "greeting"
    small_talk = "small_talk"
    qualification = "qualification"
    situation = "situation"
    problem = "problem"
    implication = "implication"
    need_payoff = "need_payoff"
    teaser = "teaser"
    objection = "objection"
    close = "close"
    feedback = "feedback"
    referral = "referral"


DIAGNOSIS_KINDS = frozenset(
    {StageKind.situation, StageKind.problem, StageKind.implication, StageKind.need_payoff}
)


class Spin(StrEnum):
    """SPIN question types (Rackham)."""

    situation = "situation"
    problem = "problem"
    implication = "implication"
    need_payoff = "need_payoff"


class QuestionForm(StrEnum):
    open = "open"
    closed = "closed"


class ReminderChannel(StrEnum):
    sms = "sms"
    whatsapp = "whatsapp"
    telegram = "telegram"
    viber = "viber"
    email = "email"
    call = "call"
    messenger = "messenger"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class LocatedModel(_Strict):
    """A top-level document that remembers which file and lines it was read from."""

    _source: str | None = PrivateAttr(default=None)
    _locations: dict[tuple[str | int, ...], Location] = PrivateAttr(default_factory=dict)

    def attach_origin(self, source: str, locations: dict[tuple[str | int, ...], Location]) -> None:
        self._source = source
        self._locations = locations

    @property
    def source(self) -> str | None:
        """The file this was read from."""
        return self._source

    def location(self, *path: str | int) -> Location | None:
        """Where ``path`` (e.g. ``("stages", 2, "lines", 0)``) was written, as near as known."""
        for cut in range(len(path), -1, -1):
            found = self._locations.get(tuple(path[:cut]))
            if found is not None:
                return found
        return None


class Variable(_Strict):
    """A placeholder the lines may use, e.g. ``{{ client_name }}``."""

    name: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$", max_length=64)]
    description: str = ""
    default: str | None = None
    example: str | None = None

    @field_validator("default", "example", mode="before")
    @classmethod
    def _scalar_to_text(cls, value: Any) -> Any:
        # `default: 30` or `example: 2026-12-01` in YAML should not be a type error.
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) or hasattr(value, "isoformat"):
            return str(value)
        return value


class Question(_Strict):
    """A question the rep asks at a stage."""

    text: Text
    spin: Spin | None = None
    form: QuestionForm
    required: bool = False


class Branch(_Strict):
    """What to do when the client answers a certain way."""

    answer: Text = Field(description="The client's answer, as the rep recognises it.")
    next: str = Field(description="Stage id to go to, or 'end' to finish the call.")
    lines: list[Text] = Field(default_factory=list)


class Stage(_Strict):
    """One step of the call."""

    id: Identifier
    kind: StageKind
    title: Text
    goal: str = ""
    lines: list[Text] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    tips: list[Text] = Field(default_factory=list)
    branches: list[Branch] = Field(default_factory=list)
    next: str | None = Field(
        default=None,
        description="Stage id that follows (default: the next stage in order), or 'end'.",
    )
    timebox_s: Annotated[int, Field(gt=0, le=3600, strict=True)] | None = None
    required: bool = True
    reminder_channels: list[ReminderChannel] = Field(
        default_factory=list, description="Close stage: how the reminder is sent."
    )
    confirmation: str | None = Field(
        default=None,
        description="Close stage: the written confirmation (SMS/messenger) message template.",
    )
    after: str | None = Field(
        default=None, description="When extending: place this new stage after that stage id."
    )

    @model_validator(mode="after")
    def _close_only_fields(self) -> Stage:
        if self.kind is not StageKind.close and (self.reminder_channels or self.confirmation):
            raise ValueError("reminder_channels and confirmation belong to a stage of kind 'close'")
        return self


class Objection(_Strict):
    """A doubt the client may raise, and how to answer it."""

    id: Identifier
    category: Annotated[str, Field(pattern=ID_PATTERN, max_length=64)] = Field(
        description="price, no_time, think_about_it, send_email, competitor, trust, "
        "not_decision_maker, … (free, but keep to the common ones)"
    )
    triggers: Annotated[list[Text], Field(min_length=1)]
    responses: Annotated[list[Text], Field(min_length=1)]
    follow_up_question: str | None = None


KNOWN_OBJECTION_CATEGORIES = (
    "price",
    "no_time",
    "think_about_it",
    "send_email",
    "competitor",
    "trust",
    "not_decision_maker",
    "no_need",
    "bad_experience",
    "not_now",
    "credit",
    "location",
)


class Script(LocatedModel):
    """A call script after `extends:` and `include:` have been resolved."""

    id: Identifier
    title: Text
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
    industry: Annotated[str, Field(pattern=ID_PATTERN)]
    description: str = ""
    cold: bool = False
    key_step: Annotated[str, Field(pattern=ID_PATTERN)] = Field(
        description="The funnel step the call aims at: visit, order, demo, application, …"
    )
    abstract: bool = Field(
        default=False, description="A base for other scripts to extend, not used on calls."
    )
    extends: str | None = Field(
        default=None, description="Id or relative path of a base script to inherit from."
    )
    include: list[str] = Field(
        default_factory=list, description="Objection libraries (ids or relative paths)."
    )
    omit: list[str] = Field(
        default_factory=list, description="Stage or objection ids inherited but not wanted."
    )
    variables: list[Variable] = Field(default_factory=list)
    stages: Annotated[list[Stage], Field(min_length=1)]
    objections: list[Objection] = Field(default_factory=list)

    # --- convenience -------------------------------------------------------
    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def stages_of(self, *kinds: StageKind) -> list[Stage]:
        return [s for s in self.stages if s.kind in kinds]


class ObjectionLibrary(_Strict):
    """A shared file of objections that scripts pull in with `include:`."""

    id: Identifier
    title: str = ""
    language: str | None = None
    objections: Annotated[list[Objection], Field(min_length=1)]
