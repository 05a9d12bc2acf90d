"""The review's screens: the queue of calls, one call's transcript and scorecard, and the
small pop-ups (filter, comment, help). Every comment or tag is in the store before the
screen says so.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from coach.errors import CoachError
from coach.feedback import export_feedback, stage_name
from coach.store import BEST, CALL, CallDetail, CallFilter, CallSummary
from coach.text import clock
from coach.tui.review_labels import review_help

if TYPE_CHECKING:
    from coach.tui.review_app import ReviewApp

SORTS = ("date", "score", "rep", "talk")
SPIN_LETTERS = {"situation": "S", "problem": "P", "implication": "I", "need_payoff": "N"}
STAGE_COLOURS = {
    "compliance": "grey62",
    "greeting": "cyan",
    "small_talk": "sky_blue2",
    "qualification": "magenta",
    "situation": "green",
    "problem": "yellow",
    "implication": "dark_orange",
    "need_payoff": "spring_green2",
    "teaser": "orchid",
    "objection": "red",
    "close": "bright_cyan",
    "feedback": "cornflower_blue",
    "referral": "gold1",
}
# filter words a lead types → CallFilter fields; numbers are scores
FILTER_KEYS = {
    "rep": "rep",
    "team": "team",
    "since": "since",
    "until": "until",
    "min": "min_score",
    "max": "max_score",
    "missed": "missed",
    "tag": "tag",
    "script": "script",
}


def filter_text(which: CallFilter) -> str:
    """The filter as the lead would type it (``rep:anna min:60``)."""
    parts = []
    for word, name in FILTER_KEYS.items():
        value = getattr(which, name)
        if value is not None and value != "":
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            parts.append(f"{word}:{shlex.quote(shown)}")
    return " ".join(parts)


def parse_filter(text: str, base: CallFilter) -> CallFilter:
    """``rep:anna since:2026-11-01 min:60 missed:close`` → a CallFilter keeping the sort."""
    values: dict[str, Any] = dict.fromkeys(FILTER_KEYS.values())
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise CoachError(f"cannot read the filter: {exc}") from None
    for word in words:
        key, sep, value = word.partition(":")
        if not sep or key.lower() not in FILTER_KEYS:
            raise CoachError(f"unknown filter {word!r}; use {', '.join(FILTER_KEYS)} as key:value")
        name = FILTER_KEYS[key.lower()]
        if name.endswith("_score"):
            try:
                values[name] = float(value)
            except ValueError:
                raise CoachError(f"{key}: needs a number, got {value!r}") from None
        else:
            values[name] = value or None
    return replace(base, **values)


class TextPrompt(ModalScreen[str | None]):
    """One line of text: Enter keeps it, Esc drops it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, value: str = "", hint: str = "") -> None:
        super().__init__()
        self.title_text, self.value, self.hint = title, value, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Input(self.value, id="prompt-input")
            yield Label(self.hint, id="prompt-hint")

    def on_mount(self) -> None:
        self.query_one("#prompt-box").border_title = self.title_text
        self.query_one("#prompt-hint").display = bool(self.hint)
        self.query_one("#prompt-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReviewHelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, language: str) -> None:
        super().__init__()
        self.language = language

    def compose(self) -> ComposeResult:
        yield Static(review_help(self.language), id="help-box")

    def action_close(self) -> None:
        self.dismiss(None)


class QueueScreen(Screen[None]):
    """The calls the filter selects, one row each; Enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("r", "reverse", "Reverse"),
        Binding("question_mark", "help", "Help"),
    ]

    @property
    def review(self) -> ReviewApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="queue-filter")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Static(id="queue-empty")
        yield Footer()

    def on_mount(self) -> None:
        words = self.review.words
        table = self.query_one("#queue", DataTable)
        for key in ("date", "rep", "script", "score", "pass", "talk", "missed", "tags", "comments"):
            table.add_column(words[key], key=key)
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the queue again (counts change as the lead comments) and keep the cursor."""
        app, words = self.review, self.review.words
        table = self.query_one("#queue", DataTable)
        was = app.current_id
        try:
            app.load_queue()
        except CoachError as exc:
            self.notify(str(exc), severity="error")
        table.clear()
        for call in app.queue:
            table.add_row(*queue_row(call), key=str(call.id))
        order = "↓" if app.which.descending else "↑"
        shown = filter_text(app.which) or words["all_calls"]
        sort = words["sorted"].format(sort=f"{words[sort_label(app.which.sort)]} {order}")
        self.query_one("#queue-filter", Static).update(
            Text.assemble((f"{words['filter']}: ", "bold"), shown, "  ·  ", sort)
        )
        self.sub_title = f"{words['queue']} · {len(app.queue)}"
        empty = self.query_one("#queue-empty", Static)
        empty.update(words["no_calls"])
        empty.display = not app.queue
        table.display = bool(app.queue)
        ids = [c.id for c in app.queue]
        if was in ids:
            table.move_cursor(row=ids.index(was), animate=False)
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.review.current_id = int(event.row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.review.open_call(int(event.row_key.value))

    def action_filter(self) -> None:
        app = self.review

        def done(text: str | None) -> None:
            if text is None:
                return
            try:
                app.which = parse_filter(text, app.which)
            except CoachError as exc:
                self.notify(str(exc), severity="error")
                return
            self.reload()

        words = app.words
        self.app.push_screen(
            TextPrompt(words["filter"], filter_text(app.which), words["filter_hint"]), done
        )

    def action_sort(self) -> None:
        app = self.review
        following = SORTS[(SORTS.index(app.which.sort) + 1) % len(SORTS)]
        app.which = replace(app.which, sort=following)
        self.reload()

    def action_reverse(self) -> None:
        app = self.review
        app.which = replace(app.which, descending=not app.which.descending)
        self.reload()

    def action_help(self) -> None:
        self.app.push_screen(ReviewHelpScreen(self.review.language))


def sort_label(sort: str) -> str:
    return {"date": "date", "score": "score", "rep": "rep", "talk": "talk"}.get(sort, "date")


def queue_row(call: CallSummary) -> tuple[str | Text, ...]:
    date = (call.date or "")[:16].replace("T", " ")
    score = "—" if call.total is None else f"{call.total:g}"
    passed = Text("—")
    if call.passed is not None:
        passed = Text("✓", "green") if call.passed else Text("✗", "red")
    talk = "—" if call.talk_ratio is None else f"{call.talk_ratio:.0%}"
    missed = ", ".join(call.missed)  # the kinds, as the filter's missed: takes them
    if len(missed) > 24:
        missed = missed[:23] + "…"
    return (
        date,
        call.rep or "—",
        call.script or "—",
        score,
        passed,
        talk,
        missed,
        ",".join(call.tags),
        str(call.comments) if call.comments else "",
    )


class CallScreen(Screen[None]):
    """One call: the transcript by stage, the criteria with their evidence, the metrics."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Queue"),
        Binding("c", "comment", "Comment"),
        Binding("C", "comment_call", "Comment call"),
        Binding("b", "best", "Best"),
        Binding("B", "best_call", "Best call"),
        Binding("f", "feedback", "Feedback"),
        Binding("n", "step(1)", "Next"),
        Binding("p", "step(-1)", "Prev"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(self, call_id: int) -> None:
        super().__init__()
        self.call_id = call_id
        self.detail: CallDetail | None = None
        self.positions: dict[int, int] = {}  # utterance index → transcript row
        self.evidence_step: dict[int, int] = {}  # criterion row → evidence shown last

    @property
    def review(self) -> ReviewApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="call-body"):
            yield OptionList(id="transcript")
            with Vertical(id="side"):
                yield OptionList(id="criteria")
                yield Static(id="criterion-detail")
                yield Static(id="metrics")
        yield Footer()

    def on_mount(self) -> None:
        words = self.review.words
        self.query_one("#transcript").border_title = words["transcript"]
        self.query_one("#metrics").border_title = words["metrics"]
        self.show(self.call_id)

    # --- drawing ----------------------------------------------------------------------
    def show(self, call_id: int) -> None:
        self.call_id = call_id
        self.review.current_id = call_id
        self.detail = self.review.store.call(call_id)
        self.evidence_step.clear()
        card = self.detail.scorecard or {}
        utterances = list(card.get("utterances") or [])
        self.positions = {int(u["index"]): row for row, u in enumerate(utterances)}
        transcript = self.query_one("#transcript", OptionList)
        transcript.set_options(
            [Option(self.utterance_prompt(u), id=str(u["index"])) for u in utterances]
        )
        if utterances:
            transcript.highlighted = 0
        criteria = self.query_one("#criteria", OptionList)
        criteria.set_options([Option(criterion_prompt(c)) for c in card.get("criteria") or []])
        if criteria.option_count:
            criteria.highlighted = 0
        self.draw_titles()
        self.query_one("#metrics", Static).update(self.metrics_text())
        self.show_criterion(0)
        transcript.focus()

    def draw_titles(self) -> None:
        assert self.detail is not None
        words, summary = self.review.words, self.detail.summary
        card = self.detail.scorecard or {}
        mark = card.get("pass_mark")
        self.query_one("#criteria").border_title = words["criteria"].format(
            total=f"{summary.total or 0:g}",
            top=f"{summary.max_total or 100:g}",
            mark="—" if mark is None else f"{float(mark):g}",
        )
        verdict = "" if summary.passed is None else (" ✓" if summary.passed else " ✗")
        best = " ★" if self.is_best(CALL) else ""
        position = self.review.position(self.call_id)
        count = f"{position + 1}/{len(self.review.queue)} · " if position is not None else ""
        when = (summary.date or "")[:16].replace("T", " ")
        score = "" if summary.total is None else f" · {summary.total:g}{verdict}"
        who = f"{summary.rep or '—'} · {when} · {summary.script or '—'}"
        self.sub_title = f"{count}{who}{score}{best}"

    def is_best(self, utterance: int) -> bool:
        assert self.detail is not None
        return any(t.tag == BEST and t.utterance == utterance for t in self.detail.tags)

    def utterance_prompt(self, utterance: dict[str, Any]) -> Text:
        assert self.detail is not None
        words, language = self.review.words, self.review.language
        index = int(utterance["index"])
        stages = list(utterance.get("stages") or [])
        colour = STAGE_COLOURS.get(stages[0], "default") if stages else "default"
        role = words["rep_role"] if utterance.get("speaker") == "rep" else words["client_role"]
        text = Text.assemble(("▌", colour), f"{clock(utterance.get('start'))} ", (role, "bold"))
        if stages:
            text.append("  " + ", ".join(stage_name(s, language) for s in stages), colour)
        if self.is_best(index):
            text.append(" ★", "bold yellow")
        text.append("\n")
        text.append("▌", colour)
        text.append(str(utterance.get("text", "")), colour if colour != "default" else "")
        for question in utterance.get("questions") or []:
            letter = SPIN_LETTERS.get(str(question.get("spin")), "–")
            form = words["badge_" + str(question.get("form", "closed"))]
            text.append(f" [{letter} {form}]", "bold reverse")
        for comment in self.detail.comments:
            if comment.utterance == index:
                text.append(f"\n▌✎ {comment.body}", "italic")
        return text

    def metrics_text(self) -> Text:
        assert self.detail is not None
        words = self.review.words
        card = self.detail.scorecard
        if not card:
            return Text(words["no_card"])
        m = card.get("metrics") or {}
        ratio = m.get("rep_talk_ratio")
        spin = m.get("spin_counts") or {}
        rows = [
            f"{words['talk_ratio']}: {'—' if ratio is None else f'{ratio:.0%}'}",
            f"{words['questions']}: {m.get('rep_questions', 0)} "
            f"({m.get('open_questions', 0)} {words['open']}, "
            f"{m.get('closed_questions', 0)} {words['closed']})",
            "SPIN: " + " ".join(f"{SPIN_LETTERS[k]}{spin.get(k, 0)}" for k in SPIN_LETTERS),
            f"{words['first_question']}: {clock(m.get('time_to_first_question_s'))}",
            f"{words['monologue']}: {clock(m.get('longest_rep_monologue_s'))}",
            f"{words['interactivity']}: {m.get('interactivity', '—')} · "
            f"{words['duration']}: {clock(card.get('duration_s'))}",
        ]
        call_comments = [c for c in self.detail.comments if c.utterance == CALL]
        rows += [f"✎ {c.body}" for c in call_comments]
        return Text("\n".join(rows))

    def show_criterion(self, row: int) -> None:
        assert self.detail is not None
        criteria = (self.detail.scorecard or {}).get("criteria") or []
        panel = self.query_one("#criterion-detail", Static)
        if not 0 <= row < len(criteria):
            panel.update("")
            return
        c = criteria[row]
        text = Text.assemble((str(c.get("label", c.get("id"))), "bold"), "\n")
        text.append(str(c.get("detail", "")))
        panel.update(text)

    def redraw_utterance(self, index: int) -> None:
        assert self.detail is not None
        utterances = (self.detail.scorecard or {}).get("utterances") or []
        row = self.positions.get(index)
        if row is not None:
            self.query_one("#transcript", OptionList).replace_option_prompt_at_index(
                row, self.utterance_prompt(utterances[row])
            )

    def reload_detail(self) -> None:
        self.detail = self.review.store.call(self.call_id)
        self.draw_titles()
        self.query_one("#metrics", Static).update(self.metrics_text())

    def selected_utterance(self) -> int | None:
        highlighted = self.query_one("#transcript", OptionList).highlighted_option
        return None if highlighted is None or highlighted.id is None else int(highlighted.id)

    # --- events -----------------------------------------------------------------------
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "criteria":
            self.show_criterion(event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "criteria":
            self.jump_to_evidence(event.option_index)

    def jump_to_evidence(self, row: int) -> None:
        """Move the transcript cursor to the criterion's evidence; again: the next one."""
        assert self.detail is not None
        criteria = (self.detail.scorecard or {}).get("criteria") or []
        evidence = [
            e for e in criteria[row].get("evidence") or [] if e.get("utterance") in self.positions
        ]
        if not evidence:
            self.notify(self.review.words["no_evidence"])
            return
        step = self.evidence_step.get(row, -1) + 1
        self.evidence_step[row] = step % len(evidence)
        target = self.positions[int(evidence[step % len(evidence)]["utterance"])]
        transcript = self.query_one("#transcript", OptionList)
        transcript.highlighted = target
        transcript.scroll_to_highlight(top=True)

    # --- actions ----------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_step(self, step: int) -> None:
        app = self.review
        position = app.position(self.call_id)
        if position is None:
            return
        following = position + step
        if not 0 <= following < len(app.queue):
            self.notify(app.words["last" if step > 0 else "first"])
            return
        self.show(app.queue[following].id)

    def action_comment(self) -> None:
        index = self.selected_utterance()
        if index is None:
            return
        assert self.detail is not None
        start = (self.detail.scorecard or {})["utterances"][self.positions[index]].get("start")
        title = self.review.words["comment_moment"].format(time=clock(start))
        self.app.push_screen(TextPrompt(title), lambda text: self.save_comment(text, index))

    def action_comment_call(self) -> None:
        self.app.push_screen(
            TextPrompt(self.review.words["comment_call"]), lambda t: self.save_comment(t, CALL)
        )

    def save_comment(self, text: str | None, utterance: int) -> None:
        if text is None or not text.strip():
            return
        try:
            self.review.store.comment(
                self.call_id, text, utterance=utterance, author=self.review.author
            )
        except CoachError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload_detail()
        if utterance != CALL:
            self.redraw_utterance(utterance)
        self.notify(self.review.words["comment_saved"])

    def action_best(self) -> None:
        index = self.selected_utterance()
        if index is not None:
            self.toggle_best(index)

    def action_best_call(self) -> None:
        self.toggle_best(CALL)

    def toggle_best(self, utterance: int) -> None:
        words = self.review.words
        try:
            now = self.review.store.toggle_tag(self.call_id, BEST, utterance=utterance)
        except CoachError as exc:
            self.notify(str(exc), severity="error")
            return
        self.reload_detail()
        if utterance == CALL:
            self.notify(words["call_best_on" if now else "call_best_off"])
        else:
            self.redraw_utterance(utterance)
            self.notify(words["best_on" if now else "best_off"])

    def action_feedback(self) -> None:
        app = self.review
        assert self.detail is not None
        try:
            path = export_feedback(self.detail, app.feedback_dir, app.language, app.author)
        except OSError as exc:
            self.notify(f"{app.feedback_dir}: {exc.strerror or exc}", severity="error")
            return
        app.last_feedback = path
        self.notify(app.words["exported"].format(path=path), timeout=10)

    def action_help(self) -> None:
        self.app.push_screen(ReviewHelpScreen(self.review.language))


def criterion_prompt(criterion: dict[str, Any]) -> Text:
    passed = bool(criterion.get("passed"))
    points = f"{float(criterion.get('score') or 0):g}/{float(criterion.get('max') or 0):g}"
    return Text.assemble(
        ("✓ " if passed else "✗ ", "green" if passed else "red"),
        (f"{points:>5} ", "bold"),
        str(criterion.get("label", criterion.get("id"))),
    )
