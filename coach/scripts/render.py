"""Fill a script's ``{{ variables }}`` safely and print it as a cheat sheet.

Sandboxed jinja2 with StrictUndefined: a script cannot reach Python, and a missing
variable is an error that lists every missing name rather than rendering blanks.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from coach.errors import Problem, ScriptError
from coach.scripts.model import Script


@cache
def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
    )


@dataclass(frozen=True)
class TemplateText:
    """One piece of script text that may hold variables, and where it sits."""

    path: tuple[str | int, ...]
    text: str


def template_texts(script: Script) -> Iterator[TemplateText]:
    """Every text of the script a rep may see, with its path for error locations."""
    for s_index, stage in enumerate(script.stages):
        base: tuple[str | int, ...] = ("stages", s_index)
        for i, line in enumerate(stage.lines):
            yield TemplateText((*base, "lines", i), line)
        for i, question in enumerate(stage.questions):
            yield TemplateText((*base, "questions", i, "text"), question.text)
        for i, tip in enumerate(stage.tips):
            yield TemplateText((*base, "tips", i), tip)
        for b_index, branch in enumerate(stage.branches):
            for i, line in enumerate(branch.lines):
                yield TemplateText((*base, "branches", b_index, "lines", i), line)
        if stage.confirmation:
            yield TemplateText((*base, "confirmation"), stage.confirmation)
    for o_index, objection in enumerate(script.objections):
        for i, response in enumerate(objection.responses):
            yield TemplateText(("objections", o_index, "responses", i), response)
        if objection.follow_up_question:
            yield TemplateText(
                ("objections", o_index, "follow_up_question"), objection.follow_up_question
            )


@lru_cache(maxsize=8192)
def _names(text: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(environment().parse(text)))


def variables_in(text: str) -> set[str]:
    """Names a template text refers to. Raises TemplateSyntaxError on bad syntax."""
    return set(_names(text))


@lru_cache(maxsize=8192)
def _compiled(text: str) -> Template:
    return environment().from_string(text)


def _problem(script: Script, path: tuple[str | int, ...], message: str) -> Problem:
    where = script.location(*path)
    if where is None:
        return Problem(message, script.source)
    return Problem(message, where.file, where.line, where.column)


def syntax_problems(script: Script) -> list[Problem]:
    problems = []
    for piece in template_texts(script):
        try:
            variables_in(piece.text)
        except TemplateSyntaxError as exc:
            problems.append(_problem(script, piece.path, f"template syntax: {exc.message}"))
    return problems


def used_variables(script: Script) -> dict[str, list[tuple[str | int, ...]]]:
    """Variable name → the paths of the texts that use it (syntax errors skipped)."""
    out: dict[str, list[tuple[str | int, ...]]] = {}
    for piece in template_texts(script):
        try:
            names = variables_in(piece.text)
        except TemplateSyntaxError:
            continue
        for name in sorted(names):
            out.setdefault(name, []).append(piece.path)
    return out


def variable_values(
    script: Script, given: Mapping[str, str], *, use_examples: bool = False
) -> dict[str, str]:
    """Values for every variable the script uses; ScriptError lists all that are missing."""
    declared = {v.name: v for v in script.variables}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ScriptError(
            f"{script.id}: unknown variable(s) {', '.join(unknown)}; the script declares: "
            + (", ".join(sorted(declared)) or "none"),
            file=script.source,
        )
    values: dict[str, str] = {}
    missing = []
    for name in sorted(used_variables(script)):
        variable = declared.get(name)
        if name in given:
            values[name] = given[name]
        elif variable is not None and use_examples and variable.example is not None:
            values[name] = variable.example
        elif variable is not None and variable.default is not None:
            values[name] = variable.default
        else:
            missing.append(name)
    if missing:
        raise ScriptError(
            f"{script.id}: missing value for {', '.join(missing)}; "
            + " ".join(f"--var {n}=…" for n in missing)
            + " (or --example to preview with examples)",
            file=script.source,
        )
    return values


def fill(text: str, values: Mapping[str, str]) -> str:
    """Render one text with the given values; template mistakes become ScriptError."""
    try:
        return _compiled(text).render(**values)
    except SecurityError as exc:
        raise ScriptError(f"unsafe template in «{text[:60]}»: {exc}") from None
    except TemplateError as exc:
        raise ScriptError(f"cannot fill «{text[:60]}»: {exc.message or exc}") from None


def filled_script(script: Script, values: Mapping[str, str]) -> Script:
    """A copy of the script with every text rendered (for cheat sheets and the live TUI)."""
    data = script.model_dump(mode="python")
    for piece in template_texts(script):
        node: Any = data
        for step in piece.path[:-1]:
            node = node[step]
        node[piece.path[-1]] = fill(piece.text, values)
    return Script.model_validate(data)
