"""A filled script as a cheat sheet a rep can keep beside the phone (Markdown or text)."""

from __future__ import annotations

import textwrap

from coach.scripts.model import Script, Stage

FORMATS = ("md", "text")

_LABELS = {
    "en": {
        "key_step": "key step",
        "cold": "cold call",
        "warm": "warm call",
        "goal": "Goal",
        "ask": "Ask",
        "if": "If the client says",
        "tips": "Tips",
        "objections": "Objections",
        "triggers": "When you hear",
        "then_ask": "Then ask",
        "confirmation": "Written confirmation",
        "reminder": "Reminder via",
        "required": "required",
        "end": "end of call",
        "next": "then",
    },
    "ru": {
        "key_step": "целевой шаг",
        "cold": "холодный звонок",
        "warm": "тёплый звонок",
        "goal": "Цель",
        "ask": "Спросить",
        "if": "Если клиент говорит",
        "tips": "Советы",
        "objections": "Возражения",
        "triggers": "Когда слышите",
        "then_ask": "Затем спросите",
        "confirmation": "Письменное подтверждение",
        "reminder": "Напоминание через",
        "required": "обязательно",
        "end": "конец звонка",
        "next": "далее",
    },
}


def labels(language: str) -> dict[str, str]:
    return _LABELS.get(language, _LABELS["en"])


def _question_tag(stage: Stage, index: int, t: dict[str, str]) -> str:
    question = stage.questions[index]
    parts = [question.form.value]
    if question.spin is not None:
        parts.append(question.spin.value)
    if question.required:
        parts.append(t["required"])
    return " · ".join(parts)


def _target(target: str, t: dict[str, str]) -> str:
    return t["end"] if target == "end" else target


def markdown(script: Script) -> str:
    t = labels(script.language)
    out = [f"# {script.title}", ""]
    kind = t["cold"] if script.cold else t["warm"]
    out += [
        f"*{script.industry} · {script.language} · {kind} · {t['key_step']}: {script.key_step}*",
        "",
    ]
    if script.description:
        out += [script.description, ""]
    for number, stage in enumerate(script.stages, start=1):
        timebox = f", {stage.timebox_s} s" if stage.timebox_s else ""
        out += [f"## {number}. {stage.title} ({stage.kind.value}{timebox})", ""]
        if stage.goal:
            out += [f"*{t['goal']}:* {stage.goal}", ""]
        out += [f"> {line}" for line in stage.lines]
        if stage.lines:
            out.append("")
        if stage.questions:
            out += [f"**{t['ask']}:**", ""]
            out += [
                f"- [ ] {q.text} — *{_question_tag(stage, i, t)}*"
                for i, q in enumerate(stage.questions)
            ]
            out.append("")
        if stage.branches:
            out += [f"**{t['if']}:**", ""]
            for branch in stage.branches:
                said = " ".join(branch.lines)
                out.append(
                    f"- «{branch.answer}» → `{_target(branch.next, t)}`"
                    + (f": {said}" if said else "")
                )
            out.append("")
        if stage.tips:
            out += [f"**{t['tips']}:** " + " ".join(stage.tips), ""]
        if stage.reminder_channels:
            channels = ", ".join(c.value for c in stage.reminder_channels)
            out += [f"**{t['reminder']}:** {channels}", ""]
        if stage.confirmation:
            out += [f"**{t['confirmation']}:**", "", "```", stage.confirmation.strip(), "```", ""]
        if stage.next:
            out += [f"*{t['next']}: {_target(stage.next, t)}*", ""]
    if script.objections:
        out += [f"## {t['objections']}", ""]
        for objection in script.objections:
            out += [f"### {objection.id} ({objection.category})", ""]
            out += [f"*{t['triggers']}:* " + ", ".join(f"«{x}»" for x in objection.triggers), ""]
            out += [f"{i}. {r}" for i, r in enumerate(objection.responses, start=1)]
            out.append("")
            if objection.follow_up_question:
                out += [f"**{t['then_ask']}:** {objection.follow_up_question}", ""]
    return "\n".join(out).rstrip() + "\n"


def _wrap(text: str, indent: str, width: int) -> list[str]:
    return textwrap.wrap(
        text, width=width, initial_indent=indent, subsequent_indent=indent + "  "
    ) or [indent]


def plain_text(script: Script, width: int = 78) -> str:
    t = labels(script.language)
    kind = t["cold"] if script.cold else t["warm"]
    out = [
        script.title.upper(),
        f"{script.industry} · {script.language} · {kind} · {t['key_step']}: {script.key_step}",
        "",
    ]
    for number, stage in enumerate(script.stages, start=1):
        timebox = f"  [{stage.timebox_s} s]" if stage.timebox_s else ""
        out.append(f"{number}. {stage.title.upper()} ({stage.kind.value}){timebox}")
        if stage.goal:
            out += _wrap(f"{t['goal']}: {stage.goal}", "   ", width)
        for line in stage.lines:
            out += _wrap(f"» {line}", "   ", width)
        for i, question in enumerate(stage.questions):
            out += _wrap(f"[ ] {question.text}  ({_question_tag(stage, i, t)})", "   ", width)
        for branch in stage.branches:
            said = " ".join(branch.lines)
            out += _wrap(
                f"{t['if']} «{branch.answer}» → {_target(branch.next, t)}"
                + (f": {said}" if said else ""),
                "   ",
                width,
            )
        for tip in stage.tips:
            out += _wrap(f"* {tip}", "   ", width)
        if stage.reminder_channels:
            out.append(
                f"   {t['reminder']}: " + ", ".join(c.value for c in stage.reminder_channels)
            )
        if stage.confirmation:
            out.append(f"   {t['confirmation']}:")
            for para in stage.confirmation.strip().splitlines():
                out += _wrap(para, "     ", width)
        if stage.next:
            out.append(f"   {t['next']}: {_target(stage.next, t)}")
        out.append("")
    if script.objections:
        out += [t["objections"].upper(), ""]
        for objection in script.objections:
            out.append(f"- {objection.id} ({objection.category})")
            out += _wrap(f"{t['triggers']}: " + ", ".join(objection.triggers), "   ", width)
            for i, response in enumerate(objection.responses, start=1):
                out += _wrap(f"{i}. {response}", "   ", width)
            if objection.follow_up_question:
                out += _wrap(f"{t['then_ask']}: {objection.follow_up_question}", "   ", width)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def cheat_sheet(script: Script, fmt: str = "md") -> str:
    """The (already filled) script as Markdown or plain text."""
    if fmt == "md":
        return markdown(script)
    if fmt == "text":
        return plain_text(script)
    raise ValueError(f"unknown format {fmt!r}")
