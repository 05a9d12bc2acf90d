"""`coach score` and `coach eval`: the team lead's commands over transcripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from coach import files
from coach.analysis.analyse import CLASSIFIERS, analyse
from coach.analysis.scorecard import Scorecard, build, render_text, to_dict, to_markdown
from coach.analysis.selection import (
    AFTER_SALE_RUBRIC,
    DEFAULT_RUBRIC,
    pick_rubric,
    pick_script,
    question_labeller,
)
from coach.analysis.transcript import SUFFIXES, load_transcript, to_json
from coach.cli_llm import no_redact_option
from coach.cli_store import keep, store_options
from coach.config import Settings
from coach.errors import CoachError, Problem

EXIT_BELOW = 3


def expand(paths: tuple[Path, ...]) -> list[Path]:
    return files.expand(paths, SUFFIXES)


def print_summaries(
    cards: list[Scorecard],
    out: Path | None,
    markdown: bool,
    err: bool = False,
    stems: list[str] | None = None,
) -> None:
    """--summary: a coaching summary after the scorecards; NAME.summary.md next to them.

    ``err`` prints to stderr, so JSON on stdout stays one document."""
    from coach.llm.summary import coaching_summary
    from coach.llm.summary import to_markdown as summary_markdown
    from coach.llm.summary import to_text as summary_text

    for n, card in enumerate(cards):
        summary = coaching_summary(to_dict(card))
        click.echo("", err=err)
        text = summary_markdown(summary) if markdown else summary_text(summary)
        click.echo(text, nl=False, err=err)
        if out is not None:
            stem = stems[n] if stems else Path(card.source or "call").stem
            target = out / f"{stem}.summary.md"
            out.mkdir(parents=True, exist_ok=True)
            target.write_text(summary_markdown(summary), encoding="utf-8")
            click.echo(f"wrote {target}", err=True)


def score_file(
    path: Path,
    *,
    script: str | None,
    rubric: str | None,
    rep: str | None,
    language: str | None,
    settings: Settings,
    classifier: str = "hybrid",
    labeller: Any = None,
) -> Scorecard:
    transcript = load_transcript(path, rep_label=rep)
    if language:
        from dataclasses import replace

        transcript = replace(transcript, language=language)
    chosen = pick_script(script, transcript, settings)
    return build(
        analyse(transcript, chosen, classifier=classifier, labeller=labeller),
        pick_rubric(rubric, chosen, settings),
    )


def _write(card: Scorecard, fmt: str, out: Path) -> Path:
    stem = Path(card.source or "call").stem
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        target = out / f"{stem}.scorecard.md"
        target.write_text(to_markdown(card), encoding="utf-8")
    elif fmt == "text":
        target = out / f"{stem}.scorecard.txt"
        target.write_text(render_text([card]), encoding="utf-8")
    else:
        target = out / f"{stem}.scorecard.json"
        target.write_text(
            json.dumps(to_dict(card), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return target


def _store(
    cards: list[Scorecard],
    db_path: Path | None,
    rep: str | None,
    team: str | None,
    date: str | None,
) -> None:
    """Keep scored transcripts in the call store (the same transcript updates its call)."""
    from coach.ingest import call_meta

    calls = []
    for card in cards:
        transcript = card.analysis.transcript
        source = Path(transcript.source) if transcript.source else None
        meta = call_meta(source, transcript.meta, rep=rep, team=team, date=date)
        calls.append((to_dict(card), meta, None, to_json(transcript)))
    keep(db_path, calls)


def register(cli: click.Group, settings_of: Any) -> None:
    """Add the analysis commands to the root group."""

    @cli.command("score")
    @click.argument(
        "transcripts", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True)
    )
    @click.option(
        "--script",
        "script_ref",
        help="Script id or file (default: the transcript's "
        "`# script:` header, else the generic skeleton).",
    )
    @click.option(
        "--rubric",
        "rubric_ref",
        help=f"Rubric id or file (default: {DEFAULT_RUBRIC}; "
        f"{AFTER_SALE_RUBRIC} for after-sale scripts).",
    )
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json", "md"]),
        default="text",
        show_default=True,
    )
    @click.option(
        "--out",
        type=click.Path(path_type=Path, file_okay=False),
        help="Write one scorecard file per transcript into this directory.",
    )
    @click.option(
        "--fail-under",
        type=float,
        metavar="N",
        help="Exit 3 when any call scores below N (of 100).",
    )
    @click.option(
        "--rep",
        "rep_label",
        metavar="LABEL",
        help="The speaker label of the rep; every other label is the client.",
    )
    @click.option("--language", help="Override the transcript's language (en, ru, et, no).")
    @click.option(
        "--classifier",
        type=click.Choice(CLASSIFIERS),
        default="hybrid",
        show_default=True,
        help="SPIN labels from the rules alone, rules with the learned model, or a "
        "language model's second opinion (llm; hybrid labels where it fails).",
    )
    @click.option(
        "--summary",
        is_flag=True,
        help="Add a coaching summary (3 strengths, 3 changes, a plan) after each scorecard; "
        "phrased by the LLM when one answers, else from the scorecard alone.",
    )
    @store_options
    @no_redact_option
    @click.pass_context
    def score(
        ctx: click.Context,
        transcripts: tuple[Path, ...],
        script_ref: str | None,
        rubric_ref: str | None,
        fmt: str,
        out: Path | None,
        fail_under: float | None,
        rep_label: str | None,
        language: str | None,
        classifier: str,
        summary: bool,
        store_it: bool,
        db_path: Path | None,
        rep_name: str | None,
        team: str | None,
        call_date: str | None,
    ) -> None:
        """Score call transcripts (.json, .txt, .srt, .vtt) against a script and a rubric."""
        settings = settings_of(ctx)
        cards: list[Scorecard] = []
        problems: list[Problem] = []
        labeller = question_labeller(classifier)
        for path in expand(transcripts):
            try:
                cards.append(
                    score_file(
                        path,
                        script=script_ref,
                        rubric=rubric_ref,
                        rep=rep_label,
                        language=language,
                        settings=settings,
                        classifier=classifier,
                        labeller=labeller,
                    )
                )
            except CoachError as exc:
                problems += exc.problems
        for problem in problems:
            click.echo(str(problem), err=True)
        if store_it and cards:
            _store(cards, db_path, rep_name, team, call_date)
        if out is not None:
            for card in cards:
                click.echo(f"wrote {_write(card, fmt, out)}", err=True)
        if fmt == "json" and out is None:
            data = [to_dict(c) for c in cards]
            click.echo(
                json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2)
            )
        elif fmt == "md" and out is None:
            click.echo("\n".join(to_markdown(c) for c in cards), nl=False)
        elif cards:
            click.echo(render_text(cards), nl=False)
        if summary and cards:
            print_summaries(cards, out, markdown=fmt == "md", err=fmt == "json" and out is None)
        if problems:
            ctx.exit(1)
        if fail_under is not None and any(c.total < fail_under for c in cards):
            below = [c for c in cards if c.total < fail_under]
            click.echo(f"{len(below)} call(s) below {fail_under:g}", err=True)
            ctx.exit(EXIT_BELOW)

    @cli.command("eval")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
    @click.option(
        "--variants",
        default="json,text,asr",
        show_default=True,
        help="Input variants: json (as given), text (timestamped plain text), "
        "asr (plain text, lowercased, no punctuation).",
    )
    @click.option(
        "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
    )
    @click.option(
        "--errors",
        is_flag=True,
        help="List SPIN confusions, then every question missed or found wrongly.",
    )
    @click.option(
        "--classifier",
        type=click.Choice(CLASSIFIERS),
        default="hybrid",
        show_default=True,
        help="Measure the rules alone, rules with the learned model, or the LLM's labels.",
    )
    def evaluate(
        paths: tuple[Path, ...], variants: str, fmt: str, errors: bool, classifier: str
    ) -> None:
        """Measure accuracy on labelled calls (the shared/data/dev JSON format).

        The learned models (SPIN, stages, turn ends, spoken and rhetorical questions)
        were trained on shared/data/dev, tests/data/labelled and tests/data/train:
        measure them on other calls (tests/data/blind), or use --classifier rules.
        """
        from coach.analysis.evaluate import run_eval, slips_text

        chosen = [v.strip() for v in variants.split(",") if v.strip()]
        labeller = question_labeller(classifier)
        report = run_eval(expand(paths), chosen, classifier=classifier, labeller=labeller)
        if labeller is not None:
            click.echo(
                f"llm: {labeller.requests} request(s) to {labeller.settings.base_url}; "
                f"{labeller.fallbacks} question(s) kept the hybrid labels"
                + (f" ({labeller.down})" if labeller.down else ""),
                err=True,
            )
        if fmt == "json":
            click.echo(json.dumps(report.as_dict(), indent=2))
            return
        click.echo(report.table(), nl=False)
        if errors:
            click.echo(report.confusion_text(), nl=False)
            click.echo(slips_text(report), nl=False)
