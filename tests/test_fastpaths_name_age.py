"""The name and age extractors' fast paths agree exactly with the plain formulation.

Names: the cue scans are chosen by probing the cues' first words, keyed by bits
(``_cue_scans``), the weak cues and the sign-offs are found by one scan
(``_scan_weak_and_sign_offs``), the verdict on a token is remembered (``_verdict``,
``_phone_name``), a mention is made only for the span kept, a token in lower case is not
judged, phones are scanned with a first class wider than ``\\d`` (``_phone_matches``), and
a phone's digits are counted only where a name precedes it. Ages: the
numbers looked at are chosen from the letter runs (``_number_starts``), a unit is read
only where one can be, ASCII text is scanned with ``[0-9]``, and one candidate skips the
overlap sort. Each is compared with a compact copy of what it replaced (the oracle).
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import text_post
from tracelight.extract import age, name
from tracelight.extract.gazetteer import fold, gazetteer
from tracelight.extract.tokens import letter_set
from tracelight.model import Mention, Post

# --- names ---


def _names_oracle(post: Post, field: str, text: str) -> list[Mention]:
    """``extract_names`` as first written: a mention per kept span, every token judged."""
    found: dict[tuple[int, int], Mention] = {}

    def keep(start: int, end: int, conf: float | None) -> None:
        if conf is None:
            return
        old = found.get((start, end))
        if old is None or old.confidence < conf:
            found[(start, end)] = name._mention(post, field, text, start=start, end=end, conf=conf)

    for kind, start, end in name._cue_names(text):
        known, other = name._CUE_CONFIDENCE[kind]
        keep(start, end, name._judge(text[start:end], known, other, strong=kind == 0))
    for phone in name._PHONE.finditer(text):
        digits = sum(map(str.isdigit, phone.group()))
        if not name._MIN_PHONE_DIGITS <= digits <= name._MAX_PHONE_DIGITS:
            continue
        phone_start = phone.start()
        if phone_start > 0 and text[phone_start - 1] in name._PHONE_OPENERS:
            phone_start -= 1
        before = name._name_before(text, max(0, phone_start - 40), phone_start)
        if before is None:
            continue
        start, end = before
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        token = text[start:end]
        conf = name._judge(token, 0.6, 0.35, strong=False)
        if len(token) == 2 and (
            token.upper() in gazetteer().region_codes or token[0].lower() == token[1].lower()
        ):
            continue
        if conf is None:
            continue
        if fold(token) not in name.GIVEN_NAMES:
            if name._lower_elsewhere(text, token):
                continue
            if name._SENTENCE_END.search(text, max(0, start - 20), start):
                conf -= 0.05
        keep(start, end, conf)
    return sorted(found.values(), key=lambda m: m.start)


_NAME_PIECES = [
    "my name is", "name:", "me llamo", "I'm", "i am", "It's", "this is", "call me", "Call",
    "ask for", "soy", "eu sou a", "xoxo,", "~", "Jessy", "JESSY", "Mary-Jane", "Available",
    "Tel", "Ca", "Aa", "Houston", "Paris", "Lily", "place", "Place", "415-555-0123",
    "(713) 997 5313", "7139975313", "١٢٣٤٥٦٧٨", "４１５５５５０１２３", "12", "é", "😀", "İ",
    "꧂", "क", "：",
]  # fmt: skip
_NAME_GAPS = ["", " ", "  ", "\t", "\n", ": ", " - ", ". ", "~", ", ", "(", "+"]


@st.composite
def _name_text(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(st.tuples(st.sampled_from(_NAME_PIECES), st.sampled_from(_NAME_GAPS)), max_size=9)
    )
    return "".join(word + gap for word, gap in parts)


@settings(deadline=None, max_examples=700)
@given(_name_text())
@example("eu sou a Jessy, call me Lily 415-555-0123 ~Draya")
@example("Tel 7139975313 Jessy: (713) 997 5313 Place 4155550123 place")
@example("I'M HERE 1234567 Ca 4155550123 Aa 4155550123 xoxo,Lu")
@example("Lily ١٢٣٤٥٦٧٨٩ Jessy ４１５５５５０１２３ MY NAME IS ANA")
def test_names_as_first_written(text: str) -> None:
    post = text_post(text)
    assert name.extract_names(post, "body", text) == _names_oracle(post, "body", text)


_PHONE_TEXT = st.text(
    alphabet=st.sampled_from(list("0123456789 \t().-[]*/x+٣４𝟗꧂क：é😀\u2019\U000104a5𝑥")),
    max_size=40,
)


@settings(deadline=None, max_examples=600)
@given(_PHONE_TEXT)
@example("꧂ 209-857-5973 and 415 555 0123")
@example("क1234567 ٣٣٣٣٣٣٣ 𝟗𝟗𝟗𝟗𝟗𝟗𝟗")
def test_phone_matches_as_the_digit_pattern(text: str) -> None:
    found = [(m.span(), m.group()) for m in name._phone_matches(text)]
    assert found == [(m.span(), m.group()) for m in name._PHONE.finditer(text)]


def test_phone_scan_is_wider_on_this_unicode_database() -> None:
    assert name._PHONE_SCAN is not name._PHONE  # no digit in the digit-free ranges
    # Every decimal digit can start the scan (so it finds every match of ``\d``).
    digits = [chr(code) for code in range(0x110000) if chr(code).isdecimal()]
    first = re.compile(name._PHONE_SCAN.pattern.split("]", 1)[0] + "]")
    assert all(first.match(digit) for digit in digits)
    assert not any(
        chr(code).isdecimal() for lo, hi in name._DIGIT_FREE for code in range(lo, hi + 1)
    )


def _cue_scan_oracle(kind: int, runs: frozenset[str]) -> tuple[str | None, tuple[str, ...]]:
    """The scan of one kind as first chosen, from that kind's own cue words; the weak
    scan also holds the sign-offs, each alternative with its tail."""
    present = runs & name._CUE_WORDS[kind]
    cues = name._STRONG_CUES if kind == 0 else name._WEAK_CUES
    led = [cue for cue in cues if not cue.first.isdisjoint(present)]
    can = [cue for cue in led if cue.also <= present]
    if not can:
        return None, ()
    if kind == 0:
        src = "(?:" + "|".join(cue.src for cue in led) + name._CUE_TAILS[kind]
    else:
        weak = [cue.src + r"[ \t]+" for cue in led]
        sign_offs = [
            word + r"[ \t]*" for word in ("~", "xoxo,?", "kisses,?", "besos,?", "bisous,?")
        ]
        src = "(?:" + "|".join(weak + sign_offs) + ")" + name._NAME_SRC
    needles: tuple[str, ...] = ()
    if all(cue.needles for cue in can):
        needles = tuple(needle for cue in can for needle in cue.needles)
    return src, needles


_ALL_WORDS = [*sorted(name._ALL_CUE_WORDS), "jessy", "llamo", "x", "names2"]


@settings(deadline=None, max_examples=500)
@given(st.frozensets(st.sampled_from(_ALL_WORDS)))
def test_cue_scans_by_bits_as_by_kind(runs: frozenset[str]) -> None:
    for _ in range(2):  # computed, then from the cache
        scans = name._cue_scans(runs)
        for kind, (pattern, needles) in enumerate(scans):
            src = None if pattern is None else pattern.pattern
            assert (src, needles) == _cue_scan_oracle(kind, runs)


def _cue_names_oracle(text: str) -> list[tuple[int, int, int]]:
    """The cues as first found (lower-case text): each kind scanned on its own with its
    full pattern, strong, then weak, then sign-offs."""
    low = text.lower()
    found = []
    for kind, pattern in enumerate(name._CUES):
        pos = 0
        while (match := pattern.search(low, pos)) is not None:
            start = match.start()
            if kind < 2 and start > 0 and re.match(r"[^\W\d_]", low[start - 1]):
                pos = start + 1
                continue
            found.append((kind, *match.span("name")))
            pos = match.start("name")
    return found


_CUE_PIECES = [
    "eu sou", "sou a", "eu sou a", "call me", "call", "me llamo", "I'm", "i am", "it's",
    "ask for", "ich bin", "bin", "moi c'est", "xoxo", "xoxo,", "XOXOXO", "kisses", "besos",
    "bisous", "~", "Jessy", "Lu", "am", "m", "a", "pim", "kiss", "2", "é",
]  # fmt: skip
_CUE_GAPS = ["", " ", "  ", "\t", "\n", ",", "'", "’", ":", "~", "😀"]


@settings(deadline=None, max_examples=800)
@given(
    st.lists(st.tuples(st.sampled_from(_CUE_PIECES), st.sampled_from(_CUE_GAPS)), max_size=10).map(
        lambda parts: "".join(word + gap for word, gap in parts)
    )
)
@example("eu sou a Maria ~Lu xoxo I'm Kim call me llamo Eva")
@example("kisses Ask For Ann, pim Jessy bisousbin Mia")
def test_weak_cues_and_sign_offs_by_one_scan_as_by_two(text: str) -> None:
    assert name._cue_names(text) == _cue_names_oracle(text)


def test_the_name_is_the_only_group_of_every_cue_scan() -> None:
    scans = [pattern for pattern, _ in name._cue_scans(name._ALL_CUE_WORDS)]
    for pattern in (*name._CUES, *name._CUES_ANY_CASE, name._SIGN_OFF, *scans):
        assert pattern is not None
        assert pattern.groups == 1
        assert pattern.groupindex == {"name": name._NAME}


def test_sign_offs_start_with_what_no_weak_cue_starts_with() -> None:
    weak_starts = {word[0] for cue in name._WEAK_CUES for word in cue.first}
    assert weak_starts.isdisjoint(name._SIGN_OFF_STARTS)
    assert {word[0] for word in name._SIGN_OFF_WORDS} == set(name._SIGN_OFF_STARTS)


_TOKENS = ["Jessy", "JESSY", "Jo", "JO", "Mary-Jane", "Available", "Houston", "Paris", "Georgia"]
_TOKENS += ["Healing", "Trinity", "Émilie", "Ab", "X", "Sweet", "Tel", "Kim", "A" * 21, "Ça"]


@settings(deadline=None, max_examples=300)
@given(st.sampled_from(_TOKENS), st.integers(0, 2))
def test_verdict_as_judging_again(token: str, kind: int) -> None:
    known, other = name._CUE_CONFIDENCE[kind]
    want = name._judge(token, known, other, strong=kind == 0)
    assert name._verdict(token, kind) == want
    assert name._verdict(token, kind) == want  # remembered


def _phone_name_oracle(token: str) -> tuple[float, bool] | None:
    """The token tests before a phone as first written: judged, then a state code or a
    grade refused, then looked up among the given names."""
    conf = name._judge(token, 0.6, 0.35, strong=False)
    if len(token) == 2 and (
        token.upper() in gazetteer().region_codes or token[0].lower() == token[1].lower()
    ):
        return None
    if conf is None:
        return None
    return conf, fold(token) in name.GIVEN_NAMES


@settings(deadline=None, max_examples=300)
@given(st.sampled_from([*_TOKENS, "Ca", "Tx", "Aa", "Lu", "Anna-Maria", "Jo-Place"]))
def test_phone_name_as_judging_again(token: str) -> None:
    want = _phone_name_oracle(token)
    for _ in range(2):  # judged, then remembered
        conf, given = name._phone_name(token)
        assert (None if conf == name._NOT_A_NAME else (conf, given)) == want


def test_verdicts_are_emptied_when_full() -> None:
    verdicts = name._VERDICTS[1]
    verdicts.clear()
    for i in range(name._MAX_VERDICTS):
        verdicts[f"T{i}"] = name._NOT_A_NAME
    assert name._verdict("Jessy", 1) == 0.8
    assert verdicts == {"Jessy": 0.8}
    verdicts.clear()


# --- ages ---


def _candidates_oracle(low: str, field: str) -> list[tuple[int, int, int, str]]:
    """``_candidates`` as first written: every run of one or two digits, a unit always
    looked for (``_match_at`` with ``unit``)."""
    starts = [run.start() for run in age._NUM_AT.finditer(low)]
    starts = [start for start in starts if not (start and low[start - 1].isdecimal())]
    return read_at_starts(low, field, starts, unit_runs=True)


def read_at_starts(
    low: str, field: str, starts: list[int], *, unit_runs: bool
) -> list[tuple[int, int, int, str]]:
    """The age readings at ``starts`` as ``_candidates`` first made them (``_match_at``
    at each start, ``groupdict``); also the oracle of ``test_fastpaths_age_indicator2``."""
    found: list[tuple[int, int, int, str]] = []
    prev_end = 0
    for n_start in starts:
        if n_start < prev_end:
            continue
        prefix, p_start, m = age._match_at(low, n_start, prev_end, unit_runs)
        if m is None:
            continue
        prev_end = m.end()
        groups = m.groupdict()
        if "title" in groups:
            value = int(groups["title"])
            if age._in_range(value):
                at_end = field == "title" and not low[m.end() :].strip(" -")
                found.append((n_start, m.end(), value, "title_end" * at_end or "title"))
            continue
        strong = True
        if "num" in groups:
            a, b, old = groups["num"], groups["b"], groups["old"]
            start, end = n_start, m.end()
        else:
            a, b, old = groups["num2"], groups["b2"], groups["old2"]
            start, end = p_start, m.end()
            if groups["unit2"] is None:
                tail_at = m.end("b2") if b is not None else m.end("num2")
                if age._BAD_AFTER_BARE.match(low, tail_at):
                    continue
                if prefix == "self":
                    if b is not None:
                        continue
                    strong = False
            elif old is None and age._NOT_AFTER_YEARS.match(low, end):
                continue
        if not prefix and age._limited(low, start, end):
            continue
        if prefix and age._NOT_AFTER_YEARS.match(low, end):
            continue
        if b is not None:
            low_v, high_v = int(a), int(b)
            if low_v < high_v <= low_v + 40 and age._in_range(low_v) and age._in_range(high_v):
                span_b = m.span("b") if "b" in groups else m.span("b2")
                found.append((start, end, low_v, "range"))
                found.append((span_b[0], end, high_v, "range"))
            continue
        value = int(a)
        if not (age._in_strong_range(value) if strong else age._in_range(value)):
            continue
        if prefix:
            unit = groups["unit2"] is not None
            kind = "label" if prefix == "label" else "unit_old" if old else "self"
            if unit and kind == "self":
                kind = "unit_old" if old else "unit"
        else:
            kind = "unit_old" if old else "unit"
        found.append((start, end, value, kind))
    return found


def _ages_oracle(post: Post, field: str, text: str) -> list[Mention]:
    """``extract_ages`` as first written."""
    if not text:
        return []
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    found = _candidates_oracle(low, field)
    if age._may_have_unit(low):
        found.extend(age._spelled(low))
    if not found:
        return []
    found.sort(key=lambda c: (-age.CONFIDENCE[c[3]], c[0]))
    kept: list[tuple[int, int, int, str]] = []
    for cand in found:
        start, end, _, kind = cand
        if any(
            start < k_end and k_start < end and not (kind == k_kind == "range")
            for k_start, k_end, _, k_kind in kept
        ):
            continue
        kept.append(cand)
    kept.sort(key=lambda c: (c[0], c[1]))
    return [
        Mention.found(
            post_id=post.id,
            kind="age",
            value=str(value),
            field=field,
            original=text,
            start=start,
            end=end,
            method=age.METHOD,
            confidence=age.CONFIDENCE[kind],
        )
        for start, end, value, kind in kept
    ]


_PREFIXES_SHORT = ["my age is", "idade", "alter", "tenho", "j’ai", "i’m", "sou", "only"]
_AGE_PIECES = [
    "19", "21", "5", "34", "120", "٣٣", "４", "yrs", "years old", "yo", "y/o", "y. o", "j.",
    "años", "ans", "Jahre", "age", "Age:", "aged", "poster's age", "edad", "âge", "xage",
    "I'm", "i am", "im", "tengo", "j'ai", "ich bin", "soy", "just", "-", " - ", "–", "to",
    "at least", "for", "of experience", "lbs", "D", "'", "$", "nineteen", "dix-neuf",
    "vinte e dois", "😀", "İ", "Sexy", "Jessy", *_PREFIXES_SHORT,
]  # fmt: skip
_AGE_GAPS = ["", " ", "  ", "\n", ": ", "-", " - ", ", ", ".", "\t"]


@st.composite
def _age_text(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(st.tuples(st.sampled_from(_AGE_PIECES), st.sampled_from(_AGE_GAPS)), max_size=9)
    )
    return "".join(word + gap for word, gap in parts)


@settings(deadline=None, max_examples=800)
@given(_age_text(), st.sampled_from(["title", "body"]))
@example("Sexy Jessy - 21", "title")
@example("Sexy - 21 - call 415-555-0123 - 19", "body")
@example("xage 19, age: 20, I'm 21 and 22 yrs, 18-25 yrs", "body")
@example("٣٣ yrs - ٢١ Jessy - 21", "title")
@example("nineteen years old, j'ai 19 ans", "body")
def test_ages_as_first_written(text: str, field: str) -> None:
    post = text_post(text)
    assert age.extract_ages(post, field, text) == _ages_oracle(post, field, text)


@settings(deadline=None, max_examples=600)
@given(_age_text(), st.data())
def test_number_starts_hold_every_number_read(text: str, data: st.DataObject) -> None:
    low = text.lower()
    if len(low) != len(text):
        return
    runs = letter_set(low)
    unit = age._may_have_unit(low)
    starts = set(age._number_starts(low, runs, unit))
    for run in age._NUM_AT.finditer(low):
        p = run.start()
        prev_end = data.draw(st.integers(0, p))
        if age._match_at(low, p, prev_end, True)[2] is not None:
            assert p in starts, (text, p, prev_end)
            assert _reading(low, p, prev_end, unit) == _reading(low, p, prev_end, True)


def _reading(low: str, start: int, prev_end: int, unit_runs: bool) -> tuple[object, ...]:
    prefix, p_start, match = age._match_at(low, start, prev_end, unit_runs)
    return prefix, p_start, match and (match.span(), match.groupdict())


_ASCII_NUMBER_TEXT = st.text(alphabet="0123456789 a-.\n", max_size=30)


@settings(deadline=None, max_examples=400)
@given(_ASCII_NUMBER_TEXT)
def test_ascii_number_scan_as_the_unicode_one(text: str) -> None:
    starts = [m.start() for m in age._NUM_AT.finditer(text)]
    assert [m.start() for m in age._NUM_AT_ASCII.finditer(text)] == starts


_PREFIXES = ["poster's age", "my age is", "age is", "aged", "age", "âge", "edad", "idade"]
_PREFIXES += ["alter", "i'm", "i’m", "i am", "im", "tengo", "j'ai", "j’ai", "tenho", "ich bin"]
_PREFIXES += ["soy", "sou"]


def test_prefix_runs_are_the_label_and_cue_words() -> None:
    """Every label and first-person cue that the prefix pattern reads before a number
    has a word of ``_PREFIX_RUNS`` (the property test above checks the rest)."""
    for prefix in _PREFIXES:
        match = age._PREFIX_REV.match((" " + prefix + " ")[::-1])
        assert match is not None and (match.group("label") or match.group("self")), prefix
        assert set(re.findall(r"[^\W\d_]+", prefix)) & age._PREFIX_RUNS, prefix
