"""Check a script against the skeleton the source material teaches (SKELETON.md).

Returns findings (rule, severity, location, message, fix hint); never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from jinja2 import TemplateSyntaxError

from coach.errors import ScriptError
from coach.lexicon import cues, find_cue
from coach.scripts import render
from coach.scripts.model import END, ReminderChannel, Script, Spin, Stage, StageKind
from coach.text import split_sentences, words
from coach.yamlsource import Location

MAX_QUALIFICATION_QUESTIONS = 3
TEASER_SENTENCES = (2, 4)
MAX_LINE_CHARS = 250
MAX_SENTENCE_WORDS = 30


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    hint: str
    file: str | None = None
    line: int | None = None
    column: int | None = None

    def where(self) -> str:
        parts = [self.file or "<script>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        hint = f" — fix: {self.hint}" if self.hint else ""
        return f"{self.where()}: {self.severity.value} [{self.rule}] {self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    summary: str


RULES: dict[str, Rule] = {}
Check = Callable[[Script], Iterator[Finding]]
_CHECKS: list[Check] = []


def _rule(rule_id: str, severity: Severity, summary: str) -> Rule:
    RULES[rule_id] = Rule(rule_id, severity, summary)
    return RULES[rule_id]


def _check(fn: Check) -> Check:
    _CHECKS.append(fn)
    return fn


def _finding(
    script: Script,
    rule: Rule,
    message: str,
    hint: str,
    *path: str | int,
    severity: Severity | None = None,
) -> Finding:
    where: Location | None = script.location(*path)
    return Finding(
        rule=rule.id,
        severity=severity or rule.severity,
        message=message,
        hint=hint,
        file=where.file if where else script.source,
        line=where.line if where else None,
        column=where.column if where else None,
    )


def is_after_sale(script: Script) -> bool:
    """Follow-up scripts (a feedback stage) have their own goal: no teaser, no full SPIN."""
    return bool(script.stages_of(StageKind.feedback))


def _index(script: Script, stage: Stage) -> int:
    return script.stages.index(stage)


# --- opening ------------------------------------------------------------------------
GREETING_FIRST = _rule(
    "greeting-first",
    Severity.error,
    "The call opens with the greeting (a compliance notice may precede it).",
)
COMPLIANCE = _rule(
    "compliance-opening",
    Severity.error,
    "A cold call states who calls and that it is an advertising call, at the start.",
)


@_check
def greeting_first(script: Script) -> Iterator[Finding]:
    opening = [s.kind for s in script.stages[:2]]
    if script.stages[0].kind not in (StageKind.greeting, StageKind.compliance) or (
        StageKind.greeting not in opening
    ):
        yield _finding(
            script,
            GREETING_FIRST,
            f"the call starts with '{script.stages[0].id}' ({script.stages[0].kind.value}), "
            "not the greeting",
            "put a stage of kind greeting first (a compliance stage may come before it)",
            "stages",
            0,
        )


@_check
def compliance_opening(script: Script) -> Iterator[Finding]:
    if not script.cold:
        return
    if StageKind.compliance not in [s.kind for s in script.stages[:2]]:
        yield _finding(
            script,
            COMPLIANCE,
            "a cold-call script has no compliance stage at the start",
            "add a stage of kind compliance in the first two: who calls, from which company, "
            "that it is an advertising call (and that it is recorded)",
            "stages",
            0,
        )


# --- diagnosis ----------------------------------------------------------------------
QUALIFICATION = _rule(
    "qualification-max-3",
    Severity.warning,
    "Qualification cuts non-target leads with 1–3 questions, not more.",
)
SITUATION = _rule(
    "situation-question", Severity.error, "Diagnosis asks at least one situation question."
)
PROBLEM = _rule("problem-question", Severity.error, "Diagnosis asks at least one problem question.")
IMPLICATION = _rule(
    "implication-question", Severity.warning, "Full SPIN also asks implication questions."
)
NEED_PAYOFF = _rule(
    "need-payoff-question", Severity.warning, "Full SPIN also asks need-payoff questions."
)


@_check
def qualification_max(script: Script) -> Iterator[Finding]:
    stages = script.stages_of(StageKind.qualification)
    count = sum(len(s.questions) for s in stages)
    if count > MAX_QUALIFICATION_QUESTIONS:
        yield _finding(
            script,
            QUALIFICATION,
            f"qualification asks {count} questions (at most {MAX_QUALIFICATION_QUESTIONS})",
            "keep the 1–3 questions that separate target from non-target clients; move the rest "
            "to the situation stage",
            "stages",
            _index(script, stages[0]),
            "questions",
        )


def _spin_questions(script: Script, spin: Spin) -> int:
    return sum(1 for s in script.stages for q in s.questions if q.spin is spin)


@_check
def spin_questions(script: Script) -> Iterator[Finding]:
    wanted = [
        (Spin.situation, SITUATION, StageKind.situation),
        (Spin.problem, PROBLEM, StageKind.problem),
    ]
    if not is_after_sale(script):
        wanted += [
            (Spin.implication, IMPLICATION, StageKind.implication),
            (Spin.need_payoff, NEED_PAYOFF, StageKind.need_payoff),
        ]
    for spin, rule, kind in wanted:
        if _spin_questions(script, spin):
            continue
        stages = script.stages_of(kind) or script.stages_of(*_DIAGNOSIS_ORDER)
        path: tuple[str | int, ...] = ("stages", _index(script, stages[0])) if stages else ()
        yield _finding(
            script,
            rule,
            f"no {spin.value.replace('_', '-')} question in the script",
            f"add a question with `spin: {spin.value}` (to a stage of kind {kind.value})",
            *path,
        )


_DIAGNOSIS_ORDER = (
    StageKind.situation,
    StageKind.problem,
    StageKind.implication,
    StageKind.need_payoff,
    StageKind.qualification,
)


# --- teaser -------------------------------------------------------------------------
TEASER_MISSING = _rule(
    "teaser-missing", Severity.error, "A sales script presents the product in a short teaser."
)
TEASER_LENGTH = _rule("teaser-length", Severity.error, "The teaser is 2–4 sentences.")
TEASER_CTA = _rule(
    "teaser-call-to-action",
    Severity.error,
    "The teaser ends with a call to action toward the key step.",
)


def _preview_values(script: Script) -> dict[str, str]:
    """Stand-in values so texts can be measured before a call fills them."""
    values = {}
    for variable in script.variables:
        values[variable.name] = variable.example or variable.default or variable.name
    for name in render.used_variables(script):
        values.setdefault(name, name)
    return values


def _filled(text: str, values: dict[str, str]) -> str:
    try:
        return render.fill(text, values)
    except ScriptError:  # a broken template is reported by template-syntax
        return text


@_check
def teaser(script: Script) -> Iterator[Finding]:
    stages = script.stages_of(StageKind.teaser)
    if not stages:
        if not is_after_sale(script):
            yield _finding(
                script,
                TEASER_MISSING,
                "no teaser stage",
                f"add a stage of kind teaser: the offer in 2–4 sentences, ending with an "
                f"invitation to the {script.key_step}",
                "stages",
            )
        return
    values = _preview_values(script)
    for stage in stages:
        index = _index(script, stage)
        text = " ".join(_filled(line, values) for line in stage.lines)
        sentences = split_sentences(text, script.language)
        low, high = TEASER_SENTENCES
        if not low <= len(sentences) <= high:
            yield _finding(
                script,
                TEASER_LENGTH,
                f"teaser '{stage.id}' has {len(sentences)} sentence(s) (want {low}–{high})",
                "say what it is, why it fits this client, and invite them: 2–4 sentences",
                "stages",
                index,
                "lines",
            )
        if not sentences:
            continue
        last = sentences[-1]
        path = ("stages", index, "lines", len(stage.lines) - 1)
        step_cue = find_cue(last, cues(script.language, "key_steps", script.key_step))
        action_cue = find_cue(last, cues(script.language, "call_to_action"))
        if step_cue is None and action_cue is None:
            yield _finding(
                script,
                TEASER_CTA,
                f"teaser '{stage.id}' does not end with a call to action: «{last}»",
                f"finish with an invitation to the {script.key_step}, e.g. a question that "
                "offers two time slots",
                *path,
            )
        elif step_cue is None:
            yield _finding(
                script,
                TEASER_CTA,
                f"teaser '{stage.id}' ends with a call to action that does not name the key "
                f"step '{script.key_step}'",
                f"make the last sentence an invitation to the {script.key_step}",
                *path,
                severity=Severity.warning,
            )


# --- objections ---------------------------------------------------------------------
OBJECTIONS_EMPTY = _rule(
    "objections-empty", Severity.error, "The script carries an objection library."
)
OBJECTION_TRIGGERS = _rule(
    "objection-triggers-bilingual",
    Severity.warning,
    "Objection triggers cover English and Russian.",
)


def _has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def _has_latin(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)


@_check
def objections(script: Script) -> Iterator[Finding]:
    if not script.objections:
        yield _finding(
            script,
            OBJECTIONS_EMPTY,
            "the script has no objections",
            "add objections (price, no time, send an e-mail, I'll think…) or include a "
            "library such as common-en",
            "objections",
        )
        return
    for index, objection in enumerate(script.objections):
        cyrillic = any(_has_cyrillic(t) for t in objection.triggers)
        latin = any(_has_latin(t) for t in objection.triggers)
        if not (cyrillic and latin):
            missing = "Russian" if not cyrillic else "English"
            yield _finding(
                script,
                OBJECTION_TRIGGERS,
                f"objection '{objection.id}' has no {missing} trigger",
                f"add {missing} phrases a client says, so the objection is found in both languages",
                "objections",
                index,
                "triggers",
            )


# --- close --------------------------------------------------------------------------
CLOSE_MISSING = _rule("close-missing", Severity.error, "The call ends by agreeing the next step.")
CLOSE_DATE = _rule(
    "close-date-time", Severity.error, "The close fixes the date and time of the next step."
)
CLOSE_REMINDER = _rule(
    "close-reminder", Severity.error, "The close says how the client will be reminded."
)
CLOSE_CONFIRMATION = _rule(
    "close-confirmation", Severity.error, "The close confirms the agreement in writing."
)


def _mentions_date_time(script: Script, stage: Stage) -> bool:
    texts = [*stage.lines, *(q.text for q in stage.questions)]
    for text in texts:
        try:
            names = render.variables_in(text)
        except TemplateSyntaxError:
            names = set()
        if any(part in name for name in names for part in ("date", "time", "day", "slot")):
            return True
        if find_cue(text, cues(script.language, "date_time")):
            return True
    return False


@_check
def close(script: Script) -> Iterator[Finding]:
    stages = script.stages_of(StageKind.close)
    if not stages:
        yield _finding(
            script,
            CLOSE_MISSING,
            "no close stage",
            "add a stage of kind close: date and time, reminder channel, written confirmation",
            "stages",
        )
        return
    for stage in stages:
        index = _index(script, stage)
        if not _mentions_date_time(script, stage):
            yield _finding(
                script,
                CLOSE_DATE,
                f"close '{stage.id}' does not fix a date or time",
                "say the day and time back to the client, e.g. «So, {{ visit_date }} at "
                "{{ visit_time }}»",
                "stages",
                index,
                "lines",
            )
    if not any(s.reminder_channels for s in stages):
        yield _finding(
            script,
            CLOSE_REMINDER,
            "the close declares no reminder channel",
            "add `reminder_channels: [sms]` (or whatsapp, telegram, email, call) and say it",
            "stages",
            _index(script, stages[-1]),
        )
    if not any(s.confirmation for s in stages):
        yield _finding(
            script,
            CLOSE_CONFIRMATION,
            "the close has no written confirmation message",
            "add `confirmation:` with the SMS/messenger text: date, time, address, who to ask for",
            "stages",
            _index(script, stages[-1]),
        )


SMS_LENGTH = _rule(
    "confirmation-sms-length", Severity.info, "A confirmation sent by SMS fits in few segments."
)
GSM_SEGMENT, UNICODE_SEGMENT = 153, 67  # characters per part of a multi-part SMS


def sms_segments(text: str) -> int:
    """Parts a text needs as SMS: Cyrillic and other non-GSM text fits fewer per part."""
    per_part = GSM_SEGMENT if all(ord(ch) < 128 for ch in text) else UNICODE_SEGMENT
    single = 160 if per_part == GSM_SEGMENT else 70
    return 1 if len(text) <= single else -(-len(text) // per_part)


@_check
def confirmation_sms(script: Script) -> Iterator[Finding]:
    values = _preview_values(script)
    for index, stage in enumerate(script.stages):
        if not stage.confirmation or ReminderChannel.sms not in stage.reminder_channels:
            continue
        text = _filled(stage.confirmation, values).strip()
        parts = sms_segments(text)
        if parts > 2:
            yield _finding(
                script,
                SMS_LENGTH,
                f"the written confirmation is {len(text)} characters: {parts} SMS parts",
                "keep date, time, address and a contact; send details by messenger",
                "stages",
                index,
                "confirmation",
            )


# --- flow ---------------------------------------------------------------------------
UNREACHABLE = _rule(
    "unreachable-stage", Severity.warning, "Every stage can be reached from the first one."
)


def successors(script: Script, index: int) -> list[str]:
    """Stage ids that may follow stage ``index`` (its branches, then its `next`)."""
    stage = script.stages[index]
    out = [b.next for b in stage.branches if b.next != END]
    if stage.next is None:
        if index + 1 < len(script.stages):
            out.append(script.stages[index + 1].id)
    elif stage.next != END:
        out.append(stage.next)
    return out


@_check
def reachable(script: Script) -> Iterator[Finding]:
    ids = {s.id: i for i, s in enumerate(script.stages)}
    seen = {script.stages[0].id}
    todo = [0]
    while todo:
        for target in successors(script, todo.pop()):
            if target in ids and target not in seen:
                seen.add(target)
                todo.append(ids[target])
    for index, stage in enumerate(script.stages):
        if stage.id not in seen:
            yield _finding(
                script,
                UNREACHABLE,
                f"stage '{stage.id}' can never be reached",
                "point a branch or a `next:` at it, or remove it (`omit:` when inherited)",
                "stages",
                index,
            )


# --- texts --------------------------------------------------------------------------
TEMPLATE_SYNTAX = _rule("template-syntax", Severity.error, "Variables are written as {{ name }}.")
UNDECLARED = _rule(
    "undeclared-variable",
    Severity.error,
    "Every variable a line uses is declared under `variables:`.",
)
UNUSED = _rule("unused-variable", Severity.info, "Declared variables are used.")
LONG_LINE = _rule(
    "line-too-long", Severity.warning, "Lines are short enough to read aloud from a live screen."
)


@_check
def template_syntax(script: Script) -> Iterator[Finding]:
    for problem in render.syntax_problems(script):
        yield Finding(
            TEMPLATE_SYNTAX.id,
            TEMPLATE_SYNTAX.severity,
            problem.message,
            "write variables as {{ name }} and close every {{ and {%",
            problem.file,
            problem.line,
            problem.column,
        )


@_check
def variables(script: Script) -> Iterator[Finding]:
    declared = {v.name for v in script.variables}
    used = render.used_variables(script)
    for name, paths in sorted(used.items()):
        if name not in declared:
            yield _finding(
                script,
                UNDECLARED,
                f"variable '{name}' is used but not declared",
                f"add `- name: {name}` with a description and an example under `variables:`",
                *paths[0],
            )
    for index, variable in enumerate(script.variables):
        where = script.location("variables", index)
        inherited = where is not None and where.file != script.source
        if variable.name not in used and not inherited:
            yield _finding(
                script,
                UNUSED,
                f"variable '{variable.name}' is declared but never used",
                "use it in a line or remove it",
                "variables",
                index,
            )


@_check
def line_length(script: Script) -> Iterator[Finding]:
    values = _preview_values(script)
    for piece in render.template_texts(script):
        if piece.path[-1] == "confirmation" or "tips" in piece.path:
            continue  # read, not spoken
        text = _filled(piece.text, values)
        if len(text) > MAX_LINE_CHARS:
            yield _finding(
                script,
                LONG_LINE,
                f"a line of {len(text)} characters is hard to read during a call "
                f"(at most {MAX_LINE_CHARS})",
                "split it into shorter lines",
                *piece.path,
            )
            continue
        for sentence in split_sentences(text, script.language):
            count = len(words(sentence))
            if count > MAX_SENTENCE_WORDS:
                yield _finding(
                    script,
                    LONG_LINE,
                    f"a sentence of {count} words is hard to say in one breath "
                    f"(at most {MAX_SENTENCE_WORDS}): «{sentence[:60]}…»",
                    "split it into two sentences",
                    *piece.path,
                )
                break


# --- entry point --------------------------------------------------------------------
def lint(script: Script) -> list[Finding]:
    """All findings for one loaded script, in file order."""
    findings = [f for check in _CHECKS for f in check(script)]
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, f.column or 0, f.rule))


def fails(findings: list[Finding], *, strict: bool = False) -> bool:
    """Errors always fail; with --strict, warnings fail too (info never does)."""
    bad = {Severity.error, Severity.warning} if strict else {Severity.error}
    return any(f.severity in bad for f in findings)
