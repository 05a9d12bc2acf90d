"""The LLM's second opinion on the rules' questions: open/closed and SPIN type, in batches.

A `Labeller` for `coach.analysis.analyse(..., classifier="llm", labeller=...)`: the rules find
the questions, the model labels them; a question it fails on gets None (the caller keeps its
hybrid labels). Answers are cached by question text for the labeller's lifetime (one run).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import pydantic

from coach.analysis.analyse import Label, QuestionLabels, QuestionToLabel
from coach.errors import LLMError
from coach.llm.client import Privacy, structured
from coach.llm.config import LLMSettings, load_llm_settings
from coach.llm.prompts import render_prompt
from coach.scripts.model import QuestionForm, Spin

BATCH = 8
REPAIRS = 1
CONTEXT_CHARS = 160
TOKENS_PER_LABEL = 40
# a batch takes longer than one chat answer; a small local model needs tens of seconds
MIN_TIMEOUT_S = 120.0

FORM: Any = Literal["open", "closed"]
SPIN: Any = Literal["situation", "problem", "implication", "need_payoff"] | None


def batch_schema(size: int) -> type[pydantic.BaseModel]:
    """Exactly ``size`` labels, numbered 1..size."""
    number: Any = Literal[tuple(range(1, size + 1))]
    item = pydantic.create_model(
        "QuestionLabel",
        __config__=pydantic.ConfigDict(extra="forbid"),
        n=(number, ...),
        form=(FORM, ...),
        spin=(SPIN, ...),
    )
    return pydantic.create_model(
        "QuestionLabels",
        __config__=pydantic.ConfigDict(extra="forbid"),
        labels=(list[item], pydantic.Field(min_length=size, max_length=size)),
    )


def labels_of(value: Any, size: int) -> list[Label | None]:
    """Each question's label from an answer; None for a number missing or given twice."""
    found: dict[int, list[Label]] = {}
    for item in (value or {}).get("labels") or []:
        try:
            n = int(item["n"])
            form = QuestionForm(item["form"])
            spin = Spin(item["spin"]) if item.get("spin") else None
        except (KeyError, TypeError, ValueError):
            continue
        found.setdefault(n, []).append((form, spin))
    return [found[n][0] if len(found.get(n, [])) == 1 else None for n in range(1, size + 1)]


def _short(text: str, limit: int = CONTEXT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else "…" + text[-limit:]


class LLMQuestionLabeller:
    """Labels questions through `structured`, several per request, each text asked once."""

    def __init__(
        self,
        settings: LLMSettings | None = None,
        *,
        privacy: Privacy | None = None,
        batch: int = BATCH,
        repairs: int = REPAIRS,
        timeout_s: float | None = None,
    ) -> None:
        self.settings = settings or load_llm_settings()
        self.privacy = privacy or Privacy()
        self.batch = max(1, batch)
        self.repairs = repairs
        self.timeout_s = timeout_s or max(self.settings.timeout_s, MIN_TIMEOUT_S)
        self.cache: dict[tuple[str, str], Label | None] = {}
        self.down: str | None = None  # once no server answers, stop asking for this run
        self.requests = 0
        self.fallbacks = 0  # questions answered with None, over the run

    def __call__(self, questions: Sequence[QuestionToLabel], language: str) -> QuestionLabels:
        lang = "ru" if language.lower().startswith("ru") else "en"
        keys = [(lang, q.text.strip()) for q in questions]
        todo: dict[tuple[str, str], QuestionToLabel] = {}
        for key, question in zip(keys, questions, strict=True):
            if key not in self.cache:
                todo.setdefault(key, question)
        problems: list[str] = []
        pending = list(todo.items())
        for start in range(0, len(pending), self.batch):
            chunk = pending[start : start + self.batch]
            problem: str | None
            if self.down is not None:
                problem = self.down
                labels: list[Label | None] = [None] * len(chunk)
            else:
                labels, problem = self._ask([q for _, q in chunk], lang)
            if problem:
                problems.append(problem)
            for (key, _), label in zip(chunk, labels, strict=True):
                # a failure is not cached: the next run (or call) may succeed
                if label is not None:
                    self.cache[key] = label
        out = tuple(self.cache.get(key) for key in keys)
        self.fallbacks += out.count(None)
        return QuestionLabels(out, problems[0] if problems and None in out else None)

    def _ask(
        self, chunk: Sequence[QuestionToLabel], language: str
    ) -> tuple[list[Label | None], str | None]:
        items = [
            {"n": n, "text": q.text, "context": _short(q.context)} for n, q in enumerate(chunk, 1)
        ]
        prompt = render_prompt("classify_question", language, {"questions": items})
        self.requests += 1
        try:
            answer = structured(
                prompt.messages(),
                batch_schema(len(chunk)),
                repairs=self.repairs,
                settings=self.settings,
                privacy=self.privacy,
                max_tokens=40 + TOKENS_PER_LABEL * len(chunk),
                timeout_s=self.timeout_s,
            )
        except LLMError as exc:
            message = str(exc)
            # no server, a refused key, no such model: asking again will not help this run;
            # an invalid answer or one slow batch may go better next time
            if "gave no valid" not in message and "did not answer within" not in message:
                self.down = message
            return [None] * len(chunk), message
        labels = labels_of(json.loads(answer.model_dump_json()), len(chunk))
        failed = labels.count(None)
        return labels, (f"the model skipped or repeated {failed} number(s)" if failed else None)
