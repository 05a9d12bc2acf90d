"""Prompt templates: `prompts/TASK.LANG.j2` files with variables declared in `prompts.yaml`.

Rendering is strict: a missing required variable, an unknown one or a typo in a template is an
LLMError that names them, never a prompt with a silent hole in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import yaml

from coach.errors import LLMError

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
LANGUAGES = ("en", "ru")
BLOCKS = ("system", "user")


@dataclass(frozen=True)
class PromptSpec:
    """A task's declared variables (name → what it is)."""

    task: str
    description: str
    required: dict[str, str] = field(default_factory=dict)
    optional: dict[str, str] = field(default_factory=dict)

    @property
    def variables(self) -> set[str]:
        return set(self.required) | set(self.optional)


@dataclass(frozen=True)
class Prompt:
    task: str
    language: str
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def text(self) -> str:
        """Both parts, for reading and golden files."""
        return f"=== system ===\n{self.system}\n=== user ===\n{self.user}\n"


@cache
def specs() -> dict[str, PromptSpec]:
    data = yaml.safe_load((PROMPTS_DIR / "prompts.yaml").read_text(encoding="utf-8"))
    return {
        task: PromptSpec(
            task=task,
            description=str(entry.get("description", "")),
            required=dict(entry.get("required") or {}),
            optional=dict(entry.get("optional") or {}),
        )
        for task, entry in data.items()
    }


TASKS = tuple(specs())


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # prompts are plain text, not HTML
    )


def template_path(task: str, language: str) -> Path:
    return PROMPTS_DIR / f"{task}.{language}.j2"


def template_variables(task: str, language: str) -> set[str]:
    """The variables a template file uses (to hold them to the declaration)."""
    env = environment()
    source = template_path(task, language).read_text(encoding="utf-8")
    return set(jinja2.meta.find_undeclared_variables(env.parse(source)))


def render_prompt(task: str, language: str, variables: Mapping[str, Any]) -> Prompt:
    """The system and user messages of one task in one language."""
    spec = specs().get(task)
    if spec is None:
        raise LLMError(f"no prompt '{task}'; known: {', '.join(TASKS)}")
    lang = language.lower()[:2]
    if lang not in LANGUAGES:
        raise LLMError(
            f"prompt '{task}' has no language '{language}'; known: {', '.join(LANGUAGES)}"
        )
    missing = sorted(n for n in spec.required if variables.get(n) is None)
    unknown = sorted(set(variables) - spec.variables)
    problems = []
    if missing:
        problems.append(f"missing variable(s) {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown variable(s) {', '.join(unknown)}")
    if problems:
        raise LLMError(
            f"prompt '{task}' ({lang}): {'; '.join(problems)}; it takes "
            + ", ".join(sorted(spec.required))
            + (f" and optionally {', '.join(sorted(spec.optional))}" if spec.optional else "")
        )
    values = {name: None for name in spec.optional} | dict(variables)
    template = environment().get_template(template_path(task, lang).name)
    try:
        context = template.new_context(values)
        parts = {block: "".join(template.blocks[block](context)).strip() for block in BLOCKS}
    except jinja2.UndefinedError as exc:
        raise LLMError(f"prompt '{task}' ({lang}): {exc.message}") from None
    return Prompt(task, lang, parts["system"], parts["user"])
