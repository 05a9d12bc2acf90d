"""The `coach` command: parses arguments and calls the core, nothing else.

User mistakes (CoachError) print one line per problem and exit 1; usage errors exit 2;
anything else is a bug and shows its traceback (exit 70).
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from coach import __version__, collector
from coach.analysis.rubric import METRICS, Check, list_rubrics, load_rubric, rubric_files
from coach.cli_vars import parse_vars, variable_options
from coach.config import Settings, load_settings
from coach.errors import CoachError, Problem
from coach.scripts import cheatsheet, lint, render
from coach.scripts.loader import find_script, is_path_ref, list_scripts, load_script, script_files
from coach.scripts.model import Script
from coach.scripts.schema import schema_text
from coach.text import table

EXIT_USER = 1
EXIT_BUG = 70
F = TypeVar("F", bound=Callable[..., Any])


def _settings(ctx: click.Context) -> Settings:
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        obj["settings"] = load_settings(obj.get("templates"), obj.get("rubrics"))
    settings = obj["settings"]
    assert isinstance(settings, Settings)
    return settings


def _add_dirs(ctx: click.Context, key: str, values: Iterable[Path]) -> None:
    obj = ctx.ensure_object(dict)
    obj.setdefault(key, [])
    obj[key] = [*values, *obj[key]]
    obj.pop("settings", None)


def _dir_options(fn: F) -> F:
    """--templates / --rubrics, accepted on the root and on each group."""

    def store(key: str) -> Callable[[click.Context, click.Parameter, tuple[Path, ...]], None]:
        def callback(ctx: click.Context, _param: click.Parameter, value: tuple[Path, ...]) -> None:
            if value:
                _add_dirs(ctx, key, value)

        return callback

    fn = click.option(
        "--templates",
        type=click.Path(path_type=Path, file_okay=False),
        multiple=True,
        expose_value=False,
        callback=store("templates"),
        is_eager=True,
        help="A directory of your own scripts, searched before the bundled ones.",
    )(fn)
    fn = click.option(
        "--rubrics",
        type=click.Path(path_type=Path, file_okay=False),
        multiple=True,
        expose_value=False,
        callback=store("rubrics"),
        is_eager=True,
        help="A directory of your own rubrics, searched before the bundled ones.",
    )(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", "-V", prog_name="coach")
@_dir_options
def cli() -> None:
    """Call scripts, live guidance and post-call scoring for sales teams.

    \b
    Reps:        coach script render ID --var client_name=Anna
    Trainers:    coach script new --from car-dealer-en --id my-dealer; coach script lint
    Team leads:  coach rubric list
    """


# --- output helpers -------------------------------------------------------------------
def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _expand(refs: tuple[str, ...], files_in: Callable[[list[Path]], list[Path]]) -> list[str]:
    """Directories become the YAML files in them; ids and files pass through."""
    out: list[str] = []
    for ref in refs:
        path = Path(ref)
        if path.is_dir():
            out += [str(p) for p in files_in([path])]
        else:
            out.append(ref)
    return out


# --- coach script -------------------------------------------------------------------
@cli.group()
@_dir_options
def script() -> None:
    """Trainers' tools: list, show, lint, render and scaffold call scripts."""


@script.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--all", "show_all", is_flag=True, help="Include abstract base scripts.")
@click.pass_context
def script_list(ctx: click.Context, fmt: str, show_all: bool) -> None:
    """List the scripts on the search path (your directories first, then bundled)."""
    entries = [e for e in list_scripts(_settings(ctx).template_dirs) if show_all or not e.abstract]
    if fmt == "json":
        _echo_json(
            [
                {
                    "id": e.id,
                    "title": e.title,
                    "language": e.language,
                    "industry": e.industry,
                    "path": str(e.path),
                    "abstract": e.abstract,
                }
                for e in entries
            ]
        )
        return
    rows = [
        [e.id, e.language, e.industry, e.title + (" (base)" if e.abstract else "")] for e in entries
    ]
    click.echo(table(rows, ["ID", "LANG", "INDUSTRY", "TITLE"]))


def _load(ctx: click.Context, ref: str) -> Script:
    dirs = _settings(ctx).template_dirs
    path = Path(ref) if is_path_ref(ref) or Path(ref).is_file() else find_script(ref, dirs)
    return load_script(path, dirs)


@script.command("show")
@click.argument("ref")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True
)
@click.pass_context
def script_show(ctx: click.Context, ref: str, fmt: str) -> None:
    """Show a script as it is after `extends:` and `include:` are resolved."""
    loaded = _load(ctx, ref)
    data = loaded.model_dump(mode="json", exclude_defaults=True)
    if fmt == "json":
        _echo_json(data)
    else:
        click.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), nl=False)


@script.command("lint")
@click.argument("refs", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Warnings fail too.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def script_lint(ctx: click.Context, refs: tuple[str, ...], strict: bool, fmt: str) -> None:
    """Check scripts (files, directories or ids) against the sales skeleton.

    Exit 1 when any script has an error (or, with --strict, a warning).
    """
    all_findings: list[lint.Finding] = []
    checked = 0
    for ref in _expand(refs, script_files):
        checked += 1
        try:
            loaded = _load(ctx, ref)
        except CoachError as exc:
            all_findings += [_load_finding(p, ref) for p in exc.problems]
            continue
        all_findings += lint.lint(loaded)
    failed = lint.fails(all_findings, strict=strict)
    if fmt == "json":
        _echo_json(
            {"checked": checked, "failed": failed, "findings": [f.as_dict() for f in all_findings]}
        )
    else:
        for finding in all_findings:
            click.echo(str(finding), err=finding.severity is not lint.Severity.info)
        errors = sum(f.severity is lint.Severity.error for f in all_findings)
        warnings = sum(f.severity is lint.Severity.warning for f in all_findings)
        click.echo(
            f"{checked} script(s) checked: {errors} error(s), {warnings} warning(s)"
            + (" (strict)" if strict else ""),
            err=failed,
        )
    if failed:
        ctx.exit(EXIT_USER)


def _load_finding(problem: Problem, ref: str) -> lint.Finding:
    return lint.Finding(
        "load",
        lint.Severity.error,
        problem.message,
        "",
        problem.file or ref,
        problem.line,
        problem.column,
    )


@script.command("render")
@click.argument("ref")
@variable_options
@click.option(
    "--format", "fmt", type=click.Choice(list(cheatsheet.FORMATS)), default="md", show_default=True
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of the terminal.",
)
@click.pass_context
def script_render(
    ctx: click.Context,
    ref: str,
    variables: tuple[str, ...],
    example: bool,
    fmt: str,
    out: Path | None,
) -> None:
    """Print a script as a cheat sheet with its variables filled in."""
    loaded = _load(ctx, ref)
    values = render.variable_values(loaded, parse_vars(variables), use_examples=example)
    text = cheatsheet.cheat_sheet(render.filled_script(loaded, values), fmt)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {out}", err=True)


@script.command("new")
@click.option("--from", "template", required=True, help="The template (id or file) to start from.")
@click.option("--id", "new_id", required=True, help="The id of the new script.")
@click.option("--title", help="A title for the new script.")
@click.option(
    "--extends",
    "thin",
    is_flag=True,
    help="Write a thin script that extends the template instead of a full copy.",
)
@click.option(
    "--dir",
    "target_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to write it (default: your templates directory).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_context
def script_new(
    ctx: click.Context,
    template: str,
    new_id: str,
    title: str | None,
    thin: bool,
    target_dir: Path | None,
    force: bool,
) -> None:
    """Scaffold a new script from a template into your templates directory."""
    from coach.scripts.scaffold import scaffold

    settings = _settings(ctx)
    destination = target_dir or settings.user_templates
    path = scaffold(
        template, new_id, destination, settings.template_dirs, title=title, thin=thin, force=force
    )
    click.echo(f"wrote {path}")
    click.echo(
        f"next: edit it, then `coach script lint {path}` and "
        f"`coach script render {new_id} --example`",
        err=True,
    )


# `coach script draft`: the core is coach/scripts/draft.py; this block only wires it up.
from coach.scripts.draft import KEY_STEPS as _KEY_STEPS  # noqa: E402  (light: no model)
from coach.scripts.draft import MAX_TOKENS as _DRAFT_MAX_TOKENS  # noqa: E402


@script.command("draft")
@click.option("--industry", required=True, help="The business, e.g. 'dental clinic'.")
@click.option("--product", required=True, help="What the calls sell, e.g. 'implants'.")
@click.option("--language", type=click.Choice(["en", "ru"]), required=True)
@click.option("--from", "template", help="Template to build on (default: base-en / base-ru).")
@click.option("--key-step", type=click.Choice(list(_KEY_STEPS)), help="Default: the template's.")
@click.option("--cold/--warm", "cold", default=None, help="Default: as the template.")
@click.option("--id", "script_id", help="The new script's id (default: from --out or the names).")
@click.option(
    "--rounds", type=click.IntRange(0, 10), default=3, show_default=True, help="Repair rounds."
)
@click.option(
    "--max-tokens",
    type=click.IntRange(64, 16384),
    default=_DRAFT_MAX_TOKENS,
    show_default=True,
    help="Longest answer the model may give.",
)
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(1, 3600),
    help="Seconds to wait for each answer (default: the LLM setting, at least 120).",
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="Write it here.")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@click.option("--strict", is_flag=True, help="Lint warnings fail too.")
@click.option("--no-llm", is_flag=True, help="Draft from the template alone, without a model.")
@click.pass_context
def script_draft(
    ctx: click.Context,
    industry: str,
    product: str,
    language: str,
    template: str | None,
    key_step: str | None,
    cold: bool | None,
    script_id: str | None,
    rounds: int,
    max_tokens: int,
    timeout_s: float | None,
    out: Path | None,
    force: bool,
    strict: bool,
    no_llm: bool,
) -> None:
    """Draft a new script with the local model, checked by lint and repaired in rounds.

    Exit 1 when the draft still fails lint: the findings are printed and the draft is
    written beside --out as NAME.draft.yaml (or ./ID.draft.yaml) to finish by hand.
    Without a model (--no-llm, or none answers) the draft comes from the template alone.
    """
    from coach.scripts import draft

    if out is not None and out.exists() and not force:
        raise CoachError("already exists; choose another --out or pass --force", file=out)
    if script_id is None and out is not None:
        script_id = draft.id_from_file(out)
    request = draft.DraftRequest(
        industry, product, language, template, key_step, cold, script_id=script_id
    )
    dirs = _settings(ctx).template_dirs
    if out is not None:
        dirs = [out.resolve().parent, *dirs]  # as `coach script lint OUT` will look
    name = str(out) if out is not None else f"{draft.draft_id(request)}.yaml"

    def progress(attempt: int, findings: list[lint.Finding]) -> None:
        errors = sum(f.severity is lint.Severity.error for f in findings)
        warnings = sum(f.severity is lint.Severity.warning for f in findings)
        what = "draft" if attempt == 0 else f"repair {attempt}/{rounds}"
        click.echo(f"{what}: {errors} error(s), {warnings} warning(s)", err=True)

    llm = None
    if not no_llm:
        from coach.llm.config import load_llm_settings

        settings = load_llm_settings()
        llm = draft.llm_caller(settings, max_tokens=max_tokens, timeout_s=timeout_s)
        click.echo(f"drafting with {settings.model} at {settings.base_url} …", err=True)
    result = draft.draft_script(
        request, llm=llm, rounds=rounds, dirs=dirs, name=name, on_round=progress
    )
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.passed(strict=strict):
        for finding in result.findings:
            if finding.severity is not lint.Severity.info:
                click.echo(str(finding), err=True)
        if out is None:
            click.echo(result.yaml_text, nl=False)
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.yaml_text, encoding="utf-8")
        how = "with the model" if result.used_model else "from the template alone"
        click.echo(f"wrote {out} ({how})")
        click.echo(f"next: edit it, then `coach script lint {out} --strict`", err=True)
        return
    target = draft.unfinished_path(out, draft.draft_id(request))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(result.yaml_text, encoding="utf-8")
    for finding in draft.relocate(result.findings, name, str(target)):
        if finding.severity is not lint.Severity.info:
            click.echo(str(finding), err=True)
    click.echo(
        f"the draft still fails lint{' --strict' if strict else ''} after {result.rounds_used} "
        f"repair round(s); wrote it to {target}: fix the lines above by hand"
        + (" (or pass --no-llm for a draft from the template alone)" if result.used_model else ""),
        err=True,
    )
    ctx.exit(EXIT_USER)


@script.command("schema")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file instead of the terminal.",
)
def script_schema(out: Path | None) -> None:
    """Print the JSON Schema of the script format (for editor autocomplete)."""
    text = schema_text("script")
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


# --- coach rubric -------------------------------------------------------------------
@cli.group()
@_dir_options
def rubric() -> None:
    """Rubrics that scored calls are measured against: list, show, lint."""


@rubric.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
def rubric_list(ctx: click.Context, fmt: str) -> None:
    """List the rubrics on the search path."""
    entries = list_rubrics(_settings(ctx).rubric_dirs)
    if fmt == "json":
        _echo_json(
            [
                {
                    "id": e.id,
                    "title": e.title,
                    "version": e.version,
                    "criteria": e.criteria,
                    "path": str(e.path),
                }
                for e in entries
            ]
        )
        return
    rows = [[e.id, str(e.version), str(e.criteria), e.title] for e in entries]
    click.echo(table(rows, ["ID", "VERSION", "CRITERIA", "TITLE"]))


def _describe_criterion(criterion: Any) -> str:
    if criterion.metric:
        band = criterion.target
        if band.min is not None and band.max is not None:
            rule = f"{criterion.metric} in {band.min:g}–{band.max:g}"
        elif band.min is not None:
            rule = f"{criterion.metric} ≥ {band.min:g}"
        else:
            rule = f"{criterion.metric} ≤ {band.max:g}"
        if criterion.tolerance:
            rule += f" ± {criterion.tolerance:g}"
        return rule
    if criterion.stage:
        return f"{criterion.check.value}: {criterion.stage.value}"
    return str(criterion.check.value)


@rubric.command("show")
@click.argument("ref")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def rubric_show(ctx: click.Context, ref: str, fmt: str) -> None:
    """Show a rubric's criteria, weights and targets."""
    loaded = load_rubric(ref, _settings(ctx).rubric_dirs)
    if fmt == "json":
        _echo_json(loaded.model_dump(mode="json"))
        return
    click.echo(f"{loaded.title}  ({loaded.id} v{loaded.version}, pass mark {loaded.pass_mark:g})")
    if loaded.description:
        click.echo(loaded.description)
    total = loaded.total_weight
    rows = [
        [c.id, f"{100 * c.weight / total:.0f}%", c.severity.value, _describe_criterion(c), c.label]
        for c in loaded.criteria
    ]
    click.echo(table(rows, ["CRITERION", "WEIGHT", "SEVERITY", "RULE", "LABEL"]))


@rubric.command("lint")
@click.argument("refs", nargs=-1, required=True)
@click.pass_context
def rubric_lint(ctx: click.Context, refs: tuple[str, ...]) -> None:
    """Check rubric files (or ids): every problem, one per line; exit 1 on any."""
    dirs = _settings(ctx).rubric_dirs
    problems: list[Problem] = []
    checked = 0
    for ref in _expand(refs, rubric_files):
        checked += 1
        try:
            load_rubric(Path(ref) if Path(ref).exists() else ref, dirs)
        except CoachError as exc:
            problems += exc.problems
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{checked} rubric(s) checked: {len(problems)} problem(s)", err=bool(problems))
    if problems:
        ctx.exit(EXIT_USER)


@rubric.command("metrics")
def rubric_metrics() -> None:
    """List the metrics and checks a criterion can read."""
    click.echo(table([[name, text] for name, text in METRICS.items()], ["METRIC", "MEANING"]))
    click.echo()
    click.echo("checks: " + ", ".join(c.value for c in Check))


from coach.cli_audio import register as register_audio  # noqa: E402  (recordings)
from coach.cli_batch import register as register_batch  # noqa: E402  (many calls)
from coach.cli_call import register as register_call  # noqa: E402  (the live call)
from coach.cli_llm import register as register_llm  # noqa: E402
from coach.cli_practice import register as register_practice  # noqa: E402  (role-play)
from coach.cli_report import register as register_report  # noqa: E402
from coach.cli_review import register as register_review  # noqa: E402
from coach.cli_score import register  # noqa: E402  (the analysis commands)
from coach.cli_store import register as register_store  # noqa: E402  (the call store)

register(cli, _settings)
register_audio(cli, _settings)
register_call(cli, _settings, _load)
register_practice(cli, _settings, _load)
register_store(cli, _settings)
register_review(cli, _settings)
register_report(cli, _settings)
register_llm(cli, _settings)
register_batch(cli, _settings)


# --- entry point --------------------------------------------------------------------
def _report(exc: CoachError) -> None:
    colour = sys.stderr.isatty()
    for problem in exc.problems:
        text = f"error: {problem}" if problem.file is None else str(problem)
        click.echo(click.style(text, fg="red") if colour else text, err=True)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: one-line errors for users, tracebacks only for bugs."""
    collector.tune()  # scoring allocates a lot and keeps little: collect less often
    try:
        result = cli.main(args=argv, prog_name="coach", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except CoachError as exc:
        _report(exc)
        sys.exit(EXIT_USER)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:
        traceback.print_exc()
        click.echo("coach: this is a bug; please report it with the traceback above", err=True)
        sys.exit(EXIT_BUG)
    sys.exit(result if isinstance(result, int) else 0)
