"""Web addresses written in a post, normalised so the same page links posts together.

Three forms are read: ``http(s)://…`` (any host), ``www.…`` (with or without a path)
and a bare ``host.tld/path`` whose TLD is a known one (``COMMON_TLDS`` or any two-letter
country code), since a bare ``word.word/`` without a real TLD is usually prose
(``a.m./p.m.``, ``1.5/hr``). URLs are recorded, never fetched.

The value is normalised: scheme and host lower-cased, host IDNA-encoded, default port,
user info and fragment dropped, tracking parameters (``utm_*``, ``fbclid``, ``gclid``,
``igshid``/``igsh``, ``mc_cid``/``mc_eid``) removed, an empty path written ``/``. The
path and the remaining query are kept as written (case included: paths are case
sensitive). The span is the URL as written, without trailing sentence punctuation
(``.,;:!?`` and an unbalanced ``)``).

E-mail domains never become URLs: a host directly after ``@`` (or inside a word) is
skipped by the look-behind.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tracelight.extract.evidence import mention
from tracelight.extract.tokens import lowered
from tracelight.model import Mention, Post

METHOD = "regex"
MAX_URL_CHARS = 2000
"""Longer runs are not URLs anyone types into an ad; bounding them keeps matching linear."""

COMMON_TLDS: frozenset[str] = frozenset(
    [
        "com",
        "net",
        "org",
        "edu",
        "gov",
        "mil",
        "int",
        "info",
        "biz",
        "name",
        "pro",
        "mobi",
        "app",
        "dev",
        "io",
        "co",
        "me",
        "tv",
        "us",
        "uk",
        "ca",
        "xyz",
        "online",
        "site",
        "club",
        "top",
        "live",
        "life",
        "shop",
        "store",
        "blog",
        "link",
        "click",
        "space",
        "website",
        "tech",
        "fun",
        "icu",
        "vip",
        "love",
        "sexy",
        "xxx",
        "adult",
        "porn",
        "cam",
        "chat",
        "social",
        "today",
        "world",
        "email",
        "agency",
    ]
)
"""Generic TLDs common in ads, e-mail and links; with any two-letter ccTLD this is the
bounded list the bare-domain and obfuscated-e-mail readers accept (shared with
``obfuscated_email``)."""

GTLD_STRICT: frozenset[str] = frozenset({"com", "net", "org", "edu", "gov", "info", "biz"})
"""TLDs plausible even after a sentence-like ``. `` separator (``gmail . com``)."""


def known_tld(tld: str) -> bool:
    """True for a TLD from ``COMMON_TLDS`` or any two ASCII letters (a ccTLD)."""
    tld = tld.lower()
    return tld in COMMON_TLDS or (len(tld) == 2 and tld.isascii() and tld.isalpha())


_URL_CHARS = r"[\w\-.~:/?#@!$&()*+,;=%]"
_URL = re.compile(
    r"(?<![\w@.\-/])"
    r"(?:(?P<scheme>https?)://"
    r"|(?P<www>(?=www\d{0,3}\.))"
    r"|(?=(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}(?P<tld>[A-Za-z]{2,24})/))"
    rf"(?P<body>{_URL_CHARS}{{1,{MAX_URL_CHARS}}})",
    re.IGNORECASE,
)
_URL_CHAR = re.compile(_URL_CHARS)
_TLD_SLASH = re.compile(r"\.[A-Za-z]{2,24}/", re.IGNORECASE)
"""What the host-only branch of ``_URL`` needs (``site.com/``), found from each ``.``."""
_TRAILING = ".,;:!?*"
_HOST = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?\.){1,126}(?:[a-z]{2,24}|xn--[a-z0-9-]{1,59})"
)
_IPV4 = re.compile(r"(?:\d{1,3}\.){3}\d{1,3}")
_TRACKING_EXACT = frozenset({"fbclid", "gclid", "igshid", "igsh", "mc_cid", "mc_eid"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _trim(body: str) -> str:
    """Drop sentence punctuation that follows a URL but is not part of it."""
    while body:
        last = body[-1]
        if last in _TRAILING or (last == ")" and body.count("(") < body.count(")")):
            body = body[:-1]
        else:
            break
    return body


def _clean_query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        key = pair.split("=", 1)[0].lower()
        if key.startswith("utm_") or key in _TRACKING_EXACT:
            continue
        kept.append(pair)
    return "&".join(kept)


def normalize_url(raw: str) -> str | None:
    """The canonical form of a written URL, or ``None`` when it has no usable host.

    ``raw`` without a scheme is read as ``http``. Never raises.
    """
    if "://" not in raw[:10]:
        raw = "http://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    host = host.lower()
    if not (_HOST.fullmatch(host) or _IPV4.fullmatch(host)):
        return None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = parts.path or "/"
    query = _clean_query(parts.query)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def _may_have_url(text: str) -> bool:
    """Whether the full pattern (a look-behind tried at every position) is worth running.

    Every accepted form has ``://`` (a scheme), ``.tld/`` (a bare host) or ``www`` in
    some case, and every match of those has a ``/`` or ``www`` as written in one of
    three cases: a text with neither is read no further, as before (so ``wWw.x.com``
    alone stays unread). The lower-cased field is shared (:func:`lowered`, cached for
    the other extractors), so one search in it answers for ``www`` in every case, and
    the three written cases are only searched where it is there (few fields).
    """
    if "www" not in lowered(text):
        # No ``www`` in any case: the scheme or the bare host decides, and both have a "/".
        return "/" in text and ("://" in text or _TLD_SLASH.search(text) is not None)
    return "/" in text or "www" in text or "WWW" in text or "Www" in text


def extract_urls(post: Post, field: str, text: str) -> list[Mention]:
    """URL mentions in ``text``; span is the URL as written, value its normalised form."""
    if not _may_have_url(text):
        return []
    mentions: list[Mention] = []
    for match in _URL.finditer(text):
        start = match.start()
        body_end = match.end("body")
        if body_end - match.start("body") >= MAX_URL_CHARS and _URL_CHAR.match(text, body_end):
            continue  # runs past the bound: not a URL we trust
        raw = _trim(text[start:body_end])
        if match.group("scheme") is not None:
            if len(raw) <= len(match.group("scheme")) + 3:
                continue
            confidence = 0.95
        elif match.group("www") is not None:
            confidence = 0.9
        else:
            if not known_tld(match.group("tld")):
                continue
            confidence = 0.75
        value = normalize_url(raw)
        if value is None:
            continue
        mentions.append(
            mention(
                post_id=post.id,
                kind="url",
                value=value,
                field=field,
                original=text,
                start=start,
                end=start + len(raw),
                method=METHOD,
                confidence=confidence,
            )
        )
    return mentions
