"""`coach report`: a team lead's report over the call store, or one call's report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from coach.analysis.rubric import load_rubric
from coach.cli_llm import no_redact_option
from coach.config import Settings
from coach.errors import CoachError
from coach.report.data import (
    DEFAULT_TALK_BAND,
    build_call_report,
    build_report,
    pick_highlights,
    scored,
    talk_band_of,
)
from coach.report.render import FORMATS, LANGUAGES, render_call, render_period, scope_title
from coach.store import CallDetail, CallFilter, CallSummary, Store, default_path

BEST_PRACTICE_LIMIT = 20  # moments listed in a period report


def talk_band(rubric: str | None, settings: Settings) -> tuple[float, float]:
    """The rubric's talk-ratio target when the rubric loads and has one, else the default."""
    if not rubric:
        return DEFAULT_TALK_BAND
    try:
        band = talk_band_of(load_rubric(rubric, settings.rubric_dirs))
    except CoachError:
        return DEFAULT_TALK_BAND
    return band or DEFAULT_TALK_BAND


def _main_rubric(calls: list[CallSummary]) -> str | None:
    names = [c.rubric for c in calls if c.rubric]
    return max(set(names), key=lambda n: (names.count(n), n)) if names else None


def _check_day(value: str | None, option: str) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value)
    except ValueError:
        raise CoachError(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


def period_report(
    store: Store,
    *,
    rep: str | None,
    team: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    language: str,
    settings: Settings,
) -> str:
    which = CallFilter(rep=rep, team=team, since=since, until=until, descending=False)
    calls = scored(store.calls(which))
    if not calls:
        asked = ", ".join(
            f"{name} {value}"
            for name, value in (
                ("--rep", rep),
                ("--team", team),
                ("--since", since),
                ("--until", until),
            )
            if value
        )
        raise CoachError(
            f"no scored calls in {store.path}"
            + (f" for {asked}" if asked else "")
            + "; widen the selection or store calls with `coach score`"
        )
    details: dict[int, CallDetail] = {}
    best, worst = pick_highlights(calls)
    ids = {c.id for c in calls}
    moments = [m for m in store.moments() if m[0] in ids][:BEST_PRACTICE_LIMIT]
    for call_id in {c.id for c in best + worst} | {m[0] for m in moments}:
        details[call_id] = store.call(call_id)
    data = build_report(
        calls,
        details,
        moments,
        scope=scope_title(rep, team, language),
        since=since,
        until=until,
        talk_band=talk_band(_main_rubric(calls), settings),
    )
    return render_period(data, fmt, language)


def call_report(
    store: Store,
    call_id: int,
    *,
    fmt: str,
    language: str,
    settings: Settings,
    summary: bool = False,
) -> str:
    detail = store.call(call_id)
    if detail.scorecard is None:
        raise CoachError(f"call {call_id} has no scorecard yet; score it with `coach score`")
    band = talk_band(detail.summary.rubric, settings)
    coaching = None
    if summary:
        from coach.llm.summary import coaching_summary

        coaching = coaching_summary(
            detail.scorecard, language=language, rep_name=detail.summary.rep or None
        )
    return render_call(build_call_report(detail, talk_band=band), fmt, language, summary=coaching)


def register(cli: click.Group, settings_of: Any) -> None:
    """Add `coach report` to the root group."""

    @cli.command("report")
    @click.option(
        "--db",
        type=click.Path(path_type=Path, dir_okay=False),
        help="The call store (default: calls.db in your data directory).",
    )
    @click.option("--call", "call_id", type=int, metavar="ID", help="Report on this one call.")
    @click.option("--rep", help="Only this rep's calls.")
    @click.option("--team", help="Only this team's calls.")
    @click.option("--since", metavar="YYYY-MM-DD", help="From this day on.")
    @click.option("--until", metavar="YYYY-MM-DD", help="Up to and including this day.")
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
    @click.option(
        "--out",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Write the report to this file (default: standard output).",
    )
    @click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True)
    @click.option(
        "--summary",
        is_flag=True,
        help="With --call: add a coaching summary (3 strengths, 3 changes, a plan), phrased "
        "by the LLM when one answers, else from the scorecard alone.",
    )
    @no_redact_option
    @click.pass_context
    def report(
        ctx: click.Context,
        db: Path | None,
        call_id: int | None,
        rep: str | None,
        team: str | None,
        since: str | None,
        until: str | None,
        fmt: str,
        out: Path | None,
        language: str,
        summary: bool,
    ) -> None:
        """A report with charts per rep or team over a period, or for one call (--call).

        Markdown to the terminal by default; --format html writes one self-contained
        file (inline CSS and SVG, works offline and prints well)."""
        settings = settings_of(ctx)
        _check_day(since, "--since")
        _check_day(until, "--until")
        path = db or default_path()
        if not path.exists():
            raise CoachError("no call store here; store calls first or pass --db", file=path)
        with Store(path) as store:
            if call_id is not None:
                text = call_report(
                    store,
                    call_id,
                    fmt=fmt,
                    language=language,
                    settings=settings,
                    summary=summary,
                )
            else:
                text = period_report(
                    store,
                    rep=rep,
                    team=team,
                    since=since,
                    until=until,
                    fmt=fmt,
                    language=language,
                    settings=settings,
                )
        if out is None:
            click.echo(text, nl=False)
            return
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CoachError(f"cannot write the report: {exc.strerror}", file=out) from None
        click.echo(f"wrote {out}", err=True)
