"""`coach batch`: discovery, manifests, resuming, failures, the process pool and Dask
(a LocalCluster, and a scheduler and worker started on 127.0.0.1), and a real recording."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coach.batch import Plan, discover, read_manifest, run_batch
from coach.config import load_settings
from coach.errors import CoachError
from coach.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, Store
from tests.conftest import COACH, ROOT, Run

Coach = Callable[..., Run]
EXAMPLES = ROOT / "examples" / "calls"
RECORDING = ROOT / "examples" / "recordings" / "en-car-dealer-call.flac"


def make_calls(folder: Path, count: int) -> list[Path]:
    """COUNT different transcripts (the examples with a numbered last line), named by
    date and rep so the store learns both from the file name."""
    sources = sorted(EXAMPLES.glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(count):
        text = sources[n % len(sources)].read_text(encoding="utf-8")
        text = "\n".join(line for line in text.splitlines() if not line.startswith("# rep"))
        day = 1 + n % 28
        path = folder / f"2026-11-{day:02d}-rep{n % 5}-{n:04d}.txt"
        path.write_text(text + f"\nRep: Thank you, talk soon. Call {n}.\n", encoding="utf-8")
        out.append(path)
    return out


def snapshot(db: Path) -> list[tuple[object, ...]]:
    """The store's content that must not depend on how the batch ran."""
    with sqlite3.connect(db) as con:
        calls = con.execute(
            "SELECT c.content_hash, c.rep, c.date, c.source, s.total, s.rubric FROM calls c "
            "JOIN scorecards s ON s.call_id = c.id ORDER BY c.content_hash"
        ).fetchall()
        files = con.execute(
            "SELECT sha256, path, status, error FROM batch_files ORDER BY sha256"
        ).fetchall()
        counts = [
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("calls", "scorecards", "transcripts")
        ]
    return [*calls, *files, tuple(counts)]


# --- finding the work -----------------------------------------------------------------
def test_discovery_is_recursive_filtered_and_leaves_our_own_output_out(tmp_path: Path) -> None:
    make_calls(tmp_path / "north" / "anna", 2)
    make_calls(tmp_path / "south", 1)
    (tmp_path / "north" / "x.scorecard.json").write_text("{}", encoding="utf-8")
    (tmp_path / "north" / "notes.pdf").write_bytes(b"%PDF")
    found = discover(tmp_path)
    assert [Path(j.path).parent.name for j in found] == ["anna", "anna", "south"]
    assert {j.kind for j in found} == {"transcript"}
    assert len(discover(tmp_path, include=["north/**"])) == 2
    assert len(discover(tmp_path, exclude=["*0000.txt"])) == 1


def test_a_manifest_gives_rep_team_date_and_script(tmp_path: Path) -> None:
    [call] = make_calls(tmp_path / "calls", 1)
    manifest = tmp_path / "week.csv"
    manifest.write_text(
        f"path,rep,team,date,script\ncalls/{call.name},Anna,north,2026-11-03,car-dealer-en\n\n",
        encoding="utf-8",
    )
    [job] = read_manifest(manifest)
    assert (job.rep, job.team, job.date, job.script) == (
        "Anna",
        "north",
        "2026-11-03",
        "car-dealer-en",
    )
    assert Path(job.path) == call.resolve()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("file,rep\nx.txt,anna\n", r"week\.csv:1: the manifest needs a 'path' column"),
        ("path,agent\nx.txt,anna\n", r"week\.csv:1: unknown manifest column\(s\): agent"),
        ("path,rep\ncalls/nope.txt,anna\n", r"week\.csv:2: no such file: calls/nope.txt"),
        ("path\nweek.csv\n", r"week\.csv:2: week.csv is neither a recording nor a transcript"),
        ("path,rep\nx.txt,anna,extra\n", r"week\.csv:2: 3 values for 2 columns"),
    ],
)
def test_manifest_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    manifest = tmp_path / "week.csv"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(CoachError, match=message):
        read_manifest(manifest)


# --- running in-process -----------------------------------------------------------------
@pytest.fixture
def plan() -> Plan:
    return Plan(settings=load_settings(), classifier="rules")


def test_a_second_run_skips_everything_and_a_failure_never_stops_the_batch(
    tmp_path: Path, plan: Plan
) -> None:
    make_calls(tmp_path / "in", 6)
    (tmp_path / "in" / "broken.txt").write_text("no speaker here\n", encoding="utf-8")
    with Store(tmp_path / "calls.db") as store:
        first = run_batch(store, discover(tmp_path / "in"), plan)
        assert (first.done, first.failed, first.skipped) == (6, 1, 0)
        [(path, error)] = first.errors
        assert path.endswith("broken.txt") and "broken.txt:1:" in error
        [failed] = store.batch_files("failed").values()
        assert failed.error == error
        again = run_batch(store, discover(tmp_path / "in"), plan)
        assert (again.done, again.failed, again.skipped) == (0, 0, 6)
        (tmp_path / "in" / "broken.txt").write_text("Rep: Hello.\nClient: Hi.\n", "utf-8")
        fixed = run_batch(store, discover(tmp_path / "in"), plan)  # new content, new hash
        assert (fixed.done, fixed.skipped) == (1, 6)
        calls = store.calls()
        assert len(calls) == 7
        assert {c.rep for c in calls} >= {"rep0", "rep1"}


def test_failed_files_are_retried_on_request(tmp_path: Path, plan: Plan) -> None:
    (tmp_path / "in").mkdir()
    bad = tmp_path / "in" / "bad.txt"
    bad.write_text("no speaker here\n", encoding="utf-8")
    with Store(tmp_path / "calls.db") as store:
        run_batch(store, discover(tmp_path / "in"), plan)
        assert run_batch(store, discover(tmp_path / "in"), plan).failed == 0  # not retried
        retried = run_batch(store, discover(tmp_path / "in"), plan, retry_failed=True)
        assert retried.failed == 1
        assert store.batch_files()[discover(tmp_path / "in")[0].sha256].attempts == 2


def test_a_version_1_store_is_migrated_with_its_calls(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as con:
        con.executescript(MIGRATIONS[0])
        con.execute("PRAGMA user_version = 1")
        con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        con.execute("INSERT INTO calls (content_hash, created, updated) VALUES ('h', 'now', 'now')")
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
        assert store.count() == 1 and store.batch_files() == {}


# --- the real command -------------------------------------------------------------------
def test_pool_and_dask_local_cluster_give_the_same_store(coach: Coach, tmp_path: Path) -> None:
    make_calls(tmp_path / "in", 12)
    results = {}
    for name, args in {
        "one": ["--workers", "1"],
        "pool": ["--workers", "2"],
        "dask": ["--backend", "dask", "--workers", "2"],
    }.items():
        db = tmp_path / f"{name}.db"
        run = coach("batch", str(tmp_path / "in"), "--store", str(db), "--classifier", "rules",
                    "--progress", "none", *args)  # fmt: skip
        assert run.code == 0, run.err
        assert "done 12, skipped 0, failed 0" in run.out
        results[name] = snapshot(db)
    assert results["one"] == results["pool"] == results["dask"]


def _batch(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(COACH), "batch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, like a job in a terminal
        env={**os.environ, "NO_COLOR": "1"},
        # Ctrl-C as in a terminal, even when the tests run as a background job (which
        # starts with SIGINT ignored, and children inherit that)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for(proc: subprocess.Popen[str], done: int) -> None:
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("{") and json.loads(line)["done"] >= done:
            return
    pytest.fail(f"the batch ended before {done} files: {proc.wait()}")


@pytest.mark.parametrize("workers", ["1", "2"])
def test_kill_9_then_restart_gives_the_same_store(
    coach: Coach, tmp_path: Path, workers: str
) -> None:
    make_calls(tmp_path / "in", 160)
    common = ["--classifier", "rules", "--workers", workers]
    whole = coach("batch", str(tmp_path / "in"), "--store", str(tmp_path / "whole.db"),
                  "--progress", "none", *common)  # fmt: skip
    assert whole.code == 0, whole.err
    db = str(tmp_path / "killed.db")
    proc = _batch([str(tmp_path / "in"), "--store", db, "--progress", "json", *common])
    _wait_for(proc, 40)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    with Store(db) as store:
        stored = store.count()
    assert 40 <= stored < 160  # killed part way
    rest = coach("batch", str(tmp_path / "in"), "--store", db, "--progress", "none", *common)
    assert rest.code == 0, rest.err
    assert f"skipped {stored}" in rest.out
    assert snapshot(Path(db)) == snapshot(tmp_path / "whole.db")


def test_ctrl_c_stops_cleanly_and_resumes_to_the_same_store(coach: Coach, tmp_path: Path) -> None:
    make_calls(tmp_path / "in", 500)  # far more than can finish before the signal lands
    db = str(tmp_path / "calls.db")
    proc = _batch([str(tmp_path / "in"), "--store", db, "--progress", "json",
                   "--classifier", "rules", "--workers", "2"])  # fmt: skip
    _wait_for(proc, 20)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-500:]
    assert "run the same command to resume" in err and "Traceback" not in err
    with Store(db) as store:
        assert 20 <= store.count() < 500
    common = ["--classifier", "rules", "--workers", "2", "--progress", "none"]
    rest = coach("batch", str(tmp_path / "in"), "--store", db, *common)
    whole = coach("batch", str(tmp_path / "in"), "--store", str(tmp_path / "whole.db"), *common)
    assert rest.code == whole.code == 0, rest.err + whole.err
    assert snapshot(Path(db)) == snapshot(tmp_path / "whole.db")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A Dask scheduler and one worker, started as separate processes on 127.0.0.1."""
    dask = Path(sys.executable).parent / "dask"
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    scheduler = subprocess.Popen(
        [
            str(dask),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    worker = subprocess.Popen(
        [
            str(dask),
            "worker",
            address,
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--no-dashboard",
            "--local-directory",
            str(tmp_path / "dask"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(address, timeout="2s") as client:
                    if client.scheduler_info()["workers"]:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the Dask scheduler and worker did not come up")
            time.sleep(0.5)
        yield address
    finally:
        for proc in (worker, scheduler):
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_a_running_scheduler_does_the_work(coach: Coach, tmp_path: Path, dask_cluster: str) -> None:
    make_calls(tmp_path / "in", 8)
    db = tmp_path / "calls.db"
    run = coach("batch", str(tmp_path / "in"), "--store", str(db), "--backend", "dask",
                "--scheduler", dask_cluster, "--classifier", "rules", "--progress", "none")  # fmt: skip
    assert run.code == 0, run.err
    assert "done 8, skipped 0, failed 0" in run.out
    with Store(db) as store:
        assert store.count() == 8


def test_an_unreachable_scheduler_is_a_clear_error(coach: Coach, tmp_path: Path) -> None:
    make_calls(tmp_path / "in", 1)
    run = coach("batch", str(tmp_path / "in"), "--store", str(tmp_path / "c.db"),
                "--backend", "dask", "--scheduler", f"tcp://127.0.0.1:{_free_port()}")  # fmt: skip
    assert run.code == 1
    assert "cannot reach the Dask scheduler" in run.err and "Traceback" not in run.err


def test_scheduler_without_dask_backend_is_a_usage_error(coach: Coach, tmp_path: Path) -> None:
    make_calls(tmp_path / "in", 1)
    run = coach("batch", str(tmp_path / "in"), "--scheduler", "tcp://127.0.0.1:1")
    assert run.code == 2


# --- a real recording ---------------------------------------------------------------------
@pytest.mark.slow
def test_a_recording_is_transcribed_scored_and_stored_once(coach: Coach, tmp_path: Path) -> None:
    from coach.analysis.whisper_models import installed_path

    if installed_path("base") is None:
        if os.environ.get("COACH_REQUIRE_AUDIO") == "1":
            pytest.fail("audio tests required but the Whisper model is not installed")
        pytest.skip("the Whisper model is not installed (coach models install)")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "2026-11-05T0930-priya.flac").write_bytes(RECORDING.read_bytes())
    db = tmp_path / "calls.db"
    run = coach("batch", str(folder), "--store", str(db), "--script", "car-dealer-en",
                "--language", "en", "--no-cache", "--progress", "none")  # fmt: skip
    assert run.code == 0, run.err
    assert "done 1, skipped 0, failed 0" in run.out and "× real time" in run.out
    again = coach("analyse", str(folder / "2026-11-05T0930-priya.flac"), "--store", "--db",
                  str(db), "--script", "car-dealer-en", "--language", "en", "--quiet",
                  "--out", str(tmp_path / "out"))  # fmt: skip
    assert again.code == 0, again.err
    with Store(db) as store:
        [call] = store.calls()
        detail = store.call(call.id)
    assert (call.rep, call.date) == ("priya", "2026-11-05T09:30:00")
    assert call.total is not None and call.duration_s and call.duration_s > 20
    assert detail.transcript is not None and detail.transcript["utterances"]
    assert detail.scorecard is not None and detail.scorecard["audio_sha256"]


def test_dask_tasks_take_recordings_one_by_one_and_transcripts_in_chunks() -> None:
    from coach.batch import MAX_CHUNK, Job, _chunks

    jobs = [Job(f"{n}.wav", f"a{n}", "audio") for n in range(3)]
    jobs += [Job(f"{n}.txt", f"t{n}", "transcript") for n in range(2000)]
    chunks = _chunks(jobs, workers=2)
    assert [len(c) for c in chunks[:3]] == [1, 1, 1]
    assert {len(c) for c in chunks[3:-1]} == {MAX_CHUNK}
    assert sorted(j.path for c in chunks for j in c) == sorted(j.path for j in jobs)
    assert len(_chunks(jobs[3:40], workers=2)) == 37  # few files: one per task


def test_llm_labels_in_a_batch_fall_back_with_a_warning_when_no_model_answers(
    coach: Coach, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_calls(tmp_path / "in", 2)
    monkeypatch.setenv("COACH_LLM_BASE_URL", f"http://127.0.0.1:{_free_port()}/v1")
    db = tmp_path / "calls.db"
    run = coach("batch", str(tmp_path / "in"), "--store", str(db), "--classifier", "llm",
                "--workers", "1", "--progress", "none")  # fmt: skip
    assert run.code == 0, run.err
    with Store(db) as store:
        cards = [store.call(c.id).scorecard for c in store.calls()]
    assert len(cards) == 2
    for scorecard in cards:
        assert scorecard is not None
        # the workers asked the configured model (and said it did not answer)
        assert any("kept the hybrid labels (" in w for w in scorecard["warnings"]), scorecard
        assert not any("no LLM labeller" in w for w in scorecard["warnings"])
