"""`coach batch`: analyse a folder or manifest of calls into the store, resumably."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from coach.batch import Outcome, Plan, default_workers, discover, run_batch, select
from coach.cli_audio import recording_options
from coach.cli_llm import no_redact_option
from coach.config import Settings
from coach.errors import CoachError
from coach.store import Store, default_path

EXIT_INTERRUPTED = 130


class Progress:
    """One bar for the whole batch: files, throughput, ETA; or JSON lines; or nothing."""

    def __init__(self, mode: str, total: int) -> None:
        self.mode = mode
        self.total = total
        self.done = 0
        self.started = time.perf_counter()
        self.bar: Any = None
        if mode == "bar" and total:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("analysing"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
                transient=False,
            )
            self.task = self.bar.add_task("batch", total=total, rate="")
            self.bar.start()

    def update(self, outcome: Outcome) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.started
        per_hour = self.done / elapsed * 3600 if elapsed else 0.0
        if self.bar is not None:
            self.bar.update(self.task, advance=1, rate=f"{per_hour:,.0f} calls/h")
        elif self.mode == "json":
            click.echo(
                json.dumps(
                    {
                        "file": outcome.job.path,
                        "ok": outcome.error is None,
                        "error": outcome.error,
                        "done": self.done,
                        "total": self.total,
                        "calls_per_hour": round(per_hour, 1),
                    },
                    ensure_ascii=False,
                ),
                err=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def register(cli: click.Group, settings_of: Any) -> None:
    @cli.command("batch")
    @click.argument("source", type=click.Path(path_type=Path, exists=True))
    @recording_options
    @click.option(
        "--rep",
        "rep_label",
        metavar="LABEL",
        help="In transcripts: the speaker label of the rep.",
    )
    @click.option(
        "--backend", type=click.Choice(["local", "dask"]), default="local", show_default=True
    )
    @click.option(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="A running Dask scheduler (with --backend dask; default: a local cluster).",
    )
    @click.option(
        "--workers",
        type=click.IntRange(1, 256),
        help="Worker processes (default: one per core; each loads the model once).",
    )
    @click.option(
        "--store",
        "--db",
        "db_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="The call store (default: calls.db in coach's data directory).",
    )
    @click.option("--include", multiple=True, metavar="GLOB", help="Only files matching this.")
    @click.option("--exclude", multiple=True, metavar="GLOB", help="Leave out files matching this.")
    @click.option("--retry-failed", is_flag=True, help="Try again the files that failed before.")
    @click.option(
        "--progress",
        "progress_mode",
        type=click.Choice(["bar", "json", "none"]),
        default="bar",
        show_default=True,
    )
    @no_redact_option
    @click.pass_context
    def batch(
        ctx: click.Context,
        source: Path,
        script_ref: str | None,
        rubric_ref: str | None,
        language: str,
        model: str | None,
        channels: str,
        rep_channel: str | None,
        no_cache: bool,
        classifier: str,
        rep_label: str | None,
        backend: str,
        scheduler: str | None,
        workers: int | None,
        db_path: Path | None,
        include: tuple[str, ...],
        exclude: tuple[str, ...],
        retry_failed: bool,
        progress_mode: str,
    ) -> None:
        """Analyse every recording and transcript in SOURCE (a folder, searched
        recursively, or a CSV manifest with path,rep,team,date,script,language) into the
        store. What the store holds is skipped, so an interrupted batch resumes; a file
        that fails is recorded with its error and the batch goes on."""
        from coach.analysis.transcribe import TranscribeOptions

        settings: Settings = settings_of(ctx)
        if scheduler and backend != "dask":
            raise click.UsageError("--scheduler needs --backend dask")
        jobs = discover(source, include, exclude)
        if not jobs:
            raise CoachError("no recordings or transcripts found", file=source)
        if any(j.kind == "audio" for j in jobs):
            from coach.analysis.whisper_models import resolve

            resolve(model)  # fail early, with the command to run, when no model is installed
        count = workers or default_workers()
        cores = os.cpu_count() or 1
        plan = Plan(
            settings=settings,
            script=script_ref,
            rubric=rubric_ref,
            rep_label=rep_label,
            classifier=classifier,
            transcribe=TranscribeOptions(
                model=model,
                language=None if language == "auto" else language,
                channels=channels,
                rep_channel=rep_channel,
                cpu_threads=max(1, cores // count),
            ),
            use_cache=not no_cache,
        )
        with Store(db_path or default_path()) as store:
            chosen = select(store, jobs, retry_failed)
            click.echo(
                f"{len(jobs)} file(s): {len(chosen.todo)} to analyse, "
                f"{len(chosen.skipped)} already stored"
                + (
                    f", {len(chosen.failed_before)} failed before (--retry-failed)"
                    if chosen.failed_before
                    else ""
                ),
                err=True,
            )
            progress = Progress(progress_mode, len(chosen.todo))
            try:
                summary = run_batch(
                    store,
                    jobs,
                    plan,
                    backend=backend,
                    workers=min(count, max(1, len(chosen.todo))),
                    scheduler=scheduler,
                    retry_failed=retry_failed,
                    on_outcome=progress.update,
                )
            except KeyboardInterrupt:
                progress.close()
                click.echo(
                    f"interrupted after {progress.done} file(s); run the same command to resume",
                    err=True,
                )
                ctx.exit(EXIT_INTERRUPTED)
            progress.close()
        for path, error in summary.errors:
            click.echo(f"{path}: {error}" if not error.startswith(path) else error, err=True)
        hours = summary.audio_s / 3600
        rtf = summary.real_time_factor
        click.echo(
            f"done {summary.done}, skipped {summary.skipped}, failed {summary.failed}"
            + (f" (+{summary.failed_before} failed before)" if summary.failed_before else "")
            + f" · {hours:.2f} h of audio"
            + (f" · {rtf:.1f}× real time" if rtf else "")
            + f" · {summary.wall_s:.1f} s"
        )
        if summary.failed:
            click.echo("retry the failed files with --retry-failed", err=True)
            ctx.exit(1)
