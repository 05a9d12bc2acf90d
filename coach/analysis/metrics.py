"""Call metrics (FORMATS.md §2 `metrics`), as pure functions of a transcript.

Talk time comes from word timestamps when the transcript has them, else from utterance
times, else word counts stand in (``talk_basis: "words"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from coach.analysis.questions import Question
from coach.analysis.stages import FILLER, said_cues
from coach.analysis.transcript import Role, Transcript, Utterance
from coach.lexicon import count_cue
from coach.scripts.model import QuestionForm, Spin, StageKind

BACKCHANNEL_WORDS = 2  # a client "mm-hm" / "okay" does not end a rep monologue
SUBSTANTIVE_REPLY_WORDS = 4


@dataclass(frozen=True)
class Metrics:
    talk_basis: str
    rep_talk_ratio: float | None
    rep_questions: int
    open_questions: int
    closed_questions: int
    spin_counts: dict[str, int]
    longest_rep_monologue_s: float | None
    longest_client_monologue_s: float | None
    interactivity: float | None
    rep_words_per_minute: float | None
    time_to_first_question_s: float | None
    open_question_share: float | None = None
    max_questions_in_a_row: int = 0
    questions_per_minute: float | None = None
    pitch_before_first_reply_s: float | None = None
    longest_pitch_s: float | None = None
    filler_rate: float | None = None
    duration_s: float | None = None
    rep_words: int = 0
    client_words: int = 0
    rhetorical_questions: int = 0  # points made as questions, not counted in rep_questions
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> float | None:
        """A metric by rubric name, e.g. ``spin_counts.problem``."""
        if name.startswith("spin_counts."):
            return float(self.spin_counts.get(name.split(".", 1)[1], 0))
        if name in self.extra:
            value = self.extra[name]
            return None if value is None else float(value)
        value = getattr(self, name, None)
        if value is None or isinstance(value, str | dict):
            return None
        return float(value)

    def as_dict(self) -> dict[str, Any]:
        """FORMATS.md §2 keys first, then the extras, rounded for reading."""

        def r(value: float | None, digits: int = 2) -> float | None:
            return None if value is None else round(value, digits)

        out: dict[str, Any] = {
            "talk_basis": self.talk_basis,
            "rep_talk_ratio": r(self.rep_talk_ratio, 3),
            "rep_questions": self.rep_questions,
            "open_questions": self.open_questions,
            "closed_questions": self.closed_questions,
            "spin_counts": dict(self.spin_counts),
            "longest_rep_monologue_s": r(self.longest_rep_monologue_s, 1),
            "longest_client_monologue_s": r(self.longest_client_monologue_s, 1),
            "interactivity": r(self.interactivity, 2),
            "rep_words_per_minute": r(self.rep_words_per_minute, 1),
            "time_to_first_question_s": r(self.time_to_first_question_s, 1),
            "open_question_share": r(self.open_question_share, 3),
            "max_questions_in_a_row": self.max_questions_in_a_row,
            "questions_per_minute": r(self.questions_per_minute, 2),
            "pitch_before_first_reply_s": r(self.pitch_before_first_reply_s, 1),
            "longest_pitch_s": r(self.longest_pitch_s, 1),
            "filler_rate": r(self.filler_rate, 2),
            "duration_s": r(self.duration_s, 1),
            "rep_words": self.rep_words,
            "client_words": self.client_words,
            "rhetorical_questions": self.rhetorical_questions,
        }
        out.update(self.extra)
        return out


# --- talk time ----------------------------------------------------------------------
WORD_GAP_S = 0.8  # pauses between words up to this long are still talking


def talk_seconds(utterance: Utterance) -> float:
    """Speaking time: from word timestamps when known (segment edges pad silence, and a
    turn's pauses are not talk), else the utterance's span."""
    if not utterance.words:
        return utterance.duration
    total = 0.0
    start = utterance.words[0].start
    end = utterance.words[0].end
    for word in utterance.words[1:]:
        if word.start - end > WORD_GAP_S:
            total += end - start
            start = word.start
        end = max(end, word.end)
    return max(0.0, total + end - start)


def talk_ratio(transcript: Transcript) -> tuple[float | None, str]:
    """Rep talk / (rep + client talk), and the basis ("time" or "words")."""
    if transcript.timed:
        rep = sum(talk_seconds(u) for u in transcript.of(Role.rep))
        client = sum(talk_seconds(u) for u in transcript.of(Role.client))
        basis = "time"
    else:
        rep = float(sum(u.word_count for u in transcript.of(Role.rep)))
        client = float(sum(u.word_count for u in transcript.of(Role.client)))
        basis = "words"
    total = rep + client
    return (rep / total if total else None), basis


def _is_backchannel(utterance: Utterance) -> bool:
    return utterance.word_count <= BACKCHANNEL_WORDS


def longest_monologue(transcript: Transcript, role: Role) -> float | None:
    """Longest stretch one side talks while the other only backchannels, in seconds."""
    if not transcript.timed:
        return None
    best = 0.0
    start: float | None = None
    end = 0.0
    for u in transcript.utterances:
        assert u.start is not None and u.end is not None
        if u.speaker is role:
            if start is None:
                start = u.start
            end = max(end, u.end)
            best = max(best, end - start)
        elif not _is_backchannel(u):
            start = None
            end = 0.0
    return best


def interactivity(transcript: Transcript) -> float | None:
    """Speaker switches per minute."""
    duration = transcript.duration_s
    if not duration:
        return None
    switches = sum(
        1
        for a, b in zip(transcript.utterances, transcript.utterances[1:], strict=False)
        if a.speaker is not b.speaker
    )
    return switches / (duration / 60)


def words_per_minute(transcript: Transcript, role: Role = Role.rep) -> float | None:
    spoken = transcript.of(role)
    seconds = sum(talk_seconds(u) for u in spoken)
    if not transcript.timed or seconds <= 0:
        return None
    return sum(u.word_count for u in spoken) / (seconds / 60)


def _call_start(transcript: Transcript) -> float:
    return min((u.start for u in transcript.utterances if u.start is not None), default=0.0)


def question_time(utterance: Utterance, question: Question) -> float | None:
    """When a question was asked: word times if known, else by its place in the text."""
    if utterance.start is None or utterance.end is None:
        return None
    share = question.start / max(1, len(utterance.text))
    return utterance.start + share * utterance.duration


def time_to_first_question(
    transcript: Transcript, questions: Sequence[Sequence[Question]]
) -> float | None:
    for utterance, found in zip(transcript.utterances, questions, strict=True):
        if utterance.speaker is Role.rep and found:
            at = question_time(utterance, found[0])
            return None if at is None else at - _call_start(transcript)
    return None


def max_questions_in_a_row(transcript: Transcript, questions: Sequence[Sequence[Question]]) -> int:
    """Most rep questions asked with no client reply between them ("Yes." answers one)."""
    best = run = 0
    for utterance, found in zip(transcript.utterances, questions, strict=True):
        if utterance.speaker is Role.rep:
            run += len(found)
            best = max(best, run)
        elif utterance.word_count:
            run = 0
    return best


def pitch_before_first_reply(transcript: Transcript) -> float | None:
    """Rep talk time before the client first says something of substance."""
    if not transcript.timed:
        return None
    total = 0.0
    for u in transcript.utterances:
        if u.speaker is Role.client and u.word_count >= SUBSTANTIVE_REPLY_WORDS:
            return total
        if u.speaker is Role.rep:
            total += talk_seconds(u)
    return total


def longest_pitch(transcript: Transcript, stages: Sequence[Sequence[StageKind]]) -> float | None:
    """Longest run of rep talk inside the teaser stage."""
    if not transcript.timed:
        return None
    best = 0.0
    run = 0.0
    for utterance, kinds in zip(transcript.utterances, stages, strict=True):
        if utterance.speaker is Role.rep and StageKind.teaser in kinds:
            run += talk_seconds(utterance)
            best = max(best, run)
        elif utterance.speaker is Role.rep or not _is_backchannel(utterance):
            run = 0.0
    return best


def filler_rate(transcript: Transcript) -> float | None:
    """Filler words ("um", "you know", "ну", "как бы") per 100 rep words."""
    rep = transcript.of(Role.rep)
    total = sum(u.word_count for u in rep)
    if not total:
        return None
    count = 0
    for u in rep:
        for cue in said_cues(u.text, transcript.language).get(FILLER, ()):
            count += _occurrences(u.text, cue)
    return 100 * count / total


def _occurrences(text: str, cue: str) -> int:
    return count_cue(text, cue)


def compute(
    transcript: Transcript,
    questions: Sequence[Sequence[Question]],
    stages: Sequence[Sequence[StageKind]],
    *,
    rhetorical: int = 0,
) -> Metrics:
    """All metrics of one analysed call (``rhetorical``: how many questions only made a
    point, found by the analysis)."""
    ratio, basis = talk_ratio(transcript)
    asked = [
        q
        for u, found in zip(transcript.utterances, questions, strict=True)
        if u.speaker is Role.rep
        for q in found
    ]
    spin_counts = {s.value: sum(1 for q in asked if q.spin is s) for s in Spin}
    open_count = sum(1 for q in asked if q.form is QuestionForm.open)
    duration = transcript.duration_s
    return Metrics(
        talk_basis=basis,
        rep_talk_ratio=ratio,
        rep_questions=len(asked),
        open_questions=open_count,
        closed_questions=len(asked) - open_count,
        spin_counts=spin_counts,
        longest_rep_monologue_s=longest_monologue(transcript, Role.rep),
        longest_client_monologue_s=longest_monologue(transcript, Role.client),
        interactivity=interactivity(transcript),
        rep_words_per_minute=words_per_minute(transcript),
        time_to_first_question_s=time_to_first_question(transcript, questions),
        open_question_share=open_count / len(asked) if asked else None,
        max_questions_in_a_row=max_questions_in_a_row(transcript, questions),
        questions_per_minute=len(asked) / (duration / 60) if duration else None,
        pitch_before_first_reply_s=pitch_before_first_reply(transcript),
        longest_pitch_s=longest_pitch(transcript, stages),
        filler_rate=filler_rate(transcript),
        duration_s=duration,
        rep_words=sum(u.word_count for u in transcript.of(Role.rep)),
        client_words=sum(u.word_count for u in transcript.of(Role.client)),
        rhetorical_questions=rhetorical,
    )
