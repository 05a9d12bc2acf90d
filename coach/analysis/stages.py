"""Map utterances to the stage kinds of FORMATS.md §3 and say which stages a call covered.

Without a script the generic skeleton's cue lexicons and the questions' SPIN types decide;
with a script its lines and questions (rapidfuzz) and its stage order add evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from rapidfuzz import fuzz

from coach.analysis.questions import Question
from coach.analysis.transcript import Role, Transcript, Utterance
from coach.lexicon import CueTable, cue_tuple, find_cue, lexicon, normalise
from coach.scripts.model import QuestionForm, Script, Spin, StageKind

SPIN_STAGE = {
    Spin.situation: StageKind.situation,
    Spin.problem: StageKind.problem,
    Spin.implication: StageKind.implication,
    Spin.need_payoff: StageKind.need_payoff,
}
OPENING_REP_TURNS = 3  # greeting and compliance happen in the first few rep turns
PITCH_WORDS = 30  # a rep turn this long that presents the offer is a teaser
SHORT_PITCH_WORDS = 15  # … or this long when it ends with a call to action
SCRIPT_MATCH = 80  # rapidfuzz score for "this is the script's line"


@dataclass(frozen=True)
class StageEvidence:
    kind: StageKind
    confidence: float
    reason: str
    stage_id: str | None = None  # the script's stage, when a script was matched
    # a script line, or a client voicing a known objection: the learned model may not overrule
    decisive: bool = False

    # Written out, not generated: the compiled build runs a generated __init__ as Python
    # (see transcript.Utterance).
    def __init__(
        self,
        kind: StageKind,
        confidence: float,
        reason: str,
        stage_id: str | None = None,
        decisive: bool = False,
    ) -> None:
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "confidence", confidence)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "stage_id", stage_id)
        object.__setattr__(self, "decisive", decisive)


@dataclass(frozen=True)
class Coverage:
    """One stage kind in one call: was it covered, where, and how sure are we."""

    kind: StageKind
    covered: bool
    utterances: tuple[int, ...]
    start: float | None
    confidence: float
    stage_id: str | None = None


@dataclass(frozen=True)
class StageCues:
    cues: dict[str, tuple[str, ...]]
    objections: dict[str, tuple[str, ...]]
    objection_topics: tuple[str, ...]
    objection_hedges: tuple[str, ...]


@cache
def stage_cues(language: str) -> StageCues:
    data = lexicon(language)
    stages = data.get("stages") or {}
    objections = data.get("objections") or {}
    return StageCues(
        cues={k: tuple(normalise(str(c)) for c in v) for k, v in stages.items()},
        objections={k: tuple(normalise(str(c)) for c in v) for k, v in objections.items()},
        objection_topics=tuple(normalise(str(c)) for c in data.get("objection_topics", [])),
        objection_hedges=tuple(normalise(str(c)) for c in data.get("objection_hedges", [])),
    )


@cache
def _all_triggers(language: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """Every generic objection trigger of a language, and trigger → category."""
    category: dict[str, str] = {}
    for name, triggers in stage_cues(language).objections.items():
        for trigger in triggers:
            category.setdefault(trigger, name)
    return tuple(category), category


@lru_cache(maxsize=4096)
def _generic_hits(text: str, language: str) -> tuple[tuple[str, str], ...]:
    category = _all_triggers(language)[1]
    seen: dict[str, str] = {}
    for trigger in said_cues(text, language).get(OBJECTION, ()):
        seen.setdefault(category[trigger], trigger)
    return tuple(seen.items())


def objection_hits(text: str, language: str, script: Script | None = None) -> list[tuple[str, str]]:
    """(category, trigger) of every objection a client utterance voices."""
    out: list[tuple[str, str]] = []
    if script is not None:
        lowered = normalise(text)
        for objection in script.objections:
            for trigger in objection.triggers:
                wanted = normalise(trigger)
                if len(wanted) >= 4 and fuzz.partial_ratio(wanted, lowered) >= 90:
                    out.append((objection.category, trigger))
                    break
    out += _generic_hits(text, language)
    return out


# the lists a turn is read for besides the stage kinds' own (named apart from any kind)
CALL_TO_ACTION, TOPIC, HEDGE = "+call_to_action", "+objection_topic", "+objection_hedge"
OBJECTION, FILLER = "+objection", "+filler"  # every generic objection trigger; filler words


@cache
def _cue_table(language: str) -> CueTable:
    """Every stage's cue list, and the other lists a turn is read for, in one table."""
    known = stage_cues(language)
    return CueTable(
        {
            **known.cues,
            CALL_TO_ACTION: cue_tuple(language, "call_to_action"),
            TOPIC: known.objection_topics,
            HEDGE: known.objection_hedges,
            OBJECTION: _all_triggers(language)[0],
            FILLER: cue_tuple(language, "fillers"),
        },
        detailed=(OBJECTION, FILLER),
    )


@lru_cache(maxsize=4096)
def _read(text: str, language: str) -> tuple[frozenset[str], dict[str, list[str]]]:
    """One scan of a turn serves its stages, its objections and its filler words."""
    return _cue_table(language).read(text)


def _said(text: str, language: str) -> frozenset[str]:
    """The cue lists (stage kinds and the names above) with a cue in ``text``."""
    return _read(text, language)[0]


def said_cues(text: str, language: str) -> Mapping[str, Sequence[str]]:
    """The objection triggers (OBJECTION) and filler words (FILLER) that start a word in
    ``text``, each list's as ``find_cues`` gives them. Shared: not to be changed."""
    return _read(text, language)[1]


def _qualifies(question: str, language: str) -> bool:
    """A situation question about budget, authority or timing ("who else decides?"): one
    cue list, so one search rather than the whole table."""
    return find_cue(question, stage_cues(language).cues.get("qualification", ())) is not None


def _has(text: str, language: str, kind: str) -> bool:
    return kind in _said(text, language)


def _script_lines(script: Script) -> list[tuple[str, StageKind, str, int]]:
    out = []
    for order, stage in enumerate(script.stages):
        for line in [*stage.lines, *(q.text for q in stage.questions)]:
            if "{{" in line or len(line) < 12:
                continue
            out.append((normalise(line), stage.kind, stage.id, order))
    return out


def _script_evidence(
    utterance: Utterance, lines: Sequence[tuple[str, StageKind, str, int]], last_order: int
) -> StageEvidence | None:
    """The script stage this utterance says (best fuzzy match; ties go forward in order)."""
    text = normalise(utterance.text)
    best: tuple[float, int, StageKind, str] | None = None
    for line, kind, stage_id, order in lines:
        score = fuzz.partial_ratio(line, text) if len(line) <= len(text) else fuzz.ratio(line, text)
        if score < SCRIPT_MATCH:
            continue
        # order prior: stages mostly follow the script; objections can come anywhere
        if kind is not StageKind.objection and order < last_order - 1:
            score -= 10
        if best is None or score > best[0]:
            best = (score, order, kind, stage_id)
    if best is None or best[0] < SCRIPT_MATCH:
        return None
    return StageEvidence(best[2], min(1.0, best[0] / 100), "script line", best[3], decisive=True)


def _rep_stages(
    utterance: Utterance,
    questions: Sequence[Question],
    language: str,
    *,
    rep_turn: int,
    after_objection: bool,
) -> list[StageEvidence]:
    """Stage kinds of one rep turn from cues, its questions and where it falls."""
    said = _said(utterance.text, language)  # every cue list below, from one cached read
    found: list[StageEvidence] = []
    opening = rep_turn < OPENING_REP_TURNS
    if "compliance" in said and rep_turn < 6:
        found.append(StageEvidence(StageKind.compliance, 0.8, "compliance notice"))
    if opening and "greeting" in said:
        found.append(StageEvidence(StageKind.greeting, 0.8, "introduction"))
    if "small_talk" in said and rep_turn < 8:
        found.append(StageEvidence(StageKind.small_talk, 0.6, "rapport"))
    feedback = bool(questions) and "feedback" in said
    if feedback:
        found.append(StageEvidence(StageKind.feedback, 0.7, "satisfaction question"))
    elif questions and "referral" in said:
        found.append(StageEvidence(StageKind.referral, 0.6, "referral ask"))
    if after_objection:
        found.append(StageEvidence(StageKind.objection, 0.7, "answers an objection"))
    for question in questions:
        if question.spin is None:
            continue
        kind = SPIN_STAGE[question.spin]
        if after_objection:
            kind = StageKind.objection
        elif kind is StageKind.situation and _qualifies(question.text, language):
            kind = StageKind.qualification
        found.append(StageEvidence(kind, 0.7, f"{question.spin!s} question"))
    words = utterance.word_count
    pitch = "teaser" in said
    invites = CALL_TO_ACTION in said  # calls the client to act: "come in", "приезжайте"
    teaser = pitch and (
        (words >= PITCH_WORDS and rep_turn >= 1 and not after_objection)
        or words >= PITCH_WORDS * 2
        or (invites and words >= SHORT_PITCH_WORDS and rep_turn >= 1)
    )
    if teaser:
        # an offer that ends by calling the client to act is the skeleton's teaser itself
        found.append(StageEvidence(StageKind.teaser, 0.6, "presents the offer", decisive=invites))
    # a pitch that ends "can you come on Saturday?" invites; agreeing the day is the close
    introduces = any(e.kind is StageKind.greeting for e in found)  # "Am I speaking to…?"
    if not introduces and (
        _closes(said, bool(questions))
        if not teaser
        else "date_time" in said and ("confirmation" in said or "reminder" in said)
    ):
        found.append(StageEvidence(StageKind.close, 0.7, "fixes the next step"))
    return found


def _closes(said: frozenset[str], asks: bool) -> bool:
    """A next step is being agreed: a day or time, with an arrangement or a question
    (``said``: the cue lists of the turn)."""
    return "date_time" in said and (asks or "close" in said)


def _unique(evidence: Sequence[StageEvidence]) -> list[StageEvidence]:
    best: dict[StageKind, StageEvidence] = {}
    for item in evidence:
        if item.kind not in best or item.confidence > best[item.kind].confidence:
            best[item.kind] = item
    return list(best.values())


ANSWER_NOT_OBJECTION = frozenset({"competitor", "not_decision_maker", "price", "not_now", "fear"})
CUE_KINDS = {
    StageKind.compliance: "compliance",
    StageKind.greeting: "greeting",
    StageKind.small_talk: "small_talk",
}


def _answer_stages(
    rep: Utterance,
    rep_evidence: Sequence[StageEvidence],
    questions: Sequence[Question],
    language: str,
) -> list[StageEvidence]:
    """A client's answer takes the stage of what the rep just said or asked.

    Cue-only stages (a recording notice) carry over only when the last question is about
    them: "This call is recorded, is that okay?" → compliance; "Got two minutes?" → greeting.
    """
    context = rep.text
    if questions:
        last = questions[-1]
        context = rep.text[max(0, last.start - 120) : last.end]
    out = []
    for item in rep_evidence:
        cue = CUE_KINDS.get(item.kind)
        if cue is not None and questions and not _has(context, language, cue):
            continue
        out.append(
            StageEvidence(item.kind, item.confidence * 0.9, "answers the rep", item.stage_id)
        )
    return out


PROCEDURAL = frozenset(
    {StageKind.greeting, StageKind.compliance, StageKind.small_talk, StageKind.close}
)
GUESSED = ("default:situation",)
OPENING = frozenset({StageKind.greeting, StageKind.compliance})
SHORT_OPENING_QUESTION = 8  # words: "Is now a good time?" is procedural; longer ones ask


def _procedural(
    found: Sequence[Question], evidence: Sequence[StageEvidence]
) -> tuple[Question, ...] | None:
    """A question with no SPIN cue, asked while greeting, chatting or closing, is procedural
    ("Is now a good time?", "Is this the best number?"): not a situation question.
    Returns the relabelled questions, or None when nothing changes."""
    kinds = {e.kind for e in evidence if not e.reason.endswith("question")}
    if not (found and kinds and kinds <= PROCEDURAL):
        return None
    if kinds <= OPENING and any(len(q.text.split()) > SHORT_OPENING_QUESTION for q in found):
        return None  # "…, so what are you looking for?" asks about them, even in a greeting
    guessed = [
        q.spin is Spin.situation and q.evidence[-1:] == GUESSED and not q.from_script for q in found
    ]
    if not any(guessed):
        return None
    return tuple(
        replace(q, spin=None, evidence=(*q.evidence, "procedural stage")) if g else q
        for q, g in zip(found, guessed, strict=True)
    )


def label_stages(
    transcript: Transcript,
    questions: Sequence[Sequence[Question]],
    script: Script | None = None,
) -> tuple[list[list[StageEvidence]], list[tuple[Question, ...]]]:
    """Stage evidence for every utterance (a client answer takes its question's stage),
    and the questions with procedural ones relabelled."""
    relabelled = [tuple(found) for found in questions]
    language = transcript.language
    lines = _script_lines(script) if script else []
    out: list[list[StageEvidence]] = []
    rep_turn = 0
    pending_objection = False
    last_order = 0
    last_rep: tuple[Utterance, list[StageEvidence], Sequence[Question]] | None = None
    pitched = False
    selling = False  # a pitch has been made (after the greeting)
    for utterance, found in zip(transcript.utterances, questions, strict=True):
        if utterance.speaker is Role.client:
            evidence: list[StageEvidence] = []
            hits = objection_hits(utterance.text, language, script)
            diagnostic = last_rep is not None and any(q.spin for q in last_rep[2])
            if diagnostic:
                hits = [h for h in hits if h[0] not in ANSWER_NOT_OBJECTION]
            known = bool(hits)  # a cue from the lexicon or the script, not a hesitation
            if not hits and pitched and _concern(utterance.text, language):
                hits = [("concern", "hesitates after the offer")]
            if hits and rep_turn > 0 and utterance.word_count > 1:
                evidence.append(
                    StageEvidence(
                        StageKind.objection, 0.7, f"objection: {hits[0][1]}", decisive=known
                    )
                )
                pending_objection = True
            elif last_rep is not None and utterance.word_count > 2:
                evidence += _answer_stages(*last_rep, language)
            out.append(_unique(evidence))
            continue
        evidence = _rep_stages(
            utterance, found, language, rep_turn=rep_turn, after_objection=pending_objection
        )
        matched = _script_evidence(utterance, lines, last_order) if lines else None
        if matched is not None:
            evidence.append(matched)
            if script is not None:
                ids = [s.id for s in script.stages]
                last_order = max(last_order, ids.index(matched.stage_id or ids[0]))
        changed = _procedural(found, evidence)
        if changed is not None:
            found = changed
            relabelled[utterance.index] = changed
            evidence = _rep_stages(
                utterance, found, language, rep_turn=rep_turn, after_objection=pending_objection
            ) + ([matched] if matched is not None else [])
        evidence = _unique(evidence)
        kinds = {e.kind for e in evidence}
        # a pitch, not the company's business card at hello
        pitch = StageKind.teaser in kinds and not kinds & {StageKind.greeting, StageKind.compliance}
        if selling or pitch:
            # rapport comes before the offer: "kids", "the lake", "holiday" in a pitch sell
            evidence = [e for e in evidence if e.kind is not StageKind.small_talk or e.stage_id]
        out.append(evidence)
        selling = selling or pitch
        pitched = pitched or StageKind.teaser in kinds
        last_rep = (utterance, evidence, found)
        pending_objection = False
        rep_turn += 1
    return _after_sale(_qualification(out, relabelled, transcript)), relabelled


def _concern(text: str, language: str) -> bool:
    """A price or constraint weighed with a "but": "That's more than I was thinking"."""
    said = _said(text, language)
    return TOPIC in said and HEDGE in said


def _qualification(
    evidence: list[list[StageEvidence]],
    questions: Sequence[Sequence[Question]],
    transcript: Transcript,
) -> list[list[StageEvidence]]:
    """Screening questions: the closed (yes/no or either/or) situation questions asked
    before the first problem question, like "Do you own the house, or rent?"."""
    out = [list(items) for items in evidence]
    for index, (utterance, found) in enumerate(zip(transcript.utterances, questions, strict=True)):
        if any(q.spin in (Spin.problem, Spin.implication, Spin.need_payoff) for q in found):
            break
        if utterance.speaker is not Role.rep:
            continue
        screening = [q for q in found if q.spin is Spin.situation and q.form is QuestionForm.closed]
        if not screening:
            continue
        kinds = {e.kind for e in out[index]}
        if StageKind.objection in kinds or StageKind.feedback in kinds:
            continue
        out[index] = _unique(
            [
                StageEvidence(StageKind.qualification, e.confidence, "screening question")
                if e.kind is StageKind.situation
                and not any(q.spin is Spin.situation and q.form is QuestionForm.open for q in found)
                else e
                for e in out[index]
            ]
            + [StageEvidence(StageKind.qualification, 0.6, "screening question")]
        )
        following = index + 1
        if following < len(out) and transcript.utterances[following].speaker is Role.client:
            out[following] = _unique(
                [
                    StageEvidence(StageKind.qualification, e.confidence, e.reason)
                    if e.kind is StageKind.situation
                    else e
                    for e in out[following]
                ]
            )
    return out


def _after_sale(evidence: list[list[StageEvidence]]) -> list[list[StageEvidence]]:
    """In a follow-up call with a satisfaction question, diagnosis is part of the feedback."""
    if not any(e.kind is StageKind.feedback for items in evidence for e in items):
        return evidence
    diagnosis = set(SPIN_STAGE.values()) | {StageKind.qualification}
    out = []
    for items in evidence:
        moved = [
            StageEvidence(StageKind.feedback, e.confidence, e.reason, e.stage_id)
            if e.kind in diagnosis
            else e
            for e in items
        ]
        out.append(_unique(moved))
    return out


def coverage(
    transcript: Transcript,
    evidence: Sequence[Sequence[StageEvidence]],
    script: Script | None = None,
) -> list[Coverage]:
    """Every stage kind the call (or the script) concerns, covered or not."""
    wanted: list[StageKind] = []
    if script is not None:
        for stage in script.stages:
            if stage.kind not in wanted:
                wanted.append(stage.kind)
    where: dict[StageKind, list[int]] = {}
    confidence: dict[StageKind, float] = {}
    stage_ids: dict[StageKind, str] = {}
    for index, items in enumerate(evidence):  # one pass over the call
        for e in items:
            places = where.setdefault(e.kind, [])
            if not places or places[-1] != index:
                places.append(index)
            confidence[e.kind] = max(confidence.get(e.kind, 0.0), e.confidence)
            if e.stage_id and e.kind not in stage_ids:
                stage_ids[e.kind] = e.stage_id
    out = []
    for kind in StageKind:
        places = where.get(kind, [])
        if not places and kind not in wanted:
            continue
        first = transcript.utterances[places[0]].start if places else None
        out.append(
            Coverage(
                kind,
                bool(places),
                tuple(places),
                first,
                round(confidence.get(kind, 0.0), 2),
                stage_ids.get(kind),
            )
        )
    return out
