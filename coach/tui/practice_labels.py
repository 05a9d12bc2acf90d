"""The practice screen's own words in English and Russian (English unless we have them)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "you": "You",
        "client": "Client",
        "say": "Say something to the client · Enter sends",
        "stage": "Now",
        "objections": "Objections raised",
        "none_yet": "none yet",
        "wait": "The client is still answering",
        "nothing": "Say something first: there is nothing to score yet",
        "scoring": "Scoring the practice…",
        "score": "Scorecard (Esc closes)",
        "passed": "passed",
        "failed": "below the pass mark",
        "saved": "Saved",
        "persona": "persona",
        "help": (
            "[b]Practice[/b]\n"
            "  The client answers as you type: greet, ask, handle its doubts, propose a time.\n\n"
            "  Enter     send your line\n"
            "  Ctrl+E    end the practice and score it\n"
            "  Ctrl+Q    quit (the journal is kept)\n"
            "  ?         this help (on an empty line), also F1\n\n"
            "Every line is written to the practice journal before it is shown."
        ),
    },
    "ru": {
        "you": "Вы",
        "client": "Клиент",
        "say": "Что скажете клиенту · Enter — отправить",
        "stage": "Сейчас",
        "objections": "Возражения клиента",
        "none_yet": "пока нет",
        "wait": "Клиент ещё отвечает",
        "nothing": "Сначала скажите что-нибудь: оценивать пока нечего",
        "scoring": "Оцениваем тренировку…",
        "score": "Оценка (Esc — закрыть)",
        "passed": "зачёт",
        "failed": "ниже проходного балла",
        "saved": "Сохранено",
        "persona": "клиент",
        "help": (
            "[b]Тренировка[/b]\n"
            "  Клиент отвечает на ваши реплики: поздоровайтесь, спросите, отработайте\n"
            "  возражения, предложите время.\n\n"
            "  Enter     отправить реплику\n"
            "  Ctrl+E    закончить и получить оценку\n"
            "  Ctrl+Q    выйти (журнал сохраняется)\n"
            "  ?         эта справка (в пустой строке), также F1\n\n"
            "Каждая реплика записывается в журнал до того, как появится на экране."
        ),
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language[:2], LABELS["en"])
