"""Social and messaging handles: ``platform:handle`` lower-cased, e.g. ``snapchat:kitty_22``.

Handles link ads as strongly as phones (one person, one Snapchat), so they are read in
the two ways ads write them:

* **links** — ``t.me/x``, ``instagram.com/x``, ``snapchat.com/add/x``, ``twitter.com/x``,
  ``x.com/x``, ``onlyfans.com/x``, ``kik.me/x``, ``line.me/ti/p/~x``, ``tiktok.com/@x``,
  ``facebook.com/x`` (and ``profile.php?id=N``), ``wa.me/N`` / ``api.whatsapp.com/send?
  phone=N`` (value ``whatsapp:+N``; the phone itself is left to the phone extractor),
  with or without scheme, ``www.``/``m.``/``mobile.``. Non-profile paths (``/p/``,
  ``/explore``, ``/home``, ``/share``, ``/intent``…) are skipped. Span: the link up to the
  end of the handle (evidence of where the handle came from).
* **labels** — ``sc: x``, ``SC - x``, ``snapchat x``, ``snap 👻 x``, ``👻 x``, ``IG @x``,
  ``insta: x``, ``kik me x``, ``tg @x``, ``OF: x``, ``wechat id x``, ``line id: x``,
  ``signal: name.01``… including the Spanish/French/Portuguese/German fillers that
  differ (``mi snap es x``, ``insta é x``, ``pseudo``, ``usuario``, ``ist``). Span: label
  *plus* handle, so a reader sees why ``kitty22`` was read as a Snapchat.

Precision rules: each platform's handle syntax is checked (length and charset); a
label handle needs a letter and must not be a prose word (``snap me``, ``ig only``,
``text``, ``available``…); short or ambiguous labels (``sc``, ``ig``, ``tg``, ``snap``,
``fb``, ``line``, ``OF`` — case-sensitive —, 📷, ✈️) need an explicit ``:``/``-``/``=``/
``@`` or 👻 separator, while full names (``snapchat``, ``instagram``, ``kik``…) and 👻
may be followed by the handle after a space alone. Label matches overlapping a link
are dropped (the link is the better evidence). WhatsApp labels carry phone numbers, so
only links are read for WhatsApp. Signal usernames have a strict ``name.NN`` syntax, so
``signal: <phone>`` yields nothing here.

Confidence: link 0.9; label with ``@`` 0.8; label with a separator 0.75; bare full
label or emoji 0.6; bare 📷/✈️ are not read.
"""

from __future__ import annotations

import re

from tracelight.extract.evidence import mention
from tracelight.extract.tokens import letters, lowered
from tracelight.model import Mention, Post

METHOD = "regex"

_SYNTAX: dict[str, re.Pattern[str]] = {
    "instagram": re.compile(r"[a-z0-9_](?:[a-z0-9._]{0,28}[a-z0-9_])?"),
    "snapchat": re.compile(r"[a-z][a-z0-9._-]{1,13}[a-z0-9]"),
    "telegram": re.compile(r"[a-z][a-z0-9_]{3,30}[a-z0-9]"),
    "twitter": re.compile(r"[a-z0-9_]{1,15}"),
    "kik": re.compile(r"[a-z0-9._]{2,20}"),
    "onlyfans": re.compile(r"[a-z0-9._-]{1,30}"),
    "wechat": re.compile(r"[a-z][a-z0-9_-]{5,19}"),
    "line": re.compile(r"[a-z0-9._-]{4,20}"),
    "tiktok": re.compile(r"[a-z0-9._]{2,24}"),
    "facebook": re.compile(r"[a-z0-9.]{5,50}"),
    "signal": re.compile(r"[a-z_][a-z0-9_]{2,31}\.[0-9]{2,9}"),
    "whatsapp": re.compile(r"[0-9]{6,15}"),
}
"""Per-platform handle syntax on the lower-cased handle (the platforms' published rules,
rounded to what scrapers see)."""

_RESERVED: dict[str, frozenset[str]] = {
    "instagram": frozenset(
        [
            "p",
            "reel",
            "reels",
            "explore",
            "stories",
            "accounts",
            "tv",
            "direct",
            "about",
            "developer",
            "legal",
            "web",
            "challenge",
            "privacy",
            "terms",
            "emails",
            "session",
        ]
    ),
    "twitter": frozenset(
        [
            "home",
            "share",
            "intent",
            "search",
            "hashtag",
            "i",
            "settings",
            "explore",
            "notifications",
            "messages",
            "login",
            "signup",
            "tos",
            "privacy",
            "compose",
            "account",
            "oauth",
            "status",
            "statuses",
            "widgets",
        ]
    ),
    "facebook": frozenset(
        [
            "share",
            "sharer",
            "sharer.php",
            "pages",
            "groups",
            "events",
            "photo",
            "photo.php",
            "story.php",
            "watch",
            "login",
            "login.php",
            "home.php",
            "permalink.php",
            "hashtag",
            "help",
            "marketplace",
            "people",
            "dialog",
            "plugins",
            "l.php",
            "media",
            "profile.php",
            "video.php",
            "photos",
            "notes",
            "reel",
        ]
    ),
    "telegram": frozenset(
        ["joinchat", "addstickers", "share", "proxy", "socks", "iv", "addtheme", "login"]
    ),
    "onlyfans": frozenset(["action", "files", "my", "home", "login", "terms", "privacy"]),
    "tiktok": frozenset(),
}

_LINK = re.compile(
    r"(?<![\w@.\-/])(?:https?://)?(?:(?:www|m|mobile|web)\.)?"
    r"(?:(?P<telegram>t\.me|telegram\.me|telegram\.dog)/(?:s/)?"
    r"|(?P<instagram>instagram\.com|instagr\.am)/"
    r"|(?P<snapchat>snapchat\.com)/add/"
    r"|(?P<twitter>twitter\.com|x\.com)/(?:\#!/)?@?"
    r"|(?P<onlyfans>onlyfans\.com)/"
    r"|(?P<kik>kik\.me)/"
    r"|(?P<line>line\.me)/(?:R/)?ti/p/~"
    r"|(?P<tiktok>tiktok\.com)/@"
    r"|(?P<facebook>facebook\.com|fb\.com|fb\.me)/(?:profile\.php\?id=)?"
    r"|(?P<whatsapp>wa\.me/\+?|api\.whatsapp\.com/send/?\?phone=\+?))"
    r"(?P<h>[a-z0-9._\-]{1,64})"
)
_LINK_PLATFORMS = (
    "telegram",
    "instagram",
    "snapchat",
    "twitter",
    "onlyfans",
    "kik",
    "line",
    "tiktok",
    "facebook",
    "whatsapp",
)

# label (normalised: lower-case, no spaces/variation selectors) -> (platform, strength)
# strength: "full" may be followed by the handle after a space; "weak" needs a separator.
_LABELS: dict[str, tuple[str, str]] = {
    "snapchat": ("snapchat", "full"),
    "snap": ("snapchat", "weak"),
    "sc": ("snapchat", "weak"),
    "👻": ("snapchat", "full"),
    "instagram": ("instagram", "full"),
    "insta": ("instagram", "full"),
    "ig": ("instagram", "weak"),
    "📷": ("instagram", "weak"),
    "📸": ("instagram", "weak"),
    "telegram": ("telegram", "full"),
    "tg": ("telegram", "weak"),
    "✈": ("telegram", "weak"),
    "kik": ("kik", "full"),
    "twitter": ("twitter", "full"),
    "onlyfans": ("onlyfans", "full"),
    "of": ("onlyfans", "weak"),
    "wechat": ("wechat", "full"),
    "weixin": ("wechat", "full"),
    "微信": ("wechat", "full"),
    "lineid": ("line", "full"),
    "line": ("line", "weak"),
    "signal": ("signal", "full"),
    "tiktok": ("tiktok", "full"),
    "facebook": ("facebook", "full"),
    "fb": ("facebook", "weak"),
}

_LINK_TRIGGER = re.compile(r"\.(?:com|me|am|dog)/")
"""Every link form has one of these; a C-speed scan that rules most posts out."""
_LABEL_TRIGGERS = (
    "snap",
    "insta",
    "telegram",
    "kik",
    "twitter",
    "onlyfans",
    "only fans",
    "wechat",
    "we chat",
    "weixin",
    "微信",
    "signal",
    "tiktok",
    "tik tok",
    "facebook",
    "line id",
    "lineid",
    "👻",
)
_SHORT_LABEL_SEPARATOR = r"(?:[ \t]{0,3}[:：=\-–—>|~@]|[ \t]{1,3}(?:is|es|est|é|ist)(?![a-z0-9_]))"
"""A separator or, as the label pass reads it, a copula (``my ig is x``, ``sc es x``)."""
_SHORT_LABEL = re.compile(
    r"(?:(?<![a-z0-9_])(?:sc|ig|tg|fb|of|line)|📷|📸|✈\ufe0f?)" + _SHORT_LABEL_SEPARATOR
)
"""Short labels are common substrings ("night", "online"), so they only trigger the
full label pass when a separator or a copula follows them (the pass then still refuses
prose such as ``the line is open``)."""
_ANY_LABEL_BRANCHES = [
    *(re.escape(word) for word in _LABEL_TRIGGERS),
    # _SHORT_LABEL with its look-behind moved after the first letter.
    *(
        f"{label[0]}(?<![a-z0-9_]{label[0]}){label[1:]}{_SHORT_LABEL_SEPARATOR}"
        for label in ("sc", "ig", "tg", "fb", "of", "line")
    ),
    *(f"{emoji}{_SHORT_LABEL_SEPARATOR}" for emoji in ("📷", "📸", "✈\ufe0f?")),
]


def _by_first_character(branches: list[str], *, word_start: bool = False) -> str:
    """The alternation of ``branches`` (each led by a literal character that needs no
    escape) with those led by the same character grouped behind it, in their order.

    With ``word_start``, a branch only matches where no ``[a-z0-9_]`` precedes it: the
    look-behind is put after the first character, where it reads the same character
    before the branch."""
    rests: dict[str, list[str]] = {}
    for branch in branches:
        rests.setdefault(branch[0], []).append(branch[1:])
    return "|".join(
        first
        + (f"(?<![a-z0-9_]{first})" if word_start else "")
        + (group[0] if len(group) == 1 else "(?:" + "|".join(group) + ")")
        for first, group in rests.items()
    )


_ANY_LABEL = re.compile(_by_first_character(_ANY_LABEL_BRANCHES))
"""Matches somewhere exactly when a word of :data:`_LABEL_TRIGGERS` occurs or
:data:`_SHORT_LABEL` matches: the pre-check of the label pass as one scan. Every branch
starts with a literal character, so the regex engine skips in C to the few letters
that can start one (a look-behind first, as in :data:`_SHORT_LABEL`, makes it try every
position), and one scan replaces seventeen substring searches. The branches are
grouped by that character (``s(?:nap|ignal|...)``): where one stands, the engine tries
one group instead of every branch in turn, a quarter less time on every ``s``, ``t``,
``o``... of the text (only whether it matches is used, so the order is free)."""

_LABEL_WORDS = [
    "snap[ ]?chat",
    "snap",
    "sc",
    "instagram",
    "insta",
    "ig",
    "telegram",
    "tg",
    "kik",
    "twitter",
    "only[ ]?fans",
    "of",
    "we[ ]?chat",
    "weixin",
    "微信",
    "line[ ]?id",
    "line",
    "signal",
    "tik[ ]?tok",
    "facebook",
    "fb",
    "👻",
    "📷",
    "📸",
    "✈\ufe0f?",
]
"""The labels :data:`_LABEL` reads, in the order it tries them (each led by a literal
character)."""

_LABEL = re.compile(
    f"(?P<label>{_by_first_character(_LABEL_WORDS, word_start=True)})"
    r"(?![a-z0-9_])"
    r"(?P<fill>[ \t]{0,3}(?:id|name|username|user|usuario|utilisateur|pseudo|nome|handle"
    r"|is|es|est|é|ist|me)(?![a-z0-9_]))?"
    r"(?P<sep>[ \t]{0,3}[:：=\-–—>|~]{1,3})?"
    r"(?P<ghost>[ \t]{0,3}👻)?"
    r"(?P<space>[ \t]{0,3})"
    r"(?P<at>@[ \t]?)?"
    r"(?P<h>[a-z0-9_][a-z0-9._\-]{0,39})"
)
"""A label, its filler and separators, and the handle. The look-behind that makes a label
start a word follows its first character, so the pattern is led by literal characters:
the engine skips in C to the few that can start a label instead of trying every
position (a leading look-behind does), and the matches are the same."""

_OPTIONAL_SPACE = "[ ]?"
_LABEL_RUNS = frozenset(
    word.replace(_OPTIONAL_SPACE, "")
    for word in _LABEL_WORDS
    if word.replace(_OPTIONAL_SPACE, "").isascii()
    and word.replace(_OPTIONAL_SPACE, "").isalpha()
    and word != "of"
)
"""The letter run a label of :data:`_LABEL_WORDS` is, or starts (``snap chat``, ``line
id``), in a text whose letters are all ASCII, except ``of`` (read only as ``OF``) and the
two-word labels whose first word is no label (:data:`_PAIRED_RUNS`)."""
_PAIRED_RUNS = tuple(
    (first, second)
    for first, second in (
        word.split(_OPTIONAL_SPACE) for word in _LABEL_WORDS if _OPTIONAL_SPACE in word
    )
    if first not in _LABEL_RUNS
)
"""The two-word labels whose first word is common (``only fans``, ``we chat``, ``tik
tok``): both words are letter runs of a text that holds one."""
_EMOJI_LABELS = ("👻", "📷", "📸", "✈")
"""The first character of every label that is not a word (``微信`` aside, a letter).
Looked for with one ``in`` each: on the wide strings emoji make, a character search
runs several times faster than a regex scan testing a class at every position, and
needs none at all for the three above U+FFFF where the text has none that high."""


def _may_label(text: str, low: str) -> bool:
    """``_ANY_LABEL.search(low) is not None``, or False where :data:`_LABEL` cannot read a
    handle in ``low`` anyway (so the labels found are the same).

    When every letter of ``low`` is ASCII (most ads: emoji are not letters), a label
    word, which :data:`_LABEL` wants between characters outside ``[a-z0-9_]``, is a
    whole letter run (``low`` has no capitals), or starts one when the label is two
    words: a set test on the field's letter runs (shared with the phone normaliser and
    the place matcher) rules out most fields before the scan of :data:`_ANY_LABEL`,
    which stops at every ``s``, ``i``, ``t``, ``o``... of the text. ``of`` only counts
    as a label written ``OF``. The scan still decides the rest: it is not implied by a
    label (``ig kitty`` has neither a separator nor a copula), and the pass must not change.
    """
    words = letters(low)
    if words.plain:
        runs = words.distinct
        if (
            runs.isdisjoint(_LABEL_RUNS)
            and not ("of" in runs and "OF" in text)
            and not any(first in runs and second in runs for first, second in _PAIRED_RUNS)
            and (low.isascii() or not any(emoji in low for emoji in _EMOJI_LABELS))
        ):
            return False
    return _ANY_LABEL.search(low) is not None


_COPULAS = frozenset({"is", "es", "est", "é", "ist"})
_HANDLE_CHAR = re.compile(r"[a-z0-9_]")

_STOP = frozenset(
    [
        "me",
        "my",
        "i",
        "im",
        "i'm",
        "only",
        "here",
        "now",
        "text",
        "texts",
        "txt",
        "call",
        "calls",
        "available",
        "avail",
        "and",
        "or",
        "for",
        "to",
        "the",
        "a",
        "an",
        "is",
        "are",
        "at",
        "on",
        "in",
        "of",
        "with",
        "please",
        "pls",
        "plz",
        "no",
        "not",
        "yes",
        "add",
        "follow",
        "dm",
        "message",
        "msg",
        "too",
        "also",
        "account",
        "acct",
        "handle",
        "link",
        "links",
        "below",
        "above",
        "info",
        "contact",
        "if",
        "u",
        "you",
        "your",
        "ur",
        "us",
        "real",
        "pics",
        "pic",
        "photos",
        "photo",
        "videos",
        "vids",
        "video",
        "content",
        "free",
        "private",
        "premium",
        "vip",
        "page",
        "story",
        "stories",
        "first",
        "just",
        "same",
        "username",
        "user",
        "name",
        "id",
        "nudes",
        "verify",
        "verification",
        "verified",
        "reviews",
        "review",
        "ads",
        "ad",
        "by",
        "from",
        "upon",
        "request",
        "then",
        "so",
        "it",
        "this",
        "that",
        "more",
        "snap",
        "snapchat",
        "sc",
        "instagram",
        "insta",
        "ig",
        "kik",
        "twitter",
        "telegram",
        "tg",
        "whatsapp",
        "line",
        "signal",
        "facebook",
        "fb",
        "tiktok",
        "onlyfans",
        "wechat",
        "hh",
        "hr",
        "hrs",
        "hour",
        "hours",
        "min",
        "mins",
        "incall",
        "incalls",
        "outcall",
        "outcalls",
        "donation",
        "donations",
        "roses",
        "special",
        "specials",
        "girl",
        "girls",
        "guy",
        "guys",
        "gentlemen",
        "gents",
        "men",
        "women",
        "sexy",
        "ready",
        "new",
        "today",
        "tonight",
        "love",
        "fun",
        "open",
        "hosting",
        "travel",
        "serious",
        "inquiries",
        "discreet",
        "safe",
        "clean",
        "app",
        "apps",
        "kiss",
        "kisses",
        "xoxo",
        "baby",
        "babe",
        "honey",
        "hun",
        "daddy",
        "sweet",
        "sweetie",
        "fetish",
        "nice",
        "hot",
        "cute",
        "young",
        "petite",
        "busty",
        "ebony",
        "latina",
        "asian",
        "blonde",
        "brunette",
        "beautiful",
        "gorgeous",
        "best",
        "solo",
        "mi",
        "es",
        "el",
        "la",
        "y",
        "o",
        "por",
        "para",
        "aqui",
        "aquí",
        "ahora",
        "disponible",
        "también",
        "tambien",
        "moi",
        "mon",
        "ma",
        "sur",
        "et",
        "ou",
        "ici",
        "seulement",
        "dispo",
        "meu",
        "minha",
        "só",
        "aqui",
        "agora",
        "e",
        "mich",
        "mein",
        "meine",
        "nur",
        "hier",
        "jetzt",
        "und",
        "oder",
    ]
)
"""Words that follow labels in prose (``snap me``, ``ig only``, ``kik or text``)."""


def _mention(
    post: Post, field: str, text: str, *, start: int, end: int, value: str, confidence: float
) -> Mention:
    return mention(
        post_id=post.id,
        kind="handle",
        value=value,
        field=field,
        original=text,
        start=start,
        end=end,
        method=METHOD,
        confidence=confidence,
    )


def _valid(platform: str, handle: str) -> bool:
    syntax = _SYNTAX.get(platform)
    if syntax is None or not syntax.fullmatch(handle):
        return False
    if platform == "instagram" and ".." in handle:
        return False
    return handle not in _RESERVED.get(platform, frozenset())


def _links(post: Post, field: str, text: str, low: str) -> list[Mention]:
    found: list[Mention] = []
    for match in _LINK.finditer(low):
        h_start, h_end = match.span("h")
        if _HANDLE_CHAR.match(low, h_end):
            continue  # longer than any handle: not one
        handle = match.group("h").rstrip(".-")
        h_end = h_start + len(handle)
        platform = next(name for name in _LINK_PLATFORMS if match.group(name) is not None)
        handle_low = handle.lower()
        if not handle or not _valid(platform, handle_low):
            continue
        if platform == "facebook" and "id=" in match.group(0) and not handle_low.isdigit():
            continue  # profile.php?id= takes a numeric id only
        value = f"whatsapp:+{handle_low}" if platform == "whatsapp" else f"{platform}:{handle_low}"
        found.append(
            _mention(post, field, text, start=match.start(), end=h_end, value=value, confidence=0.9)
        )
    return found


def _labels(
    post: Post, field: str, text: str, low: str, taken: list[tuple[int, int]]
) -> list[Mention]:
    found: list[Mention] = []
    for match in _LABEL.finditer(low):
        label = match.group("label")
        if label == "of" and text[match.start() : match.start() + 2] != "OF":
            continue  # "of" is English; only the upper-case abbreviation is a label
        key = label.replace(" ", "").replace("\ufe0f", "")
        platform, strength = _LABELS[key]
        fill = (match.group("fill") or "").strip().lower()
        has_sep = bool(match.group("sep")) or bool(match.group("ghost"))
        has_at = match.group("at") is not None
        h_start, h_end = match.span("h")
        if _HANDLE_CHAR.match(low, h_end):
            continue
        if not (has_sep or has_at) and not match.group("space") and not fill:
            continue  # "label" glued to the next token
        if fill == "me" and platform != "kik":
            continue  # "snap me", "text me": prose, not a handle
        if fill in _COPULAS:
            has_sep = True  # "mi snap es x", "insta é x": the verb marks the handle
        if not (has_sep or has_at) and strength == "weak":
            continue
        handle = match.group("h").rstrip(".-")
        h_end = h_start + len(handle)
        nxt = low[h_end : h_end + 1]
        if nxt in ("/", "@") or (nxt == "." and low[h_end + 1 : h_end + 2].isalnum()):
            continue  # a URL, an e-mail address or a domain, not a handle
        handle_low = handle.lower()
        if handle_low in _STOP or not any(ch.isalpha() for ch in handle_low):
            continue
        if len(handle_low) < 3 or not _valid(platform, handle_low):
            continue
        start = match.start()
        if any(start < t_end and t_start < h_end for t_start, t_end in taken):
            continue
        confidence = 0.8 if has_at else 0.75 if has_sep else 0.6
        found.append(
            _mention(
                post,
                field,
                text,
                start=start,
                end=h_end,
                value=f"{platform}:{handle_low}",
                confidence=confidence,
            )
        )
    return found


def _lower(text: str) -> str:
    """``text`` lower-cased code point by code point, so offsets stay valid.

    ``str.lower`` can lengthen a string (``İ`` becomes two code points); those rare
    characters are kept as written instead. Otherwise it is the shared lower case
    (:func:`lowered`): the e-mail reader made it already, and the letter-run caches
    keyed by it then find it without hashing a fresh copy of the field.
    """
    low = lowered(text)
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def extract_handles(post: Post, field: str, text: str) -> list[Mention]:
    """Handle mentions in ``text``: links first, then labels not overlapping a link.

    Matching runs on a lower-cased copy with case-sensitive patterns (several times
    faster than ``re.IGNORECASE`` alternations); spans index both strings alike.
    """
    low = _lower(text)
    # Every link trigger has a slash: finding one is a far cheaper scan than the trigger's.
    linked = "/" in low and _LINK_TRIGGER.search(low) is not None
    links = _links(post, field, text, low) if linked else []
    if _may_label(text, low):
        labels = _labels(post, field, text, low, [(m.start, m.end) for m in links])
    else:
        labels = []
    if not labels:
        return links
    return sorted(links + labels, key=lambda m: (m.start, m.end))
