"""The review screens' own words in English and Russian (English unless we have them)."""

from __future__ import annotations

REVIEW_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "queue": "Calls to review",
        "date": "Date",
        "rep": "Rep",
        "script": "Script",
        "score": "Score",
        "pass": "Pass",
        "talk": "Talk",
        "missed": "Missed stages",
        "tags": "Tags",
        "comments": "Notes",
        "no_calls": "No calls match this filter: press / to change it.",
        "filter": "Filter",
        "filter_hint": "rep:anna team:north since:2026-11-01 until:2026-11-30 "
        "min:60 max:80 missed:close tag:best (empty clears)",
        "all_calls": "all calls",
        "sorted": "sorted by {sort}",
        "transcript": "Transcript",
        "criteria": "Criteria · {total}/{top} · pass {mark}",
        "metrics": "Metrics",
        "rep_role": "Rep",
        "client_role": "Client",
        "comment_moment": "Comment on {time}",
        "comment_call": "Comment on the whole call",
        "comment_saved": "Comment saved",
        "best_on": "Marked as best practice",
        "best_off": "No longer best practice",
        "call_best_on": "The call is marked as best practice",
        "call_best_off": "The call is no longer best practice",
        "exported": "Feedback written to {path}",
        "no_evidence": "No evidence utterance for this criterion",
        "first": "This is the first call in the queue",
        "last": "This is the last call in the queue",
        "talk_ratio": "rep talk",
        "questions": "questions",
        "open": "open",
        "closed": "closed",
        "interactivity": "switches/min",
        "first_question": "first question",
        "monologue": "longest rep monologue",
        "pace": "words/min",
        "duration": "duration",
        "no_card": "This call has no scorecard.",
        "on_call": "On the call",
        "badge_open": "open",
        "badge_closed": "closed",
    },
    "ru": {
        "queue": "Звонки на разбор",
        "date": "Дата",
        "rep": "Менеджер",
        "script": "Скрипт",
        "score": "Балл",
        "pass": "Зачёт",
        "talk": "Речь",
        "missed": "Пропущенные этапы",
        "tags": "Теги",
        "comments": "Комм.",
        "no_calls": "Под фильтр ничего не подходит: нажмите /, чтобы изменить его.",
        "filter": "Фильтр",
        "filter_hint": "rep:anna team:north since:2026-11-01 until:2026-11-30 "
        "min:60 max:80 missed:close tag:best (пусто — сбросить)",
        "all_calls": "все звонки",
        "sorted": "сортировка: {sort}",
        "transcript": "Расшифровка",
        "criteria": "Критерии · {total}/{top} · зачёт {mark}",
        "metrics": "Метрики",
        "rep_role": "Менеджер",
        "client_role": "Клиент",
        "comment_moment": "Комментарий к {time}",
        "comment_call": "Комментарий ко всему звонку",
        "comment_saved": "Комментарий сохранён",
        "best_on": "Отмечено как лучшая практика",
        "best_off": "Отметка лучшей практики снята",
        "call_best_on": "Звонок отмечен как лучшая практика",
        "call_best_off": "Отметка лучшей практики со звонка снята",
        "exported": "Обратная связь записана в {path}",
        "no_evidence": "У этого критерия нет реплики-доказательства",
        "first": "Это первый звонок в очереди",
        "last": "Это последний звонок в очереди",
        "talk_ratio": "речь менеджера",
        "questions": "вопросов",
        "open": "открытых",
        "closed": "закрытых",
        "interactivity": "смен/мин",
        "first_question": "первый вопрос",
        "monologue": "самый длинный монолог",
        "pace": "слов/мин",
        "duration": "длительность",
        "no_card": "У этого звонка нет оценки.",
        "on_call": "О звонке",
        "badge_open": "откр.",
        "badge_closed": "закр.",
    },
}

REVIEW_HELP: dict[str, str] = {
    "en": """\
[b]Queue[/b]
  ↑ ↓       choose a call          Enter   open it
  /         filter (rep: team: since: until: min: max: missed: tag:)
  s         sort: date → score → rep → talk      r   reverse the order

[b]Call[/b]
  ↑ ↓       move through the transcript or the criteria   Tab  switch
  Enter     on a criterion: jump to its evidence (again: the next one)
  c / C     comment on the selected utterance / on the whole call
  b / B     best practice: the selected utterance / the whole call
  f         write the feedback note for the rep
  n / p     next / previous call       Esc   back to the queue
  ?         this help                 Ctrl+Q  quit

Comments and tags are saved to the store before the screen confirms them.
""",
    "ru": """\
[b]Очередь[/b]
  ↑ ↓       выбрать звонок         Enter   открыть
  /         фильтр (rep: team: since: until: min: max: missed: tag:)
  s         сортировка: дата → балл → менеджер → речь   r   обратный порядок

[b]Звонок[/b]
  ↑ ↓       по расшифровке или по критериям   Tab  переключить
  Enter     на критерии: к реплике-доказательству (ещё раз — к следующей)
  c / C     комментарий к реплике / ко всему звонку
  b / B     лучшая практика: реплика / весь звонок
  f         записать обратную связь для менеджера
  n / p     следующий / предыдущий звонок   Esc   назад к очереди
  ?         эта справка                     Ctrl+Q  выход

Комментарии и теги сохраняются в базу до того, как экран это подтвердит.
""",
}


def review_labels(language: str) -> dict[str, str]:
    return REVIEW_LABELS.get(language, REVIEW_LABELS["en"])


def review_help(language: str) -> str:
    return REVIEW_HELP.get(language, REVIEW_HELP["en"])
