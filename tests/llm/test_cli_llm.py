"""`coach llm check` and `coach objection`, run as the real console script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from coach.llm.server import LocalServer, free_port


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setenv("COACH_LLM_BASE_URL", url)
    return url


@pytest.fixture
def with_server(llm_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COACH_LLM_BASE_URL", llm_server.base_url)
    monkeypatch.delenv("COACH_LLM_MODEL", raising=False)
    return llm_server.base_url


@pytest.mark.slow
def test_check_with_a_server(coach: Callable[..., Any], with_server: str) -> None:
    run = coach("llm", "check")
    assert run.code == 0, run.err
    assert f"base URL:  {with_server}" in run.out
    assert "endpoint:  local" in run.out
    assert "redaction: off (local endpoint" in run.out
    assert "answer:    ok in " in run.out


@pytest.mark.slow
def test_check_with_a_model_the_server_lacks(
    coach: Callable[..., Any], with_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COACH_LLM_MODEL", "gpt-4o")
    run = coach("llm", "check")
    assert run.code == 1
    assert "does not serve 'gpt-4o'; it serves: smollm2" in run.err


def test_check_without_a_server(coach: Callable[..., Any], no_server: str) -> None:
    run = coach("llm", "check")
    assert run.code == 1
    assert f"error: no LLM answers at {no_server}: start one with `coach llm serve`" in run.err
    assert len(run.err.strip().splitlines()) == 1
    assert "Traceback" not in run.err


def test_check_shows_redaction_for_a_remote_endpoint(
    coach: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a reserved documentation address: nothing answers, nothing leaves
    monkeypatch.setenv("COACH_LLM_BASE_URL", "http://192.0.2.1:9/v1")
    monkeypatch.setenv("COACH_CONFIG", "/nonexistent")
    run = coach("llm", "check", "--timeout", "0.5")
    assert run.code == 1
    assert "endpoint:  remote" in run.out
    assert "redaction: on" in run.out


@pytest.mark.slow
def test_objection_with_a_server(coach: Callable[..., Any], with_server: str) -> None:
    run = coach("objection", "it's too expensive", "--script", "car-dealer-en", "--client", "Anna")
    assert run.code == 0, run.err
    library, _, suggestion = run.out.partition("Model suggestion:")
    assert "From the script [" in library and "What monthly payment" in library
    assert suggestion.strip()
    assert "not available" not in run.out


@pytest.mark.slow
def test_objection_in_russian_with_a_server(coach: Callable[..., Any], with_server: str) -> None:
    run = coach("objection", "дорого", "--script", "car-dealer-ru")
    assert run.code == 0, run.err
    assert "Из скрипта [price" in run.out
    assert "Подсказка модели:" in run.out
    assert "Модель недоступна" not in run.out


def test_objection_without_a_server(coach: Callable[..., Any], no_server: str) -> None:
    run = coach("objection", "too expensive", "--script", "car-dealer-en")
    assert run.code == 0, run.err
    assert "From the script [" in run.out
    assert run.out.strip().splitlines()[-1] == (
        f"The model is not available: no LLM answers at {no_server}: start one with "
        "`coach llm serve` or set COACH_LLM_BASE_URL"
    )


def test_objection_no_llm(coach: Callable[..., Any], no_server: str) -> None:
    run = coach("objection", "нет времени", "--script", "car-dealer-ru", "--no-llm")
    assert run.code == 0, run.err
    assert "Из скрипта [" in run.out
    assert run.out.strip().splitlines()[-1] == "Модель недоступна (--no-llm)."


def test_objection_with_no_matching_card(coach: Callable[..., Any], no_server: str) -> None:
    run = coach("objection", "zzzz qqqq", "--script", "car-dealer-en", "--no-llm")
    assert run.code == 0
    assert "No card in the library fits." in run.out


def test_objection_with_an_unknown_script(coach: Callable[..., Any], no_server: str) -> None:
    run = coach("objection", "too expensive", "--script", "no-such-script", "--no-llm")
    assert run.code == 1
    assert "no-such-script" in run.err
