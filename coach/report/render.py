"""Reports as text: Markdown and self-contained HTML from jinja2 templates, CSV and JSON.

HTML templates autoescape, so whatever a transcript says shows as text; charts come
from ``charts`` as trusted SVG. Labels are English or Russian.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from coach.errors import CoachError
from coach.report import charts
from coach.report.data import CallReport, ReportData, score_of
from coach.store import SPIN_KINDS, CallSummary
from coach.text import clock as text_clock

FORMATS = ("md", "html", "csv", "json")
LANGUAGES = ("en", "ru")
TEMPLATES = Path(__file__).parent / "templates"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "period_report": "Call report",
        "call_report": "Call",
        "scope_team": "team {name}",
        "scope_rep": "rep {name}",
        "scope_all": "all calls",
        "period": "Period",
        "calls": "Calls",
        "call": "Call",
        "rep": "Rep",
        "team": "Team",
        "date": "Date",
        "script": "Script",
        "rubric": "Rubric",
        "duration": "Duration",
        "outcome": "Outcome",
        "score": "Score",
        "mean_score": "Mean score",
        "pass_rate": "Pass rate",
        "talk_ratio": "Talk ratio",
        "questions": "Questions",
        "open": "open",
        "closed": "closed",
        "spin": "SPIN (S/P/I/N)",
        "situation": "situation",
        "problem": "problem",
        "implication": "implication",
        "need_payoff": "need-payoff",
        "score_trend": "Score trend per rep (weekly mean)",
        "talk_over_time": "Rep talk ratio per call",
        "target_band": "target",
        "coverage": "Stage coverage (share of calls)",
        "question_mix": "Question mix per rep (open/closed, then SPIN)",
        "reps": "Reps",
        "best_calls": "Best calls",
        "worst_calls": "Calls to review",
        "best_practice": "Best-practice moments",
        "moments": "Moments",
        "criterion": "Criterion",
        "criteria": "Criteria",
        "detail": "Detail",
        "evidence": "Evidence",
        "metrics": "Metrics",
        "metric": "Metric",
        "value": "Value",
        "stages": "Stages",
        "stage": "Stage",
        "covered": "covered",
        "missed": "missed",
        "passed": "passed",
        "failed": "below the mark",
        "comments": "Comments",
        "none": "none",
        "transcripts": "The calls in full",
        "client": "Client",
        "time": "Time",
        "quote": "Quote",
        "why": "Why",
        "best": "best practice",
        "charts": "Charts",
        "compliance": "compliance",
        "greeting": "greeting",
        "small_talk": "small talk",
        "qualification": "qualification",
        "teaser": "teaser",
        "objection": "objection",
        "close": "close",
        "feedback": "feedback",
        "referral": "referral",
    },
    "ru": {
        "period_report": "Отчёт по звонкам",
        "call_report": "Звонок",
        "scope_team": "команда {name}",
        "scope_rep": "менеджер {name}",
        "scope_all": "все звонки",
        "period": "Период",
        "calls": "Звонки",
        "call": "Звонок",
        "rep": "Менеджер",
        "team": "Команда",
        "date": "Дата",
        "script": "Скрипт",
        "rubric": "Рубрика",
        "duration": "Длительность",
        "outcome": "Итог",
        "score": "Балл",
        "mean_score": "Средний балл",
        "pass_rate": "Доля зачётов",
        "talk_ratio": "Доля речи",
        "questions": "Вопросы",
        "open": "открытые",
        "closed": "закрытые",
        "spin": "СПИН (С/П/И/Н)",
        "situation": "ситуационные",
        "problem": "проблемные",
        "implication": "извлекающие",
        "need_payoff": "направляющие",
        "score_trend": "Динамика балла по менеджерам (среднее за неделю)",
        "talk_over_time": "Доля речи менеджера по звонкам",
        "target_band": "цель",
        "coverage": "Покрытие этапов (доля звонков)",
        "question_mix": "Вопросы по менеджерам (открытые/закрытые, затем СПИН)",
        "reps": "Менеджеры",
        "best_calls": "Лучшие звонки",
        "worst_calls": "Звонки для разбора",
        "best_practice": "Лучшие практики",
        "moments": "Моменты",
        "criterion": "Критерий",
        "criteria": "Критерии",
        "detail": "Подробно",
        "evidence": "Примеры",
        "metrics": "Метрики",
        "metric": "Метрика",
        "value": "Значение",
        "stages": "Этапы",
        "stage": "Этап",
        "covered": "пройден",
        "missed": "пропущен",
        "passed": "зачёт",
        "failed": "ниже порога",
        "comments": "Комментарии",
        "none": "нет",
        "transcripts": "Звонки целиком",
        "client": "Клиент",
        "time": "Время",
        "quote": "Цитата",
        "why": "Почему",
        "best": "лучшая практика",
        "charts": "Графики",
        "compliance": "законное начало",
        "greeting": "приветствие",
        "small_talk": "small talk",
        "qualification": "квалификация",
        "teaser": "тизер",
        "objection": "возражения",
        "close": "закрытие",
        "feedback": "обратная связь",
        "referral": "рекомендации",
    },
}


def labels(language: str) -> Mapping[str, str]:
    if language not in LABELS:
        raise CoachError(f"no report labels for {language!r}; use " + " or ".join(LANGUAGES))
    return LABELS[language]


def clock(seconds: float | None) -> str:
    """mm:ss (or h:mm:ss) of a time in the call; empty when unknown."""
    return text_clock(seconds, missing="")


def md_cell(value: Any) -> str:
    """Text safe in a Markdown table cell: no raw HTML, no column breaks, one line."""
    text = "" if value is None else str(value)
    for char in "\\`*_[]|":
        text = text.replace(char, "\\" + char)
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def _percent(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:.{digits}%}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["clock"] = clock
    env.filters["md"] = md_cell
    env.filters["pct"] = _percent
    return env


_ENV = _environment()


def scope_title(rep: str | None, team: str | None, language: str) -> str:
    words = labels(language)
    if rep:
        return words["scope_rep"].format(name=rep)
    if team:
        return words["scope_team"].format(name=team)
    return words["scope_all"]


def period_charts(data: ReportData, language: str) -> dict[str, Markup]:
    words = labels(language)
    return {
        "trend": Markup(charts.score_trend_svg(data.trend, title=words["score_trend"])),
        "talk": Markup(
            charts.talk_ratio_svg(
                data.talk,
                data.talk_band,
                title=words["talk_over_time"],
                band_label=words["target_band"],
            )
        ),
        "coverage": Markup(
            charts.coverage_heatmap_svg(
                data.coverage, data.stages, title=words["coverage"], kind_labels=words
            )
        ),
        "questions": Markup(
            charts.question_mix_svg(data.reps, title=words["question_mix"], labels=words)
        ),
    }


def render_period(data: ReportData, fmt: str, language: str = "en") -> str:
    """A period report (rep, team or everyone) in one of FORMATS."""
    if fmt == "csv":
        return calls_csv(data.calls)
    if fmt == "json":
        return _json(asdict(data))
    words = labels(language)
    template = _ENV.get_template(f"period.{_template_kind(fmt)}.j2")
    return template.render(
        data=data,
        t=words,
        charts=period_charts(data, language) if fmt == "html" else {},
        spin_kinds=SPIN_KINDS,
        lang=language,
    )


def render_call(report: CallReport, fmt: str, language: str = "en", summary: Any = None) -> str:
    """A one-call report in one of FORMATS; ``summary`` a coach.llm.summary.Summary or None."""
    if fmt == "csv":
        return calls_csv([report.summary])
    coaching = summary.as_dict() if summary is not None else None
    if fmt == "json":
        return _json({**asdict(report), **({"coaching": coaching} if coaching else {})})
    if coaching is not None:
        coaching["labels"] = summary.labels
    words = labels(language)
    template = _ENV.get_template(f"call.{_template_kind(fmt)}.j2")
    return template.render(
        r=report, t=words, spin_kinds=SPIN_KINDS, lang=language, coaching=coaching
    )


def _template_kind(fmt: str) -> str:
    if fmt not in ("md", "html"):
        raise CoachError(f"unknown report format {fmt!r}; use " + ", ".join(FORMATS))
    return fmt


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "id",
    "date",
    "rep",
    "team",
    "script",
    "rubric",
    "score_pct",
    "total",
    "max_total",
    "passed",
    "talk_ratio",
    "questions",
    "open_questions",
    "closed_questions",
    *SPIN_KINDS,
    "stages_covered",
    "stages_missed",
    "tags",
    "comments",
    "source",
)


def calls_csv(calls: Iterable[CallSummary]) -> str:
    """One row per call; column names are stable (not translated) for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for call in calls:
        writer.writerow(_csv_row(call))
    return out.getvalue()


def _csv_row(call: CallSummary) -> list[Any]:
    def blank(value: Any) -> Any:
        return "" if value is None else value

    return [
        call.id,
        blank(call.date),
        blank(call.rep),
        blank(call.team),
        blank(call.script),
        blank(call.rubric),
        "" if call.total is None else round(score_of(call), 1),
        blank(call.total),
        blank(call.max_total),
        "" if call.passed is None else int(call.passed),
        "" if call.talk_ratio is None else round(call.talk_ratio, 3),
        blank(call.questions),
        blank(call.open_questions),
        blank(call.closed_questions),
        *(call.spin.get(k, "") for k in SPIN_KINDS),
        " ".join(k for k, done in call.stages.items() if done),
        " ".join(call.missed),
        " ".join(call.tags),
        call.comments,
        blank(call.source),
    ]
