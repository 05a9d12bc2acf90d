"""The retraining commands' shared arguments: folders stand for their labelled calls."""

from __future__ import annotations

from pathlib import Path

from coach.analysis.training import training_args


def test_folders_expand_to_their_json_files_and_the_flag_is_read(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text("{}", encoding="utf-8")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.md").write_text("", encoding="utf-8")
    single = tmp_path / "one.json"
    paths, check = training_args([str(tmp_path), "--cross-validate", str(single)])
    assert paths == [tmp_path / "a.json", tmp_path / "b.json", single]
    assert check is True
    assert training_args([str(single)]) == ([single], False)
