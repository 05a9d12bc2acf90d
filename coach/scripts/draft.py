"""`coach script draft`: a new script for an industry and product, drafted and checked.

A model (any callable from messages to text) drafts, the loader and lint check, and the
findings go back to the model for a bounded number of repair rounds; without a model the
draft is built from a template alone and passes lint as it stands.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from coach.errors import LLMError, ScriptError
from coach.lexicon import lexicon
from coach.scripts import lint
from coach.scripts.loader import LIBRARY_DIR, find_script, load_script
from coach.scripts.model import ID_PATTERN, Script, StageKind
from coach.scripts.scaffold import scaffold

if TYPE_CHECKING:
    from coach.llm.config import LLMSettings

Message = dict[str, str]
DraftModel = Callable[[list[Message]], str]
RoundReport = Callable[[int, list[lint.Finding]], None]

LANGUAGES = ("en", "ru")
KEY_STEPS = tuple(sorted(lexicon("en")["key_steps"]))
DEFAULT_ROUNDS = 3
MAX_TOKENS = 1500  # a whole thin script; the bundled local server has a 4096-token context
MAX_PROMPT_FINDINGS = 15
MIN_TIMEOUT_S = 120.0
DRAFT_NAME = "draft.yaml"
LOAD_RULE = "load"  # the rule id `coach script lint` gives loader problems


@dataclass(frozen=True)
class DraftRequest:
    """What the trainer asked for; None means "as the template has it"."""

    industry: str
    product: str
    language: str
    template: str | None = None
    key_step: str | None = None
    cold: bool | None = None
    script_id: str | None = None
    title: str | None = None
    notes: str | None = None

    @property
    def template_ref(self) -> str:
        return self.template or f"base-{self.language}"


@dataclass(frozen=True)
class DraftResult:
    """The best draft found, what lint still says about it, and how it was made."""

    yaml_text: str
    findings: tuple[lint.Finding, ...]
    rounds_used: int  # repair rounds after the first draft
    used_model: bool
    notes: tuple[str, ...] = ()

    def passed(self, *, strict: bool = False) -> bool:
        return not lint.fails(list(self.findings), strict=strict)


# --- names --------------------------------------------------------------------------
_LATIN = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"
_TRANSLIT = {
    cyrillic: latin.strip("_")
    for cyrillic, latin in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN.split(), strict=True)
}


def slug(text: str, fallback: str = "draft") -> str:
    """An id from free text, Cyrillic transliterated: «Стоматология» → stomatologiya."""
    latin = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    parts = [p for p in re.split(r"[^a-z0-9]+", latin) if p]
    unique = list(dict.fromkeys(parts))  # "solar solar panels" → solar-panels
    cleaned = "-".join(unique)[:48].strip("-")
    return cleaned if re.match(ID_PATTERN, cleaned) else fallback


def draft_id(request: DraftRequest) -> str:
    if request.script_id:
        return request.script_id
    return slug(f"{request.industry} {request.product}")


def id_from_file(path: Path) -> str | None:
    """``my-dental.yaml`` → ``my-dental`` when that is a valid id."""
    return path.stem if re.match(ID_PATTERN, path.stem) else None


def unfinished_path(out: Path | None, script_id: str) -> Path:
    """Where a draft that still fails lint goes: beside --out, never over it."""
    if out is None:
        return Path(f"{script_id}.draft.yaml")
    return out.with_name(f"{out.stem}.draft.yaml")


# --- the draft without a model ------------------------------------------------------
_TEASER = {
    "en": [
        "From what you've told me, {{ product }} fits what you're looking for.",
        "It takes about half an hour, you get straight answers, and there's no obligation.",
    ],
    "ru": [
        "Судя по вашим словам, вам подойдёт {{ product }}.",
        "Это займёт около получаса, вы получите ответы на все вопросы и ни к чему не обязываетесь.",
    ],
}
_CALL_TO_ACTION = {
    "en": {
        "visit": "Would you like to come in and see it for yourself this week?",
        "demo": "Shall we book a short demo for you this week?",
        "order": "Shall we place the order for you today?",
        "application": "Shall we submit your application together today?",
        "meeting": "Shall we set up a meeting this week?",
        "review": "Would you like to leave us a short review?",
        "callback": "Would you like me to call you back tomorrow with the details?",
    },
    "ru": {
        "visit": "Давайте запишу вас на визит на этой неделе?",
        "demo": "Давайте договоримся о демонстрации на этой неделе?",
        "order": "Давайте оформим заказ прямо сейчас?",
        "application": "Давайте подадим заявку вместе прямо сейчас?",
        "meeting": "Давайте договоримся о встрече на этой неделе?",
        "review": "Давайте я пришлю ссылку, чтобы вы оставили короткий отзыв?",
        "callback": "Давайте я перезвоню вам завтра с подробностями?",
    },
}
_COLD_OPENING = {
    "en": [
        "Hi, is that {{ client_name }}? This is {{ rep_name }} from {{ company }}.",
        "This is a sales call about {{ product }}, and it is recorded for quality.",
    ],
    "ru": [
        "{{ client_name }}, добрый день! Меня зовут {{ rep_name }}, компания {{ company }}.",
        "Звонок рекламный, о предложении: {{ product }}. Разговор записывается.",
    ],
}
_PRODUCT_VARIABLE = {
    "en": "What we sell on this call",
    "ru": "Что продаём в этом звонке",
}
_TITLE = {"en": "{industry}: {product} (draft)", "ru": "{industry}: {product} (черновик)"}
_DESCRIPTION = {
    "en": "A draft for {industry} selling {product}, built on {base}. Review every line "
    "before reps use it.",
    "ru": "Черновик для сферы «{industry}», продукт: {product}. Основа: {base}. Проверьте "
    "каждую фразу, прежде чем отдавать менеджерам.",
}

# Triggers in both languages: the live coach hears mixed-language calls (lint warns otherwise).
_TRIGGERS = {
    "price": [
        "it's too expensive",
        "that's a lot of money",
        "I can't afford it",
        "дорого",
        "слишком дорого",
        "нет таких денег",
    ],
    "think_about_it": [
        "I need to think about it",
        "let me think it over",
        "I'll think about it",
        "мне надо подумать",
        "я подумаю",
        "надо всё обдумать",
    ],
    "spouse": [
        "I need to talk to my wife",
        "I have to ask my husband",
        "I'll discuss it with my partner",
        "надо посоветоваться с женой",
        "спрошу у мужа",
        "обсужу с супругой",
    ],
    "competitor": [
        "I'm already talking to someone else",
        "another company offered it cheaper",
        "I'm happy with my current provider",
        "мы уже работаем с другими",
        "у конкурентов дешевле",
        "нас всё устраивает",
    ],
    "no_time": [
        "I don't have time",
        "I'm busy right now",
        "can't talk now",
        "нет времени",
        "я занят",
        "мне некогда",
    ],
}
_CATEGORY = {"spouse": "not_decision_maker"}
_CARDS: dict[str, dict[str, tuple[list[str], str]]] = {
    "en": {
        "price": (
            [
                "I understand, it's a real decision. What are you comparing it with?",
                "Let's look at what you get for the money, then decide if it's worth it.",
            ],
            "What budget did you have in mind?",
        ),
        "think_about_it": (
            [
                "Of course, it's worth thinking over. What exactly would you like to weigh up?",
                "Is it the price, the timing, or something about the offer itself?",
            ],
            "What's the main thing you're still unsure about?",
        ),
        "spouse": (
            [
                "That makes sense, it's a decision for both of you.",
                "Would it help if you came along together, so you can both ask your questions?",
            ],
            "When would suit you both?",
        ),
        "competitor": (
            [
                "Good that you're comparing, that's the smart way to choose.",
                "What matters most to you when you compare the offers?",
            ],
            "What did you like about their offer?",
        ),
        "no_time": (
            [
                "Of course, I'll be quick. It's two questions, is that okay?",
                "Or shall I call you back later today or tomorrow morning?",
            ],
            "When is a good time for a two-minute call?",
        ),
    },
    "ru": {
        "price": (
            [
                "Понимаю, решение серьёзное. С чем вы сравниваете?",
                "Давайте посмотрим, что вы получаете за эти деньги, и тогда решите.",
            ],
            "На какой бюджет вы рассчитывали?",
        ),
        "think_about_it": (
            [
                "Конечно, подумать стоит. Что именно хотите взвесить?",
                "Дело в цене, в сроках или в самом предложении?",
            ],
            "Что пока вызывает больше всего сомнений?",
        ),
        "spouse": (
            [
                "Конечно, такое решение лучше принимать вместе.",
                "Может, приедете вдвоём, чтобы сразу задать все вопросы?",
            ],
            "Когда вам обоим будет удобно?",
        ),
        "competitor": (
            [
                "Хорошо, что сравниваете, так и выбирают с умом.",
                "Что для вас главное при сравнении предложений?",
            ],
            "Что вам понравилось в их предложении?",
        ),
        "no_time": (
            [
                "Конечно, я коротко. Всего два вопроса, хорошо?",
                "Или удобнее, если я перезвоню сегодня вечером или завтра утром?",
            ],
            "Когда удобно поговорить пару минут?",
        ),
    },
}


def _objection_cards(base: Script, language: str) -> list[dict[str, Any]]:
    """Cards for the common categories; a template's own card of the same id is kept."""
    cards = []
    for card_id, (responses, follow_up) in _CARDS[language].items():
        if card_id in {o.id for o in base.objections} and not _from_library(base, card_id):
            continue
        cards.append(
            {
                "id": card_id,
                "category": _CATEGORY.get(card_id, card_id),
                "triggers": _TRIGGERS[card_id],
                "responses": responses,
                "follow_up_question": follow_up,
            }
        )
    return cards


def _from_library(script: Script, objection_id: str) -> bool:
    for index, objection in enumerate(script.objections):
        if objection.id == objection_id:
            where = script.location("objections", index)
            return where is not None and Path(where.file).parent.name == LIBRARY_DIR
    return False


def _extends_ref(base: Script, source: Path, dirs: Sequence[Path]) -> str:
    """The template's id when the search path finds it by id, else its absolute path."""
    try:
        if find_script(base.id, dirs).resolve() == source.resolve():
            return base.id
    except ScriptError:
        pass
    return str(source.resolve())


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the bundled scripts write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def template_draft(request: DraftRequest, dirs: Sequence[Path]) -> str:
    """A thin script on the template: product in title, variables, teaser and objection cards."""
    lang = request.language
    source = find_script(request.template_ref, dirs)
    base = load_script(source, dirs)
    key_step = request.key_step or base.key_step
    cold = base.cold if request.cold is None else request.cold
    new_id = draft_id(request)
    title = request.title or _TITLE[lang].format(
        industry=request.industry.strip(), product=request.product.strip()
    )
    with tempfile.TemporaryDirectory(prefix="coach-draft-") as tmp:
        # scaffold checks the id and the template and writes the header a trainer expects
        path = scaffold(request.template_ref, new_id, Path(tmp), dirs, title=title, thin=True)
        head = path.read_text(encoding="utf-8")
    head = head.replace("stages: []\n", "")
    head = re.sub(
        r"(?m)^extends:[^\n]*$", lambda _m: f"extends: {_extends_ref(base, source, dirs)}", head
    )
    body: dict[str, Any] = {
        "language": lang,
        "industry": slug(request.industry, fallback=base.industry),
        "description": _DESCRIPTION[lang].format(
            industry=request.industry.strip(), product=request.product.strip(), base=base.id
        ),
        "cold": cold,
        "key_step": key_step,
        "variables": [
            {
                "name": "product",
                "description": _PRODUCT_VARIABLE[lang],
                "default": request.product.strip(),
                "example": request.product.strip(),
            }
        ],
    }
    stages: list[dict[str, Any]] = []
    opening = base.stages_of(StageKind.compliance)
    if cold and opening:
        stages.append({"id": opening[0].id, "lines": _COLD_OPENING[lang]})
    cta = _CALL_TO_ACTION[lang].get(key_step)
    for stage in base.stages_of(StageKind.teaser):
        ending = cta or (stage.lines[-1] if stage.lines else _CALL_TO_ACTION[lang]["visit"])
        stages.append({"id": stage.id, "lines": [*_TEASER[lang], ending]})
    body["stages"] = stages
    body["objections"] = _objection_cards(base, lang)
    note = (
        "# Drafted by `coach script draft` from the template alone: review every line.\n"
        if lang == "en"
        else "# Черновик `coach script draft` по шаблону, без модели: проверьте каждую фразу.\n"
    )
    dumped = yaml.dump(body, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return note + head + dumped


# --- checking a draft ---------------------------------------------------------------
def check_draft(yaml_text: str, dirs: Sequence[Path], name: str = DRAFT_NAME) -> list[lint.Finding]:
    """Loader problems and lint findings for YAML text, located as file ``name``."""
    with tempfile.TemporaryDirectory(prefix="coach-draft-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_text(yaml_text, encoding="utf-8")
        try:
            script = load_script(path, dirs)
        except ScriptError as exc:
            findings = [_load_finding(p.message, p.file, p.line, p.column) for p in exc.problems]
        else:
            findings = lint.lint(script)
        return relocate(findings, str(path), name)


def _load_finding(
    message: str, file: str | None, line: int | None, column: int | None
) -> lint.Finding:
    return lint.Finding(LOAD_RULE, lint.Severity.error, message, "", file, line, column)


def relocate(findings: Sequence[lint.Finding], old: str, new: str) -> list[lint.Finding]:
    """The same findings, pointing at ``new`` where they pointed at ``old``."""
    return [dataclasses.replace(f, file=new) if f.file == old else f for f in findings]


def _counts(findings: Sequence[lint.Finding]) -> tuple[int, int]:
    errors = sum(f.severity is lint.Severity.error for f in findings)
    warnings = sum(f.severity is lint.Severity.warning for f in findings)
    return errors, warnings


def _clean(findings: Sequence[lint.Finding]) -> bool:
    return _counts(findings) == (0, 0)


# --- the model's part ---------------------------------------------------------------
_FENCE = re.compile(r"```[ \t]*(?P<lang>[A-Za-z0-9_-]*)[^\n]*\n(?P<body>.*?)(?:```|\Z)", re.S)


def extract_yaml(answer: str) -> str:
    """The ```yaml block of a model's answer (else the first fenced block, else all of it)."""
    blocks = [(m.group("lang").lower(), m.group("body")) for m in _FENCE.finditer(answer)]
    for lang, body in blocks:
        if lang in ("yaml", "yml"):
            return body.strip() + "\n"
    if blocks:
        return blocks[0][1].strip() + "\n"
    return answer.strip() + "\n"


def _finding_for_prompt(finding: lint.Finding, name: str) -> str:
    if finding.file == name:
        where = f"line {finding.line}" if finding.line else "the script"
    else:
        where = f"{Path(finding.file).name}:{finding.line}" if finding.file else "the script"
    hint = f" Fix: {finding.hint}" if finding.hint else ""
    return (
        f"{where}: {finding.severity.value} [{finding.rule}] {finding.message.rstrip('.')}.{hint}"
    )


def _template(request: DraftRequest, dirs: Sequence[Path]) -> Script:
    return load_script(find_script(request.template_ref, dirs), dirs)


def draft_prompt(
    request: DraftRequest,
    draft: str,
    dirs: Sequence[Path],
    findings: Sequence[lint.Finding] = (),
    name: str = DRAFT_NAME,
) -> list[Message]:
    """The messages for the first draft (``findings`` empty) or for a repair round."""
    from coach.llm.prompts import render_prompt

    base = _template(request, dirs)
    shown = [f for f in findings if f.severity is not lint.Severity.info][:MAX_PROMPT_FINDINGS]
    prompt = render_prompt(
        "script_draft",
        request.language,
        {
            "industry": request.industry,
            "product": request.product,
            "key_step": request.key_step or base.key_step,
            "cold": base.cold if request.cold is None else request.cold,
            "notes": request.notes,
            "base": base.id,
            "base_stages": [f"{s.id} ({s.kind.value})" for s in base.stages],
            "draft": draft.strip(),
            "findings": [_finding_for_prompt(f, name) for f in shown] or None,
        },
    )
    return prompt.messages()


_CARDS_KEY = re.compile(r"(?m)^objections:")


def split_cards(seed: str) -> tuple[str, str]:
    """The template draft without, and its objection cards (the model need not copy them)."""
    found = _CARDS_KEY.search(seed)
    return (seed, "") if found is None else (seed[: found.start()], seed[found.start() :])


def with_cards(text: str, cards: str) -> str:
    """The model's draft, with the template draft's cards appended when it wrote none."""
    if not cards or _CARDS_KEY.search(text):
        return text
    return text.rstrip("\n") + "\n" + cards


def _rank(findings: Sequence[lint.Finding]) -> tuple[bool, int, int]:
    """Lower is better; a draft that does not even load is worse than any that does."""
    return (any(f.rule == LOAD_RULE for f in findings), *_counts(findings))


def _better(findings: Sequence[lint.Finding], best: tuple[str, list[lint.Finding]] | None) -> bool:
    return best is None or _rank(findings) <= _rank(best[1])


def draft_script(
    request: DraftRequest,
    *,
    llm: DraftModel | None,
    rounds: int = DEFAULT_ROUNDS,
    dirs: Sequence[Path] = (),
    name: str = DRAFT_NAME,
    on_round: RoundReport | None = None,
) -> DraftResult:
    """Draft, check, and give the findings back to the model at most ``rounds`` times.

    The result is the best draft seen (one that loads, then fewest errors, then warnings;
    the later on a tie).
    Without a model, or when it does not answer the first time, the template draft.
    """
    if request.language not in LANGUAGES:
        raise ScriptError(f"language must be one of {', '.join(LANGUAGES)}")
    seed = template_draft(request, dirs)
    seed_findings = check_draft(seed, dirs, name)
    if llm is None:
        return DraftResult(seed, tuple(seed_findings), 0, used_model=False)
    head, cards = split_cards(seed)
    messages = draft_prompt(request, head, dirs, name=name)
    best: tuple[str, list[lint.Finding]] | None = None
    notes: list[str] = []
    used = 0
    for attempt in range(rounds + 1):
        try:
            answer = llm(messages)
        except LLMError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else "the model failed"
            if best is None:
                notes.append(
                    f"{reason}; drafted from {request.template_ref} without a model "
                    "(--no-llm skips asking)"
                )
                return DraftResult(seed, tuple(seed_findings), 0, False, tuple(notes))
            notes.append(f"{reason}; kept the best draft of {attempt} answer(s)")
            break
        used = attempt
        text = extract_yaml(answer)
        merged = with_cards(text, cards)
        findings = check_draft(merged, dirs, name)
        if on_round is not None:
            on_round(attempt, findings)
        if _better(findings, best):
            best = (merged, findings)
        if _clean(findings) or attempt == rounds:
            break
        messages = draft_prompt(request, text, dirs, findings, name)
    assert best is not None
    return DraftResult(best[0], tuple(best[1]), used, True, tuple(notes))


def llm_caller(
    settings: LLMSettings | None = None,
    *,
    max_tokens: int = MAX_TOKENS,
    timeout_s: float | None = None,
    temperature: float = 0.2,
) -> DraftModel:
    """The configured OpenAI-compatible model as a draft model (imported only when asked).

    A whole script takes longer to write than a chat answer: unless ``timeout_s`` says
    otherwise, wait at least MIN_TIMEOUT_S for each.
    """
    from coach.llm.client import complete
    from coach.llm.config import load_llm_settings

    chosen = settings or load_llm_settings()
    timeout = timeout_s or max(chosen.timeout_s, MIN_TIMEOUT_S)

    def ask(messages: list[Message]) -> str:
        return complete(
            messages,
            settings=chosen,
            max_tokens=max_tokens,
            temperature=temperature,
            timeout_s=timeout,
            kind="script_draft",
        )

    return ask
