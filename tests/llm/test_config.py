from __future__ import annotations

from pathlib import Path

import pytest

from coach.errors import ConfigError
from coach.llm.config import DEFAULT_BASE_URL, default_log_path, is_local, load_llm_settings


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:8765/v1", True),
        ("http://127.3.4.5/v1", True),
        ("http://localhost:11434/v1", True),
        ("http://LOCALHOST/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://gpu-box.local:8000/v1", True),
        ("unix:///tmp/llm.sock", True),
        ("http+unix://%2Ftmp%2Fllm.sock/v1", True),
        ("https://api.openai.com/v1", False),
        ("http://10.0.0.5:8000/v1", False),
        ("http://192.168.1.20/v1", False),
        ("http://localhost.evil.com/v1", False),
        ("http://128.0.0.1/v1", False),
        ("http://[2001:db8::1]/v1", False),
    ],
)
def test_is_local(url: str, local: bool) -> None:
    assert is_local(url) is local


def test_defaults_are_local(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COACH_LLM_BASE_URL", "COACH_LLM_MODEL", "COACH_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = load_llm_settings()
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.local
    assert settings.log is None


def test_environment_beats_config_file(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (isolated_home / "config.yaml").write_text(
        "llm:\n  base_url: https://api.example.com/v1\n  model: big\n  timeout_s: 5\n  log: true\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("COACH_LLM_BASE_URL", raising=False)
    monkeypatch.setenv("COACH_LLM_MODEL", "small")
    settings = load_llm_settings()
    assert settings.base_url == "https://api.example.com/v1"
    assert not settings.local
    assert settings.model == "small"
    assert settings.timeout_s == 5
    assert settings.log == default_log_path()


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("llm: 3\n", "'llm' must be a mapping"),
        ("llm:\n  modle: x\n", "unknown llm setting(s) modle"),
        ("llm:\n  timeout_s: soon\n", "timeout_s must be a number"),
        ("llm:\n  retries: -1\n", "retries must be at least 0"),
    ],
)
def test_config_file_mistakes(isolated_home: Path, yaml_text: str, message: str) -> None:
    (isolated_home / "config.yaml").write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_llm_settings()


@pytest.mark.parametrize(
    ("url", "setting", "asked", "redacted"),
    [
        ("https://api.example.com/v1", None, None, True),  # remote: redacted by default
        ("http://127.0.0.1:8765/v1", None, None, False),  # this machine: nothing to hide
        ("https://api.example.com/v1", "false", None, False),  # `redact: false` in config
        ("https://api.example.com/v1", "0", True, True),  # a call that insists wins
        ("http://127.0.0.1:8765/v1", "yes", None, True),
    ],
)
def test_redaction_default_setting_and_request(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    setting: str | None,
    asked: bool | None,
    redacted: bool,
) -> None:
    from coach.llm.client import Privacy

    monkeypatch.setenv("COACH_LLM_BASE_URL", url)
    if setting is None:
        monkeypatch.delenv("COACH_LLM_REDACT", raising=False)
    else:
        monkeypatch.setenv("COACH_LLM_REDACT", setting)
    assert Privacy(redact=asked).active(load_llm_settings()) is redacted


def test_a_bad_redact_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COACH_LLM_REDACT", "maybe")
    with pytest.raises(ConfigError, match="llm redact must be true or false"):
        load_llm_settings()


def test_no_redact_reaches_every_model_request_of_the_command() -> None:
    import os

    import click
    from click.testing import CliRunner

    from coach.cli_llm import no_redact_option

    seen: list[bool | None] = []

    @click.command()
    @no_redact_option
    def command() -> None:
        seen.append(load_llm_settings().redact)

    saved = os.environ.pop("COACH_LLM_REDACT", None)
    try:
        assert CliRunner().invoke(command, []).exit_code == 0
        assert CliRunner().invoke(command, ["--no-redact"]).exit_code == 0
    finally:
        os.environ.pop("COACH_LLM_REDACT", None)
        if saved is not None:
            os.environ["COACH_LLM_REDACT"] = saved
    assert seen == [None, False]
