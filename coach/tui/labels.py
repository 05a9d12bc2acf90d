"""The screen's own words in the script's language (English unless we have them)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "booked": "Key step booked",
        "callback": "Call back later",
        "not_interested": "Not interested",
        "not_target": "Not a target client",
        "then_ask": "Then ask:",
        "confirmation": "Confirmation to send:",
        "query": "What did the client say?",
        "when": "Key step / callback: YYYY-MM-DD HH:MM",
        "reason": "Reason, if not interested",
        "notes": "Notes (e, Esc to leave)",
        "objection": "Objection",
        "model_says": "The model suggests (check before you say it):",
        "model_thinking": "asking the model…",
        "model_unavailable": "no model suggestion",
        "finish": "Finish the call (Tab moves, Ctrl+Y copies, Ctrl+S saves)",
        "end": "The call has reached its end: press o.",
        "overtime": "{spent} on this stage, planned {planned}: move on",
        "tip": "tip",
        "more": "for more",
        "you_talk": "You talk",
        "copied": "Confirmation copied to the clipboard",
    },
    "ru": {
        "booked": "Записан на ключевой шаг",
        "callback": "Перезвонить позже",
        "not_interested": "Не интересно",
        "not_target": "Не целевой клиент",
        "then_ask": "Затем спросите:",
        "confirmation": "Подтверждение клиенту:",
        "query": "Что сказал клиент?",
        "when": "Ключевой шаг / перезвон: ГГГГ-ММ-ДД ЧЧ:ММ",
        "reason": "Причина, если не интересно",
        "notes": "Заметки (e, Esc — выйти)",
        "objection": "Возражение",
        "model_says": "Модель предлагает (проверьте, прежде чем говорить):",
        "model_thinking": "спрашиваю модель…",
        "model_unavailable": "подсказки модели нет",
        "finish": "Итог (Tab — дальше, Ctrl+Y — копировать, Ctrl+S — сохранить)",
        "end": "Скрипт пройден: нажмите o.",
        "overtime": "{spent} на этапе, план {planned}: пора дальше",
        "tip": "совет",
        "more": "подробнее",
        "you_talk": "Вы говорите",
        "copied": "Подтверждение скопировано",
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])
