"""Batch analysis: many recordings and transcripts, resumable, on a process pool or Dask.

Workers take a plain ``Job`` and return a plain ``Outcome`` (scorecard and transcript as
dicts, or the error); only the parent writes to the store, one file per transaction, and
marks the file done in the same transaction. A batch killed at any point and run again
skips what is stored and ends with the same store as an uninterrupted run.
"""

from __future__ import annotations

import csv
import fnmatch
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach.analysis.audio import AUDIO_SUFFIXES
from coach.analysis.transcribe import TranscribeOptions
from coach.analysis.transcript import SUFFIXES as TRANSCRIPT_SUFFIXES
from coach.config import Settings
from coach.errors import CoachError
from coach.files import sha256_of
from coach.ingest import CallMeta, audio_key, call_meta, store_scorecard
from coach.store import BatchFile, Store

MANIFEST_COLUMNS = ("path", "rep", "team", "date", "script", "language")


@dataclass(frozen=True)
class Job:
    """One input file and what the manifest says about it."""

    path: str
    sha256: str
    kind: str  # audio | transcript
    rep: str | None = None
    team: str | None = None
    date: str | None = None
    script: str | None = None
    language: str | None = None

    @property
    def key(self) -> str:
        """The store's content hash when the file is a recording."""
        return audio_key(self.sha256)


@dataclass(frozen=True)
class Plan:
    """What every job shares: scripts, rubric, speech model options."""

    settings: Settings
    script: str | None = None
    rubric: str | None = None
    rep_label: str | None = None
    classifier: str = "hybrid"
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    use_cache: bool = True


@dataclass(frozen=True)
class Outcome:
    job: Job
    card: dict[str, Any] | None
    transcript: dict[str, Any] | None
    meta: CallMeta | None
    audio_s: float
    seconds: float
    error: str | None = None


# --- finding the work -------------------------------------------------------------------
def _kind(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    if suffix in TRANSCRIPT_SUFFIXES and not path.name.endswith(
        (".scorecard.json", ".transcript.json")
    ):
        return "transcript"
    return None


def discover(root: Path, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[Job]:
    """Every recording and transcript under a folder (recursive), or listed in a CSV
    manifest (columns: path, and optionally rep, team, date, script, language)."""
    if root.is_file() and root.suffix.lower() == ".csv":
        return read_manifest(root)
    if not root.is_dir():
        raise CoachError("not a folder or a .csv manifest", file=root)
    include, exclude = list(include), list(exclude)
    jobs = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if include and not any(fnmatch.fnmatch(relative, g) for g in include):
            continue
        if any(fnmatch.fnmatch(relative, g) for g in exclude):
            continue
        kind = _kind(path)
        if kind is not None:
            jobs.append(Job(str(path), sha256_of(path), kind))
    return jobs


def read_manifest(path: Path) -> list[Job]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CoachError("the manifest is not UTF-8 text", file=path) from None
    rows = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(rows, [])]
    if "path" not in header:
        raise CoachError(
            "the manifest needs a 'path' column (and may have rep, team, date, script, language)",
            file=path,
            line=1,
        )
    unknown = [h for h in header if h and h not in MANIFEST_COLUMNS]
    if unknown:
        raise CoachError(
            f"unknown manifest column(s): {', '.join(unknown)}; use {', '.join(MANIFEST_COLUMNS)}",
            file=path,
            line=1,
        )
    jobs = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise CoachError(f"{len(row)} values for {len(header)} columns", file=path, line=number)
        values = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        target = (path.parent / values["path"]).resolve()
        kind = _kind(target)
        if not target.is_file():
            raise CoachError(f"no such file: {values['path']}", file=path, line=number)
        if kind is None:
            raise CoachError(
                f"{values['path']} is neither a recording nor a transcript",
                file=path,
                line=number,
            )
        jobs.append(
            Job(
                str(target),
                sha256_of(target),
                kind,
                rep=values.get("rep") or None,
                team=values.get("team") or None,
                date=values.get("date") or None,
                script=values.get("script") or None,
                language=values.get("language") or None,
            )
        )
    return jobs


@dataclass(frozen=True)
class Selection:
    todo: list[Job]
    skipped: list[Job]  # already in the store
    failed_before: list[Job]  # failed earlier and not retried


def select(store: Store, jobs: list[Job], retry_failed: bool = False) -> Selection:
    """Leave out what the store already holds; failed files only when asked."""
    known = store.batch_files()
    todo, skipped, failed = [], [], []
    seen: set[str] = set()
    for job in jobs:
        if job.sha256 in seen:  # the same file twice (a copy): analyse it once
            skipped.append(job)
            continue
        seen.add(job.sha256)
        before = known.get(job.sha256)
        if (before is not None and before.status == "done") or (
            job.kind == "audio" and store.has_call(job.key)
        ):
            skipped.append(job)
        elif before is not None and before.status == "failed" and not retry_failed:
            failed.append(job)
        else:
            todo.append(job)
    return Selection(todo, skipped, failed)


# --- the work (runs in worker processes) -------------------------------------------------
def analyse_job(job: Job, plan: Plan) -> Outcome:
    """Transcribe (recordings) and score one file. Never raises: a failure is an Outcome
    with its error, so one bad file never stops a batch."""
    started = time.perf_counter()
    try:
        return _analyse(job, plan, started)
    except CoachError as exc:
        error = str(exc)
    except Exception as exc:  # a bug on one file: recorded, the batch goes on
        error = f"internal error: {type(exc).__name__}: {exc}"
    return Outcome(job, None, None, None, 0.0, time.perf_counter() - started, error)


def _analyse(job: Job, plan: Plan, started: float) -> Outcome:
    from dataclasses import replace

    from coach.analysis.analyse import analyse
    from coach.analysis.scorecard import build, to_dict
    from coach.analysis.selection import pick_rubric, pick_script
    from coach.analysis.transcript import load_transcript, to_json

    path = Path(job.path)
    script_ref = job.script or plan.script
    attribution = None
    if job.kind == "audio":
        from coach.analysis.recordings import transcribe_cached, transcript_from

        options = plan.transcribe
        if job.language:
            options = replace(options, language=job.language)
        dirs = [str(d) for d in plan.settings.template_dirs]
        document, attribution, _ = transcribe_cached(
            path, options, script_ref, dirs, plan.use_cache
        )
        transcript = transcript_from(document)
    else:
        transcript = load_transcript(path, rep_label=plan.rep_label)
        if job.language:
            transcript = replace(transcript, language=job.language)
        document = to_json(transcript)
    script = pick_script(script_ref, transcript, plan.settings)
    rubric = pick_rubric(plan.rubric, script, plan.settings)
    analysis = analyse(
        transcript, script, classifier=plan.classifier, labeller=_labeller(plan.classifier)
    )
    card = to_dict(build(analysis, rubric))
    if attribution is not None:
        card["attribution"] = attribution
        card["audio_sha256"] = job.sha256
    meta = call_meta([path], transcript.meta, rep=job.rep, team=job.team, date=job.date)
    return Outcome(
        job,
        card,
        document,
        meta,
        transcript.duration_s or 0.0,
        time.perf_counter() - started,
    )


_LABELLERS: dict[str, Any] = {}


def _labeller(classifier: str) -> Any:
    """The LLM labeller for --classifier llm, one per worker process (None otherwise)."""
    if classifier not in _LABELLERS:
        from coach.analysis.selection import question_labeller

        _LABELLERS[classifier] = question_labeller(classifier)
    return _LABELLERS[classifier]


# --- writing (the parent only) ------------------------------------------------------------
def save(store: Store, outcome: Outcome) -> None:
    """One outcome into the store: the call and 'done' in one transaction, or the error."""
    job = outcome.job
    if outcome.card is None or outcome.meta is None:
        store.record_failure(BatchFile(job.sha256, job.path, "failed", outcome.error))
        return
    store_scorecard(
        store,
        outcome.card,  # a recording's card carries its audio_sha256: keyed like `analyse`
        outcome.meta,
        transcript=outcome.transcript,
        source=job.path,
        batch_file=BatchFile(job.sha256, job.path, "done", audio_s=outcome.audio_s or None),
    )


# --- running ------------------------------------------------------------------------------
_PLAN: Plan | None = None


def _start_worker(plan: Plan) -> None:
    global _PLAN
    _PLAN = plan
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _pool_job(job: Job) -> Outcome:
    assert _PLAN is not None
    return analyse_job(job, _PLAN)


def run_local(jobs: list[Job], plan: Plan, workers: int) -> Iterator[Outcome]:
    """Outcomes as they finish, from a pool of worker processes (one model each)."""
    if workers <= 1:
        for job in jobs:
            yield analyse_job(job, plan)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    spawn = multiprocessing.get_context("spawn")  # no forked model or database state
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=spawn, initializer=_start_worker, initargs=(plan,)
    ) as pool:
        futures = [pool.submit(_pool_job, job) for job in jobs]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def run_dask(
    jobs: list[Job], plan: Plan, workers: int, scheduler: str | None = None
) -> Iterator[Outcome]:
    """The same work on a Dask cluster: the given scheduler, or a LocalCluster."""
    import importlib

    try:
        dask: Any = importlib.import_module("distributed")  # untyped: used as Any
    except ImportError:
        raise CoachError(
            "the dask backend needs the 'batch' extra: pip install 'coach[batch]'"
        ) from None
    cluster = None
    try:
        if scheduler:
            client = dask.Client(scheduler, timeout="10s")
        else:
            cluster = dask.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            )
            client = dask.Client(cluster)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise CoachError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        shared = client.scatter(plan, broadcast=True)
        chunks = _chunks(jobs, workers)
        futures = client.map(analyse_jobs, chunks, plan=shared, pure=False)
        try:
            for future in dask.as_completed(futures):
                yield from future.result()
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def analyse_jobs(jobs: list[Job], plan: Plan) -> list[Outcome]:
    """Several cheap jobs as one Dask task: a task costs the scheduler a few ms."""
    return [analyse_job(job, plan) for job in jobs]


TASKS_PER_WORKER = 16  # enough tasks to balance the load, few enough to keep overhead low
MAX_CHUNK = 50


def _chunks(jobs: list[Job], workers: int) -> list[list[Job]]:
    """Recordings one per task (each takes seconds); transcripts in chunks."""
    out: list[list[Job]] = [[j] for j in jobs if j.kind == "audio"]
    texts = [j for j in jobs if j.kind != "audio"]
    size = max(1, min(MAX_CHUNK, len(texts) // max(1, workers * TASKS_PER_WORKER)))
    out += [texts[n : n + size] for n in range(0, len(texts), size)]
    return out


@dataclass
class Summary:
    done: int = 0
    failed: int = 0
    skipped: int = 0
    failed_before: int = 0
    audio_s: float = 0.0
    wall_s: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def real_time_factor(self) -> float | None:
        """Seconds of audio per second of work (higher is faster)."""
        return self.audio_s / self.wall_s if self.audio_s and self.wall_s else None


def run_batch(
    store: Store,
    jobs: list[Job],
    plan: Plan,
    *,
    backend: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    retry_failed: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Summary:
    chosen = select(store, jobs, retry_failed)
    summary = Summary(skipped=len(chosen.skipped), failed_before=len(chosen.failed_before))
    started = time.perf_counter()
    if backend == "dask":
        outcomes = run_dask(chosen.todo, plan, workers, scheduler)
    else:
        outcomes = run_local(chosen.todo, plan, workers)
    try:
        for outcome in outcomes:
            save(store, outcome)
            if outcome.error is None:
                summary.done += 1
                summary.audio_s += outcome.audio_s if outcome.job.kind == "audio" else 0.0
            else:
                summary.failed += 1
                summary.errors.append((outcome.job.path, outcome.error))
            if on_outcome is not None:
                on_outcome(outcome)
    finally:
        summary.wall_s = time.perf_counter() - started
    return summary


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)
