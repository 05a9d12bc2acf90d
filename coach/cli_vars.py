"""``--var NAME=VALUE`` and ``--example``: how commands take a script's variable values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def variable_options(command: F) -> F:
    """Add ``--var`` (repeatable, as ``variables``) and ``--example`` to a command."""
    command = click.option(
        "--example", is_flag=True, help="Fill missing variables with their examples."
    )(command)
    return click.option(
        "--var",
        "variables",
        multiple=True,
        metavar="NAME=VALUE",
        help="A value for a script variable (repeatable).",
    )(command)


def parse_vars(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected name=value, got {item!r}", param_hint="--var")
        out[name.strip()] = value
    return out
