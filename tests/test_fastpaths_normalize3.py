"""The normaliser's shared word pre-check (:func:`normalize._word_hits`) against the
checks it replaces: the glue memo probed with every letter run, and the number-word
set test, each on its own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracelight.extract import normalize, tokens
from tracelight.extract.numberwords import GLUE_WORDS, PIECES, fold

_LONGEST = normalize._LONGEST_GLUED_RUN


def _pieces_of(run: str) -> int:
    """Most glue words (0, 1 or 2: capped) ``run`` splits into, by the original dynamic
    programme of ``_classify_glue`` (0: it does not split into glue words)."""
    n = len(run)
    if n > _LONGEST:
        return 0
    can = [False] * n + [True]
    multi = [False] * (n + 1)
    for i in range(n - 1, -1, -1):
        for j in range(i + 2, n + 1):
            if can[j] and run[i:j] in GLUE_WORDS:
                can[i] = True
                multi[i] = multi[i] or j < n
    if not can[0]:
        return 0
    return 2 if multi[0] else 1


_GLUE = sorted(GLUE_WORDS)
_WORDS = ["one", "Two", "SIX", "un", "vingt", "dreißig", "fünf", "Sëis", "ẞ", "tonight"]
_WORDS += ["to", "for", "fore", "ate", "won", "hello", "call", "me", "ρ", "mε", "İ", "é"]
_SEPARATORS = ["4", "15", " ", "  ", "-", ".", "\n", "😀", "$", "_", "|", "O", "l", "0"]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    """Words, glue words (some glued together or to digits), separators."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 10))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append("".join(draw(st.lists(st.sampled_from(_GLUE), min_size=1, max_size=3))))
        elif kind == 1:
            parts.append(draw(st.sampled_from(_WORDS)))
        else:
            parts.append(draw(st.sampled_from(_SEPARATORS)))
    return "".join(parts)


def _normalize_reference(text: str) -> normalize.Normalized:
    """:func:`normalize.normalize` as it was: each stage works the words out itself."""
    base = normalize.identity(text)
    if not text.isascii():
        base = normalize._compose(base, normalize._char_edits(text))
    first = normalize._first_digit(base.text)
    glued = normalize._compose(base, normalize._glue_edits(base.text, first))
    if glued is not base:
        base = glued
        first = normalize._first_digit(base.text)
    return normalize._compose(base, normalize._run_edits(base.text, True, True, first))


def _check(text: str) -> None:
    got, want = normalize.normalize(text), _normalize_reference(text)
    assert (got.text, list(got.starts), list(got.ends)) == (
        want.text,
        list(want.starts),
        list(want.ends),
    )
    first = normalize._first_digit(text)
    hits = normalize._word_hits(text)
    low = text.lower()
    if hits is None:
        folds = len(low) == len(text) and any(fold(r) != r for r in tokens.letter_set(low))
        assert len(low) != len(text) or folds
        return
    runs = tokens.letter_set(low)
    assert all(fold(run) == run for run in runs)
    counts = {run: _pieces_of(run) for run in runs}
    assert set(hits.glue) == {run for run, k in counts.items() if k}
    assert hits.multi == (2 in counts.values())
    assert set(hits.numbers) == runs & PIECES
    assert hits.low == low
    assert hits.found.runs == tokens.letter_runs(low)
    # The stages reading the hits answer as they do working everything out themselves.
    assert normalize._may_glue(text, first, hits) == normalize._may_glue(text)
    assert normalize._number_words_near(text, first, hits) == normalize._number_words_near(text)
    for digits in (True, False):
        edits = normalize._run_edits(text, digits, True, first, hits)
        assert edits == normalize._run_edits(text, digits, True)


@settings(deadline=None, max_examples=500)
@given(_texts())
def test_word_hits_as_the_memo_and_the_number_word_test(text: str) -> None:
    _check(text)
    _check(text.upper())
    _check(text.replace("", " ")[1:])


def test_word_hits_by_hand() -> None:
    for text in (
        "call fivefive 555 0123",  # two glue words, no digit beside
        "call 555 to 0123",  # a glue word that is no number word, beside nothing
        "call 555to0123",  # ... beside digits
        "one two 3",
        "tonight 4 you",  # starts with a glue word, not made of them
        "achtzehn achtacht 1",  # two readings; a glued run
        "dreißigdreißig 1",  # a glue word that is not ASCII
        "mε fivefive",  # not ASCII, folding changes nothing
        "café onetwo",  # folding changes a run: worked out by the stages
        "İ one",  # lower case changes the length
        "",
    ):
        _check(text)
    hits = normalize._word_hits("call fivefive or six 1")
    assert hits is not None
    assert set(hits.glue) == {"fivefive", "six"}
    assert hits.multi
    assert set(hits.numbers) == {"six"}
    assert normalize._word_hits("café onetwo") is None


def test_folded_by_table_as_folding_every_code_point() -> None:
    """No match in a lower-cased text exactly when folding leaves each character."""
    for cp in range(0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        low = chr(cp).lower()
        if len(low) != 1:
            continue
        assert (normalize._FOLDED_BY_TABLE.search(low) is None) == (fold(low) == low), hex(cp)
