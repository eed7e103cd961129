"""Fast paths of the contact readers (handles, e-mails, URLs, wallets) against the logic
they replace: each original is kept here, compactly, as the oracle."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import text_post
from tracelight.extract import email, handle, obfuscated_email, url, wallet
from tracelight.extract.tokens import ascii_letters, letter_set

# --- e-mail: the full pattern matched only where an "@" is near -----------------------

_EMAIL_PIECES = ["a", "Z", "9", ".", "..", "_", "%", "+", "-", "@", " ", "\n", "é", "İ", "x" * 30]
_EMAIL_PIECES += ["b" * 62, "c" * 63, "gmail.com", ".co", "-x", "mail.example.org", "@@"]
_EMAIL_TEXT = st.lists(st.sampled_from(_EMAIL_PIECES), max_size=14).map("".join)


@settings(deadline=None, max_examples=800)
@given(_EMAIL_TEXT)
@example("q " + "a" * 64 + "@x.com")
@example("q " + "a" * 65 + "@x.com")
@example("a@b.com@c.org x.y@z.co")
@example(".a@b.com %a@b.com +a@b.com")
@example("a@b @c.com d@e.fr")
def test_email_matches_are_the_pattern_scan(text: str) -> None:
    plain = [(m.span(), m.groups()) for m in email._EMAIL.finditer(text)]
    assert [(m.span(), m.groups()) for m in email._matches(text)] == plain


def test_email_reads_each_address_once() -> None:
    text = "write lola.x@mail.com or LOLA@Mail.Co.UK, not a..b@c.com nor x@y"
    post = text_post(text)
    found = [(m.value, m.start, m.end) for m in email.extract_emails(post, "body", text)]
    assert found == [("lola.x@mail.com", 6, 21), ("lola@mail.co.uk", 25, 40)]


# --- wallets: the run-length pre-check ---------------------------------------------

_SHORT_RUNS = re.compile(r"[^0-9A-Za-z]*+(?:[0-9A-Za-z]{1,13}+[^0-9A-Za-z]++)*+[0-9A-Za-z]{0,13}+")
"""The pre-check first written: a whole text whose alphanumeric runs are all short."""

_WALLET_PIECES = ["a", "B", "7", " ", "-", "\n", "é", "_", "x" * 13, "Z" * 20, "1" * 6]
_WALLET_PIECES += ["٣", "Ａ", "²", "😀", "\ud800", "\x7f", "\xff", "ſ", "K"]


@settings(deadline=None, max_examples=800)
@given(st.lists(st.sampled_from(_WALLET_PIECES), max_size=20).map("".join))
@example("x" * 13)
@example("x" * 14)
@example("é" + "x" * 13 + "é")
@example("😀" + "Ab1" * 5)
def test_wallet_long_run_test_is_the_short_runs_pattern(text: str) -> None:
    assert wallet._has_long_run(text) == (_SHORT_RUNS.fullmatch(text) is None)


# --- URLs: the pre-check on the shared lower case -----------------------------------

_URL_PIECES = ["/", "://", "www", "WWW", "Www", "wWw", "wwW", "ww", "w", "W", ".com/", ".x/"]
_URL_PIECES += ["a", " ", "İ", "ẞ", "site", ".", "http"]


def _may_have_url_reference(text: str) -> bool:
    if "/" not in text and "www" not in text and "WWW" not in text and "Www" not in text:
        return False
    return "://" in text or url._TLD_SLASH.search(text) is not None or "www" in text.lower()


@settings(deadline=None, max_examples=800)
@given(st.lists(st.sampled_from(_URL_PIECES), max_size=10).map("".join))
@example("wWw.site.com")
@example("wWw.site.com/")
@example("İwww")
def test_url_precheck_as_first_written(text: str) -> None:
    assert url._may_have_url(text) == _may_have_url_reference(text)


# --- handles: the label pattern and its pre-check -----------------------------------

_LABEL_FIRST_WRITTEN = re.compile(
    r"(?<![a-z0-9_])"
    r"(?P<label>snap[ ]?chat|snap|sc|instagram|insta|ig|telegram|tg|kik|twitter"
    r"|only[ ]?fans|of|we[ ]?chat|weixin|微信|line[ ]?id|line|signal|tik[ ]?tok"
    r"|facebook|fb|👻|📷|📸|✈\ufe0f?)"
    r"(?![a-z0-9_])"
    r"(?P<fill>[ \t]{0,3}(?:id|name|username|user|usuario|utilisateur|pseudo|nome|handle"
    r"|is|es|est|é|ist|me)(?![a-z0-9_]))?"
    r"(?P<sep>[ \t]{0,3}[:：=\-–—>|~]{1,3})?"
    r"(?P<ghost>[ \t]{0,3}👻)?"
    r"(?P<space>[ \t]{0,3})"
    r"(?P<at>@[ \t]?)?"
    r"(?P<h>[a-z0-9_][a-z0-9._\-]{0,39})"
)
_EMOJI_LABEL = re.compile("[👻📷📸✈]")


def _may_label_reference(text: str, low: str) -> bool:
    if ascii_letters(low):
        runs = letter_set(low)
        if (
            runs.isdisjoint(handle._LABEL_RUNS)
            and not ("of" in runs and "OF" in text)
            and not any(a in runs and b in runs for a, b in handle._PAIRED_RUNS)
            and (low.isascii() or _EMOJI_LABEL.search(low) is None)
        ):
            return False
    return handle._ANY_LABEL.search(low) is not None


_HANDLE_PIECES = [*handle._LABEL_TRIGGERS, *sorted(handle._LABEL_RUNS), "of", "OF", "line"]
_HANDLE_PIECES += ["only", "fans", "we", "chat", "tik", "tok", "📷", "📸", "✈", "\ufe0f", "👻"]
_HANDLE_PIECES += ["", " ", "  ", ":", " - ", "=", "@", " id ", " es ", " me ", "\t", "/"]
_HANDLE_PIECES += ["kitty_22", "name.01", "x", "_", "0", "é", "İ", "\u212a", "ſ", "😀", "Snap"]
_HANDLE_TEXT = st.lists(st.sampled_from(_HANDLE_PIECES), max_size=12).map("".join)


@settings(deadline=None, max_examples=800)
@given(_HANDLE_TEXT)
@example("😀 snap: kitty_22")
@example("😀 👻 kitty_22")
@example("sc es kitty_22 OF: bb 微信: name.01")
@example("ésnap: kitty_22 ésnapsnap")
def test_label_pattern_and_precheck_as_first_written(text: str) -> None:
    for candidate in (text, text.upper(), text.title()):
        low = handle._lower(candidate)
        assert low == "".join(c.lower() if len(c.lower()) == 1 else c for c in candidate)
        want = [(m.span(), m.groupdict()) for m in _LABEL_FIRST_WRITTEN.finditer(low)]
        assert [(m.span(), m.groupdict()) for m in handle._LABEL.finditer(low)] == want
        assert handle._may_label(candidate, low) == _may_label_reference(candidate, low)


def test_handles_of_a_field_with_emoji_and_a_lengthening_capital() -> None:
    text = "😀 snap: kitty_22 İ ig: jessy.rose"
    post = text_post(text)
    found = [(m.value, m.start, m.end) for m in handle.extract_handles(post, "body", text)]
    assert found == [("snapchat:kitty_22", 2, 16), ("instagram:jessy.rose", 19, 33)]


# --- obfuscated e-mail on the shared lower case ---------------------------------------


def test_obfuscated_email_where_the_lower_case_changes_length() -> None:
    for text, value in [
        ("İ lola [at] gmail [dot] com", "lola@gmail.com"),
        ("ſ lola (at) gmail . com", "lola@gmail.com"),
        ("write LOLA AT GMAIL DOT COM", "lola@gmail.com"),
    ]:
        post = text_post(text)
        found = obfuscated_email.extract_obfuscated_emails(post, "body", text)
        assert [m.value for m in found] == [value], text


def test_label_runs_and_pairs_derived_from_the_label_words() -> None:
    expected = {
        "snapchat", "snap", "sc", "instagram", "insta", "ig", "telegram", "tg", "kik",
        "twitter", "onlyfans", "wechat", "weixin", "lineid", "line", "signal", "tiktok",
        "facebook", "fb",
    }  # fmt: skip
    assert expected == handle._LABEL_RUNS
    assert handle._PAIRED_RUNS == (("only", "fans"), ("we", "chat"), ("tik", "tok"))
