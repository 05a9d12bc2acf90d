"""Cue matching: every cue that starts a word, the longest one wherever several start at
the same place, "$" for whole words only, ё read as е. English and Russian."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest

from coach.lexicon import (
    CueTable,
    available_languages,
    count_cue,
    cue_tuple,
    find_cue,
    find_cues,
    lexicon,
    normalise,
)
from tests.test_text import tricky_texts

CUES = ("what happens", "what happens if", "cost$", "costs", "wh", "что будет", "что", "всё$")

# (text, the cues found in it, in order)
ROWS = [
    ("What happens if it breaks?", ["what happens if"]),
    ("And what happens then?", ["what happens"]),
    ("The costs went up", ["costs"]),
    ("What does it cost?", ["wh", "cost$"]),
    ("The costing model", []),  # "cost$" is a whole word; "costs" is not there
    ("somewhat happens", []),  # a cue starts a word
    ("Что будет, если не успеем?", ["что будет"]),
    ("Что вы думаете? Что будет дальше?", ["что", "что будет"]),
    ("Это всё, спасибо", ["всё$"]),
    ("Всё-таки дорого", ["всё$"]),  # a hyphen ends the word
    ("Всёго хорошего", []),
]


@pytest.mark.parametrize(("text", "found"), ROWS, ids=[r[0][:24] for r in ROWS])
def test_cues_found_longest_first(text: str, found: list[str]) -> None:
    assert find_cues(text, CUES) == found
    assert find_cue(text, CUES) == (found[0] if found else None)


def test_the_same_tuple_and_an_equal_list_find_the_same() -> None:
    text = "What happens if the cost doubles?"
    assert find_cues(text, CUES) == find_cues(text, list(CUES)) == ["what happens if", "cost$"]
    assert find_cues(text, ()) == []


# several named lists read in one pass: a list is named when one of its cues starts a word,
# even where a longer cue of another list starts at the same place
TABLE = {
    "question": ("what happens", "что"),
    "consequence": ("what happens if", "что будет"),
    "price": ("cost$", "дорог"),
    "plural": ("costs",),
    "all": ("всё$",),
}
TABLE_ROWS = [
    ("What happens if it breaks?", {"question", "consequence"}),
    ("And what happens then?", {"question"}),
    ("What does it cost?", {"price"}),
    ("The costs went up", {"plural"}),
    ("The costing model", set()),
    ("Что будет, если не успеем?", {"question", "consequence"}),
    ("Дороговато, и всё-таки", {"price", "all"}),
    ("Всёго хорошего", set()),
    ("", set()),
]


@pytest.mark.parametrize(("text", "names"), TABLE_ROWS, ids=[r[0][:24] for r in TABLE_ROWS])
def test_cue_table_names_the_lists_with_a_cue(text: str, names: set[str]) -> None:
    assert CueTable(TABLE).names_in(text) == names


@pytest.mark.parametrize(("text", "names"), TABLE_ROWS, ids=[r[0][:24] for r in TABLE_ROWS])
def test_cue_table_agrees_with_one_search_per_list(text: str, names: set[str]) -> None:
    expected = {name for name, cues in TABLE.items() if find_cue(text, cues) is not None}
    assert CueTable(TABLE).names_in(text) == expected


# ``found``: per list, exactly what find_cues gives for that list alone (a cue inside an
# earlier match of its own list is not found again; one inside another list's match is)
FOUND_ROWS = [
    (
        "What happens if it breaks, and what happens then?",
        {"question": ["what happens"], "consequence": ["what happens if"]},
    ),
    ("Что будет, если не успеем? Что тогда?", {"question": ["что"], "consequence": ["что будет"]}),
    (
        "Дороговато, а всё-таки что будет?",
        {"price": ["дорог"], "all": ["всё$"], "question": ["что"], "consequence": ["что будет"]},
    ),
    ("The costing model", {}),
]


@pytest.mark.parametrize(("text", "found"), FOUND_ROWS, ids=[r[0][:24] for r in FOUND_ROWS])
def test_cue_table_finds_per_list_what_find_cues_finds(
    text: str, found: dict[str, list[str]]
) -> None:
    assert CueTable(TABLE).found(text) == found
    by_list = {name: find_cues(text, cues) for name, cues in TABLE.items()}
    assert found == {name: cues for name, cues in by_list.items() if cues}


@pytest.mark.parametrize(("text", "names"), TABLE_ROWS, ids=[r[0][:24] for r in TABLE_ROWS])
def test_cue_table_reads_names_and_the_cues_of_chosen_lists_in_one_pass(
    text: str, names: set[str]
) -> None:
    table = CueTable(TABLE, detailed=("question", "all"))
    read_names, cues = table.read(text)
    assert read_names == names == table.names_in(text)
    assert cues == {k: v for k, v in table.found(text).items() if k in ("question", "all")}


# cues that end on a non-word character: the next cue may start right after them
EDGE_CUES = ("so, ", "wh?", "no-", "don'", "а?", "ну, ")


def _by_lookbehind(text: str, cue_list: tuple[str, ...]) -> list[str]:
    """``find_cues`` the plain way: one alternation, longest cue first, behind a
    lookbehind for the word start, over the text searched from left to right."""
    written: dict[str, str] = {}
    branches = []
    for cue in cue_list:
        plain = cue.replace("ё", "е")
        literal = plain.removesuffix("$")
        if literal and literal not in written:
            written[literal] = cue
            branches.append((literal, plain.endswith("$")))
    branches.sort(key=lambda b: -len(b[0]))
    pattern = re.compile(
        r"(?<!\w)(?:"
        + "|".join(re.escape(lit) + (r"(?!\w)" if whole else "") for lit, whole in branches)
        + ")"
    )
    return list(dict.fromkeys(written[m.group()] for m in pattern.finditer(normalise(text))))


def _cue_texts(cue_list: tuple[str, ...], seed: int, count: int = 3000) -> Iterator[str]:
    """Random texts of cues, pieces of cues and characters that decide word edges."""
    rng = random.Random(seed)
    pieces = [c.rstrip("$") for c in cue_list] + [" ", ",", "-", "'", "?", "_", "ё", "1", "x"]
    pieces += [c[: rng.randrange(1, 4)] for c in cue_list]
    tricky = tricky_texts(seed, count)
    for _ in range(count):
        parts = [rng.choice(pieces) for _ in range(rng.randrange(0, 9))] + [next(tricky)]
        rng.shuffle(parts)
        yield "".join(p.upper() if rng.random() < 0.1 else p for p in parts)


CUE_LISTS = [
    CUES + EDGE_CUES,
    cue_tuple("en", "aux_not_before") + CUES,  # longer than QUICK_LIST: no substring check
    cue_tuple("en", "fillers"),
    cue_tuple("ru", "fillers"),
    cue_tuple("en", "call_to_action"),
    cue_tuple("ru", "call_to_action"),
]


@pytest.mark.parametrize("cue_list", CUE_LISTS, ids=range(len(CUE_LISTS)))
def test_cues_found_as_the_lookbehind_pattern_finds_them(cue_list: tuple[str, ...]) -> None:
    for seed, text in enumerate(_cue_texts(cue_list, len(cue_list))):
        expected = _by_lookbehind(text, cue_list)
        assert find_cues(text, cue_list) == expected, repr(text)
        assert find_cue(text, cue_list) == (expected[0] if expected else None), (seed, text)


def test_cue_table_agrees_with_find_cues_on_random_text() -> None:
    lists = {**TABLE, "edge": EDGE_CUES, "fillers": cue_tuple("ru", "fillers")}
    table = CueTable(lists, detailed=("question", "edge"))
    every = tuple(c for cues in lists.values() for c in cues)
    for text in _cue_texts(every, 7):
        by_list = {name: find_cues(text, cues) for name, cues in lists.items()}
        expected = {name: cues for name, cues in by_list.items() if cues}
        assert table.found(text) == expected, repr(text)
        assert table.names_in(text) == set(expected), repr(text)
        names, detailed = table.read(text)
        assert names == set(expected), repr(text)
        assert detailed == {k: v for k, v in expected.items() if k in ("question", "edge")}


def _count_by_lookbehind(text: str, cue: str) -> int:
    """``count_cue`` the plain way: the word-start lookbehind, then the cue."""
    literal = cue.replace("ё", "е")
    end = r"(?!\w)" if literal.endswith("$") else ""
    pattern = re.compile(r"(?<!\w)" + re.escape(literal.removesuffix("$")) + end)
    return len(pattern.findall(normalise(text)))


@pytest.mark.parametrize("cue_list", CUE_LISTS, ids=range(len(CUE_LISTS)))
def test_cues_counted_as_the_lookbehind_pattern_counts_them(cue_list: tuple[str, ...]) -> None:
    for n, text in enumerate(_cue_texts(cue_list, len(cue_list) + 1, 1500)):
        for cue in (cue_list[n % len(cue_list)], cue_list[(n * 7) % len(cue_list)], "$"):
            said = cue.rstrip("$")
            for where in (text, f"{text}{said} {said}{said}-{text}{said}"):
                assert count_cue(where, cue) == _count_by_lookbehind(where, cue), (cue, where)


def _booleans(value: object, path: str) -> list[str]:
    if isinstance(value, bool):
        return [path]
    if isinstance(value, dict):
        return [b for k, v in value.items() for b in _booleans(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [b for i, v in enumerate(value) for b in _booleans(v, f"{path}[{i}]")]
    return []


@pytest.mark.parametrize("language", available_languages())
def test_cue_lists_hold_words_not_yaml_booleans(language: str) -> None:
    """YAML 1.1 reads yes/no/on/off as True/False: a cue list must keep them as words."""
    data = lexicon(language)
    flags = {"declarative_questions", "wh_after_lead_in"}  # the only true/false settings
    found = [b for key, value in data.items() if key not in flags for b in _booleans(value, key)]
    assert found == []


@pytest.mark.parametrize(
    ("language", "key", "word"),
    [
        ("en", "discourse_markers", "yes"),
        ("en", "wh_prepositions", "on"),
        ("en", "aux_not_before", "no"),
        ("et", "discourse_markers", "no"),
    ],
)
def test_yes_no_and_on_are_cues(language: str, key: str, word: str) -> None:
    assert word in lexicon(language)[key]


@pytest.mark.parametrize(
    ("language", "phrase"), [("en", ["no", "problem"]), ("en", ["no", "worries"])]
)
def test_no_problem_is_a_discourse_phrase(language: str, phrase: list[str]) -> None:
    assert phrase in lexicon(language)["discourse_phrases"]
