"""The live-call screen: first frame and a keypress, against a bare Textual app in the
same run (issue 6 targets: first frame < 1 s, keypress < 50 ms).
Run: .venv/bin/python benchmarks/bench_call_tui.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Footer, Static

from coach.call.session import CallSession
from coach.config import BUNDLED_TEMPLATES
from coach.scripts.loader import load_script
from coach.scripts.render import variable_values
from coach.tui.call_app import CallApp

PRESSES = 40


class Bare(App[None]):
    BINDINGS = [("right", "step", "Step"), ("left", "step", "Step")]  # noqa: RUF012

    def compose(self) -> ComposeResult:
        yield Static(id="text")
        yield Footer()

    def action_step(self) -> None:
        self.query_one("#text", Static).update(str(time.time()))


def make_call(script_id: str) -> CallApp:
    script = load_script(script_id, [BUNDLED_TEMPLATES])
    values = variable_values(script, {}, use_examples=True)
    folder = Path(tempfile.mkdtemp()) / "call"
    return CallApp(CallSession(script, values, folder, "Anna"))


async def measure(build: Any) -> tuple[float, float, float, float]:
    start = time.perf_counter()
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = (time.perf_counter() - start) * 1000
        samples = []
        for n in range(PRESSES):
            key = "right" if n % 2 == 0 else "left"
            begin = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            samples.append((time.perf_counter() - begin) * 1000)
        handler, handled = [], []
        for n in range(PRESSES):  # the work a key does: journal (fsync) + redraw
            action = getattr(app, "action_forward" if n % 2 == 0 else "action_previous", None)
            action = action or app.action_step
            begin = time.perf_counter()
            action()
            handled.append((time.perf_counter() - begin) * 1000)
            await pilot.pause()
            handler.append((time.perf_counter() - begin) * 1000)
    return first, statistics.median(samples), statistics.median(handler), statistics.median(handled)


def main() -> None:
    rows = [
        ("bare Textual app (Static + Footer)", Bare),
        ("coach call, car-dealer-en", lambda: make_call("car-dealer-en")),
        ("coach call, car-dealer-ru", lambda: make_call("car-dealer-ru")),
    ]
    print(f"{'what':<34}{'first frame':>12}{'Pilot press':>12}{'handler':>9}{'+settle':>9}")
    for name, build in rows:
        first, press, work, handled = asyncio.run(measure(build))
        print(f"{name:<34}{first:>12.0f}{press:>12.1f}{handled:>9.1f}{work:>9.1f}")
    print(f"ms, medians of {PRESSES}. 'Pilot press' includes Pilot's own settling waits;")
    print("'handler' is the action (journal append + fsync + widget update); '+settle' adds")
    print("one Pilot pause for the screen to repaint.")


if __name__ == "__main__":
    main()
