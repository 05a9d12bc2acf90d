"""Ask an OpenAI-compatible server: plain text, a stream of chunks, or JSON checked by a schema.

Every failure is one `LLMError` line a person can act on; connection errors, 429 and 5xx are
retried with a bounded exponential backoff; prompts to a non-local endpoint are redacted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload

import pydantic

from coach.errors import LLMError
from coach.llm import audit
from coach.llm.config import LOCAL_API_KEY, LLMSettings, load_llm_settings
from coach.llm.redact import Redaction, StreamRestorer, redact, restore
from coach.llm.schema import schema_problems

if TYPE_CHECKING:
    import openai

Message = dict[str, str]
M = TypeVar("M", bound=pydantic.BaseModel)

BACKOFF_S = 0.25
BACKOFF_MAX_S = 4.0
DEFAULT_REPAIRS = 2


@dataclass(frozen=True)
class Privacy:
    """Whether to redact, and the call's names to take out (client, rep)."""

    redact: bool | None = None  # None: redact exactly when the endpoint is not local
    names: Sequence[str] = ()

    def active(self, settings: LLMSettings) -> bool:
        if self.redact is not None:
            return self.redact
        return (not settings.local) if settings.redact is None else settings.redact


def hint(settings: LLMSettings) -> str:
    return (
        f"no LLM answers at {settings.base_url}: start one with `coach llm serve` "
        "or set COACH_LLM_BASE_URL"
    )


def _sdk(settings: LLMSettings, timeout_s: float | None) -> openai.OpenAI:
    try:
        import openai
    except ImportError:
        raise LLMError(
            "the LLM client is not installed: pip install 'coach[llm]' (or coach[llm-local])"
        ) from None
    return openai.OpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key or LOCAL_API_KEY,
        timeout=timeout_s or settings.timeout_s,
        max_retries=0,  # ours below: bounded, and with a message a person can act on
    )


def _explain(exc: Exception, settings: LLMSettings, timeout_s: float) -> LLMError:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return LLMError(f"the LLM at {settings.base_url} did not answer within {timeout_s:g} s")
    if isinstance(exc, openai.APIConnectionError):
        return LLMError(hint(settings))
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return LLMError(
            f"the LLM at {settings.base_url} refused the API key (HTTP {exc.status_code}): "
            "set COACH_LLM_API_KEY"
        )
    if isinstance(exc, openai.NotFoundError):
        return LLMError(
            f"the LLM at {settings.base_url} has no model '{settings.model}' or no chat endpoint "
            "(HTTP 404): check COACH_LLM_MODEL and that the URL ends in /v1"
        )
    if isinstance(exc, openai.APIStatusError):
        return LLMError(
            f"the LLM at {settings.base_url} answered HTTP {exc.status_code}: {_detail(exc)}"
        )
    return LLMError(f"the LLM at {settings.base_url} failed: {exc}")


def _detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"]).splitlines()[0][:200]
    return str(exc).splitlines()[0][:200]


def _retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return False  # waiting longer again would only double the wait
    if isinstance(exc, openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


def _with_retries(settings: LLMSettings, timeout_s: float, call: Callable[[], Any]) -> Any:
    for attempt in range(settings.retries + 1):
        try:
            return call()
        except LLMError:
            raise
        except Exception as exc:
            if not _is_api_error(exc):
                raise
            if attempt == settings.retries or not _retryable(exc):
                raise _explain(exc, settings, timeout_s) from None
            time.sleep(min(BACKOFF_MAX_S, BACKOFF_S * 2**attempt))
    raise AssertionError("unreachable")


def _is_api_error(exc: Exception) -> bool:
    import openai

    return isinstance(exc, openai.OpenAIError)


def _prepare(
    messages: Sequence[Message], settings: LLMSettings, privacy: Privacy
) -> tuple[list[Message], Redaction | None]:
    if not privacy.active(settings):
        return [dict(m) for m in messages], None
    redaction = Redaction()
    out = []
    for message in messages:
        text, _ = redact(message["content"], privacy.names, redaction)
        out.append({**message, "content": text})
    return out, redaction


def complete(
    messages: Sequence[Message],
    *,
    settings: LLMSettings | None = None,
    privacy: Privacy = Privacy(),
    max_tokens: int | None = 512,
    temperature: float | None = None,
    timeout_s: float | None = None,
    kind: str = "complete",
) -> str:
    """The model's whole answer as text."""
    settings = settings or load_llm_settings()
    timeout = timeout_s or settings.timeout_s
    sent, redaction = _prepare(messages, settings, privacy)
    return _ask(sent, redaction, settings, timeout, max_tokens, temperature, kind, None)


def _ask(
    sent: list[Message],
    redaction: Redaction | None,
    settings: LLMSettings,
    timeout: float,
    max_tokens: int | None,
    temperature: float | None,
    kind: str,
    response_format: dict[str, Any] | None,
    redacted: bool | None = None,
) -> str:
    """One request; the answer restored unless the caller restores it itself (redaction None)."""
    client = _sdk(settings, timeout)
    was_redacted = redaction is not None if redacted is None else redacted
    extra = _options(max_tokens, temperature, response_format)
    started = time.monotonic()
    try:
        response = _with_retries(
            settings,
            timeout,
            lambda: client.chat.completions.create(
                model=settings.model,
                messages=sent,  # type: ignore[arg-type]
                **extra,
            ),
        )
    except LLMError as exc:
        audit.record(settings, kind, sent, None, str(exc), started, was_redacted)
        raise
    choices = getattr(response, "choices", None)
    answer = (choices[0].message.content if choices else None) or ""
    audit.record(settings, kind, sent, answer, None, started, was_redacted)
    return restore(answer, redaction) if redaction is not None else answer


def _options(
    max_tokens: int | None,
    temperature: float | None,
    response_format: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The request's optional settings, only those given (servers differ in defaults)."""
    given = {
        "max_tokens": max_tokens,
        "temperature": temperature,
        "response_format": response_format,
    }
    return {key: value for key, value in given.items() if value is not None}


def stream(
    messages: Sequence[Message],
    *,
    settings: LLMSettings | None = None,
    privacy: Privacy = Privacy(),
    max_tokens: int | None = 512,
    temperature: float | None = None,
    timeout_s: float | None = None,
    kind: str = "stream",
) -> Iterator[str]:
    """The answer as it is generated, chunk by chunk (errors raise before the first chunk)."""
    settings = settings or load_llm_settings()
    timeout = timeout_s or settings.timeout_s
    sent, redaction = _prepare(messages, settings, privacy)
    client = _sdk(settings, timeout)
    extra = _options(max_tokens, temperature)
    started = time.monotonic()
    try:
        chunks = _with_retries(
            settings,
            timeout,
            lambda: client.chat.completions.create(
                model=settings.model,
                messages=sent,  # type: ignore[arg-type]
                stream=True,
                **extra,
            ),
        )
    except LLMError as exc:
        audit.record(settings, kind, sent, None, str(exc), started, redaction is not None)
        raise
    return _chunks(chunks, sent, redaction, settings, timeout, kind, started)


def _chunks(
    chunks: Any,
    sent: list[Message],
    redaction: Redaction | None,
    settings: LLMSettings,
    timeout: float,
    kind: str,
    started: float,
) -> Iterator[str]:
    restorer = StreamRestorer(redaction) if redaction is not None else None
    parts: list[str] = []
    error: str | None = None
    try:
        for chunk in chunks:
            if not chunk.choices:
                continue
            text = chunk.choices[0].delta.content
            if not text:
                continue
            parts.append(text)
            shown = restorer.feed(text) if restorer is not None else text
            if shown:
                yield shown
        if restorer is not None:
            tail = restorer.flush()
            if tail:
                yield tail
    except Exception as exc:
        if not _is_api_error(exc):
            raise
        failure = _explain(exc, settings, timeout)
        error = str(failure)
        raise failure from None
    finally:
        audit.record(settings, kind, sent, "".join(parts), error, started, redaction is not None)


def schema_of(schema: type[pydantic.BaseModel] | dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A name and a JSON Schema for `response_format`."""
    if isinstance(schema, dict):
        return str(schema.get("title", "answer")), schema
    return schema.__name__, schema.model_json_schema()


@overload
def structured(
    messages: Sequence[Message],
    schema: type[M],
    *,
    repairs: int = ...,
    settings: LLMSettings | None = ...,
    privacy: Privacy = ...,
    check: Callable[[Any], None] | None = ...,
    max_tokens: int | None = ...,
    timeout_s: float | None = ...,
) -> M: ...


@overload
def structured(
    messages: Sequence[Message],
    schema: dict[str, Any],
    *,
    repairs: int = ...,
    settings: LLMSettings | None = ...,
    privacy: Privacy = ...,
    check: Callable[[Any], None] | None = ...,
    max_tokens: int | None = ...,
    timeout_s: float | None = ...,
) -> Any: ...


def structured(
    messages: Sequence[Message],
    schema: type[pydantic.BaseModel] | dict[str, Any],
    *,
    repairs: int = DEFAULT_REPAIRS,
    settings: LLMSettings | None = None,
    privacy: Privacy = Privacy(),
    check: Callable[[Any], None] | None = None,
    max_tokens: int | None = 512,
    timeout_s: float | None = None,
) -> Any:
    """JSON that fits the schema (a model instance for a pydantic class, else the parsed value).

    An answer that is not JSON, fails the schema or fails ``check`` (raise ValueError) goes back
    to the model with what was wrong, at most ``repairs`` times; then LLMError says what was.
    """
    settings = settings or load_llm_settings()
    timeout = timeout_s or settings.timeout_s
    name, json_schema = schema_of(schema)
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": _safe_name(name), "schema": json_schema, "strict": True},
    }
    sent, redaction = _prepare(messages, settings, privacy)
    problem = ""
    for attempt in range(repairs + 1):
        kind = "structured" if attempt == 0 else f"structured-repair-{attempt}"
        # restored after parsing: a name with a quote in it must not break the JSON
        answer = _ask(
            sent, None, settings, timeout, max_tokens, 0.0, kind, response_format,
            redacted=redaction is not None,
        )  # fmt: skip
        try:
            value = json.loads(answer)
        except json.JSONDecodeError as exc:
            problem = f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        else:
            if redaction is not None:
                value = _restore_values(value, redaction)
            problem = _validate(value, schema, json_schema, check)
            if not problem:
                return schema.model_validate(value) if not isinstance(schema, dict) else value
        sent = [
            *sent,
            {"role": "assistant", "content": answer},
            {
                "role": "user",
                "content": f"That answer is wrong: {problem}. Answer again with JSON only, "
                f"matching this JSON Schema: {json.dumps(json_schema, ensure_ascii=False)}",
            },
        ]
    raise LLMError(
        f"the LLM at {settings.base_url} gave no valid {name} after {repairs + 1} "
        f"attempt(s): {problem}"
    )


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_-" else "_" for c in name)
    return cleaned[:64] or "answer"


def _validate(
    value: Any,
    schema: type[pydantic.BaseModel] | dict[str, Any],
    json_schema: dict[str, Any],
    check: Callable[[Any], None] | None,
) -> str:
    if isinstance(schema, dict):
        problems = schema_problems(value, json_schema)
        if problems:
            return "; ".join(problems[:5])
    else:
        try:
            schema.model_validate(value)
        except pydantic.ValidationError as exc:
            return "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
                for e in exc.errors()[:5]
            )
    if check is not None:
        try:
            check(value)
        except ValueError as exc:
            return str(exc) or "the answer failed the check"
    return ""


def _restore_values(value: Any, redaction: Redaction) -> Any:
    if isinstance(value, str):
        return restore(value, redaction)
    if isinstance(value, list):
        return [_restore_values(v, redaction) for v in value]
    if isinstance(value, dict):
        return {k: _restore_values(v, redaction) for k, v in value.items()}
    return value


def served_models(settings: LLMSettings, timeout_s: float = 5.0) -> list[str]:
    """The model names the server lists (empty when it does not list them)."""
    client = _sdk(settings, timeout_s)
    page = _with_retries(settings, timeout_s, lambda: client.models.list())
    return [m.id for m in getattr(page, "data", [])]
