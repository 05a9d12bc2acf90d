"""`coach call` for real: the console script in a pseudo-terminal, keys typed, paused, resumed."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from coach.call.journal import read_journal

COACH = Path(sys.executable).parent / "coach"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


def run_in_terminal(args: list[str], keys: list[bytes], home: Path) -> tuple[int, str]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real console script
        os.environ.update({"COACH_HOME": str(home), "TERM": "xterm-256color"})
        os.execv(str(COACH), ["coach", *args])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    out = b""

    def pump(seconds: float) -> None:
        nonlocal out
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    out += os.read(fd, 65536)
                except OSError:
                    return

    pump(4)
    for key in keys:
        os.write(fd, key)
        pump(0.6)
    os.write(fd, b"\x11")  # Ctrl+Q: pause
    pump(3)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")


def test_a_call_in_a_real_terminal_pauses_and_resumes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code, out = run_in_terminal(
        ["call", "car-dealer-ru", "--example", "--client", "Ольга"],
        [b"n", b"1", b"/", "дорого".encode(), b"\r", b"\x1b"],
        home,
    )
    assert code == 0 and "coach call car-dealer-ru --resume" in out
    journal = next((home / "calls").glob("*/journal.jsonl"))
    assert [e.kind for e in read_journal(journal).events] == ["start", "goto", "tick", "objection"]

    code, out = run_in_terminal(["call", "car-dealer-ru", "--resume", "--listen"], [b"n"], home)
    assert code == 0
    if not _has_microphone():
        assert "microphone" in out  # said once on the screen; the call went on
    events = read_journal(journal).events
    assert [e.kind for e in events].count("start") == 1  # the same call, carried on
    assert events[-1].kind == "goto" and events[-1].data["stage"] == "small_talk"


def _has_microphone() -> bool:
    from coach.call.listen import microphone_chunks
    from coach.errors import CoachError

    try:
        microphone_chunks()
    except CoachError:
        return False
    return True
