"""The extractors' cheap pre-checks and rewritten scans agree exactly with what they
stand for.

Each fast path (a set test before a regex scan, a pattern rewritten to start with a
character class) is only allowed if it never changes a result; these properties compare
it with the plain formulation on inputs built to hit the edge cases.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tracelight.extract import age, handle, name, normalize, tokens, wallet
from tracelight.extract.numberwords import GLUE_WORDS, PIECES, fold

_GLUE_PIECES = [*sorted(GLUE_WORDS)[::7], "to", "for", "six", "seven", "ate", "tres", "acht"]
_NOISE = ["hello", "x", "İ", "ẞ", "dreiẞig", "Sëvén", "SIX", "1", "42", "0", "555", "a"]
_SEPARATORS = ["", "", " ", "-", "_", ".", "\u200b", "😀", "\n", "$", "é", "Ⅰ", "²"]


@st.composite
def _glued_text(draw: st.DrawFn) -> str:
    parts = draw(
        st.lists(
            st.tuples(st.sampled_from(_GLUE_PIECES + _NOISE), st.sampled_from(_SEPARATORS)),
            max_size=10,
        )
    )
    text = "".join(word + sep for word, sep in parts)
    return draw(st.sampled_from([text, text.upper(), text.title()]))


@settings(deadline=None, max_examples=400)
@given(_glued_text())
def test_glue_precheck_never_hides_a_glued_number(text: str) -> None:
    if not normalize._may_glue(text):
        assert normalize._glued_word_edits(text) == []


def test_glue_precheck_passes_glued_numbers() -> None:
    for text in ("call 6seven8 now", "twotwoeight", "3tothree", "SIXsix", "fünf8"):
        assert normalize._may_glue(text), text
    assert not normalize._may_glue("to be or not to be, 4 you")


def _number_words_near_reference(text: str) -> bool:
    """The check as first written: every letter run counted, folded when not ASCII."""
    found = re.findall(r"[^\W\d_]+", text.lower())
    hits = sum(run in PIECES for run in found)
    hits += sum(fold(run) in PIECES for run in found if not run.isascii())
    return hits >= normalize.MIN_TOKENS or (hits > 0 and re.search("[0-9]", text) is not None)


@settings(deadline=None, max_examples=400)
@given(_glued_text())
def test_number_word_precheck_counts_as_before(text: str) -> None:
    spaced = text.replace("", " ")[1:]  # words apart as well as glued
    for candidate in (text, spaced):
        assert normalize._number_words_near(candidate) == _number_words_near_reference(candidate)


_LOOK_TEXT = st.text(alphabet="0123456789OoIl|x -\n", max_size=30)


@settings(deadline=None, max_examples=300)
@given(_LOOK_TEXT)
def test_look_alike_near_digit_as_two_alternatives(text: str) -> None:
    plain = re.search(r"[0-9][OoIl|]|[OoIl|][0-9]", text) is not None
    assert (normalize._LOOK_NEAR_DIGIT.search(text) is not None) == plain


def test_capital_sharp_s_in_a_number_run_does_not_raise() -> None:
    for text in ("DREIẞIG 4155550123", "vier dreiẞig eins 5", "dreiẞig zwei drei 1"):
        norm = normalize.normalize(text)
        assert norm.original == text


_LABEL_PIECES = [*handle._LABEL_TRIGGERS, "sc", "ig", "tg", "fb", "of", "line", "x", "_", "0"]
_LABEL_PIECES += [" ", "\t", ":", "：", "=", "-", "–", "—", ">", "|", "~", "@", "📷", "📸", "✈"]
_LABEL_PIECES += ["\ufe0f"]
_LABEL_TEXT = st.lists(st.sampled_from(_LABEL_PIECES), max_size=12).map("".join)


@settings(deadline=None, max_examples=400)
@given(_LABEL_TEXT)
def test_label_precheck_is_the_trigger_words_or_a_short_label(text: str) -> None:
    plain = any(word in text for word in handle._LABEL_TRIGGERS)
    plain = plain or handle._SHORT_LABEL.search(text) is not None
    assert (handle._ANY_LABEL.search(text) is not None) == plain


_WALLET_TEXT = st.lists(
    st.sampled_from(["a", "B", "7", " ", "-", "\n", "é", "_", "x" * 13, "Z" * 20, "1" * 60]),
    max_size=20,
).map("".join)


@settings(deadline=None, max_examples=400)
@given(_WALLET_TEXT)
def test_wallet_candidates_are_the_candidate_pattern(text: str) -> None:
    plain = [(m.start(), m.end(), m.group()) for m in wallet._CANDIDATE.finditer(text)]
    assert list(wallet._candidates(text)) == plain


_RUN_TEXT = st.text(alphabet="abcXYZ019 _-.😀’éßİ²Ⅷ½\u0301\n\ud83d\x00", max_size=40)


@settings(deadline=None, max_examples=400)
@given(_RUN_TEXT)
def test_letter_runs_as_the_unicode_pattern(text: str) -> None:
    for candidate in (text, text.lower()):
        runs = tokens.LETTER_RUN.findall(candidate)
        assert tokens.letter_runs(candidate) == runs
        assert tokens.letter_set(candidate) == frozenset(runs)
        assert tokens.ascii_letters(candidate) == all(run.isascii() for run in runs)


def test_a_field_too_long_to_keep_is_read_alike_but_not_kept() -> None:
    long = "Call Me " * (tokens.LONGEST_KEPT // 8 + 1)
    assert len(long) > tokens.LONGEST_KEPT
    before = tokens._letters_kept.cache_info(), tokens._lowered_kept.cache_info()
    low = tokens.lowered(long)
    assert low == long.lower()
    assert tokens.letter_runs(low) == tokens.LETTER_RUN.findall(low)
    assert tokens.letter_set(low) == {"call", "me"}
    after = tokens._letters_kept.cache_info(), tokens._lowered_kept.cache_info()
    assert [(a.hits, a.misses) for a in after] == [(b.hits, b.misses) for b in before]


_AGE_PIECES = ["y", "o", "u", "you", "yo", *age._UNIT_CUES, " ", "a", "n", "s", "j", ".", "ñ"]


@settings(deadline=None, max_examples=400)
@given(st.lists(st.sampled_from(_AGE_PIECES), max_size=10).map("".join))
def test_spelled_age_precheck_as_substring_counts(text: str) -> None:
    plain = text.count("yo") == text.count("you") and not any(c in text for c in age._UNIT_CUES)
    assert (age._UNIT_CUE.search(text) is None) == plain


_BEFORE_TEXT = st.lists(
    st.sampled_from([*"abZé ß²-–~:\t\n _09", "Mary", "Jane", "x-y", "--", "  "]), max_size=14
).map("".join)


@settings(deadline=None, max_examples=500)
@given(_BEFORE_TEXT, st.data())
def test_name_before_a_phone_as_the_pattern_search(text: str, data: st.DataObject) -> None:
    hi = data.draw(st.integers(0, len(text)))
    lo = data.draw(st.integers(0, hi))
    match = name._BEFORE_PHONE.search(text, lo, hi)
    assert name._name_before(text, lo, hi) == (match.span("name") if match else None)


# --- normalize / phone fast paths ---

from array import array  # noqa: E402

from tracelight.extract import numberwords, phone  # noqa: E402


def _compose_reference(
    base: normalize.Normalized, edits: list[normalize.Edit]
) -> tuple[str, list[int], list[int]]:
    """The maps as first built: each kept slice of the base converted item by item."""
    src, bs, be = base.text, base.starts, base.ends
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for a, b, rep in edits:
        pieces.append(src[pos:a])
        starts.extend(bs[pos:a])
        ends.extend(be[pos:a])
        pieces.append(rep)
        starts.extend([bs[a]] * len(rep))
        ends.extend([be[b - 1]] * len(rep))
        pos = b
    pieces.append(src[pos:])
    starts.extend(bs[pos:])
    ends.extend(be[pos:])
    return "".join(pieces), starts, ends


@st.composite
def _edits(draw: st.DrawFn, n: int) -> list[normalize.Edit]:
    cuts = sorted(set(draw(st.lists(st.integers(0, n), max_size=8))))
    edits: list[normalize.Edit] = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if b > a:
            edits.append((a, b, draw(st.sampled_from(["", "x", "12", "345"]))))
    return edits


@settings(deadline=None, max_examples=400)
@given(st.text(alphabet="ab1 😀", max_size=30), st.data())
def test_compose_maps_as_copied_item_by_item(text: str, data: st.DataObject) -> None:
    base = normalize.identity(text)
    for _ in range(data.draw(st.integers(1, 3))):  # over identity, then over arrays
        edits = data.draw(_edits(len(base.text)))
        got = normalize._compose(base, edits)
        assert (got.text, list(got.starts), list(got.ends)) == _compose_reference(base, edits)
        assert got.original == text
        base = got


def test_compose_beyond_the_shared_array() -> None:
    text = "a" * (len(normalize._IOTA[0]) + 5)
    edits = [(1, 2, "bc"), (len(text) - 1, len(text), "")]
    got = normalize._compose(normalize.identity(text), edits)
    assert isinstance(got.starts, array)
    want = _compose_reference(normalize.identity(text), edits)
    assert (got.text, list(got.starts), list(got.ends)) == want


_HEAD_PIECES = ["id", "ID", "Ref", "reference", "order", "post", "posting", "ad", "zip", "cp"]
_HEAD_PIECES += ["postcode", "plz", "cep", "case", "ticket", "invoice", "postal", "n", "no", "N"]
_HEAD_PIECES += ["°", "º", "#", ":", ".", " ", "  ", "\n", "\t", "x", "a", "_", "9", "é", "😀"]


@settings(deadline=None, max_examples=600)
@given(st.lists(st.sampled_from(_HEAD_PIECES), max_size=10).map("".join))
def test_id_label_read_backwards_as_the_search(head: str) -> None:
    reversed_ = phone._ID_LABEL_REVERSED.match(head[::-1]) is not None
    assert reversed_ == (phone._ID_LABEL.search(head) is not None)


@settings(deadline=None, max_examples=400)
@given(st.text(alphabet="0123456789٤𝟒²a \n-", max_size=20))
def test_four_digits_as_counting_every_digit(text: str) -> None:
    counted = len(re.findall("[0-9]", text)) >= phone.MIN_DIGITS
    assert (phone._FOUR_DIGITS.search(text) is not None) == counted


def _may_glue_reference(s1: str) -> bool:
    """:func:`normalize._may_glue` before the letter-beside-a-digit scan: the runs on
    either side of every digit are always listed."""
    low = s1.lower()
    if len(low) != len(s1):
        return True
    runs = normalize._folded(tokens.letter_set(low))
    memo = normalize._classify_glue(runs)
    glue = runs & memo.any
    if not glue:
        return False
    if not glue.isdisjoint(memo.multi):
        return True
    after = set(normalize._LETTERS_AFTER_DIGIT.findall(low))
    before = {run[::-1] for run in normalize._LETTERS_AFTER_DIGIT.findall(low[::-1])}
    return not glue.isdisjoint(normalize._folded(after | before))


@settings(deadline=None, max_examples=400)
@given(_glued_text())
def test_glue_precheck_as_listing_the_runs_beside_digits(text: str) -> None:
    spaced = text.replace("", " ")[1:]
    for candidate in (text, spaced, text + " 4"):
        assert normalize._may_glue(candidate) == _may_glue_reference(candidate)


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet="0123456789aZé²_ -😀İ", max_size=20))
def test_letter_beside_digit_as_two_alternatives(text: str) -> None:
    plain = re.search(r"[0-9][^\W\d_]|[^\W\d_][0-9]", text) is not None
    assert (normalize._LETTER_BESIDE_DIGIT.search(text) is not None) == plain


def _run_reference(digits: bool, words: bool) -> re.Pattern[str]:
    """The numeric-run pattern as first written: the token alternation at every position."""
    alts = ["[0-9]"]
    if words:
        alts.append(normalize._WORD)
    if digits:
        alts.append(normalize._LOOK)
    token = "(?:" + "|".join(alts) + ")"
    gap = normalize._GAP if words else f"{normalize._GAPCH}{{1,8}}"
    return re.compile(rf"{token}(?:{gap}?{token}){{{normalize.MIN_TOKENS - 1},}}")


_RUN_REFERENCES = {(d, w): _run_reference(d, w) for d in (True, False) for w in (True, False)}
_RUN_PIECES = ["one", "Two", "SIX", "vingt", "quatre-vingt-dix", "dreißig", "DREIẞIG", "Sëis"]
_RUN_PIECES += ["oh", "double", "y", "e", "et", "und", "O", "o", "l", "I", "|", "OO", "lol", "x"]
_RUN_PIECES += ["4", "15", "0", " ", " ", "-", ".", "\n", "😀", "\ufe0f", "İ", "abc", "$", "é"]


@settings(deadline=None, max_examples=600)
@given(st.lists(st.sampled_from(_RUN_PIECES), max_size=14).map("".join))
def test_run_pattern_led_by_a_class_as_the_token_alternation(text: str) -> None:
    for (digits, words), reference in _RUN_REFERENCES.items():
        fast = normalize._patterns(digits, words)[0]
        want = [m.span() for m in reference.finditer(text)]
        assert [m.span() for m in fast.finditer(text)] == want
        if not words or len(text.lower()) != len(text):
            continue
        # The pattern of the number-word forms the text can hold finds the same runs.
        present = normalize._vocabulary(tokens.letters(text.lower()))
        runs = normalize._vocabulary_runs(digits, present)
        assert [m.span() for m in runs.finditer(text)] == want
        if re.search("[0-9]", text) and not normalize._number_words_near(text):
            looks = normalize._vocabulary_runs(digits, frozenset())
            assert [m.span() for m in looks.finditer(text)] == want


def test_word_pattern_letters_fold_as_the_letter_runs_are_folded() -> None:
    """What :func:`normalize._vocabulary` relies on: a character the word pattern reads
    as a letter of a form, lower-cased (when that keeps it one character) and folded, is
    that letter, so the form's words are among the field's folded letter runs."""
    every = "".join(map(chr, range(0x110000)))
    letters = {ch for form in numberwords.WORDS for ch in form if ch.isalpha()}
    for letter in letters:
        for m in re.finditer(numberwords._letter_class(letter), every):
            ch = m.group()
            if len(ch.lower()) == 1:
                assert numberwords.fold(ch.lower()) == letter, (hex(ord(ch)), letter)


def test_vocabulary_keeps_the_forms_whose_words_are_all_present() -> None:
    found = tokens.letters("call quatre-vingt dix 555 one two très x".lower())
    vocabulary = normalize._vocabulary(found)
    assert {"one", "two", "tres", "dix", "quatre-vingt", "quatre-vingt-dix"} <= vocabulary
    assert "quatre-vingt-onze" not in vocabulary  # "onze" is not written
    assert "three" not in vocabulary
    assert normalize._vocabulary(tokens.letters("no numbers here")) == frozenset()


def _confusable_in_latin_word_reference(text: str, i: int) -> bool:
    """The check as first written: the word's bounds found a character at a time."""
    lo = i
    while lo > 0 and i - lo < 64 and re.match(r"\w", text[lo - 1]):
        lo -= 1
    hi = i + 1
    while hi < len(text) and hi - i < 64 and re.match(r"\w", text[hi]):
        hi += 1
    return any(c.isascii() and c.isalnum() for c in text[lo:hi])


_WORD_AROUND_PIECES = ["а", "о", "Α", "x", "7", "é", "ж", "_", " ", "-", "😀", "\u0301", "²"]
_WORD_AROUND_PIECES += ["ж" * 70, "a" * 63, "b" * 64, "c" * 65]


@settings(deadline=None, max_examples=500)
@given(st.lists(st.sampled_from(_WORD_AROUND_PIECES), min_size=1, max_size=8).map("".join))
def test_confusable_word_bounds_as_a_character_at_a_time(text: str) -> None:
    for i in range(len(text)):
        want = _confusable_in_latin_word_reference(text, i)
        assert normalize._confusable_in_latin_word(text, i) == want


_DIGIT_RUN_REFERENCE = re.compile(
    rf"[0-9](?:{normalize._GAPCH}{{0,8}}[0-9]){{{normalize.MIN_DIGITS - 1},}}"
)


@settings(deadline=None, max_examples=600)
@given(st.text(alphabet="0123456789 -.\n_\u3000\xa0\ufe0f\ufe0e😀€a", max_size=40))
def test_digit_run_possessive_gap_as_the_backtracking_one(text: str) -> None:
    want = [m.span() for m in _DIGIT_RUN_REFERENCE.finditer(text)]
    assert [m.span() for m in normalize._DIGIT_RUN.finditer(text)] == want


def test_digit_run_gap_counts_a_selector_with_its_separator() -> None:
    text = "1" + "\u3000\ufe0f" * 5 + "2 3 4"  # ten characters, five separators
    want = [m.span() for m in _DIGIT_RUN_REFERENCE.finditer(text)]
    assert want == [(0, len(text))]
    assert [m.span() for m in normalize._DIGIT_RUN.finditer(text)] == want


def _blocked_reference(text: str, groups: list[phone._Group]) -> list[bool]:
    """:func:`phone._blocked` with the currency before each group found by its regex."""
    blocked = [False] * len(groups)
    for i, g in enumerate(groups):
        if phone._is_date(groups, i):
            blocked[i] = blocked[i + 1] = blocked[i + 2] = True
        before = phone._CURRENCY_BEFORE.search(text, max(0, g.start - 2), g.start)
        if before or phone._UNIT_AFTER.match(text, g.end):
            blocked[i] = True
    run = 0
    for i in range(len(groups) + 1):
        if i < len(groups) and len(groups[i].digits) == 4:
            run += 1
            continue
        if run >= 4:
            for k in range(i - run, i):
                blocked[k] = True
        run = 0
    return blocked


_CURRENCY_PIECES = ["$", "€", "£", "¢", " ", "\n", "\t", "\u3000", "-", "(", "x", "hr", "usd", "%"]
_CURRENCY_PIECES += ["4155", "12", "2016", "06", "1", "555", "0123"]


@settings(deadline=None, max_examples=500)
@given(st.lists(st.sampled_from(_CURRENCY_PIECES), max_size=12).map("".join))
def test_currency_before_a_group_as_the_regex(text: str) -> None:
    for run in phone._GROUPS.finditer(text):
        groups = [
            phone._Group(m.start(), m.end(), m.group())
            for m in phone._DIGITS.finditer(text, run.start(), run.end())
        ]
        assert phone._blocked(text, groups) == _blocked_reference(text, groups)


def test_no_number_word_is_look_alikes_only() -> None:
    """The run pattern tests the word and the look-alike under one look-behind, in
    either order, because no position can start both."""
    assert not [form for form in numberwords.WORDS if set(form) <= set("oli")]


# --- names / handles / ages / indicators fast paths ---

from hypothesis import example  # noqa: E402

from helpers import text_post  # noqa: E402
from tracelight.extract import obfuscated_email  # noqa: E402

_LETTER_AT = re.compile(r"[^\W\d_]")


def _cue_names_reference(text: str) -> list[tuple[int, int, int]]:
    """The cue scan as first written: every kind with its full pattern, no pre-check."""
    low = text.lower()
    if len(low) == len(text):
        low, patterns = low.translate(name._FOLD_EXTRA), name._CUES
    else:
        low, patterns = text, name._CUES_ANY_CASE
    found = []
    for kind, pattern in enumerate(patterns):
        pos = 0
        while (match := pattern.search(low, pos)) is not None:
            start = match.start()
            if kind < 2 and start > 0 and _LETTER_AT.match(low, start - 1):
                pos = start + 1
                continue
            found.append((kind, *match.span("name")))
            pos = match.start("name")
    return found


_CUE_PHRASES = [
    "my name is", "my name", "my names", "my name's", "my name:", "name:", "names :", "me llamo",
    "mi nombre es", "je m'appelle", "je m’ appelle", "mon nom est", "meu nome é", "meu nome e",
    "me chamo", "ich heiße", "ich heisse", "mein name ist", "i'm", "i ’ m", "i am", "it's",
    "it is", "this is", "call me", "call", "ask for", "soy", "je suis", "moi c'est", "sou a",
    "eu sou", "ich bin", "xoxo", "xoxo,", "kisses", "besos", "bisous", "~",
]  # fmt: skip
_CUE_WORDS = sorted({word for cue in (*name._STRONG_CUES, *name._WEAK_CUES) for word in cue.first})
_CUE_NOISE = ["Jessy", "JESSY", "x", "ı", "ſ", "İ", "é", "2", "nam", "llamoJessy", "am", "m", "is"]
_CUE_GAPS = ["", " ", " ", "  ", "\t", "\n", ":", "'", "-", "😀", "é"]


@st.composite
def _cue_text(draw: st.DrawFn) -> str:
    pieces = st.sampled_from(_CUE_PHRASES + _CUE_WORDS + _CUE_NOISE)
    parts = draw(st.lists(st.tuples(pieces, st.sampled_from(_CUE_GAPS)), max_size=8))
    text = "".join(word + gap for word, gap in parts)
    return draw(st.sampled_from([text, text.upper(), text.title()]))


@settings(deadline=None, max_examples=600)
@given(_cue_text())
@example("My nameJessy")
@example("me llamoAna, ich heißeEva")
@example("I'M  Kim ıt's Eva, xoxo,Lu")
def test_cue_scans_of_the_words_present_as_the_full_patterns(text: str) -> None:
    assert name._cue_names(text) == _cue_names_reference(text)


def test_sign_off_with_the_comma_in_each_word_as_the_grouped_pattern() -> None:
    full = name._CUES[2]
    for text in ("xoxo, Draya", "~Mia ~ Lu", "kisses,,Ann", "besosbisous Eva", "xoxoxo Kim"):
        pos, fast, plain = 0, [], []
        while (match := name._SIGN_OFF.search(text, pos)) is not None:
            fast.append(match.span("name"))
            pos = match.start("name")
        pos = 0
        while (match := full.search(text, pos)) is not None:
            plain.append(match.span("name"))
            pos = match.start("name")
        assert fast == plain, text


_HANDLE_LABELS = [*handle._LABEL_TRIGGERS, *sorted(handle._LABEL_RUNS), "sc", "ig", "tg", "fb"]
_HANDLE_LABELS += ["of", "OF", "Of", "line", "only", "fans", "we", "chat", "tik", "tok", "📷", "✈"]
_HANDLE_LABELS += ["✈\ufe0f", "👻", "x", "/", "t.me/", "ab.com/"]
_HANDLE_SEPARATORS = ["", " ", "  ", ":", ": ", " - ", "=", "@", " @", "👻 ", " id ", " es "]
_HANDLE_NAMES = ["kitty_22", "name.01", "me", "x", "bb", "jessy.rose", "_", "0"]
_NOT_ASCII_LETTERS = ["é", "ÉLISE", "İ", "\u212a", "微信", "ſ"]


@st.composite
def _handle_text(draw: st.DrawFn) -> str:
    parts = st.tuples(
        st.sampled_from(_HANDLE_LABELS),
        st.sampled_from(_HANDLE_SEPARATORS),
        st.sampled_from(_HANDLE_NAMES),
        st.sampled_from(["", " ", "\n", ". ", "_", "9"]),
    )
    text = "".join("".join(part) for part in draw(st.lists(parts, max_size=5)))
    if draw(st.booleans()):  # a letter that is not ASCII somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(_NOT_ASCII_LETTERS)) + text[at:]
    return text


@settings(deadline=None, max_examples=600)
@given(_handle_text())
@example("only fans: kitty_22")
@example("sc es kitty_22 OF: bb")
def test_label_set_test_keeps_the_label_scan_where_a_label_reads(text: str) -> None:
    for candidate in (text, text.upper(), text.title()):
        low = handle._lower(candidate)
        post = text_post(candidate)
        scan = handle._ANY_LABEL.search(low) is not None
        fast = handle._may_label(candidate, low)
        assert scan or not fast
        if handle._labels(post, "body", candidate, low, []):
            assert fast == scan, candidate
        if handle._LINK_TRIGGER.search(low):
            assert "/" in low


_NUMBER_TEXT = st.text(alphabet="0123456789٣ a-.\n", max_size=30)


@settings(deadline=None, max_examples=400)
@given(_NUMBER_TEXT)
def test_number_runs_as_last_digits_not_after_a_digit(text: str) -> None:
    plain = [
        m.start()
        for m in re.finditer(r"\d\d?(?!\d)", text)
        if not (m.start() and text[m.start() - 1].isdecimal())
    ]
    assert [m.start() for m in age._NUM_AT.finditer(text)] == plain


_UNIT_PIECES = [*sorted(age._UNIT_RUNS), "y", "o", "j", "you", "yor", "jahr", "año", "ſ", "x"]
_UNIT_PIECES += ["nineteen", "vingt", "y.o", "y. o", "y/o", "j.", "yo.", "é", "2", "19"]
_UNIT_TEXT = st.lists(
    st.tuples(st.sampled_from(["", " ", "-", ".", "/", "\n", "é"]), st.sampled_from(_UNIT_PIECES)),
    max_size=8,
).map(lambda parts: "".join(gap + word for gap, word in parts))


@settings(deadline=None, max_examples=400)
@given(_UNIT_TEXT)
@example("diecinueve años, 19 y. o")
def test_unit_word_set_test_passes_every_unit_word(text: str) -> None:
    for candidate in (text, text.upper(), text.lower()):
        if age._UNIT_WORD.search(candidate) is not None:
            assert age._may_have_unit(candidate), candidate


def _at_markers_reference(text: str, low: str) -> list[tuple[int, int, str]]:
    """The marker search as first written: every word and the bracket pattern looked for."""
    found: list[tuple[int, int, str]] = []
    for symbol in obfuscated_email._AT_SYMBOLS:
        found += [
            (*obfuscated_email._spaces_out(text, m.start(), m.end()), "sym")
            for m in re.finditer(re.escape(symbol), low)
        ]
    for word in obfuscated_email._AT_WORDS:
        pos = low.find(word)
        while pos != -1:
            spaced = obfuscated_email._spaces_out(text, pos + 1, pos + len(word) - 1)
            found.append((*spaced, "word"))
            pos = low.find(word, pos + len(word) - 1)
    for match in obfuscated_email._AT_BRACKET.finditer(text):
        found.append((*obfuscated_email._spaces_out(text, match.start(), match.end()), "br"))
    return sorted(found)


_AT_PIECES = ["at", "AT", "At", "arroba", "ARROBA", "arobase", "AROBAſE", "ät", "ÄT", "@", "＠"]
_AT_PIECES += ["[", "]", "(", ")", "{", "}", "<", ">", " ", " ", "\t", "x", "İ", "ſ", ".", "é"]


@settings(deadline=None, max_examples=600)
@given(st.lists(st.sampled_from(_AT_PIECES), max_size=12).map("".join))
def test_at_markers_looked_for_by_run_as_every_marker(text: str) -> None:
    low = text.lower()
    if len(low) != len(text):
        low = text
    assert obfuscated_email._at_markers(text, low) == _at_markers_reference(text, low)


def test_letter_test_without_the_regex_on_every_character() -> None:
    letter = re.compile(r"[^\W\d_]")
    for code in range(0x110000):
        ch = chr(code)
        assert name._is_letter(ch) == (letter.match(ch) is not None), hex(code)


# --- prices / places / wallets fast paths ---


def _candidates_reference(trie: dict[str, int], tokens: list[str]) -> list[tuple[int, list[int]]]:
    """The place-key scan as first written: a trie look-up at every token, then a walk
    to longer keys from each hit."""
    from tracelight.extract.gazetteer import COMPLETE, LONGER, MAX_TOKENS

    found: list[tuple[int, list[int]]] = []
    for i in [i for i, token in enumerate(tokens) if token in trie]:
        key, j, lengths = tokens[i], i, []
        flags = trie[key]
        while True:
            if flags & COMPLETE:
                lengths.append(j - i + 1)
            j += 1
            if not flags & LONGER or j >= len(tokens) or j - i >= MAX_TOKENS:
                break
            key = key + " " + tokens[j]
            flags = trie.get(key, 0)
            if not flags:
                break
        if lengths:
            lengths.reverse()
            found.append((i, lengths))
    return found


_PLACE_TOKENS = ["san", "diego", "los", "angeles", "new", "york", "city", "salt", "lake", "i"]
_PLACE_TOKENS += ["n", "to", "a", "the", "hague", "best", "young", "paris", "texas", "el", "paso"]
_PLACE_TOKENS += ["de", "la", "b", "ham", "rio", "janeiro", "xq", "zzz", "san diego", "new york"]


@settings(deadline=None, max_examples=500)
@given(st.lists(st.sampled_from(_PLACE_TOKENS), max_size=12))
def test_place_candidates_as_a_trie_look_up_at_every_token(tokens: list[str]) -> None:
    from tracelight.extract import location
    from tracelight.extract.gazetteer import gazetteer

    index = gazetteer()
    want = _candidates_reference(index.trie, tokens)
    spaced = location._spaced(tokens)
    assert location._candidates(index, tokens, spaced=spaced) == want
    assert location._candidates_in_trie(index, tokens) == want
    if not spaced:  # letter runs: the head and follower tables are exact
        assert location._candidates(index, tokens) == want


def test_place_heads_and_followers_are_read_off_the_trie() -> None:
    from tracelight.extract.gazetteer import LONGER, gazetteer

    index = gazetteer()
    seconds: dict[str, set[str]] = {}
    for key in index.trie:
        head, _, rest = key.partition(" ")
        if rest:
            seconds.setdefault(head, set()).add(rest.split(" ")[0])
    assert {head: set(nexts) for head, nexts in index.followers.items()} == seconds
    longer = {key for key, flags in index.trie.items() if " " not in key and flags & LONGER}
    assert longer == set(seconds)
    assert index.heads == {key for key in index.trie if " " not in key}
    assert index.prefix_only == {key for key in index.heads if index.trie[key] == LONGER}


_GAP_TEXT = st.lists(st.sampled_from([" ", "\t", ",", "(", "-", ".", ";", "\n", "x"]), max_size=6)


@settings(deadline=None, max_examples=400)
@given(_GAP_TEXT.map("".join))
def test_qualifier_gap_as_the_gap_pattern(gap: str) -> None:
    from tracelight.extract import location

    text = "Paris" + gap + "Texas"
    match = location._QUALIFIER_GAP.match(text, 5)
    plain = match is not None and match.end() == 5 + len(gap)
    assert (gap.strip(" \t") in location._GAP_MARKS) == plain


_NAME_TEXT = st.lists(
    st.sampled_from(["I'm ", "i am ", "call me ", "in ", "near ", "my name is ", "x", " ", "."]),
    max_size=4,
).map("".join)


@settings(deadline=None, max_examples=400)
@given(
    _NAME_TEXT,
    st.sampled_from(["Paris", "paris", "PARIS", "Best", "best", "Nice", "NICE", "Thai", "Lyon"]),
    st.sampled_from(["paris", "best", "nice", "thai", "lyon", "lima", "bath"]),
    st.booleans(),
    st.sampled_from([None, "US", "FR"]),
    st.booleans(),
    st.booleans(),
    st.integers(0, 2_000_000),
)
def test_place_word_rules_as_first_written(
    before: str,
    written: str,
    key: str,
    primary: bool,
    country: str | None,
    cued: bool,
    qualified: bool,
    population: int,
) -> None:
    """The name-cue regex now runs after the cheap rules: the same answer."""
    from tracelight.extract import location
    from tracelight.extract.gazetteer import Entry, Place

    text = before + written + " tonight"
    spans = [(len(before), len(before) + len(written))]
    entry = Entry(Place("X", "FR", "", population, True), primary)
    want = location._NAME_CUE.search(text, max(0, spans[0][0] - 20), spans[0][0]) is None
    want = want and location._word_rule(
        written, key=key, entry=entry, country=country, cued=cued, qualified=qualified
    )
    got = location._plausible(
        text,
        spans[0][0],
        spans[0][1],
        key=key,
        entry=entry,
        country=country,
        cued=cued,
        qualified=qualified,
    )
    assert got == want


_AMOUNT_PIECES = ["1", "2", "5", "0", "00", "150", "1,500", "3.5", "0.5", "$", "€", "£", " ", "  "]
_AMOUNT_PIECES += ["h", "hr", "hh", "min", "qv", "roses", "usd", "/", "-", "to", ":", "'", "’", "#"]
_AMOUNT_PIECES += ["1h30", "1/2", "½", "x", "a", "per", "special", "\n", "(", ")", ".", ",", "é"]
_AMOUNT_TEXT = st.lists(st.sampled_from(_AMOUNT_PIECES), max_size=16).map("".join)


def token_groups(match: re.Match[str], low: str, *, plain: bool) -> tuple[object, ...]:
    """A token match's span and number groups; the rewritten pattern's ``fr``, ``num2``
    and ``num3`` groups lack the first digit, which the match start gives back (also
    used by ``test_fastpaths_price_indicator``)."""

    def whole(name: str) -> str | None:
        if match.group(name) is None:
            return None
        return match.group(name) if plain else low[match.start() : match.end(name)]

    sym = match.group("sym") if plain else (low[match.start()] if match.group("num1") else None)
    groups = [whole(name) for name in ("num2", "num3", "fr")]
    tail = [match.group(name) for name in ("num1", "frm", "half")]
    return (match.span(), sym, *groups, *tail, match.start("num1"))


@settings(deadline=None, max_examples=800)
@given(_AMOUNT_TEXT)
def test_price_token_pattern_led_by_a_class_as_first_written(low: str) -> None:
    from tracelight.extract import price

    plain = re.compile(price._TOKEN_PLAIN)
    want = [token_groups(m, low, plain=True) for m in plain.finditer(low)]
    assert [token_groups(m, low, plain=False) for m in price._TOKEN.finditer(low)] == want


@settings(deadline=None, max_examples=600)
@given(_AMOUNT_TEXT, st.data())
def test_price_block_pattern_and_scan_as_first_written(low: str, data: st.DataObject) -> None:
    from tracelight.extract import price

    hi = data.draw(st.integers(0, len(low)))
    lo = data.draw(st.integers(0, hi))
    at = data.draw(st.integers(0, len(low)))
    plain = re.compile(price._BLOCK_PLAIN)
    spans = [m.span() for m in plain.finditer(low, lo, hi)]
    assert [m.span() for m in price._BLOCK.finditer(low, lo, hi)] == spans
    assert price._blocked(low, at, lo, hi) == any(s <= at < e for s, e in spans)


@settings(deadline=None, max_examples=400)
@given(_WALLET_TEXT)
def test_wallet_short_runs_precheck_as_the_run_lengths(text: str) -> None:
    short = all(len(run) < 14 for run in re.findall("[0-9A-Za-z]+", text))
    assert wallet._has_long_run(text) != short
    if short:
        assert list(wallet._candidates(text)) == []


_CUE_PIECES = ["h", " ", ".", ",", "/", "r", "ou", "or", "eu", "n", "ight", "oche", "uit", "oite"]
_CUE_PIECES += ["acht", "pr", "ice", "ecio", "ix", "eço", "eco", "eis", "min", "$", "€", "x", "H"]


@settings(deadline=None, max_examples=600)
@given(st.lists(st.sampled_from(_CUE_PIECES), max_size=10).map("".join))
def test_price_cue_precheck_as_the_cue_substrings(low: str) -> None:
    from tracelight.extract import price

    assert price._has_cue(low) == any(cue in low for cue in price._CUES)


def test_price_cue_patterns_match_exactly_their_cues() -> None:
    from tracelight.extract import price

    h_cues = {"h ", "h.", "h,", "h/", "hh", "hr", "hour", "hora", "heure"}
    np_cues = {"night", "noche", "nuit", "noite", "nacht"}
    np_cues |= {"price", "precio", "prix", "preço", "preco", "preis"}
    assert all(price._CUE_H.fullmatch(cue) for cue in h_cues)
    assert all(price._CUE_NP.fullmatch(cue) for cue in np_cues)
    assert set(price._CUES) == h_cues | np_cues | set(price._CUES_REST)
    assert not (h_cues | np_cues) & set(price._CUES_REST)
