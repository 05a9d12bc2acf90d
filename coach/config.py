"""Where coach looks for things: user directories first, then the bundled ones.

Order for templates (rubrics alike): ``--templates DIR``, ``COACH_TEMPLATES``,
``templates:`` in the config file, the user's data directory, the bundled set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from coach.errors import ConfigError
from coach.yamlsource import LocatedDict, load_yaml_file, locate

APP = "coach"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    """Bundled data: the source tree's top-level folder, or the copy inside a wheel."""
    source_tree = _PACKAGE_DIR.parent / name
    if source_tree.is_dir():
        return source_tree
    return _PACKAGE_DIR / "bundled" / name


BUNDLED_TEMPLATES = _bundled("script_templates")
BUNDLED_RUBRICS = _bundled("rubrics")


def config_file() -> Path:
    override = os.environ.get("COACH_CONFIG")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP)) / "config.yaml"


def user_data_dir() -> Path:
    override = os.environ.get("COACH_HOME")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP))


@dataclass(frozen=True)
class Settings:
    """Resolved search paths, most specific first."""

    template_dirs: list[Path] = field(default_factory=list)
    rubric_dirs: list[Path] = field(default_factory=list)
    # Where `coach script new` writes: the first directory the user named, else their data dir.
    user_templates: Path = field(default_factory=lambda: user_data_dir() / "script_templates")
    user_rubrics: Path = field(default_factory=lambda: user_data_dir() / "rubrics")


def _env_dirs(name: str) -> list[Path]:
    value = os.environ.get(name, "")
    return [Path(part).expanduser() for part in value.split(os.pathsep) if part.strip()]


def _file_dirs(data: LocatedDict, key: str, path: Path) -> list[Path]:
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        where = locate(data, (key,))
        raise ConfigError(
            f"'{key}' must be a directory or a list of directories",
            file=path,
            line=where.line if where else None,
        )
    return [(path.parent / Path(v).expanduser()) for v in value]


def load_settings(
    templates: list[Path] | None = None, rubrics: list[Path] | None = None
) -> Settings:
    """Combine command-line dirs, environment, config file and defaults."""
    template_dirs = list(templates or []) + _env_dirs("COACH_TEMPLATES")
    rubric_dirs = list(rubrics or []) + _env_dirs("COACH_RUBRICS")
    path = config_file()
    if path.is_file():
        data, problems = load_yaml_file(path)
        if problems:
            raise ConfigError(problems=problems)
        if not isinstance(data, LocatedDict):
            raise ConfigError("the config file must be a mapping of settings", file=path, line=1)
        template_dirs += _file_dirs(data, "templates", path)
        rubric_dirs += _file_dirs(data, "rubrics", path)
    base = Settings()
    user_templates = template_dirs[0] if template_dirs else base.user_templates
    user_rubrics = rubric_dirs[0] if rubric_dirs else base.user_rubrics
    template_dirs += [base.user_templates, BUNDLED_TEMPLATES]
    rubric_dirs += [base.user_rubrics, BUNDLED_RUBRICS]
    return Settings(
        template_dirs=_unique(template_dirs),
        rubric_dirs=_unique(rubric_dirs),
        user_templates=user_templates,
        user_rubrics=user_rubrics,
    )


def _unique(paths: list[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for p in paths:
        key = p.resolve() if p.exists() else p
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
