"""The retraining commands' shared arguments: folders stand for their labelled calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.analysis.training import run, training_args


def test_folders_expand_to_their_json_files_and_the_flag_is_read(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("{}", encoding="utf-8")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.md").write_text("", encoding="utf-8")
    single = tmp_path / "one.json"
    paths, check = training_args([str(tmp_path), "--cross-validate", str(single)])
    assert paths == [tmp_path / "a.json", tmp_path / "b.json", single]
    assert check is True
    assert training_args([str(single)]) == ([single], False)


def test_run_measures_with_the_flag_and_retrains_without(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[str, list[Path]]] = []

    def measure(paths: list[Path]) -> dict[str, float]:
        seen.append(("measure", paths))
        return {"model:all": 0.91234}

    def retrain(paths: list[Path]) -> str:
        seen.append(("retrain", paths))
        return "trained on 1 call"

    call = tmp_path / "c.json"
    run([str(call), "--cross-validate"], measure=measure, retrain=retrain, what="question F1")
    run([str(call)], measure=measure, retrain=retrain, what="question F1")
    assert seen == [("measure", [call]), ("retrain", [call])]
    assert capsys.readouterr().out.splitlines() == [
        "leave-one-call-out question F1, model:all: 0.912",
        "trained on 1 call",
    ]
