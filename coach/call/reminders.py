"""The reminder plan the source material prescribes for a booked visit, and its exports.

A message right after the call; a confirmation shortly before the visit (not 15 minutes
before: too late); and, when the visit is two or more days away, a check-point the day
before.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

CONFIRM_BEFORE = timedelta(hours=2)  # "shortly before the visit"
EVENING_HOUR = 18  # the day-before check-point goes out in the evening
DAY_BEFORE_FROM = timedelta(days=2)


@dataclass(frozen=True)
class Reminder:
    at: datetime
    kind: str  # "after_call" | "day_before" | "before_visit"
    channel: str
    text: str


def plan(
    booked_at: datetime, visit_at: datetime, channel: str, confirmation: str, language: str = "en"
) -> list[Reminder]:
    """The reminders for a visit booked at ``booked_at``, in time order."""
    words = _WORDS.get(language, _WORDS["en"])
    out = [Reminder(booked_at, "after_call", channel, confirmation)]
    if visit_at - booked_at >= DAY_BEFORE_FROM:
        evening = (visit_at - timedelta(days=1)).replace(
            hour=EVENING_HOUR, minute=0, second=0, microsecond=0
        )
        out.append(
            Reminder(
                evening,
                "day_before",
                channel,
                words["day_before"].format(time=visit_at.strftime("%H:%M")),
            )
        )
    before = visit_at - CONFIRM_BEFORE
    if before > booked_at:
        out.append(
            Reminder(
                before,
                "before_visit",
                channel,
                words["before"].format(time=visit_at.strftime("%H:%M")),
            )
        )
    return sorted(out, key=lambda r: r.at)


_WORDS = {
    "en": {
        "day_before": "A reminder: we are expecting you tomorrow at {time}. Does it still "
        "suit you?",
        "before": "See you today at {time}. Reply if anything has changed.",
    },
    "ru": {
        "day_before": "Напоминаем: ждём вас завтра в {time}. Время всё ещё удобно?",
        "before": "Ждём вас сегодня в {time}. Если что-то изменилось, ответьте на это сообщение.",
    },
}


def to_json(reminders: list[Reminder]) -> list[dict[str, str]]:
    return [
        {
            "at": r.at.isoformat(timespec="minutes"),
            "kind": r.kind,
            "channel": r.channel,
            "text": r.text,
        }
        for r in reminders
    ]


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def to_ics(
    reminders: list[Reminder], visit_at: datetime, title: str, visit_minutes: int = 60
) -> str:
    """An iCalendar file: the visit itself and one entry per reminder (floating times)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//coach//call reminders//EN",
        "CALSCALE:GREGORIAN",
    ]

    def event(start: datetime, end: datetime, summary: str, description: str) -> None:
        uid = hashlib.sha1(f"{_stamp(start)}{summary}".encode()).hexdigest()[:16]
        lines.extend(
            [
                "BEGIN:VEVENT",
                f"UID:{uid}@coach",
                f"DTSTAMP:{_stamp(start)}",
                f"DTSTART:{_stamp(start)}",
                f"DTEND:{_stamp(end)}",
                f"SUMMARY:{_ics_text(summary)}",
                f"DESCRIPTION:{_ics_text(description)}",
                "END:VEVENT",
            ]
        )

    event(visit_at, visit_at + timedelta(minutes=visit_minutes), title, title)
    for reminder in reminders:
        event(
            reminder.at,
            reminder.at + timedelta(minutes=5),
            f"{reminder.kind.replace('_', ' ')} ({reminder.channel})",
            reminder.text,
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
