"""`coach practice`: role-play a call against a simulated client (Textual only when it runs)."""

from __future__ import annotations

from typing import Any

import click

from coach.cli_llm import no_redact_option
from coach.cli_vars import parse_vars, variable_options
from coach.errors import CoachError, LLMError
from coach.practice.persona import DEFAULT_PERSONA, PERSONAS

PROBE_TIMEOUT_S = 3.0


def register(cli: click.Group, settings_of: Any, load: Any) -> None:
    """Add ``coach practice`` to the command group."""

    @cli.command("practice")
    @click.argument("ref")
    @variable_options
    @click.option(
        "--persona",
        type=click.Choice(list(PERSONAS)),
        default=DEFAULT_PERSONA,
        show_default=True,
        help="Who the client is: which doubts come first, how patient it is.",
    )
    @click.option(
        "--language",
        type=click.Choice(["ru", "en"]),
        help="The client's language (default: the script's).",
    )
    @click.option("--rubric", help="Rubric id or file to score with (default: fits the script).")
    @click.option(
        "--no-llm", is_flag=True, help="No model: the client answers from the script itself."
    )
    @click.option(
        "--resume", is_flag=True, help="Go on with the last unfinished practice of this script."
    )
    @no_redact_option
    @click.pass_context
    def practice(
        ctx: click.Context,
        ref: str,
        variables: tuple[str, ...],
        example: bool,
        persona: str,
        language: str | None,
        rubric: str | None,
        no_llm: bool,
        resume: bool,
    ) -> None:
        """Practise a script: the client answers as you type; Ctrl+E ends and scores.

        \b
        The model plays the client and raises the script's objections; without one (or with
        --no-llm) a scripted client answers from the script. Keys: Enter sends, Ctrl+E end and
        score, Ctrl+Q quit (the journal is kept), ? help on an empty line.
        """
        from coach.analysis.selection import pick_rubric
        from coach.practice.client import ModelClient, ScriptedClient, SimulatedClient
        from coach.practice.persona import persona as persona_named
        from coach.practice.session import (
            JOURNAL,
            PracticeSession,
            latest_unfinished,
            new_practice_dir,
        )
        from coach.scripts.render import variable_values

        script = load(ctx, ref)
        chosen = pick_rubric(rubric, script, settings_of(ctx))
        if resume:
            folder = latest_unfinished(script.id)
            if folder is None:
                raise CoachError(f"{script.id}: no unfinished practice to resume")
            session = PracticeSession.resume(script, folder)
            values, persona = session.values, session.persona
        else:
            values = variable_values(script, parse_vars(variables), use_examples=example)
            session = PracticeSession(
                script, values, new_practice_dir(script), persona=persona, language=language
            )
        character = persona_named(persona)
        client: SimulatedClient
        notice = None
        if no_llm:
            client = ScriptedClient(session.script, character, session.language)
        else:
            from coach.llm.client import served_models
            from coach.llm.config import load_llm_settings

            settings = load_llm_settings()
            try:
                served_models(settings, timeout_s=PROBE_TIMEOUT_S)
            except LLMError as exc:  # said once on the screen; the practice goes on
                notice = f"no model, the scripted client answers: {exc}"
                client = ScriptedClient(session.script, character, session.language)
            else:
                client = ModelClient(
                    session.script, character, session.language, settings=settings, values=values
                )
        from coach.tui.practice_app import PracticeApp

        result = PracticeApp(session, client, chosen, notice=notice).run()
        session.close()
        if result is None:
            click.echo(
                f"practice paused; go on with: coach practice {ref} --resume "
                f"(journal: {session.folder / JOURNAL})",
                err=True,
            )
            return
        card = result.scorecard
        click.echo(f"score: {card.total:g}/100 ({'passed' if card.passed else 'not passed'})")
        click.echo(f"scorecard: {result.scorecard_path}")
        click.echo(f"transcript: {result.transcript_path}")
