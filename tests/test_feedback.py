"""The rep's feedback note, from a real store filled with the bundled example calls."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from coach.analysis.scorecard import to_dict
from coach.cli_score import score_file
from coach.config import BUNDLED_RUBRICS, BUNDLED_TEMPLATES, Settings
from coach.feedback import export_feedback, feedback_note, feedback_path
from coach.store import BEST, CALL, Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "calls"
# name, rep, team, date: fixed so that queues, notes and snapshots never change
CALLS = (
    ("en-car-dealer-good", "anna", "north", "2026-11-02T10:00:00"),
    ("en-car-dealer-poor", "boris", "north", "2026-11-03T11:30:00"),
    ("ru-car-dealer-good", "вера", "south", "2026-11-04T09:15:00"),
    ("ru-car-dealer-poor", "gleb", "south", "2026-11-05T16:45:00"),
)


@cache
def scorecard(name: str) -> dict[str, Any]:
    settings = Settings(template_dirs=[BUNDLED_TEMPLATES], rubric_dirs=[BUNDLED_RUBRICS])
    card = score_file(
        EXAMPLES / f"{name}.txt",
        script=None,
        rubric=None,
        rep=None,
        language=None,
        settings=settings,
        classifier="rules",
    )
    data = to_dict(card)
    data["source"] = f"examples/calls/{name}.txt"  # the same wherever the checkout lives
    return data


def fill_store(path: Path) -> dict[str, int]:
    """A store holding the four example calls; returns their ids by name."""
    ids = {}
    with Store(path) as store:
        for name, rep, team, date in CALLS:
            card = scorecard(name)
            ids[name] = store.put_scorecard(
                card, content_hash=f"hash-{name}", rep=rep, team=team, date=date
            ).id
    return ids


def first_rep_utterance(card: dict[str, Any]) -> dict[str, Any]:
    return next(u for u in card["utterances"] if u["speaker"] == "rep" and u["questions"])


@pytest.mark.parametrize(
    ("language", "good", "poor", "heads"),
    [
        (
            "en",
            "en-car-dealer-good",
            "en-car-dealer-poor",
            ("What went well", "What to change", "Comments from your lead", "Focus for the next"),
        ),
        (
            "ru",
            "ru-car-dealer-good",
            "ru-car-dealer-poor",
            ("Что получилось", "Что изменить", "Комментарии руководителя", "Фокус на следующий"),
        ),
    ],
)
def test_note_has_score_strengths_changes_comments_and_focus(
    tmp_path: Path, language: str, good: str, poor: str, heads: tuple[str, ...]
) -> None:
    ids = fill_store(tmp_path / "calls.db")
    with Store(tmp_path / "calls.db") as store:
        card = scorecard(poor)
        moment = first_rep_utterance(card)
        store.comment(ids[poor], "Ask before you pitch", utterance=moment["index"], author="lead")
        store.comment(ids[poor], "Slow down overall")
        store.toggle_tag(ids[poor], BEST, utterance=moment["index"])
        note = feedback_note(store.call(ids[poor]), language, author="Lena")
        good_note = feedback_note(store.call(ids[good]), language)

    for head in heads:
        assert head in note
    assert f"{card['total']:g} / 100" in note
    failed = [c for c in card["criteria"] if not c["passed"]]
    assert failed and all(c["label"] in note for c in failed)
    evidence = next(e for c in failed for e in c["evidence"])
    assert f"«{evidence['text']}»" in note  # the quote behind a failed criterion
    assert f"«{moment['text']}»" in note  # the commented, best-practice moment
    assert "Ask before you pitch — lead" in note
    assert "Slow down overall" in note
    assert "Lena" in note
    assert note.count("★") == 1
    # a good call: passed, its strengths listed, no lead's comments section
    assert heads[0] in good_note and heads[2] not in good_note


@pytest.mark.parametrize(
    ("language", "verdict", "missed"),
    [("en", "below the pass mark", "close"), ("ru", "ниже проходного балла", "закрытие")],
)
def test_note_names_the_verdict_and_missed_stages(
    tmp_path: Path, language: str, verdict: str, missed: str
) -> None:
    ids = fill_store(tmp_path / "calls.db")
    with Store(tmp_path / "calls.db") as store:
        detail = store.call(ids["ru-car-dealer-poor"])
    assert "close" in detail.summary.missed
    note = feedback_note(detail, language)
    assert verdict in note
    assert f"- {missed}" in note


def test_whole_call_best_practice_is_named(tmp_path: Path) -> None:
    ids = fill_store(tmp_path / "calls.db")
    with Store(tmp_path / "calls.db") as store:
        store.toggle_tag(ids["en-car-dealer-good"], BEST, utterance=CALL)
        note = feedback_note(store.call(ids["en-car-dealer-good"]))
    assert "The whole call is marked as best practice." in note


def test_export_writes_the_note_under_date_rep_and_id(tmp_path: Path) -> None:
    ids = fill_store(tmp_path / "calls.db")
    with Store(tmp_path / "calls.db") as store:
        detail = store.call(ids["ru-car-dealer-good"])
    path = export_feedback(detail, tmp_path / "feedback", "ru")
    assert path == tmp_path / "feedback" / f"2026-11-04-вера-call{ids['ru-car-dealer-good']}.md"
    assert path.read_text(encoding="utf-8") == feedback_note(detail, "ru")
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


@pytest.mark.parametrize(
    ("rep", "date", "name"),
    [
        ("anna", "2026-11-02T10:00:00", "2026-11-02-anna-call7.md"),
        (None, None, "undated-rep-call7.md"),
        ("a/b c", "2026-01-01", "2026-01-01-a-b-c-call7.md"),
    ],
)
def test_feedback_path_is_safe(rep: str | None, date: str | None, name: str) -> None:
    from coach.store import CallSummary

    summary = CallSummary(7, None, rep, None, date, None, None, None, None)
    assert feedback_path(Path("out"), summary) == Path("out") / name
