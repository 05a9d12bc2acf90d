"""`coach call`: the live-call screen (Textual is imported only when it runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coach.cli_llm import no_redact_option
from coach.cli_vars import parse_vars, variable_options
from coach.errors import CoachError


def register(cli: click.Group, settings_of: Any, load: Any) -> None:
    """Add ``coach call`` to the command group."""

    @cli.command("call")
    @click.argument("ref")
    @variable_options
    @click.option("--client", help="The client's name (also fills client_name).")
    @click.option("--resume", is_flag=True, help="Reopen the last unfinished call of this script.")
    @click.option(
        "--theme",
        type=click.Choice(["dark", "light"]),
        default="dark",
        show_default=True,
        help="Colours (Ctrl+T switches during the call).",
    )
    @click.option("--listen", is_flag=True, help="Listen to the microphone and suggest as you go.")
    @click.option(
        "--listen-file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Listen to a recording at its own pace instead (demos, tests, benchmarks).",
    )
    @click.option("--model", help="Whisper model for listening (default: the installed one).")
    @click.option(
        "--rep-channel",
        type=click.Choice(["left", "right"]),
        default="left",
        show_default=True,
        help="In a stereo recording, the rep's side.",
    )
    @click.option(
        "--llm",
        "use_llm",
        is_flag=True,
        help="Under each objection card, a reply suggested by the LLM (a local "
        "`coach llm serve`, or COACH_LLM_BASE_URL); the card itself never waits for it.",
    )
    @no_redact_option
    @click.pass_context
    def call(
        ctx: click.Context,
        ref: str,
        variables: tuple[str, ...],
        client: str | None,
        resume: bool,
        example: bool,
        theme: str,
        listen: bool,
        listen_file: Path | None,
        model: str | None,
        rep_channel: str,
        use_llm: bool,
    ) -> None:
        """Guide a live call through a script, keyboard only; every action is journaled.

        \b
        Keys: → next stage, 1-9 tick a question, a-h the client's answer, / objection
        search, e notes, o finish (outcome, reminders, confirmation), ? help, Ctrl+Q pause.
        """
        from coach.call.session import CallSession, latest_unfinished, new_call_dir
        from coach.scripts.render import variable_values

        script = load(ctx, ref)
        if resume:
            folder = latest_unfinished(script.id)
            if folder is None:
                raise CoachError(f"{script.id}: no unfinished call to resume")
            session = CallSession.resume(script, folder)
        else:
            given = parse_vars(variables)
            if client and any(v.name == "client_name" for v in script.variables):
                given.setdefault("client_name", client)
            values = variable_values(script, given, use_examples=example)
            session = CallSession(script, values, new_call_dir(script, client), client)
        listener, notice = None, None
        if listen or listen_file is not None:
            from coach.call.listen import Listener, file_chunks, load_model, microphone_chunks

            try:
                source = (
                    file_chunks(listen_file) if listen_file is not None else microphone_chunks()
                )
                listener = Listener(
                    script,
                    source,
                    lambda: load_model(model),
                    rep_channel=0 if rep_channel == "left" else 1,
                )
            except CoachError as exc:  # said once on the screen; the call goes on
                notice = f"listening off: {exc}"
        advise = None
        if use_llm:
            from coach.llm.objection import advisor

            advise = advisor(session.raw, session.values, client_name=session.client)
        from coach.tui.call_app import CallApp

        booking = CallApp(
            session, theme=f"textual-{theme}", listener=listener, notice=notice, advisor=advise
        ).run()
        session.close()
        if booking is None:
            click.echo(f"call paused; resume with: coach call {ref} --resume", err=True)
            click.echo(f"journal: {session.folder / 'journal.jsonl'}", err=True)
            return
        click.echo(f"call record: {booking.record}")
        if booking.reminders_ics is not None:
            click.echo(f"reminders: {booking.reminders_ics} and {booking.reminders_json}")
        if booking.confirmation:
            click.echo(f"confirmation to send:\n{booking.confirmation}")
