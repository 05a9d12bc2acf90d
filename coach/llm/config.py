"""Which language model coach talks to: environment, then config file, then a local default.

The default is a server on this machine (`coach llm serve`), so nothing leaves it unless the
user points ``COACH_LLM_BASE_URL`` (or ``llm: base_url:`` in the config file) elsewhere.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from coach.config import config_file
from coach.errors import ConfigError
from coach.yamlsource import LocatedDict, load_yaml_file, locate

DEFAULT_PORT = 8765
DEFAULT_BASE_URL = f"http://127.0.0.1:{DEFAULT_PORT}/v1"
DEFAULT_MODEL = "smollm2"  # the alias `coach llm serve` gives whatever model it serves
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_RETRIES = 2
# a local server accepts any key; the SDK insists on one
LOCAL_API_KEY = "not-needed"

_ENV = {
    "base_url": "COACH_LLM_BASE_URL",
    "model": "COACH_LLM_MODEL",
    "api_key": "COACH_LLM_API_KEY",
    "redact": "COACH_LLM_REDACT",
}
_KEYS = ("base_url", "model", "api_key", "timeout_s", "retries", "log", "redact")


@dataclass(frozen=True)
class LLMSettings:
    """Where the model is and how patiently to ask it. ``log`` is the audit database, or None."""

    base_url: str = DEFAULT_BASE_URL
    model: str = DEFAULT_MODEL
    api_key: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S
    retries: int = DEFAULT_RETRIES
    log: Path | None = None
    redact: bool | None = None  # None: redact exactly when the endpoint is not local

    @property
    def local(self) -> bool:
        return is_local(self.base_url)


def default_log_path() -> Path:
    """The call store: prompts and answers sit beside the calls they were about."""
    from coach.store import default_path

    return default_path()


def is_local(base_url: str) -> bool:
    """True when the endpoint is this machine: loopback, localhost, *.local, a unix socket."""
    parts = urlsplit(base_url if "://" in base_url else f"http://{base_url}")
    if "unix" in parts.scheme:
        return True
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return False
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_llm_settings(**overrides: Any) -> LLMSettings:
    """Settings from keyword overrides, then COACH_LLM_*, then `llm:` in the config file."""
    values: dict[str, Any] = _from_file()
    for key, env in _ENV.items():
        if os.environ.get(env):
            values[key] = os.environ[env]
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = sorted(set(values) - set(_KEYS))
    if unknown:
        raise ConfigError(f"unknown LLM setting(s): {', '.join(unknown)}")
    return LLMSettings(
        base_url=str(values.get("base_url", DEFAULT_BASE_URL)).rstrip("/"),
        model=str(values.get("model", DEFAULT_MODEL)),
        api_key=str(values["api_key"]) if values.get("api_key") else None,
        timeout_s=_number(values.get("timeout_s", DEFAULT_TIMEOUT_S), "timeout_s", 0.01),
        retries=int(_number(values.get("retries", DEFAULT_RETRIES), "retries", 0)),
        log=_log_path(values.get("log")),
        redact=_switch(values.get("redact"), "redact"),
    )


def _switch(value: Any, key: str) -> bool | None:
    """yes/no, true/false, 1/0, on/off; absent is None (the default applies)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"llm {key} must be true or false, got {value!r}")


def _number(value: Any, key: str, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"llm {key} must be a number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"llm {key} must be at least {minimum}, got {value!r}")
    return number


def _log_path(value: Any) -> Path | None:
    """`log: true` logs to the data directory; `log: PATH` there; false/absent: no log."""
    if value is None or value is False or str(value).lower() in ("", "0", "false", "no", "off"):
        return None
    if value is True or str(value).lower() in ("1", "true", "yes", "on"):
        return default_log_path()
    return Path(str(value)).expanduser()


def _from_file() -> dict[str, Any]:
    path = config_file()
    if not path.is_file():
        return {}
    data, problems = load_yaml_file(path)
    if problems:
        raise ConfigError(problems=problems)
    if not isinstance(data, LocatedDict):
        raise ConfigError("the config file must be a mapping of settings", file=path, line=1)
    section = data.get("llm")
    if section is None:
        return {}
    if not isinstance(section, dict):
        where = locate(data, ("llm",))
        raise ConfigError(
            "'llm' must be a mapping (base_url, model, api_key, timeout_s, retries, log)",
            file=path,
            line=where.line if where else None,
        )
    unknown = sorted(str(k) for k in section if k not in _KEYS)
    if unknown:
        where = locate(data, ("llm", unknown[0]))
        raise ConfigError(
            f"unknown llm setting(s) {', '.join(unknown)}; known: {', '.join(_KEYS)}",
            file=path,
            line=where.line if where else None,
        )
    out = dict(section)
    if isinstance(out.get("log"), str) and not Path(out["log"]).expanduser().is_absolute():
        out["log"] = str(path.parent / out["log"])
    return out
