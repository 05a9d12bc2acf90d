"""`coach script draft`: template drafts pass lint; the model's drafts are repaired in rounds."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from coach.cli import main
from coach.config import BUNDLED_TEMPLATES
from coach.llm.server import LocalServer
from coach.scripts import draft
from coach.scripts.draft import DraftRequest, check_draft, draft_script, extract_yaml, slug
from coach.scripts.lint import Finding, Severity, fails
from coach.scripts.loader import load_script
from tests.conftest import Run

DIRS = [BUNDLED_TEMPLATES]
Coach = Callable[..., Run]
Messages = list[dict[str, str]]

# language, industry, product, template, key step, cold
TEMPLATE_DRAFTS = [
    ("en", "Dental clinic", "dental implants", None, None, None),
    ("en", "B2B software", "a CRM for sales teams", None, "demo", True),
    ("en", "Solar energy", "rooftop solar panels", None, "order", False),
    ("en", "Used cars", "a certified used SUV", "car-dealer-en", None, None),
    ("en", "Mortgage broker", "a fixed-rate mortgage", "credit-broker-en", "application", None),
    ("ru", "Стоматология", "импланты", None, None, None),
    ("ru", "B2B SaaS", "CRM для отдела продаж", None, "demo", True),
    ("ru", "Фитнес-клуб", "годовой абонемент", None, "visit", True),
    ("ru", "Застройщик", "квартира в новостройке", "real-estate-ru", None, None),
    ("ru", "Ремонт квартир", "ремонт под ключ", None, "meeting", False),
]
COMMON = {"price", "think_about_it", "spouse", "competitor", "no_time"}


def _request(language: str, **overrides: object) -> DraftRequest:
    names = {"en": ("Dental clinic", "implants"), "ru": ("Стоматология", "импланты")}
    industry, product = names[language]
    return DraftRequest(industry, product, language, **overrides)  # type: ignore[arg-type]


def _seed(language: str) -> str:
    return draft.template_draft(_request(language), DIRS)


def _failing(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is not Severity.info]


def _cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


# --- without a model ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "industry", "product", "template", "key_step", "cold"),
    TEMPLATE_DRAFTS,
    ids=[f"{row[0]}-{slug(row[1])}" for row in TEMPLATE_DRAFTS],
)
def test_template_draft_passes_lint_strict(
    tmp_path: Path,
    language: str,
    industry: str,
    product: str,
    template: str | None,
    key_step: str | None,
    cold: bool | None,
) -> None:
    request = DraftRequest(industry, product, language, template, key_step, cold)
    result = draft_script(request, llm=None, dirs=DIRS)
    assert not result.used_model and result.rounds_used == 0
    assert [str(f) for f in result.findings if f.severity is not Severity.info] == []
    assert result.passed(strict=True)

    path = tmp_path / f"{draft.draft_id(request)}.yaml"
    path.write_text(result.yaml_text, encoding="utf-8")
    script = load_script(path, DIRS)
    assert script.language == language
    assert product in script.title and industry in script.title
    assert script.key_step == (key_step or script.key_step)
    if cold is not None:
        assert script.cold is cold
    assert any(v.name == "product" and v.default == product for v in script.variables)
    teasers = [s for s in script.stages if s.kind.value == "teaser"]
    assert teasers and "{{ product }}" in teasers[0].lines[0]
    ids = {o.id for o in script.objections}
    # a template's own card of a common category is kept; the generic ones are added
    assert {"think_about_it", "spouse", "competitor", "no_time"} <= ids
    assert "price" in ids or any(o.category == "price" for o in script.objections)
    ours = [o for o in script.objections if o.id in COMMON]
    for objection in ours:
        if objection.id in ("spouse",) or template is None:
            assert all(_cyrillic(r) == (language == "ru") for r in objection.responses)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dental clinic implants", "dental-clinic-implants"),
        ("Solar solar panels", "solar-panels"),
        ("Стоматология", "stomatologiya"),
        ("Фитнес-клуб: годовой абонемент", "fitnes-klub-godovoy-abonement"),
        ("Подъезд", "podezd"),
        ("???", "draft"),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("Here it is:\n```yaml\nid: a\n```\nDone.", "id: a\n"),
        ("```yml\nid: b\n```", "id: b\n"),
        ("```\nid: c\n```\n```yaml\nid: d\n```", "id: d\n"),
        ("```\nid: e\n```", "id: e\n"),
        ("```yaml\nid: f\ntitle: cut off", "id: f\ntitle: cut off\n"),
        ("id: g\ntitle: plain", "id: g\ntitle: plain\n"),
        ("Вот скрипт:\n```yaml\ntitle: Салон\n```", "title: Салон\n"),
    ],
)
def test_extract_yaml(answer: str, expected: str) -> None:
    assert extract_yaml(answer) == expected


# --- the repair loop with a fake model ----------------------------------------------
def _broken(language: str, how: str) -> str:
    seed = _seed(language)
    if how == "yaml-syntax":
        return seed.replace("stages:\n", "stages:\n  - id: [teaser\n", 1)
    ending = {"en": "We are the best.", "ru": "Мы лучшие на рынке."}[language]
    lines = seed.splitlines()
    teaser = lines.index("  - id: teaser")
    lines[teaser + 4] = f"      - {ending}"
    return "\n".join(lines) + "\n"


EXPECTED_RULE = {"yaml-syntax": "load", "no-call-to-action": "teaser-call-to-action"}


class FakeModel:
    """Answers from a list (the last answer repeats) and remembers every prompt."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.prompts: list[Messages] = []

    def __call__(self, messages: Messages) -> str:
        self.prompts.append(messages)
        answer = self.answers[min(len(self.prompts), len(self.answers)) - 1]
        return f"Here is the script.\n```yaml\n{answer}```\n"


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("how", ["yaml-syntax", "no-call-to-action"])
def test_findings_go_back_to_the_model_and_the_fix_is_kept(language: str, how: str) -> None:
    broken, fixed = _broken(language, how), _seed(language)
    first = _failing(check_draft(broken, DIRS))
    assert fails(first) and {f.rule for f in first} == {EXPECTED_RULE[how]}
    model = FakeModel([broken, fixed])
    seen: list[int] = []
    result = draft_script(
        _request(language), llm=model, rounds=3, dirs=DIRS, on_round=lambda n, _f: seen.append(n)
    )
    assert len(model.prompts) == 2 and seen == [0, 1]
    assert result.used_model and result.rounds_used == 1 and result.passed(strict=True)
    assert result.yaml_text == fixed
    # the first prompt starts from the template draft; the second carries the findings
    assert "id: teaser" in model.prompts[0][-1]["content"]
    assert "\nobjections:" not in model.prompts[0][-1]["content"]  # the cards are added
    repair = model.prompts[1][-1]["content"]
    for finding in first:
        assert f"[{finding.rule}]" in repair
        assert finding.message in repair
        assert f"line {finding.line}" in repair
    assert broken.strip() in repair


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("rounds", [0, 1, 3])
def test_a_model_that_never_fixes_it_is_asked_rounds_plus_one_times(
    language: str, rounds: int
) -> None:
    broken = _broken(language, "no-call-to-action")
    model = FakeModel([broken])
    result = draft_script(_request(language), llm=model, rounds=rounds, dirs=DIRS)
    assert len(model.prompts) == rounds + 1
    assert result.used_model and result.rounds_used == rounds
    assert not result.passed() and result.yaml_text == broken
    assert [f.rule for f in _failing(result.findings)] == ["teaser-call-to-action"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_cards_are_added_when_the_model_writes_no_objections(language: str) -> None:
    head, cards = draft.split_cards(_seed(language))
    assert cards.startswith("objections:\n")
    model = FakeModel([head])
    result = draft_script(_request(language), llm=model, rounds=2, dirs=DIRS)
    assert len(model.prompts) == 1 and result.passed(strict=True)
    assert result.yaml_text == _seed(language)
    own = head + "objections:\n  - id: x\n"
    assert draft.with_cards(own, cards) == own


def test_the_best_draft_is_kept_when_a_repair_makes_it_worse() -> None:
    one_error = _broken("en", "no-call-to-action")
    model = FakeModel([one_error, "Sorry, I cannot write YAML."])
    result = draft_script(_request("en"), llm=model, rounds=1, dirs=DIRS)
    assert len(model.prompts) == 2
    assert result.yaml_text == one_error
    assert [f.rule for f in _failing(result.findings)] == ["teaser-call-to-action"]


def test_a_model_that_stops_answering_falls_back_or_keeps_the_best() -> None:
    from coach.errors import LLMError

    def down(_messages: Messages) -> str:
        raise LLMError("no LLM answers at http://127.0.0.1:9/v1")

    result = draft_script(_request("ru"), llm=down, rounds=3, dirs=DIRS)
    assert not result.used_model and result.passed(strict=True)
    assert "no LLM answers" in result.notes[0] and "--no-llm" in result.notes[0]

    answers = iter([_broken("en", "no-call-to-action")])

    def flaky(_messages: Messages) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise LLMError("the LLM did not answer within 5 s") from None

    result = draft_script(_request("en"), llm=flaky, rounds=3, dirs=DIRS)
    assert result.used_model and not result.passed()
    assert "did not answer" in result.notes[0]


# --- the command --------------------------------------------------------------------
def _run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as caught:
        main(args)
    captured = capsys.readouterr()
    return int(caught.value.code or 0), captured.out, captured.err


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[list[str]], FakeModel]]:
    def install(answers: list[str]) -> FakeModel:
        model = FakeModel(answers)
        monkeypatch.setattr(draft, "llm_caller", lambda *_a, **_k: model)
        return model

    yield install


@pytest.mark.parametrize("language", ["en", "ru"])
def test_command_fails_with_findings_and_writes_the_draft_beside_out(
    tmp_path: Path,
    language: str,
    fake_model: Callable[[list[str]], FakeModel],
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = _broken(language, "no-call-to-action")
    model = fake_model([broken])
    out = tmp_path / "scripts" / "my-draft.yaml"
    request = _request(language)
    code, _out, err = _run_main(
        [
            "script",
            "draft",
            "--industry",
            request.industry,
            "--product",
            request.product,
            "--language",
            language,
            "--rounds",
            "2",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 1 and len(model.prompts) == 3
    unfinished = out.with_name("my-draft.draft.yaml")
    assert not out.exists() and unfinished.read_text(encoding="utf-8") == broken
    assert re.search(
        rf"{re.escape(str(unfinished))}:\d+:\d+: error \[teaser-call-to-action\]", err
    ), err
    assert "after 2 repair round(s)" in err and "Traceback" not in err


def test_command_without_a_model_writes_a_lint_clean_file(
    tmp_path: Path, coach: Coach, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "dental.yaml"
    args = ["--industry", "Dental clinic", "--product", "implants", "--language", "en"]
    result = coach("script", "draft", *args, "--no-llm", "--out", str(out))
    assert result.code == 0, result.err
    assert "from the template alone" in result.out
    assert coach("script", "lint", str(out), "--strict").code == 0
    again = coach("script", "draft", *args, "--no-llm", "--out", str(out))
    assert again.code == 1 and "already exists" in again.err
    printed = coach("script", "draft", *args, "--no-llm", "--language", "ru", "--cold")
    assert printed.code == 0 and "extends: base-ru" in printed.out and "cold: true" in printed.out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_down_gives_the_template_draft_with_a_notice(
    tmp_path: Path, coach: Coach, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", f"http://127.0.0.1:{_free_port()}/v1")
    out = tmp_path / "stoma.yaml"
    result = coach(
        "script", "draft", "--industry", "Стоматология", "--product", "импланты",
        "--language", "ru", "--out", str(out),
    )  # fmt: skip
    assert result.code == 0, result.err
    notes = [line for line in result.err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "no LLM answers" in notes[0] and "--no-llm" in notes[0]
    assert "Traceback" not in result.err
    assert coach("script", "lint", str(out), "--strict").code == 0


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "ru"])
def test_real_local_model_ends_lint_clean_or_with_findings_and_a_draft(
    llm_server: LocalServer,
    tmp_path: Path,
    coach: Coach,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    monkeypatch.setenv("COACH_LLM_BASE_URL", llm_server.base_url)
    monkeypatch.setenv("COACH_LLM_MODEL", llm_server.alias)
    out = tmp_path / "real.yaml"
    request = _request(language)
    result = coach(
        "script", "draft", "--industry", request.industry, "--product", request.product,
        "--language", language, "--rounds", "1", "--max-tokens", "96", "--timeout", "25",
        "--out", str(out),
    )  # fmt: skip
    assert "Traceback" not in result.err and result.code in (0, 1), result.err
    if result.code == 0:
        assert out.is_file()
        assert coach("script", "lint", str(out)).code == 0
    else:
        unfinished = tmp_path / "real.draft.yaml"
        assert unfinished.is_file() and not out.exists()
        assert re.search(r"real\.draft\.yaml:\d+(:\d+)?: error \[", result.err), result.err


def test_finding_text_for_the_prompt_names_lines_not_temp_files() -> None:
    finding = Finding("load", Severity.error, "bad", "", draft.DRAFT_NAME, 3, 1)
    inherited = Finding(
        "close-date-time", Severity.error, "no date", "say it", "/x/base-en.yaml", 9
    )
    assert draft._finding_for_prompt(finding, draft.DRAFT_NAME).startswith("line 3: error [load]")
    assert draft._finding_for_prompt(inherited, draft.DRAFT_NAME).startswith("base-en.yaml:9")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_repair_prompt_renders_as_the_golden_file(
    language: str, golden: Callable[[str, str], None]
) -> None:
    from coach.llm.prompts import render_prompt

    prompt = render_prompt(
        "script_draft",
        language,
        {
            "industry": "dental clinic",
            "product": "implants",
            "key_step": "visit",
            "cold": True,
            "base": f"base-{language}",
            "base_stages": ["greeting (greeting)", "teaser (teaser)", "close (close)"],
            "draft": "id: dental\nextends: base-en\nstages:\n  - id: teaser\n    lines: [Hi.]",
            "findings": [
                "line 5: error [teaser-length] teaser 'teaser' has 1 sentence(s) (want 2–4). "
                "Fix: say what it is, why it fits this client, and invite them: 2–4 sentences"
            ],
        },
    )
    assert "{{" not in prompt.user.replace("{{ name }}", "") and "```yaml" in prompt.user
    golden(f"llm/script_draft.repair.{language}.txt", prompt.text())
