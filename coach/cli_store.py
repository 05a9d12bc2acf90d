"""The call store's commands: ``coach ingest`` and ``coach calls list|show|delete|export``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from coach.errors import CoachError
from coach.ingest import CallMeta, ingest, iso_date, store_scorecard
from coach.store import CallFilter, CallSummary, Store, default_path
from coach.text import table

F = TypeVar("F", bound=Callable[..., Any])

SORTS = ["date", "score", "rep", "talk"]
CSV_FIELDS = [
    "id",
    "date",
    "rep",
    "team",
    "script",
    "language",
    "duration_s",
    "rubric",
    "total",
    "passed",
    "talk_ratio",
    "questions",
    "open_questions",
    "closed_questions",
    "situation",
    "problem",
    "implication",
    "need_payoff",
    "missed",
    "outcome",
    "tags",
    "comments",
    "source",
]


def db_option(command: F) -> F:
    """``--db PATH``: the store file (default: calls.db in the user's data directory)."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="The call store (default: calls.db in coach's data directory).",
    )(command)


def filter_options(command: F) -> F:
    """The options that select calls, shared by list, export, review and report."""
    for option in reversed(
        [
            click.option("--rep", "rep_name", metavar="NAME", help="Only this rep's calls."),
            click.option("--team", metavar="NAME", help="Only this team's calls."),
            click.option("--since", metavar="YYYY-MM-DD", help="Calls on or after this day."),
            click.option("--until", metavar="YYYY-MM-DD", help="Calls on or before this day."),
            click.option("--min-score", type=float, metavar="N", help="Score at least N."),
            click.option("--max-score", type=float, metavar="N", help="Score at most N."),
            click.option("--missed", metavar="KIND", help="Calls that missed this stage kind."),
            click.option("--tag", metavar="TAG", help="Calls with this tag (best: best practice)."),
            click.option("--sort", type=click.Choice(SORTS), default="date", show_default=True),
            click.option("--ascending", is_flag=True, help="Oldest / lowest first."),
            click.option("--limit", type=int, metavar="N", help="At most N calls."),
        ]
    ):
        command = option(command)
    return command


def call_filter(options: dict[str, Any]) -> CallFilter:
    """A CallFilter from the values of ``filter_options`` (dates checked here)."""
    since, until = options.get("since"), options.get("until")
    return CallFilter(
        rep=options.get("rep_name"),
        team=options.get("team"),
        since=iso_date(since)[:10] if since else None,
        until=iso_date(until)[:10] if until else None,
        min_score=options.get("min_score"),
        max_score=options.get("max_score"),
        missed=options.get("missed"),
        tag=options.get("tag"),
        sort=options.get("sort") or "date",
        descending=not options.get("ascending", False),
        limit=options.get("limit"),
    )


def store_options(command: F) -> F:
    """``--store`` and what it needs, for the commands that score calls."""
    for option in reversed(
        [
            click.option(
                "--store", "store_it", is_flag=True, help="Also keep the scored calls in the store."
            ),
            click.option(
                "--db",
                "db_path",
                type=click.Path(path_type=Path, dir_okay=False),
                help="The call store for --store (default: calls.db in coach's data directory).",
            ),
            click.option("--rep-name", metavar="NAME", help="With --store: who made the calls."),
            click.option("--team", metavar="NAME", help="With --store: the rep's team."),
            click.option(
                "--date", "call_date", metavar="YYYY-MM-DD[THH:MM]", help="With --store: when."
            ),
        ]
    ):
        command = option(command)
    return command


def open_store(db_path: Path | None) -> Store:
    return Store(db_path or default_path())


def keep(
    db_path: Path | None,
    calls: Sequence[tuple[dict[str, Any], CallMeta, Path | None, dict[str, Any] | None]],
) -> None:
    """``--store``: scored calls (scorecard, who/when, recording, transcript) into the store."""
    with open_store(db_path) as store:
        for card, meta, audio, transcript in calls:
            store_scorecard(store, card, meta, audio=audio, transcript=transcript)
        click.echo(f"stored {len(calls)} call(s) in {store.path}", err=True)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _score(call: CallSummary) -> str:
    if call.total is None:
        return "—"
    return f"{call.total:g}" + ("" if call.passed else " ✗")


def summary_row(call: CallSummary) -> dict[str, Any]:
    """One call as a flat row (CSV, JSON lists)."""
    return {
        "id": call.id,
        "date": call.date,
        "rep": call.rep,
        "team": call.team,
        "script": call.script,
        "language": call.language,
        "duration_s": call.duration_s,
        "rubric": call.rubric,
        "total": call.total,
        "passed": call.passed,
        "talk_ratio": call.talk_ratio,
        "questions": call.questions,
        "open_questions": call.open_questions,
        "closed_questions": call.closed_questions,
        **{kind: call.spin.get(kind) for kind in ("situation", "problem", "implication")},
        "need_payoff": call.spin.get("need_payoff"),
        "missed": " ".join(call.missed),
        "outcome": call.outcome,
        "tags": " ".join(call.tags),
        "comments": call.comments,
        "source": call.source,
    }


def to_csv(calls: list[CallSummary]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for call in calls:
        writer.writerow(summary_row(call))
    return buffer.getvalue()


def register(cli: click.Group, settings_of: Any) -> None:
    """Add ``ingest`` and ``calls`` to the root group."""

    @cli.command("ingest")
    @click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
    @db_option
    @click.option("--rep-name", metavar="NAME", help="The rep who made these calls.")
    @click.option("--team", metavar="NAME", help="The team these calls belong to.")
    @click.pass_context
    def ingest_command(
        ctx: click.Context,
        paths: tuple[Path, ...],
        db_path: Path | None,
        rep_name: str | None,
        team: str | None,
    ) -> None:
        """Load scorecards (from coach score/analyse) and call records (from coach call)
        into the store. Loading the same call again updates it.

        With no PATHS, the records of the calls made on this machine are loaded."""
        if not paths:
            from coach.call.session import calls_dir

            if not calls_dir().is_dir():
                raise CoachError(f"no calls recorded on this machine yet ({calls_dir()})")
            paths = (calls_dir(),)
        with open_store(db_path) as store:
            report = ingest(store, [Path(p) for p in paths], rep=rep_name, team=team)
            for problem in report.problems:
                click.echo(str(problem), err=True)
            click.echo(
                f"{report.added} new call(s), {report.updated} updated, "
                f"{report.records} call record(s) → {store.path}"
            )
        if report.problems:
            ctx.exit(1)
        if report.total == 0:
            raise CoachError("no scorecards or call records found in " + ", ".join(map(str, paths)))

    @cli.group("calls")
    def calls_group() -> None:
        """List, show, delete and export the calls in the store."""

    @calls_group.command("list")
    @db_option
    @filter_options
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text")
    def calls_list(db_path: Path | None, fmt: str, **options: Any) -> None:
        """The stored calls, newest first, with their scores and what they missed."""
        with open_store(db_path) as store:
            calls = store.calls(call_filter(options))
        if fmt == "json":
            click.echo(json.dumps([summary_row(c) for c in calls], ensure_ascii=False, indent=2))
        elif fmt == "csv":
            click.echo(to_csv(calls), nl=False)
        elif not calls:
            click.echo("no calls match" if options_used(options) else "the store has no calls")
        else:
            rows = [
                [
                    str(c.id),
                    (c.date or "")[:16].replace("T", " "),
                    c.rep or "—",
                    c.script or "—",
                    _score(c),
                    _pct(c.talk_ratio),
                    " ".join(c.missed) or "—",
                    c.outcome or "—",
                    " ".join(c.tags),
                ]
                for c in calls
            ]
            click.echo(
                table(
                    rows,
                    ["ID", "DATE", "REP", "SCRIPT", "SCORE", "TALK", "MISSED", "OUTCOME", "TAGS"],
                )
            )

    @calls_group.command("show")
    @click.argument("call_id", type=int)
    @db_option
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
    def calls_show(call_id: int, db_path: Path | None, fmt: str) -> None:
        """One call: its scorecard, outcome, comments and tags."""
        with open_store(db_path) as store:
            detail = store.call(call_id)
        if fmt == "json":
            click.echo(
                json.dumps(
                    {
                        "call": summary_row(detail.summary),
                        "scorecard": detail.scorecard,
                        "record": detail.record,
                        "comments": [asdict(c) for c in detail.comments],
                        "tags": [asdict(t) for t in detail.tags],
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        s = detail.summary
        click.echo(f"call {s.id} · {s.date or 'no date'} · {s.rep or 'unknown rep'}")
        if detail.scorecard is not None:
            click.echo(
                f"score {_score(s)} ({s.rubric}) · talk {_pct(s.talk_ratio)} · "
                f"{s.questions or 0} questions · missed: {' '.join(s.missed) or 'nothing'}"
            )
            for criterion in detail.scorecard.get("criteria") or []:
                mark = "✓" if criterion.get("passed") else "✗"
                click.echo(
                    f"  {mark} {criterion.get('label')}: {criterion.get('score'):g}/"
                    f"{criterion.get('max'):g} — {criterion.get('detail')}"
                )
        if detail.record is not None:
            click.echo(f"outcome: {s.outcome or 'none recorded'}")
        for comment in detail.comments:
            where = "call" if comment.utterance < 0 else f"#{comment.utterance}"
            click.echo(f"comment ({where}): {comment.body}")
        if detail.tags:
            click.echo(
                "tags: "
                + ", ".join(
                    t.tag + ("" if t.utterance < 0 else f" #{t.utterance}") for t in detail.tags
                )
            )

    @calls_group.command("delete")
    @click.argument("call_ids", type=int, nargs=-1, required=True)
    @db_option
    @click.option("--yes", is_flag=True, help="Do not ask first.")
    def calls_delete(call_ids: tuple[int, ...], db_path: Path | None, yes: bool) -> None:
        """Delete calls with their transcripts, scorecards, comments and tags."""
        with open_store(db_path) as store:
            for call_id in call_ids:
                store.call(call_id)  # a clear error before asking about a call not there
            if not yes:
                click.confirm(f"delete {len(call_ids)} call(s)?", abort=True, err=True)
            for call_id in call_ids:
                store.delete(call_id)
        click.echo(f"deleted {len(call_ids)} call(s)")

    @calls_group.command("export")
    @db_option
    @filter_options
    @click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
    @click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write here.")
    def calls_export(db_path: Path | None, fmt: str, out: Path | None, **options: Any) -> None:
        """Export the selected calls: JSON with full scorecards and comments, or CSV rows."""
        with open_store(db_path) as store:
            calls = store.calls(call_filter(options))
            if fmt == "csv":
                text = to_csv(calls)
            else:
                details = [store.call(c.id) for c in calls]
                text = (
                    json.dumps(
                        [
                            {
                                "call": summary_row(d.summary),
                                "scorecard": d.scorecard,
                                "transcript": d.transcript,
                                "record": d.record,
                                "comments": [asdict(c) for c in d.comments],
                                "tags": [asdict(t) for t in d.tags],
                            }
                            for d in details
                        ],
                        ensure_ascii=False,
                        indent=2,
                    )
                    + "\n"
                )
        if out is None:
            click.echo(text, nl=False)
        else:
            out.write_text(text, encoding="utf-8")
            click.echo(f"wrote {len(calls)} call(s) to {out}", err=True)


def options_used(options: dict[str, Any]) -> bool:
    return any(
        options.get(k) is not None
        for k in ("rep_name", "team", "since", "until", "min_score", "max_score", "missed", "tag")
    )
