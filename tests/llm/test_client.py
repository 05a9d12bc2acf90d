"""The client against a real llama.cpp server with SmolLM2-135M: the contract, not the wisdom."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pydantic
import pytest

from coach.errors import LLMError
from coach.llm import audit
from coach.llm.client import Privacy, complete, stream, structured
from coach.llm.config import LLMSettings
from coach.llm.server import free_port

pytestmark = pytest.mark.slow

ASK = [{"role": "user", "content": "The client says the car is too expensive. Reply briefly."}]


class Reply(pydantic.BaseModel):
    reply: str = pydantic.Field(max_length=200)
    confidence: int = pydantic.Field(ge=0, le=10)


def test_complete_answers_text(llm_settings: LLMSettings) -> None:
    started = time.monotonic()
    answer = complete(ASK, settings=llm_settings, max_tokens=24)
    assert isinstance(answer, str) and answer.strip()
    print(f"complete, 24 tokens: {time.monotonic() - started:.2f} s")


def test_structured_gives_a_valid_model(llm_settings: LLMSettings) -> None:
    reply = structured(ASK, Reply, settings=llm_settings, max_tokens=120)
    assert isinstance(reply, Reply)
    assert 0 <= reply.confidence <= 10


def test_structured_with_a_dict_schema(llm_settings: LLMSettings) -> None:
    schema = {
        "type": "object",
        "properties": {
            "form": {"enum": ["open", "closed"]},
            "spin": {"enum": ["situation", "problem", "implication", "need_payoff"]},
        },
        "required": ["form", "spin"],
        "additionalProperties": False,
    }
    question = [{"role": "user", "content": "Label: 'What do you drive today?'"}]
    value = structured(question, schema, settings=llm_settings, max_tokens=40)
    assert value["form"] in ("open", "closed")
    assert value["spin"] in ("situation", "problem", "implication", "need_payoff")


def test_repairs_are_bounded(llm_settings: LLMSettings) -> None:
    calls: list[Any] = []

    def never_good(value: Any) -> None:
        calls.append(value)
        raise ValueError("the reply must mention the showroom")

    with pytest.raises(LLMError) as caught:
        structured(ASK, Reply, settings=llm_settings, repairs=2, check=never_good, max_tokens=60)
    assert len(calls) == 3
    assert "after 3 attempt(s): the reply must mention the showroom" in str(caught.value)
    assert llm_settings.log is not None
    kinds = [row["kind"] for row in audit.rows(llm_settings.log)]
    assert kinds == ["structured", "structured-repair-1", "structured-repair-2"]
    last = audit.rows(llm_settings.log)[-1]
    assert "must mention the showroom" in str(last["messages"])


def test_no_repairs_means_one_call(llm_settings: LLMSettings) -> None:
    def never_good(value: Any) -> None:
        raise ValueError("no")

    with pytest.raises(LLMError, match="after 1 attempt"):
        structured(ASK, Reply, settings=llm_settings, repairs=0, check=never_good, max_tokens=60)
    assert llm_settings.log is not None
    assert len(audit.rows(llm_settings.log)) == 1


def test_stream_yields_several_chunks(llm_settings: LLMSettings) -> None:
    chunks = list(stream(ASK, settings=llm_settings, max_tokens=24))
    assert len(chunks) >= 3
    assert "".join(chunks).strip()
    assert llm_settings.log is not None
    (row,) = audit.rows(llm_settings.log)
    assert row["kind"] == "stream" and row["response"] == "".join(chunks)


def test_timeout_is_an_llm_error(llm_settings: LLMSettings) -> None:
    story = [{"role": "user", "content": "Tell a very long story about a car dealer."}]
    with pytest.raises(LLMError, match=r"did not answer within 0\.05 s"):
        complete(story, settings=llm_settings, max_tokens=400, timeout_s=0.05)


def test_server_down_gives_the_hint() -> None:
    settings = LLMSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", retries=1, timeout_s=5)
    started = time.monotonic()
    with pytest.raises(LLMError) as caught:
        complete(ASK, settings=settings)
    message = str(caught.value)
    assert message == (
        f"no LLM answers at {settings.base_url}: start one with `coach llm serve` "
        "or set COACH_LLM_BASE_URL"
    )
    assert "\n" not in message
    assert time.monotonic() - started < 5  # one bounded backoff, not the SDK's long retries
    with pytest.raises(LLMError, match="no LLM answers"):
        list(stream(ASK, settings=settings))


def test_wrong_endpoint_names_the_model(llm_settings: LLMSettings) -> None:
    wrong = replace(llm_settings, base_url=llm_settings.base_url.removesuffix("/v1") + "/nope")
    with pytest.raises(LLMError, match=r"no model 'smollm2' or no chat endpoint \(HTTP 404\)"):
        complete(ASK, settings=wrong, max_tokens=4)


def test_redaction_keeps_pii_off_the_wire_and_restores_it(llm_settings: LLMSettings) -> None:
    said = [
        {
            "role": "user",
            "content": "Repeat exactly: Анна, +7 912 345 67 89, anna@mail.ru",
        }
    ]
    complete(
        said, settings=llm_settings, privacy=Privacy(redact=True, names=["Анна"]), max_tokens=30
    )
    assert llm_settings.log is not None
    (row,) = audit.rows(llm_settings.log)
    sent = str(row["messages"])
    assert "[NAME_1], [PHONE_1], [EMAIL_1]" in sent
    assert "912" not in sent and "anna@mail.ru" not in sent and "Анна" not in sent
    assert row["redacted"] == 1


def test_local_endpoint_is_not_redacted_by_default(llm_settings: LLMSettings) -> None:
    complete(
        [{"role": "user", "content": "Call +7 912 345 67 89"}], settings=llm_settings, max_tokens=4
    )
    assert llm_settings.log is not None
    (row,) = audit.rows(llm_settings.log)
    assert "+7 912 345 67 89" in str(row["messages"]) and row["redacted"] == 0


def test_structured_restores_redacted_values(llm_settings: LLMSettings) -> None:
    class Echo(pydantic.BaseModel):
        phone: str

    said = [{"role": "user", "content": "Put this phone in JSON: +7 912 345 67 89"}]
    echo = structured(
        said, Echo, settings=llm_settings, privacy=Privacy(redact=True), max_tokens=40
    )
    assert "[PHONE_1]" not in echo.phone  # restored wherever the model kept the placeholder
    assert llm_settings.log is not None
    rows = audit.rows(llm_settings.log)
    assert rows[0]["redacted"] == 1 and "912" not in str(rows[0]["messages"])
