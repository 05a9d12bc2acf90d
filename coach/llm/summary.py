"""A coaching summary of one scored call: three strengths, three changes, a plan for the next call.

The findings, numbers, quotes and times come from the scorecard; a model may only choose among
them and phrase them, and its answer is checked against the call before it is shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pydantic

from coach.errors import LLMError
from coach.feedback import stage_name
from coach.llm.client import Privacy, structured
from coach.llm.config import LLMSettings
from coach.llm.prompts import render_prompt
from coach.scripts.model import StageKind
from coach.text import clock

POINTS = 3
QUOTE_WORDS = 12
REPAIRS = 1
MAX_TOKENS = 500
# stages that open a call: a missed one is shown at the rep's first words, others at the last
OPENING_KINDS = ("compliance", "greeting", "small_talk", "qualification")
DIAGNOSIS_KINDS = ("situation", "problem", "implication", "need_payoff")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Coaching summary",
        "strengths": "What went well",
        "changes": "What to change",
        "plan": "Plan for the next call",
        "note": "Note",
        "utterance": "utterance",
        "stage_covered": "covered the {stage} stage",
        "stage_missed": "no {stage} stage in this call",
        "question": "asked a {form} {spin}question",
        "closed_diagnosis": "a closed question where an open one would let the client talk",
        "said": "said",
        "plan_criterion": "Work on: {label} ({detail}).",
        "plan_stage": "Include the {stage} stage.",
        "plan_keep": "Keep what worked: {text}.",
        "fallback": "summary built from the scorecard alone ({reason})",
        "no_model": "the model was not asked",
        "model": "phrased by the model from the scorecard's findings",
        "open": "open",
        "closed": "closed",
    },
    "ru": {
        "title": "Итоги звонка для менеджера",
        "strengths": "Что получилось",
        "changes": "Что изменить",
        "plan": "План на следующий звонок",
        "note": "Примечание",
        "utterance": "реплика",
        "stage_covered": "пройден этап «{stage}»",
        "stage_missed": "в звонке нет этапа «{stage}»",
        "question": "задан {form} {spin}вопрос",
        "closed_diagnosis": "закрытый вопрос там, где открытый дал бы клиенту высказаться",
        "said": "сказано",
        "plan_criterion": "Поработать над: {label} ({detail}).",
        "plan_stage": "Включить этап «{stage}».",
        "plan_keep": "Сохранить удачное: {text}.",
        "fallback": "итоги собраны только по оценке звонка ({reason})",
        "no_model": "модель не спрашивали",
        "model": "формулировки модели по находкам оценки звонка",
        "open": "открытый",
        "closed": "закрытый",
    },
}
SPIN_NAMES = {
    "en": {
        "situation": "situation ",
        "problem": "problem ",
        "implication": "implication ",
        "need_payoff": "need-payoff ",
    },
    "ru": {
        "situation": "ситуационный ",
        "problem": "проблемный ",
        "implication": "извлекающий ",
        "need_payoff": "направляющий ",
    },
}


@dataclass(frozen=True)
class Finding:
    """A candidate point: what the scorecard says, and the moment of the call that shows it."""

    id: str
    kind: Literal["strength", "change"]
    text: str
    utterance: int
    start: float | None
    quote: str
    weight: float
    plan: str = ""


@dataclass(frozen=True)
class Point:
    text: str
    utterance: int
    start: float | None
    quote: str
    finding: str = ""


@dataclass(frozen=True)
class Summary:
    language: str
    source: str | None
    total: float | None
    strengths: tuple[Point, ...]
    changes: tuple[Point, ...]
    plan: tuple[str, ...]
    by_model: bool = False
    note: str = ""
    findings: tuple[Finding, ...] = field(default=(), repr=False)

    @property
    def labels(self) -> Mapping[str, str]:
        """Headings in the summary's language (for templates)."""
        return LABELS[self.language]

    def as_dict(self) -> dict[str, Any]:
        def points(items: Iterable[Point]) -> list[dict[str, Any]]:
            return [
                {
                    "text": p.text,
                    "utterance": p.utterance,
                    "start": p.start,
                    "quote": p.quote,
                    "finding": p.finding,
                }
                for p in items
            ]

        return {
            "language": self.language,
            "source": self.source,
            "total": self.total,
            "strengths": points(self.strengths),
            "changes": points(self.changes),
            "plan": list(self.plan),
            "by_model": self.by_model,
            "note": self.note,
        }


def _lang(language: str | None) -> str:
    lang = (language or "en").lower()[:2]
    return lang if lang in LABELS else "en"


def _quote(text: str, words: int = QUOTE_WORDS) -> str:
    """The first words of an utterance, exactly as said (a prefix, so it is in the call)."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _utterances(card: Mapping[str, Any]) -> dict[int, Mapping[str, Any]]:
    return {int(u["index"]): u for u in card.get("utterances") or []}


def _rep(utterances: Mapping[int, Mapping[str, Any]]) -> list[int]:
    return [i for i, u in sorted(utterances.items()) if u.get("speaker") == "rep"]


def _longest(utterances: Mapping[int, Mapping[str, Any]], indexes: Sequence[int]) -> int | None:
    if not indexes:
        return None
    return max(indexes, key=lambda i: len(str(utterances[i].get("text", ""))))


# --- the candidate findings, from the scorecard alone ------------------------------------
def findings(card: Mapping[str, Any], language: str | None = None) -> list[Finding]:
    """Every strength and change the scorecard supports, each tied to an utterance."""
    lang = _lang(language or card.get("language"))
    words = LABELS[lang]
    stage_names = {kind.value: stage_name(kind.value, lang) for kind in StageKind}
    utterances = _utterances(card)
    rep = _rep(utterances)
    if not utterances:
        return []
    anchor_default = _longest(utterances, rep) if rep else min(utterances)
    out: list[Finding] = []

    def add(
        kind: Literal["strength", "change"],
        fid: str,
        text: str,
        index: int | None,
        weight: float,
        plan: str = "",
    ) -> None:
        if index is None or index not in utterances:
            index = anchor_default
        if index is None:
            return
        u = utterances[index]
        out.append(
            Finding(
                fid, kind, text, index, u.get("start"), _quote(str(u.get("text", ""))), weight, plan
            )
        )

    for c in card.get("criteria") or []:
        evidence = [e for e in c.get("evidence") or [] if e.get("utterance") in utterances]
        index = evidence[0]["utterance"] if evidence else None
        label, detail = str(c.get("label", c.get("id"))), str(c.get("detail", ""))
        maximum = float(c.get("max") or 0)
        if c.get("passed"):
            add("strength", f"criterion:{c.get('id')}", f"{label}: {detail}", index, 10 + maximum)
        else:
            lost = maximum - float(c.get("score") or 0)
            plan = words["plan_criterion"].format(label=label, detail=detail)
            add("change", f"criterion:{c.get('id')}", f"{label}: {detail}", index, 10 + lost, plan)
    for stage in card.get("stages") or []:
        kind = str(stage.get("kind"))
        name = stage_names.get(kind, kind)
        if stage.get("covered"):
            indexes = [i for i in stage.get("utterances") or [] if i in utterances]
            spoken = [i for i in indexes if i in rep] or indexes
            weight = 6.0 if kind in DIAGNOSIS_KINDS or kind in ("close", "objection") else 4.0
            add(
                "strength",
                f"stage:{kind}",
                words["stage_covered"].format(stage=name),
                spoken[0] if spoken else None,
                weight,
            )
        else:
            index = (rep[0] if kind in OPENING_KINDS else rep[-1]) if rep else None
            weight = 7.0 if kind in ("situation", "problem", "close") else 5.0
            add(
                "change",
                f"stage:{kind}",
                words["stage_missed"].format(stage=name),
                index,
                weight,
                words["plan_stage"].format(stage=name),
            )
    for index in rep:
        for n, q in enumerate(utterances[index].get("questions") or []):
            spin = q.get("spin")
            form = str(q.get("form", ""))
            stages = utterances[index].get("stages") or []
            if form == "open" and spin:
                text = words["question"].format(
                    form=words["open"], spin=SPIN_NAMES[lang].get(str(spin), "")
                )
                add(
                    "strength",
                    f"question:{index}.{n}",
                    text,
                    index,
                    3.0 + DIAGNOSIS_KINDS.index(str(spin)) if spin in DIAGNOSIS_KINDS else 3.0,
                )
            elif form == "closed" and (spin or any(s in DIAGNOSIS_KINDS for s in stages)):
                add("change", f"question:{index}.{n}", words["closed_diagnosis"], index, 2.0)
    # quote the question itself where the finding is about one
    return [_quote_question(f, utterances) for f in out]


def _quote_question(f: Finding, utterances: Mapping[int, Mapping[str, Any]]) -> Finding:
    if not f.id.startswith("question:"):
        return f
    n = int(f.id.rsplit(".", 1)[1])
    questions = utterances[f.utterance].get("questions") or []
    text = str(questions[n].get("text", "")) if n < len(questions) else ""
    if text and _normal(text) in _normal(str(utterances[f.utterance].get("text", ""))):
        return Finding(f.id, f.kind, f.text, f.utterance, f.start, _quote(text), f.weight, f.plan)
    return f


def _pick(candidates: Sequence[Finding], count: int = POINTS) -> list[Finding]:
    """The heaviest findings, preferring distinct moments of the call."""
    ranked = sorted(candidates, key=lambda f: (-f.weight, f.utterance, f.id))
    chosen: list[Finding] = []
    used: set[int] = set()
    for f in ranked:
        if len(chosen) < count and f.utterance not in used:
            chosen.append(f)
            used.add(f.utterance)
    for f in ranked:
        if len(chosen) < count and f not in chosen:
            chosen.append(f)
    return sorted(chosen, key=lambda f: -f.weight)


def _point(f: Finding) -> Point:
    return Point(f.text, f.utterance, f.start, f.quote, f.id)


def deterministic_summary(
    card: Mapping[str, Any], *, language: str | None = None, note: str = ""
) -> Summary:
    """The summary from the scorecard alone: no model, same numbers, same quotes."""
    lang = _lang(language or card.get("language"))
    every = findings(card, lang)
    strengths = _pick([f for f in every if f.kind == "strength"])
    changes = _pick([f for f in every if f.kind == "change"])
    plan = [f.plan for f in changes if f.plan]
    if strengths and len(plan) < POINTS:
        plan.append(LABELS[lang]["plan_keep"].format(text=strengths[0].text))
    return Summary(
        language=lang,
        source=card.get("source"),
        total=card.get("total"),
        strengths=tuple(_point(f) for f in strengths),
        changes=tuple(_point(f) for f in changes),
        plan=tuple(plan[:POINTS]),
        note=note,
        findings=tuple(every),
    )


# --- grounding: what a model may say ------------------------------------------------------
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _norm_number(text: str) -> str:
    value = float(text.replace(",", "."))
    return f"{value:g}"


def _walk(value: Any) -> Iterable[Any]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _walk(v)
    else:
        yield value


MEASURED_KEYS = ("criteria", "metrics", "total", "max_total", "pass_mark", "duration_s")


def allowed_numbers(card: Mapping[str, Any], quoted: Iterable[str] = ()) -> set[str]:
    """The numbers the scorecard measured (criteria, metrics, total), in the forms a sentence
    may say them, and those in ``quoted`` (the utterance a point is about)."""
    allowed: set[str] = set()
    measured = {k: card.get(k) for k in MEASURED_KEYS}
    # evidence carries utterance indexes and times, which are not measurements
    measured["criteria"] = [
        {k: v for k, v in c.items() if k != "evidence"} for c in card.get("criteria") or []
    ]
    for value in _walk(measured):
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            allowed.add(_norm_number(str(value)))
            for digits in (0, 1, 2):
                allowed.add(_norm_number(str(round(float(value), digits))))
            if 0 < abs(float(value)) <= 1:  # ratios are said as percentages
                for digits in (0, 1):
                    allowed.add(_norm_number(str(round(float(value) * 100, digits))))
            if float(value) >= 60:  # seconds are said as minutes and seconds
                minutes, seconds = divmod(round(float(value)), 60)
                allowed |= {str(minutes), str(seconds), _norm_number(f"{float(value) / 60:.1f}")}
        else:
            allowed |= {_norm_number(n) for n in _NUMBER.findall(str(value))}
    for text in quoted:
        allowed |= {_norm_number(n) for n in _NUMBER.findall(text)}
    allowed |= {str(n) for n in range(1, POINTS + 1)}  # "three things", "1."
    return allowed


def invented_numbers(text: str, allowed: set[str]) -> list[str]:
    return [n for n in _NUMBER.findall(text) if _norm_number(n) not in allowed]


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def quote_in(quote: str, utterance_text: str) -> bool:
    """True when the quote is words of the utterance (case and punctuation aside)."""
    wanted = _normal(quote.replace("…", " "))
    return bool(wanted) and wanted in _normal(utterance_text)


class _Item(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")
    finding: str
    utterance: int
    quote: str
    text: str


def answer_schema(
    strength_ids: Sequence[str], change_ids: Sequence[str], indexes: Sequence[int]
) -> type[pydantic.BaseModel]:
    """The answer's schema: ids and utterance indexes only from the lists the model was given."""
    utterance_type: Any = Literal[tuple(indexes)]

    def item(name: str, ids: Sequence[str]) -> type[pydantic.BaseModel]:
        id_type: Any = Literal[tuple(ids)]
        return pydantic.create_model(
            name,
            __config__=pydantic.ConfigDict(extra="forbid"),
            finding=(id_type, ...),
            utterance=(utterance_type, ...),
            quote=(str, pydantic.Field(min_length=3, max_length=100)),
            text=(str, pydantic.Field(min_length=3, max_length=200)),
        )

    strength, change = item("Strength", strength_ids), item("Change", change_ids)
    return pydantic.create_model(
        "CoachingSummary",
        __config__=pydantic.ConfigDict(extra="forbid"),
        strengths=(list[strength], pydantic.Field(min_length=POINTS, max_length=POINTS)),  # type: ignore[valid-type]
        changes=(list[change], pydantic.Field(min_length=POINTS, max_length=POINTS)),  # type: ignore[valid-type]
        plan=(str, pydantic.Field(min_length=3, max_length=300)),
    )


def answer_problems(value: Any, card: Mapping[str, Any], every: Sequence[Finding]) -> list[str]:
    """What is wrong with a model's answer: unknown ids, quotes not in the call, new numbers."""
    problems: list[str] = []
    if not isinstance(value, Mapping):
        return ["the answer is not a JSON object"]
    utterances = _utterances(card)
    allowed = allowed_numbers(card)
    kinds = {f.id: f.kind for f in every}
    texts = {i: str(u.get("text", "")) for i, u in utterances.items()}
    for section, kind in (("strengths", "strength"), ("changes", "change")):
        items = value.get(section)
        if not isinstance(items, list) or len(items) != POINTS:
            problems.append(f"{section} must hold exactly {POINTS} items")
            continue
        seen: set[str] = set()
        for n, item in enumerate(items):
            where = f"{section}[{n}]"
            if not isinstance(item, Mapping):
                problems.append(f"{where} is not an object")
                continue
            fid, index = str(item.get("finding", "")), item.get("utterance")
            if kinds.get(fid) != kind:
                problems.append(f"{where}.finding {fid!r} is not one of the listed {section}")
            if fid in seen:
                problems.append(f"{where}.finding {fid!r} is repeated")
            seen.add(fid)
            if not isinstance(index, int) or index not in utterances:
                problems.append(f"{where}.utterance {index!r} is not an utterance of the call")
            elif not quote_in(str(item.get("quote", "")), str(utterances[index].get("text", ""))):
                problems.append(f"{where}.quote is not words of utterance {index}")
            own = allowed_numbers(card, [texts[index]]) if index in texts else allowed
            for number in invented_numbers(str(item.get("text", "")), own):
                problems.append(f"{where}.text has {number}, a number the scorecard does not")
    for number in invented_numbers(str(value.get("plan", "")), allowed):
        problems.append(f"plan has {number}, a number the scorecard does not")
    return problems


def summary_from_answer(
    value: Mapping[str, Any], card: Mapping[str, Any], base: Summary
) -> Summary:
    """A checked model answer as a Summary; times always from the scorecard."""
    utterances = _utterances(card)

    def points(items: Sequence[Mapping[str, Any]]) -> tuple[Point, ...]:
        return tuple(
            Point(
                text=str(i["text"]).strip(),
                utterance=int(i["utterance"]),
                start=utterances[int(i["utterance"])].get("start"),
                quote=str(i["quote"]).strip(),
                finding=str(i["finding"]),
            )
            for i in items
        )

    plan = tuple(line.strip(" -•") for line in str(value["plan"]).splitlines() if line.strip())
    return Summary(
        language=base.language,
        source=base.source,
        total=base.total,
        strengths=points(value["strengths"]),
        changes=points(value["changes"]),
        plan=plan,
        by_model=True,
        note=LABELS[base.language]["model"],
        findings=base.findings,
    )


def _prompt_lines(card: Mapping[str, Any], shortlist: Sequence[Finding]) -> tuple[list[str], str]:
    utterances = _utterances(card)
    lines = [f"{f.id} [{f.kind}] {f.text} — utterance {f.utterance}" for f in shortlist]
    shown = sorted({f.utterance for f in shortlist})
    transcript = "\n".join(
        f"[{i}] {clock(utterances[i].get('start'))} {utterances[i].get('speaker')}: "
        f"{utterances[i].get('text')}"
        for i in shown
    )
    return lines, transcript


def _shortlist(every: Sequence[Finding], per_kind: int = 6) -> list[Finding]:
    out: list[Finding] = []
    for kind in ("strength", "change"):
        ranked = sorted((f for f in every if f.kind == kind), key=lambda f: -f.weight)
        out += ranked[:per_kind]
    return out


def coaching_summary(
    card: Mapping[str, Any],
    *,
    language: str | None = None,
    settings: LLMSettings | None = None,
    privacy: Privacy | None = None,
    use_llm: bool = True,
    rep_name: str | None = None,
    repairs: int = REPAIRS,
) -> Summary:
    """Three strengths, three changes and a plan; the model phrases them when it can."""
    lang = _lang(language or card.get("language"))
    words = LABELS[lang]
    base = deterministic_summary(card, language=lang)
    if not use_llm:
        return _with_note(base, words["fallback"].format(reason=words["no_model"]))
    shortlist = _shortlist(base.findings)
    strength_ids = [f.id for f in shortlist if f.kind == "strength"]
    change_ids = [f.id for f in shortlist if f.kind == "change"]
    if len(strength_ids) < POINTS or len(change_ids) < POINTS:
        return _with_note(base, words["fallback"].format(reason="too few findings to choose from"))
    lines, transcript = _prompt_lines(card, shortlist)
    prompt = render_prompt(
        "coaching_summary",
        lang,
        {
            "transcript": transcript,
            "findings": lines,
            "rep_name": rep_name,
            "script_title": card.get("script"),
        },
    )
    schema = answer_schema(strength_ids, change_ids, sorted({f.utterance for f in shortlist}))

    def check(value: Any) -> None:
        problems = answer_problems(value, card, base.findings)
        if problems:
            raise ValueError("; ".join(problems[:6]))

    names = tuple(n for n in (rep_name,) if n)
    try:
        answer = structured(
            prompt.messages(),
            schema,
            repairs=repairs,
            settings=settings,
            privacy=privacy or Privacy(names=names),
            check=check,
            max_tokens=MAX_TOKENS,
        )
    except LLMError as exc:
        return _with_note(base, words["fallback"].format(reason=str(exc)))
    value = json.loads(answer.model_dump_json())
    if answer_problems(value, card, base.findings):  # the check ran on the raw answer; be sure
        return _with_note(base, words["fallback"].format(reason="the model's answer failed checks"))
    return summary_from_answer(value, card, base)


def _with_note(summary: Summary, note: str) -> Summary:
    from dataclasses import replace

    return replace(summary, note=note)


# --- rendering -----------------------------------------------------------------------------
def _line(point: Point, words: Mapping[str, str]) -> str:
    where = f"{words['utterance']} {point.utterance}, {clock(point.start)}"
    return f"{point.text} — [{where}] «{point.quote}»"


def _title(summary: Summary, words: Mapping[str, str]) -> str:
    """ "Coaching summary — call.txt (72 / 100)": the heading both renderings open with."""
    title = words["title"]
    if summary.source:
        title += f" — {summary.source}"
    if summary.total is not None:
        title += f" ({summary.total:g} / 100)"
    return title


def to_markdown(summary: Summary) -> str:
    words = LABELS[summary.language]
    title = _title(summary, words)
    out = [f"## {title}", "", f"### {words['strengths']}", ""]
    out += [f"{n}. {_line(p, words)}" for n, p in enumerate(summary.strengths, 1)]
    out += ["", f"### {words['changes']}", ""]
    out += [f"{n}. {_line(p, words)}" for n, p in enumerate(summary.changes, 1)]
    out += ["", f"### {words['plan']}", ""]
    out += [f"- {line}" for line in summary.plan]
    if summary.note:
        out += ["", f"_{words['note']}: {summary.note}_"]
    return "\n".join(out) + "\n"


def to_text(summary: Summary) -> str:
    words = LABELS[summary.language]
    title = _title(summary, words)
    out = [title, "", f"{words['strengths']}:"]
    out += [f"  {n}. {_line(p, words)}" for n, p in enumerate(summary.strengths, 1)]
    out += [f"{words['changes']}:"]
    out += [f"  {n}. {_line(p, words)}" for n, p in enumerate(summary.changes, 1)]
    out += [f"{words['plan']}:"]
    out += [f"  - {line}" for line in summary.plan]
    if summary.note:
        out += [f"{words['note']}: {summary.note}"]
    return "\n".join(out) + "\n"
