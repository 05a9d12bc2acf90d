"""`coach review`: the team lead's review screen over the call store (Textual is imported
only when it runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coach.config import user_data_dir
from coach.errors import CoachError
from coach.scripts.model import StageKind
from coach.store import CallFilter, Store, default_path

SORTS = ("date", "score", "rep", "talk")
STAGE_KINDS = tuple(kind.value for kind in StageKind)


def register(cli: click.Group, settings_of: Any) -> None:
    """Add `coach review` to the root group."""

    @cli.command("review")
    @click.option(
        "--db",
        type=click.Path(path_type=Path, dir_okay=False),
        help="The call store (default: calls.db in your data directory).",
    )
    @click.option("--rep", help="Only this rep's calls.")
    @click.option("--team", help="Only this team's calls.")
    @click.option("--since", metavar="YYYY-MM-DD", help="Calls on or after this day.")
    @click.option("--until", metavar="YYYY-MM-DD", help="Calls on or before this day.")
    @click.option("--min-score", type=float, metavar="N", help="Calls scoring at least N.")
    @click.option("--max-score", type=float, metavar="N", help="Calls scoring at most N.")
    @click.option(
        "--missed",
        type=click.Choice(STAGE_KINDS),
        metavar="KIND",
        help="Calls that missed this stage kind (close, problem, … as in FORMATS.md §3).",
    )
    @click.option("--tag", help="Calls with this tag (best: best practice).")
    @click.option("--sort", type=click.Choice(SORTS), default="date", show_default=True)
    @click.option(
        "--language",
        type=click.Choice(["en", "ru"]),
        default="en",
        show_default=True,
        help="The screen's and the feedback notes' language.",
    )
    @click.option(
        "--feedback-dir",
        type=click.Path(path_type=Path, file_okay=False),
        help="Where `f` writes feedback notes (default: feedback/ in your data directory).",
    )
    @click.option(
        "--author",
        metavar="NAME",
        envvar="COACH_AUTHOR",
        help="Your name on comments and feedback notes (or COACH_AUTHOR).",
    )
    def review(
        db: Path | None,
        rep: str | None,
        team: str | None,
        since: str | None,
        until: str | None,
        min_score: float | None,
        max_score: float | None,
        missed: str | None,
        tag: str | None,
        sort: str,
        language: str,
        feedback_dir: Path | None,
        author: str | None,
    ) -> None:
        """Review stored calls: transcript by stage, criteria with evidence, comments,
        best practice, and a feedback note for the rep."""
        path = db or default_path()
        if not path.exists():
            raise CoachError(
                "no call store here yet; store scored calls with `coach ingest` first", file=path
            )
        which = CallFilter(
            rep=rep,
            team=team,
            since=since,
            until=until,
            min_score=min_score,
            max_score=max_score,
            missed=missed,
            tag=tag,
            sort=sort,
        )
        with Store(path) as store:
            if store.count() == 0:
                raise CoachError(
                    "the call store is empty; store scored calls with `coach ingest` first",
                    file=path,
                )
            if not store.calls(which):
                raise CoachError(
                    "no stored call matches these options; loosen --rep, --since, --until, "
                    "--min-score, --max-score, --missed or --tag",
                    file=path,
                )
            from coach.tui.review_app import ReviewApp

            ReviewApp(
                store,
                which,
                language=language,
                feedback_dir=feedback_dir or user_data_dir() / "feedback",
                author=author,
            ).run()
