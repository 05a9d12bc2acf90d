"""The feedback note a team lead sends a rep after reviewing a stored call.

Markdown in English or Russian, built from the call's scorecard, the lead's comments
and the moments tagged best practice; ``export_feedback`` writes it crash-safely.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coach.store import BEST, CALL, CallDetail, CallSummary
from coach.text import clock

FOCUS_ITEMS = 2  # the next call works on this many failed criteria, the costliest first

STAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "compliance": "compliance opening",
        "greeting": "greeting",
        "small_talk": "small talk",
        "qualification": "qualification",
        "situation": "situation questions",
        "problem": "problem questions",
        "implication": "implication questions",
        "need_payoff": "need-payoff questions",
        "teaser": "teaser",
        "objection": "objection handling",
        "close": "close",
        "feedback": "feedback",
        "referral": "referral",
    },
    "ru": {
        "compliance": "правовое вступление",
        "greeting": "приветствие",
        "small_talk": "small talk",
        "qualification": "квалификация",
        "situation": "ситуационные вопросы",
        "problem": "проблемные вопросы",
        "implication": "извлекающие вопросы",
        "need_payoff": "направляющие вопросы",
        "teaser": "тизер",
        "objection": "работа с возражениями",
        "close": "закрытие",
        "feedback": "обратная связь",
        "referral": "рекомендации",
    },
}

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Feedback on call {id}",
        "score": "Score",
        "passed": "passed",
        "failed": "below the pass mark",
        "pass_mark": "pass mark",
        "well": "What went well",
        "change": "What to change",
        "missed": "Stages the call missed",
        "comments": "Comments from your lead",
        "focus": "Focus for the next call",
        "best": "Best-practice moment",
        "best_call": "The whole call is marked as best practice.",
        "on_call": "On the call",
        "nothing_well": "Nothing stood out this time.",
        "nothing_change": "Nothing to change: every criterion passed.",
        "keep": "Keep what worked and cover every stage of the script again.",
        "cover": "Cover the {stage} stage.",
        "no_card": "This call has no scorecard yet.",
        "from": "From",
    },
    "ru": {
        "title": "Обратная связь по звонку {id}",
        "score": "Оценка",
        "passed": "зачёт",
        "failed": "ниже проходного балла",
        "pass_mark": "проходной балл",
        "well": "Что получилось",
        "change": "Что изменить",
        "missed": "Пропущенные этапы",
        "comments": "Комментарии руководителя",
        "focus": "Фокус на следующий звонок",
        "best": "Лучшая практика",
        "best_call": "Весь звонок отмечен как лучшая практика.",
        "on_call": "О звонке",
        "nothing_well": "В этот раз ничего не выделилось.",
        "nothing_change": "Менять нечего: все критерии выполнены.",
        "keep": "Сохраняйте то, что сработало, и снова пройдите все этапы скрипта.",
        "cover": "Пройдите этап «{stage}».",
        "no_card": "У этого звонка ещё нет оценки.",
        "from": "От",
    },
}


def words_for(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def stage_name(kind: str, language: str) -> str:
    return STAGE_NAMES.get(language, STAGE_NAMES["en"]).get(kind, kind.replace("_", " "))


def _utterance(card: Mapping[str, Any], index: int) -> Mapping[str, Any] | None:
    for utterance in card.get("utterances") or []:
        if utterance.get("index") == index:
            found: Mapping[str, Any] = utterance
            return found
    return None


def _quote(card: Mapping[str, Any], index: int) -> str:
    utterance = _utterance(card, index)
    if utterance is None:
        return f"#{index}"
    return f"[{clock(utterance.get('start'))}] «{utterance.get('text', '')}»"


def _lost(criterion: Mapping[str, Any]) -> float:
    return float(criterion.get("max") or 0) - float(criterion.get("score") or 0)


def feedback_note(detail: CallDetail, language: str = "en", author: str | None = None) -> str:
    """A Markdown note for the rep: score, strengths, what to change, comments, focus."""
    w = words_for(language)
    summary = detail.summary
    card = detail.scorecard or {}
    heading = w["title"].format(id=summary.id)
    who = " · ".join(x for x in (summary.rep, (summary.date or "")[:10], summary.script) if x)
    lines = [f"# {heading}", "", who, ""] if who else [f"# {heading}", ""]
    if not card:
        return "\n".join([*lines, w["no_card"], ""])

    verdict = w["passed"] if summary.passed else w["failed"]
    pass_mark = card.get("pass_mark")
    mark = f" ({w['pass_mark']} {float(pass_mark):g})" if pass_mark is not None else ""
    total, top = float(card.get("total") or 0), float(card.get("max_total") or 100)
    lines += [f"**{w['score']}: {total:g} / {top:g}** — {verdict}{mark}", ""]

    criteria = list(card.get("criteria") or [])
    passed = [c for c in criteria if c.get("passed")]
    failed = sorted((c for c in criteria if not c.get("passed")), key=_lost, reverse=True)
    best = sorted(t.utterance for t in detail.tags if t.tag == BEST and t.utterance != CALL)
    whole_call_best = any(t.tag == BEST and t.utterance == CALL for t in detail.tags)

    lines += [f"## {w['well']}", ""]
    if whole_call_best:
        lines.append(f"- ★ {w['best_call']}")
    lines += [f"- ✓ {c.get('label', c.get('id'))}: {c.get('detail', '')}" for c in passed]
    lines += [f"- ★ {w['best']} {_quote(card, index)}" for index in best]
    if not (passed or best or whole_call_best):
        lines.append(w["nothing_well"])
    lines.append("")

    lines += [f"## {w['change']}", ""]
    for c in failed:
        points = f"{float(c.get('score') or 0):g}/{float(c.get('max') or 0):g}"
        lines.append(f"- ✗ **{c.get('label', c.get('id'))}** ({points}): {c.get('detail', '')}")
        for evidence in c.get("evidence") or []:
            lines.append(f"  - [{clock(evidence.get('start'))}] «{evidence.get('text', '')}»")
    if not failed:
        lines.append(w["nothing_change"])
    lines.append("")

    missed = list(summary.missed)
    if missed:
        lines += [f"## {w['missed']}", ""]
        lines += [f"- {stage_name(kind, language)}" for kind in missed]
        lines.append("")

    if detail.comments:
        lines += [f"## {w['comments']}", ""]
        for comment in detail.comments:
            by = f" — {comment.author}" if comment.author else ""
            if comment.utterance == CALL:
                lines.append(f"- {w['on_call']}: {comment.body}{by}")
            else:
                lines.append(f"- {_quote(card, comment.utterance)}")
                lines.append(f"  {comment.body}{by}")
        lines.append("")

    lines += [f"## {w['focus']}", ""]
    focus = [f"- {c.get('label', c.get('id'))}: {c.get('detail', '')}" for c in failed]
    focus = focus[:FOCUS_ITEMS]
    if len(focus) < FOCUS_ITEMS and missed:
        focus.append("- " + w["cover"].format(stage=stage_name(missed[0], language)))
    lines += focus or [f"- {w['keep']}"]
    lines.append("")
    if author:
        lines += [f"— {w['from']}: {author}", ""]
    return "\n".join(lines)


def feedback_path(folder: Path, summary: CallSummary) -> Path:
    """``<folder>/<date>-<rep>-call<id>.md``; the rep's name made safe for a file name."""
    day = (summary.date or "undated")[:10]
    rep = re.sub(r"[^\w.-]+", "-", summary.rep or "rep", flags=re.UNICODE).strip("-.") or "rep"
    return folder / f"{day}-{rep}-call{summary.id}.md"


def export_feedback(
    detail: CallDetail, folder: Path, language: str = "en", author: str | None = None
) -> Path:
    """Write the note (temp file, fsync, rename) and return where it is."""
    target = feedback_path(folder, detail.summary)
    folder.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".md.partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(feedback_note(detail, language, author))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return target
