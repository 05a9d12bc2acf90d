"""Lint rules from SKELETON.md, each tested by a table in English and Russian."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from coach.scripts.lint import Severity, fails, lint
from coach.scripts.loader import load_script

TEXT = {
    "en": {
        "greet": "Hi {{ client_name }}, this is Sam from Acme Motors.",
        "sit": "What are you driving at the moment?",
        "prob": "What bothers you about it?",
        "impl": "How does that affect the school run?",
        "need": "How would a bigger boot help you?",
        "teaser": [
            "We have a 2020 RAV4 with low miles.",
            "It fits two car seats and a stroller.",
            "Can you come in on Saturday for a test drive?",
        ],
        "no_cta": "It is a lovely car.",
        "cta_no_step": "Shall we?",
        "close": "So, {{ visit_date }} at {{ visit_time }}, I'll text you the address.",
        "close_no_date": "Great, I'll text you the address.",
        "abbrev_teaser": [
            "Dr. Smith checked the car, i.e. the brakes and the engine.",
            "Can you come in on Saturday for a test drive?",
        ],
        "trigger": "too expensive",
        "small_talk": "How's your week going?",
    },
    "ru": {
        "greet": "Здравствуйте, {{ client_name }}, это Сергей из «Авто Плюс».",
        "sit": "На чём вы сейчас ездите?",
        "prob": "Что вас не устраивает в нынешней машине?",
        "impl": "Как это сказывается на поездках с детьми?",
        "need": "Что вам даст машина побольше?",
        "teaser": [
            "У нас есть RAV4 2020 года с небольшим пробегом.",
            "В него помещаются два детских кресла и коляска.",
            "Приезжайте в субботу на тест-драйв, вам удобно утром?",
        ],
        "no_cta": "Машина отличная.",
        "cta_no_step": "Давайте?",
        "close": "Итак, {{ visit_date }} в {{ visit_time }}, я пришлю вам адрес.",
        "close_no_date": "Отлично, я пришлю вам адрес.",
        "abbrev_teaser": [
            "Машину проверили, т.е. тормоза и двигатель, цена 1.5 млн руб. всего.",
            "Приезжайте в субботу на тест-драйв?",
        ],
        "trigger": "дорого",
        "small_talk": "Как неделя проходит?",
    },
}


def good_script(lang: str) -> dict[str, Any]:
    t = TEXT[lang]
    other_trigger = TEXT["ru" if lang == "en" else "en"]["trigger"]
    return {
        "id": f"mini-{lang}",
        "title": "Mini",
        "language": lang,
        "industry": "test",
        "key_step": "visit",
        "variables": [
            {"name": "client_name", "example": "Anna"},
            {"name": "visit_date", "default": "[date]"},
            {"name": "visit_time", "default": "[time]"},
        ],
        "stages": [
            {"id": "greeting", "kind": "greeting", "title": "G", "lines": [t["greet"]]},
            {
                "id": "situation",
                "kind": "situation",
                "title": "S",
                "questions": [{"text": t["sit"], "form": "open", "spin": "situation"}],
            },
            {
                "id": "problem",
                "kind": "problem",
                "title": "P",
                "questions": [{"text": t["prob"], "form": "open", "spin": "problem"}],
            },
            {
                "id": "implication",
                "kind": "implication",
                "title": "I",
                "questions": [{"text": t["impl"], "form": "open", "spin": "implication"}],
            },
            {
                "id": "need_payoff",
                "kind": "need_payoff",
                "title": "N",
                "questions": [{"text": t["need"], "form": "open", "spin": "need_payoff"}],
            },
            {"id": "teaser", "kind": "teaser", "title": "T", "lines": list(t["teaser"])},
            {
                "id": "close",
                "kind": "close",
                "title": "C",
                "lines": [t["close"]],
                "reminder_channels": ["sms"],
                "confirmation": "{{ client_name }}: {{ visit_date }} {{ visit_time }}",
            },
        ],
        "objections": [
            {
                "id": "price",
                "category": "price",
                "triggers": [t["trigger"], other_trigger],
                "responses": ["…"],
            },
        ],
    }


def stage(data: dict[str, Any], stage_id: str) -> dict[str, Any]:
    return next(s for s in data["stages"] if s["id"] == stage_id)


def drop_stage(data: dict[str, Any], stage_id: str) -> None:
    data["stages"] = [s for s in data["stages"] if s["id"] != stage_id]


def load(tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_script(path, [tmp_path])


def rules(tmp_path: Path, data: dict[str, Any]) -> dict[str, Severity]:
    return {f.rule: f.severity for f in lint(load(tmp_path, data))}


LANGS = ["en", "ru"]


@pytest.mark.parametrize("lang", LANGS)
def test_good_script_lints_clean(tmp_path: Path, lang: str) -> None:
    findings = lint(load(tmp_path, good_script(lang)))
    assert [str(f) for f in findings] == []


Mutation = Callable[[dict[str, Any], dict[str, Any]], None]


def _set(stage_id: str, key: str, value: Any) -> Mutation:
    def apply(data: dict[str, Any], _t: dict[str, Any]) -> None:
        stage(data, stage_id)[key] = value

    return apply


def _small_talk_first(data: dict[str, Any], t: dict[str, Any]) -> None:
    data["stages"].insert(
        0, {"id": "st", "kind": "small_talk", "title": "S", "lines": [t["small_talk"]]}
    )


def _cold(data: dict[str, Any], _t: dict[str, Any]) -> None:
    data["cold"] = True


def _four_qualification(data: dict[str, Any], t: dict[str, Any]) -> None:
    data["stages"].insert(
        1,
        {
            "id": "q",
            "kind": "qualification",
            "title": "Q",
            "questions": [
                {"text": f"{t['sit']} {n}", "form": "closed", "spin": "situation"} for n in range(4)
            ],
        },
    )


def _no_spin(spin: str) -> Mutation:
    def apply(data: dict[str, Any], _t: dict[str, Any]) -> None:
        drop_stage(data, spin)

    return apply


def _teaser(lines_key: str, count: int | None = None) -> Mutation:
    def apply(data: dict[str, Any], t: dict[str, Any]) -> None:
        value = t[lines_key]
        lines = list(value) if isinstance(value, list) else [t["teaser"][0], value]
        if count is not None:
            lines = [*(t["teaser"][:1] * count)[: count - 1], t["teaser"][-1]]
        stage(data, "teaser")["lines"] = lines

    return apply


def _no_objections(data: dict[str, Any], _t: dict[str, Any]) -> None:
    data["objections"] = []


def _one_language_triggers(data: dict[str, Any], t: dict[str, Any]) -> None:
    data["objections"][0]["triggers"] = [t["trigger"]]


def _no_close(data: dict[str, Any], _t: dict[str, Any]) -> None:
    drop_stage(data, "close")


def _dead_end(data: dict[str, Any], _t: dict[str, Any]) -> None:
    stage(data, "greeting")["next"] = "end"


def _undeclared(data: dict[str, Any], _t: dict[str, Any]) -> None:
    stage(data, "teaser")["lines"][0] += " {{ car_model }}"


def _unused(data: dict[str, Any], _t: dict[str, Any]) -> None:
    data["variables"].append({"name": "spare", "example": "x"})


def _long_line(data: dict[str, Any], t: dict[str, Any]) -> None:
    stage(data, "greeting")["lines"].append(" ".join([t["small_talk"].rstrip("?")] * 40) + ".")


def _long_sentence(data: dict[str, Any], _t: dict[str, Any]) -> None:
    stage(data, "greeting")["lines"].append(" ".join(["word"] * 35) + ".")


def _bad_syntax(data: dict[str, Any], _t: dict[str, Any]) -> None:
    stage(data, "greeting")["lines"].append("Hello {{ client_name")


CASES: list[tuple[str, Mutation, str, Severity]] = [
    ("small talk before greeting", _small_talk_first, "greeting-first", Severity.error),
    ("cold call without compliance", _cold, "compliance-opening", Severity.error),
    ("four qualification questions", _four_qualification, "qualification-max-3", Severity.warning),
    ("no situation question", _no_spin("situation"), "situation-question", Severity.error),
    ("no problem question", _no_spin("problem"), "problem-question", Severity.error),
    ("no implication question", _no_spin("implication"), "implication-question", Severity.warning),
    ("no need-payoff question", _no_spin("need_payoff"), "need-payoff-question", Severity.warning),
    ("no teaser", _no_spin("teaser"), "teaser-missing", Severity.error),
    ("one-sentence teaser", _teaser("teaser", 1), "teaser-length", Severity.error),
    ("five-sentence teaser", _teaser("teaser", 5), "teaser-length", Severity.error),
    ("teaser without call to action", _teaser("no_cta"), "teaser-call-to-action", Severity.error),
    (
        "call to action without key step",
        _teaser("cta_no_step"),
        "teaser-call-to-action",
        Severity.warning,
    ),
    ("no objections", _no_objections, "objections-empty", Severity.error),
    (
        "triggers in one language",
        _one_language_triggers,
        "objection-triggers-bilingual",
        Severity.warning,
    ),
    ("no close", _no_close, "close-missing", Severity.error),
    (
        "close without reminder",
        _set("close", "reminder_channels", []),
        "close-reminder",
        Severity.error,
    ),
    (
        "close without confirmation",
        _set("close", "confirmation", None),
        "close-confirmation",
        Severity.error,
    ),
    ("stage after a dead end", _dead_end, "unreachable-stage", Severity.warning),
    ("undeclared variable", _undeclared, "undeclared-variable", Severity.error),
    ("unused variable", _unused, "unused-variable", Severity.info),
    ("line too long", _long_line, "line-too-long", Severity.warning),
    ("sentence too long", _long_sentence, "line-too-long", Severity.warning),
    ("broken template", _bad_syntax, "template-syntax", Severity.error),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("name", "mutate", "rule", "severity"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires(
    tmp_path: Path, lang: str, name: str, mutate: Mutation, rule: str, severity: Severity
) -> None:
    data = copy.deepcopy(good_script(lang))
    mutate(data, TEXT[lang])
    found = rules(tmp_path, data)
    assert found.get(rule) == severity, f"{name}: got {found}"


@pytest.mark.parametrize("lang", LANGS)
def test_close_without_date_time(tmp_path: Path, lang: str) -> None:
    data = good_script(lang)
    stage(data, "close")["lines"] = [TEXT[lang]["close_no_date"]]
    assert rules(tmp_path, data).get("close-date-time") == Severity.error


@pytest.mark.parametrize("lang", LANGS)
def test_abbreviations_do_not_split_teaser_sentences(tmp_path: Path, lang: str) -> None:
    data = good_script(lang)
    stage(data, "teaser")["lines"] = list(TEXT[lang]["abbrev_teaser"])
    assert "teaser-length" not in rules(tmp_path, data)


@pytest.mark.parametrize("lang", LANGS)
def test_cold_call_with_compliance_first_passes(tmp_path: Path, lang: str) -> None:
    data = good_script(lang)
    data["cold"] = True
    data["stages"].insert(
        0,
        {
            "id": "compliance",
            "kind": "compliance",
            "title": "C",
            "lines": ["This call is recorded."],
        },
    )
    found = rules(tmp_path, data)
    assert "compliance-opening" not in found
    assert "greeting-first" not in found


@pytest.mark.parametrize("lang", LANGS)
def test_after_sale_script_needs_no_teaser_or_full_spin(tmp_path: Path, lang: str) -> None:
    data = good_script(lang)
    for stage_id in ("teaser", "implication", "need_payoff"):
        drop_stage(data, stage_id)
    data["stages"].insert(
        1,
        {
            "id": "nps",
            "kind": "feedback",
            "title": "NPS",
            "questions": [{"text": "0-10?", "form": "closed"}],
        },
    )
    found = rules(tmp_path, data)
    assert not {"teaser-missing", "implication-question", "need-payoff-question"} & set(found)


def test_branch_makes_stage_reachable(tmp_path: Path) -> None:
    data = good_script("en")
    stage(data, "greeting")["next"] = "end"
    stage(data, "greeting")["branches"] = [{"answer": "Has time", "next": "situation"}]
    assert "unreachable-stage" not in rules(tmp_path, data)


def test_findings_point_at_the_stage_line(tmp_path: Path) -> None:
    data = good_script("en")
    stage(data, "teaser")["lines"] = [TEXT["en"]["no_cta"]]
    script = load(tmp_path, data)
    finding = next(f for f in lint(script) if f.rule == "teaser-length")
    text = (tmp_path / "mini-en.yaml").read_text(encoding="utf-8").splitlines()
    assert finding.file == str(tmp_path / "mini-en.yaml")
    assert finding.line is not None
    assert "lines:" in text[finding.line - 1]


@pytest.mark.parametrize(
    ("severities", "strict", "expected"),
    [
        ([], False, False),
        ([Severity.info], True, False),
        ([Severity.warning], False, False),
        ([Severity.warning], True, True),
        ([Severity.error], False, True),
    ],
)
def test_fails_policy(severities: list[Severity], strict: bool, expected: bool) -> None:
    from coach.scripts.lint import Finding

    findings = [Finding("r", s, "m", "h") for s in severities]
    assert fails(findings, strict=strict) is expected


@pytest.mark.parametrize(
    ("text", "parts"),
    [("a" * 160, 1), ("a" * 161, 2), ("я" * 70, 1), ("я" * 71, 2), ("я" * 135, 3)],
)
def test_sms_segments(text: str, parts: int) -> None:
    from coach.scripts.lint import sms_segments

    assert sms_segments(text) == parts


@pytest.mark.parametrize("lang", LANGS)
def test_long_sms_confirmation_is_noted(tmp_path: Path, lang: str) -> None:
    data = good_script(lang)
    stage(data, "close")["confirmation"] = TEXT[lang]["close"] * 8
    assert rules(tmp_path, data).get("confirmation-sms-length") == Severity.info
