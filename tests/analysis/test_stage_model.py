"""The learned stage second opinion: reproducible, loadable, and deciding real stages."""

from __future__ import annotations

from coach.analysis import stage_model
from coach.analysis.analyse import analyse
from coach.analysis.transcript import parse_text


def test_features_cover_words_rules_flow() -> None:
    names = stage_model.features(
        "What bothers you?", "en", "rep", ["problem"], ["problem"], ["situation"], 0.5, 3
    )
    assert {
        "w:en:bothers",
        "rule:problem",
        "spin:problem",
        "prev:situation",
        "speaker:rep",
        "rule_speaker:problem:rep",
    } <= set(names)


def test_training_is_deterministic_and_learns() -> None:
    close = stage_model.features("See you Saturday at ten", "en", "rep", [], [], [], 0.9, 8)
    chat = stage_model.features("Lovely weather today", "en", "rep", [], [], [], 0.1, 1)
    examples = [(close, {"close"}), (chat, {"small_talk"})] * 5
    first, second = stage_model.train(examples), stage_model.train(examples)
    assert first.weights == second.weights
    assert first.kinds(close) == ["close"]
    assert first.kinds_of_all([chat, close]) == [["small_talk"], ["close"]]


def test_bundled_model_decides_stages() -> None:
    model = stage_model.load_model()
    assert model is not None and len(model.weights) > 1000
    call = parse_text(
        "Rep: Hi, this is Anna from Acme Motors. Is now a good time?\n"
        "Client: Yes, go ahead.\n"
        "Rep: So Saturday at ten, I'll text you the address and a reminder on Friday.\n"
        "Client: Great, see you then.\n",
        "c.txt",
    )
    analysis = analyse(call)
    assert {"greeting", "close"} <= set(analysis.covered_kinds())


def test_fast_path_matches_the_feature_strings() -> None:
    from pathlib import Path

    from coach.analysis.transcript import load_transcript

    model = stage_model.load_model()
    assert model is not None
    root = Path(__file__).resolve().parents[2]
    calls = [root / "examples" / "calls" / "en-car-dealer-good.txt"]
    calls += [root / "examples" / "calls" / "ru-car-dealer-poor.txt"]
    calls += sorted((root / "tests" / "data" / "train").glob("*.json"))  # totals of exactly 0
    for path in calls:
        transcript = load_transcript(path)
        analysis = analyse(transcript, classifier="rules")
        kinds = [analysis.stage_kinds(u.index) for u in transcript.utterances]
        slow = model.kinds_of_all(stage_model.call_features(transcript, analysis.questions, kinds))
        assert model.decide_call(transcript, analysis.questions, kinds) == slow
