"""`coach call`: the rep's screen during a live call, a thin shell over ``coach.call``.

Every key the rep presses becomes a session action, which is on disk before the screen
redraws. The screen only reads ``session.state``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Static, TextArea

from coach.call.listen import Listener, Suggestion
from coach.call.session import Booking, CallSession
from coach.scripts.model import END
from coach.tui.labels import labels
from coach.tui.screens import Advisor, HelpScreen, ObjectionScreen, OutcomeScreen

OVERTIME = 1.5  # warn when a stage has taken this many timeboxes
LETTERS = "abcdefgh"


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class CallApp(App[Booking | None]):
    """Guide a rep through a call script."""

    CSS_PATH = "call.tcss"
    TITLE = "coach call"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,n", "forward", "Next"),
        Binding("left,p", "previous", "Back"),
        Binding("slash", "objections", "Objection"),
        Binding("e", "notes", "Notes"),
        Binding("o", "outcome", "Finish"),
        Binding("question_mark", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+q", "quit", "Pause", priority=True),
        *[Binding(str(n), f"tick({n - 1})", f"Tick {n}", show=False) for n in range(1, 10)],
        *[Binding(c, f"branch({i})", f"Answer {c}", show=False) for i, c in enumerate(LETTERS)],
    ]

    def __init__(
        self,
        session: CallSession,
        theme: str = "textual-dark",
        listener: Listener | None = None,
        notice: str | None = None,
        advisor: Advisor | None = None,
    ) -> None:
        super().__init__()
        self.notice = notice
        self.advisor = advisor
        self.session = session
        self.listener = listener
        self.rep_share: float | None = None
        self._theme_name = theme
        self.words = labels(session.script.language)
        self.sub_title = session.script.title + (f" · {session.client}" if session.client else "")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="body"):
            yield Static(id="rail")
            with Vertical(id="main"):
                yield Static(id="warning")
                yield Static(id="heard")
                with VerticalScroll(id="stage-scroll"):
                    yield Static(id="stage")
                yield TextArea(self.session.state.notes, id="notes", soft_wrap=True)
        yield Footer()

    def on_mount(self) -> None:
        self.theme = self._theme_name
        self.query_one("#notes", TextArea).border_title = self.words["notes"]
        for warning in self.session.warnings:
            self.notify(warning, severity="warning", timeout=8)
        if self.notice:
            self.notify(self.notice, severity="warning", timeout=10)
        self.set_interval(1.0, self.refresh_clock)
        if self.listener is not None:
            self.listener.start()
            self.set_interval(0.2, self.drain_suggestions)
        self.redraw()

    def on_unmount(self) -> None:
        if self.listener is not None:
            self.listener.stop()

    # --- listening --------------------------------------------------------------------
    def drain_suggestions(self) -> None:
        """Apply what the listener found since the last look (never blocks)."""
        assert self.listener is not None
        changed = False
        while not self.listener.suggestions.empty():
            changed |= self.apply_suggestion(self.listener.suggestions.get_nowait())
        if changed:
            self.redraw()

    def apply_suggestion(self, suggestion: Suggestion) -> bool:
        data = suggestion.data
        if suggestion.kind == "tick":
            return self.session.mark_asked(data["stage"], int(data["question"]))
        if suggestion.kind == "stage":
            return self.session.follow(data["stage"])
        if suggestion.kind == "talk":
            self.rep_share = float(data["rep_share"])
            return True
        if suggestion.kind == "objection":
            card = next(o for o in self.session.script.objections if o.id == data["id"])
            self.session.note_heard("objection", id=card.id, text=data.get("text", ""))
            follow = (
                f"\n[b]{self.words['then_ask']}[/b] {escape(card.follow_up_question)}"
                if card.follow_up_question
                else ""
            )
            panel = self.query_one("#heard", Static)
            panel.update(
                f"[b]{self.words['objection']}: {escape(card.category)}[/b] "
                f"[dim](/ {self.words['more']})[/dim]\n• {escape(card.responses[0])}{follow}"
            )
            panel.display = True
            return False
        if suggestion.kind == "status":
            self.notify(str(data["text"]), timeout=6)
        return False

    # --- drawing ----------------------------------------------------------------------
    def redraw(self) -> None:
        self.refresh_clock()
        stage = self.session.stage
        if stage is None:
            self.query_one("#stage", Static).update(self.words["end"])
            return
        ticked = self.session.state.ticked
        out = [f"[b]{escape(stage.title)}[/b]  [dim]{stage.kind.value}[/dim]"]
        if stage.goal:
            out.append(f"[i]{escape(stage.goal)}[/i]")
        out += [f"  {escape(line)}" for line in stage.lines]
        if stage.questions:
            out.append("")
            for number, question in enumerate(stage.questions):
                box = "[green]☑[/green]" if (stage.id, number) in ticked else "☐"
                tags = " ".join(
                    t
                    for t in (question.spin.value if question.spin else "", question.form.value)
                    if t
                )
                required = "*" if question.required else ""
                text = escape(question.text) + required
                out.append(f"{box} [b]{number + 1}[/b] {text} [dim]{tags}[/dim]")
        if stage.branches:
            out.append("")
            for letter, branch in zip(LETTERS, stage.branches, strict=False):
                target = "end" if branch.next == END else branch.next
                out.append(f"[b]{letter}[/b] {escape(branch.answer)} → {escape(target)}")
                out += [f"    {escape(line)}" for line in branch.lines]
        if stage.tips:
            out.append("")
            out += [f"[dim]{self.words['tip']}: {escape(tip)}[/dim]" for tip in stage.tips]
        self.query_one("#stage", Static).update("\n".join(out))
        self.query_one("#stage-scroll", VerticalScroll).scroll_home(animate=False)

    def refresh_clock(self) -> None:
        state, now = self.session.state, self.session.clock()
        started = state.started or now
        self.title = f"coach call  {clock((state.ended or now) - started)}"
        rail = []
        for stage in self.session.script.stages:
            spent = state.seconds.get(stage.id, 0.0)
            if stage.id == state.stage:
                spent = state.time_in_stage(now)
                mark = "▶"
            else:
                mark = "✓" if stage.id in state.visited else " "
            box = f"/{clock(stage.timebox_s)}" if stage.timebox_s else ""
            label = escape(f"{stage.title[:12]:<12}")
            line = f"{mark} {label} {clock(spent) if spent else '':>5}{box}"
            rail.append(f"[reverse]{line}[/reverse]" if stage.id == state.stage else line)
        if self.rep_share is not None:
            filled = round(self.rep_share * 10)
            rail += [
                "",
                f"{self.words['you_talk']} {'█' * filled}{'░' * (10 - filled)} "
                f"{self.rep_share:.0%}",
            ]
        self.query_one("#rail", Static).update("\n".join(rail))
        warning = self.query_one("#warning", Static)
        current = self.session.stage
        if current is not None and current.timebox_s:
            spent = state.time_in_stage(now)
            if spent > OVERTIME * current.timebox_s:
                text = self.words["overtime"].format(
                    spent=clock(spent), planned=clock(current.timebox_s)
                )
                warning.update(f"⚠ {text}")
                warning.display = True
                return
        warning.display = False

    # --- actions ----------------------------------------------------------------------
    def action_forward(self) -> None:
        self.session.forward()
        self.redraw()

    def action_previous(self) -> None:
        self.session.back()
        self.redraw()

    def action_tick(self, number: int) -> None:
        self.session.tick(number)
        self.redraw()

    def action_branch(self, number: int) -> None:
        self.session.branch(number)
        self.redraw()

    def action_notes(self) -> None:
        self.query_one("#notes", TextArea).focus()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_objections(self) -> None:
        self.push_screen(ObjectionScreen(self.session, self.advisor))

    def action_outcome(self) -> None:
        def done(booking: Booking | None) -> None:
            if booking is not None:
                self.exit(booking)

        self.push_screen(OutcomeScreen(self.session), done)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.session.set_notes(event.text_area.text)

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        notes = self.query_one("#notes", TextArea)
        if key == "escape" and notes.has_focus:
            self.set_focus(None)
