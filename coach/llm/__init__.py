"""The language-model core: settings, client, redaction, prompts and a local server.

Every feature built on it must also work, reduced, when no model answers (LLMError).
"""

from __future__ import annotations

from coach.errors import LLMError
from coach.llm.client import Message, Privacy, complete, served_models, stream, structured
from coach.llm.config import LLMSettings, is_local, load_llm_settings
from coach.llm.prompts import Prompt, render_prompt
from coach.llm.redact import Redaction, redact, restore

__all__ = [
    "LLMError",
    "LLMSettings",
    "Message",
    "Privacy",
    "Prompt",
    "Redaction",
    "complete",
    "is_local",
    "load_llm_settings",
    "redact",
    "render_prompt",
    "restore",
    "served_models",
    "stream",
    "structured",
]
