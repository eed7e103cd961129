"""Persona names: the name an ad gives its subject (``my name is Jessy`` -> ``Jessy``).

A name is a capitalised token of 2–20 letters (a hyphenated pair is one name) found
after a cue, in English, Spanish, French, Portuguese and German:

* strong cues (``my name is``, ``name:``, ``me llamo``, ``je m'appelle``, ``meu nome é``,
  ``ich heiße``): confidence 0.9 for a known given name, 0.7 for any other token;
* weaker cues (``I'm``, ``I am``, ``it's``, ``this is``, ``call``, ``ask for``, ``soy``,
  ``je suis``, ``sou a``, ``ich bin``): 0.8 known, 0.45 other;
* a name right before a phone number (``Jessy 7139975313``): 0.6 known, 0.35 other;
* a sign-off (``~Draya``, ``xoxo Draya``): 0.7 known, 0.5 other.

Never a name: a stop word (``new``, ``here``, ``available``, ``sexy``, ``latina`` ...),
a major city or country name that is not also a given name, or, after a weak cue, an
all-capitals token that is not a known given name (``I'M HERE``). :data:`GIVEN_NAMES`
is a small list of common given names typed for this module (no personal data).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from tracelight.extract.evidence import mention
from tracelight.extract.gazetteer import fold, fold_token, gazetteer
from tracelight.extract.gazetteer import words as _words
from tracelight.extract.tokens import letters as letters_of
from tracelight.extract.tokens import lowered
from tracelight.model import Mention, Post

METHOD = "cue"

GIVEN_NAMES: frozenset[str] = _words(
    """
    aaliyah abby abigail ada adele adriana agnes aileen aisha alejandra alessandra alexa
    alexandra alexis alice alicia alina alisha alison alyssa amanda amber amelia amy ana
    anastasia andrea angel angela angelica angelina anita ann anna annabelle anne annie
    antonella april ariana ariel arianna ashley asia aubrey audrey aurora autumn ava
    barbara beatriz becky bella bianca bonnie brandy brenda brianna bridget brittany
    brooke brooklyn caitlin camila camille candace candy cara carla carmen carol
    caroline carolina cassandra cassidy catalina catherine cecilia celeste celine chanel
    chantal charlotte chelsea cherry cheyenne chloe christina cindy claire clara claudia
    coco colette crystal cynthia daisy dana daniela danielle daphne daria dasha dawn
    debbie delilah desiree destiny diamond diana diane dominique donna dora draya ebony
    eden elena eliza elizabeth ella ellie elsa emilia emily emma erica erika esmeralda
    esperanza estela esther eva evelyn fabiola faith fatima felicia fernanda fiona flor
    florence francesca gabriela gabrielle gemma genesis georgia gina giselle gloria
    grace gracie gretchen guadalupe hailey haley hannah harley hazel heather heidi helen
    helena holly honey hope imani india ingrid irene iris isabel isabella isabelle ivy
    jackie jade jamie jana janet jasmin jasmine jenna jennifer jenny jessica jessie
    jessy jill joanna jocelyn josephine joy julia juliana julie juliet justine kaitlyn
    karen karina karla kate katherine kathy katie katrina kayla keisha kelly kendra
    kennedy kenya kiara kim kimberly kitty krista kristen kylie lacey laila lana lara
    laura lauren layla lea leah leila lena leslie lexi lexy lia liliana lily lina linda
    lisa lola lora lorena lori louise lucia luciana lucy luisa luna lydia lyla mackenzie
    madeline madison maggie maia mallory mandy mara margarita maria mariah mariana marie
    marina marisol marta martina mary maya megan melanie melissa mercedes mia michelle
    mila milena miranda misty molly monica monique morgan nadia nancy naomi natalia
    natalie natasha natalya nicole nikki nina noelle nora olga olivia paige paloma
    pamela paola paris patricia paula penelope peyton phoenix piper precious priscilla
    rachel raquel raven rebecca regina rena renee riley rita roberta rosa rosalie rose
    roxanne roxy ruby ruth sabrina sadie sage salma samantha sandra sara sarah sasha
    savannah scarlett selena serena shakira shannon sharon shay shayla sheila shelby
    sienna sierra simone sofia sonia sonya sophia sophie stacy stella stephanie summer
    susan suzy svetlana sydney tamara tania tanya tara taylor teresa tiffany tina tracy
    trinity valentina valeria valerie vanessa vera veronica vicky victoria violet
    virginia vivian wendy whitney xena yasmin yolanda yvette yvonne zara zoe zoey aaron
    adam adrian alan alberto alejandro alex alexander ali andre andrew andy angelo
    anthony antonio ben benjamin brandon brian bruno carlos charles chris christian
    daniel david diego dylan eddie eduardo eric ethan felipe fernando francisco frank
    gabriel george giovanni hans henry hugo ian ivan jack jacob james jason javier jean
    jesse joe john jonathan jordan jorge jose joseph juan julian justin kevin leo leon
    lucas luis luke marc marco marcus mario mark martin mateo matthew max michael miguel
    mike nathan nick noah oliver omar oscar pablo patrick paul pedro peter pierre rafael
    ricardo rick robert roberto ryan sam samuel sean sebastian sergio steve thomas tom
    tony tyler victor vincent william
    """
)
"""Common given names (lower case, accents removed), mostly the personas' own."""

STOP_WORDS: frozenset[str] = _words(
    """
    a an the and or but if of in on at to for from with by up out off over into near
    here there now new back real sexy hot available ready open only always just so very
    not no yes me my mine your you we us our they them he him she her it its i im me
    this that these those what who how when where why all any some one two three ten am
    is are was be been being do does did have has had will would can could should may
    might must shall sweet nice fun good great best better beautiful gorgeous pretty
    cute young old little big busty petite thick curvy slim tall short sexy hottest
    sensual exotic erotic naughty kinky classy discreet clean safe friendly independent
    latina latin asian ebony black white blonde blond brunette redhead ginger mixed
    american african european russian brazilian colombian mexican cuban puerto dominican
    spanish french german italian japanese korean chinese thai filipina indian arab
    persian hawaiian canadian girl girls lady ladies woman women babe baby honey sugar
    doll princess queen mami mommy milf cougar teen student model escort provider
    companion masseuse therapist massage spa incall outcall call text calls texts txt
    contact email phone number cell whatsapp kik snap snapchat instagram twitter
    telegram ask visiting traveling travelling waiting looking here available today
    tonight tomorrow weekend week day night morning afternoon evening late early monday
    tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec hi hello hey hola bonjour ciao welcome thanks thank please xoxo
    kisses love gentlemen gentleman guys men man sir daddy papi special specials promo
    deal deals price rates rate donation hour hours hr hrs min mins half full session
    sessions service services nueva nuevo aqui aquí disponible lista caliente bonita
    linda chica chicas mujer nouvelle nouveau ici disponible jolie belle femme fille
    nova novinha aqui gata linda mulher neu neue hier da bereit heiss heiß la el los las
    le les un une una uno des del de du der die das den dem ein eine yo je ich eu moi tu
    lol omg ok okay wow yeah yep nope outcalls incalls specializing special real pics
    pic photos photo verified
    """
)
"""Words a cue is often followed by that are never a persona name."""

COMMON_WORDS: frozenset[str] = _words(
    """
    other others another else more less most least each every both either neither few
    first last next previous final main top own same such whole full half extra total
    super very really extremely highly truly totally fully simply exactly currently
    finally recently only also even still already anytime anywhere everything something
    nothing everyone someone anyone everybody nobody place places page pages time times
    play games game fun pleasure fantasy fantasies experience experiences dream dreams
    relax relaxing relaxation healing touch body soft smooth tight wet warm tiny small
    large huge wide deep long quick fast slow easy hard sweet juicy bubbly flirty
    playful sassy classy upscale elite vip luxury private personal professional
    reliable discreet sincere genuine mature flexible explicit happy lucky sunny soft
    free cheap low high open close closed located location located arrived arriving
    available guaranteed satisfaction satisfied preferred fetish bbw gfe pse bbbj
    star stars beach bay hotel motel room rooms home house car apartment condo office
    line lines tel tele tlf telf cel cell celular cellphone mobile mobil movil móvil
    tél tel phone telephone telefono teléfono telefone number numero número num no nr
    text texting texto textme txt sms msg message messages dm inbox reply call calling
    called contact contacto contactar llama llamame llámame llamar escribe escribeme
    whatsapp wa wsp watsapp viber line kakao wechat facetime skype email mail gmail
    operator language languages english espanol español ingles inglés spanish french
    give take make let lets come go going get got getting know see seen look seeking
    meet meeting talk talking chat chatting hang hangout visit stay stop start try
    want need like love luv miss ms mrs mr dr pls plz please thx thanks ty xo xx xxx
    under over above below between before after during about around through without
    within near far away back front side top bottom left right north south east west
    city town area downtown uptown midtown local locals outcall outcalls incall incalls
    quality quantity money cash cashapp venmo paypal card cards donation donations
    pictures picture pic pics photo photos selfie video videos real fake verified
    monkey bunny kitty cat dog cuddle cuddles shower massage party parties empire
    greek spinner trades trade leave smart hun ur ya yo ph tex hablame háblame
    escribeme four five six seven eight nine eleven twelve dozen mexicana mexicano
    filipino cubana colombiana venezolana dominicana boricua
    """
)
"""Capitalised common words that precede phone numbers and follow weak cues in ads
(``Other (415) 555-0123``, ``Tel 415...``, ``I'm Super sweet``): English, Spanish,
French, Portuguese and German contact labels, adverbs, adjectives and nouns. Typed for
this module; :data:`GIVEN_NAMES` wins where a word is also a name (``Honey``)."""

WORD_SUFFIXES = (
    "ing",
    "ings",
    "ed",
    "tion",
    "sion",
    "ment",
    "ness",
    "able",
    "ible",
    "ful",
    "less",
    "ous",
    "ive",
    "ese",
    "ally",
    "ully",
    "ely",
    "ily",
    "ity",
)
"""Endings of English words that persona names (outside :data:`GIVEN_NAMES`) rarely
have (``Healing``, ``Guaranteed``, ``Reliable``, ``Sinfully``); only used on a weak cue
or before a phone, and a known given name (``Trinity``, ``Emily``) is never judged by
them."""

_APOS = "['’]"
_NAME_SRC = r"(?P<name>[^\W\d_]+(?:-[^\W\d_]+)?)"
_NAME = 1
"""The number of the ``name`` group, the only group of the cue patterns (a test checks):
a match's span by number spares a look-up of the name per call."""


class _Cue(NamedTuple):
    """One cue of the strong or weak pattern (``src``), with what a text needs for it to
    match: ``first``, the letter runs one of which its first word is (``names:``:
    ``name`` or ``names``); ``also``, its later words that are whole runs too (``i am``:
    ``am``); ``needles``, substrings it needs that the name may be glued to (``me
    llamoJessy``)."""

    first: frozenset[str]
    also: frozenset[str]
    needles: tuple[str, ...]
    src: str


_STRONG_CUES = (
    _Cue(
        frozenset({"my"}), frozenset(), ("name",), r"my\s+names?(?:\s*'\s*s|\s*’\s*s|\s+is|\s*:)?"
    ),
    _Cue(frozenset({"name", "names"}), frozenset(), (), r"names?\s*:"),
    _Cue(frozenset({"me"}), frozenset(), ("llamo",), r"me\s+llamo"),
    _Cue(frozenset({"mi"}), frozenset({"nombre"}), (), r"mi\s+nombre\s+es"),
    _Cue(frozenset({"je"}), frozenset({"m"}), ("appelle",), r"je\s+m" + _APOS + r"\s*appelle"),
    _Cue(frozenset({"mon"}), frozenset({"nom"}), (), r"mon\s+nom\s+est"),
    _Cue(frozenset({"meu"}), frozenset({"nome"}), (), r"meu\s+nome\s+(?:é|e)"),
    _Cue(frozenset({"me"}), frozenset(), ("chamo",), r"me\s+chamo"),
    _Cue(frozenset({"ich"}), frozenset(), ("hei",), r"ich\s+hei(?:ß|ss)e"),
    _Cue(frozenset({"mein"}), frozenset({"name"}), (), r"mein\s+name\s+ist"),
)
_WEAK_CUES = (
    _Cue(frozenset({"i"}), frozenset({"m"}), (), r"i\s*" + _APOS + r"\s*m"),
    _Cue(frozenset({"i"}), frozenset({"am"}), (), r"i\s+am"),
    _Cue(frozenset({"it"}), frozenset({"s"}), (), r"it\s*" + _APOS + r"\s*s"),
    _Cue(frozenset({"it"}), frozenset({"is"}), (), r"it\s+is"),
    _Cue(frozenset({"this"}), frozenset({"is"}), (), r"this\s+is"),
    _Cue(frozenset({"call"}), frozenset({"me"}), (), r"call\s+me"),
    _Cue(frozenset({"call"}), frozenset(), (), r"call"),
    _Cue(frozenset({"ask"}), frozenset({"for"}), (), r"ask\s+for"),
    _Cue(frozenset({"soy"}), frozenset(), (), r"soy"),
    _Cue(frozenset({"je"}), frozenset({"suis"}), (), r"je\s+suis"),
    _Cue(frozenset({"moi"}), frozenset({"c", "est"}), (), r"moi\s+c\s*" + _APOS + r"\s*est"),
    _Cue(frozenset({"sou"}), frozenset({"a"}), (), r"sou\s+a"),
    _Cue(frozenset({"eu"}), frozenset({"sou"}), (), r"eu\s+sou"),
    _Cue(frozenset({"ich"}), frozenset({"bin"}), (), r"ich\s+bin"),
)
"""The strong and weak cues, in pattern order. A cue is only accepted where it starts a
word (not after a letter, see :func:`_cue_names`); its first word and the words in
``also`` are followed by a space, an apostrophe or a colon, and the later ones come
after one: so where a cue is accepted these words are letter runs of the text, and the
cue's needles are in it. A cue whose words or needles a text lacks can be left out of
its scan."""
# The cue patterns are written in lower case and run over the lower-cased text: with no
# IGNORECASE and no leading look-behind (checked in Python instead), the regex engine
# can skip quickly to the characters a cue starts with, which makes the scan 3-4x
# cheaper. Text whose lower case changes length (``İ``) takes the IGNORECASE copies.
_CUE_TAILS = (r")[ \t]*" + _NAME_SRC, r")[ \t]+" + _NAME_SRC)
_STRONG_SRC = "(?:" + "|".join(cue.src for cue in _STRONG_CUES) + _CUE_TAILS[0]
_WEAK_SRC = "(?:" + "|".join(cue.src for cue in _WEAK_CUES) + _CUE_TAILS[1]
_SIGN_OFF_SRC = r"(?:~|(?:xoxo|kisses|besos|bisous),?)[ \t]*" + _NAME_SRC
_CUES = tuple(re.compile(src) for src in (_STRONG_SRC, _WEAK_SRC, _SIGN_OFF_SRC))
_CUES_ANY_CASE = tuple(
    re.compile(src, re.IGNORECASE) for src in (_STRONG_SRC, _WEAK_SRC, _SIGN_OFF_SRC)
)
_SIGN_OFF_WORDS = ("~", "xoxo,?", "kisses,?", "besos,?", "bisous,?")
_SIGN_OFF = re.compile("(?:" + "|".join(_SIGN_OFF_WORDS) + r")[ \t]*" + _NAME_SRC)
""":data:`_SIGN_OFF_SRC` with the optional comma moved into each word: the same matches
(no word is a prefix of another, so at most one matches at a place), but every branch
now starts with a literal, so the regex engine skips in C to ``~``, ``x``, ``k`` and
``b`` (a branch that starts with a group makes it try every position); the scan then
costs less than the substring pre-check it replaces."""
_SIGN_OFF_STARTS = "~xkb"
"""The first characters of the sign-offs; no weak cue starts with one (a test checks)."""
_SIGN_OFF_ALTERNATIVES = "|".join(word + r"[ \t]*" for word in _SIGN_OFF_WORDS)
_CUE_WORDS = tuple(
    frozenset().union(*(cue.first | cue.also for cue in cues))
    for cues in (_STRONG_CUES, _WEAK_CUES)
)
"""Every word a strong (weak) cue needs as a letter run."""
_ALL_CUE_WORDS = _CUE_WORDS[0] | _CUE_WORDS[1]
_CUE_WORD_BITS = {word: 1 << i for i, word in enumerate(sorted(_ALL_CUE_WORDS))}
"""A bit per cue word: the cue words of a field as one small int, the key of
:data:`_CUE_SCANS` (a set of words as the key cost a hash of a new set and an element
by element comparison per look-up)."""
_Probe = tuple[str, int, tuple[tuple[str, int], ...]]


def _first_word_probes() -> tuple[_Probe, ...]:
    """Per first word of a cue, its bit and the later words (with their bits) of the
    cues it starts (``i``: ``am`` and ``m``)."""
    cues = (*_STRONG_CUES, *_WEAK_CUES)
    probes: list[_Probe] = []
    for word in sorted({first for cue in cues for first in cue.first}):
        later = sorted(frozenset().union(*(cue.also for cue in cues if word in cue.first)))
        pairs = tuple((also, _CUE_WORD_BITS[also]) for also in later)
        probes.append((word, _CUE_WORD_BITS[word], pairs))
    return tuple(probes)


_FIRST_WORD_PROBES = _first_word_probes()
_Scan = tuple[re.Pattern[str] | None, tuple[str, ...]]
_CUE_SCANS: dict[int, tuple[_Scan, _Scan]] = {}
"""The strong and weak scans of :func:`_cue_scan` per key of :func:`_cue_scans` (a few
hundred keys in twenty thousand ads; emptied when it reaches :data:`_MAX_CUE_SCANS`)."""
_MAX_CUE_SCANS = 4096
_CUE_PATTERNS: dict[str, re.Pattern[str]] = {}
"""The compiled scans by source: one per set of first words present (a few dozen occur,
at most one per subset of the cues' first words)."""


def _cue_scans(runs: frozenset[str]) -> tuple[_Scan, _Scan]:
    """The strong and weak scans (:func:`_cue_scan`) for a text whose letter runs are
    ``runs``, found by the cue words present.

    The key holds the first words present and, of those, the later words of the cues
    they start: all that the scans depend on (which cues lead, which of those can
    match), so texts with one key get the same scans. Probing the nineteen first words,
    and the later words only behind a present one (two or three per text), without
    building a set: 0.9 against 1.5 us per Backpage post for the intersection with
    every cue word (measured, compiled).
    """
    key = 0
    for word, bit, later in _FIRST_WORD_PROBES:
        if word in runs:
            key |= bit
            for also, also_bit in later:
                if also in runs:
                    key |= also_bit
    scans = _CUE_SCANS.get(key)
    if scans is None:
        present = runs & _ALL_CUE_WORDS
        if len(_CUE_SCANS) >= _MAX_CUE_SCANS:
            _CUE_SCANS.clear()
        scans = _CUE_SCANS[key] = (_cue_scan(0, present), _cue_scan(1, present))
    return scans


def _cue_scan(kind: int, present: frozenset[str]) -> _Scan:
    """The scan for the cues of ``kind`` (0 strong, 1 weak) in a text whose letter runs
    among the cue words are ``present``, and the needles one of which the text must
    contain for a cue to match (none: no such test); no scan (None) when no cue can.

    The scan holds the cues whose first word is present, in pattern order. Where a cue
    can be accepted (not after a letter), it matches exactly as the full pattern does:
    a cue left out cannot match there, and the others keep their order; elsewhere both
    are rejected. So :func:`_cue_names` accepts the same matches, while the regex
    engine, with fewer first letters to look for (often a literal prefix such as
    ``call``), skips over most of the text in C. The cues' later words and needles only
    decide whether to scan, so that few distinct patterns are compiled.
    """
    cues = _STRONG_CUES if kind == 0 else _WEAK_CUES
    led = [cue for cue in cues if not cue.first.isdisjoint(present)]
    can = [cue for cue in led if cue.also <= present]
    pattern = None
    needles: tuple[str, ...] = ()
    if can:
        if kind == 0:
            src = "(?:" + "|".join(cue.src for cue in led) + _CUE_TAILS[0]
        else:
            tail = r"[ \t]+|"
            src = "(?:" + tail.join(cue.src for cue in led) + tail + _SIGN_OFF_ALTERNATIVES
            src += ")" + _NAME_SRC
        pattern = _CUE_PATTERNS.get(src)
        if pattern is None:
            pattern = _CUE_PATTERNS[src] = re.compile(src)
        if all(cue.needles for cue in can):
            needles = tuple(needle for cue in can for needle in cue.needles)
    return pattern, needles


_WORD_CUES = (True, True, False)
"""Whether a cue starts with a letter, and so must not follow one (``xoxo`` need not)."""
_FOLD_EXTRA = str.maketrans({"ı": "i", "ſ": "s"})
"""Letters that lower-case to themselves but that IGNORECASE matches as ``i`` / ``s``."""
_LETTER = re.compile(r"[^\W\d_]")
_PHONE = re.compile(r"\d[\d \t().\-\[\]*/]{5,}\d")
_DIGIT_FREE = (
    (0x0000, 0x002F),  # ASCII before the digits
    (0x003A, 0x065F),  # the rest of ASCII, Latin, Greek, Cyrillic, Hebrew, Arabic letters
    (0x13A0, 0x167F),  # Cherokee, Canadian syllabics (fancy lettering)
    (0x1D00, 0x1DFF),  # phonetic extensions (small capitals)
    (0x2000, 0x2BFF),  # punctuation, super- and subscripts, symbols, arrows, dingbats
    (0x3000, 0x303F),  # CJK punctuation
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFF1A, 0xFFFF),  # full-width forms after the full-width digits
    (0x1F000, 0x1FAFF),  # emoji and pictographs
    (0xE0000, 0xE01EF),  # tags, variation selectors
)
"""Ranges of code points, the ads' usual characters, in which this Python's Unicode
database has no decimal digit (checked by :func:`_phone_scan`)."""


def _phone_scan() -> re.Pattern[str]:
    """:data:`_PHONE` with its first ``\\d`` widened to every character outside
    :data:`_DIGIT_FREE` (so to all decimal digits), and the ASCII digits written out in
    the other two.

    The regex engine looks for where a match can start by testing every character of
    the field against the first class: ``\\d`` takes a Unicode database look-up per
    character (most fields are wide strings, with emoji), the widened class a bitmap
    probe, and ``[0-9]`` before ``\\d`` lets an ASCII digit match without the look-up.
    The scan costs half as much (1.9 against 3.7 us per Backpage post, measured). A
    match starting with a character that is not a digit tells the caller to scan again
    with :data:`_PHONE` (:func:`_phone_matches`); should a database put a digit in one
    of the ranges, the scan is :data:`_PHONE` itself.
    """
    digit_free = "".join(chr(code) for lo, hi in _DIGIT_FREE for code in range(lo, hi + 1))
    if re.search(r"\d", digit_free):
        return _PHONE
    ranges = "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _DIGIT_FREE)
    return re.compile("[^" + ranges + r"][0-9 \t().\-\[\]*/\d]{5,}[0-9\d]")


_PHONE_SCAN = _phone_scan()


def _phone_matches(text: str) -> list[re.Match[str]]:
    """``list(_PHONE.finditer(text))``, by :data:`_PHONE_SCAN`.

    The two patterns differ only in their first class, the scan's holding every digit
    and more; so from any place the scan's leftmost match starts no later than
    :data:`_PHONE`'s, and where it starts with a decimal digit, :data:`_PHONE` matches
    there too, with the same span. Where every match of the scan starts with a digit,
    the two lists are the same; otherwise (a rare letter or symbol before a number,
    ``꧂ 209-857-5973``) the field is scanned again with :data:`_PHONE`.
    """
    phones = list(_PHONE_SCAN.finditer(text))
    for phone in phones:
        if not text[phone.start()].isdecimal():
            return list(_PHONE.finditer(text))
    return phones


_PHONE_OPENERS = "[(+"
_BEFORE_PHONE = re.compile(_NAME_SRC + r"[ \t]*[:\-–~]?[ \t]*$")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n•*|>]|\s{2,})[^\w\n]*$")
_MIN_PHONE_DIGITS = 7
_MAX_PHONE_DIGITS = 15


def _name_before(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """``_BEFORE_PHONE.search(text, lo, hi).span("name")``, or None, without the scan.

    The search tries every position of the window and, at each letter, reads the rest
    of the word before failing; here the name is read backwards from ``hi`` instead:
    past the tail the pattern allows (spaces or tabs, one of ``: - – ~``, spaces or
    tabs; ``$`` also matches before a final line break), a letter must end the name,
    and the leftmost match starts where that letter run starts, or where the run
    before it starts when a hyphen joins them (one hyphen at most), never before ``lo``.
    """
    end = hi
    if end > lo and text[end - 1] == "\n":
        end -= 1
    while end > lo and text[end - 1] in " \t":
        end -= 1
    if end > lo and text[end - 1] in ":-–~":
        end -= 1
        while end > lo and text[end - 1] in " \t":
            end -= 1
    if end == lo or not _is_letter(text[end - 1]):
        return None
    start = end - 1
    while start > lo and _is_letter(text[start - 1]):
        start -= 1
    if start - 2 >= lo and text[start - 1] == "-" and _is_letter(text[start - 2]):
        start -= 2
        while start > lo and _is_letter(text[start - 1]):
            start -= 1
    return start, end


def _is_letter(ch: str) -> bool:
    """``_LETTER.match(ch)`` for one character, without a regex call: the regex engine's
    ``\\w`` is ``str.isalnum`` (or ``_``) and its ``\\d`` is ``str.isdecimal``."""
    return ch.isalnum() and not ch.isdecimal()


def _value(token: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in token.split("-"))


def _is_place(key: str) -> bool:
    index = gazetteer()
    entries = index.city(key)
    if entries and any(e.place.major for e in entries):
        return True
    return key in index.countries or key in index.regions


def _word_like(key: str) -> bool:
    """Whether a folded token that is not a known given name reads as a common word."""
    if key in COMMON_WORDS:
        return True
    return len(key) >= 5 and key.endswith(WORD_SUFFIXES)


def _judge(token: str, known_conf: float, other_conf: float, *, strong: bool) -> float | None:
    """The confidence that ``token`` is a persona name, or None when it is not one.

    After a strong cue (``my name is``) the ad says the token is a name, so only stop
    words and places are refused. After a weak cue, in a sign-off or before a phone,
    an unknown token must also not read as a common word (:data:`COMMON_WORDS`,
    :data:`WORD_SUFFIXES`): capitals there are often just emphasis or a label.
    """
    letters = token.replace("-", "")
    if not 2 <= len(letters) <= 20 or not token[:1].isupper():
        return None
    key = fold(token)
    if key in STOP_WORDS or fold_token(token.split("-", maxsplit=1)[0]) in STOP_WORDS:
        return None
    known = key in GIVEN_NAMES or all(p in GIVEN_NAMES for p in key.split(" "))
    if known:
        return known_conf
    shouting = token.isupper() and len(letters) > 2
    if not strong and (shouting or any(_word_like(p) for p in key.split(" "))):
        return None
    if _is_place(key):
        if not strong:
            return None
        other_conf -= 0.1
    return other_conf - (0.1 if shouting else 0.0)


def _mention(post: Post, field: str, text: str, *, start: int, end: int, conf: float) -> Mention:
    return mention(
        post_id=post.id,
        kind="name",
        value=_value(text[start:end]),
        field=field,
        original=text,
        start=start,
        end=end,
        method=METHOD,
        confidence=conf,
    )


def _cue_names(text: str) -> list[tuple[int, int, int]]:
    """``(kind, start, end)`` of the token after each cue (0 strong, 1 weak, 2 sign-off).

    The strong and weak scans only look for the cues whose words are among the field's
    letter runs (:func:`_cue_scan`; the runs are shared with the phone normaliser and
    the place matcher); a field with none skips the scan.
    """
    low = lowered(text)
    if len(low) != len(text):
        return _scan_cues(text, _CUES_ANY_CASE)
    letters = letters_of(low)
    # ``ı`` and ``ſ`` are letters outside ASCII: the cached test spares two scans.
    if not letters.plain and ("ı" in low or "ſ" in low):
        return _scan_cues(low.translate(_FOLD_EXTRA), _CUES)
    found: list[tuple[int, int, int]] = []
    (strong, needles), (weak, _) = _cue_scans(letters.distinct)
    if strong is not None and (not needles or any(map(low.__contains__, needles))):
        _scan(low, 0, strong, True, found)
    if weak is None:
        _scan(low, 2, _SIGN_OFF, False, found)
    else:
        _scan_weak_and_sign_offs(low, weak, found)
    return found


def _scan_cues(low: str, patterns: tuple[re.Pattern[str], ...]) -> list[tuple[int, int, int]]:
    """:func:`_cue_names` with the full patterns (text that lower-cases to another
    length, matched as written with IGNORECASE, or with ``ı``/``ſ`` folded)."""
    found: list[tuple[int, int, int]] = []
    for kind, (pattern, word) in enumerate(zip(patterns, _WORD_CUES, strict=True)):
        _scan(low, kind, pattern, word, found)
    return found


def _scan(
    low: str, kind: int, pattern: re.Pattern[str], word: bool, found: list[tuple[int, int, int]]
) -> None:
    """Append ``(kind, start, end)`` of the name after each match of ``pattern``; with
    ``word``, a match that starts right after a letter is not a cue."""
    pos = 0
    while (match := pattern.search(low, pos)) is not None:
        start = match.start()
        if word and start > 0 and _is_letter(low[start - 1]):
            pos = start + 1  # inside a word (``pim Jessy``): look again just after
            continue
        found.append((kind, *match.span(_NAME)))
        pos = match.start(_NAME)  # the name may itself start a cue (``Ask Me ...``)


def _scan_weak_and_sign_offs(
    low: str, pattern: re.Pattern[str], found: list[tuple[int, int, int]]
) -> None:
    """:func:`_scan` of the weak cues, then of the sign-offs, by one scan of ``pattern``
    (:func:`_cue_scan`: the weak cues, then the sign-offs, each with its tail).

    The same matches, in the same order: a match is a sign-off where it starts with one
    of :data:`_SIGN_OFF_STARTS`, with which no weak cue starts, so at any place at most
    one kind can match and each matches as its own pattern would; and neither kind can
    start a match inside the other's cue, before its name (inside a sign-off's ``~``,
    word, comma and spaces a weak cue could only start after a letter, where it is
    refused; a weak cue's later words, apostrophes and spaces hold no ``~`` and no
    sign-off word), so jumping to the name skips only what the separate scans skip.
    One pass over the field instead of two: the sign-offs add a few stops to the weak
    scan, where their own scan read every character again (0.9 us per Backpage post
    saved, measured).
    """
    sign_offs: list[tuple[int, int, int]] = []
    pos = 0
    while (match := pattern.search(low, pos)) is not None:
        start = match.start()
        if low[start] in _SIGN_OFF_STARTS:
            sign_offs.append((2, *match.span(_NAME)))
        elif start > 0 and _is_letter(low[start - 1]):
            pos = start + 1  # inside a word (``pim Jessy``): look again just after
            continue
        else:
            found.append((1, *match.span(_NAME)))
        pos = match.start(_NAME)  # the name may itself start a cue (``Ask Me ...``)
    found += sign_offs


def _lower_elsewhere(text: str, token: str) -> bool:
    """Whether the ad also writes ``token`` in lower case as a word (``Place`` and
    ``place``): then the capital is the sentence's, not a name's."""
    low = token.lower()
    pos = text.find(low)
    while pos >= 0:
        end = pos + len(low)
        if not (pos > 0 and _LETTER.match(text, pos - 1)) and not _LETTER.match(text, end):
            return True
        pos = text.find(low, end)
    return False


def extract_names(post: Post, field: str, text: str) -> list[Mention]:
    """Persona names after cues, before phone numbers and in sign-offs, one per span."""
    best: dict[tuple[int, int], float] = {}
    for kind, start, end in _cue_names(text):
        if text[start].isupper():  # else not a name (:func:`_judge`): spare the look-up
            _keep(best, start, end, _verdict(text[start:end], kind))
    for phone in _phone_matches(text):
        phone_start = phone.start()
        if phone_start > 0 and text[phone_start - 1] in _PHONE_OPENERS:
            phone_start -= 1
        window_start = max(0, phone_start - 40)
        before = _name_before(text, window_start, phone_start)
        if before is None:  # half the phones: tested before counting their digits
            continue
        digits = sum(map(str.isdigit, phone.group()))
        if not _MIN_PHONE_DIGITS <= digits <= _MAX_PHONE_DIGITS:
            continue
        start, end = before
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue
        token = text[start:end]
        conf, given = _phone_name(token)
        if conf == _NOT_A_NAME:
            continue
        if not given:
            if _lower_elsewhere(text, token):
                continue
            if _SENTENCE_END.search(text, max(0, start - 20), start):
                # At a sentence or line start a capital is no evidence of a name.
                conf -= 0.05
        _keep(best, start, end, conf)
    if not best:  # most fields: spare sorting nothing
        return []
    # Mentions only for the spans kept, in the order the spans were first found.
    return [
        _mention(post, field, text, start=start, end=end, conf=conf)
        for (start, end), conf in sorted(best.items(), key=_span_start)
    ]


def _keep(best: dict[tuple[int, int], float], start: int, end: int, conf: float | None) -> None:
    """Keep the highest confidence found for the span ``[start, end)``."""
    if conf is not None:
        old = best.get((start, end))
        if old is None or old < conf:
            best[(start, end)] = conf


def _span_start(item: tuple[tuple[int, int], float]) -> int:
    return item[0][0]


_CUE_CONFIDENCE = ((0.9, 0.7), (0.8, 0.45), (0.7, 0.5), (0.6, 0.35))
"""(known given name, other token) confidence per cue kind: strong, weak, sign-off, and
(:data:`_BEFORE_A_PHONE`) a name right before a phone number."""
_BEFORE_A_PHONE = 3
_VERDICTS: tuple[dict[str, float], ...] = tuple({} for _ in _CUE_CONFIDENCE[:_BEFORE_A_PHONE])
"""Per cue kind, :func:`_judge`'s verdict on each token seen (:data:`_NOT_A_NAME` for
None): it depends on nothing else (the word lists are constants, the gazetteer is loaded
once per process), and the same tokens (``Available``, ``Jessy``) come back ad after
ad, while judging one folds it and probes several word lists and the gazetteer. Each is
emptied when it reaches :data:`_MAX_VERDICTS`."""
_NOT_A_NAME = -1.0
_MAX_VERDICTS = 8192


def _verdict(token: str, kind: int) -> float | None:
    """``_judge(token, *_CUE_CONFIDENCE[kind], strong=kind == 0)``, remembered."""
    verdicts = _VERDICTS[kind]
    conf = verdicts.get(token)
    if conf is None:
        if len(verdicts) >= _MAX_VERDICTS:
            verdicts.clear()
        known, other = _CUE_CONFIDENCE[kind]
        judged = _judge(token, known, other, strong=kind == 0)
        conf = verdicts[token] = _NOT_A_NAME if judged is None else judged
    return None if conf == _NOT_A_NAME else conf


_PHONE_NAMES: dict[str, tuple[float, bool]] = {}
"""Per token before a phone, what :func:`_phone_name` found; emptied when it reaches
:data:`_MAX_VERDICTS`."""


def _phone_name(token: str) -> tuple[float, bool]:
    """The confidence that ``token``, right before a phone, is a name
    (:data:`_NOT_A_NAME` when it is not), and whether it is a known given name.

    Everything here depends on the token alone (see :data:`_VERDICTS`), so it is
    remembered: a name before a phone comes back ad after ad, and folding it again
    (a regex split, a join) cost more than the rest of its look-ups.
    """
    found = _PHONE_NAMES.get(token)
    if found is None:
        if len(_PHONE_NAMES) >= _MAX_VERDICTS:
            _PHONE_NAMES.clear()
        known, other = _CUE_CONFIDENCE[_BEFORE_A_PHONE]
        conf = _judge(token, known, other, strong=False)
        if conf is None or (
            len(token) == 2
            and (token.upper() in gazetteer().region_codes or token[0].lower() == token[1].lower())
        ):
            # ``Ca 415...``, ``Aa 415...``: a state code or a grade, not a name
            found = (_NOT_A_NAME, False)
        else:
            found = (conf, fold(token) in GIVEN_NAMES)
        _PHONE_NAMES[token] = found
    return found


__all__ = ["COMMON_WORDS", "GIVEN_NAMES", "STOP_WORDS", "extract_names"]
