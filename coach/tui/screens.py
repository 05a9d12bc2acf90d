"""The call's pop-up screens: objection search, outcome, help."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from coach.call.search import Hit, ObjectionIndex
from coach.call.session import Booking, CallSession, parse_when, read_when
from coach.call.state import OUTCOMES
from coach.errors import CoachError
from coach.scripts.model import Objection
from coach.tui.labels import labels

Advisor = Callable[[str, Objection], Iterator[str]]  # what said, its card → the model's words


class ObjectionScreen(ModalScreen[None]):
    """Type what the client said; Enter shows the card; Esc goes back to the call."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back to the call"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, session: CallSession, advisor: Advisor | None = None) -> None:
        super().__init__()
        self.session = session
        self.advisor = advisor
        self.index = ObjectionIndex(session.script.objections)
        self.words = labels(session.script.language)
        self.hits: list[Hit] = []
        self.asking: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="objection-box"):
            yield Input(placeholder=self.words["query"], id="objection-query")
            yield OptionList(id="objection-hits")
            with VerticalScroll(id="objection-card-scroll"):
                yield Static(id="objection-card")
                yield Static(id="objection-model")

    def on_mount(self) -> None:
        self.query_one("#objection-box").border_title = self.words["objection"]
        self.show_hits("")

    def show_hits(self, query: str) -> None:
        self.hits = self.index.search(query)
        options = self.query_one("#objection-hits", OptionList)
        options.clear_options()
        options.add_options(
            [
                Option(f"{escape(h.objection.category)}: {escape(h.matched)}", id=h.objection.id)
                for h in self.hits
            ]
        )
        if self.hits:
            options.highlighted = 0
        self.query_one("#objection-card", Static).update("")
        self._stop_asking()
        self._show_model("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.show_hits(event.value)

    def action_move(self, step: int) -> None:
        options = self.query_one("#objection-hits", OptionList)
        if self.hits:
            current = options.highlighted or 0
            options.highlighted = max(0, min(len(self.hits) - 1, current + step))

    def on_input_submitted(self, _: Input.Submitted) -> None:
        highlighted = self.query_one("#objection-hits", OptionList).highlighted
        if self.hits and highlighted is not None:
            self.show_card(self.hits[highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.show_card(self.hits[event.option_index])

    def show_card(self, hit: Hit) -> None:
        objection = hit.objection
        self.session.open_objection(objection.id)
        out = [f"[b]{escape(objection.category)}[/b]"]
        out += [f"• {escape(r)}" for r in objection.responses]
        if objection.follow_up_question:
            out.append(f"[b]{self.words['then_ask']}[/b] {escape(objection.follow_up_question)}")
        self.query_one("#objection-card", Static).update("\n".join(out))
        if self.advisor is not None:
            said = self.query_one("#objection-query", Input).value.strip() or hit.matched
            self._stop_asking()
            self._show_model(f"[dim]{escape(self.words['model_thinking'])}[/dim]")
            self.asking = self.run_worker(
                lambda: self._ask(said, objection), thread=True, exclusive=True, group="model"
            )

    def _ask(self, said: str, objection: Objection) -> None:
        """In a worker thread: the model's words as they come; the screen never waits."""
        assert self.advisor is not None
        worker = get_current_worker()
        heading = f"[b]{escape(self.words['model_says'])}[/b]\n"
        text = ""
        try:
            for chunk in self.advisor(said, objection):
                if worker.is_cancelled:
                    return
                text += chunk
                self.app.call_from_thread(self._show_model, heading + escape(text))
        except CoachError as exc:
            note = f"[dim]{escape(self.words['model_unavailable'])}: {escape(str(exc))}[/dim]"
            if not worker.is_cancelled:
                self.app.call_from_thread(self._show_model, note)

    def _show_model(self, markup: str) -> None:
        if self.is_attached:
            shown = self.query_one("#objection-model", Static)
            shown.update(markup)
            shown.set_class(bool(markup), "shown")

    def _stop_asking(self) -> None:
        if self.asking is not None:
            self.asking.cancel()
            self.asking = None

    def action_close(self) -> None:
        self._stop_asking()
        self.dismiss(None)


class OutcomeScreen(ModalScreen[Booking | None]):
    """How the call ended, when the key step is, and the confirmation to send."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back to the call"),
        Binding("ctrl+s", "save", "Save and end the call", priority=True),
        Binding("ctrl+y", "copy", "Copy the confirmation", priority=True),
    ]

    def __init__(self, session: CallSession) -> None:
        super().__init__()
        self.session = session
        self.words = labels(session.script.language)
        close = session.close_stage()
        self.channels = [c.value for c in close.reminder_channels] if close else []
        self.channels = self.channels or ["sms"]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="outcome-box"):
            with RadioSet(id="outcome-result"):
                for number, result in enumerate(OUTCOMES):
                    yield RadioButton(self.words[result], value=number == 0)
            yield Input(placeholder=self.words["when"], id="outcome-when")
            yield Input(placeholder=self.words["reason"], id="outcome-reason")
            with RadioSet(id="outcome-channel"):
                for number, channel in enumerate(self.channels):
                    yield RadioButton(channel, value=number == 0)
            yield Label("", id="outcome-error")
            yield Static(id="outcome-confirmation")

    def on_mount(self) -> None:
        self.query_one("#outcome-box").border_title = self.words["finish"]
        self.query_one("#outcome-result", RadioSet).focus()
        self.preview()

    def result(self) -> str:
        index = self.query_one("#outcome-result", RadioSet).pressed_index
        return OUTCOMES[max(0, index)]

    def channel(self) -> str:
        index = self.query_one("#outcome-channel", RadioSet).pressed_index
        return self.channels[max(0, index)]

    def when_text(self) -> str:
        return self.query_one("#outcome-when", Input).value.strip()

    def preview(self) -> None:
        when = read_when(self.when_text())
        text = self.session.confirmation(when) if self.result() == "booked" else None
        shown = f"[b]{self.words['confirmation']}[/b]\n{escape(text)}" if text else ""
        self.query_one("#outcome-confirmation", Static).update(shown)

    def on_input_changed(self, _: Input.Changed) -> None:
        self.preview()

    def on_radio_set_changed(self, _: RadioSet.Changed) -> None:
        self.preview()

    def action_save(self) -> None:
        error = self.query_one("#outcome-error", Label)
        result = self.result()
        when_text = self.when_text()
        when = None
        try:
            if when_text:
                when = parse_when(when_text).isoformat(timespec="minutes")
            elif result in ("booked", "callback"):
                raise CoachError("enter the date and time: YYYY-MM-DD HH:MM")
        except CoachError as exc:
            error.update(f"[red]{escape(str(exc))}[/red]")
            self.query_one("#outcome-when", Input).focus()
            return
        reason = self.query_one("#outcome-reason", Input).value.strip() or None
        self.session.set_outcome(result, when=when, reason=reason, channel=self.channel())
        self.dismiss(self.session.finish())

    def action_copy(self) -> None:
        text = self.session.confirmation(read_when(self.when_text()))
        if text:
            self.app.copy_to_clipboard(text)  # OSC 52: works over SSH in most terminals
            self.notify(self.words["copied"])

    def action_cancel(self) -> None:
        self.dismiss(None)


HELP = """\
[b]During the call[/b]
  → / n     next stage            ← / p   previous stage
  1 … 9     tick question N       a … h   the client's answer (branch)
  /         objection search      e       notes (Esc leaves them)
  o         finish: outcome, reminders, confirmation
  Ctrl+T    light / dark          Ctrl+Q  pause (resume with --resume)
  ?         this help

[b]Objection search[/b]
  type what the client said · ↑ ↓ choose · Enter shows the answer · Esc back

[b]Finish[/b]
  Tab moves between fields · Space picks · Ctrl+Y copies the confirmation
  Ctrl+S saves (record, reminders, confirmation.txt) · Esc back

Everything is written to the call's journal before the screen changes.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help-box")

    def action_close(self) -> None:
        self.dismiss(None)
