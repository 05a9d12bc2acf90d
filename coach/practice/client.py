"""The simulated client: what it says next, streamed, from a model or from the script itself.

``ScriptedClient`` needs no model: it greets back, answers questions briefly, raises the script's
objections in the persona's order and agrees once they are handled and a date is proposed.
``ModelClient`` asks the language model and falls back to the scripted reply when none answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from coach.analysis.questions import find_questions
from coach.analysis.transcript import Role
from coach.errors import LLMError
from coach.llm.client import Message, Privacy, stream
from coach.llm.config import LLMSettings
from coach.llm.prompts import render_prompt
from coach.practice.persona import Persona
from coach.practice.session import Turn
from coach.scripts.model import Objection, QuestionForm, Script

HANDLED_WORDS = 4  # a reply to an objection shorter than this does not handle it

PHRASES: dict[str, dict[str, list[str]]] = {
    "en": {
        "pickup": ["Hello?"],
        "greet": ["Hello. Yes, speaking.", "Hi. Yes, I'm listening."],
        "what_about": ["What is this about?"],
        "situation": [
            "Right now we manage with what we have.",
            "It's been like this for a couple of years.",
            "Nothing special, the usual.",
        ],
        "problem": ["Well, it takes more time than I'd like.", "Sometimes, yes, it's a hassle."],
        "implication": ["If it goes on like this, it will cost me more, I suppose."],
        "need_payoff": ["That would help, yes.", "It would make things easier, I guess."],
        "closed": ["Yes, more or less.", "Yes.", "I think so, yes."],
        "open": ["Hard to say. It depends.", "Well, it's fine for now."],
        "ack": ["Okay, fair enough.", "Hm, all right.", "I see."],
        "press": ["That's not really an answer.", "And?"],
        "nudge": ["Okay. So what exactly do you suggest, and when?"],
        "agree": ["All right, {when} suits me. Let's do it."],
        "bye": ["Thank you, goodbye."],
    },
    "ru": {
        "pickup": ["Алло?"],
        "greet": ["Здравствуйте. Да, слушаю.", "Добрый день. Да, это я."],
        "what_about": ["А по какому вопросу?"],
        "situation": [
            "Сейчас обходимся тем, что есть.",
            "Уже пару лет так.",
            "Ничего особенного, как у всех.",
        ],
        "problem": ["Ну, времени уходит больше, чем хотелось бы.", "Бывает, да, неудобно."],
        "implication": ["Если так пойдёт и дальше, выйдет дороже, наверное."],
        "need_payoff": ["Это помогло бы, да.", "Было бы проще, наверное."],
        "closed": ["Да, в целом да.", "Да.", "Думаю, да."],
        "open": ["Сложно сказать. Смотря как.", "Ну, пока нормально."],
        "ack": ["Ну ладно, понятно.", "Хм, хорошо.", "Понятно."],
        "press": ["Это не ответ.", "И?"],
        "nudge": ["Хорошо. И что конкретно вы предлагаете, когда?"],
        "agree": ["Хорошо, {when} мне подходит. Договорились."],
        "bye": ["Спасибо, до свидания."],
    },
}
OPENERS: dict[str, dict[str, str]] = {  # how each persona starts a doubt
    "en": {"skeptical": "Hmm. ", "busy": "Look, ", "price-focused": "Wait. "},
    "ru": {"skeptical": "Хм. ", "busy": "Слушайте, ", "price-focused": "Подождите. "},
}
_GREETING = re.compile(
    r"\b(hello|hi|hey|good (morning|afternoon|evening))\b"
    r"|здравствуй|добр(ый|ое|ого) (день|утро|вечер|утра|дня|вечера)|привет|алло",
    re.IGNORECASE,
)
_ASKING = re.compile(
    r"^(how|what|who|why|where|when|which|do|does|did|are|is|can|could|would|will|"
    r"как|что|кто|почему|зачем|откуда|где|когда|сколько|а вы|а кто|а что|а сколько)\b",
    re.IGNORECASE,
)
_TIME_EN = r"(?:at\s+)?\d{1,2}(?:[:.]\d{2})?(?:\s?[ap]\.?m\.?)?"
_DAY_EN = (
    r"(?:tomorrow|(?:on |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|next week|the day after tomorrow)"
)
_TIME_RU = r"(?:в\s+)?\d{1,2}(?:[:.]\d{2})?(?:\s+час\w*)?"
_DAY_RU = (
    r"(?:послезавтра|завтра|(?:в|во|на)\s+(?:понедельник|вторник|среду|четверг|пятницу|субботу"
    r"|воскресенье)|на следующей неделе)"
)
_WHEN = re.compile(
    rf"\b(?:(?:today|tonight|this \w+)\s+at\s+\d{{1,2}}(?:[:.]\d{{2}})?(?:\s?[ap]\.?m\.?)?"
    rf"|{_DAY_EN}(?:\s+{_TIME_EN})?"
    r"|(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?|(?:at\s+)?\d{1,2}\s?[ap]\.?m\.?"
    r"|\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}[:.]\d{2})?"
    r"|(?:on\s+)?(?:the\s+)?\d{1,2}(?:st|nd|rd|th)(?:\s+of\s+\w+)?"
    rf"|сегодня\s+в\s+\d{{1,2}}(?:[:.]\d{{2}})?|{_DAY_RU}(?:\s+{_TIME_RU})?"
    r"|в\s+\d{1,2}(?:[:.]\d{2})?(?:\s+час\w*)?)(?!\w)",
    re.IGNORECASE,
)


def proposed_time(text: str) -> str | None:
    """The date or time the rep proposes ("tomorrow at 5", "в четверг в 15:00"), if any."""
    found = _WHEN.search(text)
    return found.group(0).strip() if found else None


def is_greeting(text: str) -> bool:
    return _GREETING.search(text) is not None


def phrases(language: str) -> dict[str, list[str]]:
    return PHRASES.get(language[:2], PHRASES["en"])


def objection_line(objection: Objection, persona: Persona, language: str) -> str:
    """What the scripted client says to raise a doubt: the card's first trigger, in character."""
    trigger = objection.triggers[0].strip()
    opener = OPENERS.get(language[:2], OPENERS["en"]).get(persona.id, "")
    if opener.endswith(". ") or not opener:
        trigger = trigger[:1].upper() + trigger[1:]
    if trigger[-1] not in ".?!…":
        trigger += "?" if _ASKING.match(trigger) else "."
    return opener + trigger


def words(text: str) -> Iterator[str]:
    """A reply in chunks as a stream would bring them (word by word)."""
    yield from re.findall(r"\S+\s*", text)


class SimulatedClient(Protocol):
    """Anything that plays the client: a first line, then a streamed reply to the history."""

    def opening(self) -> str: ...

    def reply(self, history: Sequence[Turn]) -> Iterator[str]: ...

    def take_notice(self) -> str | None: ...


class ScriptedClient:
    """The client without a model: every reply follows from the history and the script alone."""

    def __init__(self, script: Script, persona: Persona, language: str | None = None) -> None:
        self.script = script
        self.persona = persona
        self.language = (language or script.language)[:2]
        self.plan = persona.pick(script.objections)
        self.words = phrases(self.language)

    def opening(self) -> str:
        return self.words["pickup"][0]

    def take_notice(self) -> str | None:
        return None

    def _say(self, kind: str, turn: int) -> str:
        options = self.words[kind]
        return options[turn % len(options)]

    def raised(self, history: Sequence[Turn]) -> list[tuple[int, Objection]]:
        """(history position, card) of each doubt this client has raised so far."""
        lines = {objection_line(o, self.persona, self.language): o for o in self.plan}
        out = []
        for position, turn in enumerate(history):
            if turn.role is Role.client:
                out += [(position, o) for line, o in lines.items() if line in turn.text]
        return out

    def next_line(self, history: Sequence[Turn]) -> str:
        """The whole reply to the history (``reply`` streams it)."""
        reps = [t for t in history if t.role is Role.rep]
        clients = [t for t in history if t.role is Role.client]
        if not reps or history[-1].role is not Role.rep:
            return self.opening() if not clients else self._say("nudge", len(clients))
        said = history[-1].text
        count = len(clients)
        agree_start = self.words["agree"][0].split("{", 1)[0]
        if any(t.text.startswith(agree_start) for t in clients):
            return self._say("bye", count)
        raised = self.raised(history)
        last_client = max((i for i, t in enumerate(history) if t.role is Role.client), default=-1)
        just_raised = bool(raised) and raised[-1][0] == last_client
        if just_raised and len(said.split()) < HANDLED_WORDS:
            return self._say("press", count)
        after = raised[-1][0] if raised else -1
        questions = find_questions(said, self.language)
        greeted = any(g in t.text for t in clients for g in self.words["greet"])
        when = next(
            (w for t in history[after + 1 :] if t.role is Role.rep for w in [proposed_time(t.text)]
             if w),
            None,
        )  # fmt: skip
        pending = self.plan[len(raised)] if len(raised) < len(self.plan) else None
        if pending is None and when:
            return self._say("agree", count).format(when=when)
        parts: list[str] = []
        if not greeted and is_greeting(said):
            parts.append(self._say("greet", count))
            if not questions:
                parts.append(self._say("what_about", count))
                return " ".join(parts)
        elif just_raised:
            parts.append(self._say("ack", count))
        asked = sum(
            1
            for t in history[after + 1 :]
            if t.role is Role.rep and find_questions(t.text, self.language)
        )
        pushes = when or (not questions and not parts) or asked > self.persona.patience
        if pending is not None and pushes and not just_raised:
            parts.append(objection_line(pending, self.persona, self.language))
        elif questions:
            parts.append(self._answer(questions[-1].spin, questions[-1].form, count))
        elif not parts:
            parts.append(self._say("nudge", count))
        return " ".join(parts)

    def _answer(self, spin: object, form: QuestionForm, turn: int) -> str:
        kind = getattr(spin, "value", None) or ("closed" if form is QuestionForm.closed else "open")
        return self._say(kind if kind in self.words else "open", turn)

    def reply(self, history: Sequence[Turn]) -> Iterator[str]:
        return words(self.next_line(history))


class ModelClient:
    """The client played by the language model; the scripted client steps in when it is down."""

    def __init__(
        self,
        script: Script,
        persona: Persona,
        language: str | None = None,
        *,
        settings: LLMSettings | None = None,
        values: Mapping[str, str] | None = None,
        timeout_s: float = 30.0,
        max_tokens: int = 80,
    ) -> None:
        self.script = script
        self.persona = persona
        self.language = (language or script.language)[:2]
        self.settings = settings
        self.values = dict(values or {})
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.fallback = ScriptedClient(script, persona, self.language)
        self.down = False
        self._notice: str | None = None

    def opening(self) -> str:
        return self.fallback.opening()

    def take_notice(self) -> str | None:
        notice, self._notice = self._notice, None
        return notice

    def messages(self, history: Sequence[Turn]) -> list[Message]:
        """The roleplay prompt, then the call so far (the rep is the user, the client the model)."""
        prompt = render_prompt(
            "roleplay_client",
            self.language,
            {
                "product": self.values.get("product") or self.script.title,
                "persona": self.persona.describe(self.language),
                "objections": [o.triggers[0] for o in self.persona.pick(self.script.objections)],
                "difficulty": self.persona.difficulty,
                "script_title": self.script.title,
                "key_step": self.script.key_step,
            },
        )
        out: list[Message] = [
            {"role": "system", "content": prompt.system},
            {"role": "user", "content": prompt.user},
        ]
        for turn in history:
            role = "assistant" if turn.role is Role.client else "user"
            if out[-1]["role"] == role:  # two turns of one side in a row: one message
                out[-1] = {"role": role, "content": f"{out[-1]['content']} {turn.text}"}
            else:
                out.append({"role": role, "content": turn.text})
        return out

    def _give_up(self, reason: str) -> None:
        self.down = True
        self._notice = f"model off ({reason}): the scripted client answers from now on"

    def reply(self, history: Sequence[Turn]) -> Iterator[str]:
        if self.down:
            yield from self.fallback.reply(history)
            return
        names = [v for k, v in self.values.items() if k in ("client_name", "rep_name") and v]
        said = False
        try:
            chunks = stream(
                self.messages(history),
                settings=self.settings,
                privacy=Privacy(names=names),
                max_tokens=self.max_tokens,
                timeout_s=self.timeout_s,
                kind="roleplay_client",
            )
            for chunk in chunks:
                text = _unlabelled(chunk) if not said else chunk
                if text.strip() or said:
                    said = said or bool(text.strip())
                    yield text
        except LLMError as exc:
            self._give_up(str(exc))
            if not said:
                yield from self.fallback.reply(history)
            return
        if not said:
            self._give_up("it said nothing")
            yield from self.fallback.reply(history)


_LABEL = re.compile(r"^\s*(client|клиент|assistant)\s*:\s*", re.IGNORECASE)


def _unlabelled(text: str) -> str:
    """The first chunk without a speaker label the model may put before its line."""
    return _LABEL.sub("", text).lstrip()
