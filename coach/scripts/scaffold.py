"""`coach script new`: start a trainer's own script from a template, ready to edit."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from coach.errors import ScriptError
from coach.scripts.loader import find_script, load_script
from coach.scripts.model import ID_PATTERN
from coach.scripts.schema import COMMITTED
from coach.yamlsource import read_text

_TOP_KEY = r"(?m)^{key}:[^\n]*$"


def _set_top_key(text: str, key: str, value: str) -> str:
    line = f"{key}: {value}"
    pattern = re.compile(_TOP_KEY.format(key=re.escape(key)))
    if pattern.search(text):
        return pattern.sub(lambda _m: line, text, count=1)
    return f"{line}\n{text}"


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scaffold(
    template: str,
    new_id: str,
    destination: Path,
    dirs: Sequence[Path],
    *,
    title: str | None = None,
    thin: bool = False,
    force: bool = False,
) -> Path:
    """Write ``destination/<new_id>.yaml`` and check that it loads; return its path."""
    if not re.match(ID_PATTERN, new_id):
        raise ScriptError(
            f"'{new_id}' is not a valid id: use lowercase letters, digits, '-' and '_'"
        )
    source = find_script(template, dirs)
    base = load_script(source, dirs)
    target = destination / f"{new_id}.yaml"
    if target.exists() and not force:
        raise ScriptError("already exists; choose another --id or pass --force", file=target)
    if thin:
        text = (
            f"# {new_id}: extends {base.id}. Override stages/objections by id; see\n"
            f"# `coach script show {base.id}` for what is inherited.\n"
            f"id: {new_id}\n"
            f"title: {_quote(title or base.title)}\n"
            f"extends: {base.id}\n"
            "stages: []\n"
        )
    else:
        original, problems = read_text(source)
        if original is None:
            raise ScriptError(problems=problems)
        text = _set_top_key(original, "id", new_id)
        text = _set_top_key(text, "title", _quote(title or f"{base.title} (copy)"))
        text = re.sub(r"(?m)^abstract:[^\n]*\n", "", text)
        if base.extends and not _is_id(base.extends):
            # A relative `extends:` would break once the copy lives elsewhere.
            base_path = (source.parent / base.extends).resolve()
            text = _set_top_key(text, "extends", str(base_path))
        text = _absolute_includes(text, source)
        # The editor hint must still find the schema once the copy lives elsewhere.
        text = re.sub(r"\$schema=\S+", lambda _m: f"$schema={COMMITTED['script']}", text)
    destination.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    try:
        load_script(target, [destination, *dirs])
    except ScriptError:
        target.unlink()
        raise
    return target


def _is_id(ref: str) -> bool:
    return re.match(ID_PATTERN, ref) is not None


def _absolute_includes(text: str, source: Path) -> str:
    def fix(match: re.Match[str]) -> str:
        ref = match.group(2)
        if _is_id(ref):
            return match.group(0)
        return f"{match.group(1)}{(source.parent / ref).resolve()}"

    return re.sub(r"(?m)^(\s*-\s*)([^\s#]+\.ya?ml)\s*$", fix, text)
