"""`coach practice`: a chat with a simulated client, a thin shell over ``coach.practice``.

The rep's line is on disk before it shows; the client's reply streams in from a worker thread
so the screen never waits for the model; Ctrl+E scores the practice like a real call.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from textual import events, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import get_current_worker

from coach.analysis.rubric import Rubric
from coach.analysis.scorecard import Scorecard
from coach.analysis.transcript import Role
from coach.errors import CoachError
from coach.practice.client import SimulatedClient
from coach.practice.session import PracticeResult, PracticeSession, Turn
from coach.tui.practice_labels import labels

STAGE_LINES = 4  # lines and questions of the current stage shown in the side panel


class SayInput(Input):
    """The rep's line; ``?`` on an empty line opens the help instead of typing."""

    async def _on_key(self, event: events.Key) -> None:
        if event.character == "?" and not self.value:
            event.stop()
            event.prevent_default()
            self.app.action_help()  # type: ignore[attr-defined]
            return
        await super()._on_key(event)


class PracticeHelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.text, id="practice-help")

    def action_close(self) -> None:
        self.dismiss(None)


def score_text(card: Scorecard, words: dict[str, str]) -> str:
    """The scorecard as the screen shows it: total, then one line per criterion."""
    verdict = words["passed"] if card.passed else words["failed"]
    out = [
        f"[b]{card.total:g} / 100[/b] — {verdict} ({card.rubric.pass_mark:g}) · "
        f"{escape(card.rubric.id)}",
        "",
    ]
    for c in card.criteria:
        mark = {True: "[green]✔[/green]", False: "[red]✘[/red]", None: "·"}[c.passed]
        points = "n/a" if c.score is None else f"{c.score:g}/{c.max:g}"
        out.append(f"{mark} [b]{escape(c.label)}[/b] {points}")
        out.append(f"   [dim]{escape(c.detail)}[/dim]")
    return "\n".join(out)


class ScoreScreen(ModalScreen[None]):
    """The practice's scorecard; closing it ends the app."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter,q", "close", "Close")]

    def __init__(self, result: PracticeResult, words: dict[str, str]) -> None:
        super().__init__()
        self.result = result
        self.words = words

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="score-box"):
            yield Static(score_text(self.result.scorecard, self.words), id="score")
            yield Static(
                f"\n[dim]{self.words['saved']}: {escape(str(self.result.scorecard_path))}[/dim]",
                id="score-path",
            )

    def on_mount(self) -> None:
        self.query_one("#score-box").border_title = self.words["score"]

    def action_close(self) -> None:
        self.dismiss(None)


class PracticeApp(App[PracticeResult | None]):
    """Practise a script against a simulated client."""

    CSS_PATH = "practice.tcss"
    TITLE = "coach practice"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+e", "end", "End & score", priority=True),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        session: PracticeSession,
        client: SimulatedClient,
        rubric: Rubric,
        *,
        notice: str | None = None,
        classifier: str = "hybrid",
    ) -> None:
        super().__init__()
        self.session = session
        self.client = client
        self.rubric = rubric
        self.notice = notice
        self.classifier = classifier
        self.words = labels(session.language)
        self.replying = False
        self.scoring = False
        self.result: PracticeResult | None = None
        self._bubble: Static | None = None
        self.sub_title = f"{session.script.title} · {self.words['persona']}: {session.persona}"

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="body"):
            with Vertical(id="chat"):
                yield VerticalScroll(id="log")
                yield SayInput(placeholder=self.words["say"], id="say")
            with VerticalScroll(id="side"):
                yield Static(id="stage")
                yield Static(id="raised")
        yield Footer()

    def on_mount(self) -> None:
        for warning in self.session.warnings:
            self.notify(warning, severity="warning", timeout=8)
        if self.notice:
            self.notify(self.notice, severity="warning", timeout=10)
        log = self.query_one("#log", VerticalScroll)
        for turn in self.session.turns:
            log.mount(self._turn_widget(turn.role, turn.text))
        if not self.session.turns:
            self._add(self.session.client_says(self.client.opening()))
        elif self.session.turns[-1].role is Role.rep:  # stopped while the client was answering
            self.ask_client()
        self.query_one("#say", SayInput).focus()
        self.redraw_side()

    # --- the chat ---------------------------------------------------------------------
    def _turn_widget(self, role: Role, text: str) -> Static:
        who = self.words["you"] if role is Role.rep else self.words["client"]
        return Static(f"[b]{who}:[/b] {escape(text)}", classes=f"turn {role.value}")

    def _add(self, turn: Turn) -> None:
        log = self.query_one("#log", VerticalScroll)
        log.mount(self._turn_widget(turn.role, turn.text))
        log.scroll_end(animate=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        if self.replying or self.scoring:
            self.notify(self.words["wait"], timeout=3)
            return
        self._add(self.session.rep_says(text))  # on disk before it shows
        event.input.value = ""
        self.ask_client()

    def ask_client(self) -> None:
        self.replying = True
        log = self.query_one("#log", VerticalScroll)
        self._bubble = Static(f"[b]{self.words['client']}:[/b] …", classes="turn client")
        log.mount(self._bubble)
        log.scroll_end(animate=False)
        self.client_reply(tuple(self.session.turns), self.session.clock())

    @work(thread=True, exclusive=True, group="client")
    def client_reply(self, history: tuple[Turn, ...], began: float) -> None:
        """Stream the client's answer into its bubble, off the UI thread."""
        worker = get_current_worker()
        parts: list[str] = []
        failure: str | None = None
        try:
            for chunk in self.client.reply(history):
                if worker.is_cancelled:
                    return
                parts.append(chunk)
                self.call_from_thread(self.show_chunk, "".join(parts))
        except CoachError as exc:  # a client that cannot answer: said once, the practice goes on
            failure = str(exc)
        if worker.is_cancelled:
            return
        notice = self.client.take_notice() or failure
        self.call_from_thread(self.client_done, "".join(parts), began, notice)

    def show_chunk(self, text: str) -> None:
        if self._bubble is not None:
            self._bubble.update(f"[b]{self.words['client']}:[/b] {escape(text)}")
            self.query_one("#log", VerticalScroll).scroll_end(animate=False)

    def client_done(self, text: str, began: float, notice: str | None) -> None:
        if notice:
            self.session.note(notice)
            self.notify(notice, severity="warning", timeout=8)
        bubble, self._bubble = self._bubble, None
        if text.strip():
            turn = self.session.client_says(text, began)
            if bubble is not None:
                bubble.update(f"[b]{self.words['client']}:[/b] {escape(turn.text)}")
        elif bubble is not None:
            bubble.remove()
        self.replying = False
        self.redraw_side()

    # --- the side panel -----------------------------------------------------------------
    def redraw_side(self) -> None:
        stage = self.session.current_stage()
        out = [f"[b]{self.words['stage']}: {escape(stage.title)}[/b]"]
        card = self.session.open_objection()
        if card is not None:  # the library's answer to this very doubt comes first
            prompts = [*card.responses[:2], *filter(None, [card.follow_up_question])]
        else:
            prompts = [*stage.lines, *(q.text for q in stage.questions)]
        out += [f"• {escape(line)}" for line in prompts[:STAGE_LINES]]
        self.query_one("#stage", Static).update("\n".join(out))
        raised = self.session.objections_raised()
        lines = [f"[b]{self.words['objections']}[/b]"]
        if raised:
            lines += [f"• {escape(o.category)}: {escape(o.triggers[0])}" for o in raised]
        else:
            lines.append(f"[dim]{self.words['none_yet']}[/dim]")
        self.query_one("#raised", Static).update("\n".join(lines))

    # --- keys -----------------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, PracticeHelpScreen):
            self.push_screen(PracticeHelpScreen(self.words["help"]))

    def action_end(self) -> None:
        if self.result is not None or self.scoring:
            return
        if self.replying:
            self.notify(self.words["wait"], timeout=3)
            return
        if not any(t.role is Role.rep for t in self.session.turns):
            self.notify(self.words["nothing"], severity="warning", timeout=4)
            return
        self.scoring = True
        self.notify(self.words["scoring"], timeout=3)
        self.score()

    @work(thread=True, exclusive=True, group="score")
    def score(self) -> None:
        try:
            result = self.session.finish(self.rubric, classifier=self.classifier)
        except CoachError as exc:
            self.call_from_thread(self.score_failed, str(exc))
            return
        self.call_from_thread(self.show_score, result)

    def score_failed(self, message: str) -> None:
        self.scoring = False
        self.notify(message, severity="error", timeout=8)

    def show_score(self, result: PracticeResult) -> None:
        self.result = result
        self.scoring = False

        def closed(_: Any) -> None:
            self.exit(result)

        self.push_screen(ScoreScreen(result, self.words), closed)
